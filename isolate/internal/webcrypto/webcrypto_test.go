package webcrypto

import (
	"bytes"
	"context"
	"crypto/aes"
	"crypto/pbkdf2"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/asn1"
	"encoding/json"
	"encoding/pem"
	"errors"
	"hash"
	"math/big"
	"math/rand/v2"
	"os"
	"testing"
	"time"
)

func fixture(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// pemDER returns the DER inside a PEM fixture.
func pemDER(t testing.TB, name string) []byte {
	t.Helper()
	blk, _ := pem.Decode(fixture(t, name))
	if blk == nil {
		t.Fatalf("%s: no PEM block", name)
	}
	return blk.Bytes
}

func errName(err error) string {
	var we *Error
	if errors.As(err, &we) {
		return we.Name
	}
	if err == nil {
		return ""
	}
	return "not a webcrypto.Error: " + err.Error()
}

func mustImport(t testing.TB, format string, data []byte, alg *Params, usages Usage) *Key {
	t.Helper()
	k, err := ImportKey(format, data, nil, alg, true, usages)
	if err != nil {
		t.Fatalf("import %s %s: %v", alg.Name, format, err)
	}
	return k
}

// TestOpenSSLFixtures verifies signatures and ciphertexts OpenSSL made, and
// that edgefn's deterministic signatures equal OpenSSL's.
func TestOpenSSLFixtures(t *testing.T) {
	msg := fixture(t, "msg")
	rsaP8 := pemDER(t, "rsa.pem")

	pkcs := &Params{Name: RSASSAPKCS1v15, Hash: SHA256}
	priv := mustImport(t, FormatPKCS8, rsaP8, pkcs, UsageSign)
	sig, err := Sign(pkcs, priv, msg)
	if err != nil || !bytes.Equal(sig, fixture(t, "rsa.sig.pkcs1")) {
		t.Fatalf("PKCS #1 v1.5 signature differs from OpenSSL's (err %v)", err)
	}
	spki, err := ExportKey(FormatSPKI, publicOf(t, priv, pkcs))
	if err != nil {
		t.Fatal(err)
	}
	pub := mustImport(t, FormatSPKI, spki.([]byte), pkcs, UsageVerify)
	if ok, _ := Verify(pkcs, pub, fixture(t, "rsa.sig.pkcs1"), msg); !ok {
		t.Fatal("OpenSSL PKCS #1 v1.5 signature does not verify")
	}

	pssPub := mustImport(t, FormatSPKI, spki.([]byte), &Params{Name: RSAPSS, Hash: SHA256}, UsageVerify)
	for _, tc := range []struct {
		fixture string
		salt    int
		want    bool
	}{
		{"rsa.sig.pss32", 32, true}, {"rsa.sig.pss32", 0, false}, {"rsa.sig.pss32", 20, false},
		{"rsa.sig.pss0", 0, true}, {"rsa.sig.pss0", 32, false},
	} {
		ok, err := Verify(&Params{Name: RSAPSS, SaltLength: tc.salt}, pssPub, fixture(t, tc.fixture), msg)
		if err != nil || ok != tc.want {
			t.Errorf("PSS %s as saltLength %d: %v %v, want %v", tc.fixture, tc.salt, ok, err, tc.want)
		}
	}

	oaep := &Params{Name: RSAOAEP, Hash: SHA256}
	oaepPriv := mustImport(t, FormatPKCS8, rsaP8, oaep, UsageDecrypt)
	if pt, err := Decrypt(oaep, oaepPriv, fixture(t, "rsa.oaep")); err != nil || !bytes.Equal(pt, msg) {
		t.Fatalf("OAEP: %q %v", pt, err)
	}
	if pt, err := Decrypt(&Params{Name: RSAOAEP, Label: []byte("label")}, oaepPriv, fixture(t, "rsa.oaep-label")); err != nil || !bytes.Equal(pt, msg) {
		t.Fatalf("OAEP with label: %q %v", pt, err)
	}
	if _, err := Decrypt(oaep, oaepPriv, fixture(t, "rsa.oaep-label")); errName(err) != OperationError {
		t.Fatalf("OAEP with a missing label: %v, want OperationError", err)
	}

	ecdsaAlg := &Params{Name: ECDSA, NamedCurve: "P-256", Hash: SHA256}
	ecPriv := mustImport(t, FormatPKCS8, pemDER(t, "ec256.pem"), ecdsaAlg, UsageSign)
	var der struct{ R, S *big.Int }
	if _, err := asn1.Unmarshal(fixture(t, "ec256.sig.der"), &der); err != nil {
		t.Fatal(err)
	}
	raw := make([]byte, 64)
	der.R.FillBytes(raw[:32])
	der.S.FillBytes(raw[32:])
	ecPub := publicOf(t, ecPriv, ecdsaAlg)
	if ok, err := Verify(ecdsaAlg, ecPub, raw, msg); !ok || err != nil {
		t.Fatalf("OpenSSL ECDSA signature: %v %v", ok, err)
	}

	ed := &Params{Name: Ed25519}
	edPriv := mustImport(t, FormatPKCS8, pemDER(t, "ed.pem"), ed, UsageSign)
	if sig, err := Sign(ed, edPriv, msg); err != nil || !bytes.Equal(sig, fixture(t, "ed.sig")) {
		t.Fatalf("Ed25519 signature differs from OpenSSL's: %v", err)
	}
}

// publicOf derives the public key of a private key through JWK export.
func publicOf(t testing.TB, priv *Key, alg *Params) *Key {
	t.Helper()
	x, err := ExportKey(FormatJWK, priv)
	if err != nil {
		t.Fatal(err)
	}
	jwk := *x.(*JWK)
	jwk.D, jwk.P, jwk.Q, jwk.DP, jwk.DQ, jwk.QI = "", "", "", "", "", ""
	jwk.KeyOps = nil
	usages := UsageVerify
	if alg.Name == RSAOAEP {
		usages = UsageEncrypt
	}
	if alg.Name == ECDH || alg.Name == X25519 {
		usages = 0
	}
	pub, err := ImportKey(FormatJWK, nil, &jwk, alg, true, usages)
	if err != nil {
		t.Fatal(err)
	}
	return pub
}

func TestPBKDF2MatchesStdlib(t *testing.T) {
	hashes := map[string]func() hash.Hash{SHA1: sha1.New, SHA256: sha256.New, SHA384: sha512.New384, SHA512: sha512.New}
	r := rand.New(rand.NewPCG(1, 2))
	for i := 0; i < 200; i++ {
		name := []string{SHA1, SHA256, SHA384, SHA512}[r.IntN(4)]
		pw := make([]byte, r.IntN(100))
		salt := make([]byte, r.IntN(40))
		for j := range pw {
			pw[j] = byte(r.Uint32())
		}
		iter := 1 + r.IntN(3000)
		n := 1 + r.IntN(200)
		got, err := pbkdf2Key(context.Background(), hashes[name], pw, salt, iter, n)
		if err != nil {
			t.Fatal(err)
		}
		want, err := pbkdf2.Key(hashes[name], string(pw), salt, iter, n)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			t.Fatalf("%s iter %d len %d: got %x, want %x", name, iter, n, got, want)
		}
	}
}

