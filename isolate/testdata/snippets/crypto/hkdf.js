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
// RFC 5869 test cases 1 and 3 (SHA-256) and 4 (SHA-1).
const cases = [
  ["case 1", "SHA-256", "0b".repeat(22), "000102030405060708090a0b0c", "f0f1f2f3f4f5f6f7f8f9", 42,
    "3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865"],
  ["case 3", "SHA-256", "0b".repeat(22), "", "", 42,
    "8da4e775a563c18f715f802a063c5a31b8a11f5c5ee1879ec3454e5f3c738d2d9d201395faa4b61a96c8"],
  ["case 4", "SHA-1", "0b".repeat(11), "000102030405060708090a0b0c", "f0f1f2f3f4f5f6f7f8f9", 42,
    "085a01ea1b10f36933068b56efa5ad81a4f14b822f5b091568a9cdd4f155fda2c22e422478d305f3f896"],
];
const bytes = (h) => (h ? unhex(h) : new Uint8Array(0));
for (const [label, hash, ikm, salt, info, L, okm] of cases) {
  const key = await crypto.subtle.importKey("raw", bytes(ikm), "HKDF", false, ["deriveBits"]);
  check("RFC 5869 " + label, hex(await crypto.subtle.deriveBits({ name: "HKDF", hash, salt: bytes(salt), info: bytes(info) }, key, L * 8)), okm);
}
const base = await crypto.subtle.importKey("raw", ascii("input keying material"), "HKDF", false, ["deriveKey", "deriveBits"]);
const params = { name: "HKDF", hash: "SHA-256", salt: ascii("salt"), info: ascii("edgefn") };
const hmac = await crypto.subtle.deriveKey(params, base, { name: "HMAC", hash: "SHA-256", length: 256 }, true, ["sign", "verify"]);
check("deriveKey HMAC", hex(await crypto.subtle.exportKey("raw", hmac)), hex(await crypto.subtle.deriveBits(params, base, 256)));
const aes = await crypto.subtle.deriveKey(params, base, { name: "AES-CTR", length: 128 }, false, ["encrypt"]);
console.log("deriveKey AES-CTR:", JSON.stringify(aes.algorithm), aes.extractable);
console.log("255 * 32 bytes:", (await crypto.subtle.deriveBits(params, base, 255 * 32 * 8)).byteLength);
await fails("more than 255 blocks", crypto.subtle.deriveBits(params, base, 255 * 32 * 8 + 8));
await fails("length null", crypto.subtle.deriveBits(params, base, null));
await fails("no length", crypto.subtle.deriveBits(params, base));
await fails("length 7", crypto.subtle.deriveBits(params, base, 7));
await fails("no info", crypto.subtle.deriveBits({ name: "HKDF", hash: "SHA-256", salt: ascii("s") }, base, 256));
await fails("hash MD5", crypto.subtle.deriveBits({ ...params, hash: "MD5" }, base, 256));
await fails("PBKDF2 params for an HKDF key", crypto.subtle.deriveBits({ name: "PBKDF2", hash: "SHA-256", salt: ascii("s"), iterations: 1 }, base, 256));
await fails("extractable", crypto.subtle.importKey("raw", ascii("k"), "HKDF", true, ["deriveBits"]));
