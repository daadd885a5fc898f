package isolate

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync/atomic"
	"unicode/utf16"

	"github.com/dop251/goja"
)

// KVNamespace is a KV namespace as a binding sees it; edge satisfies it
// with the node's replicated store.
type KVNamespace interface {
	Get(ctx context.Context, key string) (*KVEntry, error) // ErrKVNotFound when absent
	Put(ctx context.Context, key string, value []byte, o KVPutOptions) error
	Delete(ctx context.Context, key string) error
	List(ctx context.Context, o KVListOptions) (*KVListResult, error)
	// Atomic runs checks and mutations in one transaction: ok is false
	// (and nothing written) when a check failed.
	Atomic(ctx context.Context, checks []KVCheck, muts []KVMutation) (versionstamp string, ok bool, err error)
	// Watch reports changes to the keys until ctx ends.
	Watch(ctx context.Context, keys []string) (<-chan KVChange, error)
}

// KVCache is implemented by a KVNamespace that can answer some reads from
// memory: GetCached must not block (no disk, no network), so the binding
// calls it on the runtime's goroutine and settles get() without a
// hand-off; ok false sends the read to Get. The entry is shared: read it,
// never modify it.
type KVCache interface {
	GetCached(key string) (e *KVEntry, ok bool)
}

// ErrKVNotFound is returned by KVNamespace.Get for an absent key.
var ErrKVNotFound = errors.New("kv: not found")

// ErrKVInvalid is wrapped by a KVNamespace error that the caller's input
// caused (a key, value or metadata over its limit, a bad TTL or cursor):
// the binding throws it as a TypeError, other failures as an Error.
var ErrKVInvalid = errors.New("invalid KV input")

// KVEntry is a stored value.
type KVEntry struct {
	Value        []byte
	Metadata     []byte // JSON, may be empty
	Expiration   int64
	Versionstamp string

	text atomic.Pointer[goja.Value] // Value as a JS string, made by the first get of a cached entry
}

// Footprint is what an entry holds beyond its Value and Metadata, with the
// JS string a get of a cached entry makes of its value counted at its
// largest (UTF-16, at most two bytes per byte of Value). A KVCache that
// keeps entries between reads counts it against its memory bound.
func (e *KVEntry) Footprint() int { return 2*len(e.Value) + len(e.Versionstamp) + 128 }

// textValue is the value as a JS string, decoded once per entry and then
// shared by every request and runtime that reads the entry: a string from
// goja.StringFromUTF16 is immutable and belongs to no runtime (unlike
// ToValue's, which scans itself lazily). A GetCached entry is current until
// a write replaces it, so its text is too.
func (e *KVEntry) textValue() goja.Value {
	if p := e.text.Load(); p != nil {
		return *p
	}
	text := decodeUTF8(e.Value)
	units := make([]uint16, 0, len(text))
	for _, r := range text {
		units = utf16.AppendRune(units, r)
	}
	v := goja.Value(goja.StringFromUTF16(units))
	if !e.text.CompareAndSwap(nil, &v) {
		return *e.text.Load()
	}
	return v
}

// KVPutOptions are put's options.
type KVPutOptions struct {
	Expiration    int64
	ExpirationTTL int64
	Metadata      []byte
}

// KVListOptions are list's options.
type KVListOptions struct {
	Prefix string
	Limit  int
	Cursor string
}

// KVListResult is a page of a list.
type KVListResult struct {
	Keys []struct {
		Name       string
		Expiration int64
		Metadata   []byte
	}
	Complete bool
	Cursor   string
}

// KVCheck requires a versionstamp ("" or null: the key must be absent).
type KVCheck struct{ Key, Versionstamp string }

// KVMutation is set, delete or sum.
type KVMutation struct {
	Kind    string // "set", "delete", "sum"
	Key     string
	Value   []byte
	Options KVPutOptions
	Delta   int64
}

// KVChange is a watched key's new state (Entry nil: deleted).
type KVChange struct {
	Key   string
	Entry *KVEntry
}

// KVBinding binds a namespace as env.NAME with Workers KV's API: get,
// getWithMetadata, put, delete, list, and edgefn's extras atomic() and
// watch(keys).
func KVBinding(ns KVNamespace) Binding { return &kvBinding{ns: ns} }

type kvBinding struct{ ns KVNamespace }

