package webcrypto

import (
	"context"
	"crypto/subtle"
	"encoding/json"
)

// Key formats.
const (
	FormatRaw   = "raw"
	FormatSPKI  = "spki"
	FormatPKCS8 = "pkcs8"
	FormatJWK   = "jwk"
)

// Encrypt runs the encrypt operation; alg was normalized for OpEncrypt.
func Encrypt(alg *Params, key *Key, data []byte) ([]byte, error) {
	if err := checkKey(key, alg.Name, UsageEncrypt); err != nil {
		return nil, err
	}
	return encrypt(alg, key, data)
}

func encrypt(alg *Params, key *Key, data []byte) ([]byte, error) {
	switch alg.Name {
	case AESCBC:
		return aesCBCEncrypt(alg, key, data)
	case AESCTR:
		return aesCTR(alg, key, data)
	case AESGCM:
		return aesGCMEncrypt(alg, key, data)
	case RSAOAEP:
		return rsaOAEPEncrypt(alg, key, data)
	}
	return nil, notSupported("%s does not support the encrypt operation", alg.Name)
}

// Decrypt runs the decrypt operation; alg was normalized for OpDecrypt.
func Decrypt(alg *Params, key *Key, data []byte) ([]byte, error) {
	if err := checkKey(key, alg.Name, UsageDecrypt); err != nil {
		return nil, err
	}
	return decrypt(alg, key, data)
}

func decrypt(alg *Params, key *Key, data []byte) ([]byte, error) {
	switch alg.Name {
	case AESCBC:
		return aesCBCDecrypt(alg, key, data)
	case AESCTR:
		return aesCTR(alg, key, data)
	case AESGCM:
		return aesGCMDecrypt(alg, key, data)
	case RSAOAEP:
		return rsaOAEPDecrypt(alg, key, data)
	}
	return nil, notSupported("%s does not support the decrypt operation", alg.Name)
}

// Sign runs the sign operation; alg was normalized for OpSign.
func Sign(alg *Params, key *Key, data []byte) ([]byte, error) {
	if err := checkKey(key, alg.Name, UsageSign); err != nil {
		return nil, err
	}
	switch alg.Name {
	case HMAC:
		return hmacSign(key, data), nil
	case ECDSA:
		return ecdsaSign(alg, key, data)
	case Ed25519:
		return ed25519Sign(key, data)
	case RSASSAPKCS1v15, RSAPSS:
		return rsaSign(alg, key, data)
	}
	return nil, notSupported("%s does not support the sign operation", alg.Name)
}

// Verify runs the verify operation; alg was normalized for OpVerify. A
// signature that does not match is (false, nil).
func Verify(alg *Params, key *Key, signature, data []byte) (bool, error) {
	if err := checkKey(key, alg.Name, UsageVerify); err != nil {
		return false, err
	}
	switch alg.Name {
	case HMAC:
		return hmacVerify(key, signature, data), nil
	case ECDSA:
		return ecdsaVerify(alg, key, signature, data)
	case Ed25519:
		return ed25519Verify(key, signature, data)
	case RSASSAPKCS1v15, RSAPSS:
		return rsaVerify(alg, key, signature, data)
	}
	return false, notSupported("%s does not support the verify operation", alg.Name)
}

// GenerateKey runs generateKey; alg was normalized for OpGenerateKey. The
// result is a *Key (secret keys) or a *KeyPair.
func GenerateKey(ctx context.Context, alg *Params, extractable bool, usages Usage) (any, error) {
	var (
		res any
		err error
	)
	switch alg.Name {
	case AESCBC, AESCTR, AESGCM, AESKW:
		res, err = aesGenerate(alg, extractable, usages)
	case HMAC:
		res, err = hmacGenerate(alg, extractable, usages)
	case ECDSA, ECDH:
		res, err = ecGenerate(alg, extractable, usages)
	case Ed25519, X25519:
		res, err = okpGenerate(alg, extractable, usages)
	case RSASSAPKCS1v15, RSAPSS, RSAOAEP:
		res, err = rsaGenerate(ctx, alg, extractable, usages)
	default:
		return nil, notSupported("%s does not support the generateKey operation", alg.Name)
	}
	if err != nil {
		return nil, err
	}
	switch r := res.(type) {
	case *Key:
		if r.Usages == 0 {
			return nil, syntaxErr("usages must not be empty for a %s key", r.Type)
		}
	case *KeyPair:
		if r.PrivateKey.Usages == 0 {
			return nil, syntaxErr("usages must include at least one usage of the private key")
		}
	}
	return res, nil
}

