package edge

import (
	"bytes"
	"encoding/json"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
)

// The framework examples are real npm packages (committed in each
// example's node_modules, pinned by its package-lock.json), bundled
// unchanged and driven over HTTP.

func TestHonoExample(t *testing.T) {
	n, base := testNode(t, roomyCPU)
	deploy(t, n, "hono", script(t, filepath.Join("..", "examples", "hono")))
	cases := []struct {
		method, path, body string
		status             int
		want               string
	}{
		{"GET", "/", "", 200, "Hono on edgefn"},
		{"GET", "/users/42", "", 200, `{"id":"42","name":"user42"}`},
		{"GET", "/posts/7/comments/99", "", 200, `{"comment":"99","post":"7"}`}, // Hono's order, as on Node
		{"GET", "/search?q=edge&tag=a&tag=b", "", 200, `{"q":"edge","tags":["a","b"]}`},
		{"POST", "/users", `{"name":"ada"}`, 201, `"name":"ada"`},
		{"POST", "/users", `not json`, 400, `{"error":"the body must be JSON"}`},
		{"POST", "/users", `{"nom":"x"}`, 422, `{"error":"name is required"}`},
		{"GET", "/boom", "", 500, `{"error":"something broke"}`},
		{"GET", "/nowhere", "", 404, `{"error":"not found","path":"/nowhere"}`},
		{"DELETE", "/users/42", "", 404, `{"error":"not found","path":"/users/42"}`},
	}
	for _, tc := range cases {
		r := send(t, tc.method, base+tc.path, tc.body)
		if r.status != tc.status || !strings.Contains(r.body, tc.want) {
			t.Errorf("%s %s: %d %s; want %d containing %s", tc.method, tc.path, r.status, r.body, tc.status, tc.want)
		}
		// The middleware runs around every route, the 404 and the error too.
		if got := r.header.Get("x-powered-by"); got != "edgefn+hono" {
			t.Errorf("%s %s: x-powered-by %q", tc.method, tc.path, got)
		}
	}
	r := send(t, "POST", base+"/users", `{"name":"ada"}`)
	var created struct{ Created struct{ ID, Name string } }
	if err := json.Unmarshal([]byte(r.body), &created); err != nil || len(created.Created.ID) != 36 || r.header.Get("content-type") != "application/json" {
		t.Fatalf("created: %s (%v), content-type %q", r.body, err, r.header.Get("content-type"))
	}
}

func TestIttyRouterExample(t *testing.T) {
	n, base := testNode(t, roomyCPU)
	deploy(t, n, "itty", script(t, filepath.Join("..", "examples", "itty-router")))
	steps := []struct {
		method, path, body string
		status             int
		want               string
	}{
		{"GET", "/", "", 200, "itty-router on edgefn"},
		{"GET", "/items", "", 200, `[{"id":"1","name":"first"},{"id":"2","name":"second"}]`},
		{"GET", "/items/1", "", 200, `{"id":"1","name":"first"}`},
		{"GET", "/items/9", "", 404, `{"status":404,"error":"no item 9"}`},
		{"POST", "/items", `{"name":"third"}`, 201, `,"name":"third"}`},
		{"POST", "/items", `oops`, 400, `send {\"name\": ...}`},
		{"DELETE", "/items/2", "", 204, ""},
		{"DELETE", "/items/9", "", 404, `{"status":404,"error":"Not Found"}`},
		{"GET", "/files/a/b.txt?x=1", "", 200, `{"path":"a/b.txt","query":{"x":"1"}}`},
		{"GET", "/nope", "", 404, `{"status":404,"error":"Not Found"}`},
	}
	for _, s := range steps {
		req, _ := http.NewRequest(s.method, base+s.path, strings.NewReader(s.body))
		req.Header.Set("x-api-version", "3")
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		var b bytes.Buffer
		_, _ = b.ReadFrom(res.Body)
		res.Body.Close()
		if res.StatusCode != s.status || !strings.Contains(b.String(), s.want) {
			t.Errorf("%s %s: %d %s; want %d containing %s", s.method, s.path, res.StatusCode, b.String(), s.status, s.want)
		}
		if got := res.Header.Get("x-api-version"); got != "3" {
			t.Errorf("%s %s: x-api-version %q (the before/finally middleware did not run)", s.method, s.path, got)
		}
	}
}
