// The shape of crypto, crypto.subtle and CryptoKey.
console.log(typeof crypto, crypto instanceof Crypto, Object.prototype.toString.call(crypto));
console.log(crypto.subtle instanceof SubtleCrypto, crypto.subtle === crypto.subtle, Object.prototype.toString.call(crypto.subtle));
console.log(Object.keys(crypto).length, "own enumerable properties;", "subtle" in crypto, Object.getOwnPropertyNames(Crypto.prototype).sort().join(","));
const fails = (label, f) => {
  try {
    f();
    console.log(label, "did not throw");
  } catch (e) {
    console.log(label, "->", e.name + ":", e.message);
  }
};
fails("new Crypto", () => new Crypto());
fails("new SubtleCrypto", () => new SubtleCrypto());
fails("new CryptoKey", () => new CryptoKey());
fails("subtle getter on another object", () => Object.getOwnPropertyDescriptor(Crypto.prototype, "subtle").get.call({}));

const key = await crypto.subtle.generateKey({ name: "HMAC", hash: "SHA-256" }, false, ["verify", "sign"]);
console.log(key instanceof CryptoKey, Object.prototype.toString.call(key), key.type, key.extractable);
console.log("algorithm is cached:", key.algorithm === key.algorithm, "usages is cached:", key.usages === key.usages);
console.log("usages in canonical order:", JSON.stringify(key.usages));
console.log("own keys:", JSON.stringify(Object.keys(key)), JSON.stringify(key));
fails("type getter on another object", () => Object.getOwnPropertyDescriptor(CryptoKey.prototype, "type").get.call({}));
const pair = await crypto.subtle.generateKey("Ed25519", true, ["sign", "verify"]);
console.log("key pair:", Object.keys(pair).join(","), pair.constructor === Object);
// Methods are on the prototype, with their WebIDL lengths.
const s = SubtleCrypto.prototype;
console.log(["encrypt", "decrypt", "sign", "verify", "digest", "generateKey", "deriveKey", "deriveBits", "importKey", "exportKey", "wrapKey", "unwrapKey"]
  .map((m) => m + "/" + s[m].length).join(" "));
// Every method returns a promise, even when its arguments are wrong.
const p = crypto.subtle.sign();
console.log("rejects rather than throws:", p instanceof Promise, await p.then(() => "resolved", (e) => e.name));
// timingSafeEqual (workerd's extension).
console.log("timingSafeEqual:", crypto.subtle.timingSafeEqual(new Uint8Array([1, 2]), new Uint8Array([1, 2])),
  crypto.subtle.timingSafeEqual(new Uint8Array([1, 2]).buffer, new Uint8Array([1, 3])));
fails("timingSafeEqual lengths", () => crypto.subtle.timingSafeEqual(new Uint8Array(1), new Uint8Array(2)));
// A subclass of nothing: user code can still shadow the global.
globalThis.crypto = { custom: true };
console.log("replaceable:", crypto.custom);
