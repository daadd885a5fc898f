package isolate

import (
	"context"
	"encoding/json"
	"reflect"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/dop251/goja"
)

// memKV is a KVNamespace in memory for tests.
type memKV struct {
	mu sync.Mutex
	m  map[string][]byte
}

func (k *memKV) Get(_ context.Context, key string) (*KVEntry, error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	v, ok := k.m[key]
	if !ok {
		return nil, ErrKVNotFound
	}
	return &KVEntry{Value: v, Versionstamp: "1"}, nil
}

func (k *memKV) Put(_ context.Context, key string, value []byte, _ KVPutOptions) error {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.m == nil {
		k.m = map[string][]byte{}
	}
	k.m[key] = append([]byte(nil), value...)
	return nil
}

func (k *memKV) Delete(_ context.Context, key string) error {
	k.mu.Lock()
	defer k.mu.Unlock()
	delete(k.m, key)
	return nil
}

func (k *memKV) List(_ context.Context, o KVListOptions) (*KVListResult, error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	r := &KVListResult{Complete: true}
	var names []string
	for name := range k.m {
		if strings.HasPrefix(name, o.Prefix) {
			names = append(names, name)
		}
	}
	sort.Strings(names)
	for _, name := range names {
		r.Keys = append(r.Keys, struct {
			Name       string
			Expiration int64
			Metadata   []byte
		}{Name: name})
	}
	return r, nil
}

func (k *memKV) Atomic(context.Context, []KVCheck, []KVMutation) (string, bool, error) {
	return "1", true, nil
}

func (k *memKV) Watch(ctx context.Context, _ []string) (<-chan KVChange, error) {
	ch := make(chan KVChange)
	go func() { <-ctx.Done(); close(ch) }()
	return ch, nil
}

// walkSrc collects every object a script can reach from its roots: own
// properties (string and symbol keys, data and accessors), prototypes, and
// what the accessors found on instances return when called on them.
const walkSrc = `(roots) => {
  const seen = new Set();
  const out = [];
  const queue = roots.map(([path, v]) => [v, path, v]);
  while (queue.length) {
    const [o, path, holder] = queue.shift();
    if (o === null || (typeof o !== "object" && typeof o !== "function") || seen.has(o)) continue;
    seen.add(o);
    out.push(path, o);
    let keys = [];
    try { keys = Reflect.ownKeys(o); } catch (e) {}
    for (const k of keys) {
      let d;
      try { d = Object.getOwnPropertyDescriptor(o, k); } catch (e) { continue; }
      if (!d) continue;
      const p = path + "." + String(k);
      if ("value" in d) queue.push([d.value, p, d.value]);
      if (d.get) {
        queue.push([d.get, p + "<get>", d.get]);
        // Getters of a prototype read the instance that led here.
        try { queue.push([Reflect.apply(d.get, holder, []), p + "()", null]); } catch (e) {}
      }
      if (d.set) queue.push([d.set, p + "<set>", d.set]);
    }
    let proto = null;
    try { proto = Object.getPrototypeOf(o); } catch (e) {}
    queue.push([proto, path + ".__proto__", holder === null ? o : holder]);
  }
  return out;
}`

// rootsSrc builds an instance of every host class, from the request in
// flight (its request, env with every binding kind, ctx).
const rootsSrc = `export default { async fetch(req, env, ctx) {
  const stream = new ReadableStream({ start(c) { c.enqueue(new Uint8Array([1])); } });
  const byteStream = new ReadableStream({ type: "bytes", pull(c) { c.byobRequest?.respond(0); c.close(); } });
  const ws = new WritableStream();
  const ts = new TransformStream();
  const key = await crypto.subtle.generateKey({ name: "HMAC", hash: "SHA-256" }, true, ["sign"]);
  const pair = await crypto.subtle.generateKey({ name: "ECDSA", namedCurve: "P-256" }, true, ["sign", "verify"]);
  const form = new FormData();
  form.append("f", new File(["x"], "x.txt"));
  await env.KV.put("k", "v");
  const list = await env.KV.list();
  const watch = env.KV.watch(["k"]);
  globalThis.__roots = [
    ["globalThis", globalThis],
    ["req", req], ["env", env], ["ctx", ctx], ["req.headers", req.headers], ["req.body", req.body],
    ["Request", new Request("https://x.test/", { method: "POST", body: "b" })],
    ["Request subclass", new (class extends Request {})("https://x.test/")],
    ["Response", new Response("x")], ["Response.json", Response.json({})],
    ["Response subclass", new (class extends Response {})("x")],
    ["Headers", new Headers({ a: "1" })],
    ["URL", new URL("https://u:p@x.test/a?b=c#d")], ["URLSearchParams", new URLSearchParams("a=1")],
    ["Blob", new Blob(["x"])], ["File", new File(["x"], "x.txt")], ["FormData", form],
    ["ReadableStream", stream], ["reader", stream.getReader()],
    ["byob reader", byteStream.getReader({ mode: "byob" })],
    ["WritableStream", ws], ["writer", ws.getWriter()], ["TransformStream", ts],
    ["TextEncoderStream", new TextEncoderStream()], ["TextDecoderStream", new TextDecoderStream()],
    ["CompressionStream", new CompressionStream("gzip")], ["DecompressionStream", new DecompressionStream("gzip")],
    ["DigestStream", new crypto.DigestStream("SHA-256")],
    ["CryptoKey", key], ["CryptoKeyPair", pair],
    ["KV list", list], ["KV watch", watch], ["KV get", env.KV.get("k")],
    ["queue send", env.Q.send("m")], ["service", env.SVC],
    ["promise", Promise.resolve(1)], ["error", new TypeError("x")],
  ];
  await watch.return?.();
  return new Response("ok");
} };`