func TestPBKDF2StopsWhenCancelled(t *testing.T) {
	key := &Key{Type: Secret, Algorithm: KeyAlgorithm{Name: PBKDF2}, Usages: UsageDeriveBits, secret: []byte("pw")}
	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		time.Sleep(20 * time.Millisecond)
		cancel()
	}()
	start := time.Now()
	_, err := DeriveBits(ctx, &Params{Name: PBKDF2, Hash: SHA512, Salt: []byte("s"), Iterations: MaxPBKDF2Iterations}, key, 512, true)
	if errName(err) != OperationError {
		t.Fatalf("err = %v, want OperationError (cancelled)", err)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Fatalf("cancellation took %v", d)
	}
}

// TestAESCTRCounterWrap checks AES-CTR against a block-by-block reference
// that increments only the counter's low Length bits.
func TestAESCTRCounterWrap(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	secret := make([]byte, 16)
	key := newAESKey(AESCTR, secret)
	key.Usages = UsageEncrypt | UsageDecrypt
	blk, _ := aes.NewCipher(secret)
	for i := 0; i < 500; i++ {
		length := 1 + r.IntN(128)
		counter := make([]byte, 16)
		for j := range counter {
			counter[j] = byte(r.Uint32())
		}
		if r.IntN(2) == 0 { // start near the wrap point
			for j := 15; j >= 16-length/8 && j >= 0; j-- {
				counter[j] = 0xff
			}
		}
		data := make([]byte, r.IntN(100))
		blocks := (len(data) + 15) / 16
		if length < 10 && blocks > 1<<length {
			continue
		}
		got, err := Encrypt(&Params{Name: AESCTR, Counter: counter, Length: length}, key, data)
		if err != nil {
			t.Fatal(err)
		}
		want := make([]byte, len(data))
		ctr := new(big.Int).SetBytes(counter)
		mod := new(big.Int).Lsh(big.NewInt(1), uint(length))
		high := new(big.Int).Sub(ctr, new(big.Int).Mod(ctr, mod))
		low := new(big.Int).Mod(ctr, mod)
		var ks [16]byte
		for b := 0; b < blocks; b++ {
			cb := new(big.Int).Add(high, low).FillBytes(make([]byte, 16))
			blk.Encrypt(ks[:], cb)
			for j := b * 16; j < min(len(data), b*16+16); j++ {
				want[j] = data[j] ^ ks[j-b*16]
			}
			low.Add(low, big.NewInt(1)).Mod(low, mod)
		}
		if !bytes.Equal(got, want) {
			t.Fatalf("length %d counter %x: got %x, want %x", length, counter, got, want)
		}
	}
}

