package webcrypto

import (
	"crypto/ecdh"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/subtle"
	"math/big"
)

// curve describes one NIST curve.
type curve struct {
	name   string
	ec     elliptic.Curve
	dh     ecdh.Curve
	size   int    // bytes per coordinate / scalar
	jwsAlg string // the JWA alg of ECDSA keys on the curve
}

var curves = map[string]*curve{
	"P-256": {"P-256", elliptic.P256(), ecdh.P256(), 32, "ES256"},
	"P-384": {"P-384", elliptic.P384(), ecdh.P384(), 48, "ES384"},
	"P-521": {"P-521", elliptic.P521(), ecdh.P521(), 66, "ES512"},
}

func curveNamed(name string, unsupported func(string, ...any) error) (*curve, error) {
	c, ok := curves[name]
	if !ok {
		return nil, unsupported("unsupported namedCurve %q (use \"P-256\", \"P-384\" or \"P-521\")", name)
	}
	return c, nil
}

func curveOf(ec elliptic.Curve) *curve {
	for _, c := range curves {
		if c.ec == ec {
			return c
		}
	}
	return nil
}

// curveUsages is the usage table of ECDSA and ECDH, and of Ed25519 and
// X25519: each family has a signing and a key-agreement algorithm.
func curveUsages(alg string, t KeyType) Usage {
	agreement := alg == ECDH || alg == X25519
	switch {
	case agreement && t == Private:
		return UsageDeriveKey | UsageDeriveBits
	case agreement:
		return 0
	case t == Private:
		return UsageSign
	}
	return UsageVerify
}

func ecGenerate(alg *Params, extractable bool, usages Usage) (*KeyPair, error) {
	if err := checkUsages(alg.Name, usages, curveUsages(alg.Name, Private)|curveUsages(alg.Name, Public)); err != nil {
		return nil, err
	}
	c, err := curveNamed(alg.NamedCurve, notSupported)
	if err != nil {
		return nil, err
	}
	pair := newKeyPair(KeyAlgorithm{Name: alg.Name, NamedCurve: c.name}, extractable, usages, curveUsages)
	if alg.Name == ECDSA {
		priv, err := ecdsa.GenerateKey(c.ec, rand.Reader)
		if err != nil {
			return nil, opErr("generating a %s key: %v", c.name, err)
		}
		pair.PrivateKey.priv, pair.PublicKey.pub = priv, &priv.PublicKey
	} else {
		priv, err := c.dh.GenerateKey(rand.Reader)
		if err != nil {
			return nil, opErr("generating a %s key: %v", c.name, err)
		}
		pair.PrivateKey.priv, pair.PublicKey.pub = priv, priv.PublicKey()
	}
	return pair, nil
}

// ecPublic and ecPrivate make a key of alg (ECDSA or ECDH) from parsed
// ECDSA-typed material, checking its curve is the one asked for.
func ecPublic(alg string, c *curve, pub *ecdsa.PublicKey) (*Key, error) {
	if curveOf(pub.Curve) != c {
		return nil, dataErr("the key is on %s, not %s", pub.Curve.Params().Name, c.name)
	}
	k := &Key{Type: Public, Algorithm: KeyAlgorithm{Name: alg, NamedCurve: c.name}}
	if alg == ECDSA {
		k.pub = pub
		return k, nil
	}
	dh, err := pub.ECDH()
	if err != nil {
		return nil, dataErr("invalid public key: %v", err)
	}
	k.pub = dh
	return k, nil
}

func ecPrivate(alg string, c *curve, priv *ecdsa.PrivateKey) (*Key, error) {
	if curveOf(priv.Curve) != c {
		return nil, dataErr("the key is on %s, not %s", priv.Curve.Params().Name, c.name)
	}
	k := &Key{Type: Private, Algorithm: KeyAlgorithm{Name: alg, NamedCurve: c.name}}
	if alg == ECDSA {
		k.priv = priv
		return k, nil
	}
	dh, err := priv.ECDH()
	if err != nil {
		return nil, dataErr("invalid private key: %v", err)
	}
	k.priv = dh
	return k, nil
}

