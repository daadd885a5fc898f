package edge

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"
)

func adminGet(t *testing.T, c *Client, path string) string {
	t.Helper()
	req, _ := http.NewRequest("GET", c.Server+path, nil)
	req.Header.Set("Authorization", "Bearer "+c.Token)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	if res.StatusCode != 200 {
		t.Fatalf("GET %s: %d %s", path, res.StatusCode, b)
	}
	return string(b)
}

const obsScript = `var __edgefn_module = { default: { fetch(req) {
  const p = new URL(req.url).pathname;
  console.log("handling " + p);
  if (p === "/boom") throw new Error("kaboom");
  return new Response("ok");
} } };`

func TestMetricsAndStats(t *testing.T) {
	c, _, base, _ := testAdmin(t)
	a := testArtifact("app", "")
	a.Script = obsScript
	if _, err := c.Deploy(context.Background(), "app", archiveOf(t, a), true); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 3; i++ {
		getHost(t, base, "app.edge.test", "/")
	}
	getHost(t, base, "app.edge.test", "/boom")
	m := adminGet(t, c, "/metrics")
	for _, want := range []string{
		`edgefn_requests_total{code="2xx",deployment="app"} 3`,
		`edgefn_requests_total{code="5xx",deployment="app"} 1`,
		`edgefn_request_errors_total{deployment="app",reason="exception"} 1`,
		`edgefn_runtimes{deployment="app",state="idle",version="1"}`,
		`edgefn_cold_starts_total{deployment="app",version="1"}`,
		`edgefn_request_duration_seconds_bucket{deployment="app"`,
		`go_goroutines`,
	} {
		if !strings.Contains(m, want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
	if strings.Contains(m, "/boom") || strings.Contains(m, "kaboom") {
		t.Fatal("request paths or error messages leaked into metric labels")
	}
	var stats struct {
		Deployments map[string]DeploymentStats `json:"deployments"`
	}
	if err := json.Unmarshal([]byte(adminGet(t, c, "/v1/stats")), &stats); err != nil {
		t.Fatal(err)
	}
	if s := stats.Deployments["app"]; s.Requests != 4 || s.Errors != 1 {
		t.Fatalf("stats %+v", s)
	}
	// /metrics needs the token.
	if res, _ := http.Get(c.Server + "/metrics"); res.StatusCode != 401 {
		t.Fatalf("/metrics without a token: %d", res.StatusCode)
	}
}

func TestTailStreamsFilteredEvents(t *testing.T) {
	c, p, base, _ := testAdmin(t)
	p.node.SetNodeName("n1")
	a := testArtifact("app", "")
	a.Script = obsScript
	if _, err := c.Deploy(context.Background(), "app", archiveOf(t, a), true); err != nil {
		t.Fatal(err)
	}
	req, _ := http.NewRequest("GET", c.Server+"/v1/tail?deployment=app&status=5xx", nil)
	req.Header.Set("Authorization", "Bearer "+c.Token)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	events := make(chan TailEvent, 100)
	go func() {
		sc := bufio.NewScanner(res.Body)
		for sc.Scan() {
			if line, ok := strings.CutPrefix(sc.Text(), "data: "); ok {
				var ev TailEvent
				if json.Unmarshal([]byte(line), &ev) == nil {
					events <- ev
				}
			}
		}
	}()
	deadline := time.Now().Add(5 * time.Second)
	for !p.node.tail.active() && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	getHost(t, base, "app.edge.test", "/fine")
	getHost(t, base, "app.edge.test", "/boom")
	var sawReq, sawLog, sawExc bool
	timeout := time.After(5 * time.Second)
	for !(sawReq && sawLog && sawExc) {
		select {
		case ev := <-events:
			if ev.Node != "n1" || ev.Deployment != "app" {
				t.Fatalf("event not tagged: %+v", ev)
			}
			switch ev.Type {
			case "request":
				if ev.Status != 500 || !strings.HasSuffix(ev.URL, "/boom") {
					t.Fatalf("the status filter let through %+v", ev)
				}
				sawReq = true
			case "log":
				sawLog = sawLog || strings.Contains(ev.Message, "handling /")
			case "exception":
				sawExc = sawExc || strings.Contains(ev.Message, "kaboom")
			}
		case <-timeout:
			t.Fatalf("tail: request %v log %v exception %v", sawReq, sawLog, sawExc)
		}
	}
}