func TestAESGCMTagLengthsAndIVSizes(t *testing.T) {
	key := newAESKey(AESGCM, bytes.Repeat([]byte{7}, 32))
	key.Usages = UsageEncrypt | UsageDecrypt
	for _, ivLen := range []int{1, 8, 12, 16, 60} {
		for _, tag := range []int{32, 64, 96, 104, 112, 120, 128} {
			alg := &Params{Name: AESGCM, IV: bytes.Repeat([]byte{1}, ivLen), AdditionalData: []byte("ad"), TagLength: tag, HasTagLength: true}
			pt := []byte("some plaintext of a few blocks, to cover more than one")
			ct, err := Encrypt(alg, key, pt)
			if err != nil {
				t.Fatal(err)
			}
			if len(ct) != len(pt)+tag/8 {
				t.Fatalf("iv %d tag %d: %d bytes", ivLen, tag, len(ct))
			}
			full, _ := Encrypt(&Params{Name: AESGCM, IV: alg.IV, AdditionalData: alg.AdditionalData}, key, pt)
			if !bytes.Equal(ct, full[:len(ct)]) {
				t.Fatalf("iv %d tag %d: not a truncation of the full tag", ivLen, tag)
			}
			back, err := Decrypt(alg, key, ct)
			if err != nil || !bytes.Equal(back, pt) {
				t.Fatalf("iv %d tag %d: decrypt %q %v", ivLen, tag, back, err)
			}
			for _, i := range []int{0, len(pt), len(ct) - 1} {
				bad := bytes.Clone(ct)
				bad[i] ^= 0x80
				if _, err := Decrypt(alg, key, bad); errName(err) != OperationError {
					t.Fatalf("iv %d tag %d: flipped byte %d: %v", ivLen, tag, i, err)
				}
			}
		}
	}
}

func TestAESKWRoundTrip(t *testing.T) {
	for _, n := range []int{16, 24, 32, 40, 64} {
		kek := newAESKey(AESKW, bytes.Repeat([]byte{9}, 16))
		plain := bytes.Repeat([]byte{0x5a}, n)
		w, err := aesKWWrap(kek, plain)
		if err != nil || len(w) != n+8 {
			t.Fatalf("wrap %d: %v", n, err)
		}
		back, err := aesKWUnwrap(kek, w)
		if err != nil || !bytes.Equal(back, plain) {
			t.Fatalf("unwrap %d: %v", n, err)
		}
		w[len(w)-1] ^= 1
		if _, err := aesKWUnwrap(kek, w); errName(err) != OperationError {
			t.Fatalf("tampered %d: %v", n, err)
		}
	}
}

