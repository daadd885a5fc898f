package webcrypto

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/subtle"
	"encoding/binary"
	"fmt"
	"math/big"
)

func aesUsages(alg string) Usage {
	if alg == AESKW {
		return UsageWrapKey | UsageUnwrapKey
	}
	return UsageEncrypt | UsageDecrypt | UsageWrapKey | UsageUnwrapKey
}

func newAESKey(alg string, secret []byte) *Key {
	return &Key{Type: Secret, Algorithm: KeyAlgorithm{Name: alg, Length: len(secret) * 8}, secret: secret}
}

func aesGenerate(alg *Params, extractable bool, usages Usage) (*Key, error) {
	if err := checkUsages(alg.Name, usages, aesUsages(alg.Name)); err != nil {
		return nil, err
	}
	if alg.Length != 128 && alg.Length != 192 && alg.Length != 256 {
		return nil, opErr("AES key length must be 128, 192 or 256 bits, not %d", alg.Length)
	}
	secret := make([]byte, alg.Length/8)
	_, _ = rand.Read(secret)
	k := newAESKey(alg.Name, secret)
	k.Extractable, k.Usages = extractable, usages
	return k, nil
}

// aesJWKAlg is the JWA "alg" of an AES key: A128GCM, A256KW...
func aesJWKAlg(alg string, bits int) string {
	suffix := map[string]string{AESCBC: "CBC", AESCTR: "CTR", AESGCM: "GCM", AESKW: "KW"}[alg]
	return fmt.Sprintf("A%d%s", bits, suffix)
}

func aesImport(format string, data []byte, jwk *JWK, alg *Params, extractable bool, usages Usage) (*Key, error) {
	if err := checkUsages(alg.Name, usages, aesUsages(alg.Name)); err != nil {
		return nil, err
	}
	switch format {
	case FormatRaw:
		if n := len(data) * 8; n != 128 && n != 192 && n != 256 {
			return nil, dataErr("AES key data must be 128, 192 or 256 bits, not %d", n)
		}
	case FormatJWK:
		var err error
		if data, err = jwkSecret(jwk, alg.Name); err != nil {
			return nil, err
		}
		n := len(data) * 8
		if n != 128 && n != 192 && n != 256 {
			return nil, dataErr("AES key data must be 128, 192 or 256 bits, not %d", n)
		}
		if want := aesJWKAlg(alg.Name, n); jwk.Alg != "" && jwk.Alg != want {
			return nil, dataErr("JWK \"alg\" is %q, but a %d-bit %s key is %q", jwk.Alg, n, alg.Name, want)
		}
		if err := checkJWKCommon(jwk, "enc", usages, extractable); err != nil {
			return nil, err
		}
	default:
		return nil, notSupported("%s keys cannot be imported in %q format (use \"raw\" or \"jwk\")", alg.Name, format)
	}
	return newAESKey(alg.Name, append([]byte(nil), data...)), nil
}

func aesExport(format string, key *Key) (any, error) {
	switch format {
	case FormatRaw:
		return append([]byte(nil), key.secret...), nil
	case FormatJWK:
		return exportJWK(&JWK{Kty: "oct", K: enc(key.secret), Alg: aesJWKAlg(key.Algorithm.Name, key.Algorithm.Length)}, key), nil
	}
	return nil, notSupported("%s keys cannot be exported in %q format (use \"raw\" or \"jwk\")", key.Algorithm.Name, format)
}

func aesBlock(key *Key) (cipher.Block, error) {
	b, err := aes.NewCipher(key.secret)
	if err != nil {
		return nil, opErr("%v", err)
	}
	return b, nil
}

func aesCBCEncrypt(alg *Params, key *Key, data []byte) ([]byte, error) {
	if len(alg.IV) != 16 {
		return nil, opErr("AES-CBC iv must be 16 bytes, not %d", len(alg.IV))
	}
	b, err := aesBlock(key)
	if err != nil {
		return nil, err
	}
	pad := 16 - len(data)%16
	out := make([]byte, len(data)+pad)
	copy(out, data)
	for i := len(data); i < len(out); i++ {
		out[i] = byte(pad)
	}
	cipher.NewCBCEncrypter(b, alg.IV).CryptBlocks(out, out)
	return out, nil
}

