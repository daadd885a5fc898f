package webcrypto

import (
	"bytes"
	"crypto/ecdh"
	"crypto/ed25519"
	"crypto/rand"
)

// Ed25519 and X25519: the "OKP" (octet key pair) algorithms.

func okpGenerate(alg *Params, extractable bool, usages Usage) (*KeyPair, error) {
	if err := checkUsages(alg.Name, usages, curveUsages(alg.Name, Private)|curveUsages(alg.Name, Public)); err != nil {
		return nil, err
	}
	pair := newKeyPair(KeyAlgorithm{Name: alg.Name}, extractable, usages, curveUsages)
	if alg.Name == Ed25519 {
		pub, priv, err := ed25519.GenerateKey(rand.Reader)
		if err != nil {
			return nil, opErr("generating an Ed25519 key: %v", err)
		}
		pair.PrivateKey.priv, pair.PublicKey.pub = priv, pub
		return pair, nil
	}
	priv, err := ecdh.X25519().GenerateKey(rand.Reader)
	if err != nil {
		return nil, opErr("generating an X25519 key: %v", err)
	}
	pair.PrivateKey.priv, pair.PublicKey.pub = priv, priv.PublicKey()
	return pair, nil
}

func okpImport(format string, data []byte, jwk *JWK, alg *Params, extractable bool, usages Usage) (*Key, error) {
	check := func(t KeyType) error { return checkUsages(alg.Name, usages, curveUsages(alg.Name, t)) }
	ka := KeyAlgorithm{Name: alg.Name}
	public := func(raw []byte) (*Key, error) {
		if len(raw) != 32 {
			return nil, dataErr("an %s public key is 32 bytes, not %d", alg.Name, len(raw))
		}
		k := &Key{Type: Public, Algorithm: ka}
		if alg.Name == Ed25519 {
			k.pub = ed25519.PublicKey(append([]byte(nil), raw...))
			return k, nil
		}
		pub, err := ecdh.X25519().NewPublicKey(raw)
		if err != nil {
			return nil, dataErr("invalid X25519 public key: %v", err)
		}
		k.pub = pub
		return k, nil
	}
	switch format {
	case FormatRaw:
		if err := check(Public); err != nil {
			return nil, err
		}
		return public(data)
	case FormatSPKI:
		if err := check(Public); err != nil {
			return nil, err
		}
		parsed, err := parseSPKI(data)
		if err != nil {
			return nil, err
		}
		switch p := parsed.(type) {
		case ed25519.PublicKey:
			if alg.Name == Ed25519 {
				return &Key{Type: Public, Algorithm: ka, pub: p}, nil
			}
		case *ecdh.PublicKey:
			if alg.Name == X25519 && p.Curve() == ecdh.X25519() {
				return &Key{Type: Public, Algorithm: ka, pub: p}, nil
			}
		}
		return nil, dataErr("the SubjectPublicKeyInfo holds %s key, not an %s key", keyKind(parsed), alg.Name)
	case FormatPKCS8:
		if err := check(Private); err != nil {
			return nil, err
		}
		parsed, err := parsePKCS8(data)
		if err != nil {
			return nil, err
		}
		switch p := parsed.(type) {
		case ed25519.PrivateKey:
			if alg.Name == Ed25519 {
				return &Key{Type: Private, Algorithm: ka, priv: p}, nil
			}
		case *ecdh.PrivateKey:
			if alg.Name == X25519 && p.Curve() == ecdh.X25519() {
				return &Key{Type: Private, Algorithm: ka, priv: p}, nil
			}
		}
		return nil, dataErr("the PrivateKeyInfo holds %s key, not an %s key", keyKind(parsed), alg.Name)
	case FormatJWK:
		t, err := jwkKeyType(jwk, "OKP", alg.Name, check)
		if err != nil {
			return nil, err
		}
		if jwk.Crv != alg.Name {
			return nil, dataErr("JWK \"crv\" must be %q, not %q", alg.Name, jwk.Crv)
		}
		use := "enc"
		if alg.Name == Ed25519 {
			use = "sig"
			if jwk.Alg != "" && jwk.Alg != "EdDSA" && jwk.Alg != "Ed25519" {
				return nil, dataErr("JWK \"alg\" must be \"EdDSA\" or \"Ed25519\" for Ed25519 keys, not %q", jwk.Alg)
			}
		}
		if err := checkJWKCommon(jwk, use, usages, extractable); err != nil {
			return nil, err
		}
		x, err := b64("x", jwk.X)
		if err != nil {
			return nil, err
		}
		pubKey, err := public(x)
		if err != nil {
			return nil, err
		}
		if t == Public {
			return pubKey, nil
		}
		d, err := b64("d", jwk.D)
		if err != nil {
			return nil, err
		}
		if len(d) != 32 {
			return nil, dataErr("JWK \"d\" must be 32 bytes for %s, not %d", alg.Name, len(d))
		}
		k := &Key{Type: Private, Algorithm: ka}
		var derived []byte
		if alg.Name == Ed25519 {
			priv := ed25519.NewKeyFromSeed(d)
			k.priv, derived = priv, priv.Public().(ed25519.PublicKey)
		} else {
			priv, err := ecdh.X25519().NewPrivateKey(d)
			if err != nil {
				return nil, dataErr("invalid X25519 private key: %v", err)
			}
			k.priv, derived = priv, priv.PublicKey().Bytes()
		}
		if !bytes.Equal(derived, x) {
			return nil, dataErr("JWK \"d\" does not match its public key \"x\"")
		}
		return k, nil
	}
	return nil, notSupported("%s keys cannot be imported in %q format", alg.Name, format)
}

