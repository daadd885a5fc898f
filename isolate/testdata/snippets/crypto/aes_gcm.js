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
// Test cases 2, 4, 5 (8-byte iv) and 6 (60-byte iv) of "The Galois/Counter
// Mode of Operation" (McGrew & Viega), the vectors NIST's GCM validation uses.
const k0 = await crypto.subtle.importKey("raw", new Uint8Array(16), "AES-GCM", true, ["encrypt", "decrypt"]);
const c2 = await crypto.subtle.encrypt({ name: "AES-GCM", iv: new Uint8Array(12) }, k0, new Uint8Array(16));
check("case 2", hex(c2), "0388dace60b6a392f328c2b971b2fe78" + "ab6e47d42cec13bdf53a67b21257bddf");
const key = await crypto.subtle.importKey("raw", unhex("feffe9928665731c6d6a8f9467308308"), { name: "AES-GCM" }, true, ["encrypt", "decrypt"]);
const P = unhex("d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a721c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b39");
const A = unhex("feedfacedeadbeeffeedfacedeadbeefabaddad2");
const cases = [
  ["case 4", "cafebabefacedbaddecaf888",
    "42831ec2217774244b7221b784d0d49ce3aa212f2c02a4e035c17e2329aca12e21d514b25466931c7d8f6a5aac84aa051ba30b396a0aac973d58e091", "5bc94fbc3221a5db94fae95ae7121a47"],
  ["case 5", "cafebabefacedbad",
    "61353b4c2806934a777ff51fa22a4755699b2a714fcdc6f83766e5f97b6c742373806900e49f24b22b097544d4896b424989b5e1ebac0f07c23f4598", "3612d2e79e3b0785561be14aaca2fccb"],
  ["case 6", "9313225df88406e555909c5aff5269aa6a7a9538534f7da1e4c303d2a318a728c3c0c95156809539fcf0e2429a6b525416aedbf5a0de6a57a637b39b",
    "8ce24998625615b603a033aca13fb894be9112a5c3a211a8ba262a3cca7e2ca701e4a9a4fba43c90ccdcb281d48c7c6fd62875d2aca417034c34aee5", "619cc5aefffe0bfa462af43c1699d050"],
];
for (const [label, iv, C, T] of cases) {
  const alg = { name: "AES-GCM", iv: unhex(iv), additionalData: A };
  const ct = await crypto.subtle.encrypt(alg, key, P);
  check(label, hex(ct), C + T);
  check(label + " decrypt", hex(await crypto.subtle.decrypt(alg, key, ct)), hex(P));
  // Truncated tags are prefixes of the full one.
  const ct96 = await crypto.subtle.encrypt({ ...alg, tagLength: 96 }, key, P);
  check(label + " tagLength 96", hex(ct96), C + T.slice(0, 24));
  check(label + " tagLength 96 decrypt", hex(await crypto.subtle.decrypt({ ...alg, tagLength: 96 }, key, ct96)), hex(P));
  const ct32 = await crypto.subtle.encrypt({ ...alg, tagLength: 32 }, key, P);
  check(label + " tagLength 32 decrypt", hex(await crypto.subtle.decrypt({ ...alg, tagLength: 32 }, key, ct32)), hex(P));
  await fails(label + " tagLength 32, one bit off", crypto.subtle.decrypt({ ...alg, tagLength: 32 }, key, ct32.slice(0, -1)));
}

// Round trips with generated keys of each size.
for (const length of [128, 192, 256]) {
  const k = await crypto.subtle.generateKey({ name: "AES-GCM", length }, true, ["encrypt", "decrypt"]);
  const iv = crypto.getRandomValues(new Uint8Array(12));
  const ct = await crypto.subtle.encrypt({ name: "AES-GCM", iv }, k, ascii("hello"));
  const pt = await crypto.subtle.decrypt({ name: "AES-GCM", iv }, k, ct);
  console.log(length, JSON.stringify(k.algorithm), ct.byteLength, hex(pt), (await crypto.subtle.exportKey("raw", k)).byteLength,
    (await crypto.subtle.exportKey("jwk", k)).alg);
}

const iv = new Uint8Array(12);
const ct = new Uint8Array(await crypto.subtle.encrypt({ name: "AES-GCM", iv, additionalData: A }, key, P));
const bad = ct.slice();
bad[3] ^= 1;
await fails("tampered ciphertext", crypto.subtle.decrypt({ name: "AES-GCM", iv, additionalData: A }, key, bad));
await fails("wrong additionalData", crypto.subtle.decrypt({ name: "AES-GCM", iv }, key, ct));
await fails("shorter than the tag", crypto.subtle.decrypt({ name: "AES-GCM", iv }, key, ct.slice(0, 10)));
await fails("tagLength 100", crypto.subtle.encrypt({ name: "AES-GCM", iv, tagLength: 100 }, key, P));
await fails("tagLength 256", crypto.subtle.encrypt({ name: "AES-GCM", iv, tagLength: 256 }, key, P));
await fails("empty iv", crypto.subtle.encrypt({ name: "AES-GCM", iv: new Uint8Array(0) }, key, P));
await fails("no iv", crypto.subtle.encrypt({ name: "AES-GCM" }, key, P));
await fails("string algorithm", crypto.subtle.encrypt("AES-GCM", key, P));
await fails("iv is a string", crypto.subtle.encrypt({ name: "AES-GCM", iv: "000000000000" }, key, P));
await fails("AES-CBC key for AES-GCM", crypto.subtle.encrypt({ name: "AES-GCM", iv },
  await crypto.subtle.importKey("raw", new Uint8Array(16), "AES-CBC", false, ["encrypt"]), P));
const encOnly = await crypto.subtle.importKey("raw", new Uint8Array(16), "AES-GCM", false, ["encrypt"]);
await fails("decrypt with an encrypt-only key", crypto.subtle.decrypt({ name: "AES-GCM", iv }, encOnly, ct));
await fails("generate length 100", crypto.subtle.generateKey({ name: "AES-GCM", length: 100 }, false, ["encrypt"]));
await fails("generate no length", crypto.subtle.generateKey({ name: "AES-GCM" }, false, ["encrypt"]));
await fails("generate length NaN", crypto.subtle.generateKey({ name: "AES-GCM", length: "x" }, false, ["encrypt"]));
await fails("generate length -1", crypto.subtle.generateKey({ name: "AES-GCM", length: -1 }, false, ["encrypt"]));
await fails("sign usage", crypto.subtle.generateKey({ name: "AES-GCM", length: 128 }, false, ["sign"]));
await fails("import 17 bytes", crypto.subtle.importKey("raw", new Uint8Array(17), "AES-GCM", false, ["encrypt"]));
await fails("import pkcs8", crypto.subtle.importKey("pkcs8", new Uint8Array(16), "AES-GCM", false, ["encrypt"]));
await fails("jwk alg for another mode", crypto.subtle.importKey("jwk", { kty: "oct", k: "AAAAAAAAAAAAAAAAAAAAAA", alg: "A128CBC" }, "AES-GCM", false, ["encrypt"]));
await fails("jwk use sig", crypto.subtle.importKey("jwk", { kty: "oct", k: "AAAAAAAAAAAAAAAAAAAAAA", use: "sig" }, "AES-GCM", false, ["encrypt"]));
await fails("AES-GCM has no sign", crypto.subtle.sign("AES-GCM", key, P));