// parsePoint decodes an uncompressed or compressed SEC 1 point.
func parsePoint(c *curve, data []byte) (*ecdsa.PublicKey, error) {
	if len(data) == 1+c.size && (data[0] == 2 || data[0] == 3) {
		x, y := elliptic.UnmarshalCompressed(c.ec, data)
		if x == nil {
			return nil, dataErr("the data is not a point on %s", c.name)
		}
		data = elliptic.Marshal(c.ec, x, y)
	}
	pub, err := ecdsa.ParseUncompressedPublicKey(c.ec, data)
	if err != nil {
		return nil, dataErr("the data is not a point on %s", c.name)
	}
	return pub, nil
}

func ecImport(format string, data []byte, jwk *JWK, alg *Params, extractable bool, usages Usage) (*Key, error) {
	c, err := curveNamed(alg.NamedCurve, dataErr)
	if err != nil {
		return nil, err
	}
	check := func(t KeyType) error { return checkUsages(alg.Name, usages, curveUsages(alg.Name, t)) }
	switch format {
	case FormatRaw:
		if err := check(Public); err != nil {
			return nil, err
		}
		pub, err := parsePoint(c, data)
		if err != nil {
			return nil, err
		}
		return ecPublic(alg.Name, c, pub)
	case FormatSPKI:
		if err := check(Public); err != nil {
			return nil, err
		}
		pub, err := spkiKey[*ecdsa.PublicKey](data, "an elliptic-curve")
		if err != nil {
			return nil, err
		}
		return ecPublic(alg.Name, c, pub)
	case FormatPKCS8:
		if err := check(Private); err != nil {
			return nil, err
		}
		priv, err := pkcs8Key[*ecdsa.PrivateKey](data, "an elliptic-curve")
		if err != nil {
			return nil, err
		}
		return ecPrivate(alg.Name, c, priv)
	case FormatJWK:
		t, err := jwkKeyType(jwk, "EC", alg.Name, check)
		if err != nil {
			return nil, err
		}
		if jwk.Crv != c.name {
			return nil, dataErr("JWK \"crv\" is %q, but namedCurve is %q", jwk.Crv, c.name)
		}
		use := "enc"
		if alg.Name == ECDSA {
			use = "sig"
			if jwk.Alg != "" && jwk.Alg != c.jwsAlg {
				return nil, dataErr("JWK \"alg\" is %q, but ECDSA keys on %s are %q", jwk.Alg, c.name, c.jwsAlg)
			}
		}
		if err := checkJWKCommon(jwk, use, usages, extractable); err != nil {
			return nil, err
		}
		x, err := b64("x", jwk.X)
		if err != nil {
			return nil, err
		}
		y, err := b64("y", jwk.Y)
		if err != nil {
			return nil, err
		}
		if len(x) != c.size || len(y) != c.size {
			return nil, dataErr("JWK \"x\" and \"y\" must be %d bytes each for %s", c.size, c.name)
		}
		pub, err := ecdsa.ParseUncompressedPublicKey(c.ec, append(append([]byte{4}, x...), y...))
		if err != nil {
			return nil, dataErr("JWK \"x\" and \"y\" are not a point on %s", c.name)
		}
		if t == Public {
			return ecPublic(alg.Name, c, pub)
		}
		d, err := b64("d", jwk.D)
		if err != nil {
			return nil, err
		}
		if len(d) != c.size {
			return nil, dataErr("JWK \"d\" must be %d bytes for %s", c.size, c.name)
		}
		priv, err := ecdsa.ParseRawPrivateKey(c.ec, d)
		if err != nil {
			return nil, dataErr("JWK \"d\" is not a valid %s private key", c.name)
		}
		if !priv.PublicKey.Equal(pub) {
			return nil, dataErr("JWK \"d\" does not match its public key \"x\", \"y\"")
		}
		return ecPrivate(alg.Name, c, priv)
	}
	return nil, notSupported("%s keys cannot be imported in %q format", alg.Name, format)
}

// ecPoint returns a key's public point, uncompressed.
func ecPoint(key *Key) []byte {
	var b []byte
	switch k := key.pub.(type) {
	case *ecdsa.PublicKey:
		b, _ = k.Bytes()
	case *ecdh.PublicKey:
		b = k.Bytes()
	}
	if key.Type == Private {
		switch k := key.priv.(type) {
		case *ecdsa.PrivateKey:
			b, _ = k.PublicKey.Bytes()
		case *ecdh.PrivateKey:
			b = k.PublicKey().Bytes()
		}
	}
	return b
}

