package isolate

import (
	"bytes"
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/ecdh"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/hmac"
	"crypto/pbkdf2"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/sha512"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"strings"
	"testing"
	"time"
)

// hexJS are the helpers the cross-check scripts share (the tests must not
// depend on TextEncoder or atob, which other globals provide).
const hexJS = `
const hex = (b) => Array.from(new Uint8Array(b), (x) => x.toString(16).padStart(2, "0")).join("");
const unhex = (s) => new Uint8Array(s.match(/../g).map((h) => parseInt(h, 16)));
`

// generousCPU lifts the CPU limit for tests of behaviour (under the race
// detector, dozens of key operations take longer than the default 50ms).
func generousCPU(c *PoolConfig) { c.Limits.CPUTime = 10 * time.Second }

func post(t testing.TB, p *Pool, body []byte) []byte {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	r, err := p.Do(ctx, &Request{ID: "crypto", Method: "POST", URL: "http://test.local/", Body: body})
	if err != nil {
		t.Fatal(err)
	}
	if r.Status != 200 {
		t.Fatalf("status %d: %s", r.Status, r.Body)
	}
	return r.Body
}

func unhexT(t testing.TB, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestCryptoJSSignsGoVerifies signs in JS and verifies each signature with
// Go's crypto packages, from the public key JS exported.
func TestCryptoJSSignsGoVerifies(t *testing.T) {
	hmacSecret := []byte("a shared secret of some length..")
	p, _ := newTestPool(t, hexJS+`
export default { async fetch(request) {
  const msg = new Uint8Array(await request.arrayBuffer());
  const s = crypto.subtle, out = {};
  const sign = async (name, genAlg, signAlg, usages = ["sign", "verify"]) => {
    const k = await s.generateKey(genAlg, true, usages);
    out[name] = { spki: hex(await s.exportKey("spki", k.publicKey)), sig: hex(await s.sign(signAlg, k.privateKey, msg)) };
  };
  await sign("ES256", { name: "ECDSA", namedCurve: "P-256" }, { name: "ECDSA", hash: "SHA-256" });
  await sign("ES384", { name: "ECDSA", namedCurve: "P-384" }, { name: "ECDSA", hash: "SHA-384" });
  await sign("EdDSA", "Ed25519", "Ed25519");
  const rsa = { modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]), hash: "SHA-256" };
  await sign("RS256", { name: "RSASSA-PKCS1-v1_5", ...rsa }, "RSASSA-PKCS1-v1_5");
  await sign("PS256", { name: "RSA-PSS", ...rsa }, { name: "RSA-PSS", saltLength: 32 });
  const hk = await s.importKey("raw", unhex("`+hex.EncodeToString(hmacSecret)+`"), { name: "HMAC", hash: "SHA-512" }, false, ["sign"]);
  out.HS512 = { sig: hex(await s.sign("HMAC", hk, msg)) };
  const iv = crypto.getRandomValues(new Uint8Array(12));
  const aes = await s.generateKey({ name: "AES-GCM", length: 256 }, true, ["encrypt"]);
  out.A256GCM = { key: hex(await s.exportKey("raw", aes)), iv: hex(iv), ct: hex(await s.encrypt({ name: "AES-GCM", iv }, aes, msg)) };
  const pw = await s.importKey("raw", msg, "PBKDF2", false, ["deriveBits"]);
  out.PBKDF2 = { bits: hex(await s.deriveBits({ name: "PBKDF2", hash: "SHA-256", salt: unhex("00ff"), iterations: 1000 }, pw, 256)) };
  return Response.json(out);
} };`, generousCPU)
	msg := []byte("the message JS signs")
	var out map[string]map[string]string
	if err := json.Unmarshal(post(t, p, msg), &out); err != nil {
		t.Fatal(err)
	}
	pub := func(alg string) any {
		k, err := x509.ParsePKIXPublicKey(unhexT(t, out[alg]["spki"]))
		if err != nil {
			t.Fatalf("%s: %v", alg, err)
		}
		return k
	}
	sig := func(alg string) []byte { return unhexT(t, out[alg]["sig"]) }
	h256 := sha256.Sum256(msg)
	h384 := sha512.Sum384(msg)
	for alg, digest := range map[string][]byte{"ES256": h256[:], "ES384": h384[:]} {
		k := pub(alg).(*ecdsa.PublicKey)
		s := sig(alg)
		n := len(s) / 2
		if !ecdsa.Verify(k, digest, new(big.Int).SetBytes(s[:n]), new(big.Int).SetBytes(s[n:])) {
			t.Errorf("%s: Go does not verify the JS signature", alg)
		}
	}
	if !ed25519.Verify(pub("EdDSA").(ed25519.PublicKey), msg, sig("EdDSA")) {
		t.Error("EdDSA: Go does not verify the JS signature")
	}
	if err := rsa.VerifyPKCS1v15(pub("RS256").(*rsa.PublicKey), 5, h256[:], sig("RS256")); err != nil {
		t.Errorf("RS256: %v", err)
	}
	if err := rsa.VerifyPSS(pub("PS256").(*rsa.PublicKey), 5, h256[:], sig("PS256"), &rsa.PSSOptions{SaltLength: 32}); err != nil {
		t.Errorf("PS256: %v", err)
	}
	mac := hmac.New(sha512.New, hmacSecret)
	mac.Write(msg)
	if !hmac.Equal(mac.Sum(nil), sig("HS512")) {
		t.Error("HS512: JS and Go differ")
	}
	block, _ := aes.NewCipher(unhexT(t, out["A256GCM"]["key"]))
	gcm, _ := cipher.NewGCM(block)
	if pt, err := gcm.Open(nil, unhexT(t, out["A256GCM"]["iv"]), unhexT(t, out["A256GCM"]["ct"]), nil); err != nil || !bytes.Equal(pt, msg) {
		t.Errorf("A256GCM: Go does not decrypt the JS ciphertext: %v", err)
	}
	want, _ := pbkdf2.Key(sha256.New, string(msg), []byte{0, 0xff}, 1000, 32)
	if got := unhexT(t, out["PBKDF2"]["bits"]); !bytes.Equal(got, want) {
		t.Errorf("PBKDF2: JS %x, Go %x", got, want)
	}
}

// TestCryptoGoSignsJSVerifies hands JS keys, signatures and ciphertexts Go
// made, in the formats JS imports, and has JS check them.
func TestCryptoGoSignsJSVerifies(t *testing.T) {
	msg := []byte("the message Go signs")
	h256 := sha256.Sum256(msg)
	h384 := sha512.Sum384(msg)
	b64u := base64.RawURLEncoding.EncodeToString
	in := map[string]string{"msg": hex.EncodeToString(msg)}

	ec, _ := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	r, s, _ := ecdsa.Sign(rand.Reader, ec, h384[:])
	rs := make([]byte, 96)
	r.FillBytes(rs[:48])
	s.FillBytes(rs[48:])
	ecPub, _ := ec.PublicKey.Bytes()
	in["es384_jwk"] = fmt.Sprintf(`{"kty":"EC","crv":"P-384","x":%q,"y":%q}`, b64u(ecPub[1:49]), b64u(ecPub[49:]))
	in["es384_sig"] = hex.EncodeToString(rs)

	edPub, edPriv, _ := ed25519.GenerateKey(rand.Reader)
	in["ed_raw"] = hex.EncodeToString(edPub)
	in["ed_sig"] = hex.EncodeToString(ed25519.Sign(edPriv, msg))

	rk, _ := rsa.GenerateKey(rand.Reader, 2048)
	spki, _ := x509.MarshalPKIXPublicKey(&rk.PublicKey)
	p8, _ := x509.MarshalPKCS8PrivateKey(rk)
	in["rsa_spki"] = hex.EncodeToString(spki)
	in["rsa_p8"] = hex.EncodeToString(p8)
	rsSig, _ := rsa.SignPKCS1v15(nil, rk, 5, h256[:])
	in["rs256_sig"] = hex.EncodeToString(rsSig)
	psSig, _ := rsa.SignPSS(rand.Reader, rk, 5, h256[:], &rsa.PSSOptions{SaltLength: 32})
	in["ps256_sig"] = hex.EncodeToString(psSig)
	oaep, _ := rsa.EncryptOAEP(sha256.New(), rand.Reader, &rk.PublicKey, msg, []byte("L"))
	in["oaep"] = hex.EncodeToString(oaep)

	key := make([]byte, 16)
	iv := make([]byte, 12)
	_, _ = rand.Read(key)
	block, _ := aes.NewCipher(key)
	gcm, _ := cipher.NewGCM(block)
	in["aes_key"], in["aes_iv"] = hex.EncodeToString(key), hex.EncodeToString(iv)
	in["aes_ct"] = hex.EncodeToString(gcm.Seal(nil, iv, msg, []byte("aad")))

	dh, _ := ecdh.P256().GenerateKey(rand.Reader)
	in["ecdh_pub"] = hex.EncodeToString(dh.PublicKey().Bytes())
	x, _ := ecdh.X25519().GenerateKey(rand.Reader)
	in["x25519_pub"] = hex.EncodeToString(x.PublicKey().Bytes())

	p, _ := newTestPool(t, hexJS+`
export default { async fetch(request) {
  const inp = await request.json();
  const s = crypto.subtle, out = {};
  const msg = unhex(inp.msg);
  const es = await s.importKey("jwk", JSON.parse(inp.es384_jwk), { name: "ECDSA", namedCurve: "P-384" }, false, ["verify"]);
  out.es384 = await s.verify({ name: "ECDSA", hash: "SHA-384" }, es, unhex(inp.es384_sig), msg);
  const ed = await s.importKey("raw", unhex(inp.ed_raw), "Ed25519", false, ["verify"]);
  out.ed = await s.verify("Ed25519", ed, unhex(inp.ed_sig), msg);
  const rs = await s.importKey("spki", unhex(inp.rsa_spki), { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" }, false, ["verify"]);
  out.rs256 = await s.verify("RSASSA-PKCS1-v1_5", rs, unhex(inp.rs256_sig), msg);
  const ps = await s.importKey("spki", unhex(inp.rsa_spki), { name: "RSA-PSS", hash: "SHA-256" }, false, ["verify"]);
  out.ps256 = await s.verify({ name: "RSA-PSS", saltLength: 32 }, ps, unhex(inp.ps256_sig), msg);
  const op = await s.importKey("pkcs8", unhex(inp.rsa_p8), { name: "RSA-OAEP", hash: "SHA-256" }, false, ["decrypt"]);
  out.oaep = hex(await s.decrypt({ name: "RSA-OAEP", label: new Uint8Array([76]) }, op, unhex(inp.oaep)));
  const ak = await s.importKey("raw", unhex(inp.aes_key), "AES-GCM", false, ["decrypt"]);
  out.aes = hex(await s.decrypt({ name: "AES-GCM", iv: unhex(inp.aes_iv), additionalData: new Uint8Array([97, 97, 100]) }, ak, unhex(inp.aes_ct)));
  const mine = await s.generateKey({ name: "ECDH", namedCurve: "P-256" }, true, ["deriveBits"]);
  const theirs = await s.importKey("raw", unhex(inp.ecdh_pub), { name: "ECDH", namedCurve: "P-256" }, false, []);
  out.ecdh = { pub: hex(await s.exportKey("raw", mine.publicKey)), secret: hex(await s.deriveBits({ name: "ECDH", public: theirs }, mine.privateKey, 256)) };
  const xm = await s.generateKey("X25519", true, ["deriveBits"]);
  const xt = await s.importKey("raw", unhex(inp.x25519_pub), "X25519", false, []);
  out.x25519 = { pub: hex(await s.exportKey("raw", xm.publicKey)), secret: hex(await s.deriveBits({ name: "X25519", public: xt }, xm.privateKey, 256)) };
  return Response.json(out);
} };`, generousCPU)
	body, _ := json.Marshal(in)
	var out struct {
		ES384, Ed, RS256, PS256 bool
		OAEP, AES               string
		ECDH, X25519            struct{ Pub, Secret string }
	}
	raw := post(t, p, body)
	if err := json.Unmarshal(raw, &out); err != nil {
		t.Fatal(err)
	}
	if !out.ES384 || !out.Ed || !out.RS256 || !out.PS256 {
		t.Errorf("JS did not verify Go's signatures: %s", raw)
	}
	if out.OAEP != hex.EncodeToString(msg) || out.AES != hex.EncodeToString(msg) {
		t.Errorf("JS did not decrypt Go's ciphertexts: %s", raw)
	}
	jsPub, err := ecdh.P256().NewPublicKey(unhexT(t, out.ECDH.Pub))
	if err != nil {
		t.Fatal(err)
	}
	if secret, _ := dh.ECDH(jsPub); hex.EncodeToString(secret) != out.ECDH.Secret {
		t.Errorf("ECDH: Go %x, JS %s", secret, out.ECDH.Secret)
	}
	xPub, err := ecdh.X25519().NewPublicKey(unhexT(t, out.X25519.Pub))
	if err != nil {
		t.Fatal(err)
	}
	if secret, _ := x.ECDH(xPub); hex.EncodeToString(secret) != out.X25519.Secret {
		t.Errorf("X25519: Go %x, JS %s", secret, out.X25519.Secret)
	}
}

// TestCryptoHeavyWorkRunsOffTheLoop: PBKDF2 with many iterations and RSA
// key generation take far more than the 50ms CPU budget, yet the request
// succeeds (the work runs on other goroutines), and timers keep firing on
// the loop meanwhile.
func TestCryptoHeavyWorkRunsOffTheLoop(t *testing.T) {
	p, _ := newTestPool(t, hexJS+`
export default { async fetch() {
  let ticks = 0;
  const timer = setInterval(() => ticks++, 5);
  const key = await crypto.subtle.importKey("raw", new Uint8Array([112, 119]), "PBKDF2", false, ["deriveBits"]);
  const bits = await crypto.subtle.deriveBits({ name: "PBKDF2", hash: "SHA-256", salt: new Uint8Array([115]), iterations: 400000 }, key, 256);
  const during = ticks;
  const pair = await crypto.subtle.generateKey({ name: "RSA-PSS", modulusLength: 3072, publicExponent: new Uint8Array([1, 0, 1]), hash: "SHA-256" }, false, ["sign"]);
  clearInterval(timer);
  return new Response(JSON.stringify({ during, bits: hex(bits), n: pair.privateKey.algorithm.modulusLength }));
} };`, func(c *PoolConfig) { c.Limits.CPUTime = 50 * time.Millisecond })
	var out struct {
		During int
		Bits   string
		N      int
	}
	if err := json.Unmarshal(post(t, p, nil), &out); err != nil {
		t.Fatal(err)
	}
	want, _ := pbkdf2.Key(sha256.New, "pw", []byte("s"), 400000, 32)
	if out.Bits != hex.EncodeToString(want) || out.N != 3072 {
		t.Fatalf("got %+v, want bits %x and a 3072-bit key", out, want)
	}
	if out.During == 0 {
		t.Fatal("no timer fired while PBKDF2 ran: the loop was blocked")
	}
}

// waitJobs waits until no crypto operation runs off its loop.
func waitJobs(t *testing.T, within time.Duration) {
	t.Helper()
	deadline := time.Now().Add(within)
	for offLoopJobs.Load() != 0 {
		if time.Now().After(deadline) {
			t.Fatalf("%d crypto operations still run %v after their request ended", offLoopJobs.Load(), within)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestCryptoOffLoopWorkEndsWithTheRequest: a PBKDF2 derivation that would
// take many seconds counts against the wall limit, and stops when the
// request fails.
func TestCryptoOffLoopWorkEndsWithTheRequest(t *testing.T) {
	p, _ := newTestPool(t, `
export default { async fetch() {
  const key = await crypto.subtle.importKey("raw", new Uint8Array([1]), "PBKDF2", false, ["deriveBits"]);
  await crypto.subtle.deriveBits({ name: "PBKDF2", hash: "SHA-512", salt: new Uint8Array([1]), iterations: 10000000 }, key, 1024);
  return new Response("finished");
} };`, func(c *PoolConfig) { c.Limits.WallTime = 300 * time.Millisecond })
	start := time.Now()
	_, err := p.Do(context.Background(), &Request{ID: "slow", Method: "GET", URL: "http://test.local/"})
	if !errors.Is(err, ErrWallTime) {
		t.Fatalf("err = %v, want ErrWallTime", err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Fatalf("the request took %v", d)
	}
	waitJobs(t, 3*time.Second)
}

// TestCryptoOffLoopQueueIsBounded: a request starting more heavy
// operations than may run or wait gets OperationErrors for the excess, and
// the work it leaves behind stops when it ends.
func TestCryptoOffLoopQueueIsBounded(t *testing.T) {
	p, _ := newTestPool(t, `
export default { async fetch() {
  const key = await crypto.subtle.importKey("raw", new Uint8Array([1]), "PBKDF2", false, ["deriveBits"]);
  let rejected = 0, message = "";
  for (let i = 0; i < 1100; i++) {
    crypto.subtle.deriveBits({ name: "PBKDF2", hash: "SHA-512", salt: new Uint8Array([1]), iterations: 5000000 }, key, 512)
      .catch((e) => { rejected++; message = e.name + ": " + e.message; });
  }
  await null;
  await null;
  return new Response(rejected + " " + message);
} };`, func(c *PoolConfig) { c.Limits.CPUTime = 5 * time.Second })
	got := string(post(t, p, nil))
	want := fmt.Sprintf("%d OperationError: crypto.subtle.deriveBits: too many crypto operations in flight", 1100-maxParallelJobs-maxQueuedJobs)
	if !strings.HasPrefix(got, want) {
		t.Fatalf("got %q, want %q...", got, want)
	}
	waitJobs(t, 3*time.Second)
	// The runtime serves the next request normally.
	if got := mustGet(t, p, "/"); !strings.HasPrefix(got, want) {
		t.Fatalf("second request: %q", got)
	}
	waitJobs(t, 3*time.Second)
}
