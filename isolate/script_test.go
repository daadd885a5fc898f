package isolate

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestBuildProject(t *testing.T) {
	b, err := Build(BuildOptions{Entry: "testdata/project", NodeEnv: "development"})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.Code, "(esm)") || strings.Contains(b.Code, "(cjs)") {
		t.Fatal("the package's ESM entry (module field) should be bundled, not its CJS main")
	}
	want := []string{"index.ts", "data.json", "fail.ts", "esm.js"}
	for _, w := range want {
		found := false
		for _, in := range b.Inputs {
			if filepath.Base(in) == w && filepath.IsAbs(in) {
				found = true
			}
		}
		if !found {
			t.Errorf("inputs %v lack %s", b.Inputs, w)
		}
	}
	s, err := Load(b)
	if err != nil {
		t.Fatal(err)
	}
	if s.Shape() != ShapeModule {
		t.Fatalf("shape = %v", s.Shape())
	}
	p := poolFor(t, s)
	var got struct{ Greeting, Env string }
	if err := json.Unmarshal([]byte(mustGet(t, p, "/")), &got); err != nil {
		t.Fatal(err)
	}
	if got.Greeting != "hello, edge (esm)" || got.Env != "development" {
		t.Fatalf("got %+v", got)
	}
}

func TestSourceMappedStack(t *testing.T) {
	b, err := Build(BuildOptions{Entry: "testdata/project"})
	if err != nil {
		t.Fatal(err)
	}
	s, err := Load(b)
	if err != nil {
		t.Fatal(err)
	}
	p := poolFor(t, s)
	_, err = get(p, "/fail")
	var se *ScriptError
	if !errors.As(err, &se) {
		t.Fatalf("err = %v, want a ScriptError", err)
	}
	if se.Name != "TypeError" || se.Message != "failing on purpose" {
		t.Fatalf("error = %s: %s", se.Name, se.Message)
	}
	// lib/fail.ts line 3 throws; index.ts line 10 calls it.
	if !strings.Contains(se.Stack, "lib/fail.ts:3") || !strings.Contains(se.Stack, "index.ts:10") {
		t.Fatalf("stack does not name the user's sources:\n%s", se.Stack)
	}
}

func TestBuildErrors(t *testing.T) {
	dir := t.TempDir()
	write := func(name, src string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	syntax := write("syntax.ts", "export default {\n  fetch() { return new Response(\"x\" }\n};\n")
	_, err := Build(BuildOptions{Entry: syntax})
	var be *BuildError
	if !errors.As(err, &be) || len(be.Messages) == 0 {
		t.Fatalf("err = %v, want a BuildError", err)
	}
	m := be.Messages[0]
	if m.File != syntax || m.Line != 2 || m.Column == 0 {
		t.Fatalf("message %+v does not locate the error at %s:2", m, syntax)
	}
	if !strings.Contains(err.Error(), syntax+":2:") {
		t.Fatalf("error text lacks file:line:col: %v", err)
	}

	missing := write("missing.js", "import x from 'no-such-package';\nexport default { fetch() { return new Response(x) } };\n")
	_, err = Build(BuildOptions{Entry: missing})
	if err == nil || !strings.Contains(err.Error(), "no-such-package") || !strings.Contains(err.Error(), "node_modules") {
		t.Fatalf("err = %v", err)
	}
	nodeFS := write("fs.js", "import fs from 'node:fs';\nexport default { fetch() { return new Response(fs) } };\n")
	_, err = Build(BuildOptions{Entry: nodeFS})
	if err == nil || !strings.Contains(err.Error(), "Node.js built-in modules are not available") {
		t.Fatalf("err = %v", err)
	}

	for _, entry := range []string{filepath.Join(dir, "nope.js"), dir, write("x.txt", "hi")} {
		if _, err := Build(BuildOptions{Entry: entry}); !errors.Is(err, ErrNoEntry) {
			t.Fatalf("Build(%s) = %v, want ErrNoEntry", entry, err)
		}
	}
}

func TestLoadErrors(t *testing.T) {
	cases := []struct {
		name, src string
		check     func(error) bool
		text      string
	}{
		{"no handler", "export const x = 1;", func(err error) bool { return errors.Is(err, ErrNoHandler) }, "export default { fetch"},
		{"empty", "", func(err error) bool { return errors.Is(err, ErrNoHandler) }, "addEventListener('fetch'"},
		{"throws", "throw new Error('boom at init');\nexport default { fetch() {} };", func(err error) bool {
			var se *ScriptError
			return errors.As(err, &se) && se.Message == "boom at init"
		}, "boom at init"},
		{"timer at global scope", "setTimeout(() => {}, 1);\nexport default { fetch() {} };", func(err error) bool { return err != nil }, "global scope"},
		{"loop at global scope", "for(;;){}\nexport default { fetch() {} };", func(err error) bool { return errors.Is(err, ErrCPUTime) }, "CPU"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			entry := filepath.Join(dir, "index.js")
			if err := os.WriteFile(entry, []byte(tc.src), 0o644); err != nil {
				t.Fatal(err)
			}
			b, err := Build(BuildOptions{Entry: entry})
			if err != nil {
				t.Fatal(err)
			}
			_, err = Load(b)
			if err == nil || !tc.check(err) || !strings.Contains(err.Error(), tc.text) {
				t.Fatalf("Load = %v; want an error mentioning %q", err, tc.text)
			}
		})
	}
}

func TestGojaSyntaxErrorIsPositioned(t *testing.T) {
	// Valid for esbuild, refused by goja: a CompileError with a position.
	_, err := LoadSource("raw.js", "let x = 1;\nlet y = ;\n", nil)
	var ce *CompileError
	if !errors.As(err, &ce) || ce.Line != 2 {
		t.Fatalf("err = %v, want a CompileError at line 2", err)
	}
}

func TestAccessorNamedFields(t *testing.T) {
	// goja mis-parses class fields named get/set (Hono has them).
	src := `
class Ctx {
  get = (k) => this.#vars.get(k);
  set = (k, v) => { this.#vars.set(k, v); };
  static get = 1;
  #vars = new Map();
  get size() { return this.#vars.size; }
}
export default { fetch() {
  const c = new Ctx();
  c.set("a", 1);
  return new Response(String(c.get("a")) + "/" + c.size + "/" + Ctx.get);
} };`
	p, _ := newTestPool(t, src, nil)
	if got := mustGet(t, p, "/"); got != "1/1/1" {
		t.Fatalf("got %q", got)
	}
}

func poolFor(t *testing.T, s *Script) *Pool {
	cfg := DefaultPoolConfig()
	cfg.Script = s
	p, err := NewPool(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(p.Close)
	return p
}
