package isolate

import (
	"context"
	"errors"
	"fmt"
	"math"
	"reflect"
	"runtime"
	"strconv"
	"sync/atomic"

	"github.com/dop251/goja"

	"github.com/edgefn/edgefn/isolate/internal/webcrypto"
)

// SubtleCrypto (W3C Web Cryptography API): crypto.subtle. Each method
// converts its arguments as WebIDL does (TypeError for a wrong type),
// normalizes the algorithm, and runs the operation in webcrypto. Every
// method returns a promise, and every error, of any kind, rejects it.
//
// Operations that take a fraction of a millisecond or more (RSA key
// generation and private-key operations, P-384 and P-521, PBKDF2 with many
// iterations, hashing or encrypting megabytes) run on their own goroutine, so they hold neither the runtime's
// goroutine nor the request's CPU budget; they still end with the request
// (its wall limit) and their promise settles on the event loop.

// webCrypto is a runtime's crypto.subtle: the CryptoKey prototype and the
// off-loop work of the current call.
type webCrypto struct {
	in       *instance
	keyProto *goja.Object

	// Off-loop work of the current call (jobsCall): how many run, and the
	// ones waiting for a slot.
	jobsCall *call
	running  int
	queue    []func()
	ctx      context.Context

	// method is the SubtleCrypto method converting its arguments, for
	// error messages.
	method string
}

// Bounds on one call's off-loop work: how many operations run at once, and
// how many may wait.
var maxParallelJobs = min(runtime.GOMAXPROCS(0), 4)

const maxQueuedJobs = 1024

// offLoopJobs counts the crypto operations running off their loop, in all
// runtimes (tests check that a request's end stops its work).
var offLoopJobs atomic.Int64

// Sizes past which an operation runs off the loop.
const (
	heavyDataBytes  = 1 << 20 // digest/encrypt/decrypt input
	heavyPBKDF2Cost = 20000   // HMAC computations
)

// subtleOp is a converted operation, ready to run.
type subtleOp struct {
	heavy bool
	run   func(ctx context.Context) (any, error)
}

// installSubtle defines SubtleCrypto's methods.
func (w *webCrypto) installSubtle(proto *goja.Object) {
	w.promiseMethod(proto, "digest", 2, w.digest)
	w.promiseMethod(proto, "encrypt", 3, func(fc goja.FunctionCall) subtleOp { return w.cipher(fc, "encrypt") })
	w.promiseMethod(proto, "decrypt", 3, func(fc goja.FunctionCall) subtleOp { return w.cipher(fc, "decrypt") })
	w.promiseMethod(proto, "sign", 3, w.sign)
	w.promiseMethod(proto, "verify", 4, w.verify)
	w.promiseMethod(proto, "generateKey", 3, w.generateKey)
	w.promiseMethod(proto, "deriveKey", 5, w.deriveKey)
	w.promiseMethod(proto, "deriveBits", 2, w.deriveBits)
	w.promiseMethod(proto, "importKey", 5, w.importKey)
	w.promiseMethod(proto, "exportKey", 2, w.exportKey)
	w.promiseMethod(proto, "wrapKey", 4, w.wrapKey)
	w.promiseMethod(proto, "unwrapKey", 7, w.unwrapKey)
	w.in.method(proto, "timingSafeEqual", 2, w.timingSafeEqual)
}

// promiseMethod defines a SubtleCrypto method: prep converts the arguments
// (panicking with a JS error), then the operation runs, here or off the
// loop, and settles the returned promise.
func (w *webCrypto) promiseMethod(proto *goja.Object, name string, nargs int, prep func(fc goja.FunctionCall) subtleOp) {
	in := w.in
	in.method(proto, name, nargs, func(fc goja.FunctionCall) goja.Value {
		p, resolve, reject := in.vm.NewPromise()
		op, jsErr := w.prepare(name, nargs, fc, prep)
		switch {
		case jsErr != nil:
			_ = reject(jsErr)
		case op.heavy && in.cur != nil:
			w.offLoop(name, op, resolve, reject)
		default:
			res, err := op.run(context.Background())
			w.settle(name, res, err, resolve, reject)
		}
		return in.vm.ToValue(p)
	})
}