// TestKeysRoundTrip generates a key of every kind, exports it in every
// format the kind has, imports it back and checks the copy works the same.
func TestKeysRoundTrip(t *testing.T) {
	ctx := context.Background()
	msg := []byte("round trip")
	kinds := []struct {
		gen     *Params
		imp     *Params
		use     *Params // sign or encrypt params
		usages  Usage
		formats map[KeyType][]string
	}{
		{&Params{Name: HMAC, Hash: SHA384}, &Params{Name: HMAC, Hash: SHA384}, &Params{Name: HMAC}, UsageSign | UsageVerify,
			map[KeyType][]string{Secret: {FormatRaw, FormatJWK}}},
		{&Params{Name: AESGCM, Length: 192}, &Params{Name: AESGCM}, &Params{Name: AESGCM, IV: make([]byte, 12)}, UsageEncrypt | UsageDecrypt,
			map[KeyType][]string{Secret: {FormatRaw, FormatJWK}}},
		{&Params{Name: ECDSA, NamedCurve: "P-384"}, &Params{Name: ECDSA, NamedCurve: "P-384"}, &Params{Name: ECDSA, Hash: SHA384}, UsageSign | UsageVerify,
			map[KeyType][]string{Public: {FormatRaw, FormatSPKI, FormatJWK}, Private: {FormatPKCS8, FormatJWK}}},
		{&Params{Name: Ed25519}, &Params{Name: Ed25519}, &Params{Name: Ed25519}, UsageSign | UsageVerify,
			map[KeyType][]string{Public: {FormatRaw, FormatSPKI, FormatJWK}, Private: {FormatPKCS8, FormatJWK}}},
		{&Params{Name: RSAPSS, Hash: SHA256, ModulusLength: 2048, PublicExponent: []byte{1, 0, 1}}, &Params{Name: RSAPSS, Hash: SHA256},
			&Params{Name: RSAPSS, SaltLength: 32}, UsageSign | UsageVerify,
			map[KeyType][]string{Public: {FormatSPKI, FormatJWK}, Private: {FormatPKCS8, FormatJWK}}},
	}
	for _, k := range kinds {
		t.Run(k.gen.Name, func(t *testing.T) {
			res, err := GenerateKey(ctx, k.gen, true, k.usages)
			if err != nil {
				t.Fatal(err)
			}
			keys := map[KeyType]*Key{}
			switch r := res.(type) {
			case *Key:
				keys[Secret] = r
			case *KeyPair:
				keys[Public], keys[Private] = r.PublicKey, r.PrivateKey
			}
			for typ, formats := range k.formats {
				for _, f := range formats {
					exported, err := ExportKey(f, keys[typ])
					if err != nil {
						t.Fatalf("export %s %s: %v", typ, f, err)
					}
					var back *Key
					if f == FormatJWK {
						// Through JSON, as unwrapKey sees it.
						js, _ := json.Marshal(exported)
						jwk, err := ParseJWK(js)
						if err != nil {
							t.Fatal(err)
						}
						back, err = ImportKey(f, nil, jwk, k.imp, true, keys[typ].Usages)
						if err != nil {
							t.Fatalf("import %s %s: %v", typ, f, err)
						}
					} else {
						back, err = ImportKey(f, exported.([]byte), nil, k.imp, true, keys[typ].Usages)
						if err != nil {
							t.Fatalf("import %s %s: %v", typ, f, err)
						}
					}
					again, _ := ExportKey(f, back)
					a, _ := json.Marshal(exported)
					b, _ := json.Marshal(again)
					if !bytes.Equal(a, b) {
						t.Fatalf("%s %s: export after import differs:\n%s\n%s", typ, f, a, b)
					}
					switch typ {
					case Secret:
						if k.usages&UsageSign != 0 {
							s1, _ := Sign(k.use, keys[typ], msg)
							s2, _ := Sign(k.use, back, msg)
							if !bytes.Equal(s1, s2) {
								t.Fatalf("%s: imported key signs differently", f)
							}
						} else {
							c, _ := Encrypt(k.use, back, msg)
							p, err := Decrypt(k.use, keys[typ], c)
							if err != nil || !bytes.Equal(p, msg) {
								t.Fatalf("%s: imported key encrypts differently: %v", f, err)
							}
						}
					case Private:
						s, err := Sign(k.use, back, msg)
						if err != nil {
							t.Fatal(err)
						}
						if ok, _ := Verify(k.use, keys[Public], s, msg); !ok {
							t.Fatalf("%s: the imported private key's signature does not verify", f)
						}
					case Public:
						s, _ := Sign(k.use, keys[Private], msg)
						if ok, _ := Verify(k.use, back, s, msg); !ok {
							t.Fatalf("%s: the imported public key does not verify", f)
						}
					}
				}
			}
		})
	}
}

