package edge

import (
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/edgefn/edgefn/kv"
)

func kvGetNode(t *testing.T, script string, edit func(*Config)) (*KVStore, string) {
	t.Helper()
	store := testKV(t)
	n, base := testNode(t, func(c *Config) {
		c.KV = store
		c.ExposeErrors = true
		if edit != nil {
			edit(c)
		}
	})
	a := testArtifact("app", "")
	a.Script = `var __edgefn_module = { default: { async fetch(req, env) {
  const u = new URL(req.url);
  const out = [];
` + script + `
  return new Response(out.join("|"));
} } };`
	a.Manifest.KV = []KVBinding{{Binding: "CACHE", Namespace: "cache"}}
	if err := n.Activate(a, 1); err != nil {
		t.Fatal(err)
	}
	n.SetFallback("app")
	return store, base
}

// A hot key's get is answered from the read cache, with its JS string made
// once, yet a write (from the same runtime, or from elsewhere) between two
// gets is always seen by the second.
func TestKVGetHotKeyFollowsWrites(t *testing.T) {
	store, base := kvGetNode(t, `
  switch (u.pathname) {
    case "/seq":
      await env.CACHE.put("hot", "one");
      out.push(await env.CACHE.get("hot"), await env.CACHE.get("hot"));
      out.push(new Uint8Array(await env.CACHE.get("hot", "arrayBuffer")).length);
      await env.CACHE.put("hot", "two!");
      out.push(await env.CACHE.get("hot"), new Uint8Array(await env.CACHE.get("hot", "arrayBuffer")).length);
      await env.CACHE.delete("hot");
      out.push(await env.CACHE.get("hot"), await env.CACHE.get("hot", "arrayBuffer"));
      await env.CACHE.put("hot", "three");
      out.push(await env.CACHE.get("hot"), await env.CACHE.get("hot"));
      break;
    case "/read":
      out.push(await env.CACHE.get("hot"));
      break;
    case "/name":
      out.push(env.CACHE.get.name, env.CACHE.get.length);
      break;
  }`, func(c *Config) { c.Pool.MaxSize = 1 })
	if r := send(t, "GET", base+"/seq", ""); r.body != "one|one|3|two!|4|||three|three" {
		t.Fatalf("seq: %d %q", r.status, r.body)
	}
	if r := send(t, "GET", base+"/name", ""); r.body != "get|2" {
		t.Fatalf("get's name and length: %q", r.body)
	}
	if _, ok := store.Raw().GetCached("cache", "hot"); !ok {
		t.Fatal("the key read twice is not in the read cache: the test does not cover the cached path")
	}
	for _, v := range []string{"four", "fünf", "six"} { // a write from outside the runtime (admin, replication)
		if _, err := store.Raw().Put("cache", "hot", []byte(v), kv.PutOptions{}); err != nil {
			t.Fatal(err)
		}
		for i := 0; i < 2; i++ {
			if r := send(t, "GET", base+"/read", ""); r.body != v {
				t.Fatalf("after a put of %q, read %d got %q", v, i, r.body)
			}
		}
	}
}

