package webcrypto

import (
	"context"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"math/big"
)

// RSA key sizes edgefn generates. Above the maximum, generation takes
// seconds to minutes of CPU; below the minimum, Go refuses the key.
const (
	MinRSABits = 1024
	MaxRSABits = 4096
)

func rsaUsages(alg string, t KeyType) Usage {
	switch {
	case alg == RSAOAEP && t == Private:
		return UsageDecrypt | UsageUnwrapKey
	case alg == RSAOAEP:
		return UsageEncrypt | UsageWrapKey
	case t == Private:
		return UsageSign
	}
	return UsageVerify
}

var rsaJWKAlg = map[string]map[string]string{
	RSASSAPKCS1v15: {SHA1: "RS1", SHA256: "RS256", SHA384: "RS384", SHA512: "RS512"},
	RSAPSS:         {SHA1: "PS1", SHA256: "PS256", SHA384: "PS384", SHA512: "PS512"},
	RSAOAEP:        {SHA1: "RSA-OAEP", SHA256: "RSA-OAEP-256", SHA384: "RSA-OAEP-384", SHA512: "RSA-OAEP-512"},
}

func rsaKeyAlgorithm(alg, hash string, pub *rsa.PublicKey) KeyAlgorithm {
	return KeyAlgorithm{
		Name:           alg,
		Hash:           hash,
		ModulusLength:  pub.N.BitLen(),
		PublicExponent: big.NewInt(int64(pub.E)).Bytes(),
	}
}

// rsaGenerate makes a key pair. Even a 2048-bit key takes tens of
// milliseconds and has no way to stop early: callers run it off the JS
// thread.
func rsaGenerate(ctx context.Context, alg *Params, extractable bool, usages Usage) (*KeyPair, error) {
	if err := checkUsages(alg.Name, usages, rsaUsages(alg.Name, Private)|rsaUsages(alg.Name, Public)); err != nil {
		return nil, err
	}
	if alg.ModulusLength < MinRSABits || alg.ModulusLength > MaxRSABits || alg.ModulusLength%8 != 0 {
		return nil, opErr("RSA modulusLength must be a multiple of 8 from %d to %d bits, not %d", MinRSABits, MaxRSABits, alg.ModulusLength)
	}
	e := new(big.Int).SetBytes(alg.PublicExponent)
	if e.Cmp(big.NewInt(65537)) != 0 {
		return nil, opErr("RSA publicExponent must be 65537 (new Uint8Array([1, 0, 1])), not %s", e)
	}
	if err := ctx.Err(); err != nil {
		return nil, opErr("RSA key generation cancelled: %v", err)
	}
	priv, err := rsa.GenerateKey(rand.Reader, alg.ModulusLength)
	if err != nil {
		return nil, opErr("generating an RSA key: %v", err)
	}
	pair := newKeyPair(rsaKeyAlgorithm(alg.Name, alg.Hash, &priv.PublicKey), extractable, usages, rsaUsages)
	pair.PrivateKey.priv, pair.PublicKey.pub = priv, &priv.PublicKey
	return pair, nil
}

// maxRSAImportBits bounds the keys importKey accepts: a public-key
// operation's cost grows with the square of the modulus size.
const maxRSAImportBits = 16384

// checkRSASize refuses keys Go's crypto/rsa will not use (it fails every
// operation with a key under 1024 bits: better to say so at import than to
// have verify return false) and absurdly large ones.
func checkRSASize(pub *rsa.PublicKey) error {
	switch n := pub.N.BitLen(); {
	case n < MinRSABits:
		return notSupported("RSA keys of fewer than %d bits are not supported (this one has %d)", MinRSABits, n)
	case n > maxRSAImportBits:
		return notSupported("RSA keys of more than %d bits are not supported (this one has %d)", maxRSAImportBits, n)
	}
	return nil
}

