package isolate

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"reflect"

	"github.com/dop251/goja"
)

// crypto (W3C Web Cryptography API): the Crypto object with
// getRandomValues and randomUUID. Its subtle attribute (SubtleCrypto) is in
// crypto_subtle.go and CryptoKey in crypto_key.go; the algorithms are in
// internal/webcrypto.

// cryptoState is the state of the one crypto object (and of the
// SubtleCrypto object): nothing beyond being the real thing.
type cryptoState struct{ props }

type subtleState struct{ props }

// maxRandomBytes is the most getRandomValues fills in one call.
const maxRandomBytes = 65536

// installCrypto defines crypto, Crypto, SubtleCrypto and CryptoKey.
func installCrypto(in *instance) error {
	illegal := func(msg string) func(goja.ConstructorCall) hostState {
		return func(goja.ConstructorCall) hostState {
			in.throwType("Illegal constructor: " + msg)
			return nil
		}
	}
	_, cryptoProto := in.nativeClass("Crypto", 0, illegal("use the global crypto object"))
	_, subtleProto := in.nativeClass("SubtleCrypto", 0, illegal("use crypto.subtle"))
	_, keyProto := in.nativeClass("CryptoKey", 0, illegal("keys are made by crypto.subtle (generateKey, importKey, deriveKey, unwrapKey)"))
	in.toStringTag(cryptoProto, "Crypto")
	in.toStringTag(subtleProto, "SubtleCrypto")

	w := &webCrypto{in: in, keyProto: keyProto}
	w.installKey(keyProto)
	w.installSubtle(subtleProto)
	subtle := in.newHost(subtleProto, &subtleState{})
	cryptoObj := in.newHost(cryptoProto, &cryptoState{})

	in.getter(cryptoProto, "subtle", func(fc goja.FunctionCall) goja.Value {
		if _, ok := in.stateOf(fc.This).(*cryptoState); !ok {
			in.throwType("Illegal invocation: crypto.subtle must be read from the crypto object")
		}
		return subtle
	})
	// crypto.DigestStream (workerd): made on first use, as it needs the
	// streams globals.
	in.getter(cryptoProto, "DigestStream", func(fc goja.FunctionCall) goja.Value {
		if _, ok := in.stateOf(fc.This).(*cryptoState); !ok {
			in.throwType("Illegal invocation: crypto.DigestStream must be read from the crypto object")
		}
		in.ensure("WritableStream")
		if err := in.installJS("digeststream.js"); err != nil {
			panic(in.vm.NewGoError(err))
		}
		return in.internal.Get("DigestStream")
	})
	in.method(cryptoProto, "getRandomValues", 1, func(fc goja.FunctionCall) goja.Value {
		if _, ok := in.stateOf(fc.This).(*cryptoState); !ok {
			in.throwType("Illegal invocation: getRandomValues must be called on the crypto object (use crypto.getRandomValues(...) or bind it)")
		}
		if len(fc.Arguments) == 0 {
			in.throwType("crypto.getRandomValues: 1 argument required, but only 0 present")
		}
		b := in.integerView(fc.Argument(0))
		if len(b) > maxRandomBytes {
			panic(in.domException("QuotaExceededError", fmt.Sprintf(
				"crypto.getRandomValues: the array's byte length (%d) exceeds the number of bytes of entropy available via this API (%d)", len(b), maxRandomBytes)))
		}
		_, _ = rand.Read(b)
		return fc.Argument(0)
	})
	in.method(cryptoProto, "randomUUID", 0, func(fc goja.FunctionCall) goja.Value {
		if _, ok := in.stateOf(fc.This).(*cryptoState); !ok {
			in.throwType("Illegal invocation: randomUUID must be called on the crypto object")
		}
		return in.vm.ToValue(randomUUID())
	})
	return in.vm.GlobalObject().DefineDataProperty("crypto", cryptoObj, goja.FLAG_TRUE, goja.FLAG_TRUE, goja.FLAG_FALSE)
}

// integerView returns the bytes of an integer-typed array (what
// getRandomValues accepts), or throws: a TypeError for a value that is no
// ArrayBufferView, a TypeMismatchError for float arrays and DataViews.
func (in *instance) integerView(v goja.Value) []byte {
	obj, ok := v.(*goja.Object)
	if ok {
		if t := obj.ExportType(); t != nil && t.Kind() == reflect.Slice {
			switch t.Elem().Kind() {
			case reflect.Int8, reflect.Uint8, reflect.Int16, reflect.Uint16, reflect.Int32, reflect.Uint32, reflect.Int64, reflect.Uint64:
				var b []byte
				if err := in.vm.ExportTo(obj, &b); err == nil {
					return b
				}
			case reflect.Float32, reflect.Float64:
				panic(in.domException("TypeMismatchError", "crypto.getRandomValues: the array must be an integer array (Int8Array ... BigUint64Array), not a "+t.Elem().Kind().String()+" array"))
			}
		}
		if r, err := in.isView()(goja.Undefined(), obj); err == nil && r.ToBoolean() {
			panic(in.domException("TypeMismatchError", "crypto.getRandomValues: the array must be an integer typed array, not a DataView"))
		}
	}
	in.throwType("crypto.getRandomValues: the argument must be an integer typed array (e.g. a Uint8Array), not " + describeValue(in.vm, v))
	return nil
}

// randomUUID returns an RFC 9562 version 4 UUID.
func randomUUID() string {
	var u [16]byte
	_, _ = rand.Read(u[:])
	u[6] = u[6]&0x0f | 0x40
	u[8] = u[8]&0x3f | 0x80
	var s [36]byte
	hex.Encode(s[0:8], u[0:4])
	s[8] = '-'
	hex.Encode(s[9:13], u[4:6])
	s[13] = '-'
	hex.Encode(s[14:18], u[6:8])
	s[18] = '-'
	hex.Encode(s[19:23], u[8:10])
	s[23] = '-'
	hex.Encode(s[24:], u[10:])
	return string(s[:])
}