// The native get keeps every behaviour of the JS one: argument shapes,
// types, errors, missing keys, and text decoding, cold and cached alike.
func TestKVGetShapes(t *testing.T) {
	store, base := kvGetNode(t, `
  const k = u.searchParams.get("k");
  const show = async (f) => {
    try {
      const p = f();
      if (!(p instanceof Promise)) return "not a promise";
      const v = await p;
      if (v instanceof ArrayBuffer) return "ab" + v.byteLength;
      return typeof v + ":" + (typeof v === "string" ? v.length + ":" + v : JSON.stringify(v));
    } catch (e) {
      return e.name + ":" + e.message;
    }
  };
  for (let round = 0; round < 2; round++) { // cold (Badger), then cached
    out.push(await show(() => env.CACHE.get(k)));
    out.push(await show(() => env.CACHE.get(k, "text")));
    out.push(await show(() => env.CACHE.get(k, { type: "text", cacheTtl: 60 })));
    out.push(await show(() => env.CACHE.get(k, { cacheTtl: 60 })));
    out.push(await show(() => env.CACHE.get(k, null)));
    out.push(await show(() => env.CACHE.get(k, "arrayBuffer")));
    out.push(await show(() => env.CACHE.get(k, { type: "arrayBuffer", cacheTtl: 60 })));
    out.push(await show(() => env.CACHE.get(k, "json")));
    out.push(await show(() => env.CACHE.get(k, { type: "json" })));
    out.push(await show(async () => (await new Response(await env.CACHE.get(k, "stream")).text()).length));
    out.push(await show(() => env.CACHE.get(7)));
    out.push(await show(() => env.CACHE.get("")));
    out.push(await show(() => env.CACHE.get(k, "yaml")));
    out.push(await show(() => env.CACHE.get(k, { type: "yaml" })));
    out.push(await show(() => env.CACHE.get("missing")));
    out.push(await show(() => env.CACHE.get("missing", "arrayBuffer")));
    const m = await env.CACHE.get([k, "missing"]);
    out.push(m.get(k) + "," + m.get("missing"));
    out.push(String((await env.CACHE.get(k)) === (await env.CACHE.get(k))));
    const ab = await env.CACHE.get(k, "arrayBuffer");
    new Uint8Array(ab).fill(0x41);
    out.push(String(new Uint8Array(await env.CACHE.get(k, "arrayBuffer"))[0] !== 0x41 || ab.byteLength === 0));
    out.push("--");
  }`, nil)
	raw := store.Raw()
	for _, e := range []struct{ k, v string }{{"7", `"seven"`}, {"ascii", `"plain"`}, {"uni", "\"h\u00e9 \u2713 \U0001D11E\""}} {
		if _, err := raw.Put("cache", e.k, []byte(e.v), kv.PutOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	// Not JSON, with a BOM and an invalid byte: text drops the BOM and
	// makes U+FFFD of the byte; json fails with a SyntaxError.
	if _, err := raw.Put("cache", "bad", []byte("\xef\xbb\xbfa\xffb"), kv.PutOptions{}); err != nil {
		t.Fatal(err)
	}
	cases := map[string][]string{
		"ascii": {`string:7:"plain"`, `string:7:"plain"`, `string:7:"plain"`, `string:7:"plain"`, `string:7:"plain"`, "ab7", "ab7",
			`string:5:plain`, `string:5:plain`, "number:7"},
		"uni": {`string:9:"hé ✓ 𝄞"`, `string:9:"hé ✓ 𝄞"`, `string:9:"hé ✓ 𝄞"`, `string:9:"hé ✓ 𝄞"`, `string:9:"hé ✓ 𝄞"`, "ab14", "ab14",
			`string:7:hé ✓ 𝄞`, `string:7:hé ✓ 𝄞`, "number:9"},
		"bad": {"string:3:a\ufffdb", "string:3:a\ufffdb", "string:3:a\ufffdb", "string:3:a\ufffdb", "string:3:a\ufffdb", "ab6", "ab6",
			"SyntaxError:", "SyntaxError:", "number:3"},
	}
	common := []string{`string:7:"seven"`, "TypeError:KV get: the key must not be empty",
		`TypeError:KV get: unknown type "yaml"`, `TypeError:KV get: unknown type "yaml"`, "object:null", "object:null"}
	for k, want := range cases {
		r := send(t, "GET", base+"/?k="+k, "")
		rounds := strings.Split(r.body, "|--")
		if len(rounds) != 3 {
			t.Fatalf("%s: %d %q", k, r.status, r.body)
		}
		for i, round := range rounds[:2] {
			got := strings.Split(strings.TrimPrefix(round, "|"), "|")
			exp := append(append(append([]string(nil), want...), common...), "", "true", "true")
			if len(got) != len(exp) {
				t.Fatalf("%s round %d: %d results %q", k, i, len(got), got)
			}
			for j := range exp {
				g := got[j]
				if j == len(want)+len(common) { // the bulk get's line
					if !strings.HasSuffix(g, ",null") {
						t.Errorf("%s round %d: bulk get %q", k, i, g)
					}
					continue
				}
				if exp[j] == "SyntaxError:" {
					g = g[:min(len(g), len(exp[j]))]
				} else if strings.HasPrefix(exp[j], "TypeError:") {
					g = g[:min(len(g), len(exp[j]))]
				}
				if g != exp[j] {
					t.Errorf("%s round %d, result %d: got %q, want %q", k, i, j, got[j], exp[j])
				}
			}
		}
		if _, ok := raw.GetCached("cache", k); !ok {
			t.Errorf("%s is not cached after two rounds", k)
		}
	}
}

// Runtimes on their own goroutines share a hot key's entry and its JS
// string while other goroutines write the key: every read is a value that
// was written, and once the writes stop every read is the last (-race
// checks the sharing).
func TestKVGetHotKeySharedByRuntimes(t *testing.T) {
	store, base := kvGetNode(t, `out.push(await env.CACHE.get("hot"));`, func(c *Config) { c.Pool.MaxSize = 4 })
	raw := store.Raw()
	put := func(v string) {
		if _, err := raw.Put("cache", "hot", []byte(v), kv.PutOptions{}); err != nil {
			t.Error(err)
		}
	}
	put("value-0")
	var wg sync.WaitGroup
	stop := make(chan struct{})
	for g := 0; g < 4; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				if r := send(t, "GET", base+"/", ""); r.status != 200 || !strings.HasPrefix(r.body, "value-") {
					t.Errorf("read %d %q", r.status, r.body)
					return
				}
			}
		}()
	}
	for i := 1; i <= 30; i++ {
		put(fmt.Sprintf("value-%d", i))
	}
	close(stop)
	wg.Wait()
	for i := 0; i < 8; i++ {
		if r := send(t, "GET", base+"/", ""); r.body != "value-30" {
			t.Fatalf("after the last write, read %q", r.body)
		}
	}
}
