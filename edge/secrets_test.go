package edge

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
)

const secretValue = "sk_live_51HyperSecretValue"

func TestSecrets(t *testing.T) {
	c, p, base, logs := testAdmin(t)
	if err := p.SetSecretsKey(bytes.Repeat([]byte{7}, 32)); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	a := testArtifact("pay", "")
	a.Manifest.Vars = map[string]string{"MODE": "test", "API_KEY": "overridden"}
	a.Script = `var __edgefn_module = { default: { fetch(req, env) {
  const p = new URL(req.url).pathname;
  if (p === "/log") console.log("the key is " + env.API_KEY);
  if (p === "/throw") throw new Error("bad key " + env.API_KEY);
  return new Response(env.MODE + ":" + (env.API_KEY === "` + secretValue + `") + ":" + (process.env.API_KEY === env.API_KEY));
} } };`
	if _, err := c.Deploy(ctx, "pay", archiveOf(t, a), true); err != nil {
		t.Fatal(err)
	}
	put := func(name, value string) int {
		req, _ := http.NewRequest("PUT", c.Server+"/v1/deployments/pay/secrets/"+name, strings.NewReader(value))
		req.Header.Set("Authorization", "Bearer "+c.Token)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		return res.StatusCode
	}
	if st := put("API_KEY", secretValue); st != 204 {
		t.Fatalf("put secret: %d", st)
	}
	if r := getHost(t, base, "pay.edge.test", "/"); r.body != "test:true:true" {
		t.Fatalf("the handler sees %q", r.body)
	}
	if st := put("not-an-identifier", "x"); st != 400 {
		t.Fatalf("bad secret name: %d", st)
	}
	if st := put("BIG", strings.Repeat("x", maxSecretBytes+1)); st != 413 {
		t.Fatalf("oversized secret: %d", st)
	}
	list := adminGet(t, c, "/v1/deployments/pay/secrets")
	if !strings.Contains(list, `"API_KEY"`) || strings.Contains(list, secretValue) {
		t.Fatalf("secret list: %s", list)
	}
	// Sealed at rest.
	rec, err := p.store.Get(nsSecrets, "pay/API_KEY")
	if err != nil || bytes.Contains(rec, []byte(secretValue)) {
		t.Fatalf("the stored secret is not sealed: %s %v", rec, err)
	}
	// Redacted from logs, the tail and error answers.
	events, cancel := p.node.Tail(TailFilter{})
	defer cancel()
	getHost(t, base, "pay.edge.test", "/log")
	r := getHost(t, base, "pay.edge.test", "/throw")
	if r.status != 500 || strings.Contains(r.body, secretValue) {
		t.Fatalf("error answer: %d %q", r.status, r.body)
	}
	cancel()
	var tail strings.Builder
	for len(events) > 0 {
		ev := <-events
		tail.WriteString(ev.Message + ev.Stack + ev.URL + "\n")
	}
	for name, out := range map[string]string{"logs": logs.String(), "tail": tail.String(), "metrics": adminGet(t, c, "/metrics")} {
		if strings.Contains(out, secretValue) {
			t.Errorf("the secret appears in the %s", name)
		}
	}
	if !strings.Contains(tail.String(), "the key is [redacted]") {
		t.Errorf("console line not redacted in the tail:\n%s", tail.String())
	}
	// Deleting it restarts the deployment without it.
	req, _ := http.NewRequest("DELETE", c.Server+"/v1/deployments/pay/secrets/API_KEY", nil)
	req.Header.Set("Authorization", "Bearer "+c.Token)
	if res, err := http.DefaultClient.Do(req); err != nil || res.StatusCode != 204 {
		t.Fatalf("delete secret: %v %v", res, err)
	}
	if r := getHost(t, base, "pay.edge.test", "/"); r.body != "test:false:true" {
		t.Fatalf("after delete: %q", r.body)
	}
	if err := p.DeleteSecret("pay", "API_KEY"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("delete twice: %v", err)
	}
	// A node with another key cannot open the secrets.
	other, _ := newSecretBox(bytes.Repeat([]byte{9}, 32))
	mine, _ := newSecretBox(bytes.Repeat([]byte{7}, 32))
	sealed, _ := mine.seal("pay", "K", []byte("v"), p.now())
	if _, _, err := other.open("pay", "K", sealed); err == nil {
		t.Fatal("opened with the wrong key")
	}
	if _, _, err := mine.open("other", "K", sealed); err == nil {
		t.Fatal("a secret moved to another deployment opened")
	}
}
