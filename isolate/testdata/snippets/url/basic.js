const u = new URL("https://user:pw@Example.COM:8443/a/./b/../c%7E d?x=1&y=two#frag");
console.log(String(u), Object.prototype.toString.call(u));
console.log([u.protocol, u.username, u.password, u.host, u.hostname, u.port, u.pathname, u.search, u.hash, u.origin].join(" | "));
console.log(JSON.stringify({ u }), u.toJSON() === u.href);
// Relative URLs against a base, as handlers build them from request.url.
console.log(new URL("/api?q=1", "https://example.com/some/page").href, new URL("../up", "https://e.com/a/b/c").href);
console.log(new URL("http://[::1]:80/").href, new URL("http://192.168.0.1.:8080").host, new URL("https://münchen.de/").hostname);
// searchParams stay in step with the URL both ways.
const s = new URL("https://e.com/p?a=1");
const sp = s.searchParams;
sp.append("b", "x y");
sp.set("a", "é");
console.log(s.href, s.search, sp === s.searchParams);
s.search = "?z=9&z=8";
console.log(sp.getAll("z").join(), sp.size);
s.href = "https://f.com/?k=v";
console.log(sp.get("k"), sp.has("z"));
sp.delete("k");
console.log(s.href);
// Setters.
const t = new URL("https://e.com/");
t.protocol = "http";
t.port = "8080";
t.pathname = "/x y";
t.hash = "h";
t.username = "me";
t.hostname = "host.test";
console.log(t.href);
t.port = "80";
console.log(t.href);
// URL.canParse and URL.parse.
console.log(URL.canParse("https://e.com"), URL.canParse("/rel"), URL.canParse("/rel", "https://e.com"), URL.parse("nope"), URL.parse("b", "https://e.com/a/").href);
// Origins.
console.log(new URL("blob:https://e.com/uuid").origin, new URL("file:///x").origin, new URL("data:text/plain,hi").origin);
// URLSearchParams on its own.
const q = new URLSearchParams("?b=2&a=1&b=1&c=%20+%2B&d");
console.log(q.toString(), q.size, q.get("c"), JSON.stringify(q.get("d")), q.get("none"));
q.sort();
console.log([...q].map(([k, v]) => k + "=" + v).join(" "), [...q.keys()].join(), [...q.values()].join());
console.log(q.has("b", "1"), q.has("b", "3"));
q.delete("b", "2");
console.log(q.toString());
console.log(new URLSearchParams({ x: "1", y: "a&b" }).toString(), new URLSearchParams([["k", "v"], ["k", "w"]]).toString(), new URLSearchParams(new URLSearchParams("m=n")).get("m"));
const seen = [];
new URLSearchParams("a=1&b=2").forEach((v, k, o) => seen.push(k + v + (o instanceof URLSearchParams)));
console.log(seen.join(), String(new URLSearchParams("a=\u{1F600}")), new URLSearchParams("a=%F0%9F%98%80").get("a"));
// Bodies take URLSearchParams.
const r = new Request("https://e.com/", { method: "POST", body: new URLSearchParams("a=1&b=2") });
console.log(r.headers.get("content-type"), await r.text());
for (const f of [
  () => new URL("nope"),
  () => new URL("/path"),
  () => new URL("http://a b/"),
  () => new URL("x", "not a base"),
  () => new URL(),
  () => { const v = new URL("https://e.com"); v.href = "broken"; },
  () => new URLSearchParams([["only one"]]),
  () => new URLSearchParams([5]),
  () => new URLSearchParams().append("a"),
  () => URL.prototype.toString.call({}),
]) {
  try { f(); console.log("no error"); } catch (err) { console.log(err.name + ": " + err.message); }
}
