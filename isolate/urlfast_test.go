package isolate

import (
	"bytes"
	"encoding/json"
	"os"
	"strings"
	"testing"

	whatwg "github.com/nlnwa/whatwg-url/url"
)

// fastPathSeeds are inputs at the edge of what the fast path takes: each
// differs from a fast one by one thing the full parser changes or refuses.
var fastPathSeeds = []string{
	"http://127.0.0.1/json?name=x",
	"https://example.com/",
	"http://example.com:8080/a/b;c?x=1&y=%20#frag",
	"http://a/%zz/%2/%e2%82%ac?%zz#%",
	"http://a/[]|@:!$&'()*+,;=~_-./x?[]|@:!$&()*+,;=~_-/?#[]|@:!$&'()*+,;=~_-/?#",
	"http://EXAMPLE.com/", "http://example.com", "http://example.com?x", "http://example.com#x",
	"http://example.com./", "http://.example.com/", "http://a..b/", "http://-a-.b-/", "http://ab--cd.com/",
	"http://xn--nxasmq6b.com/", "http://xn--a.com/", "http://a.xn--/", "http://xn--/",
	"http://127.0.0.1/", "http://127.1/", "http://0x7f.0.0.1/", "http://127.0.0.01/", "http://256.0.0.1/",
	"http://1.2.3.4.5/", "http://0.a.0.0/", "http://-0/", "http://a.-1/", "http://a.-b/", "http://1.2.3.a1/", "http://1.-2.3.4/", "http://1.2.3/", "http://example.123/", "http://123.example/", "http://1abc/",
	"http://0.0.0.0/", "http://255.255.255.255/", "http://09.1.1.1/", "http://1.2.3.4./",
	"http://a:80/", "https://a:443/", "http://a:443/", "https://a:80/", "http://a:/", "http://a:0/",
	"http://a:00/", "http://a:080/", "http://a:65535/", "http://a:65536/", "http://a:999999/", "http://a:1x/",
	"http://user@a/", "http://user:pass@a/", "http://:@a/", "http://a@/",
	"http://a/./b", "http://a/../b", "http://a/b/.", "http://a/b/..", "http://a/%2e/b", "http://a/%2E%2e/b",
	"http://a/.%2e/b", "http://a/%2e./b", "http://a/.../b", "http://a/.b/", "http://a/b./",
	"http://a/b\\c", "http://a\\b/", "http://a/b c", "http://a/b\tc", "http://a/b\nc", " http://a/", "http://a/ ",
	"http://a/\"<>`{}^", "http://a/?\"", "http://a/?'", "http://a/?<>", "http://a/?`{}^", "http://a/#\"", "http://a/#`",
	"http://a/#<>", "http://a/#'{}^", "http://a/?", "http://a/#", "http://a/?#", "http://a/??##",
	"http://a/é", "http://é.com/", "http://a/?é", "http://a/#é", "http://a/\x7f", "http://a/\x00",
	"HTTP://a/", "Http://a/", "https:a/", "http:/a/", "http:///a/", "ws://a/", "file:///a", "ftp://a/",
	"http://a_b/", "http://a*b/", "http://a%41/", "http://[::1]/", "http://[::1]:8080/x",
	"https://example.com/" + strings.Repeat("a", 300), "http://" + strings.Repeat("a", 70) + ".com/",
}

// FuzzURLFastPath: whatever input the fast path takes, the full WHATWG
// parser parses to the same href (the input itself) and the same value of
// every component.
func FuzzURLFastPath(f *testing.F) {
	for _, s := range fastPathSeeds {
		f.Add(s)
	}
	// Every input and every expected href of the WPT URL tests.
	raw, err := os.ReadFile("testdata/url/urltestdata.json")
	if err != nil {
		f.Fatal(err)
	}
	var cases []json.RawMessage
	if err := json.Unmarshal(raw, &cases); err != nil {
		f.Fatal(err)
	}
	for _, c := range cases {
		var tc struct{ Input, Href string }
		if json.Unmarshal(c, &tc) == nil {
			f.Add(tc.Input)
			if tc.Href != "" {
				f.Add(tc.Href)
			}
		}
	}
	f.Fuzz(func(t *testing.T, input string) {
		fu, ok := scanFastURL(input)
		if !ok {
			return
		}
		u, err := parseWHATWG(input, nil)
		if err != nil {
			t.Fatalf("fast path took %q, which the parser refuses: %v", input, err)
		}
		checkFastAgrees(t, input, &fu, u)
	})
}

