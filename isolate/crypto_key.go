package isolate

import (
	"github.com/dop251/goja"

	"github.com/edgefn/edgefn/isolate/internal/webcrypto"
)

// CryptoKey (W3C Web Cryptography API): a key made by crypto.subtle. Its
// material stays in Go (webcrypto.Key); scripts see its type,
// extractability, algorithm and usages.

// cryptoKeyState is a CryptoKey's state.
type cryptoKeyState struct {
	props
	key *webcrypto.Key
	// algorithm and usages are made on first read and then returned every
	// time, as the spec's [[algorithm_cached]] and [[usages_cached]].
	algorithm goja.Value
	usages    goja.Value
}

func (w *webCrypto) installKey(proto *goja.Object) {
	in := w.in
	in.toStringTag(proto, "CryptoKey")
	this := func(v goja.Value, what string) *cryptoKeyState {
		st, ok := in.stateOf(v).(*cryptoKeyState)
		if !ok {
			in.throwType("Illegal invocation: CryptoKey." + what + " must be read from a CryptoKey")
		}
		return st
	}
	in.getter(proto, "type", func(fc goja.FunctionCall) goja.Value {
		return in.vm.ToValue(this(fc.This, "type").key.Type.String())
	})
	in.getter(proto, "extractable", func(fc goja.FunctionCall) goja.Value {
		return in.vm.ToValue(this(fc.This, "extractable").key.Extractable)
	})
	in.getter(proto, "algorithm", func(fc goja.FunctionCall) goja.Value {
		st := this(fc.This, "algorithm")
		if st.algorithm == nil {
			st.algorithm = w.keyAlgorithm(&st.key.Algorithm)
		}
		return st.algorithm
	})
	in.getter(proto, "usages", func(fc goja.FunctionCall) goja.Value {
		st := this(fc.This, "usages")
		if st.usages == nil {
			names := st.key.Usages.Names()
			vals := make([]any, len(names))
			for i, n := range names {
				vals[i] = n
			}
			st.usages = in.vm.NewArray(vals...)
		}
		return st.usages
	})
}

// keyObject wraps a key for scripts.
func (w *webCrypto) keyObject(k *webcrypto.Key) *goja.Object {
	return w.in.newHost(w.keyProto, &cryptoKeyState{key: k})
}

// keyAlgorithm makes the KeyAlgorithm dictionary of a key: name first,
// then the members of the algorithm's own dictionary.
func (w *webCrypto) keyAlgorithm(a *webcrypto.KeyAlgorithm) goja.Value {
	vm := w.in.vm
	obj := vm.NewObject()
	_ = obj.Set("name", a.Name)
	hash := func() {
		h := vm.NewObject()
		_ = h.Set("name", a.Hash)
		_ = obj.Set("hash", h)
	}
	switch a.Name {
	case webcrypto.HMAC:
		hash()
		_ = obj.Set("length", a.Length)
	case webcrypto.AESCBC, webcrypto.AESCTR, webcrypto.AESGCM, webcrypto.AESKW:
		_ = obj.Set("length", a.Length)
	case webcrypto.ECDSA, webcrypto.ECDH:
		_ = obj.Set("namedCurve", a.NamedCurve)
	case webcrypto.RSASSAPKCS1v15, webcrypto.RSAPSS, webcrypto.RSAOAEP:
		_ = obj.Set("modulusLength", a.ModulusLength)
		_ = obj.Set("publicExponent", w.in.newUint8Array(append([]byte(nil), a.PublicExponent...)))
		hash()
	}
	return obj
}

// keyOf returns the key behind a CryptoKey, or nil.
func (w *webCrypto) keyOf(v goja.Value) *webcrypto.Key {
	if st, ok := w.in.stateOf(v).(*cryptoKeyState); ok {
		return st.key
	}
	return nil
}