func rsaImport(format string, data []byte, jwk *JWK, alg *Params, extractable bool, usages Usage) (*Key, error) {
	k, err := rsaImportKey(format, data, jwk, alg, extractable, usages)
	if err != nil {
		return nil, err
	}
	pub, _ := k.pub.(*rsa.PublicKey)
	if k.Type == Private {
		pub = &k.priv.(*rsa.PrivateKey).PublicKey
	}
	if err := checkRSASize(pub); err != nil {
		return nil, err
	}
	return k, nil
}

func rsaImportKey(format string, data []byte, jwk *JWK, alg *Params, extractable bool, usages Usage) (*Key, error) {
	check := func(t KeyType) error { return checkUsages(alg.Name, usages, rsaUsages(alg.Name, t)) }
	switch format {
	case FormatSPKI:
		if err := check(Public); err != nil {
			return nil, err
		}
		pub, err := spkiKey[*rsa.PublicKey](data, "an RSA")
		if err != nil {
			return nil, err
		}
		return &Key{Type: Public, Algorithm: rsaKeyAlgorithm(alg.Name, alg.Hash, pub), pub: pub}, nil
	case FormatPKCS8:
		if err := check(Private); err != nil {
			return nil, err
		}
		priv, err := pkcs8Key[*rsa.PrivateKey](data, "an RSA")
		if err != nil {
			return nil, err
		}
		return &Key{Type: Private, Algorithm: rsaKeyAlgorithm(alg.Name, alg.Hash, &priv.PublicKey), priv: priv}, nil
	case FormatJWK:
		t, err := jwkKeyType(jwk, "RSA", alg.Name, check)
		if err != nil {
			return nil, err
		}
		use := "sig"
		if alg.Name == RSAOAEP {
			use = "enc"
		}
		if want := rsaJWKAlg[alg.Name][alg.Hash]; jwk.Alg != "" && jwk.Alg != want {
			return nil, dataErr("JWK \"alg\" is %q, but the key is for %s with %s (%q)", jwk.Alg, alg.Name, alg.Hash, want)
		}
		if err := checkJWKCommon(jwk, use, usages, extractable); err != nil {
			return nil, err
		}
		pub, err := jwkRSAPublic(jwk)
		if err != nil {
			return nil, err
		}
		if t == Public {
			return &Key{Type: Public, Algorithm: rsaKeyAlgorithm(alg.Name, alg.Hash, pub), pub: pub}, nil
		}
		priv, err := jwkRSAPrivate(jwk, pub)
		if err != nil {
			return nil, err
		}
		return &Key{Type: Private, Algorithm: rsaKeyAlgorithm(alg.Name, alg.Hash, pub), priv: priv}, nil
	}
	return nil, notSupported("%s keys cannot be imported in %q format (use \"spki\", \"pkcs8\" or \"jwk\")", alg.Name, format)
}

func jwkInt(member, s string) (*big.Int, error) {
	if s == "" {
		return nil, dataErr("JWK member %q is missing", member)
	}
	b, err := b64(member, s)
	if err != nil {
		return nil, err
	}
	return new(big.Int).SetBytes(b), nil
}

func jwkRSAPublic(jwk *JWK) (*rsa.PublicKey, error) {
	n, err := jwkInt("n", jwk.N)
	if err != nil {
		return nil, err
	}
	e, err := jwkInt("e", jwk.E)
	if err != nil {
		return nil, err
	}
	if n.Sign() == 0 || !e.IsInt64() || e.Int64() < 3 || e.Int64() > 1<<31-1 || e.Bit(0) == 0 {
		return nil, dataErr("JWK \"n\" or \"e\" is not a valid RSA public key")
	}
	return &rsa.PublicKey{N: n, E: int(e.Int64())}, nil
}

