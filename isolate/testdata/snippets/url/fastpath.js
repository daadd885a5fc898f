// URL objects over the fast path (request URLs in serialized form) through
// reads, writes and the move to the full parser.
const a = new URL("http://127.0.0.1/json?name=x#h"), b = new URL("http://127.0.0.1/json?name=x#h");
a.searchParams.set("name", "y z");
a.searchParams.append("k", "é");
console.log(a.href, b.href, a.search, a.searchParams.get("name"));
a.search = "?q=1";
console.log(a.searchParams.get("q"), a.searchParams.size, a.href);
a.pathname = "/x/../y";
a.hash = "";
console.log(a.href, a.pathname);
a.host = "EXAMPLE.com:80";
a.searchParams.delete("q");
console.log(a.href, a.origin, URL.canParse("http://a/", "bad"), URL.parse("http://a/b", "http://c/").href);
const c = new URL("https://h:8443/p");
c.port = "443";
console.log(c.href, new URL("https://h/", "x:").href);
