# Multi-stage build: a static edgefn binary on a distroless, non-root base.
FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
ARG VERSION=dev
RUN CGO_ENABLED=0 go build -trimpath -ldflags "-s -w -X main.version=${VERSION}" -o /out/edgefn ./cmd/edgefn

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/edgefn /usr/local/bin/edgefn
USER nonroot:nonroot
EXPOSE 8787
ENTRYPOINT ["/usr/local/bin/edgefn"]
CMD ["help"]