// ImportKey runs importKey; alg was normalized for OpImportKey. data holds
// the key for the binary formats, jwk for "jwk".
func ImportKey(format string, data []byte, jwk *JWK, alg *Params, extractable bool, usages Usage) (*Key, error) {
	var (
		k   *Key
		err error
	)
	switch alg.Name {
	case HMAC:
		k, err = hmacImport(format, data, jwk, alg, extractable, usages)
	case AESCBC, AESCTR, AESGCM, AESKW:
		k, err = aesImport(format, data, jwk, alg, extractable, usages)
	case ECDSA, ECDH:
		k, err = ecImport(format, data, jwk, alg, extractable, usages)
	case Ed25519, X25519:
		k, err = okpImport(format, data, jwk, alg, extractable, usages)
	case RSASSAPKCS1v15, RSAPSS, RSAOAEP:
		k, err = rsaImport(format, data, jwk, alg, extractable, usages)
	case HKDF, PBKDF2:
		k, err = kdfImport(format, data, alg, extractable, usages)
	default:
		return nil, notSupported("%s does not support the importKey operation", alg.Name)
	}
	if err != nil {
		return nil, err
	}
	if (k.Type == Secret || k.Type == Private) && usages == 0 {
		return nil, syntaxErr("usages must not be empty for a %s key", k.Type)
	}
	k.Extractable = extractable
	k.Usages = usages
	return k, nil
}

// ExportKey runs exportKey: the result is []byte, or *JWK for "jwk".
func ExportKey(format string, key *Key) (any, error) {
	switch key.Algorithm.Name {
	case HKDF, PBKDF2:
		return nil, notSupported("%s keys cannot be exported", key.Algorithm.Name)
	}
	if !key.Extractable {
		return nil, invalidAccess("the key is not extractable")
	}
	switch key.Algorithm.Name {
	case HMAC:
		return hmacExport(format, key)
	case AESCBC, AESCTR, AESGCM, AESKW:
		return aesExport(format, key)
	case ECDSA, ECDH:
		return ecExport(format, key)
	case Ed25519, X25519:
		return okpExport(format, key)
	case RSASSAPKCS1v15, RSAPSS, RSAOAEP:
		return rsaExport(format, key)
	}
	return nil, notSupported("%s keys cannot be exported", key.Algorithm.Name)
}

// DeriveBits runs deriveBits; alg was normalized for OpDeriveBits. length
// is in bits; hasLength is false for a null length.
func DeriveBits(ctx context.Context, alg *Params, key *Key, length int, hasLength bool) ([]byte, error) {
	if err := checkKey(key, alg.Name, UsageDeriveBits); err != nil {
		return nil, err
	}
	return deriveBits(ctx, alg, key, length, hasLength)
}

func deriveBits(ctx context.Context, alg *Params, key *Key, length int, hasLength bool) ([]byte, error) {
	switch alg.Name {
	case ECDH, X25519:
		return ecdhDerive(alg, key, length, hasLength)
	case HKDF:
		return hkdfDerive(alg, key, length, hasLength)
	case PBKDF2:
		return pbkdf2Derive(ctx, alg, key, length, hasLength)
	}
	return nil, notSupported("%s does not support the deriveBits operation", alg.Name)
}