func checkFastAgrees(t *testing.T, input string, fu *fastURL, u *whatwg.Url) {
	t.Helper()
	for _, c := range []struct{ name, fast, full string }{
		{"href", fu.href, u.Href(false)},
		{"origin", fu.origin(), urlOrigin(u)},
		{"protocol", fu.protocol(), u.Protocol()},
		{"username", "", u.Username()},
		{"password", "", u.Password()},
		{"host", fu.host(), u.Host()},
		{"hostname", fu.hostname(), u.Hostname()},
		{"port", fu.port(), u.Port()},
		{"pathname", fu.pathname(), u.Pathname()},
		{"search", fu.search(), u.Search()},
		{"query", fu.rawQuery(), u.Query()},
		{"hash", fu.hash(), u.Hash()},
	} {
		if c.fast != c.full {
			t.Errorf("%q: fast path %s is %q, parser says %q", input, c.name, c.fast, c.full)
		}
	}
}

// TestURLFastPathTakes: the URLs edgefn's front door builds take the fast
// path (else the gain is silently lost), and a sample of its refusals.
func TestURLFastPathTakes(t *testing.T) {
	for _, s := range []string{
		"http://127.0.0.1/json?name=x", "http://127.0.0.1/", "https://example.com/a/b?x=1&y=2#h",
		"http://localhost:8080/api/v1/users/42", "http://my-app.example.co.uk/%E2%82%AC?q=a+b%20c",
		"http://a/?", "http://a/#", "http://10.0.0.255:65535/x", "http://a/b;c/d,e/(f)!*'~$@:",
	} {
		if _, ok := scanFastURL(s); !ok {
			t.Errorf("%q: not taken by the fast path", s)
		}
	}
	for _, s := range []string{
		"http://example.com", "http://a/./b", "http://127.1/", "http://a:80/", "http://EXAMPLE.com/",
		"http://u@a/", "http://a/b c", "http://xn--nxasmq6b.com/", "ws://a/", "http://a/é",
	} {
		if _, ok := scanFastURL(s); ok {
			t.Errorf("%q: taken by the fast path", s)
		}
	}
}

// referenceURLEncoded is the WHATWG application/x-www-form-urlencoded
// parser written plainly (split on &, then on the first =, decode each
// part), the form parseQuery's allocation-saving loop must agree with.
func referenceURLEncoded(data []byte) []formEntry {
	var out []formEntry
	for _, seq := range bytes.Split(data, []byte("&")) {
		if len(seq) == 0 {
			continue
		}
		name, value := seq, []byte(nil)
		if i := bytes.IndexByte(seq, '='); i >= 0 {
			name, value = seq[:i], seq[i+1:]
		}
		out = append(out, formEntry{name: percentDecodePlus(name), value: percentDecodePlus(value)})
	}
	return out
}

// FuzzParseQuery: the query parser (URLSearchParams, and formData() of a
// urlencoded body) gives the entries of the plainly written parser.
func FuzzParseQuery(f *testing.F) {
	for _, s := range []string{"", "a", "a=b", "&&a=&=b&", "a+b=c%20d&%zz=%4", "é=%C3%A9&x=%FF", "a=b=c&a=d", "\xff=\xfe"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, want := parseQuery(s), referenceURLEncoded([]byte(s))
		if len(got) != len(want) {
			t.Fatalf("%q: %d entries, want %d", s, len(got), len(want))
		}
		for i := range got {
			if got[i].name != want[i].name || got[i].value != want[i].value {
				t.Fatalf("%q: entry %d is %q=%q, want %q=%q", s, i, got[i].name, got[i].value, want[i].name, want[i].value)
			}
		}
	})
}

