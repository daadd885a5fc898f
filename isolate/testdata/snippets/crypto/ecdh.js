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
const b64u = (bytes) => {
  const abc = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  let out = "";
  for (let i = 0; i < bytes.length; i += 3) {
    const n = (bytes[i] << 16) | ((bytes[i + 1] ?? 0) << 8) | (bytes[i + 2] ?? 0);
    out += [18, 12, 6, 0].map((s) => abc[(n >> s) & 63]).slice(0, bytes.length - i >= 3 ? 4 : bytes.length - i + 1).join("");
  }
  return out;
};
// RFC 7748 section 6.1: X25519 between Alice and Bob.
const alicePriv = "77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a";
const alicePub = "8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a";
const bobPriv = "5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb";
const bobPub = "de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f";
const shared = "4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742";
const alice = await crypto.subtle.importKey("jwk", { kty: "OKP", crv: "X25519", d: b64u(unhex(alicePriv)), x: b64u(unhex(alicePub)) }, "X25519", true, ["deriveBits", "deriveKey"]);
const bob = await crypto.subtle.importKey("raw", unhex(bobPub), { name: "X25519" }, true, []);
check("RFC 7748 6.1 Alice", hex(await crypto.subtle.deriveBits({ name: "X25519", public: bob }, alice, 256)), shared);
const bobKey = await crypto.subtle.importKey("jwk", { kty: "OKP", crv: "X25519", d: b64u(unhex(bobPriv)), x: b64u(unhex(bobPub)) }, "X25519", false, ["deriveBits"]);
const aliceKey = await crypto.subtle.importKey("raw", unhex(alicePub), "X25519", false, []);
check("RFC 7748 6.1 Bob", hex(await crypto.subtle.deriveBits({ name: "X25519", public: aliceKey }, bobKey, null)), shared);
check("length 128", hex(await crypto.subtle.deriveBits({ name: "X25519", public: bob }, alice, 128)), shared.slice(0, 32));
check("length 12", hex(await crypto.subtle.deriveBits({ name: "X25519", public: bob }, alice, 12)), "4a50");
console.log("X25519 algorithm:", JSON.stringify(alice.algorithm), "usages:", JSON.stringify(alice.usages), JSON.stringify(bob.usages));
const spki = await crypto.subtle.exportKey("spki", bob);
const p8 = await crypto.subtle.exportKey("pkcs8", alice);
const bob2 = await crypto.subtle.importKey("spki", spki, "X25519", true, []);
const alice2 = await crypto.subtle.importKey("pkcs8", p8, "X25519", false, ["deriveBits"]);
check("spki/pkcs8 round trip", hex(await crypto.subtle.deriveBits({ name: "X25519", public: bob2 }, alice2, 256)), shared);
await fails("all-zero result (small-order point)", crypto.subtle.deriveBits({ name: "X25519", public: await crypto.subtle.importKey("raw", new Uint8Array(32), "X25519", false, []) }, alice, 256));

// ECDH on the NIST curves: both sides derive the same secret.
for (const [namedCurve, bits] of [["P-256", 256], ["P-384", 384], ["P-521", 528]]) {
  const a = await crypto.subtle.generateKey({ name: "ECDH", namedCurve }, true, ["deriveBits", "deriveKey"]);
  const b = await crypto.subtle.generateKey({ name: "ECDH", namedCurve }, true, ["deriveBits"]);
  const ab = await crypto.subtle.deriveBits({ name: "ECDH", public: b.publicKey }, a.privateKey, null);
  const ba = await crypto.subtle.deriveBits({ name: "ECDH", public: a.publicKey }, b.privateKey, null);
  console.log(namedCurve, "secret bits:", ab.byteLength * 8, "equal:", hex(ab) === hex(ba), "public usages:", JSON.stringify(a.publicKey.usages),
    "full length:", (await crypto.subtle.deriveBits({ name: "ECDH", public: b.publicKey }, a.privateKey, bits)).byteLength);
  // deriveKey: an AES key both sides agree on.
  const k = await crypto.subtle.deriveKey({ name: "ECDH", public: b.publicKey }, a.privateKey, { name: "AES-GCM", length: 256 }, true, ["encrypt"]);
  check(namedCurve + " deriveKey = first 256 bits", hex(await crypto.subtle.exportKey("raw", k)), hex(ab).slice(0, 64));
  const jwk = await crypto.subtle.exportKey("jwk", a.privateKey);
  const back = await crypto.subtle.importKey("jwk", jwk, { name: "ECDH", namedCurve }, false, ["deriveBits"]);
  check(namedCurve + " jwk round trip", hex(await crypto.subtle.deriveBits({ name: "ECDH", public: b.publicKey }, back, null)), hex(ab));
}
const p256 = await crypto.subtle.generateKey({ name: "ECDH", namedCurve: "P-256" }, true, ["deriveBits"]);
const p384 = await crypto.subtle.generateKey({ name: "ECDH", namedCurve: "P-384" }, true, ["deriveBits"]);
const ecdsa = await crypto.subtle.generateKey({ name: "ECDSA", namedCurve: "P-256" }, true, ["sign", "verify"]);
await fails("curves differ", crypto.subtle.deriveBits({ name: "ECDH", public: p384.publicKey }, p256.privateKey, 256));
await fails("public is an ECDSA key", crypto.subtle.deriveBits({ name: "ECDH", public: ecdsa.publicKey }, p256.privateKey, 256));
await fails("public is a private key", crypto.subtle.deriveBits({ name: "ECDH", public: p256.privateKey }, p256.privateKey, 256));
await fails("public is not a key", crypto.subtle.deriveBits({ name: "ECDH", public: "key" }, p256.privateKey, 256));
await fails("no public", crypto.subtle.deriveBits({ name: "ECDH" }, p256.privateKey, 256));
await fails("base key is public", crypto.subtle.deriveBits({ name: "ECDH", public: p256.publicKey }, p256.publicKey, 256));
await fails("length too long", crypto.subtle.deriveBits({ name: "ECDH", public: p256.publicKey }, p256.privateKey, 264));
await fails("X25519 public for ECDH", crypto.subtle.deriveBits({ name: "ECDH", public: bob }, p256.privateKey, 256));
await fails("deriveKey without the usage", crypto.subtle.deriveKey({ name: "ECDH", public: p256.publicKey }, p256.privateKey, { name: "AES-GCM", length: 128 }, false, ["encrypt"]));
await fails("public key with usages", crypto.subtle.importKey("raw", await crypto.subtle.exportKey("raw", p256.publicKey), { name: "ECDH", namedCurve: "P-256" }, false, ["deriveBits"]));
await fails("sign usage", crypto.subtle.generateKey({ name: "ECDH", namedCurve: "P-256" }, false, ["sign"]));
const dk = await crypto.subtle.generateKey({ name: "ECDH", namedCurve: "P-256" }, false, ["deriveKey"]);
await fails("deriveKey to HMAC of length 0", crypto.subtle.deriveKey({ name: "ECDH", public: p256.publicKey }, dk.privateKey, { name: "HMAC", hash: "SHA-256", length: 0 }, false, ["sign"]));
