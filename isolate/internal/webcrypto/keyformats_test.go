package webcrypto

import (
	"crypto"
	"crypto/ecdh"
	"crypto/x509"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite testdata/keyformats.golden instead of comparing")

// TestKeyFormatOutcomes imports and exports keys of every algorithm in
// every format, from good material, from another algorithm's material and
// from broken material, with allowed and disallowed usages, and compares
// each outcome (the error's name and message, or ok) with
// testdata/keyformats.golden: the messages are what scripts see.
func TestKeyFormatOutcomes(t *testing.T) {
	var out strings.Builder
	line := func(format string, args ...any) { fmt.Fprintf(&out, format+"\n", args...) }
	outcome := func(err error) string {
		if err == nil {
			return "ok"
		}
		return errName(err) + ": " + err.(*Error).Message
	}

	// DER material: the OpenSSL fixtures (PKCS #8) and their public halves
	// (SPKI), plus an X25519 key.
	der := map[string][]byte{}
	for _, name := range []string{"rsa", "ec256", "ec384", "ed"} {
		priv := pemDER(t, name+".pem")
		k, err := x509.ParsePKCS8PrivateKey(priv)
		if err != nil {
			t.Fatal(err)
		}
		pub, err := x509.MarshalPKIXPublicKey(k.(crypto.Signer).Public())
		if err != nil {
			t.Fatal(err)
		}
		der[name+".pkcs8"], der[name+".spki"] = priv, pub
	}
	xk, err := ecdh.X25519().NewPrivateKey([]byte("a 32-byte X25519 private scalar"[:31] + "!"))
	if err != nil {
		t.Fatal(err)
	}
	if der["x25519.pkcs8"], err = x509.MarshalPKCS8PrivateKey(xk); err != nil {
		t.Fatal(err)
	}
	if der["x25519.spki"], err = x509.MarshalPKIXPublicKey(xk.PublicKey()); err != nil {
		t.Fatal(err)
	}
	der["garbage"] = []byte{0x30, 0x03, 0x02, 0x01, 0x00}
	der["empty"] = nil
	derNames := []string{"rsa.spki", "rsa.pkcs8", "ec256.spki", "ec256.pkcs8", "ec384.spki", "ec384.pkcs8",
		"ed.spki", "ed.pkcs8", "x25519.spki", "x25519.pkcs8", "garbage", "empty"}

	type alg struct {
		p              *Params
		public, secret Usage // the usages of a public and of a private or secret key
		wrong          Usage
	}
	algs := []alg{
		{&Params{Name: RSASSAPKCS1v15, Hash: SHA256}, UsageVerify, UsageSign, UsageEncrypt},
		{&Params{Name: RSAPSS, Hash: SHA384}, UsageVerify, UsageSign, UsageDeriveBits},
		{&Params{Name: RSAOAEP, Hash: SHA1}, UsageEncrypt | UsageWrapKey, UsageDecrypt, UsageSign},
		{&Params{Name: ECDSA, NamedCurve: "P-256"}, UsageVerify, UsageSign, UsageWrapKey},
		{&Params{Name: ECDSA, NamedCurve: "P-384"}, UsageVerify, UsageSign, UsageDecrypt},
		{&Params{Name: ECDH, NamedCurve: "P-256"}, 0, UsageDeriveBits, UsageSign},
		{&Params{Name: ECDH, NamedCurve: "P-999"}, 0, UsageDeriveBits, UsageSign},
		{&Params{Name: Ed25519}, UsageVerify, UsageSign, UsageDeriveKey},
		{&Params{Name: X25519}, 0, UsageDeriveKey, UsageVerify},
		{&Params{Name: HMAC, Hash: SHA256}, 0, UsageSign | UsageVerify, UsageEncrypt},
		{&Params{Name: AESGCM}, 0, UsageEncrypt, UsageSign},
		{&Params{Name: AESKW}, 0, UsageWrapKey, UsageEncrypt},
		{&Params{Name: HKDF}, 0, UsageDeriveBits, UsageSign},
	}

	// Good keys of each algorithm, exported in every format, are the rest
	// of the material: JWKs to break, raw points and secrets.
	jwks := map[string]*JWK{}
	raws := map[string][]byte{}
	for _, a := range algs {
		for _, f := range []string{FormatSPKI, FormatPKCS8, FormatRaw} {
			for _, name := range derNames {
				for _, u := range []Usage{a.public, a.secret, a.wrong} {
					data := der[name]
					if f == FormatRaw {
						if name != "ec256.spki" && name != "ed.spki" && name != "garbage" && name != "empty" {
							continue
						}
						if pub, err := ImportKey(FormatSPKI, der[name], nil, &Params{Name: map[bool]string{true: Ed25519, false: ECDSA}[name == "ed.spki"], NamedCurve: "P-256"}, true, 0); err == nil {
							raw, _ := ExportKey(FormatRaw, pub)
							data = raw.([]byte)
						}
						if a.p.Name == HMAC || a.p.Name == AESGCM || a.p.Name == AESKW || a.p.Name == HKDF {
							data = []byte("0123456789abcdef0123456789abcdef")[:map[string]int{"ec256.spki": 16, "ed.spki": 32, "garbage": 5}[name]]
						}
					}
					k, err := ImportKey(f, data, nil, a.p, true, u)
					line("import %s %s %s usages=[%s]: %s", a.p.Name+"/"+a.p.NamedCurve+a.p.Hash, f, name, u, outcome(err))
					if err != nil {
						continue
					}
					for _, ef := range []string{FormatRaw, FormatSPKI, FormatPKCS8, FormatJWK} {
						x, err := ExportKey(ef, k)
						line("  export %s %s: %s", k.Type, ef, outcome(err))
						if err != nil {
							continue
						}
						key := a.p.Name + "/" + a.p.NamedCurve + "/" + k.Type.String()
						switch v := x.(type) {
						case *JWK:
							jwks[key] = v
						case []byte:
							if ef == FormatRaw {
								raws[key] = v
							}
						}
					}
				}
			}
		}
	}

	// JWKs: each good one, then broken one member at a time.
	mutations := []struct {
		name string
		edit func(j *JWK)
	}{
		{"as is", func(*JWK) {}},
		{"no kty", func(j *JWK) { j.Kty = "" }},
		{"kty EC", func(j *JWK) { j.Kty = "EC" }},
		{"kty RSA", func(j *JWK) { j.Kty = "RSA" }},
		{"kty oct", func(j *JWK) { j.Kty = "oct" }},
		{"crv P-384", func(j *JWK) { j.Crv = "P-384" }},
		{"crv X25519", func(j *JWK) { j.Crv = "X25519" }},
		{"alg wrong", func(j *JWK) { j.Alg = "HS1" }},
		{"alg none", func(j *JWK) { j.Alg = "" }},
		{"use enc", func(j *JWK) { j.Use = "enc" }},
		{"use sig", func(j *JWK) { j.Use = "sig" }},
		{"key_ops twice", func(j *JWK) { j.KeyOps = append(j.KeyOps, j.KeyOps...) }},
		{"key_ops empty", func(j *JWK) { j.KeyOps = []string{} }},
		{"ext false", func(j *JWK) { f := false; j.Ext = &f }},
		{"x bad", func(j *JWK) { j.X = "!!" }},
		{"x short", func(j *JWK) { j.X = j.X[:len(j.X)/2] }},
		{"y short", func(j *JWK) { j.Y = j.Y[:len(j.Y)/2] }},
		{"d bad", func(j *JWK) { j.D = "!!" }},
		{"d short", func(j *JWK) { j.D = j.D[:len(j.D)/2] }},
		{"d other", func(j *JWK) { j.D = enc([]byte("another 32-byte private scalar!!"[:len(mustB64(j.D))%33])) }},
		{"n missing", func(j *JWK) { j.N = "" }},
		{"e bad", func(j *JWK) { j.E = "AA" }},
		{"dp wrong", func(j *JWK) { j.DP = j.DQ }},
		{"oth", func(j *JWK) { j.Oth = true }},
		{"k missing", func(j *JWK) { j.K = "" }},
		{"k bad", func(j *JWK) { j.K = "!!" }},
		{"k 40 bits", func(j *JWK) { j.K = enc([]byte("12345")) }},
	}
	for _, a := range algs {
		for _, typ := range []string{"public", "private", "secret"} {
			good, ok := jwks[a.p.Name+"/"+a.p.NamedCurve+"/"+typ]
			if !ok {
				continue
			}
			for _, m := range mutations {
				for _, u := range []Usage{a.public, a.secret, a.wrong} {
					js, _ := json.Marshal(good)
					j, err := ParseJWK(js)
					if err != nil {
						t.Fatal(err)
					}
					if m.name[0] == 'x' && j.X == "" || m.name[0] == 'y' && j.Y == "" || m.name[0] == 'd' && m.name[1] == ' ' && j.D == "" ||
						m.name[0] == 'k' && m.name[1] == ' ' && j.K == "" || (m.name == "dp wrong" || m.name == "n missing" || m.name == "e bad") && j.N == "" {
						continue
					}
					m.edit(j)
					_, err = ImportKey(FormatJWK, nil, j, a.p, true, u)
					line("jwk %s %s %s usages=[%s]: %s", a.p.Name+"/"+a.p.NamedCurve+a.p.Hash, typ, m.name, u, outcome(err))
				}
			}
		}
	}
	for _, f := range []string{"spki", "jwk", "raw", "pkcs8", "bogus"} {
		k, err := ImportKey(FormatRaw, []byte("0123456789abcdef"), nil, &Params{Name: HKDF}, false, UsageDeriveBits)
		if err != nil {
			t.Fatal(err)
		}
		_, err = ExportKey(f, k)
		line("export HKDF %s: %s", f, outcome(err))
	}
	for _, a := range algs {
		_, err := ImportKey("bogus", nil, nil, a.p, true, a.secret)
		line("import %s bogus: %s", a.p.Name, outcome(err))
	}

	// Generated pairs: how the usages split between the halves.
	for _, g := range []*Params{
		{Name: ECDSA, NamedCurve: "P-256"}, {Name: ECDH, NamedCurve: "P-384"}, {Name: Ed25519}, {Name: X25519},
		{Name: RSAOAEP, Hash: SHA256, ModulusLength: 1024, PublicExponent: []byte{1, 0, 1}},
		{Name: RSAPSS, Hash: SHA256, ModulusLength: 1024, PublicExponent: []byte{1, 0, 1}},
	} {
		for _, u := range []Usage{UsageSign | UsageVerify, UsageDeriveBits | UsageDeriveKey, UsageEncrypt | UsageDecrypt | UsageWrapKey | UsageUnwrapKey, UsageVerify, UsageEncrypt} {
			res, err := GenerateKey(t.Context(), g, false, u)
			if err != nil {
				line("generate %s usages=[%s]: %s", g.Name, u, outcome(err))
				continue
			}
			pair := res.(*KeyPair)
			line("generate %s usages=[%s]: public %v [%s] %+v, private %v [%s]", g.Name, u,
				pair.PublicKey.Extractable, pair.PublicKey.Usages, pair.PublicKey.Algorithm, pair.PrivateKey.Extractable, pair.PrivateKey.Usages)
		}
	}

	got := out.String()
	const golden = "testdata/keyformats.golden"
	if *update {
		if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run `go test ./isolate/internal/webcrypto -run TestKeyFormatOutcomes -update` to create it)", err)
	}
	if got != string(want) {
		gl, wl := strings.Split(got, "\n"), strings.Split(string(want), "\n")
		for i := 0; i < len(gl) && i < len(wl); i++ {
			if gl[i] != wl[i] {
				t.Fatalf("outcomes differ from %s at line %d:\n got: %s\nwant: %s", golden, i+1, gl[i], wl[i])
			}
		}
		t.Fatalf("outcomes differ from %s: %d lines, want %d", golden, len(gl), len(wl))
	}
}

func mustB64(s string) []byte {
	b, _ := b64("", s)
	return b
}
