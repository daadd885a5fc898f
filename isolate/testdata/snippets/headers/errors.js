for (const f of [
  () => new Headers({ "bad name": "x" }),
  () => new Headers([["a"]]),
  () => new Headers(5),
  () => new Headers().set("x", "a\nb"),
  () => new Headers().append("é", "x"),
  () => Headers.prototype.get.call({}, "x"),
  () => request.headers.set("x", "y"),
]) {
  try {
    f();
    console.log("no error");
  } catch (e) {
    console.log(e.constructor.name + ": " + e.message);
  }
}
