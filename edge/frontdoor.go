package edge

import (
	"bytes"
	"errors"
	"fmt"
	"net"
	"strconv"

	"github.com/valyala/fasthttp"
	"golang.org/x/net/http/httpguts"

	"github.com/edgefn/edgefn/isolate"
)

// The front door's checks on a request's framing and headers, on top of
// fasthttp's parser. fasthttp already refuses duplicate Content-Length,
// repeated or unknown Transfer-Encoding, Transfer-Encoding on HTTP/1.0,
// duplicate Host, whitespace before a header's colon, CR or NUL in values,
// malformed or overflowing chunk sizes and LF inside chunk extensions; it
// closes the connection after a request carrying both Content-Length and
// Transfer-Encoding. What it accepts and edgefn refuses, because a proxy in
// front of edgefn may frame the same bytes differently (request smuggling):
//
//   - both Content-Length and Transfer-Encoding (fasthttp uses the chunked
//     framing and drops the length);
//   - header lines ended by a bare LF, and obsolete line folding (a line
//     starting with a space or tab continues the previous value);
//   - header names that are not RFC 9110 tokens ("X Y: z");
//   - a Host that is not a host name or address with an optional port
//     ("a@b", "a/b"): the URL a handler sees must name the host the request
//     was routed by;
//   - a request target that is not a path (CONNECT's "host:port"), which
//     would make the handler's URL unparseable.
//
// It also enforces the header count and request-target length limits
// (fasthttp bounds only their total size, by its read buffer).

// requestError is a request refused at the front door.
type requestError struct {
	status int
	msg    string
}

// checkRequest vets a request before it is routed; nil means it may go on.
// For an absolute-form request ("GET http://host/path"), it makes the Host
// header name the target's host, as RFC 9112 section 3.2.2 requires, so the
// handler's headers agree with the URL it was routed by.
func (n *Node) checkRequest(ctx *fasthttp.RequestCtx) *requestError {
	h := &ctx.Request.Header
	uri := h.RequestURI()
	if len(uri) > n.cfg.MaxURIBytes {
		return &requestError{fasthttp.StatusRequestURITooLong, "the request target exceeds " + strconv.Itoa(n.cfg.MaxURIBytes) + " bytes"}
	}
	if e := checkHeaderBlock(h.RawHeaders(), h.ContentLength() == -1, n.cfg.MaxHeaderCount); e != nil {
		return e
	}
	hdr, host := h.Host(), ctx.Host()
	if !validHost(hdr) {
		return &requestError{fasthttp.StatusBadRequest, "invalid Host header " + strconv.Quote(string(hdr))}
	}
	if !bytes.Equal(hdr, host) {
		if !validHost(host) {
			return &requestError{fasthttp.StatusBadRequest, "invalid host in the request target " + strconv.Quote(string(host))}
		}
		h.SetHostBytes(host)
	}
	// A path, or an absolute URL (whose path fasthttp's URI serves); not
	// CONNECT's authority form ("example.com:443"): edgefn is no proxy.
	if len(uri) == 0 || (uri[0] != '/' && !hasHTTPScheme(uri)) {
		return &requestError{fasthttp.StatusBadRequest, "the request target must be a path; edgefn is not a proxy"}
	}
	return nil
}

// checkHeaderBlock scans the header block as it came off the wire (fasthttp
// keeps a copy: RawHeaders), one line at a time: the name is read as far as
// its token bytes go and must end in a colon, then the line must end in
// CRLF.
func checkHeaderBlock(raw []byte, chunked bool, maxCount int) *requestError {
	count := 0
	for len(raw) > 0 {
		name := 0
		for name < len(raw) && httpguts.IsTokenRune(rune(raw[name])) {
			name++
		}
		if name == 0 {
			switch {
			case raw[0] == '\r' && len(raw) > 1 && raw[1] == '\n':
				return nil // the blank line ending the block
			case raw[0] == ' ' || raw[0] == '\t':
				return &requestError{fasthttp.StatusBadRequest, "obsolete line folding (a header line starting with whitespace) is not accepted"}
			case raw[0] == '\n':
				return &requestError{fasthttp.StatusBadRequest, "header lines must end with CRLF, not a bare LF"}
			}
		}
		if name == 0 || name == len(raw) || raw[name] != ':' {
			end := name
			for end < len(raw) && raw[end] != ':' && raw[end] != '\n' {
				end++
			}
			return &requestError{fasthttp.StatusBadRequest, "invalid header name " + strconv.Quote(string(raw[:end]))}
		}
		if chunked && name == len("content-length") && asciiEqualFold(raw[:name], "content-length") {
			return &requestError{fasthttp.StatusBadRequest, "a request may not carry both Content-Length and Transfer-Encoding"}
		}
		nl := bytes.IndexByte(raw[name:], '\n')
		if nl < 0 {
			break
		}
		nl += name
		if raw[nl-1] != '\r' {
			return &requestError{fasthttp.StatusBadRequest, "header lines must end with CRLF, not a bare LF"}
		}
		raw = raw[nl+1:]
		count++
		if count > maxCount {
			return &requestError{fasthttp.StatusRequestHeaderFieldsTooLarge, "more than " + strconv.Itoa(maxCount) + " header lines"}
		}
	}
	return nil
}