// prepare runs prep and catches what it throws. It runs under vm.Try:
// prep may call user code (getters on the algorithm object, iterators), and
// only goja's own try restores the VM's call stack after a JS exception.
func (w *webCrypto) prepare(name string, nargs int, fc goja.FunctionCall, prep func(fc goja.FunctionCall) subtleOp) (op subtleOp, jsErr goja.Value) {
	w.method = name
	ex := w.in.vm.Try(func() {
		if _, ok := w.in.stateOf(fc.This).(*subtleState); !ok {
			panic(w.in.typeErr("Illegal invocation: crypto.subtle." + name + " must be called on crypto.subtle"))
		}
		if len(fc.Arguments) < nargs {
			panic(w.typeErr(fmt.Sprintf("%d arguments required, but only %d present", nargs, len(fc.Arguments))))
		}
		op = prep(fc)
	})
	if ex != nil {
		return subtleOp{}, ex.Value()
	}
	return op, nil
}

// jsError turns an operation's error into the JS error the spec names.
func (w *webCrypto) jsError(method string, err error) goja.Value {
	var we *webcrypto.Error
	if !errors.As(err, &we) {
		we = &webcrypto.Error{Name: webcrypto.OperationError, Message: err.Error()}
	}
	msg := "crypto.subtle." + method + ": " + we.Message
	if we.Name == webcrypto.TypeError {
		return w.in.typeErr(msg)
	}
	return w.in.domException(we.Name, msg)
}

// settle resolves or rejects with an operation's outcome (on the loop).
func (w *webCrypto) settle(method string, res any, err error, resolve, reject func(any) error) {
	if err != nil {
		_ = reject(w.jsError(method, err))
		return
	}
	_ = resolve(w.toJS(res))
}

// toJS converts an operation's result.
func (w *webCrypto) toJS(res any) goja.Value {
	vm := w.in.vm
	switch r := res.(type) {
	case []byte:
		return vm.ToValue(vm.NewArrayBuffer(r))
	case bool:
		return vm.ToValue(r)
	case *webcrypto.Key:
		return w.keyObject(r)
	case *webcrypto.KeyPair:
		obj := vm.NewObject()
		_ = obj.Set("publicKey", w.keyObject(r.PublicKey))
		_ = obj.Set("privateKey", w.keyObject(r.PrivateKey))
		return obj
	case *webcrypto.JWK:
		return w.jwkObject(r)
	}
	return goja.Undefined()
}

// offLoop runs a heavy operation on its own goroutine. At most
// maxParallelJobs of a call's operations run at once; the rest wait in
// order. The work counts as the call's pending I/O (so the call waits for
// it, up to its wall limit), and a call that ends cancels what is still
// running or waiting.
func (w *webCrypto) offLoop(method string, op subtleOp, resolve, reject func(any) error) {
	in := w.in
	c := in.cur
	if w.jobsCall != c {
		w.jobsCall, w.running, w.queue = c, 0, nil
		ctx, cancel := context.WithCancel(context.Background())
		w.ctx = ctx
		// The call's end stops its work, and lets go of the call (and its
		// request body): continuations of its jobs are dropped anyway.
		c.onEnd = append(c.onEnd, func() {
			cancel()
			if w.jobsCall == c {
				w.jobsCall, w.running, w.queue, w.ctx = nil, 0, nil, nil
			}
		})
	}
	if len(w.queue) >= maxQueuedJobs {
		_ = reject(w.in.domException(webcrypto.OperationError, fmt.Sprintf(
			"crypto.subtle.%s: too many crypto operations in flight (%d wait already); await some before starting more", method, maxQueuedJobs)))
		return
	}
	done := in.reserve()
	ctx := w.ctx
	start := func() {
		w.running++
		offLoopJobs.Add(1)
		go func() {
			res, err := op.run(ctx)
			offLoopJobs.Add(-1)
			done(func() error {
				w.running--
				w.settle(method, res, err, resolve, reject)
				if len(w.queue) > 0 && w.jobsCall == c {
					next := w.queue[0]
					w.queue = w.queue[1:]
					next()
				}
				return nil
			})
		}()
	}
	if w.running < maxParallelJobs {
		start()
		return
	}
	w.queue = append(w.queue, start)
}

