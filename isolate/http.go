package isolate

import (
	"io"
	"strconv"
)

// HeaderField is one HTTP header. Names of incoming request headers are
// lower-case; order and duplicates are preserved.
type HeaderField struct {
	Name  string
	Value string
}

// Request is an incoming HTTP request as a plain Go value: the front door
// converts whatever server it uses into this, and the isolate never sees a
// server type.
type Request struct {
	// ID identifies the request in logs and the x-request-id header.
	ID string
	// Method is the HTTP method, upper-case.
	Method string
	// URL is absolute: scheme://host[:port]/path?query.
	URL string
	// Header lists the request headers, names lower-case.
	Header []HeaderField
	// Body is the request body when it was read in full; nil when there is
	// none or when BodyStream is set.
	Body []byte
	// BodyStream, when non-nil, is read as the handler consumes the body,
	// without buffering it all. It is read from a goroutine of the isolate's,
	// never from the runtime's own.
	BodyStream io.Reader
	// RemoteAddr is the client's address (ip:port).
	RemoteAddr string
	// Params are route parameters (file-system routes: [id], [...slug]);
	// they reach the handler as context.params.
	Params map[string]string
	// Route selects the route module of a router script (a project's file
	// route id, e.g. "api/users/[id]"); empty for other scripts.
	Route string
}

// Response is what a handler produced.
type Response struct {
	Status     int
	StatusText string
	Header     []HeaderField
	// Body holds the whole body when it was not a stream.
	Body []byte
	// Stream is set, and Body nil, when the handler's body is a
	// ReadableStream: read it chunk by chunk, then Close it.
	Stream BodyStream
}

// BodyStream yields a streamed response body chunk by chunk as the handler
// produces it.
type BodyStream interface {
	// Next blocks until the next chunk is produced and returns it; it
	// returns io.EOF after the last chunk. An error other than io.EOF means
	// the stream failed and the response must be aborted.
	Next() ([]byte, error)
	// Close releases the stream; when called before io.EOF it cancels the
	// handler's stream (the client went away).
	Close()
}

// contentLength is the declared Content-Length of the request, -1 when
// there is none (or it is not a number).
func (r *Request) contentLength() int64 {
	for _, f := range r.Header {
		if f.Name == "content-length" {
			n, err := strconv.ParseInt(f.Value, 10, 64)
			if err != nil || n < 0 {
				return -1
			}
			return n
		}
	}
	return -1
}
