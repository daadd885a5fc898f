package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func writeConfig(t *testing.T, src string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "edgefn.toml")
	if err := os.WriteFile(p, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestFrontDoorConfig: the front door's limits load from [http] and
// [limits], keep their defaults when absent, and bad values are refused
// naming the key.
func TestFrontDoorConfig(t *testing.T) {
	c, err := loadNodeConfig(writeConfig(t, `
[http]
max_conns_per_ip = 0
max_header_bytes = 32768
max_headers = 50
max_uri_bytes = 4096
read_timeout = "5s"
idle_timeout = "1m"
half_close = true
[limits]
response_mb = 64
overrun_share = 0.1
overrun_burst_ms = 500
`))
	if err != nil {
		t.Fatal(err)
	}
	if err := c.validate(); err != nil {
		t.Fatal(err)
	}
	h := c.HTTP
	if h.MaxConnsPerIP != 0 || h.MaxHeaderBytes != 32768 || h.MaxHeaders != 50 || h.MaxURIBytes != 4096 ||
		h.ReadTimeout != 5*time.Second || h.IdleTimeout != time.Minute || h.WriteTimeout != 60*time.Second || c.Limits.ResponseMB != 64 ||
		c.Limits.OverrunShare != 0.1 || c.Limits.OverrunBurstMs != 500 || !h.HalfClose || !edgeConfig(c).HalfClose {
		t.Fatalf("loaded %+v %+v", h, c.Limits)
	}
	if d := defaultNodeConfig(); d.HTTP.MaxConnsPerIP != 1024 || d.HTTP.MaxHeaderBytes != 16<<10 || d.HTTP.MaxHeaders != 100 ||
		d.Limits.OverrunShare != 0.05 || d.Limits.OverrunBurstMs != 250 {
		t.Fatalf("defaults %+v", d.HTTP)
	}
	bad := map[string]string{
		"[http]\nread_timeout = 5\n":              "http.read_timeout",
		"[http]\nread_timeout = \"soon\"\n":       "invalid duration",
		"[http]\nmax_header_bytes = 10\n":         "http.max_header_bytes",
		"[http]\nmax_headers = 0\n":               "http.max_headers",
		"[http]\nmax_uri_bytes = 20000\n":         "http.max_uri_bytes",
		"[http]\nmax_conns_per_ip = -1\n":         "http.max_conns_per_ip",
		"[limits]\nresponse_mb = -3\n":            "limits.response_mb",
		"[http]\nmax_header_byte = 4096\n":        `unknown key "http.max_header_byte"`,
		"[http]\nmax_headers = \"many\"\n":        "edgefn.toml:2",
		"[http]\nmax_conns = 0\n":                 "http.max_conns",
		"[http]\nwrite_timeout = \"-1s\"\n":       "write_timeout",
		"[http]\nidle_timeout = \"1ns\"\n":        "idle_timeout",
		"[limits]\nresponse_mb = 100000\n":        "limits.response_mb",
		"[http]\nmax_uri_bytes = 0\n":             "http.max_uri_bytes",
		"[http]\nmax_header_bytes = 2000000\n":    "http.max_header_bytes",
		"[http]\nmax_headers = 10001\n":           "http.max_headers",
		"[http]\nread_timeout = \"99ms\"\n":       "read_timeout",
		"[http]\nmax_conns_per_ip = 1.5\n":        "edgefn.toml",
		"[http]\nread_timeout = [\"5s\"]\n":       "edgefn.toml",
		"[http]\nmax_body_mb = 0\n":               "http.max_body_mb",
		"[limits]\nresponse_mb = \"lots\"\n":      "edgefn.toml:2",
		"http = 3\n":                              "edgefn.toml",
		"[http]\nread_timeout = \"5s\"\n[http]\n": "edgefn.toml:3",
	}
	for src, want := range bad {
		c, err := loadNodeConfig(writeConfig(t, src))
		if err == nil {
			err = c.validate()
		}
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: got %v, want an error mentioning %q", src, err, want)
		}
	}
}

// node.memory_limit takes sizes as GOMEMLIMIT does, "off", or nothing (the
// default); EDGEFN_MEMORY_LIMIT overrides the file.
func TestMemoryLimitConfig(t *testing.T) {
	for in, want := range map[string]int64{"": 0, "off": -1, "128MiB": 128 << 20, "1GiB": 1 << 30, "33554432": 32 << 20, "40000KiB": 40000 << 10} {
		got, err := parseMemoryLimit(in)
		if err != nil || got != want {
			t.Errorf("%q: %d %v, want %d", in, got, err, want)
		}
	}
	for in, want := range map[string]string{"lots": "not a size", "128MB": `unit "MB"`, "-5MiB": "not a size", "1MiB": "below the minimum",
		"9999999TiB": "not a size", "MiB": "not a size"} {
		if _, err := parseMemoryLimit(in); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: %v, want an error mentioning %q", in, err, want)
		}
	}
	c, err := loadNodeConfig(writeConfig(t, "[node]\nmemory_limit = \"256MiB\"\n"))
	if err != nil || c.Node.MemoryLimit != "256MiB" {
		t.Fatalf("%+v %v", c.Node, err)
	}
	if err := c.applyEnv(func(k string) string { return map[string]string{"EDGEFN_MEMORY_LIMIT": "off"}[k] }); err != nil || c.Node.MemoryLimit != "off" {
		t.Fatalf("env: %q %v", c.Node.MemoryLimit, err)
	}
	c.Node.MemoryLimit = "12"
	if err := c.validate(); err == nil || !strings.Contains(err.Error(), "node.memory_limit") {
		t.Fatalf("validate: %v", err)
	}
}
