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
const msg = ascii("hello, edgefn");
// Keys and signatures made by OpenSSL 3 (openssl genpkey / openssl dgst),
// the signatures converted from DER to Web Crypto's r || s.
for (const [curve, hash, p8, spki, sig] of [
  ["P-256", "SHA-256", "308187020100301306072a8648ce3d020106082a8648ce3d030107046d306b0201010420004df34a3dc24254c48898983cbc72d0cddcc04bf5a169c4c5306cbc0c6c271fa14403420004c38042c291e513d0ac3c2ca2554e44f059c188f6ae8f0798efb5ae4b653c6920e4016b535a3cf64ee370cfebaa1b320676c1d768561bdaabdc2a28d48a053a30", "3059301306072a8648ce3d020106082a8648ce3d03010703420004c38042c291e513d0ac3c2ca2554e44f059c188f6ae8f0798efb5ae4b653c6920e4016b535a3cf64ee370cfebaa1b320676c1d768561bdaabdc2a28d48a053a30", "daece7bd1e24acd51888a03cc9310b8a877abf044156954bbf891a089034d4c10c5833d18b2aca1d1528df6ce3ebafecaca3e5c35d1a4f6401a37225c8245f00"],
  ["P-384", "SHA-384", "3081b6020100301006072a8648ce3d020106052b8104002204819e30819b0201010430542d348683ec95e8f00515ac3c999b56b98c0eb0dbe12aebc64f7378ba7d1c6908926608b216b4b7cb34ca1d29c3fb69a16403620004157e2e0bc03e84dc66fae74ca866b208274236761e6e95ff846432631dc3fb34506742f7a699c8ae68f4d37935c720dc803ae96ee73eb1eff9441c8b852c6016264fe11844ee89bcd725c19cda05bf349ca5c9f01b5610443724ecba965de0c9", "3076301006072a8648ce3d020106052b8104002203620004157e2e0bc03e84dc66fae74ca866b208274236761e6e95ff846432631dc3fb34506742f7a699c8ae68f4d37935c720dc803ae96ee73eb1eff9441c8b852c6016264fe11844ee89bcd725c19cda05bf349ca5c9f01b5610443724ecba965de0c9", "50e49c3c92cf230e7700f6a753996250607df87a15810c1dd2c615ecb52932f6846d7d9daee9e43738a55482ae5fa3755847b0a07a28a92152690820d18a11105197ce0fa723b72aa44d70d8255e35ace3515eb0e417aab5c6e39b678f7894ce"],
]) {
  const pub = await crypto.subtle.importKey("spki", unhex(spki), { name: "ECDSA", namedCurve: curve }, true, ["verify"]);
  const priv = await crypto.subtle.importKey("pkcs8", unhex(p8), { name: "ECDSA", namedCurve: curve }, true, ["sign"]);
  console.log(curve, "keys:", pub.type, JSON.stringify(pub.algorithm), priv.type, JSON.stringify(priv.usages));
  console.log(curve, "OpenSSL signature verifies:", await crypto.subtle.verify({ name: "ECDSA", hash }, pub, unhex(sig), msg));
  console.log(curve, "with another hash:", await crypto.subtle.verify({ name: "ECDSA", hash: "SHA-512" }, pub, unhex(sig), msg));
  const mine = await crypto.subtle.sign({ name: "ECDSA", hash }, priv, msg);
  console.log(curve, "signature length:", mine.byteLength, "verifies:", await crypto.subtle.verify({ name: "ECDSA", hash }, pub, mine, msg),
    "other data:", await crypto.subtle.verify({ name: "ECDSA", hash }, pub, mine, ascii("hello")));
  check(curve + " spki export", hex(await crypto.subtle.exportKey("spki", pub)), spki);
  // pkcs8 re-encodes (OpenSSL keeps the curve inside too): compare by use.
  const p8again = await crypto.subtle.importKey("pkcs8", await crypto.subtle.exportKey("pkcs8", priv), { name: "ECDSA", namedCurve: curve }, false, ["sign"]);
  console.log(curve, "pkcs8 round trip signs:", await crypto.subtle.verify({ name: "ECDSA", hash }, pub, await crypto.subtle.sign({ name: "ECDSA", hash }, p8again, msg), msg));
  const raw = new Uint8Array(await crypto.subtle.exportKey("raw", pub));
  console.log(curve, "raw:", raw.length, "bytes, starts with", raw[0]);
  check(curve + " raw is the end of spki", hex(raw), spki.slice(-raw.length * 2));
  // A compressed point imports too.
  const compressed = new Uint8Array([2 + (raw[raw.length - 1] & 1), ...raw.slice(1, 1 + (raw.length - 1) / 2)]);
  const fromCompressed = await crypto.subtle.importKey("raw", compressed, { name: "ECDSA", namedCurve: curve }, true, ["verify"]);
  check(curve + " compressed point", hex(await crypto.subtle.exportKey("raw", fromCompressed)), hex(raw));
  const jwk = await crypto.subtle.exportKey("jwk", priv);
  console.log(curve, "jwk members:", Object.keys(jwk).join(","), jwk.crv);
  const fromJwk = await crypto.subtle.importKey("jwk", jwk, { name: "ECDSA", namedCurve: curve }, false, ["sign"]);
  const pubJwk = await crypto.subtle.importKey("jwk", { kty: "EC", crv: curve, x: jwk.x, y: jwk.y }, { name: "ECDSA", namedCurve: curve }, true, ["verify"]);
  console.log(curve, "jwk round trip:", await crypto.subtle.verify({ name: "ECDSA", hash }, pubJwk, await crypto.subtle.sign({ name: "ECDSA", hash }, fromJwk, msg), msg));
}

