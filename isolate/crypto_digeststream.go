package isolate

import (
	"crypto/md5"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"hash"
	"strings"

	"github.com/dop251/goja"
)

// crypto.DigestStream (workerd's extension): the class is JS
// (js/digeststream.js, a WritableStream subclass, installed on first use
// of crypto.DigestStream); these natives hash its chunks as they come.

// digestStream is a DigestStream's hashing state, held by its sink.
type digestStream struct {
	props
	h hash.Hash
}

var digestStreamHashes = map[string]func() hash.Hash{
	"SHA-1": sha1.New, "SHA-256": sha256.New, "SHA-384": sha512.New384, "SHA-512": sha512.New,
	// MD5 is no Web Crypto digest, but workerd's DigestStream has it (S3's
	// Content-MD5).
	"MD5": md5.New,
}

func installDigestStream(in *instance) error {
	set := func(name string, fn func(goja.FunctionCall) goja.Value) {
		_ = in.internal.Set(name, fn)
	}
	set("digestStart", func(fc goja.FunctionCall) goja.Value {
		v := fc.Argument(0)
		if obj, ok := v.(*goja.Object); ok {
			v = obj.Get("name")
			if v == nil || goja.IsUndefined(v) {
				in.throwType("DigestStream: the algorithm object has no name")
			}
		}
		if _, ok := v.(*goja.Symbol); ok {
			in.throwType("DigestStream: the algorithm must be a string or an object with a name")
		}
		name := strings.ToUpper(v.String())
		newHash, ok := digestStreamHashes[name]
		if !ok {
			panic(in.domException("NotSupportedError", "DigestStream: unsupported digest algorithm "+quoteJS(v.String())+" (use SHA-1, SHA-256, SHA-384, SHA-512 or MD5)"))
		}
		return in.vm.ToValue(in.vm.NewDynamicObject(&digestStream{h: newHash()}))
	})
	state := func(v goja.Value) *digestStream {
		obj, _ := v.(*goja.Object)
		if obj != nil {
			if st, ok := obj.Export().(*digestStream); ok {
				return st
			}
		}
		in.throwType("DigestStream: invalid state")
		return nil
	}
	set("digestWrite", func(fc goja.FunctionCall) goja.Value {
		st := state(fc.Argument(0))
		chunk := fc.Argument(1)
		if s, ok := chunk.(goja.String); ok {
			_, _ = st.h.Write([]byte(s.String()))
			return goja.Undefined()
		}
		b, ok := in.bufferSourceBytes(chunk)
		if !ok {
			in.throwType("DigestStream: chunks must be ArrayBuffers, TypedArrays, DataViews or strings, not " + describeValue(in.vm, chunk))
		}
		_, _ = st.h.Write(b)
		return goja.Undefined()
	})
	set("digestFinish", func(fc goja.FunctionCall) goja.Value {
		st := state(fc.Argument(0))
		sum := st.h.Sum(nil)
		return in.vm.ToValue(in.vm.NewArrayBuffer(sum))
	})
	return nil
}
