package isolate

import (
	"sort"
	"strings"

	"github.com/dop251/goja"
)

// headerGuard is the Fetch spec's headers guard.
type headerGuard uint8

const (
	guardNone headerGuard = iota
	guardRequest
	guardResponse
	guardImmutable
)

// headerList is a Headers object's state. The Request or Response that
// owns the headers points to the same list.
type headerList struct {
	props
	fields []HeaderField // names lower-case, in insertion order
	guard  headerGuard
}

// tokenChars marks the bytes allowed in an RFC 9110 field name.
var tokenChars = func() (t [256]bool) {
	for c := 'a'; c <= 'z'; c++ {
		t[c] = true
	}
	for c := 'A'; c <= 'Z'; c++ {
		t[c] = true
	}
	for c := '0'; c <= '9'; c++ {
		t[c] = true
	}
	for _, c := range "!#$%&'*+-.^_`|~" {
		t[c] = true
	}
	return t
}()

// normName validates a header name and returns it lower-case; ok is false
// for an invalid name.
func normName(s string) (string, bool) {
	if s == "" {
		return "", false
	}
	upper := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !tokenChars[c] {
			return "", false
		}
		if 'A' <= c && c <= 'Z' {
			upper = true
		}
	}
	if upper {
		return strings.ToLower(s), true
	}
	return s, true
}

// normValue strips leading and trailing HTTP whitespace and refuses NUL,
// CR, LF and characters beyond Latin-1.
func normValue(s string) (string, bool) {
	if n := len(s); n > 0 && (isHTTPSpace(s[0]) || isHTTPSpace(s[n-1])) {
		s = strings.Trim(s, "\t\n\r ")
	}
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == 0 || c == '\r' || c == '\n':
			return "", false
		case c >= 0xC4: // UTF-8 lead byte of a code point above U+00FF
			return "", false
		}
	}
	return s, true
}

func isHTTPSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

func (in *instance) headerName(v goja.Value) string {
	return in.headerNameString(v.String())
}

func (in *instance) headerNameString(s string) string {
	n, ok := normName(s)
	if !ok {
		in.throwType("Headers: invalid header name " + quoteJS(s))
	}
	return n
}

func (in *instance) headerValue(v goja.Value) string {
	s := v.String()
	n, ok := normValue(s)
	if !ok {
		in.throwType("Headers: invalid header value " + quoteJS(s))
	}
	return n
}

func quoteJS(s string) string {
	if len(s) > 100 {
		s = s[:100] + "..."
	}
	return `"` + strings.ReplaceAll(s, `"`, `\"`) + `"`
}

func (h *headerList) get(name string) (string, bool) {
	var out string
	found := false
	for _, f := range h.fields {
		if f.Name == name {
			if found {
				out += ", " + f.Value
			} else {
				out = f.Value
				found = true
			}
		}
	}
	return out, found
}

func (h *headerList) has(name string) bool {
	for _, f := range h.fields {
		if f.Name == name {
			return true
		}
	}
	return false
}

func (h *headerList) del(name string) {
	out := h.fields[:0]
	for _, f := range h.fields {
		if f.Name != name {
			out = append(out, f)
		}
	}
	clear(h.fields[len(out):])
	h.fields = out
}

func (h *headerList) set(name, value string) {
	for i, f := range h.fields {
		if f.Name == name {
			h.fields[i].Value = value
			rest := h.fields[:i+1]
			for _, g := range h.fields[i+1:] {
				if g.Name != name {
					rest = append(rest, g)
				}
			}
			clear(h.fields[len(rest):])
			h.fields = rest
			return
		}
	}
	h.fields = append(h.fields, HeaderField{Name: name, Value: value})
}

// sorted returns the pairs sorted by name with values of one name combined,
// except set-cookie, which stays one pair per cookie.
func (h *headerList) sorted() []HeaderField {
	names := make([]string, 0, len(h.fields))
	seen := make(map[string]bool, len(h.fields))
	for _, f := range h.fields {
		if !seen[f.Name] {
			seen[f.Name] = true
			names = append(names, f.Name)
		}
	}
	sort.Strings(names)
	out := make([]HeaderField, 0, len(names))
	for _, n := range names {
		if n == "set-cookie" {
			for _, f := range h.fields {
				if f.Name == n {
					out = append(out, f)
				}
			}
			continue
		}
		v, _ := h.get(n)
		out = append(out, HeaderField{Name: n, Value: v})
	}
	return out
}

func (in *instance) checkGuard(h *headerList) {
	if h.guard == guardImmutable {
		in.throwType("Headers: these headers are immutable")
	}
}

// fillHeaders appends a HeadersInit (Headers, iterable of pairs, record).
func (in *instance) fillHeaders(h *headerList, init goja.Value) {
	if init == nil || goja.IsUndefined(init) {
		return
	}
	obj, ok := init.(*goja.Object)
	if !ok {
		in.throwType("Headers: init must be a Headers, an array of [name, value] pairs or a record, not " + describeValue(in.vm, init))
	}
	if src, ok := in.stateOf(obj).(*headerList); ok {
		h.fields = append(h.fields, src.fields...)
		return
	}
	if iter := obj.GetSymbol(goja.SymIterator); iter != nil && !goja.IsUndefined(iter) {
		in.vm.ForOf(obj, func(pair goja.Value) bool {
			p, ok := pair.(*goja.Object)
			if !ok {
				in.throwType("Headers: each header must be a [name, value] pair")
			}
			var items []goja.Value
			in.vm.ForOf(p, func(v goja.Value) bool {
				items = append(items, v)
				return len(items) <= 2
			})
			if len(items) != 2 {
				in.throwType("Headers: each header must be a [name, value] pair of 2 items")
			}
			h.fields = append(h.fields, HeaderField{Name: in.headerName(items[0]), Value: in.headerValue(items[1])})
			return true
		})
		return
	}
	for _, k := range obj.Keys() {
		h.fields = append(h.fields, HeaderField{Name: in.headerNameString(k), Value: in.headerValue(obj.Get(k))})
	}
}