// isToken reports whether b is an RFC 9110 token (a valid header name).
func isToken(b []byte) bool {
	for _, c := range b {
		if !httpguts.IsTokenRune(rune(c)) {
			return false
		}
	}
	return len(b) > 0
}

// hasHTTPScheme reports whether an absolute-form target is http(s).
func hasHTTPScheme(uri []byte) bool {
	i := bytes.Index(uri, []byte("://"))
	return i > 0 && (asciiEqualFold(uri[:i], "http") || asciiEqualFold(uri[:i], "https"))
}

// asciiEqualFold compares b with the lower-case ASCII s, ignoring case.
func asciiEqualFold(b []byte, s string) bool {
	if len(b) != len(s) {
		return false
	}
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != s[i] {
			return false
		}
	}
	return true
}

// validHost accepts a DNS name or IPv4 address (letters, digits, '-', '.',
// '_'), or a bracketed IPv6 address, with an optional numeric port.
func validHost(h []byte) bool {
	if len(h) == 0 || len(h) > 261 {
		return false
	}
	if h[0] == '[' {
		end := bytes.IndexByte(h, ']')
		if end < 0 || net.ParseIP(string(h[1:end])) == nil {
			return false
		}
		return validPort(h[end+1:])
	}
	name := h
	if i := bytes.IndexByte(h, ':'); i >= 0 {
		name = h[:i]
		if !validPort(h[i:]) {
			return false
		}
	}
	if len(name) == 0 {
		return false
	}
	for _, c := range name {
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '.' || c == '_') {
			return false
		}
	}
	return true
}

// validPort accepts "" or ":" followed by 1-5 digits.
func validPort(p []byte) bool {
	if len(p) == 0 {
		return true
	}
	if p[0] != ':' || len(p) < 2 || len(p) > 6 {
		return false
	}
	for _, c := range p[1:] {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// handleParseError answers requests fasthttp could not parse or accept:
// 413 for a body over the limit, 431 for a header block over the read
// buffer, 408 when the client was too slow, 400 for anything else.
func (n *Node) handleParseError(ctx *fasthttp.RequestCtx, err error) {
	status, msg := fasthttp.StatusBadRequest, "Bad Request: "+err.Error()
	var small *fasthttp.ErrSmallBuffer
	var ne net.Error
	switch {
	case errors.Is(err, fasthttp.ErrBodyTooLarge):
		status, msg = fasthttp.StatusRequestEntityTooLarge, "Request Entity Too Large: the body exceeds the limit"
	case errors.As(err, &small):
		status, msg = fasthttp.StatusRequestHeaderFieldsTooLarge, "Request Header Fields Too Large: the request line and headers exceed "+strconv.Itoa(n.cfg.MaxHeaderBytes)+" bytes"
	case errors.As(err, &ne) && ne.Timeout():
		status, msg = fasthttp.StatusRequestTimeout, "Request Timeout: the request did not arrive in time"
	}
	n.log.Debug("request refused before routing", "component", "http", "status", status, "remote", ctx.RemoteIP().String(), "error", err.Error())
	ctx.SetConnectionClose()
	ctx.SetStatusCode(status)
	ctx.SetContentType("text/plain; charset=utf-8")
	ctx.SetBodyString(msg + "\n")
}

// errResponseHeaders: a handler's Response set more headers than the front
// door sends.
var errResponseHeaders = errors.New("edge: the response headers exceed the limit")

// checkResponse refuses a response the front door will not send: headers
// over MaxResponseHeaders or MaxResponseHeaderBytes, or a buffered body over
// the deployment's MaxResponseSize (a streamed one is counted as it goes).
func (n *Node) checkResponse(res *isolate.Response, maxBody int64) error {
	if len(res.Header) > n.cfg.MaxResponseHeaders {
		return fmt.Errorf("%w: %d headers, at most %d", errResponseHeaders, len(res.Header), n.cfg.MaxResponseHeaders)
	}
	size := 0
	for _, f := range res.Header {
		size += len(f.Name) + len(f.Value) + 4 // ": " and CRLF
	}
	if size > n.cfg.MaxResponseHeaderBytes {
		return fmt.Errorf("%w: %d bytes, at most %d", errResponseHeaders, size, n.cfg.MaxResponseHeaderBytes)
	}
	if maxBody > 0 && int64(len(res.Body)) > maxBody {
		return fmt.Errorf("%w: %d bytes, at most %d", errResponseTooLarge, len(res.Body), maxBody)
	}
	return nil
}