func TestRSAKeySizeBounds(t *testing.T) {
	small := &JWK{Kty: "RSA", N: enc(bytes.Repeat([]byte{0xff}, 64)), E: "AQAB"}
	if _, err := ImportKey(FormatJWK, nil, small, &Params{Name: RSASSAPKCS1v15, Hash: SHA256}, true, UsageVerify); errName(err) != NotSupportedError {
		t.Errorf("512-bit key: %v, want NotSupportedError", err)
	}
	huge := &JWK{Kty: "RSA", N: enc(bytes.Repeat([]byte{0xff}, 2100)), E: "AQAB"}
	if _, err := ImportKey(FormatJWK, nil, huge, &Params{Name: RSASSAPKCS1v15, Hash: SHA256}, true, UsageVerify); errName(err) != NotSupportedError {
		t.Errorf("16800-bit key: %v, want NotSupportedError", err)
	}
}

func TestTruncateBits(t *testing.T) {
	for _, tc := range []struct {
		length int
		want   []byte
	}{{0, []byte{}}, {1, []byte{0x80}}, {7, []byte{0xfe}}, {8, []byte{0xff}}, {12, []byte{0xff, 0xf0}}, {16, []byte{0xff, 0xff}}} {
		got, err := truncateBits([]byte{0xff, 0xff}, tc.length, true)
		if err != nil || !bytes.Equal(got, tc.want) {
			t.Errorf("length %d: %x %v, want %x", tc.length, got, err, tc.want)
		}
	}
	if _, err := truncateBits([]byte{0xff}, 9, true); errName(err) != OperationError {
		t.Errorf("9 bits of 8: %v", err)
	}
}

// TestBadKeyDataIsDataError feeds malformed key data of every format to
// every algorithm: each must fail with a DataError (or NotSupportedError
// for a format the algorithm lacks), never panic.
func TestBadKeyDataIsDataError(t *testing.T) {
	algs := []*Params{
		{Name: HMAC, Hash: SHA256}, {Name: AESGCM}, {Name: ECDSA, NamedCurve: "P-256"}, {Name: ECDH, NamedCurve: "P-521"},
		{Name: Ed25519}, {Name: X25519}, {Name: RSASSAPKCS1v15, Hash: SHA256}, {Name: RSAOAEP, Hash: SHA1},
	}
	inputs := [][]byte{nil, {0}, {0x30, 0x03, 0x02, 0x01, 0x00}, bytes.Repeat([]byte{0xff}, 65), pemDER(t, "rsa.pem"), pemDER(t, "ec256.pem")}
	for _, alg := range algs {
		for _, f := range []string{FormatRaw, FormatSPKI, FormatPKCS8} {
			for _, in := range inputs {
				usages := Usage(0)
				_, err := ImportKey(f, in, nil, alg, true, usages)
				switch errName(err) {
				case DataError, NotSupportedError, SyntaxError, "":
				default:
					t.Errorf("%s %s %x: %v", alg.Name, f, in, err)
				}
			}
		}
		for _, jwk := range []*JWK{{Kty: "oct"}, {Kty: "EC", Crv: "P-256", X: "!!", Y: "AA"}, {Kty: "OKP", Crv: alg.Name, X: "AAAA"},
			{Kty: "RSA", N: "AQAB", E: "AQAB", D: "AQAB"}, {Kty: "RSA", N: "", E: ""}} {
			_, err := ImportKey(FormatJWK, nil, jwk, alg, false, 0)
			switch errName(err) {
			case DataError, SyntaxError:
			default:
				t.Errorf("%s jwk %+v: %v", alg.Name, jwk, err)
			}
		}
	}
}

