package edge

import (
	"bytes"
	"context"
	"errors"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
)

type logBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

const testToken = "s3cret-admin-token"

func testAdmin(t *testing.T) (*Client, *Platform, string, *logBuffer) {
	t.Helper()
	p, _, base := newTestPlatform(t)
	c, logs := serveAdmin(t, p)
	return c, p, base, logs
}

func archiveOf(t *testing.T, a *Artifact) *bytes.Reader {
	b, err := a.Archive()
	if err != nil {
		t.Fatal(err)
	}
	return bytes.NewReader(b)
}

func TestAdminAuth(t *testing.T) {
	c, _, _, logs := testAdmin(t)
	ctx := context.Background()
	for _, tok := range []string{"", "wrong", testToken + "x"} {
		bad := &Client{Server: c.Server, Token: tok}
		_, err := bad.List(ctx)
		var ae *APIError
		if !errors.As(err, &ae) || ae.Status != 401 || ae.Message != "unauthorized" {
			t.Fatalf("token %q: %v", tok, err)
		}
	}
	if _, err := c.List(ctx); err != nil {
		t.Fatal(err)
	}
	// The scheme is case-insensitive (RFC 9110).
	req, _ := http.NewRequest("GET", c.Server+"/v1/deployments", nil)
	req.Header.Set("Authorization", "bearer "+testToken)
	if res, err := http.DefaultClient.Do(req); err != nil || res.StatusCode != 200 {
		t.Fatalf("lower-case bearer: %v %v", res, err)
	}
	res, err := http.Get(c.Server + "/healthz")
	if err != nil || res.StatusCode != 200 {
		t.Fatalf("healthz without a token: %v %v", res, err)
	}
	if strings.Contains(logs.String(), "wrong") {
		t.Fatal("a refused token was logged")
	}
	// Ten failures block the address for a minute, even with a good token.
	bad := &Client{Server: c.Server, Token: "nope"}
	for i := 0; i < 10; i++ {
		_, _ = bad.List(ctx)
	}
	_, err = c.List(ctx)
	var ae *APIError
	if !errors.As(err, &ae) || ae.Status != 429 {
		t.Fatalf("after repeated failures: %v", err)
	}
}

func TestAdminDeployFlow(t *testing.T) {
	c, _, base, logs := testAdmin(t)
	ctx := context.Background()
	rec, err := c.Deploy(ctx, "app", archiveOf(t, testArtifact("app", "one")), true)
	if err != nil {
		t.Fatal(err)
	}
	if rec.Number != 1 {
		t.Fatalf("version %d", rec.Number)
	}
	if r := getHost(t, base, "app.edge.test", "/"); r.body != "one" {
		t.Fatalf("serving %q", r.body)
	}
	if _, err := c.Deploy(ctx, "app", archiveOf(t, testArtifact("app", "two")), true); err != nil {
		t.Fatal(err)
	}
	broken := testArtifact("app", "x")
	broken.Script = "export default {"
	_, err = c.Deploy(ctx, "app", archiveOf(t, broken), true)
	var ae *APIError
	if !errors.As(err, &ae) || ae.Status != 422 || !strings.Contains(ae.Message, "syntax error") {
		t.Fatalf("broken bundle: %v", err)
	}
	if _, err := c.Deploy(ctx, "other", archiveOf(t, testArtifact("app", "x")), true); !errors.As(err, &ae) || ae.Status != 400 {
		t.Fatalf("name mismatch: %v", err)
	}
	if _, err := c.Rollback(ctx, "app", 7); !errors.As(err, &ae) || ae.Status != 404 || !strings.Contains(ae.Message, "v1, v2") {
		t.Fatalf("rollback to a missing version: %v", err)
	}
	if to, err := c.Rollback(ctx, "app", 0); err != nil || to != 1 {
		t.Fatalf("rollback: %d %v", to, err)
	}
	if r := getHost(t, base, "app.edge.test", "/"); r.body != "one" {
		t.Fatalf("after rollback %q", r.body)
	}
	split, _ := ParseSplit([]string{"v1=50", "v2=50"})
	if err := c.Split(ctx, "app", split); err != nil {
		t.Fatal(err)
	}
	bad, _ := ParseSplit([]string{"v1=50", "v2=40"})
	if err := c.Split(ctx, "app", bad); !errors.As(err, &ae) || ae.Status != 400 {
		t.Fatalf("bad split: %v", err)
	}
	vs, err := c.Versions(ctx, "app")
	if err != nil || len(vs) != 2 {
		t.Fatalf("versions %v %v", vs, err)
	}
	if _, err := c.Deploy(ctx, "clash", archiveOf(t, testArtifact("clash", "c", "*/x/*")), true); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Deploy(ctx, "clash2", archiveOf(t, testArtifact("clash2", "c", "*/x/*")), true); !errors.As(err, &ae) || ae.Status != 409 {
		t.Fatalf("route clash: %v", err)
	}
	if err := c.Delete(ctx, "app"); err != nil {
		t.Fatal(err)
	}
	if err := c.Delete(ctx, "app"); !errors.As(err, &ae) || ae.Status != 404 {
		t.Fatalf("delete twice: %v", err)
	}
	for _, ev := range []string{`"event":"deploy"`, `"event":"rollback"`, `"event":"split"`, `"event":"delete"`} {
		if !strings.Contains(logs.String(), ev) {
			t.Errorf("audit log lacks %s", ev)
		}
	}
	if strings.Contains(logs.String(), testToken) {
		t.Fatal("the token appears in the logs")
	}
}

