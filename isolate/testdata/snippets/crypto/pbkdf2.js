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
const derive = async (password, salt, iterations, hash, bits) => {
  const key = await crypto.subtle.importKey("raw", ascii(password), "PBKDF2", false, ["deriveBits"]);
  return hex(await crypto.subtle.deriveBits({ name: "PBKDF2", salt: ascii(salt), iterations, hash }, key, bits));
};
// RFC 6070 (PBKDF2-HMAC-SHA1).
check("RFC 6070 c=1", await derive("password", "salt", 1, "SHA-1", 160), "0c60c80f961f0e71f3a9b524af6012062fe037a6");
check("RFC 6070 c=2", await derive("password", "salt", 2, "SHA-1", 160), "ea6c014dc72d6f8ccd1ed92ace1d41f0d8de8957");
check("RFC 6070 c=4096", await derive("password", "salt", 4096, "SHA-1", 160), "4b007901b765489abead49d926f721d065a429c1");
check("RFC 6070 c=4096 dkLen=25", await derive("passwordPASSWORDpassword", "saltSALTsaltSALTsaltSALTsaltSALTsalt", 4096, "SHA-1", 200),
  "3d2eec4fe41c849b80c8d83662c0e44a8b291a964cf2f07038");
// RFC 7914 section 11 (PBKDF2-HMAC-SHA256); the second runs off the event loop.
check("RFC 7914 c=1", await derive("passwd", "salt", 1, "SHA-256", 512),
  "55ac046e56e3089fec1691c22544b605f94185216dde0465e68b9d57c20dacbc49ca9cccf179b645991664b39d77ef317c71b845b1e30bd509112041d3a19783");
check("RFC 7914 c=80000", await derive("Password", "NaCl", 80000, "SHA-256", 512),
  "4ddcd8f60b98be21830cee5ef22701f9641a4418d04c0414aeff08876b34ab56a1d425a1225833549adb841b51c9b3176a272bdebba1d078478f62b397f33c8d");
// OWASP's 600,000 iterations: off the loop, and not counted as CPU time.
console.log("600000 iterations:", (await derive("pw", "salt", 600000, "SHA-256", 256)).length / 2, "bytes");
console.log("zero length:", await derive("pw", "salt", 1, "SHA-256", 0) === "");

// deriveKey: an AES-GCM key from a password.
const base = await crypto.subtle.importKey("raw", ascii("correct horse"), { name: "PBKDF2" }, false, ["deriveKey", "deriveBits"]);
console.log("base key:", base.type, base.extractable, JSON.stringify(base.algorithm), JSON.stringify(base.usages));
const params = { name: "PBKDF2", salt: ascii("pepper"), iterations: 1000, hash: "SHA-256" };
const aes = await crypto.subtle.deriveKey(params, base, { name: "AES-GCM", length: 256 }, true, ["encrypt", "decrypt"]);
check("deriveKey = deriveBits", hex(await crypto.subtle.exportKey("raw", aes)), hex(await crypto.subtle.deriveBits(params, base, 256)));
const hmac = await crypto.subtle.deriveKey(params, base, { name: "HMAC", hash: "SHA-512" }, true, ["sign"]);
console.log("HMAC key derived with the hash's block size:", hmac.algorithm.length, (await crypto.subtle.exportKey("raw", hmac)).byteLength);

await fails("iterations 0", crypto.subtle.deriveBits({ ...params, iterations: 0 }, base, 256));
await fails("iterations too many", crypto.subtle.deriveBits({ ...params, iterations: 20000000 }, base, 256));
await fails("length null", crypto.subtle.deriveBits(params, base, null));
await fails("length not a multiple of 8", crypto.subtle.deriveBits(params, base, 12));
await fails("no salt", crypto.subtle.deriveBits({ name: "PBKDF2", iterations: 1, hash: "SHA-256" }, base, 256));
await fails("extractable", crypto.subtle.importKey("raw", ascii("pw"), "PBKDF2", true, ["deriveBits"]));
await fails("jwk", crypto.subtle.importKey("jwk", { kty: "oct", k: "cHc" }, "PBKDF2", false, ["deriveBits"]));
await fails("sign usage", crypto.subtle.importKey("raw", ascii("pw"), "PBKDF2", false, ["sign"]));
await fails("export", crypto.subtle.exportKey("raw", base));
await fails("generateKey", crypto.subtle.generateKey("PBKDF2", false, ["deriveBits"]));
await fails("deriveKey to PBKDF2 (no length)", crypto.subtle.deriveKey(params, base, "PBKDF2", false, ["deriveBits"]));
await fails("deriveKey to AES length 100", crypto.subtle.deriveKey(params, base, { name: "AES-GCM", length: 100 }, false, ["encrypt"]));
await fails("deriveKey to ECDSA", crypto.subtle.deriveKey(params, base, { name: "ECDSA", namedCurve: "P-256" }, false, ["sign"]));
const bitsOnly = await crypto.subtle.importKey("raw", ascii("pw"), "PBKDF2", false, ["deriveBits"]);
await fails("deriveKey without the usage", crypto.subtle.deriveKey(params, bitsOnly, { name: "AES-GCM", length: 128 }, false, ["encrypt"]));
