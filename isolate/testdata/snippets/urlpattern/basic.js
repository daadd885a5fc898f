// From a string, with a base URL, and from an init dictionary.
const p = new URLPattern({ protocol: "https", hostname: "*.example.com", pathname: "/books/:id(\\d+){/:rest}*", search: "q=*" });
console.log(String(p), p.protocol, p.hostname, p.pathname, p.search, p.hash, p.hasRegExpGroups);
console.log(p.test("https://shop.example.com/books/42/a/b?q=1#top"), p.test("https://shop.example.com/books/x"));
const m = p.exec("https://shop.example.com/books/42/a/b?q=1#top");
console.log(JSON.stringify(m.inputs), JSON.stringify(m.hostname), JSON.stringify(m.pathname), m.search.input, m.hash.input);
const rel = new URLPattern("/users/:id", "https://api.example.com");
console.log(rel.protocol, rel.hostname, rel.pathname, rel.test("https://api.example.com/users/7"), rel.test("/users/7", "https://api.example.com"));
const init = new URLPattern({ pathname: "/files/:name.:ext", baseURL: "https://cdn.example.com" });
const im = init.exec({ pathname: "/files/logo.png", protocol: "https", hostname: "cdn.example.com" });
console.log(init.protocol, init.pathname, JSON.stringify(im.pathname.groups), JSON.stringify(im.inputs));
// Optional groups that do not match are undefined; the default pattern matches everything.
const opt = new URLPattern({ pathname: "/post/:slug/:page?" });
const om = opt.exec("https://blog.example/post/hello");
console.log(JSON.stringify(om.pathname.groups), "page" in om.pathname.groups, om.pathname.groups.page);
console.log(new URLPattern().test("https://anything.example/x?y#z"), new URLPattern({}).pathname);
// ignoreCase.
const ic = new URLPattern({ pathname: "/About" }, { ignoreCase: true });
console.log(ic.test({ pathname: "/about" }), new URLPattern({ pathname: "/About" }).test({ pathname: "/about" }));
// No match gives null; an unparsable URL does not match.
console.log(rel.exec("https://other.example.com/users/7"), rel.test("not a url"), rel.exec("/users/1"));
// Routing with it.
const routes = [[new URLPattern({ pathname: "/api/items/:id" }), "item"], [new URLPattern({ pathname: "/api/*" }), "api"]];
for (const url of ["https://h/api/items/3", "https://h/api/other", "https://h/home"]) {
  const hit = routes.find(([pat]) => pat.test(url));
  console.log(url, "->", hit ? hit[1] + " " + JSON.stringify(hit[0].exec(url).pathname.groups) : "404");
}
for (const f of [
  () => new URLPattern("/no-base"),
  () => new URLPattern({ pathname: "/(" }),
  () => new URLPattern({ pathname: "/:id" }, "https://base.example"),
  () => new URLPattern({ pathname: "/" }, 5),
  () => rel.test({ pathname: "/" }, "https://base.example"),
  () => URLPattern.prototype.test.call({}, "https://x"),
]) {
  try { f(); console.log("no error"); } catch (err) { console.log(err.name + ": " + err.message); }
}
