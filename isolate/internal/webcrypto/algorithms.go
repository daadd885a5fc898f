package webcrypto

import (
	"crypto"
	_ "crypto/sha1" // registers SHA-1 for crypto.Hash
	_ "crypto/sha256"
	_ "crypto/sha512"
	"strings"
)

// Op is an operation of the spec's algorithm registry: which algorithms an
// operation accepts, and with which parameter dictionary, depends on it.
type Op int

// The operations of the registry ("get key length" is deriveKey's lookup
// of the derived key's size).
const (
	OpEncrypt Op = iota
	OpDecrypt
	OpSign
	OpVerify
	OpDigest
	OpGenerateKey
	OpDeriveBits
	OpImportKey
	OpWrapKey
	OpUnwrapKey
	OpGetKeyLength
)

var opNames = [...]string{"encrypt", "decrypt", "sign", "verify", "digest", "generateKey", "deriveBits", "importKey", "wrapKey", "unwrapKey", "get key length"}

func (o Op) String() string { return opNames[o] }

// Dict names the WebIDL dictionary an algorithm's parameters are read with.
type Dict int

// The parameter dictionaries of the spec (DictNone is plain Algorithm).
const (
	DictNone Dict = iota
	DictAesKeyGen
	DictAesDerivedKey
	DictAesCbc
	DictAesCtr
	DictAesGcm
	DictHmacKeyGen
	DictHmacImport
	DictEcKeyGen
	DictEcKeyImport
	DictEcdsa
	DictEcdhKeyDerive
	DictRsaHashedKeyGen
	DictRsaHashedImport
	DictRsaPss
	DictRsaOaep
	DictHkdf
	DictPbkdf2
)

var dictNames = [...]string{"Algorithm", "AesKeyGenParams", "AesDerivedKeyParams", "AesCbcParams", "AesCtrParams",
	"AesGcmParams", "HmacKeyGenParams", "HmacImportParams", "EcKeyGenParams", "EcKeyImportParams", "EcdsaParams",
	"EcdhKeyDeriveParams", "RsaHashedKeyGenParams", "RsaHashedImportParams", "RsaPssParams", "RsaOaepParams",
	"HkdfParams", "Pbkdf2Params"}

func (d Dict) String() string { return dictNames[d] }

// MemberType is the WebIDL type of a dictionary member.
type MemberType int

// Member types. The integer types are all [EnforceRange] in the spec.
const (
	TypeHash          MemberType = iota // HashAlgorithmIdentifier, normalized for "digest"
	TypeBufferSource                    // BufferSource, copied
	TypeBigInteger                      // Uint8Array (publicExponent)
	TypeString                          // DOMString (namedCurve)
	TypeKey                             // CryptoKey (public)
	TypeOctet                           // [EnforceRange] octet
	TypeUnsignedShort                   // [EnforceRange] unsigned short
	TypeUnsignedLong                    // [EnforceRange] unsigned long
)

// Member is one member of a parameter dictionary.
type Member struct {
	Name     string
	Type     MemberType
	Required bool
}

// Members lists a dictionary's members in the order WebIDL reads them
// (lexicographic).
func Members(d Dict) []Member {
	return dictMembers[d]
}

var dictMembers = [...][]Member{
	DictNone:            nil,
	DictAesKeyGen:       {{"length", TypeUnsignedShort, true}},
	DictAesDerivedKey:   {{"length", TypeUnsignedShort, true}},
	DictAesCbc:          {{"iv", TypeBufferSource, true}},
	DictAesCtr:          {{"counter", TypeBufferSource, true}, {"length", TypeOctet, true}},
	DictAesGcm:          {{"additionalData", TypeBufferSource, false}, {"iv", TypeBufferSource, true}, {"tagLength", TypeOctet, false}},
	DictHmacKeyGen:      {{"hash", TypeHash, true}, {"length", TypeUnsignedLong, false}},
	DictHmacImport:      {{"hash", TypeHash, true}, {"length", TypeUnsignedLong, false}},
	DictEcKeyGen:        {{"namedCurve", TypeString, true}},
	DictEcKeyImport:     {{"namedCurve", TypeString, true}},
	DictEcdsa:           {{"hash", TypeHash, true}},
	DictEcdhKeyDerive:   {{"public", TypeKey, true}},
	DictRsaHashedKeyGen: {{"hash", TypeHash, true}, {"modulusLength", TypeUnsignedLong, true}, {"publicExponent", TypeBigInteger, true}},
	DictRsaHashedImport: {{"hash", TypeHash, true}},
	DictRsaPss:          {{"saltLength", TypeUnsignedLong, true}},
	DictRsaOaep:         {{"label", TypeBufferSource, false}},
	DictHkdf:            {{"hash", TypeHash, true}, {"info", TypeBufferSource, true}, {"salt", TypeBufferSource, true}},
	DictPbkdf2:          {{"hash", TypeHash, true}, {"iterations", TypeUnsignedLong, true}, {"salt", TypeBufferSource, true}},
}