func (b *kvBinding) value(in *instance) (goja.Value, error) {
	if err := in.installJS("kv.js"); err != nil {
		return nil, err
	}
	mk, ok := goja.AssertFunction(in.internal.Get("kvNamespace"))
	if !ok {
		return nil, errors.New("isolate: kv binding support is missing")
	}
	host := in.vm.NewObject()
	async := func(name string, work func(ctx context.Context) (func() goja.Value, error)) goja.Value {
		c := in.cur
		if c == nil {
			panic(in.typeErr("KV " + name + "() can only be called while handling a request or event, not at global scope"))
		}
		p, resolve, reject := in.vm.NewPromise()
		done := in.reserve()
		ctx := c.ctx
		if ctx == nil {
			ctx = context.Background()
		}
		go func() {
			conv, err := work(ctx)
			done(func() error {
				if err != nil {
					_ = reject(in.kvError(name, err))
					return nil
				}
				_ = resolve(conv())
				return nil
			})
		}()
		return in.vm.ToValue(p)
	}
	entryJS := func(e *KVEntry) goja.Value {
		if e == nil {
			return goja.Null()
		}
		o := in.vm.NewObject()
		_ = o.Set("value", in.vm.NewArrayBuffer(e.Value))
		if len(e.Metadata) > 0 {
			_ = o.Set("metadata", string(e.Metadata))
		}
		_ = o.Set("expiration", e.Expiration)
		_ = o.Set("versionstamp", e.Versionstamp)
		return o
	}
	_ = host.Set("get", func(fc goja.FunctionCall) goja.Value {
		key := fc.Argument(0).String()
		return async("get", func(ctx context.Context) (func() goja.Value, error) {
			e, err := b.ns.Get(ctx, key)
			if errors.Is(err, ErrKVNotFound) {
				return func() goja.Value { return goja.Null() }, nil
			}
			return func() goja.Value { return entryJS(e) }, err
		})
	})
	// getValue(key, as) resolves with the value alone (a string, an
	// ArrayBuffer or what JSON.parse makes of it) or null: get()'s common
	// case, without an entry object or a decode step in JS.
	cache, _ := b.ns.(KVCache)
	// A hit settles through the language's own Promise.resolve, taken
	// before the script runs: one allocation and a few hundred instructions
	// fewer than Runtime.NewPromise and its resolver.
	promise := in.builtin("Promise")
	promiseResolve, ok := goja.AssertFunction(promise.Get("resolve"))
	if !ok {
		return nil, errors.New("isolate: Promise.resolve is missing")
	}
	settled := func(v goja.Value) goja.Value {
		p, err := promiseResolve(promise, v)
		if err != nil {
			panic(err)
		}
		return p
	}
	getValue := func(key string, as kvGetAs) goja.Value {
		if cache != nil && in.cur != nil {
			if e, ok := cache.GetCached(key); ok {
				switch as {
				case kvAsText:
					return settled(e.textValue())
				case kvAsJSON:
					return in.parsedJSON(e.textValue())
				}
				return settled(in.vm.ToValue(in.vm.NewArrayBuffer(append([]byte(nil), e.Value...))))
			}
		}
		return async("get", func(ctx context.Context) (func() goja.Value, error) {
			e, err := b.ns.Get(ctx, key)
			switch {
			case errors.Is(err, ErrKVNotFound):
				return func() goja.Value { return goja.Null() }, nil
			case err != nil:
				return nil, err
			case as == kvAsText:
				text := decodeUTF8(e.Value)
				return func() goja.Value { return in.vm.ToValue(text) }, nil
			case as == kvAsJSON: // resolved with a promise of the parse: a SyntaxError rejects
				text := decodeUTF8(e.Value)
				return func() goja.Value { return in.parsedJSON(in.vm.ToValue(text)) }, nil
			}
			return func() goja.Value { return in.vm.ToValue(in.vm.NewArrayBuffer(e.Value)) }, nil
		})
	}
	_ = host.Set("getValue", func(fc goja.FunctionCall) goja.Value {
		as := kvAsArrayBuffer
		if fc.Argument(1).ToBoolean() {
			as = kvAsText
		}
		return getValue(fc.Argument(0).String(), as)
	})
	// fastGet(general) is env.NAME.get: one key given as a string, with
	// type "text", "json" or "arrayBuffer" (as a string or an options
	// object's type), goes straight to getValue; every other shape (bulk
	// keys, a key to convert, stream, a bad key or type) to general, the
	// JS get, which checks and converts as Workers KV does.
	_ = host.Set("fastGet", func(fc goja.FunctionCall) goja.Value {
		general, ok := goja.AssertFunction(fc.Argument(0))
		if !ok {
			panic(in.typeErr("KV: fastGet needs the general get"))
		}
		return in.native("get", 2, func(call goja.FunctionCall) goja.Value {
			if k, ok := call.Argument(0).(goja.String); ok && k.Length() > 0 {
				if as, ok := kvGetType(call.Argument(1)); ok {
					return getValue(k.String(), as)
				}
			}
			v, err := general(call.This, call.Arguments...)
			if err != nil {
				panic(err)
			}
			return v
		})
	})
	// stream(u8) makes a ReadableStream of bytes for get(key, "stream"),
	// installing the streams globals if the script has not used them yet.
	_ = host.Set("stream", func(fc goja.FunctionCall) goja.Value {
		st, err := in.streamHook("streamFromBytes")(goja.Undefined(), fc.Argument(0))
		if err != nil {
			panic(err)
		}
		return st
	})
	_ = host.Set("put", func(fc goja.FunctionCall) goja.Value {
		key := fc.Argument(0).String()
		value := bytesArg(fc.Argument(1))
		o := KVPutOptions{Expiration: fc.Argument(2).ToInteger(), ExpirationTTL: fc.Argument(3).ToInteger()}
		if m := fc.Argument(4); !goja.IsUndefined(m) {
			o.Metadata = []byte(m.String())
		}
		return async("put", func(ctx context.Context) (func() goja.Value, error) {
			return func() goja.Value { return goja.Undefined() }, b.ns.Put(ctx, key, value, o)
		})
	})
	_ = host.Set("delete", func(fc goja.FunctionCall) goja.Value {
		key := fc.Argument(0).String()
		return async("delete", func(ctx context.Context) (func() goja.Value, error) {
			return func() goja.Value { return goja.Undefined() }, b.ns.Delete(ctx, key)
		})
	})
	_ = host.Set("list", func(fc goja.FunctionCall) goja.Value {
		o := KVListOptions{Prefix: fc.Argument(0).String(), Limit: int(fc.Argument(1).ToInteger()), Cursor: fc.Argument(2).String()}
		return async("list", func(ctx context.Context) (func() goja.Value, error) {
			res, err := b.ns.List(ctx, o)
			return func() goja.Value {
				keys := make([]any, len(res.Keys))
				for i, k := range res.Keys {
					ko := in.vm.NewObject()
					_ = ko.Set("name", k.Name)
					if k.Expiration != 0 {
						_ = ko.Set("expiration", k.Expiration)
					}
					if len(k.Metadata) > 0 {
						_ = ko.Set("metadata", string(k.Metadata))
					}
					keys[i] = ko
				}
				out := in.vm.NewObject()
				_ = out.Set("keys", in.vm.NewArray(keys...))
				_ = out.Set("list_complete", res.Complete)
				if res.Cursor != "" {
					_ = out.Set("cursor", res.Cursor)
				}
				return out
			}, err
		})
	})
	_ = host.Set("atomic", func(fc goja.FunctionCall) goja.Value {
		var checks []KVCheck
		var muts []KVMutation
		if arr, ok := fc.Argument(0).(*goja.Object); ok {
			in.vm.ForOf(arr, func(v goja.Value) bool {
				o := v.(*goja.Object)
				vs := o.Get("versionstamp")
				s := ""
				if vs != nil && !goja.IsNull(vs) && !goja.IsUndefined(vs) {
					s = vs.String()
				}
				checks = append(checks, KVCheck{Key: o.Get("key").String(), Versionstamp: s})
				return true
			})
		}
		if arr, ok := fc.Argument(1).(*goja.Object); ok {
			in.vm.ForOf(arr, func(v goja.Value) bool {
				o := v.(*goja.Object)
				m := KVMutation{Kind: o.Get("kind").String(), Key: o.Get("key").String()}
				switch m.Kind {
				case "set":
					m.Value = bytesArg(o.Get("value"))
					m.Options = KVPutOptions{Expiration: o.Get("expiration").ToInteger(), ExpirationTTL: o.Get("expirationTtl").ToInteger()}
					if md := o.Get("metadata"); md != nil && !goja.IsUndefined(md) {
						m.Options.Metadata = []byte(md.String())
					}
				case "sum":
					m.Delta = o.Get("delta").ToInteger()
				}
				muts = append(muts, m)
				return true
			})
		}
		return async("atomic", func(ctx context.Context) (func() goja.Value, error) {
			stamp, ok, err := b.ns.Atomic(ctx, checks, muts)
			return func() goja.Value {
				out := in.vm.NewObject()
				_ = out.Set("ok", ok)
				if ok {
					_ = out.Set("versionstamp", stamp)
				}
				return out
			}, err
		})
	})
	_ = host.Set("watch", func(fc goja.FunctionCall) goja.Value {
		c := in.cur
		if c == nil {
			panic(in.typeErr("KV watch() can only be called while handling a request"))
		}
		var keys []string
		if arr, ok := fc.Argument(0).(*goja.Object); ok {
			in.vm.ForOf(arr, func(v goja.Value) bool { keys = append(keys, v.String()); return true })
		}
		ctx, cancel := context.WithCancel(context.Background())
		ch, err := b.ns.Watch(ctx, keys)
		if err != nil {
			cancel()
			panic(in.kvError("watch", err))
		}
		return in.kvWatcher(ctx, c, ch, cancel, entryJS)
	})
	return mk(goja.Undefined(), host)
}

