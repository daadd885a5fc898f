package isolate

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestParseMultipart(t *testing.T) {
	part := func(disp, ctype, body string) string {
		s := "--B\r\nContent-Disposition: " + disp + "\r\n"
		if ctype != "" {
			s += "Content-Type: " + ctype + "\r\n"
		}
		return s + "\r\n" + body + "\r\n"
	}
	cases := []struct {
		name, body string
		want       []formEntry
		err        string
	}{
		{"text and file", part(`form-data; name="a"`, "", "1") + part(`form-data; name="f"; filename="dir/x.txt"`, "text/csv", "a,b") + "--B--\r\n",
			[]formEntry{{name: "a", value: "1"}, {name: "f", isFile: true, filename: "dir/x.txt", typ: "text/csv", data: []byte("a,b")}}, ""},
		{"file without type", part(`form-data; name="f"; filename=""`, "", "") + "--B--\r\n",
			[]formEntry{{name: "f", isFile: true, filename: "", typ: "text/plain", data: []byte{}}}, ""},
		{"preamble and epilogue", "ignored\r\n" + part(`form-data; name="a"`, "", "x") + "--B--\r\nafter", []formEntry{{name: "a", value: "x"}}, ""},
		{"invalid utf-8 text", part(`form-data; name="a"`, "", "\xff") + "--B--\r\n", []formEntry{{name: "a", value: "\uFFFD"}}, ""},
		{"empty form", "--B--\r\n", nil, ""},
		{"no end", part(`form-data; name="a"`, "", "1"), nil, "unexpected EOF"},
		{"no disposition", "--B\r\nContent-Type: text/plain\r\n\r\nx\r\n--B--\r\n", nil, "Content-Disposition"},
		{"attachment", part(`attachment; name="a"`, "", "x") + "--B--\r\n", nil, "Content-Disposition"},
		{"no name", part(`form-data; filename="a"`, "", "x") + "--B--\r\n", nil, "no name"},
		{"huge header", "--B\r\nContent-Disposition: form-data; name=\"a\"\r\nX-Pad: " + strings.Repeat("p", 20<<10) + "\r\n\r\nx\r\n--B--\r\n", nil, "headers are"},
		{"too many parts", strings.Repeat(part(`form-data; name="a"`, "", ""), maxFormParts+1) + "--B--\r\n", nil, "more than 10000 parts"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := parseMultipart([]byte(tc.body), "B")
			if tc.err != "" {
				if err == nil || !errors.Is(err, errBadForm) || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("err %v, want errBadForm mentioning %q", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if fmt.Sprint(got) != fmt.Sprint(tc.want) {
				t.Fatalf("got %+v\nwant %+v", got, tc.want)
			}
		})
	}
}

func TestMultipartRoundTrip(t *testing.T) {
	entries := []formEntry{
		{name: "plain", value: "hello"},
		{name: "multi\nline", value: "a\rb\nc\r\nd"},
		{name: `quo"te`, value: "--B not a boundary"},
		{name: "file", isFile: true, filename: "a\"b.bin", typ: "application/octet-stream", data: []byte("\x00\x01\r\n--\r\n")},
		{name: "", value: ""},
	}
	boundary := newBoundary()
	got, err := parseMultipart(encodeMultipart(entries, boundary), boundary)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"plain=hello", "multi%0D%0Aline=a\r\nb\r\nc\r\nd", "quo%22te=--B not a boundary", "file=a%22b.bin:application/octet-stream:\x00\x01\r\n--\r\n", "="}
	if len(got) != len(want) {
		t.Fatalf("got %d entries, want %d", len(got), len(want))
	}
	for i, e := range got {
		s := e.name + "=" + e.value
		if e.isFile {
			s = e.name + "=" + e.filename + ":" + e.typ + ":" + string(e.data)
		}
		if s != want[i] {
			t.Errorf("entry %d: got %q, want %q", i, s, want[i])
		}
	}
}

func TestParseURLEncoded(t *testing.T) {
	got := parseURLEncoded([]byte("a=1&b=%E2%82%AC&c=%zz&&d&e=x+y&%FF=%"))
	want := "[{a 1 false   []} {b € false   []} {c %zz false   []} {d  false   []} {e x y false   []} {\uFFFD % false   []}]"
	if fmt.Sprint(got) != want {
		t.Fatalf("got %v", got)
	}
}

// FuzzParseMultipart: hostile bodies never panic, parsed values are valid
// UTF-8, entries stay within the limits, and what parses re-encodes to
// something that parses to the same entries.
func FuzzParseMultipart(f *testing.F) {
	f.Add([]byte("--B\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\n1\r\n--B--\r\n"), "B")
	f.Add([]byte("--B\r\nContent-Disposition: form-data; name=\"f\"; filename=\"x\"\r\nContent-Type: a/b\r\n\r\n\x00\r\n--B--\r\n"), "B")
	f.Fuzz(func(t *testing.T, data []byte, boundary string) {
		entries, err := parseMultipart(data, boundary)
		if err != nil {
			if !errors.Is(err, errBadForm) {
				t.Fatalf("error %v is not errBadForm", err)
			}
			return
		}
		if len(entries) > maxFormParts {
			t.Fatalf("%d entries", len(entries))
		}
		for _, e := range entries {
			if !e.isFile && !utf8.ValidString(e.value) {
				t.Fatalf("value %q is not UTF-8", e.value)
			}
			if e.isFile && !bytes.Contains(data, e.data) {
				t.Fatalf("file data %q is not from the body", e.data)
			}
		}
		b := newBoundary()
		again, err := parseMultipart(encodeMultipart(entries, b), b)
		if err != nil {
			t.Fatalf("re-encoded form does not parse: %v", err)
		}
		if len(again) != len(entries) {
			t.Fatalf("re-encoded form has %d entries, want %d", len(again), len(entries))
		}
	})
}
