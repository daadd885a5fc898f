package isolate

import "strings"

// The URL fast path. Nearly every handler starts with new URL(request.url),
// and a request URL made by the front door is already in WHATWG-serialized
// form: http or https, a lower-case ASCII host, no userinfo, no default port,
// no dot segments, nothing left to percent-encode. For such an input the full
// parser (nlnwa/whatwg-url: some 27 allocations) would return the input
// itself as the href, so scanFastURL only checks that the input is its own
// serialization and records where the components start. Anything it is not
// sure of goes to the full parser: the scanner may refuse a URL it could have
// taken, never accept one the full parser would serialize differently
// (FuzzURLFastPath compares the two on every component).

// fastURL is a URL in serialized form with the offsets of its components.
// The zero value is not a URL.
type fastURL struct {
	href string
	// scheme is the length of the scheme (href[scheme] is ':'; "://"
	// follows).
	scheme int
	// hostEnd ends the hostname; pathStart ends the port (after a ':' at
	// hostEnd) when there is one, and starts the path.
	hostEnd, pathStart int
	// query is the index of '?', or -1 for a null query; frag is the index
	// of '#', or len(href) for a null fragment.
	query, frag int
}

// scanFastURL returns the components of s when s is an absolute http or
// https URL that the WHATWG URL parser would serialize to s itself.
func scanFastURL(s string) (fastURL, bool) {
	var f fastURL
	switch {
	case strings.HasPrefix(s, "http://"):
		f.scheme = 4
	case strings.HasPrefix(s, "https://"):
		f.scheme = 5
	default:
		return f, false
	}
	i := f.scheme + 3
	// Host: dot-separated labels of lower-case letters, digits and
	// hyphens; no empty label (leading, trailing or doubled dot).
	hostStart, label := i, i
	for ; i < len(s); i++ {
		c := s[i]
		if c == '.' {
			if i == label {
				return f, false
			}
			label = i + 1
			continue
		}
		if !('a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-') {
			break
		}
	}
	if i == label {
		return f, false // empty host, or a trailing dot
	}
	host := s[hostStart:i]
	// Punycode labels are checked (and may be refused) by IDNA.
	if strings.Contains(host, "xn--") {
		return f, false
	}
	// A host whose last label starts with a digit may be an IPv4 address
	// (and then is reserialized: 127.1 is 127.0.0.1): only the canonical
	// dotted quad is its own serialization. So may one starting with '-':
	// nlnwa/whatwg-url reads "-0" as a number (strconv takes a sign).
	if c := s[label]; ('0' <= c && c <= '9' || c == '-') && !canonicalIPv4(host) {
		return f, false
	}
	f.hostEnd = i
	if i < len(s) && s[i] == ':' {
		i++
		start := i
		for i < len(s) && '0' <= s[i] && s[i] <= '9' {
			i++
		}
		port := s[start:i]
		// Empty, leading zeros, out of range, or the scheme's default:
		// each serializes differently.
		if port == "" || port[0] == '0' || len(port) > 5 || atoiPort(port) > 65535 ||
			f.scheme == 4 && port == "80" || f.scheme == 5 && port == "443" {
			return f, false
		}
	}
	f.pathStart = i
	// Path: starts with '/' (an empty path serializes as "/"), no dot
	// segment, only bytes the path percent-encode set leaves alone.
	if i >= len(s) || s[i] != '/' {
		return f, false
	}
	seg := i + 1
	for i++; i < len(s); i++ {
		c := s[i]
		if c == '?' || c == '#' {
			break
		}
		if c == '/' {
			if isDotSegment(s[seg:i]) {
				return f, false
			}
			seg = i + 1
			continue
		}
		if !fastPathByte(c) {
			return f, false
		}
	}
	if isDotSegment(s[seg:i]) {
		return f, false
	}
	f.query = -1
	if i < len(s) && s[i] == '?' {
		f.query = i
		for i++; i < len(s) && s[i] != '#'; i++ {
			if !fastQueryByte(s[i]) {
				return f, false
			}
		}
	}
	f.frag = i
	if i < len(s) { // '#'
		for i++; i < len(s); i++ {
			if !fastFragmentByte(s[i]) {
				return f, false
			}
		}
	}
	f.href = s
	return f, true
}

// fastPathByte: printable ASCII that the path percent-encode set does not
// encode, and not a backslash (a slash in special URLs).
func fastPathByte(c byte) bool {
	if c <= ' ' || c >= 0x7f {
		return false
	}
	switch c {
	case '"', '<', '>', '`', '{', '}', '^', '\\':
		return false
	}
	return true
}

// fastQueryByte: printable ASCII that the special-query percent-encode set
// does not encode.
func fastQueryByte(c byte) bool {
	if c <= ' ' || c >= 0x7f {
		return false
	}
	switch c {
	case '"', '<', '>', '\'':
		return false
	}
	return true
}

// fastFragmentByte: printable ASCII that the fragment percent-encode set
// does not encode.
func fastFragmentByte(c byte) bool {
	if c <= ' ' || c >= 0x7f {
		return false
	}
	switch c {
	case '"', '<', '>', '`':
		return false
	}
	return true
}