// kvGetAs is the form get() resolves with.
type kvGetAs int

const (
	kvAsText kvGetAs = iota
	kvAsArrayBuffer
	kvAsJSON
)

// kvGetType reads get()'s second argument when it asks for "text", "json"
// or "arrayBuffer": undefined, null, the type's name, or an options object
// whose type is one of those or undefined (cacheTtl and other options are
// accepted and have no effect here). ok false: another type or shape.
func kvGetType(opts goja.Value) (as kvGetAs, ok bool) {
	if opts == nil || goja.IsUndefined(opts) || goja.IsNull(opts) {
		return kvAsText, true
	}
	if o, isObj := opts.(*goja.Object); isObj {
		opts = o.Get("type")
		if opts == nil || goja.IsUndefined(opts) {
			return kvAsText, true
		}
	}
	if t, isStr := opts.(goja.String); isStr {
		switch t.String() {
		case "text":
			return kvAsText, true
		case "json":
			return kvAsJSON, true
		case "arrayBuffer":
			return kvAsArrayBuffer, true
		}
	}
	return 0, false
}

// parsedJSON is a promise of JSON.parse(text), rejected with what the parse
// throws.
func (in *instance) parsedJSON(text goja.Value) goja.Value {
	p, resolve, reject := in.vm.NewPromise()
	v, err := in.jsonParse()(goja.Undefined(), text)
	switch ex, isEx := err.(*goja.Exception); {
	case err == nil:
		_ = resolve(v)
	case isEx:
		_ = reject(ex.Value())
	default:
		_ = reject(err)
	}
	return in.vm.ToValue(p)
}

