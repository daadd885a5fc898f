const hex = (b) => Array.from(new Uint8Array(b), (x) => x.toString(16).padStart(2, "0")).join("");
const unhex = (s) => new Uint8Array(s.match(/../g).map((h) => parseInt(h, 16)));
const ascii = (s) => new Uint8Array(Array.from(s, (c) => c.charCodeAt(0)));
const check = (label, got, want) => console.log(label, got === want ? "ok" : "MISMATCH " + got);
const fails = async (label, p) => {
  try {
    await p;
    console.log(label, "resolved");
  } catch (e) {
    console.log(label, "->", e.name + ":", e.message);
  }
};
// FIPS 180 examples: "abc" and the empty string.
const abc = ascii("abc");
check("SHA-1 abc", hex(await crypto.subtle.digest("SHA-1", abc)), "a9993e364706816aba3e25717850c26c9cd0d89d");
check("SHA-256 abc", hex(await crypto.subtle.digest("SHA-256", abc)), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
check("SHA-384 abc", hex(await crypto.subtle.digest("SHA-384", abc)),
  "cb00753f45a35e8bb5a03d699ac65007272c32ab0eded1631a8b605a43ff5bed8086072ba1e7cc2358baeca134c825a7");
check("SHA-512 abc", hex(await crypto.subtle.digest("SHA-512", abc)),
  "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f");
check("SHA-256 empty", hex(await crypto.subtle.digest("SHA-256", new Uint8Array(0))),
  "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
// Algorithm as an object, names in any case; data as any BufferSource.
const viaObject = hex(await crypto.subtle.digest({ name: "sha-256" }, abc.buffer));
check("object name, ArrayBuffer", viaObject, hex(await crypto.subtle.digest("SHA-256", abc)));
const big = new Uint8Array([0, 0, 97, 98, 99, 0]);
check("DataView slice", hex(await crypto.subtle.digest("SHA-256", new DataView(big.buffer, 2, 3))), viaObject);
check("Uint8Array subarray", hex(await crypto.subtle.digest("SHA-256", big.subarray(2, 5))), viaObject);
check("Uint16Array", hex(await crypto.subtle.digest("SHA-1", new Uint16Array([0x6261, 0x63]))),
  hex(await crypto.subtle.digest("SHA-1", new Uint8Array([0x61, 0x62, 0x63, 0]))));
const res = await crypto.subtle.digest("SHA-256", abc);
console.log("result is an ArrayBuffer:", res instanceof ArrayBuffer, res.byteLength);
// A megabyte runs off the event loop and gives the same answer.
const mb = new Uint8Array(1 << 20).fill(97);
console.log("1 MiB:", hex(await crypto.subtle.digest("SHA-256", mb)));
const p = crypto.subtle.digest("SHA-256", abc);
console.log("returns a promise:", p instanceof Promise);
await fails("unknown algorithm", crypto.subtle.digest("SHA-3", abc));
await fails("HMAC is no digest", crypto.subtle.digest("HMAC", abc));
await fails("number algorithm", crypto.subtle.digest(256, abc));
await fails("no name", crypto.subtle.digest({}, abc));
await fails("string data", crypto.subtle.digest("SHA-256", "abc"));
await fails("array data", crypto.subtle.digest("SHA-256", [1, 2, 3]));
await fails("one argument", crypto.subtle.digest("SHA-256"));
await fails("unbound", crypto.subtle.digest.call({}, "SHA-256", abc));
