package webcrypto

import (
	"encoding/base64"
	"encoding/json"
	"math/big"
	"strings"
)

// JWK is a JSON Web Key (RFC 7517) as the JsonWebKey dictionary holds it.
// The fields are in the order workerd gives an exported key's members, so
// JSON.stringify of an exported key and a key wrapped in "jwk" format read
// the same. Empty strings are absent members.
type JWK struct {
	Kty    string   `json:"kty,omitempty"`
	Use    string   `json:"use,omitempty"`
	KeyOps []string `json:"key_ops,omitempty"`
	Alg    string   `json:"alg,omitempty"`
	Ext    *bool    `json:"ext,omitempty"`
	Crv    string   `json:"crv,omitempty"`
	X      string   `json:"x,omitempty"`
	Y      string   `json:"y,omitempty"`
	D      string   `json:"d,omitempty"`
	N      string   `json:"n,omitempty"`
	E      string   `json:"e,omitempty"`
	P      string   `json:"p,omitempty"`
	Q      string   `json:"q,omitempty"`
	DP     string   `json:"dp,omitempty"`
	DQ     string   `json:"dq,omitempty"`
	QI     string   `json:"qi,omitempty"`
	// Oth (other primes of a multi-prime RSA key) is only noted: such keys
	// are not supported.
	Oth bool   `json:"-"`
	K   string `json:"k,omitempty"`
}

// ParseJWK parses the JSON of a key (unwrapKey with "jwk").
func ParseJWK(data []byte) (*JWK, error) {
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(data, &raw); err != nil {
		return nil, dataErr("the unwrapped key is not a JSON Web Key: %v", err)
	}
	var k JWK
	if err := json.Unmarshal(data, &k); err != nil {
		return nil, dataErr("the unwrapped key is not a valid JSON Web Key: %v", err)
	}
	if _, ok := raw["key_ops"]; ok && k.KeyOps == nil {
		k.KeyOps = []string{}
	}
	if _, ok := raw["oth"]; ok {
		k.Oth = true
	}
	return &k, nil
}

// b64 decodes a base64url member (RFC 7515: no padding; padding is
// tolerated).
func b64(member, s string) ([]byte, error) {
	b, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(s, "="))
	if err != nil {
		return nil, dataErr("JWK member %q is not valid base64url", member)
	}
	return b, nil
}

func enc(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }

// encInt encodes a big integer as JWA does: big-endian, no leading zeros.
func encInt(n *big.Int) string { return enc(n.Bytes()) }

// checkKty requires the JWK's key type to be kty.
func checkKty(jwk *JWK, kty, alg string) error {
	if jwk.Kty == "" {
		return dataErr("JWK member \"kty\" is missing (%s keys are %q)", alg, kty)
	}
	if jwk.Kty != kty {
		return dataErr("JWK \"kty\" must be %q for %s, not %q", kty, alg, jwk.Kty)
	}
	return nil
}

// jwkKeyType says which half of a key pair an asymmetric JWK holds
// (the private one when "d" is present) after the checks every asymmetric
// algorithm starts with: the usages check allows for that half, then
// "kty".
func jwkKeyType(jwk *JWK, kty, alg string, check func(KeyType) error) (KeyType, error) {
	t := Public
	if jwk.D != "" {
		t = Private
	}
	if err := check(t); err != nil {
		return 0, err
	}
	if err := checkKty(jwk, kty, alg); err != nil {
		return 0, err
	}
	return t, nil
}

// jwkSecret returns the key bytes of a symmetric ("oct") JWK.
func jwkSecret(jwk *JWK, alg string) ([]byte, error) {
	if err := checkKty(jwk, "oct", alg); err != nil {
		return nil, err
	}
	if jwk.K == "" {
		return nil, dataErr("JWK member \"k\" is missing")
	}
	return b64("k", jwk.K)
}

// checkJWKCommon applies the checks every algorithm makes on a JWK: "use",
// "key_ops" and "ext" must allow the requested usages and extractability.
// use is "sig" or "enc" for the algorithm.
func checkJWKCommon(jwk *JWK, use string, usages Usage, extractable bool) error {
	if usages != 0 && jwk.Use != "" && jwk.Use != use {
		return dataErr("JWK \"use\" is %q, but keys for this algorithm need %q", jwk.Use, use)
	}
	if jwk.KeyOps != nil {
		seen := map[string]bool{}
		for _, op := range jwk.KeyOps {
			if seen[op] {
				return dataErr("JWK \"key_ops\" lists %q twice", op)
			}
			seen[op] = true
		}
		for _, u := range usages.Names() {
			if !seen[u] {
				return dataErr("JWK \"key_ops\" does not include the requested usage %q", u)
			}
		}
	}
	if jwk.Ext != nil && !*jwk.Ext && extractable {
		return dataErr("JWK \"ext\" is false but an extractable key was requested")
	}
	return nil
}

// exportJWK fills the members every exported JWK has.
func exportJWK(jwk *JWK, key *Key) *JWK {
	jwk.KeyOps = key.Usages.Names()
	ext := key.Extractable
	jwk.Ext = &ext
	return jwk
}
