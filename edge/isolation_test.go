package edge

import (
	"bytes"
	"encoding/json"
	"testing"
)

// TestDeploymentsAreIsolated runs two deployments on one node, each with its
// own variables, secret and KV namespace. One of them looks for everything
// of the other's it could reach (globals, env, process.env, KV data) and
// rewrites the shared-looking parts of the language and platform; the other
// then finds nothing changed and nothing of its own exposed.
func TestDeploymentsAreIsolated(t *testing.T) {
	store := testKV(t)
	n, base := testNode(t, func(c *Config) { c.BaseDomain = "edge.test"; c.KV = store })
	p := NewPlatform(n, newMemStore())
	if err := p.SetSecretsKey(bytes.Repeat([]byte{3}, 32)); err != nil {
		t.Fatal(err)
	}
	deployJS := func(name, ns string, vars map[string]string, module string) {
		t.Helper()
		a := &Artifact{Manifest: Manifest{Name: name, Vars: vars, KV: []KVBinding{{Binding: "DATA", Namespace: ns}}, Limits: roomyCPULimits},
			ScriptName: name + ".js", Script: "var __edgefn_module = { default: " + module + " };"}
		if _, err := p.Deploy(a, true); err != nil {
			t.Fatal(err)
		}
	}
	deployJS("victim", "victim-data", map[string]string{"VICTIM_VAR": "victim-plain"}, `{ async fetch(req, env) {
  const u = new URL(req.url);
  if (u.pathname === "/write") { await env.DATA.put("private", "victim-kv-value"); return new Response("written"); }
  return Response.json({
    env: Object.keys(env).sort(), processEnv: Object.keys(process.env).sort(),
    secretIntact: env.VICTIM_SECRET === "victim-secret-value",
    kv: await env.DATA.get("private"),
    polluted: ({}).polluted === undefined && [1].map((x) => x * 2)[0] === 2 && JSON.parse("[1]")[0] === 1,
    platform: new Headers({ a: "1" }).get("a") === "1" && (await new Response("t").text()) === "t",
    leftovers: Object.keys(globalThis).filter((k) => /attacker|stolen/i.test(k)),
  });
} }`)
	deployJS("attacker", "attacker-data", map[string]string{"ATTACKER_VAR": "attacker-plain"}, `{ async fetch(req, env) {
  const seen = [];
  const scan = (label, obj) => { for (const k of Reflect.ownKeys(obj)) { try { seen.push(label + "." + String(k) + "=" + String(obj[k])); } catch (e) {} } };
  scan("env", env); scan("process.env", process.env); scan("globalThis", globalThis);
  const kv = [await env.DATA.get("private"), (await env.DATA.list()).keys.length];
  globalThis.stolen = true;
  Object.prototype.polluted = "attacker";
  Array.prototype.map = () => ["attacker"];
  JSON.parse = () => ["attacker"];
  Headers.prototype.get = () => "attacker";
  Response.prototype.text = async () => "attacker";
  return Response.json({ seen, kv });
} }`)
	put := func(dep, name, value string) {
		t.Helper()
		if err := p.PutSecret(dep, name, []byte(value)); err != nil {
			t.Fatal(err)
		}
	}
	put("victim", "VICTIM_SECRET", "victim-secret-value")
	put("attacker", "ATTACKER_SECRET", "attacker-secret-value")
	if r := getHost(t, base, "victim.edge.test", "/write"); r.body != "written" {
		t.Fatalf("write: %d %q", r.status, r.body)
	}
	r := getHost(t, base, "attacker.edge.test", "/")
	if r.status != 200 {
		t.Fatalf("attacker: %d %q", r.status, r.body)
	}
	for _, needle := range []string{"victim-secret-value", "victim-plain", "victim-kv-value", "VICTIM", "victim-data"} {
		if bytes.Contains([]byte(r.body), []byte(needle)) {
			t.Errorf("the other deployment saw %q:\n%s", needle, r.body)
		}
	}
	if !bytes.Contains([]byte(r.body), []byte("process.env.ATTACKER_SECRET=attacker-secret-value")) {
		t.Fatalf("the scan does not even find the deployment's own secret:\n%s", r.body)
	}
	var att struct{ KV []any }
	if err := json.Unmarshal([]byte(r.body), &att); err != nil || len(att.KV) != 2 || att.KV[0] != nil || att.KV[1] != float64(0) {
		t.Errorf("the attacker's own namespace held %v (%v)", att.KV, err)
	}
	// Every runtime of the attacker is polluted now; the victim's are not.
	for i := 0; i < 3; i++ {
		getHost(t, base, "attacker.edge.test", "/")
	}
	r = getHost(t, base, "victim.edge.test", "/")
	want := `{"env":["DATA","VICTIM_SECRET","VICTIM_VAR"],"processEnv":["VICTIM_SECRET","VICTIM_VAR"],"secretIntact":true,"kv":"victim-kv-value","polluted":true,"platform":true,"leftovers":[]}`
	var got, exp any
	_ = json.Unmarshal([]byte(r.body), &got)
	_ = json.Unmarshal([]byte(want), &exp)
	gb, _ := json.Marshal(got)
	eb, _ := json.Marshal(exp)
	if !bytes.Equal(gb, eb) {
		t.Fatalf("the victim sees\n%s\nwant\n%s", r.body, want)
	}
}
