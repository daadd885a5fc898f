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
// NIST SP 800-38A F.2.1 (CBC-AES128) and F.5.1 (CTR-AES128).
const K = unhex("2b7e151628aed2a6abf7158809cf4f3c");
const P = unhex("6bc1bee22e409f96e93d7e117393172aae2d8a571e03ac9c9eb76fac45af8e5130c81c46a35ce411e5fbc1191a0a52eff69f2445df4f9b17ad2b417be66c3710");
const cbc = await crypto.subtle.importKey("raw", K, "AES-CBC", true, ["encrypt", "decrypt"]);
const iv = unhex("000102030405060708090a0b0c0d0e0f");
const ct = await crypto.subtle.encrypt({ name: "AES-CBC", iv }, cbc, P);
// Web Crypto pads with PKCS#7: a whole block of padding follows.
console.log("CBC length:", ct.byteLength);
check("CBC F.2.1", hex(ct).slice(0, 128), "7649abac8119b246cee98e9b12e9197d5086cb9b507219ee95db113a917678b273bed6b8e3c1743b7116e69e222295163ff1caa1681fac09120eca307586e1a7");
check("CBC decrypt", hex(await crypto.subtle.decrypt({ name: "AES-CBC", iv }, cbc, ct)), hex(P));
for (const n of [0, 1, 15, 16, 17]) {
  const c = await crypto.subtle.encrypt({ name: "AES-CBC", iv }, cbc, new Uint8Array(n).fill(7));
  const p = await crypto.subtle.decrypt({ name: "AES-CBC", iv }, cbc, c);
  console.log("CBC", n, "bytes ->", c.byteLength, "->", p.byteLength);
}
console.log("CBC jwk alg:", (await crypto.subtle.exportKey("jwk", cbc)).alg);
await fails("CBC iv of 12 bytes", crypto.subtle.encrypt({ name: "AES-CBC", iv: new Uint8Array(12) }, cbc, P));
await fails("CBC wrong key (bad padding)", crypto.subtle.decrypt({ name: "AES-CBC", iv },
  await crypto.subtle.importKey("raw", new Uint8Array(16), "AES-CBC", false, ["decrypt"]), ct));
await fails("CBC partial block", crypto.subtle.decrypt({ name: "AES-CBC", iv }, cbc, ct.slice(0, 20)));
await fails("CBC empty", crypto.subtle.decrypt({ name: "AES-CBC", iv }, cbc, new Uint8Array(0)));

const ctr = await crypto.subtle.importKey("raw", K, "AES-CTR", true, ["encrypt", "decrypt"]);
const counter = unhex("f0f1f2f3f4f5f6f7f8f9fafbfcfdfeff");
const c5 = await crypto.subtle.encrypt({ name: "AES-CTR", counter, length: 64 }, ctr, P);
check("CTR F.5.1", hex(c5), "874d6191b620e3261bef6864990db6ce9806f66b7970fdff8617187bb9fffdff5ae4df3edbd5d35e5b4f09020db03eab1e031dda2fbe03d1792170a0f3009cee");
check("CTR decrypt", hex(await crypto.subtle.decrypt({ name: "AES-CTR", counter, length: 64 }, ctr, c5)), hex(P));
// With an 8-bit counter the low byte wraps to 00 without carrying: the
// second block then differs from F.5.1's.
const c8 = await crypto.subtle.encrypt({ name: "AES-CTR", counter, length: 8 }, ctr, P);
console.log("CTR length 8: first block same:", hex(c8).slice(0, 32) === hex(c5).slice(0, 32), "second block same:", hex(c8).slice(32, 64) === hex(c5).slice(32, 64));
const wrapped = new Uint8Array(counter);
wrapped[15] = 0;
const second = await crypto.subtle.encrypt({ name: "AES-CTR", counter: wrapped, length: 128 }, ctr, P.slice(16, 32));
console.log("CTR length 8: second block uses counter ...fe00:", hex(c8).slice(32, 64) === hex(second));
check("CTR length 8 decrypt", hex(await crypto.subtle.decrypt({ name: "AES-CTR", counter, length: 8 }, ctr, c8)), hex(P));
await fails("CTR 3 blocks with a 1-bit counter", crypto.subtle.encrypt({ name: "AES-CTR", counter, length: 1 }, ctr, P.slice(0, 48)));
await fails("CTR length 0", crypto.subtle.encrypt({ name: "AES-CTR", counter, length: 0 }, ctr, P));
await fails("CTR length 129", crypto.subtle.encrypt({ name: "AES-CTR", counter, length: 129 }, ctr, P));
await fails("CTR counter of 8 bytes", crypto.subtle.encrypt({ name: "AES-CTR", counter: new Uint8Array(8), length: 64 }, ctr, P));
await fails("CTR no length", crypto.subtle.encrypt({ name: "AES-CTR", counter }, ctr, P));