func jwkRSAPrivate(jwk *JWK, pub *rsa.PublicKey) (*rsa.PrivateKey, error) {
	if jwk.Oth {
		return nil, notSupported("multi-prime RSA keys (JWK \"oth\") are not supported")
	}
	var vals [6]*big.Int
	for i, m := range []struct{ name, val string }{{"d", jwk.D}, {"p", jwk.P}, {"q", jwk.Q}, {"dp", jwk.DP}, {"dq", jwk.DQ}, {"qi", jwk.QI}} {
		v, err := jwkInt(m.name, m.val)
		if err != nil {
			return nil, err
		}
		vals[i] = v
	}
	priv := &rsa.PrivateKey{PublicKey: *pub, D: vals[0], Primes: []*big.Int{vals[1], vals[2]}}
	if err := priv.Validate(); err != nil {
		return nil, dataErr("the JWK is not a consistent RSA private key: %v", err)
	}
	priv.Precompute()
	if priv.Precomputed.Dp.Cmp(vals[3]) != 0 || priv.Precomputed.Dq.Cmp(vals[4]) != 0 || priv.Precomputed.Qinv.Cmp(vals[5]) != 0 {
		return nil, dataErr("the JWK's \"dp\", \"dq\" or \"qi\" do not match its primes")
	}
	return priv, nil
}

func rsaExport(format string, key *Key) (any, error) {
	switch format {
	case FormatSPKI:
		return exportSPKI(key)
	case FormatPKCS8:
		return exportPKCS8(key)
	case FormatJWK:
		jwk := &JWK{Kty: "RSA", Alg: rsaJWKAlg[key.Algorithm.Name][key.Algorithm.Hash]}
		var pub *rsa.PublicKey
		if key.Type == Private {
			priv := key.priv.(*rsa.PrivateKey)
			if len(priv.Primes) != 2 {
				return nil, notSupported("multi-prime RSA keys cannot be exported as JWK")
			}
			pub = &priv.PublicKey
			jwk.D = encInt(priv.D)
			jwk.P, jwk.Q = encInt(priv.Primes[0]), encInt(priv.Primes[1])
			jwk.DP, jwk.DQ, jwk.QI = encInt(priv.Precomputed.Dp), encInt(priv.Precomputed.Dq), encInt(priv.Precomputed.Qinv)
		} else {
			pub = key.pub.(*rsa.PublicKey)
		}
		jwk.N, jwk.E = encInt(pub.N), encInt(big.NewInt(int64(pub.E)))
		return exportJWK(jwk, key), nil
	}
	return nil, notSupported("%s keys cannot be exported in %q format (use \"spki\", \"pkcs8\" or \"jwk\")", key.Algorithm.Name, format)
}

func rsaDigest(key *Key, data []byte) (crypto.Hash, []byte) {
	h := hashOf(key.Algorithm.Hash)
	hh := h.New()
	hh.Write(data)
	return h, hh.Sum(nil)
}

func rsaSign(alg *Params, key *Key, data []byte) ([]byte, error) {
	if key.Type != Private {
		return nil, invalidAccess("%s signing needs a private key, not a %s key", alg.Name, key.Type)
	}
	priv := key.priv.(*rsa.PrivateKey)
	h, digest := rsaDigest(key, data)
	var (
		sig []byte
		err error
	)
	if alg.Name == RSAPSS {
		if alg.SaltLength == 0 {
			return nil, notSupported("RSA-PSS signing with saltLength 0 is not supported (use the hash length, e.g. 32 for SHA-256)")
		}
		emLen := (priv.N.BitLen() - 1 + 7) / 8
		if most := emLen - h.Size() - 2; alg.SaltLength > most {
			return nil, opErr("RSA-PSS saltLength %d is too long for a %d-bit key with %s (at most %d)", alg.SaltLength, priv.N.BitLen(), key.Algorithm.Hash, most)
		}
		sig, err = rsa.SignPSS(rand.Reader, priv, h, digest, &rsa.PSSOptions{SaltLength: alg.SaltLength})
	} else {
		sig, err = rsa.SignPKCS1v15(nil, priv, h, digest)
	}
	if err != nil {
		return nil, opErr("%s signing failed: %v", alg.Name, err)
	}
	return sig, nil
}

