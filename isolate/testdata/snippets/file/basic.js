const f = new File(["abc", new Uint8Array([100])], "notes.txt", { type: "text/plain", lastModified: 1700000000000 });
console.log(String(f), f.name, f.size, f.type, f.lastModified, f instanceof Blob, f instanceof File, JSON.stringify(f.webkitRelativePath));
console.log(await f.text(), Object.getPrototypeOf(File) === Blob);
// slice() of a File is a Blob.
const s = f.slice(1, 3);
console.log(s instanceof File, s instanceof Blob, await s.text());
// lastModified defaults to now.
const now = Date.now();
const g = new File([], "empty");
console.log(g.size, g.type === "", Math.abs(g.lastModified - now) < 5000);
// Subclassing works.
class Named extends File { hello() { return "I am " + this.name; } }
console.log(new Named(["x"], "sub.bin").hello(), await new Named(["x"], "s").text());
for (const f of [
  () => new File(["x"]),
  () => new File(),
  () => Object.getOwnPropertyDescriptor(File.prototype, "name").get.call(new Blob([])),
]) {
  try { f(); console.log("no error"); } catch (e) { console.log(e.name + ": " + e.message); }
}