// typeErr makes a TypeError naming the method converting its arguments.
func (w *webCrypto) typeErr(msg string) *goja.Object {
	return w.in.typeErr("crypto.subtle." + w.method + ": " + msg)
}

// Argument conversion. Each panics with a TypeError (or the error the
// normalization names) that prepare turns into a rejection.

// bufferSource returns the bytes a BufferSource views (not copied).
func (w *webCrypto) bufferSource(v goja.Value, what string) []byte {
	if b, ok := w.bytesOf(v); ok {
		return b
	}
	panic(w.typeErr(what + " must be an ArrayBuffer, a TypedArray or a DataView, not " + describeValue(w.in.vm, v)))
}

func (w *webCrypto) bytesOf(v goja.Value) ([]byte, bool) { return w.in.bufferSourceBytes(v) }

// bufferSourceBytes returns the bytes of a BufferSource (an ArrayBuffer, a
// typed array or a DataView), not copied.
func (in *instance) bufferSourceBytes(v goja.Value) ([]byte, bool) {
	obj, ok := v.(*goja.Object)
	if !ok {
		return nil, false
	}
	switch x := obj.Export().(type) {
	case goja.ArrayBuffer:
		return x.Bytes(), true
	case []byte:
		return x, true
	}
	if t := obj.ExportType(); t != nil && t.Kind() == reflect.Slice {
		switch t.Elem().Kind() {
		case reflect.Int8, reflect.Int16, reflect.Uint16, reflect.Int32, reflect.Uint32, reflect.Int64, reflect.Uint64, reflect.Float32, reflect.Float64:
			var b []byte
			if err := in.vm.ExportTo(obj, &b); err == nil {
				return b, true
			}
		}
	}
	if r, err := in.isView()(goja.Undefined(), obj); err == nil && r.ToBoolean() {
		var b []byte
		if err := in.vm.ExportTo(obj, &b); err == nil {
			return b, true
		}
	}
	return nil, false
}

func cloneBytes(b []byte) []byte { return append([]byte{}, b...) }

// keyArg returns the key behind a CryptoKey argument.
func (w *webCrypto) keyArg(v goja.Value, what string) *webcrypto.Key {
	k := w.keyOf(v)
	if k == nil {
		panic(w.typeErr(what + " must be a CryptoKey, not " + describeValue(w.in.vm, v)))
	}
	return k
}

// algorithmArg checks an AlgorithmIdentifier (an object, or anything
// converted to a string) before the method's steps normalize it.
func (w *webCrypto) algorithmArg(v goja.Value, what string) goja.Value {
	if _, ok := v.(*goja.Symbol); ok {
		panic(w.typeErr(what + " must be an algorithm name or an object with a name, not a symbol"))
	}
	return v
}