func FuzzImportKey(f *testing.F) {
	f.Add(uint8(0), uint8(1), pemDER(f, "rsa.pem"))
	f.Add(uint8(2), uint8(2), pemDER(f, "ec256.pem"))
	f.Add(uint8(4), uint8(2), pemDER(f, "ed.pem"))
	f.Add(uint8(3), uint8(0), []byte{4, 1, 2})
	f.Add(uint8(5), uint8(3), []byte(`{"kty":"OKP","crv":"X25519","x":"AAAA"}`))
	algs := []*Params{
		{Name: RSASSAPKCS1v15, Hash: SHA256}, {Name: RSAPSS, Hash: SHA512}, {Name: ECDSA, NamedCurve: "P-256"},
		{Name: ECDH, NamedCurve: "P-384"}, {Name: Ed25519}, {Name: X25519}, {Name: HMAC, Hash: SHA1}, {Name: AESCBC},
	}
	formats := []string{FormatRaw, FormatSPKI, FormatPKCS8, FormatJWK}
	f.Fuzz(func(t *testing.T, a, fm uint8, data []byte) {
		alg := algs[int(a)%len(algs)]
		format := formats[int(fm)%len(formats)]
		var jwk *JWK
		if format == FormatJWK {
			var err error
			if jwk, err = ParseJWK(data); err != nil {
				return
			}
		}
		k, err := ImportKey(format, data, jwk, alg, true, 0)
		if err != nil {
			var we *Error
			if !errors.As(err, &we) {
				t.Fatalf("untyped error %v", err)
			}
			return
		}
		// Whatever imported must export again.
		for _, f := range formats {
			_, _ = ExportKey(f, k)
		}
	})
}

func TestKeyChecks(t *testing.T) {
	hmacKey, _ := GenerateKey(context.Background(), &Params{Name: HMAC, Hash: SHA256}, false, UsageSign)
	k := hmacKey.(*Key)
	if _, err := Sign(&Params{Name: HMAC}, k, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := Verify(&Params{Name: HMAC}, k, nil, nil); errName(err) != InvalidAccessError {
		t.Errorf("verify without the usage: %v", err)
	}
	if _, err := Sign(&Params{Name: Ed25519}, k, nil); errName(err) != InvalidAccessError {
		t.Errorf("sign with another algorithm's key: %v", err)
	}
	if _, err := ExportKey(FormatRaw, k); errName(err) != InvalidAccessError {
		t.Errorf("export a non-extractable key: %v", err)
	}
	if _, err := GenerateKey(context.Background(), &Params{Name: HMAC, Hash: SHA256}, false, 0); errName(err) != SyntaxError {
		t.Errorf("no usages: %v", err)
	}
	if _, err := GenerateKey(context.Background(), &Params{Name: RSASSAPKCS1v15, Hash: SHA256, ModulusLength: 2048, PublicExponent: []byte{1, 0, 1}}, false, UsageSign); err != nil {
		t.Errorf("RSA: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := GenerateKey(ctx, &Params{Name: RSASSAPKCS1v15, Hash: SHA256, ModulusLength: 2048, PublicExponent: []byte{1, 0, 1}}, false, UsageSign); errName(err) != OperationError {
		t.Errorf("RSA with a cancelled context: %v", err)
	}
	for _, name := range []string{"sha-256", "Sha-256", "SHA-256"} {
		if n, _, err := Lookup(OpDigest, name); n != SHA256 || err != nil {
			t.Errorf("Lookup(%q) = %q, %v", name, n, err)
		}
	}
	if _, _, err := Lookup(OpSign, "AES-GCM"); errName(err) != NotSupportedError {
		t.Errorf("Lookup(sign, AES-GCM): %v", err)
	}
}