// kvWatcher returns the iterator object behind watch(): next() resolves
// with the next change; return() stops watching.
func (in *instance) kvWatcher(ctx context.Context, c *call, ch <-chan KVChange, cancel func(), entryJS func(*KVEntry) goja.Value) goja.Value {
	obj := in.vm.NewObject()
	stopped := false
	_ = obj.Set("next", func(fc goja.FunctionCall) goja.Value {
		p, resolve, _ := in.vm.NewPromise()
		result := func(done bool, v goja.Value) *goja.Object {
			r := in.vm.NewObject()
			_ = r.Set("done", done)
			_ = r.Set("value", v)
			return r
		}
		if stopped {
			_ = resolve(result(true, goja.Undefined()))
			return in.vm.ToValue(p)
		}
		done := in.reserve()
		go func() {
			var change KVChange
			ok := false
			select {
			case change, ok = <-ch:
			case <-ctx.Done():
			}
			done(func() error {
				if !ok {
					_ = resolve(result(true, goja.Undefined()))
					return nil
				}
				v := in.vm.NewObject()
				_ = v.Set("key", change.Key)
				_ = v.Set("entry", entryJS(change.Entry))
				_ = resolve(result(false, v))
				return nil
			})
		}()
		return in.vm.ToValue(p)
	})
	_ = obj.Set("return", func(fc goja.FunctionCall) goja.Value {
		stopped = true
		cancel()
		return in.resolved(goja.Undefined())
	})
	c.onEnd = append(c.onEnd, cancel) // stop watching when the request ends
	return obj
}

// kvError turns a store error into a JS error: TypeError for bad input
// (its message names the limit and what was given), Error otherwise.
func (in *instance) kvError(op string, err error) *goja.Object {
	if errors.Is(err, ErrKVInvalid) {
		msg := err.Error()
		if !strings.HasPrefix(msg, op+" ") && !strings.HasPrefix(msg, op+":") {
			msg = op + ": " + msg
		}
		return in.typeErr("KV " + msg)
	}
	obj, jerr := in.vm.New(in.builtin("Error"), in.vm.ToValue(fmt.Sprintf("KV %s failed: %v", op, err)))
	if jerr != nil {
		panic(jerr)
	}
	return obj
}

// bytesArg converts a value argument (string, ArrayBuffer, view) to bytes.
func bytesArg(v goja.Value) []byte {
	switch x := v.Export().(type) {
	case string:
		return []byte(x)
	case goja.ArrayBuffer:
		return append([]byte(nil), x.Bytes()...)
	case []byte:
		return append([]byte(nil), x...)
	}
	if v == nil || goja.IsUndefined(v) || goja.IsNull(v) {
		return nil
	}
	return []byte(v.String())
}
