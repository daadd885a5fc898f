package webcrypto

import (
	"context"
	"crypto/hkdf"
	"crypto/hmac"
	"encoding/binary"
	"hash"
)

// MaxPBKDF2Iterations bounds PBKDF2's iteration count: a few seconds of CPU
// with SHA-512, far above what any recommendation asks for (OWASP: 600,000
// for SHA-256).
const MaxPBKDF2Iterations = 10_000_000

// maxDerivedBits bounds the length deriveBits may ask HKDF or PBKDF2 for.
const maxDerivedBits = 1 << 20

func kdfImport(format string, data []byte, alg *Params, extractable bool, usages Usage) (*Key, error) {
	if err := checkUsages(alg.Name, usages, UsageDeriveKey|UsageDeriveBits); err != nil {
		return nil, err
	}
	if format != FormatRaw {
		return nil, notSupported("%s keys can only be imported in \"raw\" format, not %q", alg.Name, format)
	}
	if extractable {
		return nil, syntaxErr("%s keys cannot be extractable (pass false)", alg.Name)
	}
	return &Key{Type: Secret, Algorithm: KeyAlgorithm{Name: alg.Name}, secret: append([]byte(nil), data...)}, nil
}

func kdfLength(alg string, length int, hasLength bool) error {
	if !hasLength {
		return opErr("%s deriveBits needs a length (got null)", alg)
	}
	if length%8 != 0 {
		return opErr("%s length must be a multiple of 8, not %d", alg, length)
	}
	if length > maxDerivedBits {
		return opErr("%s length %d is too large (at most %d bits)", alg, length, maxDerivedBits)
	}
	return nil
}

func hkdfDerive(alg *Params, key *Key, length int, hasLength bool) ([]byte, error) {
	if err := kdfLength(HKDF, length, hasLength); err != nil {
		return nil, err
	}
	if length == 0 {
		return []byte{}, nil
	}
	h := hashOf(alg.Hash)
	if length/8 > 255*h.Size() {
		return nil, opErr("HKDF with %s can derive at most %d bits, not %d", alg.Hash, 255*h.Size()*8, length)
	}
	out, err := hkdf.Key(h.New, key.secret, alg.Salt, string(alg.Info), length/8)
	if err != nil {
		return nil, opErr("HKDF failed: %v", err)
	}
	return out, nil
}

func pbkdf2Derive(ctx context.Context, alg *Params, key *Key, length int, hasLength bool) ([]byte, error) {
	if err := kdfLength(PBKDF2, length, hasLength); err != nil {
		return nil, err
	}
	if alg.Iterations == 0 {
		return nil, opErr("PBKDF2 iterations must not be 0")
	}
	if alg.Iterations > MaxPBKDF2Iterations {
		return nil, notSupported("PBKDF2 iteration counts above %d are not supported (got %d)", MaxPBKDF2Iterations, alg.Iterations)
	}
	if length == 0 {
		return []byte{}, nil
	}
	return pbkdf2Key(ctx, hashOf(alg.Hash).New, key.secret, alg.Salt, alg.Iterations, length/8)
}

// PBKDF2Cost is the number of HMAC computations a PBKDF2 derivation of
// length bits takes (callers run large ones off the JS thread).
func PBKDF2Cost(alg *Params, length int) int {
	h := hashOf(alg.Hash)
	if h == 0 {
		return 0
	}
	blocks := (length/8 + h.Size() - 1) / h.Size()
	return blocks * alg.Iterations
}

// pbkdf2Key is RFC 8018 PBKDF2 with HMAC. It is written out (rather than
// calling crypto/pbkdf2) to stop when ctx is done: a request that hit its
// time limit must not keep a core busy for seconds.
func pbkdf2Key(ctx context.Context, h func() hash.Hash, password, salt []byte, iter, keyLen int) ([]byte, error) {
	prf := hmac.New(h, password)
	hLen := prf.Size()
	blocks := (keyLen + hLen - 1) / hLen
	out := make([]byte, 0, blocks*hLen)
	var ctr [4]byte
	u := make([]byte, hLen)
	t := make([]byte, hLen)
	for block := 1; block <= blocks; block++ {
		prf.Reset()
		prf.Write(salt)
		binary.BigEndian.PutUint32(ctr[:], uint32(block))
		prf.Write(ctr[:])
		u = prf.Sum(u[:0])
		copy(t, u)
		for n := 2; n <= iter; n++ {
			if n&0x3ff == 0 && ctx.Err() != nil {
				return nil, opErr("PBKDF2 cancelled: %v", ctx.Err())
			}
			prf.Reset()
			prf.Write(u)
			u = prf.Sum(u[:0])
			for i := range t {
				t[i] ^= u[i]
			}
		}
		out = append(out, t...)
	}
	return out[:keyLen], nil
}