func aesCBCDecrypt(alg *Params, key *Key, data []byte) ([]byte, error) {
	if len(alg.IV) != 16 {
		return nil, opErr("AES-CBC iv must be 16 bytes, not %d", len(alg.IV))
	}
	if len(data) == 0 || len(data)%16 != 0 {
		return nil, opErr("AES-CBC ciphertext length must be a positive multiple of 16 bytes, not %d", len(data))
	}
	b, err := aesBlock(key)
	if err != nil {
		return nil, err
	}
	out := make([]byte, len(data))
	cipher.NewCBCDecrypter(b, alg.IV).CryptBlocks(out, data)
	// Check the PKCS#7 padding without branching on its bytes.
	pad := int(out[len(out)-1])
	good := subtle.ConstantTimeLessOrEq(1, pad) & subtle.ConstantTimeLessOrEq(pad, 16)
	for i := 1; i <= 16; i++ {
		inPad := subtle.ConstantTimeLessOrEq(i, pad)
		match := subtle.ConstantTimeByteEq(out[len(out)-i], byte(pad))
		good &= subtle.ConstantTimeSelect(inPad, match, 1)
	}
	if good != 1 {
		return nil, opErr("AES-CBC decryption failed: bad padding (wrong key or iv, or corrupted data)")
	}
	return out[:len(out)-pad], nil
}

func aesCTR(alg *Params, key *Key, data []byte) ([]byte, error) {
	if len(alg.Counter) != 16 {
		return nil, opErr("AES-CTR counter must be 16 bytes, not %d", len(alg.Counter))
	}
	if alg.Length == 0 || alg.Length > 128 {
		return nil, opErr("AES-CTR length must be between 1 and 128 bits, not %d", alg.Length)
	}
	b, err := aesBlock(key)
	if err != nil {
		return nil, err
	}
	// The rightmost Length bits of the counter block count the blocks and
	// wrap around within themselves; the rest stays fixed.
	blocks := new(big.Int).SetInt64(int64((len(data) + 15) / 16))
	space := new(big.Int).Lsh(big.NewInt(1), uint(alg.Length))
	if blocks.Cmp(space) > 0 {
		return nil, opErr("AES-CTR: %d blocks of data would reuse counter values of a %d-bit counter", blocks, alg.Length)
	}
	ctr := new(big.Int).SetBytes(alg.Counter)
	low := new(big.Int).Mod(ctr, space)
	untilWrap := new(big.Int).Sub(space, low)
	out := make([]byte, len(data))
	if blocks.Cmp(untilWrap) <= 0 {
		cipher.NewCTR(b, alg.Counter).XORKeyStream(out, data)
		return out, nil
	}
	first := int(untilWrap.Int64()) * 16
	cipher.NewCTR(b, alg.Counter).XORKeyStream(out[:first], data[:first])
	wrapped := new(big.Int).Sub(ctr, low).FillBytes(make([]byte, 16))
	cipher.NewCTR(b, wrapped).XORKeyStream(out[first:], data[first:])
	return out, nil
}

// gcm returns an AES-GCM with the iv's size and the full 16-byte tag;
// shorter tags are truncations of it.
func gcm(alg *Params, key *Key) (cipher.AEAD, int, error) {
	tagBits := 128
	if alg.HasTagLength {
		tagBits = alg.TagLength
	}
	switch tagBits {
	case 32, 64, 96, 104, 112, 120, 128:
	default:
		return nil, 0, opErr("AES-GCM tagLength must be one of 32, 64, 96, 104, 112, 120 or 128, not %d", tagBits)
	}
	if len(alg.IV) == 0 {
		return nil, 0, opErr("AES-GCM iv must not be empty")
	}
	b, err := aesBlock(key)
	if err != nil {
		return nil, 0, err
	}
	var a cipher.AEAD
	if len(alg.IV) == 12 {
		a, err = cipher.NewGCM(b)
	} else {
		a, err = cipher.NewGCMWithNonceSize(b, len(alg.IV))
	}
	if err != nil {
		return nil, 0, opErr("AES-GCM: %v", err)
	}
	return a, tagBits / 8, nil
}

func aesGCMEncrypt(alg *Params, key *Key, data []byte) ([]byte, error) {
	a, tagLen, err := gcm(alg, key)
	if err != nil {
		return nil, err
	}
	out := a.Seal(nil, alg.IV, data, alg.AdditionalData)
	return out[:len(data)+tagLen], nil
}