// FuzzURLFastSetters: a setter a fast URL keeps without the full parser
// (search, hash, pathname, and searchParams writing the query) gives the
// URL the full parser's setter gives, on every component.
func FuzzURLFastSetters(f *testing.F) {
	hrefs := []string{"http://a/", "https://example.com:8443/p/q?x=1#h", "http://127.0.0.1/json?name=x", "http://a/?#"}
	values := []string{"", "?", "#", "/", "//", "?a=b", "a=b", "#frag", "frag", "/x/y", "x", "/a/../b", "/a/./b", "/%2e",
		"/a?b", "/a#b", "?a#b", "a'b", "#a#b", "/a b", "?a b", "#a`b", "/é", "?é", "a\\b", "/a\\b", "/\t", "??", "##"}
	for _, h := range hrefs {
		for _, v := range values {
			f.Add(h, v)
		}
	}
	type setter struct {
		name string
		fast func(*fastURL, string) (fastURL, bool)
		full func(*whatwg.Url, string)
	}
	setters := []setter{
		{"search", (*fastURL).withSearch, (*whatwg.Url).SetSearch},
		{"hash", (*fastURL).withHash, (*whatwg.Url).SetHash},
		{"pathname", (*fastURL).withPathname, (*whatwg.Url).SetPathname},
		{"searchParams", func(f *fastURL, v string) (fastURL, bool) {
			return f.withSearch(serializeURLEncoded(parseQuery(v)))
		}, func(u *whatwg.Url, v string) { u.SetSearch(serializeURLEncoded(parseQuery(v))) }},
	}
	f.Fuzz(func(t *testing.T, href, v string) {
		fu, ok := scanFastURL(href)
		if !ok {
			return
		}
		for _, s := range setters {
			got, ok := s.fast(&fu, v)
			if !ok {
				continue
			}
			u, err := parseWHATWG(href, nil)
			if err != nil {
				t.Fatalf("%q does not parse: %v", href, err)
			}
			s.full(u, v)
			checkFastAgrees(t, "("+href+")."+s.name+" = "+v, &got, u)
		}
	})
}

// TestURLFastSettersKeep: the common writes keep a fast URL fast.
func TestURLFastSettersKeep(t *testing.T) {
	fu, _ := scanFastURL("http://a/p?x=1#h")
	for _, c := range []struct {
		set  func(*fastURL, string) (fastURL, bool)
		v    string
		want string
	}{
		{(*fastURL).withSearch, "?y=2", "http://a/p?y=2#h"},
		{(*fastURL).withSearch, "", "http://a/p#h"},
		{(*fastURL).withHash, "", "http://a/p?x=1"},
		{(*fastURL).withHash, "top", "http://a/p?x=1#top"},
		{(*fastURL).withPathname, "/api/v2", "http://a/api/v2?x=1#h"},
	} {
		got, ok := c.set(&fu, c.v)
		if !ok || got.href != c.want {
			t.Errorf("set %q: got %q (fast %v), want %q", c.v, got.href, ok, c.want)
		}
	}
}

// FuzzURLFastRelative: against a base, a fast input gives the full
// parser's URL (whatever the base), and so does a path-absolute input
// resolved against a fast base.
func FuzzURLFastRelative(f *testing.F) {
	for _, base := range []string{"http://a/", "https://example.com:8443/p/q?x=1#h", "http://127.0.0.1/json?name=x",
		"file:///x", "about:blank", "ws://a/", "non-special://x/y", "https://u:p@a/"} {
		for _, in := range []string{"/", "//", "/\\", "//b/", "/\\b/", "/x?y#z", "/x/../y", "/./", "/%2e", "/a b", " /a", "/a\t",
			"/a\\b", "/?", "/#", "/é", "/a?'", "/a#`", "x", "?x", "#x", "", "http://b/", "https://b:80/c?d#e"} {
			f.Add(in, base)
		}
	}
	f.Fuzz(func(t *testing.T, input, base string) {
		b, err := parseWHATWG(base, nil)
		if err != nil {
			return
		}
		if fu, ok := scanFastURL(input); ok {
			u, err := parseWHATWG(input, b)
			if err != nil {
				t.Fatalf("fast path took %q, which the parser refuses against %q: %v", input, base, err)
			}
			checkFastAgrees(t, input+" against "+base, &fu, u)
		}
		bf, ok := scanFastURL(base)
		if !ok {
			return
		}
		got, ok := resolveFast(input, &bf)
		if !ok {
			return
		}
		u, err := parseWHATWG(input, b)
		if err != nil {
			t.Fatalf("fast path resolved %q against %q, which the parser refuses: %v", input, base, err)
		}
		checkFastAgrees(t, input+" against "+base, &got, u)
	})
}