// normalize is the spec's "normalize an algorithm" for op.
func (w *webCrypto) normalize(op webcrypto.Op, v goja.Value, what string) *webcrypto.Params {
	in := w.in
	var obj *goja.Object
	var name string
	switch x := v.(type) {
	case *goja.Object:
		obj = x
		nv := x.Get("name")
		if nv == nil || goja.IsUndefined(nv) {
			panic(w.typeErr(what + ": the algorithm object has no name"))
		}
		if _, ok := nv.(*goja.Symbol); ok {
			panic(w.typeErr(what + ": the algorithm's name must be a string"))
		}
		name = nv.String()
	case *goja.Symbol:
		panic(w.typeErr(what + " must be an algorithm name or an object with a name, not a symbol"))
	default:
		name = v.String()
	}
	canon, dict, err := webcrypto.Lookup(op, name)
	if err != nil {
		panic(w.jsError(w.method, err))
	}
	p := &webcrypto.Params{Name: canon, Dict: dict}
	for _, m := range webcrypto.Members(dict) {
		var mv goja.Value
		if obj != nil {
			mv = obj.Get(m.Name)
		}
		member := what + "." + m.Name
		if mv == nil || goja.IsUndefined(mv) {
			if m.Required {
				panic(w.typeErr(fmt.Sprintf("%s is required for %s (%s)", member, canon, dict)))
			}
			continue
		}
		switch m.Type {
		case webcrypto.TypeHash:
			p.SetString(m.Name, w.normalize(webcrypto.OpDigest, mv, member).Name)
		case webcrypto.TypeBufferSource:
			p.SetBytes(m.Name, cloneBytes(w.bufferSource(mv, member)))
		case webcrypto.TypeBigInteger:
			b, ok := mv.Export().([]byte)
			if !ok {
				panic(w.typeErr(member + " must be a Uint8Array, not " + describeValue(in.vm, mv)))
			}
			p.SetBytes(m.Name, cloneBytes(b))
		case webcrypto.TypeString:
			if _, ok := mv.(*goja.Symbol); ok {
				panic(w.typeErr(member + " must be a string"))
			}
			p.SetString(m.Name, mv.String())
		case webcrypto.TypeKey:
			p.SetKey(m.Name, w.keyArg(mv, member))
		case webcrypto.TypeOctet:
			p.SetInt(m.Name, w.enforceRange(mv, math.MaxUint8, member))
		case webcrypto.TypeUnsignedShort:
			p.SetInt(m.Name, w.enforceRange(mv, math.MaxUint16, member))
		case webcrypto.TypeUnsignedLong:
			p.SetInt(m.Name, w.enforceRange(mv, math.MaxUint32, member))
		}
	}
	return p
}

// enforceRange converts an [EnforceRange] integer.
func (w *webCrypto) enforceRange(v goja.Value, max float64, what string) int {
	f := v.ToFloat()
	if math.IsNaN(f) || math.IsInf(f, 0) {
		panic(w.typeErr(what + " must be a finite number, not " + describeValue(w.in.vm, v)))
	}
	f = math.Trunc(f)
	if f < 0 || f > max {
		panic(w.typeErr(fmt.Sprintf("%s is out of range: %s is not between 0 and %d", what, strconv.FormatFloat(f, 'f', -1, 64), int64(max))))
	}
	return int(f)
}

// usagesArg converts a sequence<KeyUsage>.
func (w *webCrypto) usagesArg(v goja.Value, what string) webcrypto.Usage {
	in := w.in
	obj, ok := v.(*goja.Object)
	if !ok || obj.GetSymbol(goja.SymIterator) == nil {
		panic(w.typeErr(what + " must be an array of key usages, not " + describeValue(in.vm, v)))
	}
	var u webcrypto.Usage
	in.vm.ForOf(obj, func(item goja.Value) bool {
		if _, ok := item.(*goja.Symbol); ok {
			panic(w.typeErr(what + " must hold strings"))
		}
		s := item.String()
		bit, ok := webcrypto.ParseUsage(s)
		if !ok {
			panic(w.typeErr(fmt.Sprintf("%s: %q is not a key usage (use encrypt, decrypt, sign, verify, deriveKey, deriveBits, wrapKey or unwrapKey)", what, s)))
		}
		u |= bit
		return true
	})
	return u
}

