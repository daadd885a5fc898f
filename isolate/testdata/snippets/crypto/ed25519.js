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
// RFC 8032 section 7.1, tests 1 to 3: Ed25519 is deterministic, so the
// signatures must match exactly.
const tests = [
  ["9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60", "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a", "",
    "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b"],
  ["4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb", "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c", "72",
    "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00"],
  ["c5aa8df43f9f837bedb7442f31dcb7b166d38535076f094b85ce3a2e0b4458f7", "fc51cd8e6218a1a38da47ed00230f0580816ed13ba3303ac5deb911548908025", "af82",
    "6291d657deec24024827e69c3abe01a30ce548a284743a445e3680d7db5ac3ac18ff9b538d16f290ae67f760984dc6594a7c15e9716ed28dc027beceea1ec40a"],
];
const b64u = (b) => btoa64(b);
function btoa64(bytes) {
  const abc = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  let out = "";
  for (let i = 0; i < bytes.length; i += 3) {
    const n = (bytes[i] << 16) | ((bytes[i + 1] ?? 0) << 8) | (bytes[i + 2] ?? 0);
    const chars = [18, 12, 6, 0].map((s) => abc[(n >> s) & 63]);
    out += chars.slice(0, bytes.length - i >= 3 ? 4 : bytes.length - i + 1).join("");
  }
  return out;
}
for (const [i, [sk, pk, m, sig]] of tests.entries()) {
  const priv = await crypto.subtle.importKey("jwk", { kty: "OKP", crv: "Ed25519", d: b64u(unhex(sk)), x: b64u(unhex(pk)) }, "Ed25519", true, ["sign"]);
  const pub = await crypto.subtle.importKey("raw", unhex(pk), { name: "Ed25519" }, true, ["verify"]);
  const data = m ? unhex(m) : new Uint8Array(0);
  check(`RFC 8032 test ${i + 1}`, hex(await crypto.subtle.sign("Ed25519", priv, data)), sig);
  console.log("  verify:", await crypto.subtle.verify("Ed25519", pub, unhex(sig), data),
    "other message:", await crypto.subtle.verify("Ed25519", pub, unhex(sig), ascii("x")));
  check("  jwk export", JSON.stringify(await crypto.subtle.exportKey("jwk", priv)),
    JSON.stringify({ kty: "OKP", key_ops: ["sign"], alg: "Ed25519", ext: true, crv: "Ed25519", x: b64u(unhex(pk)), d: b64u(unhex(sk)) }));
}
// An OpenSSL key pair and signature.
const msg = ascii("hello, edgefn");
const pub = await crypto.subtle.importKey("spki", unhex("302a300506032b65700321007c0cfb9355f07161990b2a12300c2168e88c4732e298c4e226aacb7ce41dfc7d"), "Ed25519", true, ["verify"]);
const priv = await crypto.subtle.importKey("pkcs8", unhex("302e020100300506032b6570042204203ca8cd4a42217b08318a05e31c3cabdbc17eed1958651266d37740154f3d05a6"), "Ed25519", true, ["sign"]);
check("OpenSSL signature", hex(await crypto.subtle.sign("Ed25519", priv, msg)), "27262c8a6205a7ff9bd4ffc12e3638bef216766f1dbe738693c0bf0b1e7e27ad302eb2f0613fe2daa3cdcee2043354b866d3f31cad4229b4ad0d85f15ff7a50d");
console.log("OpenSSL signature verifies:", await crypto.subtle.verify("Ed25519", pub, unhex("27262c8a6205a7ff9bd4ffc12e3638bef216766f1dbe738693c0bf0b1e7e27ad302eb2f0613fe2daa3cdcee2043354b866d3f31cad4229b4ad0d85f15ff7a50d"), msg));
check("spki export", hex(await crypto.subtle.exportKey("spki", pub)), "302a300506032b65700321007c0cfb9355f07161990b2a12300c2168e88c4732e298c4e226aacb7ce41dfc7d");
check("pkcs8 export", hex(await crypto.subtle.exportKey("pkcs8", priv)), "302e020100300506032b6570042204203ca8cd4a42217b08318a05e31c3cabdbc17eed1958651266d37740154f3d05a6");
console.log("algorithm:", JSON.stringify(pub.algorithm));

const pair = await crypto.subtle.generateKey("Ed25519", true, ["sign", "verify"]);
const s = await crypto.subtle.sign({ name: "Ed25519" }, pair.privateKey, msg);
console.log("generated:", s.byteLength, await crypto.subtle.verify("Ed25519", pair.publicKey, s, msg), JSON.stringify(pair.privateKey.usages), JSON.stringify(pair.publicKey.usages));
console.log("raw public:", (await crypto.subtle.exportKey("raw", pair.publicKey)).byteLength);
console.log("63-byte signature:", await crypto.subtle.verify("Ed25519", pair.publicKey, s.slice(1), msg));

await fails("sign with the public key", crypto.subtle.sign("Ed25519", pair.publicKey, msg));
await fails("raw of 31 bytes", crypto.subtle.importKey("raw", new Uint8Array(31), "Ed25519", false, ["verify"]));
await fails("raw with sign usage", crypto.subtle.importKey("raw", new Uint8Array(32), "Ed25519", false, ["sign"]));
await fails("ECDSA spki as Ed25519", crypto.subtle.importKey("spki", unhex("3059301306072a8648ce3d020106082a8648ce3d03010703420004c38042c291e513d0ac3c2ca2554e44f059c188f6ae8f0798efb5ae4b653c6920e4016b535a3cf64ee370cfebaa1b320676c1d768561bdaabdc2a28d48a053a30"), "Ed25519", false, ["verify"]));
await fails("jwk crv X25519", crypto.subtle.importKey("jwk", { kty: "OKP", crv: "X25519", x: "AAAA" }, "Ed25519", false, ["verify"]));
await fails("jwk d does not match x", crypto.subtle.importKey("jwk", { kty: "OKP", crv: "Ed25519", d: b64u(unhex(tests[0][0])), x: b64u(unhex(tests[1][1])) }, "Ed25519", false, ["sign"]));
await fails("deriveBits usage", crypto.subtle.generateKey("Ed25519", false, ["deriveBits"]));
await fails("export private as raw", crypto.subtle.exportKey("raw", pair.privateKey));