// KeyLength is the spec's "get key length" of a derived key type (alg
// normalized for OpGetKeyLength): the bits deriveKey derives, or
// ok == false for a null length (HKDF, PBKDF2).
func KeyLength(alg *Params) (int, bool, error) {
	switch alg.Name {
	case AESCBC, AESCTR, AESGCM, AESKW:
		if alg.Length != 128 && alg.Length != 192 && alg.Length != 256 {
			return 0, false, opErr("AES key length must be 128, 192 or 256 bits, not %d", alg.Length)
		}
		return alg.Length, true, nil
	case HMAC:
		if !alg.HasLength {
			return hashBlockBits(alg.Hash), true, nil
		}
		if alg.Length == 0 {
			return 0, false, typeErr("HMAC key length must not be 0")
		}
		return alg.Length, true, nil
	case HKDF, PBKDF2:
		return 0, false, nil
	}
	return 0, false, notSupported("%s keys cannot be derived", alg.Name)
}

// DeriveKey runs deriveKey: alg was normalized for OpDeriveBits,
// derivedAlg for OpImportKey and lengthAlg (the same object) for
// OpGetKeyLength.
func DeriveKey(ctx context.Context, alg *Params, baseKey *Key, derivedAlg, lengthAlg *Params, extractable bool, usages Usage) (*Key, error) {
	if err := checkKey(baseKey, alg.Name, UsageDeriveKey); err != nil {
		return nil, err
	}
	length, hasLength, err := KeyLength(lengthAlg)
	if err != nil {
		return nil, err
	}
	secret, err := deriveBits(ctx, alg, baseKey, length, hasLength)
	if err != nil {
		return nil, err
	}
	return ImportKey(FormatRaw, secret, nil, derivedAlg, extractable, usages)
}

// WrapKey runs wrapKey: wrapAlg was normalized for OpWrapKey, or for
// OpEncrypt when the algorithm has no wrap operation of its own.
func WrapKey(format string, key, wrappingKey *Key, wrapAlg *Params) ([]byte, error) {
	if err := checkKey(wrappingKey, wrapAlg.Name, UsageWrapKey); err != nil {
		return nil, err
	}
	if !key.Extractable {
		return nil, invalidAccess("the key to wrap is not extractable")
	}
	exported, err := ExportKey(format, key)
	if err != nil {
		return nil, err
	}
	var plain []byte
	switch x := exported.(type) {
	case []byte:
		plain = x
	case *JWK:
		plain, err = json.Marshal(x)
		if err != nil {
			return nil, opErr("serializing the JWK: %v", err)
		}
	}
	if wrapAlg.Name == AESKW {
		return aesKWWrap(wrappingKey, plain)
	}
	return encrypt(wrapAlg, wrappingKey, plain)
}

// UnwrapKey runs unwrapKey: unwrapAlg was normalized for OpUnwrapKey (or
// OpDecrypt), importAlg for OpImportKey.
func UnwrapKey(format string, wrapped []byte, unwrappingKey *Key, unwrapAlg, importAlg *Params, extractable bool, usages Usage) (*Key, error) {
	if err := checkKey(unwrappingKey, unwrapAlg.Name, UsageUnwrapKey); err != nil {
		return nil, err
	}
	var (
		plain []byte
		err   error
	)
	if unwrapAlg.Name == AESKW {
		plain, err = aesKWUnwrap(unwrappingKey, wrapped)
	} else {
		plain, err = decrypt(unwrapAlg, unwrappingKey, wrapped)
	}
	if err != nil {
		return nil, err
	}
	if format != FormatJWK {
		return ImportKey(format, plain, nil, importAlg, extractable, usages)
	}
	jwk, err := ParseJWK(plain)
	if err != nil {
		return nil, err
	}
	return ImportKey(format, nil, jwk, importAlg, extractable, usages)
}

// ConstantTimeEqual compares two equal-length buffers in time that does not
// depend on their contents.
func ConstantTimeEqual(a, b []byte) bool { return subtle.ConstantTimeCompare(a, b) == 1 }
