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
// wrapKey exports, then encrypts; unwrapKey decrypts, then imports.
const kek = await crypto.subtle.generateKey({ name: "AES-GCM", length: 256 }, false, ["wrapKey", "unwrapKey"]);
const hmac = await crypto.subtle.generateKey({ name: "HMAC", hash: "SHA-256" }, true, ["sign", "verify"]);
const iv = new Uint8Array(12);
const wrapped = await crypto.subtle.wrapKey("jwk", hmac, kek, { name: "AES-GCM", iv });
const plain = await crypto.subtle.decrypt({ name: "AES-GCM", iv },
  await crypto.subtle.importKey("raw", new Uint8Array(32), "AES-GCM", false, ["decrypt"]), wrapped).catch(() => "not with another key");
console.log("wrapped jwk:", wrapped.byteLength > 100, plain);
const back = await crypto.subtle.unwrapKey("jwk", wrapped, kek, { name: "AES-GCM", iv }, { name: "HMAC", hash: "SHA-256" }, true, ["sign"]);
check("jwk wrap round trip", hex(await crypto.subtle.exportKey("raw", back)), hex(await crypto.subtle.exportKey("raw", hmac)));
console.log("unwrapped:", back.type, JSON.stringify(back.algorithm), JSON.stringify(back.usages), back.extractable);

// The JSON inside is the exported JWK: check it with a key we can decrypt with.
const rawKek = await crypto.subtle.importKey("raw", new Uint8Array(16).fill(1), "AES-CBC", false, ["wrapKey", "decrypt"]);
const aes = await crypto.subtle.importKey("raw", new Uint8Array(16).fill(2), "AES-CTR", true, ["encrypt"]);
const w = await crypto.subtle.wrapKey("jwk", aes, rawKek, { name: "AES-CBC", iv: new Uint8Array(16) });
const json = String.fromCharCode(...new Uint8Array(await crypto.subtle.decrypt({ name: "AES-CBC", iv: new Uint8Array(16) }, rawKek, w)));
console.log("inside:", json);

// Private keys wrapped as pkcs8 and as jwk.
const ec = await crypto.subtle.generateKey({ name: "ECDSA", namedCurve: "P-256" }, true, ["sign", "verify"]);
for (const format of ["pkcs8", "jwk"]) {
  const wrappedEc = await crypto.subtle.wrapKey(format, ec.privateKey, kek, { name: "AES-GCM", iv });
  const ec2 = await crypto.subtle.unwrapKey(format, wrappedEc, kek, { name: "AES-GCM", iv }, { name: "ECDSA", namedCurve: "P-256" }, false, ["sign"]);
  const data = ascii("data");
  console.log(format, "wrapped EC key signs:", await crypto.subtle.verify({ name: "ECDSA", hash: "SHA-256" }, ec.publicKey,
    await crypto.subtle.sign({ name: "ECDSA", hash: "SHA-256" }, ec2, data), data));
}

const encOnly = await crypto.subtle.generateKey({ name: "AES-GCM", length: 128 }, false, ["encrypt", "decrypt"]);
await fails("wrapping key without wrapKey", crypto.subtle.wrapKey("raw", hmac, encOnly, { name: "AES-GCM", iv }));
await fails("unwrapping key without unwrapKey", crypto.subtle.unwrapKey("raw", wrapped, encOnly, { name: "AES-GCM", iv }, "AES-GCM", false, ["encrypt"]));
const secret = await crypto.subtle.generateKey({ name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
await fails("key not extractable", crypto.subtle.wrapKey("raw", secret, kek, { name: "AES-GCM", iv }));
await fails("wrap with HMAC", crypto.subtle.wrapKey("raw", hmac, hmac, "HMAC"));
await fails("unwrap garbage as jwk", crypto.subtle.unwrapKey("jwk", await crypto.subtle.encrypt({ name: "AES-GCM", iv }, await crypto.subtle.importKey("raw", new Uint8Array(16), "AES-GCM", false, ["encrypt"]), ascii("{not json")),
  await crypto.subtle.importKey("raw", new Uint8Array(16), "AES-GCM", false, ["unwrapKey"]), { name: "AES-GCM", iv }, "AES-GCM", false, ["encrypt"]));
await fails("wrong iv", crypto.subtle.unwrapKey("jwk", wrapped, kek, { name: "AES-GCM", iv: new Uint8Array(12).fill(1) }, { name: "HMAC", hash: "SHA-256" }, true, ["sign"]));
await fails("unwrap as the wrong algorithm", crypto.subtle.unwrapKey("jwk", wrapped, kek, { name: "AES-GCM", iv }, "AES-GCM", true, ["encrypt"]));
await fails("bad format", crypto.subtle.wrapKey("pem", hmac, kek, { name: "AES-GCM", iv }));