// Canonical algorithm names.
const (
	RSASSAPKCS1v15 = "RSASSA-PKCS1-v1_5"
	RSAPSS         = "RSA-PSS"
	RSAOAEP        = "RSA-OAEP"
	ECDSA          = "ECDSA"
	ECDH           = "ECDH"
	Ed25519        = "Ed25519"
	X25519         = "X25519"
	AESCTR         = "AES-CTR"
	AESCBC         = "AES-CBC"
	AESGCM         = "AES-GCM"
	AESKW          = "AES-KW"
	HMAC           = "HMAC"
	SHA1           = "SHA-1"
	SHA256         = "SHA-256"
	SHA384         = "SHA-384"
	SHA512         = "SHA-512"
	HKDF           = "HKDF"
	PBKDF2         = "PBKDF2"
)

// registry maps each operation to the algorithms it supports, keyed by
// upper-case name (algorithm names match case-insensitively).
var registry = func() map[Op]map[string]Dict {
	r := map[Op]map[string]Dict{}
	add := func(op Op, name string, d Dict) {
		if r[op] == nil {
			r[op] = map[string]Dict{}
		}
		r[op][strings.ToUpper(name)] = d
		r[op][name] = d
	}
	// An operation and its inverse always read the same dictionary.
	both := func(op, inverse Op, name string, d Dict) {
		add(op, name, d)
		add(inverse, name, d)
	}
	for _, n := range []string{RSASSAPKCS1v15, RSAPSS, RSAOAEP} {
		add(OpGenerateKey, n, DictRsaHashedKeyGen)
		add(OpImportKey, n, DictRsaHashedImport)
	}
	both(OpSign, OpVerify, RSASSAPKCS1v15, DictNone)
	both(OpSign, OpVerify, RSAPSS, DictRsaPss)
	both(OpEncrypt, OpDecrypt, RSAOAEP, DictRsaOaep)
	for _, n := range []string{ECDSA, ECDH} {
		add(OpGenerateKey, n, DictEcKeyGen)
		add(OpImportKey, n, DictEcKeyImport)
	}
	both(OpSign, OpVerify, ECDSA, DictEcdsa)
	add(OpDeriveBits, ECDH, DictEcdhKeyDerive)
	for _, n := range []string{Ed25519, X25519} {
		add(OpGenerateKey, n, DictNone)
		add(OpImportKey, n, DictNone)
	}
	both(OpSign, OpVerify, Ed25519, DictNone)
	add(OpDeriveBits, X25519, DictEcdhKeyDerive)
	for _, n := range []string{AESCTR, AESCBC, AESGCM, AESKW} {
		add(OpGenerateKey, n, DictAesKeyGen)
		add(OpImportKey, n, DictNone)
		add(OpGetKeyLength, n, DictAesDerivedKey)
	}
	both(OpEncrypt, OpDecrypt, AESCTR, DictAesCtr)
	both(OpEncrypt, OpDecrypt, AESCBC, DictAesCbc)
	both(OpEncrypt, OpDecrypt, AESGCM, DictAesGcm)
	both(OpWrapKey, OpUnwrapKey, AESKW, DictNone)
	add(OpGenerateKey, HMAC, DictHmacKeyGen)
	add(OpImportKey, HMAC, DictHmacImport)
	both(OpSign, OpVerify, HMAC, DictNone)
	add(OpGetKeyLength, HMAC, DictHmacImport)
	for _, n := range []string{SHA1, SHA256, SHA384, SHA512} {
		add(OpDigest, n, DictNone)
	}
	add(OpImportKey, HKDF, DictNone)
	add(OpDeriveBits, HKDF, DictHkdf)
	add(OpGetKeyLength, HKDF, DictNone)
	add(OpImportKey, PBKDF2, DictNone)
	add(OpDeriveBits, PBKDF2, DictPbkdf2)
	add(OpGetKeyLength, PBKDF2, DictNone)
	return r
}()