type nullQueue struct{}

func (nullQueue) Send(context.Context, string, []OutgoingMessage) error { return nil }

// TestNoGoReachable walks everything a script can reach (every global, the
// prototype chains, every host object and what its getters return) and
// checks that none of it is a Go value exposed by reflection (whose Go
// methods and fields a script could call or read), the runtime's internal
// helpers, or a function named after its Go symbol (which leaks the host's
// package layout into scripts and stack traces).
func TestNoGoReachable(t *testing.T) {
	p, _ := newTestPool(t, rootsSrc, func(c *PoolConfig) {
		c.MaxSize = 1
		c.Limits.CPUTime = 10 * time.Second
		c.Vars = map[string]string{"PLAIN": "v"}
		c.Bindings = map[string]Binding{"KV": KVBinding(&memKV{}), "Q": QueueBinding("q", nullQueue{}), "SVC": ServiceBinding(&fakeFetcher{})}
	})
	if got := mustGet(t, p, "/"); got != "ok" {
		t.Fatal(got)
	}
	in, err := p.acquire(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer p.put(in)
	// The runtime is idle and ours: run the walk on this goroutine. Touch
	// every global name first so the lazily installed ones exist.
	for _, name := range GlobalNames() {
		in.vm.GlobalObject().Get(name)
	}
	walk, err := in.vm.RunString(walkSrc)
	if err != nil {
		t.Fatal(err)
	}
	fn, _ := goja.AssertFunction(walk)
	res, err := fn(goja.Undefined(), in.vm.GlobalObject().Get("__roots"))
	if err != nil {
		t.Fatal(err)
	}
	items := res.(*goja.Object)
	n := int(items.Get("length").ToInteger())
	kinds := map[string]int{}
	for i := 0; i+1 < n; i += 2 {
		path := items.Get(itoa(i)).String()
		obj, ok := items.Get(itoa(i + 1)).(*goja.Object)
		if !ok {
			continue
		}
		if obj == in.internal {
			t.Errorf("%s is the runtime's internal helpers object", path)
		}
		if typ := obj.ExportType(); typ != nil {
			kinds[typ.String()]++
			if why := goExposure(obj, typ); why != "" {
				t.Errorf("%s exposes a Go value (%s): %s", path, typ, why)
			}
		}
		if _, isFunc := goja.AssertFunction(obj); isFunc {
			if name := obj.Get("name"); name != nil && looksLikeGoSymbol(name.String()) {
				t.Errorf("%s is named after its Go symbol %q", path, name.String())
			}
		}
	}
	if n < 2*500 {
		t.Fatalf("the walk reached only %d objects: it is not walking what it should", n/2)
	}
	t.Logf("walked %d objects; export types: %v", n/2, kinds)
}

// goExposure says why an object's Go value would be reachable through
// reflection ("" when it is not): goja reflects a struct's exported fields
// and methods, and a map's or slice's entries, onto the object.
func goExposure(obj *goja.Object, typ reflect.Type) string {
	switch typ.Kind() {
	case reflect.Func, reflect.String, reflect.Bool, reflect.Float64, reflect.Int64:
		return ""
	case reflect.Map:
		// Plain objects export as map[string]interface{}, and data-only
		// maps of strings carry no methods.
		if typ.Key().Kind() == reflect.String && (typ.Elem().Kind() == reflect.Interface || typ.Elem().Kind() == reflect.String) {
			return ""
		}
	case reflect.Slice:
		if e := typ.Elem().Kind(); e == reflect.Interface || e == reflect.Uint8 || typ.Elem() == reflect.TypeOf([2]any{}) {
			return "" // arrays, typed arrays, Map entries
		}
		if typ.Elem().Kind() >= reflect.Int && typ.Elem().Kind() <= reflect.Float64 {
			return "" // typed arrays
		}
	case reflect.Pointer, reflect.Struct:
		v := obj.Export()
		if _, ok := v.(hostState); ok {
			return "" // a host object's state: a DynamicObject, not reflected
		}
		switch v.(type) {
		case *goja.Promise, goja.ArrayBuffer, *goja.Symbol, time.Time, goja.DynamicObject, goja.DynamicArray, goja.Proxy:
			return ""
		}
		if strings.HasPrefix(typ.String(), "*goja.") || strings.HasPrefix(typ.String(), "goja.") {
			return ""
		}
		if _, ok := v.(lazyGlobals); ok {
			return ""
		}
		// A reflected Go value: none of its methods or exported fields may
		// show as a property, under Go's name or goja's lower-cased one.
		own := map[string]bool{}
		for _, k := range obj.GetOwnPropertyNames() {
			own[k] = true
		}
		var names []string
		for i := 0; i < typ.NumMethod(); i++ {
			names = append(names, typ.Method(i).Name)
		}
		st := typ
		if st.Kind() == reflect.Pointer {
			st = st.Elem()
		}
		if st.Kind() == reflect.Struct {
			for i := 0; i < st.NumField(); i++ {
				if f := st.Field(i); f.IsExported() {
					names = append(names, f.Name)
				}
			}
		}
		var shown []string
		for _, name := range names {
			for _, n := range []string{name, strings.ToLower(name[:1]) + name[1:]} {
				if own[n] {
					shown = append(shown, n)
				}
			}
		}
		if len(shown) > 0 {
			return "the script can reach its Go members " + strings.Join(shown, ", ")
		}
		return ""
	}
	return "goja reflects this Go type into the script"
}

// looksLikeGoSymbol: goja names a Go func handed to ToValue after its
// symbol, "github.com/edgefn/edgefn/isolate.installTimers.func1".
func looksLikeGoSymbol(name string) bool {
	return strings.Contains(name, "/") || strings.Contains(name, ".func") || strings.HasPrefix(name, "github.com")
}

// TestNoHostReach: scripts find no way out to the module system, the file
// system, the process or the host's own global: require and Node's process
// internals do not exist, dynamic import refuses, the Function constructor
// reached from any host object and indirect eval both evaluate in the
// script's own global, and the global's lazy prototype exposes nothing.
func TestNoHostReach(t *testing.T) {
	p, _ := newTestPool(t, `export default { async fetch(req, env, ctx) {
  const out = {};
  for (const name of ["require", "module", "exports", "__dirname", "__filename", "Deno", "Bun", "global",
      "Buffer", "setImmediate", "importScripts", "WebAssembly", "SharedArrayBuffer", "Atomics"]) {
    out[name] = typeof globalThis[name];
  }
  out.processKeys = Reflect.ownKeys(process).map(String);
  out.processEnv = Object.keys(process.env);
  out.binding = typeof process.binding + typeof process.dlopen + typeof process.exit + typeof process.mainModule;
  const fnOf = (o) => o.constructor.constructor;
  out.ctorThis = [fnOf(req), fnOf(env), fnOf(ctx), fnOf(new Response("")), fnOf(crypto), fnOf(console.log),
    fnOf(Promise.resolve()), fnOf(new URL("https://x/"))].map((F) => F("return this")() === globalThis);
  out.functionProcess = Function("return typeof process.binding")();
  out.indirectEval = (0, eval)("this") === globalThis && eval("typeof require") === "undefined";
  // Through Function, so the bundler does not see (and resolve) them.
  for (const [k, spec] of [["import", "/etc/passwd"], ["importFs", "node:fs"]]) {
    try { await Function("return import(" + JSON.stringify(spec) + ")")(); out[k] = "imported"; } catch (e) { out[k] = e.name; }
  }
  const lazy = Object.getPrototypeOf(globalThis);
  out.lazyKeys = Reflect.ownKeys(lazy).length + ":" + (Object.getPrototypeOf(lazy) === Object.prototype);
  out.asyncCtor = (async () => {}).constructor("return this")() instanceof Promise;
  out.genCtor = typeof (function* () {}).constructor("return this")().next;
  return Response.json(out);
} };`, func(c *PoolConfig) { c.Vars = map[string]string{"MINE": "1"}; c.Limits.CPUTime = 10 * time.Second })
	var got map[string]any
	if err := json.Unmarshal([]byte(mustGet(t, p, "/")), &got); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"require", "module", "exports", "__dirname", "__filename", "Deno", "Bun", "global", "Buffer", "setImmediate", "importScripts", "WebAssembly", "SharedArrayBuffer", "Atomics"} {
		if got[name] != "undefined" {
			t.Errorf("typeof %s = %v", name, got[name])
		}
	}
	if pk := got["processKeys"].([]any); len(pk) != 1 || pk[0] != "env" {
		t.Errorf("process has %v; want only env", pk)
	}
	if pe := got["processEnv"].([]any); len(pe) != 1 || pe[0] != "MINE" {
		t.Errorf("process.env has %v; want only the deployment's own variable", pe)
	}
	if got["binding"] != "undefinedundefinedundefinedundefined" || got["functionProcess"] != "undefined" {
		t.Errorf("process internals: %v %v", got["binding"], got["functionProcess"])
	}
	for i, same := range got["ctorThis"].([]any) {
		if same != true {
			t.Errorf("constructor.constructor('return this')() from host object %d is not the script's global", i)
		}
	}
	if got["indirectEval"] != true {
		t.Error("eval reached another global")
	}
	if got["import"] != "SyntaxError" || got["importFs"] != "SyntaxError" {
		t.Errorf("dynamic import loaded a module: %v %v", got["import"], got["importFs"])
	}
	if got["lazyKeys"] != "0:true" {
		t.Errorf("the global's prototype exposes %v", got["lazyKeys"])
	}
	if got["asyncCtor"] != true || got["genCtor"] != "function" {
		t.Errorf("async/generator function constructors: %v %v", got["asyncCtor"], got["genCtor"])
	}
}