// okpPublicBytes returns the 32-byte public key of an Ed25519 or X25519 key
// of either type.
func okpPublicBytes(key *Key) []byte {
	switch k := key.pub.(type) {
	case ed25519.PublicKey:
		return k
	case *ecdh.PublicKey:
		return k.Bytes()
	}
	switch k := key.priv.(type) {
	case ed25519.PrivateKey:
		return k.Public().(ed25519.PublicKey)
	case *ecdh.PrivateKey:
		return k.PublicKey().Bytes()
	}
	return nil
}

func okpExport(format string, key *Key) (any, error) {
	switch format {
	case FormatRaw:
		if key.Type != Public {
			return nil, invalidAccess("only public keys can be exported in %q format", format)
		}
		return append([]byte(nil), okpPublicBytes(key)...), nil
	case FormatSPKI:
		return exportSPKI(key)
	case FormatPKCS8:
		return exportPKCS8(key)
	case FormatJWK:
		jwk := &JWK{Kty: "OKP", Crv: key.Algorithm.Name, X: enc(okpPublicBytes(key))}
		if key.Algorithm.Name == Ed25519 {
			jwk.Alg = Ed25519
		}
		if key.Type == Private {
			switch k := key.priv.(type) {
			case ed25519.PrivateKey:
				jwk.D = enc(k.Seed())
			case *ecdh.PrivateKey:
				jwk.D = enc(k.Bytes())
			}
		}
		return exportJWK(jwk, key), nil
	}
	return nil, notSupported("%s keys cannot be exported in %q format", key.Algorithm.Name, format)
}

func ed25519Sign(key *Key, data []byte) ([]byte, error) {
	if key.Type != Private {
		return nil, invalidAccess("Ed25519 signing needs a private key, not a %s key", key.Type)
	}
	return ed25519.Sign(key.priv.(ed25519.PrivateKey), data), nil
}

func ed25519Verify(key *Key, sig, data []byte) (bool, error) {
	if key.Type != Public {
		return false, invalidAccess("Ed25519 verification needs a public key, not a %s key", key.Type)
	}
	if len(sig) != ed25519.SignatureSize {
		return false, nil
	}
	return ed25519.Verify(key.pub.(ed25519.PublicKey), data, sig), nil
}