// formatArg converts a KeyFormat.
func (w *webCrypto) formatArg(v goja.Value, what string) string {
	if _, ok := v.(*goja.Symbol); !ok {
		switch s := v.String(); s {
		case webcrypto.FormatRaw, webcrypto.FormatSPKI, webcrypto.FormatPKCS8, webcrypto.FormatJWK:
			return s
		}
	}
	panic(w.typeErr(fmt.Sprintf("%s must be \"raw\", \"spki\", \"pkcs8\" or \"jwk\", not %s", what, describeValue(w.in.vm, v))))
}

// jwkArg converts a JsonWebKey dictionary.
func (w *webCrypto) jwkArg(obj *goja.Object) *webcrypto.JWK {
	in := w.in
	jwk := &webcrypto.JWK{}
	str := func(name string, dst *string) {
		v := obj.Get(name)
		if v == nil || goja.IsUndefined(v) {
			return
		}
		if _, ok := v.(*goja.Symbol); ok {
			panic(w.typeErr("keyData." + name + " must be a string"))
		}
		*dst = v.String()
	}
	// WebIDL reads dictionary members in lexicographic order.
	str("alg", &jwk.Alg)
	str("crv", &jwk.Crv)
	str("d", &jwk.D)
	str("dp", &jwk.DP)
	str("dq", &jwk.DQ)
	str("e", &jwk.E)
	if v := obj.Get("ext"); v != nil && !goja.IsUndefined(v) {
		b := v.ToBoolean()
		jwk.Ext = &b
	}
	str("k", &jwk.K)
	if v := obj.Get("key_ops"); v != nil && !goja.IsUndefined(v) {
		ops, ok := v.(*goja.Object)
		if !ok || ops.GetSymbol(goja.SymIterator) == nil {
			panic(w.typeErr("keyData.key_ops must be an array of strings, not " + describeValue(in.vm, v)))
		}
		jwk.KeyOps = []string{}
		in.vm.ForOf(ops, func(item goja.Value) bool {
			jwk.KeyOps = append(jwk.KeyOps, item.String())
			return true
		})
	}
	str("kty", &jwk.Kty)
	str("n", &jwk.N)
	if v := obj.Get("oth"); v != nil && !goja.IsUndefined(v) {
		jwk.Oth = true
	}
	str("p", &jwk.P)
	str("q", &jwk.Q)
	str("qi", &jwk.QI)
	str("use", &jwk.Use)
	str("x", &jwk.X)
	str("y", &jwk.Y)
	return jwk
}

// jwkObject converts an exported JWK, with its members in the order
// workerd gives them.
func (w *webCrypto) jwkObject(jwk *webcrypto.JWK) *goja.Object {
	vm := w.in.vm
	obj := vm.NewObject()
	set := func(name, v string) {
		if v != "" {
			_ = obj.Set(name, v)
		}
	}
	set("kty", jwk.Kty)
	set("use", jwk.Use)
	if jwk.KeyOps != nil {
		ops := make([]any, len(jwk.KeyOps))
		for i, op := range jwk.KeyOps {
			ops[i] = op
		}
		_ = obj.Set("key_ops", vm.NewArray(ops...))
	}
	set("alg", jwk.Alg)
	if jwk.Ext != nil {
		_ = obj.Set("ext", *jwk.Ext)
	}
	set("crv", jwk.Crv)
	set("x", jwk.X)
	set("y", jwk.Y)
	set("d", jwk.D)
	set("n", jwk.N)
	set("e", jwk.E)
	set("p", jwk.P)
	set("q", jwk.Q)
	set("dp", jwk.DP)
	set("dq", jwk.DQ)
	set("qi", jwk.QI)
	set("k", jwk.K)
	return obj
}

// The methods. Each converts its arguments in order (WebIDL), then runs
// the method's steps up to the point the spec starts the asynchronous part.

func (w *webCrypto) digest(fc goja.FunctionCall) subtleOp {
	algV := w.algorithmArg(fc.Argument(0), "algorithm")
	data := w.bufferSource(fc.Argument(1), "data")
	alg := w.normalize(webcrypto.OpDigest, algV, "algorithm")
	heavy := len(data) >= heavyDataBytes
	if heavy {
		data = cloneBytes(data)
	}
	return subtleOp{heavy: heavy, run: func(context.Context) (any, error) {
		return webcrypto.Digest(alg, data)
	}}
}

