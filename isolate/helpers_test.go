package isolate

import (
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// loadSource bundles and loads one JS source for a test.
func loadSource(t testing.TB, src string) *Script {
	t.Helper()
	entry := filepath.Join(t.TempDir(), "index.js")
	if err := os.WriteFile(entry, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	return loadEntry(t, entry)
}

// loadEntry bundles and loads the script whose entry is path.
func loadEntry(t testing.TB, path string) *Script {
	t.Helper()
	b, err := Build(BuildOptions{Entry: path})
	if err != nil {
		t.Fatal(err)
	}
	s, err := Load(b)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// newTestPool starts a pool for src; edit adjusts the config first.
func newTestPool(t testing.TB, src string, edit func(*PoolConfig)) (*Pool, *captureHandler) {
	t.Helper()
	capture := &captureHandler{}
	cfg := DefaultPoolConfig()
	cfg.Script = loadSource(t, src)
	cfg.Logger = slog.New(capture)
	if edit != nil {
		edit(&cfg)
	}
	p, err := NewPool(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(p.Close)
	return p, capture
}

func get(p *Pool, path string) (*Response, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	return p.Do(ctx, &Request{ID: "t-" + path, Method: "GET", URL: "http://test.local" + path})
}

func mustGet(t testing.TB, p *Pool, path string) string {
	t.Helper()
	r, err := get(p, path)
	if err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
	if r.Status != 200 {
		t.Fatalf("GET %s: status %d: %s", path, r.Status, r.Body)
	}
	return string(r.Body)
}
