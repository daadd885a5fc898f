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
// CR and LF. (Characters beyond U+00FF were refused when the value was
// converted: checkByteString.)
func normValue(s string) (string, bool) {
	if n := len(s); n > 0 && (isHTTPSpace(s[0]) || isHTTPSpace(s[n-1])) {
		s = strings.Trim(s, "\t\n\r ")
	}
	i := 0
	for ; i+8 <= len(s); i += 8 {
		// A byte below 0x0E in these eight (exact for whether there is
		// one): look at them one by one.
		if w := load64(s, i); (w-0x0E*lowBits)&^w&highBits != 0 {
			break
		}
	}
	for ; i < len(s); i++ {
		if c := s[i]; c <= '\r' && (c == 0 || c == '\r' || c == '\n') {
			return "", false
		}
	}
	return s, true
}

const (
	lowBits  = 0x0101010101010101
	highBits = 0x8080808080808080
)

// load64 reads s[i:i+8] as a little-endian word (one load).
func load64(s string, i int) uint64 {
	s = s[i : i+8]
	return uint64(s[0]) | uint64(s[1])<<8 | uint64(s[2])<<16 | uint64(s[3])<<24 |
		uint64(s[4])<<32 | uint64(s[5])<<40 | uint64(s[6])<<48 | uint64(s[7])<<56
}

func isHTTPSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

func (in *instance) headerName(v goja.Value) string {
	return in.headerNameString(in.byteString(v, "Headers: invalid header name"))
}

func (in *instance) headerNameString(s string) string {
	n, ok := normName(s)
	if !ok {
		in.throwType("Headers: invalid header name " + quoteJS(s))
	}
	return n
}

func (in *instance) headerValue(v goja.Value) string {
	return in.headerValueString(in.byteString(v, "Headers: invalid header value"))
}

// headerValueString is a header value as stored, stripped of surrounding
// whitespace; it throws for a NUL, CR or LF.
func (in *instance) headerValueString(s string) string {
	n, ok := normValue(s)
	if !ok {
		in.throwType("Headers: invalid header value " + quoteJS(s))
	}
	return n
}

// byteString converts v as WebIDL converts to a ByteString: ToString (a
// symbol is refused), then no character may be beyond U+00FF. what starts
// the TypeError's message.
func (in *instance) byteString(v goja.Value, what string) string {
	if _, ok := v.(*goja.Symbol); ok {
		in.throwType(what + ": a symbol is not a string")
	}
	s := v.String()
	in.checkByteString(s, what)
	return s
}

// checkByteString refuses a string with a character beyond U+00FF.
func (in *instance) checkByteString(s, what string) {
	if !latin1Only(s) {
		in.throwType(what + " " + quoteJS(s) + " (a character beyond U+00FF)")
	}
}

// latin1Only reports whether s, UTF-8 as goja gives strings, has no
// character beyond U+00FF: no byte of 0xC4 or more, the lead bytes of
// those characters. Eight ASCII bytes are passed at a time.
func latin1Only(s string) bool {
	i := 0
	for ; i+8 <= len(s) && load64(s, i)&highBits == 0; i += 8 {
	}
	for ; i < len(s); i++ {
		if s[i] >= 0xC4 {
			return false
		}
	}
	return true
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

// fillHeaders appends a HeadersInit (Headers, iterable of pairs, record):
// the WebIDL conversion, then the Fetch spec's fill.
func (in *instance) fillHeaders(h *headerList, init goja.Value) {
	from := len(h.fields)
	bad := in.convertHeadersInit(h, init)
	in.checkFilled(h, from, bad)
}

// convertHeadersInit converts a HeadersInit as WebIDL does, reading every
// name and value (getters and toString run here, in the order WebIDL
// gives), and appends the pairs to h unchecked: checkFilled, the spec's
// fill, validates them after whatever else the caller's conversion reads
// (a ResponseInit's status and statusText). bad is the index in h.fields
// at which a pair of the wrong length stood, or -1: fill refuses it after
// the pairs before it.
func (in *instance) convertHeadersInit(h *headerList, init goja.Value) (bad int) {
	bad = -1
	if init == nil || goja.IsUndefined(init) {
		return
	}
	obj, ok := init.(*goja.Object)
	if !ok {
		in.throwType("Headers: init must be a Headers, an array of [name, value] pairs or a record, not " + describeValue(in.vm, init))
	}
	// A sequence when it has @@iterator, else a record (WebIDL's union
	// conversion). A Headers object is iterable: its list is taken as it
	// is, names and values already valid.
	if iter := obj.GetSymbol(goja.SymIterator); iter != nil && !goja.IsUndefined(iter) {
		if src, ok := in.stateOf(obj).(*headerList); ok {
			h.fields = append(h.fields, src.fields...)
			return
		}
		in.vm.ForOf(obj, func(pair goja.Value) bool {
			p, ok := pair.(*goja.Object)
			if !ok {
				in.throwType("Headers: each header must be a [name, value] pair")
			}
			var items [2]string
			n := 0
			in.vm.ForOf(p, func(v goja.Value) bool {
				what := "Headers: invalid header value"
				if n == 0 {
					what = "Headers: invalid header name"
				}
				s := in.byteString(v, what)
				if n < len(items) {
					items[n] = s
				}
				n++
				return true
			})
			if n != 2 {
				if bad < 0 {
					bad = len(h.fields)
				}
				return true
			}
			h.fields = append(h.fields, HeaderField{Name: items[0], Value: items[1]})
			return true
		})
		return
	}
	// record<ByteString, ByteString>: own enumerable string keys in order.
	for _, k := range obj.Keys() {
		in.checkByteString(k, "Headers: invalid header name")
		h.fields = append(h.fields, HeaderField{Name: k, Value: in.byteString(obj.Get(k), "Headers: invalid header value")})
	}
	return
}

// checkFilled is the Fetch spec's fill over the pairs convertHeadersInit
// appended from index from: each name must be a token, each value is
// stripped of leading and trailing whitespace and must hold no NUL, CR or
// LF; names are stored lower-case.
func (in *instance) checkFilled(h *headerList, from, bad int) {
	end := len(h.fields)
	if bad >= 0 {
		end = bad
	}
	for i := from; i < end; i++ {
		f := &h.fields[i]
		f.Name = in.headerNameString(f.Name)
		f.Value = in.headerValueString(f.Value)
	}
	if bad >= 0 {
		in.throwType("Headers: each header must be a [name, value] pair of 2 items")
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