func (w *webCrypto) cipher(fc goja.FunctionCall, method string) subtleOp {
	algV := w.algorithmArg(fc.Argument(0), "algorithm")
	key := w.keyArg(fc.Argument(1), "key")
	data := w.bufferSource(fc.Argument(2), "data")
	op := webcrypto.OpEncrypt
	if method == "decrypt" {
		op = webcrypto.OpDecrypt
	}
	alg := w.normalize(op, algV, "algorithm")
	heavy := len(data) >= heavyDataBytes || (alg.Name == webcrypto.RSAOAEP && key.Type == webcrypto.Private)
	if heavy {
		data = cloneBytes(data)
	}
	return subtleOp{heavy: heavy, run: func(context.Context) (any, error) {
		if op == webcrypto.OpDecrypt {
			return webcrypto.Decrypt(alg, key, data)
		}
		return webcrypto.Encrypt(alg, key, data)
	}}
}

// rsaPrivate reports a private-key RSA operation: a millisecond or more.
func rsaPrivate(k *webcrypto.Key) bool {
	switch k.Algorithm.Name {
	case webcrypto.RSASSAPKCS1v15, webcrypto.RSAPSS, webcrypto.RSAOAEP:
		return k.Type == webcrypto.Private
	}
	return false
}

// slowCurve reports the curves whose operations take 0.2 to 3 ms in Go
// (P-256 and Ed25519 take 20 to 60 µs, less than going off the loop saves).
func slowCurve(curve string) bool { return curve == "P-384" || curve == "P-521" }

func (w *webCrypto) sign(fc goja.FunctionCall) subtleOp {
	algV := w.algorithmArg(fc.Argument(0), "algorithm")
	key := w.keyArg(fc.Argument(1), "key")
	data := w.bufferSource(fc.Argument(2), "data")
	alg := w.normalize(webcrypto.OpSign, algV, "algorithm")
	heavy := rsaPrivate(key) || slowCurve(key.Algorithm.NamedCurve) || len(data) >= heavyDataBytes
	if heavy {
		data = cloneBytes(data)
	}
	return subtleOp{heavy: heavy, run: func(context.Context) (any, error) {
		return webcrypto.Sign(alg, key, data)
	}}
}

func (w *webCrypto) verify(fc goja.FunctionCall) subtleOp {
	algV := w.algorithmArg(fc.Argument(0), "algorithm")
	key := w.keyArg(fc.Argument(1), "key")
	sig := w.bufferSource(fc.Argument(2), "signature")
	data := w.bufferSource(fc.Argument(3), "data")
	alg := w.normalize(webcrypto.OpVerify, algV, "algorithm")
	heavy := slowCurve(key.Algorithm.NamedCurve) || len(data) >= heavyDataBytes
	if heavy {
		data, sig = cloneBytes(data), cloneBytes(sig)
	}
	return subtleOp{heavy: heavy, run: func(context.Context) (any, error) {
		return webcrypto.Verify(alg, key, sig, data)
	}}
}

func (w *webCrypto) generateKey(fc goja.FunctionCall) subtleOp {
	algV := w.algorithmArg(fc.Argument(0), "algorithm")
	extractable := fc.Argument(1).ToBoolean()
	usages := w.usagesArg(fc.Argument(2), "keyUsages")
	alg := w.normalize(webcrypto.OpGenerateKey, algV, "algorithm")
	heavy := slowCurve(alg.NamedCurve)
	switch alg.Name {
	case webcrypto.RSASSAPKCS1v15, webcrypto.RSAPSS, webcrypto.RSAOAEP:
		heavy = true
	}
	return subtleOp{heavy: heavy, run: func(ctx context.Context) (any, error) {
		return webcrypto.GenerateKey(ctx, alg, extractable, usages)
	}}
}