// isDotSegment reports whether a path segment is "." or ".." (either dot
// possibly written %2e).
func isDotSegment(seg string) bool {
	if seg == "" || seg[0] != '.' && seg[0] != '%' {
		return false
	}
	switch len(seg) {
	case 1:
		return seg == "."
	case 2:
		return seg == ".."
	case 3:
		return strings.EqualFold(seg, "%2e")
	case 4:
		return strings.EqualFold(seg, ".%2e") || strings.EqualFold(seg, "%2e.")
	case 6:
		return strings.EqualFold(seg, "%2e%2e")
	}
	return false
}

// canonicalIPv4 reports whether host is four decimal numbers 0-255 without
// leading zeros, separated by dots.
func canonicalIPv4(host string) bool {
	parts := 0
	for len(host) > 0 {
		n := 0
		for n < len(host) && host[n] != '.' {
			n++
		}
		p := host[:n]
		if v := atoiPort(p); v < 0 || v > 255 || len(p) > 3 || len(p) > 1 && p[0] == '0' {
			return false
		}
		parts++
		if n == len(host) {
			break
		}
		host = host[n+1:]
		if host == "" {
			return false
		}
	}
	return parts == 4
}

// atoiPort is the value of up to 5 decimal digits (-1 for anything else,
// the empty string included).
func atoiPort(s string) int {
	if s == "" || len(s) > 5 {
		return -1
	}
	n := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return -1
		}
		n = n*10 + int(c-'0')
	}
	return n
}

// resolveFast resolves a path-absolute input ("/p?q#f", not "//host")
// against a fast base: the base's scheme, host and port, then the input.
// false when the result is not in the fast form.
func resolveFast(input string, base *fastURL) (fastURL, bool) {
	if input == "" || input[0] != '/' || len(input) > 1 && (input[1] == '/' || input[1] == '\\') {
		return fastURL{}, false
	}
	return scanFastURL(base.origin() + input)
}

// The getters, each what the WHATWG URL API returns for the component.

func (f *fastURL) protocol() string { return f.href[:f.scheme+1] }
func (f *fastURL) host() string     { return f.href[f.scheme+3 : f.pathStart] }
func (f *fastURL) hostname() string { return f.href[f.scheme+3 : f.hostEnd] }
func (f *fastURL) origin() string   { return f.href[:f.pathStart] }

func (f *fastURL) port() string {
	if f.hostEnd == f.pathStart {
		return ""
	}
	return f.href[f.hostEnd+1 : f.pathStart]
}

func (f *fastURL) pathname() string {
	if f.query >= 0 {
		return f.href[f.pathStart:f.query]
	}
	return f.href[f.pathStart:f.frag]
}

// rawQuery is the query without '?' ("" when null).
func (f *fastURL) rawQuery() string {
	if f.query < 0 {
		return ""
	}
	return f.href[f.query+1 : f.frag]
}

func (f *fastURL) search() string {
	if f.query < 0 || f.frag-f.query == 1 {
		return ""
	}
	return f.href[f.query:f.frag]
}

func (f *fastURL) hash() string {
	if len(f.href)-f.frag <= 1 {
		return ""
	}
	return f.href[f.frag:]
}

// The setters a fast URL keeps without the full parser: each returns the
// URL with the component set, false when the value (or the result) is not
// in the fast form, and the caller goes to the full parser.

// pathEnd is where the path ends.
func (f *fastURL) pathEnd() int {
	if f.query >= 0 {
		return f.query
	}
	return f.frag
}

// withSearch is the search setter: "" makes the query null, else a leading
// '?' is dropped and the rest is the query.
func (f *fastURL) withSearch(v string) (fastURL, bool) {
	if v == "" {
		return scanFastURL(f.href[:f.pathEnd()] + f.href[f.frag:])
	}
	q := strings.TrimPrefix(v, "?")
	for i := 0; i < len(q); i++ {
		if q[i] == '#' || !fastQueryByte(q[i]) {
			return fastURL{}, false
		}
	}
	return scanFastURL(f.href[:f.pathEnd()] + "?" + q + f.href[f.frag:])
}

// withHash is the hash setter: "" makes the fragment null, else a leading
// '#' is dropped and the rest is the fragment.
func (f *fastURL) withHash(v string) (fastURL, bool) {
	if v == "" {
		return scanFastURL(f.href[:f.frag])
	}
	h := strings.TrimPrefix(v, "#")
	for i := 0; i < len(h); i++ {
		if !fastFragmentByte(h[i]) {
			return fastURL{}, false
		}
	}
	return scanFastURL(f.href[:f.frag] + "#" + h)
}

// withPathname is the pathname setter for a value that starts with '/'
// and has nothing to encode ('?' and '#' are encoded by the setter); dot
// segments are refused by the scan of the result.
func (f *fastURL) withPathname(v string) (fastURL, bool) {
	if v == "" || v[0] != '/' {
		return fastURL{}, false
	}
	for i := 0; i < len(v); i++ {
		if c := v[i]; c == '?' || c == '#' || !fastPathByte(c) {
			return fastURL{}, false
		}
	}
	return scanFastURL(f.href[:f.pathStart] + v + f.href[f.pathEnd():])
}