func ecExport(format string, key *Key) (any, error) {
	c := curves[key.Algorithm.NamedCurve]
	switch format {
	case FormatRaw:
		if key.Type != Public {
			return nil, invalidAccess("only public keys can be exported in %q format", format)
		}
		return ecPoint(key), nil
	case FormatSPKI:
		return exportSPKI(key)
	case FormatPKCS8:
		return exportPKCS8(key)
	case FormatJWK:
		pt := ecPoint(key)
		jwk := &JWK{Kty: "EC", Crv: c.name, X: enc(pt[1 : 1+c.size]), Y: enc(pt[1+c.size:])}
		if key.Type == Private {
			var d []byte
			switch k := key.priv.(type) {
			case *ecdsa.PrivateKey:
				d, _ = k.Bytes()
			case *ecdh.PrivateKey:
				d = k.Bytes()
			}
			jwk.D = enc(d)
		}
		return exportJWK(jwk, key), nil
	}
	return nil, notSupported("%s keys cannot be exported in %q format", key.Algorithm.Name, format)
}

func ecdsaSign(alg *Params, key *Key, data []byte) ([]byte, error) {
	if key.Type != Private {
		return nil, invalidAccess("ECDSA signing needs a private key, not a %s key", key.Type)
	}
	priv := key.priv.(*ecdsa.PrivateKey)
	h := hashOf(alg.Hash).New()
	h.Write(data)
	r, s, err := ecdsa.Sign(rand.Reader, priv, h.Sum(nil))
	if err != nil {
		return nil, opErr("ECDSA signing failed: %v", err)
	}
	size := curveOf(priv.Curve).size
	out := make([]byte, 2*size)
	r.FillBytes(out[:size])
	s.FillBytes(out[size:])
	return out, nil
}

func ecdsaVerify(alg *Params, key *Key, sig, data []byte) (bool, error) {
	if key.Type != Public {
		return false, invalidAccess("ECDSA verification needs a public key, not a %s key", key.Type)
	}
	pub := key.pub.(*ecdsa.PublicKey)
	size := curveOf(pub.Curve).size
	if len(sig) != 2*size {
		return false, nil
	}
	h := hashOf(alg.Hash).New()
	h.Write(data)
	r := new(big.Int).SetBytes(sig[:size])
	s := new(big.Int).SetBytes(sig[size:])
	return ecdsa.Verify(pub, h.Sum(nil), r, s), nil
}

// ecdhDerive is deriveBits for ECDH and X25519.
func ecdhDerive(alg *Params, key *Key, length int, hasLength bool) ([]byte, error) {
	if key.Type != Private {
		return nil, invalidAccess("%s deriveBits needs a private base key, not a %s key", alg.Name, key.Type)
	}
	pub := alg.Public
	if pub == nil {
		return nil, typeErr("%s deriveBits needs the peer's public key as algorithm.public", alg.Name)
	}
	if pub.Type != Public {
		return nil, invalidAccess("algorithm.public must be a public key, not a %s key", pub.Type)
	}
	if pub.Algorithm.Name != key.Algorithm.Name {
		return nil, invalidAccess("algorithm.public is a key for %s, but the base key is for %s", pub.Algorithm.Name, key.Algorithm.Name)
	}
	if pub.Algorithm.NamedCurve != key.Algorithm.NamedCurve {
		return nil, invalidAccess("algorithm.public is on %s, but the base key is on %s", pub.Algorithm.NamedCurve, key.Algorithm.NamedCurve)
	}
	secret, err := key.priv.(*ecdh.PrivateKey).ECDH(pub.pub.(*ecdh.PublicKey))
	if err != nil {
		return nil, opErr("%s key agreement failed: %v", alg.Name, err)
	}
	if alg.Name == X25519 && subtle.ConstantTimeCompare(secret, make([]byte, len(secret))) == 1 {
		return nil, opErr("X25519 key agreement produced the all-zero value (a small-order public key)")
	}
	return truncateBits(secret, length, hasLength)
}

// truncateBits returns the first length bits of secret (all of it when
// hasLength is false).
func truncateBits(secret []byte, length int, hasLength bool) ([]byte, error) {
	if !hasLength {
		return secret, nil
	}
	if length > len(secret)*8 {
		return nil, opErr("length %d is more than the %d bits the key agreement yields", length, len(secret)*8)
	}
	out := secret[:(length+7)/8]
	if rem := length % 8; rem != 0 {
		out[len(out)-1] &= byte(0xff << (8 - rem))
	}
	return out, nil
}