// deriveLength converts deriveBits' `optional unsigned long? length = null`
// (no EnforceRange: modulo 2^32).
func deriveLength(v goja.Value) (int, bool) {
	if goja.IsUndefined(v) || goja.IsNull(v) {
		return 0, false
	}
	f := v.ToFloat()
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return 0, true
	}
	return int(uint32(int64(math.Trunc(f)))), true
}

func pbkdf2Heavy(alg *webcrypto.Params, length int) bool {
	return alg.Name == webcrypto.PBKDF2 && webcrypto.PBKDF2Cost(alg, length) >= heavyPBKDF2Cost
}

func (w *webCrypto) deriveBits(fc goja.FunctionCall) subtleOp {
	algV := w.algorithmArg(fc.Argument(0), "algorithm")
	key := w.keyArg(fc.Argument(1), "baseKey")
	length, hasLength := deriveLength(fc.Argument(2))
	alg := w.normalize(webcrypto.OpDeriveBits, algV, "algorithm")
	heavy := pbkdf2Heavy(alg, length) || slowCurve(key.Algorithm.NamedCurve)
	return subtleOp{heavy: heavy, run: func(ctx context.Context) (any, error) {
		return webcrypto.DeriveBits(ctx, alg, key, length, hasLength)
	}}
}

func (w *webCrypto) deriveKey(fc goja.FunctionCall) subtleOp {
	algV := w.algorithmArg(fc.Argument(0), "algorithm")
	key := w.keyArg(fc.Argument(1), "baseKey")
	derivedV := w.algorithmArg(fc.Argument(2), "derivedKeyType")
	extractable := fc.Argument(3).ToBoolean()
	usages := w.usagesArg(fc.Argument(4), "keyUsages")
	alg := w.normalize(webcrypto.OpDeriveBits, algV, "algorithm")
	importAlg := w.normalize(webcrypto.OpImportKey, derivedV, "derivedKeyType")
	lengthAlg := w.normalize(webcrypto.OpGetKeyLength, derivedV, "derivedKeyType")
	length, _, _ := webcrypto.KeyLength(lengthAlg)
	heavy := pbkdf2Heavy(alg, length) || slowCurve(key.Algorithm.NamedCurve)
	return subtleOp{heavy: heavy, run: func(ctx context.Context) (any, error) {
		return webcrypto.DeriveKey(ctx, alg, key, importAlg, lengthAlg, extractable, usages)
	}}
}

func (w *webCrypto) importKey(fc goja.FunctionCall) subtleOp {
	format := w.formatArg(fc.Argument(0), "format")
	dataV := fc.Argument(1)
	algV := w.algorithmArg(fc.Argument(2), "algorithm")
	extractable := fc.Argument(3).ToBoolean()
	usages := w.usagesArg(fc.Argument(4), "keyUsages")
	var (
		data []byte
		jwk  *webcrypto.JWK
	)
	if format == webcrypto.FormatJWK {
		obj, ok := dataV.(*goja.Object)
		if _, isBuf := w.bytesOf(dataV); !ok || isBuf {
			panic(w.typeErr("keyData must be a JSON Web Key object for the \"jwk\" format, not " + describeValue(w.in.vm, dataV)))
		}
		jwk = w.jwkArg(obj)
	} else {
		b, ok := w.bytesOf(dataV)
		if !ok {
			panic(w.typeErr(fmt.Sprintf("keyData must be an ArrayBuffer, a TypedArray or a DataView for the %q format, not %s", format, describeValue(w.in.vm, dataV))))
		}
		data = b
	}
	alg := w.normalize(webcrypto.OpImportKey, algV, "algorithm")
	return subtleOp{run: func(context.Context) (any, error) {
		return webcrypto.ImportKey(format, data, jwk, alg, extractable, usages)
	}}
}