func rsaVerify(alg *Params, key *Key, sig, data []byte) (bool, error) {
	if key.Type != Public {
		return false, invalidAccess("%s verification needs a public key, not a %s key", alg.Name, key.Type)
	}
	pub := key.pub.(*rsa.PublicKey)
	h, digest := rsaDigest(key, data)
	if alg.Name != RSAPSS {
		return rsa.VerifyPKCS1v15(pub, h, digest, sig) == nil, nil
	}
	if alg.SaltLength != 0 {
		return rsa.VerifyPSS(pub, h, digest, sig, &rsa.PSSOptions{SaltLength: alg.SaltLength}) == nil, nil
	}
	// Go reads SaltLength 0 as "any length": verify so, then require the
	// signature's salt to be empty.
	if rsa.VerifyPSS(pub, h, digest, sig, &rsa.PSSOptions{SaltLength: rsa.PSSSaltLengthAuto}) != nil {
		return false, nil
	}
	return pssSaltLength(pub, h, sig) == 0, nil
}

// pssSaltLength recovers the salt length of a PSS signature that verified
// (RFC 8017 section 9.1.2, steps 7 to 10), or -1.
func pssSaltLength(pub *rsa.PublicKey, h crypto.Hash, sig []byte) int {
	emBits := pub.N.BitLen() - 1
	emLen := (emBits + 7) / 8
	m := new(big.Int).Exp(new(big.Int).SetBytes(sig), big.NewInt(int64(pub.E)), pub.N)
	em := m.FillBytes(make([]byte, emLen))
	hLen := h.Size()
	if emLen < hLen+2 {
		return -1
	}
	db := em[:emLen-hLen-1]
	mgf1XOR(db, h, em[emLen-hLen-1:emLen-1])
	db[0] &= 0xff >> (8*emLen - emBits)
	for i, b := range db {
		if b == 1 {
			return len(db) - i - 1
		}
		if b != 0 {
			return -1
		}
	}
	return -1
}

// mgf1XOR XORs out with MGF1(seed) (RFC 8017 appendix B.2.1).
func mgf1XOR(out []byte, h crypto.Hash, seed []byte) {
	var counter [4]byte
	hh := h.New()
	done := 0
	for done < len(out) {
		hh.Reset()
		hh.Write(seed)
		hh.Write(counter[:])
		for _, b := range hh.Sum(nil) {
			if done == len(out) {
				break
			}
			out[done] ^= b
			done++
		}
		for i := 3; i >= 0; i-- {
			counter[i]++
			if counter[i] != 0 {
				break
			}
		}
	}
}

func rsaOAEPEncrypt(alg *Params, key *Key, data []byte) ([]byte, error) {
	if key.Type != Public {
		return nil, invalidAccess("RSA-OAEP encryption needs a public key, not a %s key", key.Type)
	}
	pub := key.pub.(*rsa.PublicKey)
	h := hashOf(key.Algorithm.Hash)
	if most := pub.Size() - 2*h.Size() - 2; len(data) > most {
		return nil, opErr("the data (%d bytes) is too long for RSA-OAEP with a %d-bit key and %s (at most %d bytes)", len(data), pub.N.BitLen(), key.Algorithm.Hash, most)
	}
	out, err := rsa.EncryptOAEP(h.New(), rand.Reader, pub, data, alg.Label)
	if err != nil {
		return nil, opErr("RSA-OAEP encryption failed: %v", err)
	}
	return out, nil
}

func rsaOAEPDecrypt(alg *Params, key *Key, data []byte) ([]byte, error) {
	if key.Type != Private {
		return nil, invalidAccess("RSA-OAEP decryption needs a private key, not a %s key", key.Type)
	}
	out, err := rsa.DecryptOAEP(hashOf(key.Algorithm.Hash).New(), rand.Reader, key.priv.(*rsa.PrivateKey), data, alg.Label)
	if err != nil {
		return nil, opErr("RSA-OAEP decryption failed (wrong key or label, or corrupted data)")
	}
	return out, nil
}
