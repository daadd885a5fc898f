package edge

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/valyala/fasthttp"
)

// findAsset looks a URL path up among a version's static assets: the exact
// file, then (for clean URLs) path.html and path/index.html.
func findAsset(assets map[string]*Asset, p string) *Asset {
	if len(assets) == 0 {
		return nil
	}
	if a := assets[p]; a != nil {
		return a
	}
	if strings.HasSuffix(p, "/") {
		return assets[p+"index.html"]
	}
	if a := assets[p+".html"]; a != nil {
		return a
	}
	return assets[p+"/index.html"]
}

// serveAsset answers GET/HEAD for a static asset with validators,
// conditional requests and byte ranges.
func serveAsset(ctx *fasthttp.RequestCtx, a *Asset) {
	h := &ctx.Response.Header
	if !ctx.IsGet() && !ctx.IsHead() {
		h.Set("allow", "GET, HEAD")
		ctx.SetStatusCode(fasthttp.StatusMethodNotAllowed)
		return
	}
	h.SetContentType(a.Type)
	h.Set("etag", a.ETag)
	h.Set("last-modified", a.ModTime.Format(http.TimeFormat))
	h.Set("cache-control", "public, max-age=0, must-revalidate")
	h.Set("accept-ranges", "bytes")
	if notModified(ctx, a) {
		h.Del("content-type")
		ctx.SetStatusCode(fasthttp.StatusNotModified)
		ctx.Response.SkipBody = true
		return
	}
	body := a.Data
	if rng := reqHeader(ctx, "range"); rng != "" && ifRangeOK(ctx, a) {
		start, end, ok := parseRange(rng, int64(len(body)))
		if !ok {
			h.Set("content-range", "bytes */"+strconv.Itoa(len(body)))
			ctx.SetStatusCode(fasthttp.StatusRequestedRangeNotSatisfiable)
			return
		}
		h.Set("content-range", "bytes "+strconv.FormatInt(start, 10)+"-"+strconv.FormatInt(end, 10)+"/"+strconv.Itoa(len(body)))
		ctx.SetStatusCode(fasthttp.StatusPartialContent)
		body = body[start : end+1]
	} else {
		ctx.SetStatusCode(fasthttp.StatusOK)
	}
	if ctx.IsHead() {
		ctx.Response.SkipBody = true
		h.SetContentLength(len(body))
		return
	}
	ctx.Response.SetBodyRaw(body)
}

// notModified evaluates If-None-Match, then If-Modified-Since.
func notModified(ctx *fasthttp.RequestCtx, a *Asset) bool {
	if inm := reqHeader(ctx, "if-none-match"); inm != "" {
		for _, tag := range strings.Split(inm, ",") {
			tag = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(tag), "W/"))
			if tag == a.ETag || tag == "*" {
				return true
			}
		}
		return false
	}
	if ims := reqHeader(ctx, "if-modified-since"); ims != "" {
		if t, err := http.ParseTime(ims); err == nil && !a.ModTime.After(t) {
			return true
		}
	}
	return false
}

// ifRangeOK: a Range applies unless If-Range names another version.
func ifRangeOK(ctx *fasthttp.RequestCtx, a *Asset) bool {
	ir := reqHeader(ctx, "if-range")
	if ir == "" {
		return true
	}
	if strings.HasPrefix(ir, `"`) {
		return ir == a.ETag
	}
	t, err := http.ParseTime(ir)
	return err == nil && a.ModTime.Equal(t.UTC().Truncate(time.Second))
}

// parseRange parses a single "bytes=a-b", "bytes=a-" or "bytes=-n" range
// (the first of several) against a size, returning inclusive bounds.
func parseRange(s string, size int64) (start, end int64, ok bool) {
	spec, found := strings.CutPrefix(s, "bytes=")
	if !found || size == 0 {
		return 0, 0, false
	}
	if i := strings.IndexByte(spec, ','); i >= 0 {
		spec = spec[:i]
	}
	a, b, found := strings.Cut(strings.TrimSpace(spec), "-")
	if !found {
		return 0, 0, false
	}
	if a == "" {
		n, err := strconv.ParseInt(b, 10, 64)
		if err != nil || n <= 0 {
			return 0, 0, false
		}
		return max(0, size-n), size - 1, true
	}
	start, err := strconv.ParseInt(a, 10, 64)
	if err != nil || start < 0 || start >= size {
		return 0, 0, false
	}
	end = size - 1
	if b != "" {
		e, err := strconv.ParseInt(b, 10, 64)
		if err != nil || e < start {
			return 0, 0, false
		}
		end = min(e, size-1)
	}
	return start, end, true
}

// reqHeader returns a request header by name, ignoring case (the server
// keeps header names as the client sent them).
func reqHeader(ctx *fasthttp.RequestCtx, name string) string {
	var out string
	ctx.Request.Header.VisitAll(func(k, v []byte) {
		if out == "" && strings.EqualFold(string(k), name) {
			out = string(v)
		}
	})
	return out
}
