package edge

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// serveAdmin serves the admin API of p on a loopback port, logging JSON;
// it answers admin.example besides addresses and localhost.
func serveAdmin(t *testing.T, p *Platform) (*Client, *logBuffer) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	logs := &logBuffer{}
	a, err := NewAdmin(AdminConfig{Listener: ln, TokenHashes: []string{HashToken(testToken)},
		Logger: slog.New(slog.NewJSONHandler(logs, nil)), AllowedHosts: []string{"admin.example"}}, p)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- a.Serve(ctx) }()
	t.Cleanup(func() { cancel(); <-done })
	return &Client{Server: "http://" + ln.Addr().String(), Token: testToken}, logs
}

// adminRoutes lists every route the admin API registers, read from the
// package's source so a route added later is covered without editing the
// test.
func adminRoutes(t *testing.T) [][2]string {
	t.Helper()
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	re := regexp.MustCompile(`\.Handle(?:Func)?\("([A-Z]+) (/[^"]*)"`)
	var routes [][2]string
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range re.FindAllStringSubmatch(string(src), -1) {
			path := regexp.MustCompile(`\{[^}]+\}`).ReplaceAllString(m[2], "x")
			routes = append(routes, [2]string{m[1], path})
		}
	}
	t.Logf("%d routes in the source", len(routes))
	if len(routes) < 20 {
		t.Fatalf("found only %d routes in the source: the pattern no longer matches how routes are registered", len(routes))
	}
	return routes
}

