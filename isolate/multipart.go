package isolate

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/textproto"
	"strings"
	"unicode/utf8"
)

// Limits on a multipart/form-data body (request.formData() parses bodies
// from anyone): the body itself is already bounded by Limits.MaxBodySize.
const (
	maxFormParts       = 10000    // parts per body
	maxPartHeaderBytes = 16 << 10 // header bytes per part
	maxBoundaryLen     = 70       // RFC 2046
)

// formEntry is one entry of a parsed or serialised form: a string value,
// or a file (isFile) with a name and a type.
type formEntry struct {
	name     string
	value    string
	isFile   bool
	filename string
	typ      string
	data     []byte
}

// errBadForm wraps every multipart parse failure.
var errBadForm = errors.New("the body is not valid multipart/form-data")

// boundaryOf returns the boundary parameter of a multipart/form-data
// content type ("" when it is another type).
func boundaryOf(contentType string) (string, error) {
	mt, params, err := mime.ParseMediaType(contentType)
	if err != nil || mt != "multipart/form-data" {
		return "", nil
	}
	b := params["boundary"]
	if b == "" || len(b) > maxBoundaryLen {
		return "", fmt.Errorf("%w: the content type has no usable boundary", errBadForm)
	}
	return b, nil
}

// parseMultipart parses a multipart/form-data body. File contents are
// slices of data (not copied).
func parseMultipart(data []byte, boundary string) ([]formEntry, error) {
	if boundary == "" || len(boundary) > maxBoundaryLen {
		return nil, fmt.Errorf("%w: bad boundary", errBadForm)
	}
	// Part headers are read with a bound: the reader stops at the blank
	// line that ends them.
	mr := multipart.NewReader(bytes.NewReader(data), boundary)
	var out []formEntry
	for {
		p, err := mr.NextRawPart()
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return nil, fmt.Errorf("%w: %v", errBadForm, err)
		}
		if len(out) == maxFormParts {
			return nil, fmt.Errorf("%w: more than %d parts", errBadForm, maxFormParts)
		}
		if n := headerBytes(p.Header); n > maxPartHeaderBytes {
			return nil, fmt.Errorf("%w: a part's headers are %d bytes (at most %d)", errBadForm, n, maxPartHeaderBytes)
		}
		disp, params, err := mime.ParseMediaType(p.Header.Get("Content-Disposition"))
		if err != nil || disp != "form-data" {
			return nil, fmt.Errorf("%w: a part has no Content-Disposition: form-data", errBadForm)
		}
		name, ok := params["name"]
		if !ok {
			return nil, fmt.Errorf("%w: a part has no name", errBadForm)
		}
		body, err := io.ReadAll(p)
		if err != nil {
			return nil, fmt.Errorf("%w: %v", errBadForm, err)
		}
		e := formEntry{name: name}
		if fn, ok := params["filename"]; ok {
			e.isFile, e.filename, e.data = true, fn, body
			e.typ = p.Header.Get("Content-Type")
			if e.typ == "" {
				e.typ = "text/plain"
			}
		} else {
			e.value = utf8Replace(body)
		}
		out = append(out, e)
	}
}

func headerBytes(h textproto.MIMEHeader) int {
	n := 0
	for k, vs := range h {
		for _, v := range vs {
			n += len(k) + len(v) + 4
		}
	}
	return n
}

// newBoundary returns a fresh random boundary.
func newBoundary() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return "----edgefnFormBoundary" + hex.EncodeToString(b[:])
}

// escapeFormName escapes a name or filename for a Content-Disposition
// parameter as the HTML spec's multipart/form-data encoding does.
func escapeFormName(s string) string {
	return strings.NewReplacer("\n", "%0A", "\r", "%0D", `"`, "%22").Replace(s)
}

// encodeMultipart serialises entries as a multipart/form-data body.
func encodeMultipart(entries []formEntry, boundary string) []byte {
	var b bytes.Buffer
	for _, e := range entries {
		b.WriteString("--" + boundary + "\r\n")
		b.WriteString(`Content-Disposition: form-data; name="` + escapeFormName(normalizeNewlines(e.name)) + `"`)
		if e.isFile {
			b.WriteString(`; filename="` + escapeFormName(e.filename) + `"` + "\r\n")
			typ := e.typ
			if typ == "" {
				typ = "application/octet-stream"
			}
			b.WriteString("Content-Type: " + typ + "\r\n\r\n")
			b.Write(e.data)
		} else {
			b.WriteString("\r\n\r\n")
			b.WriteString(normalizeNewlines(e.value))
		}
		b.WriteString("\r\n")
	}
	b.WriteString("--" + boundary + "--\r\n")
	return b.Bytes()
}

// normalizeNewlines turns lone CR and LF into CRLF (form encoding).
func normalizeNewlines(s string) string {
	if !strings.ContainsAny(s, "\r\n") {
		return s
	}
	s = strings.ReplaceAll(s, "\r\n", "\n")
	s = strings.ReplaceAll(s, "\r", "\n")
	return strings.ReplaceAll(s, "\n", "\r\n")
}

// parseURLEncoded is the WHATWG application/x-www-form-urlencoded parser.
func parseURLEncoded(data []byte) []formEntry {
	list := parseQuery(string(data))
	if len(list) == 0 {
		return nil
	}
	out := make([]formEntry, len(list))
	for i, e := range list {
		out[i] = formEntry{name: e.name, value: e.value}
	}
	return out
}

// percentDecodePlus replaces + with space, percent-decodes (a malformed
// escape stays as it is) and decodes UTF-8 with replacement.
func percentDecodePlus(b []byte) string {
	out := make([]byte, 0, len(b))
	for i := 0; i < len(b); i++ {
		c := b[i]
		switch {
		case c == '+':
			out = append(out, ' ')
		case c == '%' && i+2 < len(b) && isHex(b[i+1]) && isHex(b[i+2]):
			out = append(out, unhex(b[i+1])<<4|unhex(b[i+2]))
			i += 2
		default:
			out = append(out, c)
		}
	}
	return utf8Replace(out)
}

// utf8Replace decodes UTF-8, each invalid sequence becoming U+FFFD (a BOM
// is kept: it is data here).
func utf8Replace(b []byte) string {
	if utf8.Valid(b) {
		return string(b)
	}
	s, _ := newTextDecoder("utf-8", false, true).decode(b, true)
	return s
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

func unhex(c byte) byte {
	switch {
	case c <= '9':
		return c - '0'
	case c >= 'a':
		return c - 'a' + 10
	}
	return c - 'A' + 10
}
