package isolate

import (
	"log/slog"
	"testing"

	"github.com/dop251/goja"
)

// urlProbeSrc parses an input as scripts do (new URL(input, base), and
// URLSearchParams) and reports what came out.
const urlProbeSrc = `var __edgefn_module = { default: { fetch() { return new Response(""); } } };
globalThis.probe = (input, base) => {
  let u;
  try { u = base === "" ? new URL(input) : new URL(input, base); }
  catch (e) { return ["threw", e.name]; }
  const again = new URL(u.href);
  const sp = new URLSearchParams(input);
  const sp2 = new URLSearchParams(sp.toString());
  return ["ok", u.href, again.href, u.host, u.pathname + u.search + u.hash, sp.toString(), sp2.toString()];
};`

// FuzzURL: the URL binding (URL and URLSearchParams, Go code under the
// script) on any input and base. It never panics the Go side; it throws
// only TypeError; what it parses serializes to an href that parses back to
// itself, and search params survive a round trip through their string.
func FuzzURL(f *testing.F) {
	f.Add("https://user:pass@example.com:8080/a/../b?q=1&r=%20#frag", "")
	f.Add("/relative/path?x=1", "https://example.com/base/")
	s, err := LoadSource("probe.js", urlProbeSrc, nil)
	if err != nil {
		f.Fatal(err)
	}
	in, err := newInstance(s, nil, &PoolConfig{Limits: DefaultLimits()}, slog.New(slog.DiscardHandler))
	if err != nil {
		f.Fatal(err)
	}
	defer in.stopTimers()
	probe, _ := goja.AssertFunction(in.vm.Get("probe"))
	f.Fuzz(func(t *testing.T, input, base string) {
		v, err := probe(goja.Undefined(), in.vm.ToValue(input), in.vm.ToValue(base))
		if err != nil {
			t.Fatalf("new URL(%q, %q) escaped as %v", input, base, err)
		}
		var out []string
		if err := in.vm.ExportTo(v, &out); err != nil {
			t.Fatal(err)
		}
		switch {
		case out[0] == "threw":
			if out[1] != "TypeError" {
				t.Fatalf("new URL(%q, %q) threw %s, want TypeError", input, base, out[1])
			}
		case out[1] != out[2]:
			t.Fatalf("new URL(%q, %q).href = %q, which parses to %q", input, base, out[1], out[2])
		case out[5] != out[6]:
			t.Fatalf("URLSearchParams(%q) = %q, which parses to %q", input, out[5], out[6])
		}
	})
}
