package isolate

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// update rewrites golden files (snippet .out files, surface.golden).
var update = flag.Bool("update", false, "rewrite golden files instead of comparing")

// captureHandler collects console output and script errors as lines.
type captureHandler struct {
	mu       sync.Mutex
	lines    []string
	onRecord func(msg string, attrs map[string]string)
}

func (h *captureHandler) Enabled(context.Context, slog.Level) bool { return true }
func (h *captureHandler) WithAttrs([]slog.Attr) slog.Handler       { return h }
func (h *captureHandler) WithGroup(string) slog.Handler            { return h }
func (h *captureHandler) Handle(_ context.Context, r slog.Record) error {
	line := r.Message
	console := false
	attrs := map[string]string{}
	r.Attrs(func(a slog.Attr) bool {
		attrs[a.Key] = a.Value.String()
		if a.Key == "source" && a.Value.String() == "console" {
			console = true
		}
		if a.Key == "error" {
			line += ": " + a.Value.String()
		}
		return true
	})
	if !console {
		line = "[" + r.Level.String() + "] " + line
	}
	h.mu.Lock()
	h.lines = append(h.lines, line)
	cb := h.onRecord
	h.mu.Unlock()
	if cb != nil {
		cb(r.Message, attrs)
	}
	return nil
}

func (h *captureHandler) output() string {
	h.mu.Lock()
	defer h.mu.Unlock()
	return strings.Join(h.lines, "\n")
}

// runSnippet runs src as the body of an async module handler and returns
// what it printed (console lines, then "Uncaught ..." if it threw).
func runSnippet(t testing.TB, src string) string {
	t.Helper()
	dir := t.TempDir()
	code := "export default { async fetch(request, env, ctx) {\n" + src + "\nreturn new Response('done'); } };\n"
	entry := filepath.Join(dir, "snippet.js")
	if err := os.WriteFile(entry, []byte(code), 0o644); err != nil {
		t.Fatal(err)
	}
	b, err := Build(BuildOptions{Entry: entry})
	if err != nil {
		return "Build error: " + err.Error()
	}
	s, err := Load(b)
	if err != nil {
		return "Load error: " + err.Error()
	}
	capture := &captureHandler{}
	cfg := DefaultPoolConfig()
	cfg.Script = s
	cfg.MinIdle = 0
	cfg.Logger = slog.New(capture)
	// Snippets test behaviour, not limits (limits_test.go does): under the
	// race detector JS and Go crypto run ten times slower, and a snippet
	// doing dozens of operations would exceed the default 50ms.
	cfg.Limits.CPUTime = 5 * time.Second
	p, err := NewPool(cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	_, err = p.Do(context.Background(), &Request{ID: "snippet", Method: "GET", URL: "http://snippet.test/"})
	out := capture.output()
	if err != nil {
		if out != "" {
			out += "\n"
		}
		out += err.Error()
	}
	return out
}

// TestSnippets runs every testdata/snippets/<global>/<case>.js and compares
// its output with <case>.out. Run with -update to rewrite the .out files
// (then review the diff).
func TestSnippets(t *testing.T) {
	files, err := filepath.Glob("testdata/snippets/*/*.js")
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Fatal("no snippets found")
	}
	for _, f := range files {
		name := strings.TrimSuffix(strings.TrimPrefix(f, "testdata/snippets/"), ".js")
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			src, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			got := strings.TrimRight(runSnippet(t, string(src)), "\n") + "\n"
			checkGolden(t, strings.TrimSuffix(f, ".js")+".out", got, "TestSnippets")
		})
	}
}

// checkGolden compares got with the golden file, or rewrites the file
// under -update; test names the test to rerun with -update.
func checkGolden(t *testing.T, golden, got, test string) {
	t.Helper()
	if *update {
		if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run `go test ./isolate -run %s -update` to create it)", err, test)
	}
	if got != string(want) {
		t.Errorf("output differs from %s; if intended, run `go test ./isolate -run %s -update` and review the diff\n--- got\n%s--- want\n%s", golden, test, got, want)
	}
}

// TestSurface lists every global edgefn defines with its own and prototype
// members, and compares the list with testdata/surface.golden.
func TestSurface(t *testing.T) {
	src := `
const names = ` + fmt.Sprintf("%q", GlobalNames()) + `.split(" ");
for (const name of names) {
  const g = globalThis[name];
  if (g === undefined) { console.log(name + ": MISSING"); continue; }
  const own = (o) => Object.getOwnPropertyNames(o).filter((k) => !["length", "name", "prototype", "arguments", "caller"].includes(k)).sort();
  let line = name + ": " + typeof g;
  if (typeof g === "function" || (typeof g === "object" && g !== null)) {
    const statics = own(g);
    if (statics.length) line += " static[" + statics.join(",") + "]";
    if (typeof g === "function" && g.prototype) {
      const proto = own(g.prototype).filter((k) => k !== "constructor");
      const syms = Object.getOwnPropertySymbols(g.prototype).map((s) => s.description);
      line += " proto[" + proto.concat(syms.map((s) => "@" + s)).join(",") + "]";
    }
  }
  console.log(line);
}
`
	src = strings.Replace(src, fmt.Sprintf("%q", GlobalNames()), "`"+strings.Join(GlobalNames(), " ")+"`", 1)
	checkGolden(t, "testdata/surface.golden", runSnippet(t, src)+"\n", "TestSurface")
}
