console.log(btoa(""), btoa("f"), btoa("fo"), btoa("foo"), btoa("foob"), btoa("\u00ff\u00fe\u0000"));
console.log(JSON.stringify([atob(""), atob("Zg=="), atob("Zg"), atob("Zm8="), atob("Zm9v"), atob(" Zm 9v\nYg==\t")]));
// Non-zero leftover bits are forgiven; the result is a binary string.
console.log(JSON.stringify(atob("Zh")), atob("//79").split("").map((c) => c.charCodeAt(0)).join(","));
// Arguments are converted to strings.
console.log(btoa(123), atob(undefined === 1 ? "" : "MTIz"), JSON.stringify(atob(null)));
// A round trip of every byte value.
let all = "";
for (let i = 0; i < 256; i++) all += String.fromCharCode(i);
console.log(atob(btoa(all)) === all, btoa(all).length);
// Bytes <-> base64 the usual way.
const bytes = new TextEncoder().encode("h\u00e9llo \u{1F600}");
const b64 = btoa(String.fromCharCode(...bytes));
console.log(b64, new TextDecoder().decode(Uint8Array.from(atob(b64), (c) => c.charCodeAt(0))));
for (const f of [
  () => atob("Zg="),
  () => atob("Z"),
  () => atob("Zm9v="),
  () => atob("Zm9v===="),
  () => atob("Zm-v"),
  () => atob("Zm9\u00e9"),
  () => atob("Zg==Zg=="),
  () => btoa("\u20ac"),
  () => btoa("\uD800"),
  () => atob(),
  () => btoa(),
]) {
  try { console.log("no error", JSON.stringify(f())); } catch (e) { console.log(e.name + " (" + (e instanceof DOMException ? "DOMException " + e.code : "") + "): " + e.message); }
}