// TestRuntimesShareNothing: one deployment rewrites every builtin and host
// prototype it can and leaves globals behind; another deployment's runtime,
// made in the same process, sees the language and platform untouched and
// none of the first one's variables, secrets or bindings.
func TestRuntimesShareNothing(t *testing.T) {
	polluter, _ := newTestPool(t, `export default { fetch(req, env) {
  globalThis.leaked = env.SECRET;
  Object.prototype.polluted = "yes";
  Array.prototype.map = () => "hijacked";
  String.prototype.trim = () => "hijacked";
  JSON.parse = () => "hijacked";
  JSON.stringify = () => "hijacked";
  Promise.prototype.then = function () { return "hijacked"; };
  Response.prototype.text = () => "hijacked";
  Headers.prototype.get = () => "hijacked";
  URL.prototype.toString = () => "hijacked";
  Object.defineProperty(Object.prototype, "toJSON", { get() { return () => "hijacked"; }, configurable: true });
  Function.prototype.call = () => "hijacked";
  Symbol.iterator.description;
  globalThis.crypto = "hijacked";
  console.log = () => {};
  return new Response("done");
} };`, func(c *PoolConfig) {
		c.Limits.CPUTime = 10 * time.Second
		c.Vars = map[string]string{"SECRET": "polluter-secret-value"}
		c.Bindings = map[string]Binding{"POLLUTER_KV": KVBinding(&memKV{})}
	})
	victim, _ := newTestPool(t, `export default { async fetch(req, env) {
  const h = new Headers({ a: "1" });
  const r = new Response(" x ");
  const checks = {
    leaked: typeof globalThis.leaked,
    polluted: ({}).polluted === undefined,
    map: [1].map((x) => x + 1)[0] === 2,
    trim: " a ".trim() === "a",
    json: JSON.parse('{"a":1}').a === 1 && JSON.stringify({ a: 1 }) === '{"a":1}',
    then: typeof Promise.resolve(1).then(() => 1).then === "function",
    text: (await r.text()) === " x ",
    headers: h.get("a") === "1",
    url: new URL("https://x.test/").toString() === "https://x.test/",
    call: Math.max.call(null, 1, 2) === 2,
    crypto: typeof crypto.getRandomValues === "function",
    env: Object.keys(env).sort().join(","),
    processEnv: Object.keys(process.env).sort().join(","),
    globals: Object.keys(globalThis).filter((k) => k.includes("leak") || k.includes("POLLUTER") || k === "SECRET").join(","),
  };
  return new Response(JSON.stringify(checks));
} };`, func(c *PoolConfig) { c.Vars = map[string]string{"MINE": "victim"}; c.Limits.CPUTime = 10 * time.Second })
	for i := 0; i < 3; i++ {
		if got := mustGet(t, polluter, "/"); got != "done" {
			t.Fatal(got)
		}
	}
	got := mustGet(t, victim, "/")
	want := `{"leaked":"undefined","polluted":true,"map":true,"trim":true,"json":true,"then":true,"text":true,"headers":true,"url":true,"call":true,"crypto":true,"env":"MINE","processEnv":"MINE","globals":""}`
	if got != want {
		t.Fatalf("the other deployment sees\n%s\nwant\n%s", got, want)
	}
}