// Every admin call without a valid token, on any route and method, gets
// the same 401 with no detail (not even whether the route exists), and
// changes nothing.
func TestAdminUnauthenticatedChangesNothing(t *testing.T) {
	c, p, base, _ := testAdmin(t)
	ctx := context.Background()
	if _, err := c.Deploy(ctx, "app", archiveOf(t, testArtifact("app", "one")), true); err != nil {
		t.Fatal(err)
	}
	calls := []struct{ method, path, body string }{
		{"GET", "/v1/deployments", ""},
		{"POST", "/v1/deployments/app/versions", "not an archive"},
		{"POST", "/v1/deployments/app/rollback", `{"to":1}`},
		{"PUT", "/v1/deployments/app/split", `[{"version":1,"weight":100}]`},
		{"DELETE", "/v1/deployments/app", ""},
		{"PUT", "/v1/deployments/app/secrets/KEY", "value"},
		{"POST", "/v1/deployments/app/scheduled", ""},
		{"GET", "/v1/no/such/route", ""},
		{"GET", "/metrics", ""},
	}
	for i, tok := range []string{"", "Bearer wrong", "Basic " + testToken, "Bearer " + testToken + "x", testToken} {
		// Each token from its own loopback address, under the failed-login
		// limiter's ten tries per address.
		local := &net.TCPAddr{IP: net.IPv4(127, 0, 0, byte(2+i))}
		client := &http.Client{Transport: &http.Transport{DialContext: (&net.Dialer{LocalAddr: local}).DialContext}}
		for _, call := range calls {
			req, _ := http.NewRequest(call.method, c.Server+call.path, strings.NewReader(call.body))
			if tok != "" {
				req.Header.Set("Authorization", tok)
			}
			res, err := client.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			body := new(strings.Builder)
			_, _ = io_copy(body, res)
			if res.StatusCode != 401 || strings.TrimSpace(body.String()) != "{\n  \"error\": \"unauthorized\"\n}" ||
				res.Header.Get("WWW-Authenticate") != `Bearer realm="edgefn"` {
				t.Fatalf("%s %s with %q: %d %q", call.method, call.path, tok, res.StatusCode, body.String())
			}
		}
	}
	list, err := p.List()
	if err != nil || len(list) != 1 || list[0].Active != 1 || len(list[0].Versions) != 1 {
		t.Fatalf("refused calls changed the deployments: %+v %v", list, err)
	}
	if r := getHost(t, base, "app.edge.test", "/"); r.body != "one" {
		t.Fatalf("serving %q", r.body)
	}
}
