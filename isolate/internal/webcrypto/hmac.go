package webcrypto

import (
	"crypto/hmac"
	"crypto/rand"
	"hash"
	"sync"
)

// macCache keeps one HMAC state per key: signing a JWT-sized input costs
// about as much as building the state, and a key is usually used many times
// from one goroutine. A busy cache (concurrent use) falls back to a fresh
// state.
type macCache struct {
	mu  sync.Mutex
	mac hash.Hash
}

func newHMACKey(secret []byte, hashName string, bits int) *Key {
	return &Key{
		Type:      Secret,
		Algorithm: KeyAlgorithm{Name: HMAC, Hash: hashName, Length: bits},
		secret:    secret,
		mac:       &macCache{},
	}
}

// withMAC runs fn with an HMAC state keyed with the key's secret, reset.
func (k *Key) withMAC(fn func(h hash.Hash)) {
	c := k.mac
	if c != nil && c.mu.TryLock() {
		if c.mac == nil {
			c.mac = hmac.New(hashOf(k.Algorithm.Hash).New, k.secret)
		} else {
			c.mac.Reset()
		}
		fn(c.mac)
		c.mu.Unlock()
		return
	}
	fn(hmac.New(hashOf(k.Algorithm.Hash).New, k.secret))
}

func hmacSign(key *Key, data []byte) []byte {
	var out []byte
	key.withMAC(func(h hash.Hash) {
		h.Write(data)
		out = h.Sum(nil)
	})
	return out
}

func hmacVerify(key *Key, sig, data []byte) bool {
	var ok bool
	key.withMAC(func(h hash.Hash) {
		h.Write(data)
		var buf [64]byte
		ok = hmac.Equal(h.Sum(buf[:0]), sig)
	})
	return ok
}

func hmacGenerate(alg *Params, extractable bool, usages Usage) (*Key, error) {
	if err := checkUsages(HMAC, usages, UsageSign|UsageVerify); err != nil {
		return nil, err
	}
	bits := hashBlockBits(alg.Hash)
	if alg.HasLength {
		if alg.Length == 0 {
			return nil, opErr("HMAC key length must not be 0")
		}
		bits = alg.Length
	}
	if bits > 1<<16 {
		return nil, opErr("HMAC key length %d is too large (at most 65536 bits)", bits)
	}
	secret := make([]byte, (bits+7)/8)
	_, _ = rand.Read(secret)
	k := newHMACKey(secret, alg.Hash, bits)
	k.Extractable, k.Usages = extractable, usages
	return k, nil
}

var hmacJWKAlg = map[string]string{SHA1: "HS1", SHA256: "HS256", SHA384: "HS384", SHA512: "HS512"}

func hmacImport(format string, data []byte, jwk *JWK, alg *Params, extractable bool, usages Usage) (*Key, error) {
	if err := checkUsages(HMAC, usages, UsageSign|UsageVerify); err != nil {
		return nil, err
	}
	hashName := alg.Hash
	switch format {
	case FormatRaw:
	case FormatJWK:
		var err error
		if data, err = jwkSecret(jwk, alg.Name); err != nil {
			return nil, err
		}
		if jwk.Alg != "" && jwk.Alg != hmacJWKAlg[hashName] {
			return nil, dataErr("JWK \"alg\" is %q, but the key is for HMAC with %s (%s)", jwk.Alg, hashName, hmacJWKAlg[hashName])
		}
		if err := checkJWKCommon(jwk, "sig", usages, extractable); err != nil {
			return nil, err
		}
	default:
		return nil, notSupported("HMAC keys cannot be imported in %q format (use \"raw\" or \"jwk\")", format)
	}
	bits := len(data) * 8
	if bits == 0 {
		return nil, dataErr("HMAC key data must not be empty")
	}
	if alg.HasLength {
		if alg.Length > bits {
			return nil, dataErr("HMAC length %d is more than the %d bits of key data", alg.Length, bits)
		}
		if alg.Length <= bits-8 {
			return nil, dataErr("HMAC length %d does not fit the %d bits of key data (it must be within the last byte)", alg.Length, bits)
		}
		bits = alg.Length
	}
	return newHMACKey(append([]byte(nil), data...), hashName, bits), nil
}

func hmacExport(format string, key *Key) (any, error) {
	switch format {
	case FormatRaw:
		return append([]byte(nil), key.secret...), nil
	case FormatJWK:
		return exportJWK(&JWK{Kty: "oct", K: enc(key.secret), Alg: hmacJWKAlg[key.Algorithm.Hash]}, key), nil
	}
	return nil, notSupported("HMAC keys cannot be exported in %q format (use \"raw\" or \"jwk\")", format)
}