func (w *webCrypto) exportKey(fc goja.FunctionCall) subtleOp {
	format := w.formatArg(fc.Argument(0), "format")
	key := w.keyArg(fc.Argument(1), "key")
	return subtleOp{run: func(context.Context) (any, error) {
		return webcrypto.ExportKey(format, key)
	}}
}

// normalizeWrap normalizes a (un)wrap algorithm: the algorithm's own wrap
// operation if it has one (AES-KW), else its encrypt or decrypt.
func (w *webCrypto) normalizeWrap(wrap, fallback webcrypto.Op, v goja.Value, what string) (p *webcrypto.Params) {
	name := ""
	if obj, ok := v.(*goja.Object); ok {
		if nv := obj.Get("name"); nv != nil && !goja.IsUndefined(nv) {
			name = nv.String()
		}
	} else {
		name = v.String()
	}
	if _, _, err := webcrypto.Lookup(wrap, name); err == nil {
		return w.normalize(wrap, v, what)
	}
	return w.normalize(fallback, v, what)
}

func (w *webCrypto) wrapKey(fc goja.FunctionCall) subtleOp {
	format := w.formatArg(fc.Argument(0), "format")
	key := w.keyArg(fc.Argument(1), "key")
	wrappingKey := w.keyArg(fc.Argument(2), "wrappingKey")
	algV := w.algorithmArg(fc.Argument(3), "wrapAlgorithm")
	alg := w.normalizeWrap(webcrypto.OpWrapKey, webcrypto.OpEncrypt, algV, "wrapAlgorithm")
	return subtleOp{run: func(context.Context) (any, error) {
		return webcrypto.WrapKey(format, key, wrappingKey, alg)
	}}
}

func (w *webCrypto) unwrapKey(fc goja.FunctionCall) subtleOp {
	format := w.formatArg(fc.Argument(0), "format")
	wrapped := w.bufferSource(fc.Argument(1), "wrappedKey")
	unwrappingKey := w.keyArg(fc.Argument(2), "unwrappingKey")
	algV := w.algorithmArg(fc.Argument(3), "unwrapAlgorithm")
	importV := w.algorithmArg(fc.Argument(4), "unwrappedKeyAlgorithm")
	extractable := fc.Argument(5).ToBoolean()
	usages := w.usagesArg(fc.Argument(6), "keyUsages")
	alg := w.normalizeWrap(webcrypto.OpUnwrapKey, webcrypto.OpDecrypt, algV, "unwrapAlgorithm")
	importAlg := w.normalize(webcrypto.OpImportKey, importV, "unwrappedKeyAlgorithm")
	heavy := rsaPrivate(unwrappingKey)
	if heavy {
		wrapped = cloneBytes(wrapped)
	}
	return subtleOp{heavy: heavy, run: func(context.Context) (any, error) {
		return webcrypto.UnwrapKey(format, wrapped, unwrappingKey, alg, importAlg, extractable, usages)
	}}
}

// timingSafeEqual is workerd's crypto.subtle.timingSafeEqual(a, b): a
// constant-time comparison of two buffers of the same length (synchronous,
// not part of the W3C spec).
func (w *webCrypto) timingSafeEqual(fc goja.FunctionCall) goja.Value {
	in := w.in
	w.method = "timingSafeEqual"
	if _, ok := in.stateOf(fc.This).(*subtleState); !ok {
		in.throwType("Illegal invocation: crypto.subtle.timingSafeEqual must be called on crypto.subtle")
	}
	if len(fc.Arguments) < 2 {
		panic(w.typeErr(fmt.Sprintf("2 arguments required, but only %d present", len(fc.Arguments))))
	}
	a := w.bufferSource(fc.Argument(0), "a")
	b := w.bufferSource(fc.Argument(1), "b")
	if len(a) != len(b) {
		panic(w.typeErr(fmt.Sprintf("the two buffers must have the same byte length (%d and %d)", len(a), len(b))))
	}
	return in.vm.ToValue(webcrypto.ConstantTimeEqual(a, b))
}