func aesGCMDecrypt(alg *Params, key *Key, data []byte) ([]byte, error) {
	a, tagLen, err := gcm(alg, key)
	if err != nil {
		return nil, err
	}
	if len(data) < tagLen {
		return nil, opErr("AES-GCM ciphertext (%d bytes) is shorter than its %d-byte tag", len(data), tagLen)
	}
	if tagLen == 16 {
		out, err := a.Open(nil, alg.IV, data, alg.AdditionalData)
		if err != nil {
			return nil, opErr("AES-GCM decryption failed: the data or its tag is not authentic (wrong key, iv or additionalData, or corrupted data)")
		}
		return out, nil
	}
	// A truncated tag: the keystream is the encryption of zeros; decrypt
	// with it, re-encrypt to get the full tag and compare its prefix.
	ct, tag := data[:len(data)-tagLen], data[len(data)-tagLen:]
	ks := a.Seal(nil, alg.IV, make([]byte, len(ct)), nil)[:len(ct)]
	plain := make([]byte, len(ct))
	subtle.XORBytes(plain, ct, ks)
	full := a.Seal(nil, alg.IV, plain, alg.AdditionalData)
	if subtle.ConstantTimeCompare(full[len(ct):len(ct)+tagLen], tag) != 1 {
		return nil, opErr("AES-GCM decryption failed: the data or its tag is not authentic (wrong key, iv or additionalData, or corrupted data)")
	}
	return plain, nil
}

// aesKWIV is RFC 3394's default initial value.
const aesKWIV = 0xA6A6A6A6A6A6A6A6

// aesKWWrap is RFC 3394 key wrap.
func aesKWWrap(key *Key, plain []byte) ([]byte, error) {
	if len(plain)%8 != 0 || len(plain) < 16 {
		return nil, opErr("AES-KW can only wrap data that is a multiple of 8 bytes and at least 16 bytes long, not %d bytes", len(plain))
	}
	b, err := aesBlock(key)
	if err != nil {
		return nil, err
	}
	n := len(plain) / 8
	out := make([]byte, len(plain)+8)
	copy(out[8:], plain)
	a := uint64(aesKWIV)
	var blk [16]byte
	for j := 0; j < 6; j++ {
		for i := 1; i <= n; i++ {
			binary.BigEndian.PutUint64(blk[:8], a)
			copy(blk[8:], out[i*8:i*8+8])
			b.Encrypt(blk[:], blk[:])
			a = binary.BigEndian.Uint64(blk[:8]) ^ uint64(n*j+i)
			copy(out[i*8:], blk[8:])
		}
	}
	binary.BigEndian.PutUint64(out[:8], a)
	return out, nil
}

// aesKWUnwrap is RFC 3394 key unwrap with its integrity check.
func aesKWUnwrap(key *Key, wrapped []byte) ([]byte, error) {
	if len(wrapped)%8 != 0 || len(wrapped) < 24 {
		return nil, opErr("AES-KW wrapped data must be a multiple of 8 bytes and at least 24 bytes long, not %d bytes", len(wrapped))
	}
	b, err := aesBlock(key)
	if err != nil {
		return nil, err
	}
	n := len(wrapped)/8 - 1
	r := make([]byte, n*8)
	copy(r, wrapped[8:])
	a := binary.BigEndian.Uint64(wrapped[:8])
	var blk [16]byte
	for j := 5; j >= 0; j-- {
		for i := n; i >= 1; i-- {
			binary.BigEndian.PutUint64(blk[:8], a^uint64(n*j+i))
			copy(blk[8:], r[(i-1)*8:i*8])
			b.Decrypt(blk[:], blk[:])
			a = binary.BigEndian.Uint64(blk[:8])
			copy(r[(i-1)*8:], blk[8:])
		}
	}
	var got, want [8]byte
	binary.BigEndian.PutUint64(got[:], a)
	binary.BigEndian.PutUint64(want[:], aesKWIV)
	if subtle.ConstantTimeCompare(got[:], want[:]) != 1 {
		return nil, opErr("AES-KW unwrap failed: integrity check (wrong key or corrupted data)")
	}
	return r, nil
}
