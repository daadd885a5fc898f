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
// Argument conversion (WebIDL): wrong types are TypeErrors, and every
// method reports them by rejecting its promise.
const key = await crypto.subtle.generateKey({ name: "AES-GCM", length: 128 }, true, ["encrypt"]);
const s = crypto.subtle;
await fails("encrypt, 2 arguments", s.encrypt({ name: "AES-GCM", iv: new Uint8Array(12) }, key));
await fails("verify, 3 arguments", s.verify("HMAC", key, new Uint8Array(1)));
await fails("generateKey, 2 arguments", s.generateKey({ name: "AES-GCM", length: 128 }, true));
await fails("deriveKey, 4 arguments", s.deriveKey("HKDF", key, "AES-GCM", true));
await fails("importKey, 4 arguments", s.importKey("raw", new Uint8Array(16), "AES-GCM", true));
await fails("unwrapKey, 6 arguments", s.unwrapKey("raw", new Uint8Array(16), key, "AES-KW", "AES-GCM", true));
await fails("key is a plain object", s.encrypt({ name: "AES-GCM", iv: new Uint8Array(12) }, { type: "secret" }, new Uint8Array(1)));
await fails("key is null", s.exportKey("raw", null));
await fails("usages not a sequence", s.generateKey({ name: "AES-GCM", length: 128 }, true, "encrypt"));
await fails("usages with an unknown usage", s.generateKey({ name: "AES-GCM", length: 128 }, true, ["encrypt", "frobnicate"]));
await fails("usages from an iterable", s.generateKey({ name: "AES-GCM", length: 128 }, true, new Set(["encrypt"])));
await fails("format unknown", s.exportKey("pem", key));
await fails("format jwk with bytes", s.importKey("jwk", new Uint8Array(16), "AES-GCM", true, ["encrypt"]));
await fails("format raw with a JWK", s.importKey("raw", { kty: "oct", k: "AAAAAAAAAAAAAAAAAAAAAA" }, "AES-GCM", true, ["encrypt"]));
await fails("format raw with a string", s.importKey("raw", "0123456789abcdef", "AES-GCM", true, ["encrypt"]));
await fails("jwk without kty", s.importKey("jwk", { k: "AAAAAAAAAAAAAAAAAAAAAA" }, "AES-GCM", true, ["encrypt"]));
await fails("algorithm is a symbol", s.digest(Symbol("SHA-256"), new Uint8Array(1)));
await fails("algorithm is null", s.digest(null, new Uint8Array(1)));
await fails("algorithm name is not a string", s.digest({ name: { toString: () => "SHA-256" } }, new Uint8Array(1)).then(() => { throw new Error("converted with toString: ok"); }));
await fails("hash is an unknown object", s.importKey("raw", new Uint8Array(16), { name: "HMAC", hash: { nom: "SHA-256" } }, true, ["sign"]));
await fails("a getter that throws", s.digest({ get name() { throw new RangeError("from a getter"); } }, new Uint8Array(1)));
await fails("extractable is coerced", s.generateKey({ name: "AES-GCM", length: 128 }, "yes", ["encrypt"]).then((k) => { throw new Error("extractable: " + k.extractable); }));
await fails("length is coerced from a string", s.generateKey({ name: "AES-GCM", length: "256" }, true, ["encrypt"]).then((k) => { throw new Error("length: " + k.algorithm.length); }));
await fails("length 1.9 truncates", s.generateKey({ name: "AES-GCM", length: 128.9 }, true, ["encrypt"]).then((k) => { throw new Error("length: " + k.algorithm.length); }));
await fails("length Infinity", s.generateKey({ name: "AES-GCM", length: Infinity }, true, ["encrypt"]));
await fails("length 65536", s.generateKey({ name: "AES-GCM", length: 65536 }, true, ["encrypt"]));
await fails("iterations -1", s.deriveBits({ name: "PBKDF2", hash: "SHA-256", salt: new Uint8Array(1), iterations: -1 },
  await s.importKey("raw", new Uint8Array(1), "PBKDF2", false, ["deriveBits"]), 256));
await fails("deriveBits length wraps modulo 2^32", s.deriveBits({ name: "HKDF", hash: "SHA-256", salt: new Uint8Array(1), info: new Uint8Array(1) },
  await s.importKey("raw", new Uint8Array(1), "HKDF", false, ["deriveBits"]), 2 ** 32 + 256).then((b) => { throw new Error("bytes: " + b.byteLength); }));