// headersOver makes a Headers object over an owner's list.
func (in *instance) headersOver(h *headerList) *goja.Object {
	in.ensure("Headers")
	return in.newHost(in.protos.headers, h)
}

func (in *instance) headersThis(v goja.Value) *headerList {
	h, ok := in.stateOf(v).(*headerList)
	if !ok {
		in.throwType("Illegal invocation: not a Headers")
	}
	return h
}

// installHeaders defines Headers.
func installHeaders(in *instance) error {
	vm := in.vm
	_, p := in.nativeClass("Headers", 0, func(fc goja.ConstructorCall) hostState {
		h := &headerList{}
		in.fillHeaders(h, fc.Argument(0))
		return h
	})
	in.protos.headers = p
	{
		in.method(p, "append", 2, func(fc goja.FunctionCall) goja.Value {
			h := in.headersThis(fc.This)
			in.checkGuard(h)
			h.fields = append(h.fields, HeaderField{Name: in.headerName(fc.Argument(0)), Value: in.headerValue(fc.Argument(1))})
			return goja.Undefined()
		})
		in.method(p, "delete", 1, func(fc goja.FunctionCall) goja.Value {
			h := in.headersThis(fc.This)
			in.checkGuard(h)
			h.del(in.headerName(fc.Argument(0)))
			return goja.Undefined()
		})
		in.method(p, "get", 1, func(fc goja.FunctionCall) goja.Value {
			v, ok := in.headersThis(fc.This).get(in.headerName(fc.Argument(0)))
			if !ok {
				return goja.Null()
			}
			return vm.ToValue(v)
		})
		in.method(p, "getSetCookie", 0, func(fc goja.FunctionCall) goja.Value {
			var out []any
			for _, f := range in.headersThis(fc.This).fields {
				if f.Name == "set-cookie" {
					out = append(out, f.Value)
				}
			}
			return vm.NewArray(out...)
		})
		in.method(p, "has", 1, func(fc goja.FunctionCall) goja.Value {
			return vm.ToValue(in.headersThis(fc.This).has(in.headerName(fc.Argument(0))))
		})
		in.method(p, "set", 2, func(fc goja.FunctionCall) goja.Value {
			h := in.headersThis(fc.This)
			in.checkGuard(h)
			h.set(in.headerName(fc.Argument(0)), in.headerValue(fc.Argument(1)))
			return goja.Undefined()
		})
		in.method(p, "forEach", 1, func(fc goja.FunctionCall) goja.Value {
			h := in.headersThis(fc.This)
			cb, ok := goja.AssertFunction(fc.Argument(0))
			if !ok {
				in.throwType("Headers.forEach: the callback must be a function")
			}
			for _, f := range h.sorted() {
				if _, err := cb(fc.Argument(1), vm.ToValue(f.Value), vm.ToValue(f.Name), fc.This); err != nil {
					panic(err)
				}
			}
			return goja.Undefined()
		})
		in.definePairIterators(p, func(this goja.Value, _ string) []namedValue {
			fields := in.headersThis(this).sorted()
			out := make([]namedValue, len(fields))
			for i, f := range fields {
				out[i] = namedValue{f.Name, vm.ToValue(f.Value)}
			}
			return out
		})
		in.toStringTag(p, "Headers")
	}
	return nil
}

// namedValue is one entry of a pair iterable (Headers, URLSearchParams,
// FormData).
type namedValue struct {
	name  string
	value goja.Value
}

// definePairIterators defines entries, keys, values and @@iterator (=
// entries) on a pair-iterable class's prototype; pairs checks the receiver
// (what names the method for its error) and lists the entries, which the
// iterators walk as a snapshot.
func (in *instance) definePairIterators(p *goja.Object, pairs func(this goja.Value, what string) []namedValue) {
	vm := in.vm
	iter := func(what string, pick func(namedValue) goja.Value) func(goja.FunctionCall) goja.Value {
		return func(fc goja.FunctionCall) goja.Value {
			list := pairs(fc.This, what)
			items := make([]any, len(list))
			for i, nv := range list {
				items[i] = pick(nv)
			}
			return in.arrayIterator(vm.NewArray(items...))
		}
	}
	in.method(p, "entries", 0, iter("entries", func(nv namedValue) goja.Value { return vm.NewArray(nv.name, nv.value) }))
	in.method(p, "keys", 0, iter("keys", func(nv namedValue) goja.Value { return vm.ToValue(nv.name) }))
	in.method(p, "values", 0, iter("values", func(nv namedValue) goja.Value { return nv.value }))
	_ = p.DefineDataPropertySymbol(goja.SymIterator, p.Get("entries"), goja.FLAG_TRUE, goja.FLAG_TRUE, goja.FLAG_FALSE)
}

// arrayIterator returns arr's values() iterator.
func (in *instance) arrayIterator(arr *goja.Object) goja.Value {
	it, err := in.arrayValues()(arr)
	if err != nil {
		panic(err)
	}
	return it
}
