package webcrypto

import (
	"crypto"
	"strings"
)

// KeyType is a CryptoKey's type.
type KeyType uint8

// Key types.
const (
	Secret KeyType = iota
	Public
	Private
)

func (t KeyType) String() string {
	switch t {
	case Public:
		return "public"
	case Private:
		return "private"
	}
	return "secret"
}

// Usage is a set of key usages.
type Usage uint16

// The key usages, in the canonical order keys report them.
const (
	UsageEncrypt Usage = 1 << iota
	UsageDecrypt
	UsageSign
	UsageVerify
	UsageDeriveKey
	UsageDeriveBits
	UsageWrapKey
	UsageUnwrapKey
)

var usageNames = [...]string{"encrypt", "decrypt", "sign", "verify", "deriveKey", "deriveBits", "wrapKey", "unwrapKey"}

// ParseUsage maps a KeyUsage enum value to its bit.
func ParseUsage(s string) (Usage, bool) {
	for i, n := range usageNames {
		if n == s {
			return 1 << i, true
		}
	}
	return 0, false
}

// Names lists the usages in canonical order.
func (u Usage) Names() []string {
	out := make([]string, 0, 8)
	for i, n := range usageNames {
		if u&(1<<i) != 0 {
			out = append(out, n)
		}
	}
	return out
}

func (u Usage) String() string { return strings.Join(u.Names(), ", ") }

// KeyAlgorithm is a key's [[algorithm]]: what CryptoKey.algorithm shows.
type KeyAlgorithm struct {
	Name           string
	Hash           string // HMAC, RSA
	Length         int    // AES, HMAC (bits)
	NamedCurve     string // ECDSA, ECDH
	ModulusLength  int    // RSA
	PublicExponent []byte // RSA, big-endian
}

// Key is a CryptoKey's state. The key material is immutable once the key
// exists, so a Key may be used from several goroutines.
type Key struct {
	Type        KeyType
	Extractable bool
	Algorithm   KeyAlgorithm
	Usages      Usage

	secret []byte            // HMAC, AES, HKDF, PBKDF2
	priv   crypto.PrivateKey // *ecdsa.PrivateKey, *ecdh.PrivateKey, ed25519.PrivateKey, *rsa.PrivateKey
	pub    crypto.PublicKey  // *ecdsa.PublicKey, *ecdh.PublicKey, ed25519.PublicKey, *rsa.PublicKey
	mac    *macCache         // HMAC only
}

// KeyPair is the result of generating an asymmetric key.
type KeyPair struct {
	PublicKey  *Key
	PrivateKey *Key
}

// newKeyPair makes the two halves of a generated key pair, without their
// key material: the public key is always extractable, and each half gets
// those of usages its type allows (usagesOf is the algorithm family's
// table: curveUsages, rsaUsages).
func newKeyPair(ka KeyAlgorithm, extractable bool, usages Usage, usagesOf func(alg string, t KeyType) Usage) *KeyPair {
	return &KeyPair{
		PublicKey:  &Key{Type: Public, Extractable: true, Algorithm: ka, Usages: usages & usagesOf(ka.Name, Public)},
		PrivateKey: &Key{Type: Private, Extractable: extractable, Algorithm: ka, Usages: usages & usagesOf(ka.Name, Private)},
	}
}

// checkUsages fails with a SyntaxError when usages holds anything beyond
// allowed.
func checkUsages(alg string, usages, allowed Usage) error {
	if extra := usages &^ allowed; extra != 0 {
		if allowed == 0 {
			return syntaxErr("%s public keys take no usages (got %q): pass []", alg, extra.Names()[0])
		}
		return syntaxErr("%s keys cannot be used to %s (allowed usages: %s)", alg, extra.Names()[0], allowed)
	}
	return nil
}

// checkKey verifies that key may be used for op with alg: the spec's
// InvalidAccessError checks every operation starts with.
func checkKey(key *Key, alg string, need Usage) error {
	if key.Algorithm.Name != alg {
		return invalidAccess("the key is for %s, not %s", key.Algorithm.Name, alg)
	}
	if key.Usages&need == 0 {
		return invalidAccess("the key's usages (%s) do not include %q", usagesOrNone(key.Usages), need.Names()[0])
	}
	return nil
}

func usagesOrNone(u Usage) string {
	if u == 0 {
		return "none"
	}
	return u.String()
}