var canonicalNames = func() map[string]string {
	m := map[string]string{}
	for _, n := range []string{RSASSAPKCS1v15, RSAPSS, RSAOAEP, ECDSA, ECDH, Ed25519, X25519, AESCTR, AESCBC, AESGCM,
		AESKW, HMAC, SHA1, SHA256, SHA384, SHA512, HKDF, PBKDF2} {
		m[strings.ToUpper(n)] = n
		m[n] = n
	}
	return m
}()

// Lookup finds an algorithm for an operation by name (case-insensitive)
// and returns its canonical name and parameter dictionary. Its error is a
// NotSupportedError.
func Lookup(op Op, name string) (string, Dict, error) {
	if d, ok := registry[op][name]; ok { // the canonical spelling: no allocation
		return canonicalNames[name], d, nil
	}
	up := strings.ToUpper(name)
	d, ok := registry[op][up]
	if !ok {
		if _, known := canonicalNames[up]; known {
			if op == OpGetKeyLength {
				return "", 0, notSupported("deriveKey cannot make %s keys (it makes AES, HMAC, HKDF and PBKDF2 keys)", canonicalNames[up])
			}
			return "", 0, notSupported("%s does not support the %s operation", canonicalNames[up], op)
		}
		return "", 0, notSupported("unrecognized algorithm name %q", name)
	}
	return canonicalNames[up], d, nil
}

// Params is a normalized algorithm: the name and whichever members its
// dictionary has (the union of the spec's parameter dictionaries).
type Params struct {
	Name string
	Dict Dict

	Hash           string // canonical digest name
	Length         int
	HasLength      bool
	NamedCurve     string
	ModulusLength  int
	PublicExponent []byte
	SaltLength     int
	IV             []byte
	AdditionalData []byte
	TagLength      int
	HasTagLength   bool
	Counter        []byte
	Label          []byte
	Salt           []byte
	Info           []byte
	Iterations     int
	Public         *Key
}

// SetInt, SetBytes, SetString and SetKey store a converted member value.
func (p *Params) SetInt(member string, v int) {
	switch member {
	case "length":
		p.Length, p.HasLength = v, true
	case "tagLength":
		p.TagLength, p.HasTagLength = v, true
	case "modulusLength":
		p.ModulusLength = v
	case "saltLength":
		p.SaltLength = v
	case "iterations":
		p.Iterations = v
	}
}

// SetBytes stores a BufferSource or BigInteger member (already copied).
func (p *Params) SetBytes(member string, b []byte) {
	switch member {
	case "publicExponent":
		p.PublicExponent = b
	case "iv":
		p.IV = b
	case "additionalData":
		p.AdditionalData = b
	case "counter":
		p.Counter = b
	case "label":
		p.Label = b
	case "salt":
		p.Salt = b
	case "info":
		p.Info = b
	}
}

// SetString stores a DOMString member (namedCurve) or a normalized hash.
func (p *Params) SetString(member string, s string) {
	switch member {
	case "namedCurve":
		p.NamedCurve = s
	case "hash":
		p.Hash = s
	}
}

// SetKey stores a CryptoKey member (public).
func (p *Params) SetKey(member string, k *Key) {
	if member == "public" {
		p.Public = k
	}
}

// hashOf maps a canonical digest name to Go's hash.
func hashOf(name string) crypto.Hash {
	switch name {
	case SHA1:
		return crypto.SHA1
	case SHA256:
		return crypto.SHA256
	case SHA384:
		return crypto.SHA384
	case SHA512:
		return crypto.SHA512
	}
	return 0
}

// hashBlockBits is the hash's block size in bits: the default HMAC key
// length.
func hashBlockBits(name string) int {
	switch name {
	case SHA384, SHA512:
		return 1024
	}
	return 512
}

// Digest hashes data with a digest algorithm (SHA-1, SHA-256, SHA-384,
// SHA-512).
func Digest(alg *Params, data []byte) ([]byte, error) {
	h := hashOf(alg.Name)
	if h == 0 {
		return nil, notSupported("unrecognized digest algorithm %q", alg.Name)
	}
	hh := h.New()
	hh.Write(data)
	return hh.Sum(nil), nil
}
