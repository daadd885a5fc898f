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
// RFC 3394 sections 4.1 (128-bit KEK, 128-bit key) and 4.6 (256-bit KEK,
// 256-bit key), through wrapKey/unwrapKey with the "raw" format.
const kek128 = await crypto.subtle.importKey("raw", unhex("000102030405060708090a0b0c0d0e0f"), "AES-KW", true, ["wrapKey", "unwrapKey"]);
const key128 = await crypto.subtle.importKey("raw", unhex("00112233445566778899aabbccddeeff"), "AES-GCM", true, ["encrypt"]);
const w1 = await crypto.subtle.wrapKey("raw", key128, kek128, "AES-KW");
check("RFC 3394 4.1", hex(w1), "1fa68b0a8112b447aef34bd8fb5a7b829d3e862371d2cfe5");
const u1 = await crypto.subtle.unwrapKey("raw", w1, kek128, "AES-KW", "AES-GCM", true, ["encrypt", "decrypt"]);
console.log("unwrapped:", hex(await crypto.subtle.exportKey("raw", u1)), JSON.stringify(u1.algorithm), JSON.stringify(u1.usages));

const kek256 = await crypto.subtle.importKey("raw", unhex("000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"), { name: "AES-KW" }, false, ["wrapKey", "unwrapKey"]);
const key256 = await crypto.subtle.importKey("raw", unhex("00112233445566778899aabbccddeeff000102030405060708090a0b0c0d0e0f"), "AES-CBC", true, ["decrypt"]);
const w6 = await crypto.subtle.wrapKey("raw", key256, kek256, { name: "AES-KW" });
check("RFC 3394 4.6", hex(w6), "28c9f404c4b810f4cbccb35cfb87f8263f5786e2d80ed326cbc7f0e71a99f43bfb988b9b7a02dd21");
const u6 = await crypto.subtle.unwrapKey("raw", w6, kek256, "AES-KW", "AES-CBC", false, ["decrypt"]);
console.log("unwrapped 256:", u6.algorithm.length, u6.extractable);

const bad = new Uint8Array(w1);
bad[0] ^= 1;
await fails("tampered", crypto.subtle.unwrapKey("raw", bad, kek128, "AES-KW", "AES-GCM", true, ["encrypt"]));
await fails("wrong length", crypto.subtle.unwrapKey("raw", w1.slice(0, 20), kek128, "AES-KW", "AES-GCM", true, ["encrypt"]));
await fails("encrypt with AES-KW", crypto.subtle.encrypt("AES-KW", kek128, new Uint8Array(16)));
await fails("AES-KW encrypt usage", crypto.subtle.generateKey({ name: "AES-KW", length: 128 }, true, ["encrypt"]));
const hmac = await crypto.subtle.importKey("raw", new Uint8Array(5), { name: "HMAC", hash: "SHA-256" }, true, ["sign"]);
await fails("wrap 5 bytes", crypto.subtle.wrapKey("raw", hmac, kek128, "AES-KW"));
