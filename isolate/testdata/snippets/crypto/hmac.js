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
// RFC 4231 test cases 1, 2 and 6 (a key longer than the hash's block).
const cases = [
  { key: new Uint8Array(20).fill(0x0b), data: ascii("Hi There"), want: {
    "SHA-256": "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7",
    "SHA-384": "afd03944d84895626b0825f4ab46907f15f9dadbe4101ec682aa034c7cebc59cfaea9ea9076ede7f4af152e8b2fa9cb6",
    "SHA-512": "87aa7cdea5ef619d4ff0b4241a1d6cb02379f4e2ce4ec2787ad0b30545e17cdedaa833b7d6b8a702038b274eaea3f4e4be9d914eeb61f1702e696c203a126854",
  } },
  { key: ascii("Jefe"), data: ascii("what do ya want for nothing?"), want: {
    "SHA-256": "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843",
    "SHA-512": "164b7a7bfcf819e2e395fbe73b56e0a387bd64222e831fd610270cd7ea2505549758bf75c05a994a6d034f65f8f0e6fdcaeab1a34d4a6b4b636e070a38bce737",
  } },
  { key: new Uint8Array(131).fill(0xaa), data: ascii("Test Using Larger Than Block-Size Key - Hash Key First"), want: {
    "SHA-256": "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54",
  } },
];
for (const [i, c] of cases.entries()) {
  for (const [hash, want] of Object.entries(c.want)) {
    const key = await crypto.subtle.importKey("raw", c.key, { name: "HMAC", hash }, false, ["sign", "verify"]);
    const sig = await crypto.subtle.sign("HMAC", key, c.data);
    check(`RFC 4231 case ${[1, 2, 6][i]} ${hash}`, hex(sig), want);
    console.log("  verify:", await crypto.subtle.verify({ name: "HMAC" }, key, sig, c.data),
      "tampered:", await crypto.subtle.verify("HMAC", key, new Uint8Array(sig).map((b, j) => (j ? b : b ^ 1)), c.data),
      "short:", await crypto.subtle.verify("HMAC", key, sig.slice(0, 16), c.data));
  }
}
// RFC 2202 case 1 (HMAC-SHA-1), hash given as an object.
const k1 = await crypto.subtle.importKey("raw", new Uint8Array(20).fill(0x0b), { name: "hmac", hash: { name: "sha-1" } }, true, ["sign"]);
check("RFC 2202 case 1 SHA-1", hex(await crypto.subtle.sign("HMAC", k1, ascii("Hi There"))), "b617318655057264e28bc0b6fb378c8ef146be00");
console.log("algorithm:", JSON.stringify(k1.algorithm), "usages:", JSON.stringify(k1.usages), k1.type, k1.extractable);

// generateKey: the default length is the hash's block size.
for (const hash of ["SHA-1", "SHA-256", "SHA-384", "SHA-512"]) {
  const k = await crypto.subtle.generateKey({ name: "HMAC", hash }, true, ["sign", "verify"]);
  const raw = await crypto.subtle.exportKey("raw", k);
  console.log("generated", hash, k.algorithm.length, raw.byteLength);
}
const k160 = await crypto.subtle.generateKey({ name: "HMAC", hash: "SHA-256", length: 160 }, true, ["verify", "sign", "sign"]);
console.log("length 160:", k160.algorithm.length, (await crypto.subtle.exportKey("raw", k160)).byteLength, JSON.stringify(k160.usages));
// importKey with a length inside the last byte of the data.
const k12 = await crypto.subtle.importKey("raw", new Uint8Array(2), { name: "HMAC", hash: "SHA-256", length: 12 }, false, ["sign"]);
console.log("import length 12:", k12.algorithm.length);

// JWK round trip.
const jwk = await crypto.subtle.exportKey("jwk", cases[1] && await crypto.subtle.importKey("raw", ascii("Jefe"), { name: "HMAC", hash: "SHA-256" }, true, ["sign", "verify"]));
console.log("jwk:", JSON.stringify(jwk));
const back = await crypto.subtle.importKey("jwk", jwk, { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
check("jwk import signs the same", hex(await crypto.subtle.sign("HMAC", back, cases[1].data)), cases[1].want["SHA-256"]);

const signOnly = await crypto.subtle.importKey("raw", ascii("k"), { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
await fails("verify with a sign-only key", crypto.subtle.verify("HMAC", signOnly, new Uint8Array(32), ascii("x")));
await fails("sign as ECDSA", crypto.subtle.sign({ name: "ECDSA", hash: "SHA-256" }, signOnly, ascii("x")));
await fails("export non-extractable", crypto.subtle.exportKey("raw", signOnly));
await fails("empty key", crypto.subtle.importKey("raw", new Uint8Array(0), { name: "HMAC", hash: "SHA-256" }, false, ["sign"]));
await fails("encrypt usage", crypto.subtle.importKey("raw", ascii("k"), { name: "HMAC", hash: "SHA-256" }, false, ["encrypt"]));
await fails("no usages", crypto.subtle.importKey("raw", ascii("k"), { name: "HMAC", hash: "SHA-256" }, false, []));
await fails("no hash", crypto.subtle.importKey("raw", ascii("k"), { name: "HMAC" }, false, ["sign"]));
await fails("string algorithm", crypto.subtle.importKey("raw", ascii("k"), "HMAC", false, ["sign"]));
await fails("unknown hash", crypto.subtle.importKey("raw", ascii("k"), { name: "HMAC", hash: "MD5" }, false, ["sign"]));
await fails("length too long", crypto.subtle.importKey("raw", new Uint8Array(2), { name: "HMAC", hash: "SHA-256", length: 17 }, false, ["sign"]));
await fails("length too short", crypto.subtle.importKey("raw", new Uint8Array(2), { name: "HMAC", hash: "SHA-256", length: 8 }, false, ["sign"]));
await fails("generate length 0", crypto.subtle.generateKey({ name: "HMAC", hash: "SHA-256", length: 0 }, false, ["sign"]));
await fails("spki", crypto.subtle.importKey("spki", new Uint8Array(10), { name: "HMAC", hash: "SHA-256" }, false, ["sign"]));
await fails("jwk alg mismatch", crypto.subtle.importKey("jwk", { ...jwk, alg: "HS512" }, { name: "HMAC", hash: "SHA-256" }, false, ["sign"]));
await fails("jwk kty", crypto.subtle.importKey("jwk", { ...jwk, kty: "EC" }, { name: "HMAC", hash: "SHA-256" }, false, ["sign"]));
await fails("jwk no k", crypto.subtle.importKey("jwk", { kty: "oct" }, { name: "HMAC", hash: "SHA-256" }, false, ["sign"]));
await fails("jwk bad base64url", crypto.subtle.importKey("jwk", { kty: "oct", k: "a+b/" }, { name: "HMAC", hash: "SHA-256" }, false, ["sign"]));