const { publicKey, privateKey } = await crypto.subtle.generateKey({ name: "ECDSA", namedCurve: "P-521" }, false, ["sign", "verify"]);
console.log("generated:", JSON.stringify(publicKey.algorithm), publicKey.extractable, JSON.stringify(publicKey.usages), privateKey.extractable, JSON.stringify(privateKey.usages));
const s521 = await crypto.subtle.sign({ name: "ECDSA", hash: "SHA-512" }, privateKey, msg);
console.log("P-521:", s521.byteLength, await crypto.subtle.verify({ name: "ECDSA", hash: "SHA-512" }, publicKey, s521, msg));
const pubOnly = await crypto.subtle.generateKey({ name: "ECDSA", namedCurve: "P-256" }, true, ["sign"]);
console.log("only sign asked:", JSON.stringify(pubOnly.publicKey.usages), JSON.stringify(pubOnly.privateKey.usages));

await fails("sign with the public key", crypto.subtle.sign({ name: "ECDSA", hash: "SHA-256" }, publicKey, msg));
await fails("verify with the private key", crypto.subtle.verify({ name: "ECDSA", hash: "SHA-256" }, privateKey, s521, msg));
await fails("no hash", crypto.subtle.sign("ECDSA", privateKey, msg));
await fails("curve P-192", crypto.subtle.generateKey({ name: "ECDSA", namedCurve: "P-192" }, false, ["sign"]));
await fails("no namedCurve", crypto.subtle.generateKey({ name: "ECDSA" }, false, ["sign"]));
await fails("only verify asked", crypto.subtle.generateKey({ name: "ECDSA", namedCurve: "P-256" }, false, ["verify"]));
await fails("encrypt usage", crypto.subtle.generateKey({ name: "ECDSA", namedCurve: "P-256" }, false, ["encrypt"]));
await fails("spki on the wrong curve", crypto.subtle.importKey("spki", unhex("3059301306072a8648ce3d020106082a8648ce3d03010703420004c38042c291e513d0ac3c2ca2554e44f059c188f6ae8f0798efb5ae4b653c6920e4016b535a3cf64ee370cfebaa1b320676c1d768561bdaabdc2a28d48a053a30"), { name: "ECDSA", namedCurve: "P-384" }, false, ["verify"]));
await fails("spki with sign usage", crypto.subtle.importKey("spki", unhex("3059301306072a8648ce3d020106082a8648ce3d03010703420004c38042c291e513d0ac3c2ca2554e44f059c188f6ae8f0798efb5ae4b653c6920e4016b535a3cf64ee370cfebaa1b320676c1d768561bdaabdc2a28d48a053a30"), { name: "ECDSA", namedCurve: "P-256" }, false, ["sign"]));
await fails("raw of garbage", crypto.subtle.importKey("raw", new Uint8Array(65).fill(4), { name: "ECDSA", namedCurve: "P-256" }, false, ["verify"]));
await fails("spki of garbage", crypto.subtle.importKey("spki", new Uint8Array(30), { name: "ECDSA", namedCurve: "P-256" }, false, ["verify"]));
await fails("an RSA spki", crypto.subtle.importKey("spki", unhex("30820122300d06092a864886f70d01010105000382010f003082010a0282010100cd1205cf07f4eaf8a8377af651530fad13817fa7f241484bfec7a14a749ab3376f1504a013e0a4423f8ec423be4213b79f8acca7ac3b266b0248d43e9123739a52929b9e97a6e2ab2d099db64672e4b183e385f3197fa7c8aafc59640e1037dc1836333a66fd8df09adb7098ebf06f307bd321c37aa6573b3fd29a7e44f45374e8f6ed88e2da8b7c0eea11d810ff04925998084e46dd66939997f97ae8bc51f7032f1701c0348cf2d209e7cf4fe9fa99e4236101df4d2838aa202aea7269888a60f11005417ebe974ecbffae96b04bf546cd75c3e65548cddec1fefc62f7b4607809cefe2bcd2c3cbd81c6eb2a7f5809549546d498b20ab56f6c83f75d4d8ea10203010001"), { name: "ECDSA", namedCurve: "P-256" }, false, ["verify"]));
await fails("export private as raw", crypto.subtle.exportKey("raw", pubOnly.privateKey));
await fails("export public as pkcs8", crypto.subtle.exportKey("pkcs8", pubOnly.publicKey));
const jwk = await crypto.subtle.exportKey("jwk", pubOnly.privateKey);
await fails("jwk crv mismatch", crypto.subtle.importKey("jwk", jwk, { name: "ECDSA", namedCurve: "P-384" }, false, ["sign"]));
await fails("jwk alg ES384 on P-256", crypto.subtle.importKey("jwk", { ...jwk, alg: "ES384" }, { name: "ECDSA", namedCurve: "P-256" }, false, ["sign"]));
await fails("jwk d of another key", crypto.subtle.importKey("jwk", { ...jwk, d: (await crypto.subtle.exportKey("jwk", (await crypto.subtle.generateKey({ name: "ECDSA", namedCurve: "P-256" }, true, ["sign"])).privateKey)).d }, { name: "ECDSA", namedCurve: "P-256" }, false, ["sign"]));
await fails("jwk x too short", crypto.subtle.importKey("jwk", { kty: "EC", crv: "P-256", x: "AAAA", y: jwk.y }, { name: "ECDSA", namedCurve: "P-256" }, false, ["verify"]));
await fails("jwk key_ops without sign", crypto.subtle.importKey("jwk", { ...jwk, key_ops: ["verify"] }, { name: "ECDSA", namedCurve: "P-256" }, false, ["sign"]));
await fails("jwk ext false", crypto.subtle.importKey("jwk", { ...jwk, ext: false }, { name: "ECDSA", namedCurve: "P-256" }, true, ["sign"]));
console.log("short signature:", await crypto.subtle.verify({ name: "ECDSA", hash: "SHA-512" }, publicKey, s521.slice(1), msg));
