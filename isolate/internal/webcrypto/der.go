package webcrypto

import (
	"crypto/ecdh"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/x509"
	"strings"
)

// SubjectPublicKeyInfo ("spki") and PKCS #8 ("pkcs8"): the DER formats
// every asymmetric algorithm imports and exports the same way, through
// crypto/x509.

// parseSPKI parses a SubjectPublicKeyInfo, of any key type.
func parseSPKI(data []byte) (any, error) {
	parsed, err := x509.ParsePKIXPublicKey(data)
	if err != nil {
		return nil, derErr("SubjectPublicKeyInfo (spki)", err)
	}
	return parsed, nil
}

// parsePKCS8 parses a PKCS #8 PrivateKeyInfo, of any key type.
func parsePKCS8(data []byte) (any, error) {
	parsed, err := x509.ParsePKCS8PrivateKey(data)
	if err != nil {
		return nil, derErr("PKCS #8 PrivateKeyInfo", err)
	}
	return parsed, nil
}

// spkiKey parses a SubjectPublicKeyInfo that must hold a T (kind names T
// in the error: "an RSA").
func spkiKey[T any](data []byte, kind string) (T, error) {
	parsed, err := parseSPKI(data)
	return holding[T](parsed, err, "SubjectPublicKeyInfo", kind)
}

// pkcs8Key parses a PKCS #8 PrivateKeyInfo that must hold a T.
func pkcs8Key[T any](data []byte, kind string) (T, error) {
	parsed, err := parsePKCS8(data)
	return holding[T](parsed, err, "PrivateKeyInfo", kind)
}

// holding returns the key a DER structure held when it is a T.
func holding[T any](parsed any, err error, structure, kind string) (T, error) {
	var zero T
	if err != nil {
		return zero, err
	}
	k, ok := parsed.(T)
	if !ok {
		return zero, dataErr("the %s holds %s key, not %s key", structure, keyKind(parsed), kind)
	}
	return k, nil
}

// exportSPKI encodes a public key as a SubjectPublicKeyInfo ([]byte).
func exportSPKI(key *Key) (any, error) {
	if key.Type != Public {
		return nil, invalidAccess("only public keys can be exported in %q format", FormatSPKI)
	}
	b, err := x509.MarshalPKIXPublicKey(key.pub)
	if err != nil {
		return nil, opErr("encoding the key: %v", err)
	}
	return b, nil
}

// exportPKCS8 encodes a private key as a PKCS #8 PrivateKeyInfo ([]byte).
func exportPKCS8(key *Key) (any, error) {
	if key.Type != Private {
		return nil, invalidAccess("only private keys can be exported in %q format", FormatPKCS8)
	}
	b, err := x509.MarshalPKCS8PrivateKey(key.priv)
	if err != nil {
		return nil, opErr("encoding the key: %v", err)
	}
	return b, nil
}

// derErr describes a failure to parse a DER structure. encoding/asn1's own
// messages describe Go struct tags, which mean nothing to a script author.
func derErr(what string, err error) error {
	msg := err.Error()
	if strings.HasPrefix(msg, "asn1:") || strings.Contains(msg, "asn1: ") {
		return dataErr("the data is not a DER-encoded %s", what)
	}
	return dataErr("invalid %s: %s", what, strings.TrimPrefix(msg, "x509: "))
}

// keyKind names a parsed key's type for error messages.
func keyKind(k any) string {
	switch k.(type) {
	case *ecdsa.PublicKey, *ecdsa.PrivateKey:
		return "an elliptic-curve"
	case *ecdh.PublicKey, *ecdh.PrivateKey:
		return "an X25519"
	case *rsa.PublicKey, *rsa.PrivateKey:
		return "an RSA"
	case ed25519.PublicKey, ed25519.PrivateKey:
		return "an Ed25519"
	}
	return "an unsupported"
}
