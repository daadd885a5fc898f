package isolate

import (
	"context"
	"os"
	"strings"
	"testing"
	"time"
)

// urlHarness runs WPT's url-constructor and url-setters cases.
const urlHarness = `
const props = ["href", "origin", "protocol", "username", "password", "host", "hostname", "port", "pathname", "search", "hash"];
let passed = 0, total = 0;
const fail = (id, why) => console.log("FAIL " + id + ": " + why);
parse.forEach((c, i) => {
  if (typeof c === "string") return;
  total++;
  const id = "parse " + i + " " + JSON.stringify(c.input) + (c.base ? " base " + JSON.stringify(c.base) : "");
  const base = c.base === null ? undefined : c.base;
  let u;
  try { u = new URL(c.input, base); } catch (e) {
    if (c.failure && e instanceof TypeError && !URL.canParse(c.input, base) && URL.parse(c.input, base) === null) passed++;
    else fail(id, "threw " + e);
    return;
  }
  if (c.failure) return fail(id, "parsed to " + u.href + ", want failure");
  for (const p of props) {
    if (p === "origin" && !("origin" in c)) continue;
    if (u[p] !== c[p]) return fail(id, p + " is " + JSON.stringify(u[p]) + ", want " + JSON.stringify(c[p]));
  }
  if ("searchParams" in c && u.searchParams.toString() !== c.searchParams) return fail(id, "searchParams is " + u.searchParams);
  if (!URL.canParse(c.input, base)) return fail(id, "canParse is false");
  passed++;
});
for (const attr in setters) {
  if (attr === "comment") continue;
  setters[attr].forEach((c, i) => {
    total++;
    const id = "set " + attr + " " + i + " " + JSON.stringify(c.href) + " = " + JSON.stringify(c.new_value);
    const u = new URL(c.href);
    u[attr] = c.new_value;
    for (const p in c.expected) {
      if (u[p] !== c.expected[p]) return fail(id, p + " is " + JSON.stringify(u[p]) + ", want " + JSON.stringify(c.expected[p]));
    }
    passed++;
  });
}
console.log("passed " + passed + " of " + total);
`

func TestURLWPT(t *testing.T) {
	parse, err := os.ReadFile("testdata/url/urltestdata.json")
	if err != nil {
		t.Fatal(err)
	}
	setters, err := os.ReadFile("testdata/url/setters_tests.json")
	if err != nil {
		t.Fatal(err)
	}
	out := runSnippet(t, "const parse = "+string(parse)+";\nconst setters = "+string(setters)+";\n"+urlHarness)
	for _, line := range strings.Split(out, "\n") {
		if !strings.HasPrefix(line, "FAIL ") {
			continue
		}
		t.Error(line)
	}
	if !strings.Contains(out, "passed ") {
		t.Fatalf("the harness did not finish:\n%s", out)
	}
	t.Log(out[strings.LastIndex(out, "passed "):])
}

// TestIncomingRequestURLSerialized: an incoming request's url, as the
// front door builds it from what the client sent, reads in its serialized
// form, as in Workers and Deno; one already in that form is unchanged, and
// a Request made from it or a fetch of it carries the same href.
func TestIncomingRequestURLSerialized(t *testing.T) {
	p, _ := newTestPool(t, `export default { fetch(req) {
  const u = new URL(req.url);
  return new Response([req.url, u.href === req.url, new Request(req).url].join(" "));
} };`, nil)
	for _, tc := range []struct{ in, want string }{
		{"http://Example.COM/a/../b?q=1", "http://example.com/b?q=1"},
		{"http://example.com/./x/%7e/ä", "http://example.com/x/%7e/%C3%A4"},
		{"http://example.com:80/p", "http://example.com/p"},
		{"https://example.com/already/fine?x=y#", "https://example.com/already/fine?x=y#"},
	} {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		r, err := p.Do(ctx, &Request{ID: "t", Method: "GET", URL: tc.in})
		cancel()
		if err != nil {
			t.Fatal(err)
		}
		if want := tc.want + " true " + tc.want; string(r.Body) != want {
			t.Errorf("%s: got %q, want %q", tc.in, r.Body, want)
		}
	}
}