func adminDo(t *testing.T, method, url, token string, edit func(*http.Request)) (*http.Response, string) {
	t.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader("{}"))
	if err != nil {
		t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if edit != nil {
		edit(req)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(res.Body)
	res.Body.Close()
	return res, string(b)
}

// TestAdminEveryRouteNeedsToken: every route of the admin API, and any path
// that is not one, answers 401 without a valid token, except the health
// checks and the dashboard's static page, which hold no data.
func TestAdminEveryRouteNeedsToken(t *testing.T) {
	c, _, _, logs := testAdmin(t)
	public := map[string]bool{"GET /": true, "GET /ui/": true}
	for _, rt := range append(adminRoutes(t), [2]string{"GET", "/v1/no-such-route"}, [2]string{"POST", "/v2/x"}, [2]string{"GET", "/debug/pprof/"}) {
		if public[rt[0]+" "+rt[1]] {
			continue
		}
		for _, tok := range []string{"", "wrong-token"} {
			res, body := adminDo(t, rt[0], c.Server+rt[1], tok, nil)
			if res.StatusCode != 401 || res.Header.Get("WWW-Authenticate") == "" || !strings.Contains(body, `"unauthorized"`) {
				t.Errorf("%s %s with token %q: %d %s", rt[0], rt[1], tok, res.StatusCode, body)
			}
		}
		// Reset the failed-login limiter between routes (it would block
		// this address after ten).
		c2, _, _, _ := testAdmin(t)
		c = c2
	}
	for _, p := range []string{"/healthz", "/readyz", "/", "/ui/app.js"} {
		if res, body := adminDo(t, "GET", c.Server+p, "", nil); res.StatusCode != 200 {
			t.Errorf("public %s: %d %s", p, res.StatusCode, body)
		}
	}
	if strings.Contains(logs.String(), "wrong-token") {
		t.Error("a refused token was logged")
	}
}

// TestAdminFailedLoginsLimited: failed attempts are logged and, past ten a
// minute, refused with 429 even with a good token; X-Forwarded-For does not
// change the address they are counted against, and an IPv6 /64 counts as
// one address.
func TestAdminFailedLoginsLimited(t *testing.T) {
	c, _, _, logs := testAdmin(t)
	for i := 0; i < 10; i++ {
		res, _ := adminDo(t, "GET", c.Server+"/v1/deployments", "guess", func(r *http.Request) {
			r.Header.Set("X-Forwarded-For", "203.0.113."+string(rune('0'+i)))
		})
		if res.StatusCode != 401 {
			t.Fatalf("attempt %d: %d", i, res.StatusCode)
		}
	}
	if res, _ := adminDo(t, "GET", c.Server+"/v1/deployments", testToken, nil); res.StatusCode != 429 || res.Header.Get("Retry-After") == "" {
		t.Fatalf("after ten failures the good token got %d", res.StatusCode)
	}
	if n := strings.Count(logs.String(), "admin call refused: bad or missing token"); n != 10 {
		t.Fatalf("%d failed attempts logged, want 10", n)
	}
	if limiterKey("2001:db8:1:2::1") != limiterKey("2001:db8:1:2:ffff::9") || limiterKey("2001:db8:1:2::1") == limiterKey("2001:db8:1:3::1") {
		t.Fatal("IPv6 addresses are not counted by /64")
	}
	if limiterKey("192.0.2.1") == limiterKey("192.0.2.2") {
		t.Fatal("IPv4 addresses are counted together")
	}
}

// TestAdminBrowserGuard: a request naming a host other than this node's
// (DNS rebinding) or coming cross-site is refused with 403 before the token
// is even looked at; same-origin calls and non-browser clients pass.
func TestAdminBrowserGuard(t *testing.T) {
	c, _, _, logs := testAdmin(t)
	base := c.Server
	cases := []struct {
		name   string
		edit   func(*http.Request)
		status int
	}{
		{"by IP", nil, 200},
		{"localhost", func(r *http.Request) { r.Host = "localhost:9080" }, 200},
		{"allowed name", func(r *http.Request) { r.Host = "admin.example:9080" }, 200},
		{"rebound name", func(r *http.Request) { r.Host = "attacker.example:9080" }, 403},
		{"rebound name, no port", func(r *http.Request) { r.Host = "attacker.example" }, 403},
		{"same origin", func(r *http.Request) { r.Header.Set("Origin", base) }, 200},
		{"cross origin", func(r *http.Request) { r.Header.Set("Origin", "http://attacker.example") }, 403},
		{"null origin", func(r *http.Request) { r.Header.Set("Origin", "null") }, 403},
		{"cross site", func(r *http.Request) { r.Header.Set("Sec-Fetch-Site", "cross-site") }, 403},
		{"same site fetch", func(r *http.Request) { r.Header.Set("Sec-Fetch-Site", "same-origin") }, 200},
	}
	for _, tc := range cases {
		res, body := adminDo(t, "GET", base+"/v1/deployments", testToken, tc.edit)
		if res.StatusCode != tc.status {
			t.Errorf("%s: %d %s, want %d", tc.name, res.StatusCode, body, tc.status)
		}
	}
	// The health checks answer whatever the Host (load balancers).
	if res, _ := adminDo(t, "GET", base+"/healthz", "", func(r *http.Request) { r.Host = "attacker.example" }); res.StatusCode != 200 {
		t.Errorf("healthz with another Host: %d", res.StatusCode)
	}
	if !strings.Contains(logs.String(), "host \\\"attacker.example:9080\\\" is not allowed") {
		t.Errorf("the refusal was not logged:\n%s", logs.String())
	}
}

// TestAdminAuditLog: deploys, rollbacks, splits, deletes, secret changes and
// KV writes each leave an audit line naming the event, the token's id and
// the client address; neither the token nor a secret's value appears.
func TestAdminAuditLog(t *testing.T) {
	n, _ := testNode(t, func(c *Config) { c.BaseDomain = "edge.test" })
	p := NewPlatform(n, testKV(t))
	c, logs := serveAdmin(t, p)
	ctx := context.Background()
	if err := p.SetSecretsKey([]byte(strings.Repeat("k", 32))); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 2; i++ {
		if _, err := c.Deploy(ctx, "app", archiveOf(t, testArtifact("app", "v")), true); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := c.Rollback(ctx, "app", 1); err != nil {
		t.Fatal(err)
	}
	split, _ := ParseSplit([]string{"v1=50", "v2=50"})
	if err := c.Split(ctx, "app", split); err != nil {
		t.Fatal(err)
	}
	const value = "audit-secret-value-1234"
	for _, rq := range []struct{ method, path, body string }{
		{"PUT", "/v1/deployments/app/secrets/TOKEN", value},
		{"DELETE", "/v1/deployments/app/secrets/TOKEN", ""},
		{"PUT", "/v1/kv/data/greeting", "hello"},
		{"DELETE", "/v1/kv/data/greeting", ""},
	} {
		if res, body := adminDo(t, rq.method, c.Server+rq.path, testToken, func(r *http.Request) {
			r.Body = io.NopCloser(strings.NewReader(rq.body))
			r.ContentLength = int64(len(rq.body))
		}); res.StatusCode != 204 {
			t.Fatalf("%s %s: %d %s", rq.method, rq.path, res.StatusCode, body)
		}
	}
	if err := c.Delete(ctx, "app"); err != nil {
		t.Fatal(err)
	}
	out := logs.String()
	for _, ev := range []string{"deploy", "rollback", "split", "secret.put", "secret.delete", "kv.put", "kv.delete", "delete"} {
		found := false
		for _, line := range strings.Split(out, "\n") {
			if strings.Contains(line, `"audit":true`) && strings.Contains(line, `"event":"`+ev+`"`) &&
				strings.Contains(line, `"actor":"token:`) && strings.Contains(line, `"remote":"127.0.0.1"`) {
				found = true
			}
		}
		if !found {
			t.Errorf("no audit line for %s", ev)
		}
	}
	for _, leak := range []string{testToken, value} {
		if strings.Contains(out, leak) {
			t.Errorf("the log contains %q", leak)
		}
	}
	var ae *APIError
	if _, err := (&Client{Server: c.Server, Token: "x"}).List(ctx); !errors.As(err, &ae) || ae.Status != 401 {
		t.Fatalf("%v", err)
	}
}
