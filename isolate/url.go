package isolate

import (
	"strings"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/dop251/goja"
	whatwg "github.com/nlnwa/whatwg-url/url"
)

// URL and URLSearchParams are Go-native classes over nlnwa/whatwg-url, a
// WHATWG URL parser that passes the WPT URL tests (goja_nodejs's URL is
// built on net/url: IPv6 hosts, percent-encoding and query updates came out
// wrong). URLSearchParams keeps its own list: the WHATWG
// application/x-www-form-urlencoded parser and serializer are below.

// urlState is a URL's state: f while the URL is in the fast path's form
// (urlfast.go), u once it went through the full parser. A setter moves a
// fast URL to u first (parsing its href, which gives the same URL).
type urlState struct {
	props
	u  *whatwg.Url // nil while f holds the URL
	f  fastURL
	sp *searchParamsState // once searchParams was read
	// spObj is the URLSearchParams object over sp.
	spObj *goja.Object
}

// searchParamsState is a URLSearchParams's state: its list, and the URL it
// belongs to (nil for one made by the constructor).
type searchParamsState struct {
	props
	list []nameValue
	url  *urlState
}

type nameValue struct{ name, value string }

// urlParser is the parser every URL uses (it holds only options).
var urlParser = whatwg.NewParser()

// parseWHATWG parses s against base (nil for none).
func parseWHATWG(s string, base *whatwg.Url) (*whatwg.Url, error) {
	return urlParser.BasicParser(s, base, nil, whatwg.NoState)
}

// parseURLArgs parses the (url, base) arguments of URL, URL.parse and
// URL.canParse; false when they are not a valid URL.
func parseURLArgs(input, base goja.Value) (*urlState, bool) {
	if goja.IsUndefined(base) {
		return parseURLState(input.String(), "", false)
	}
	return parseURLState(input.String(), base.String(), true)
}

// parseURLState parses s, against bs when hasBase.
func parseURLState(s, bs string, hasBase bool) (*urlState, bool) {
	if f, ok := scanFastURL(s); ok {
		// An absolute http(s) URL with "//" parses the same against any
		// base, which only has to be valid.
		if hasBase && !validURL(bs) {
			return nil, false
		}
		return &urlState{f: f}, true
	}
	var b *whatwg.Url
	if hasBase {
		if bf, ok := scanFastURL(bs); ok {
			if f, ok := resolveFast(s, &bf); ok {
				return &urlState{f: f}, true
			}
		}
		var err error
		if b, err = parseWHATWG(bs, nil); err != nil {
			return nil, false
		}
	}
	u, err := parseWHATWG(s, b)
	if err != nil {
		return nil, false
	}
	return &urlState{u: u}, true
}

// validURL reports whether s parses as a URL on its own.
func validURL(s string) bool {
	if _, ok := scanFastURL(s); ok {
		return true
	}
	_, err := parseWHATWG(s, nil)
	return err == nil
}

// full returns the URL as the full parser's, moving a fast URL there.
func (st *urlState) full() *whatwg.Url {
	if st.u == nil {
		u, err := parseWHATWG(st.f.href, nil)
		if err != nil { // FuzzURLFastPath keeps this from happening
			panic("isolate: the URL fast path took " + quoteJS(st.f.href) + ", which does not parse: " + err.Error())
		}
		st.u, st.f = u, fastURL{}
	}
	return st.u
}

// setFast sets a component of a fast URL with its fast setter; false when
// the URL is not fast or the setter cannot keep it so.
func (st *urlState) setFast(set func(*fastURL, string) (fastURL, bool), v string) bool {
	if st.u != nil {
		return false
	}
	f, ok := set(&st.f, v)
	if ok {
		st.f = f
	}
	return ok
}

// component makes the getter of a URL component from its fast and full
// forms.
func component(fast func(*fastURL) string, full func(*whatwg.Url) string) func(*urlState) string {
	return func(st *urlState) string {
		if st.u == nil {
			return fast(&st.f)
		}
		return full(st.u)
	}
}

var (
	urlHref  = component(func(f *fastURL) string { return f.href }, func(u *whatwg.Url) string { return u.Href(false) })
	urlQuery = component((*fastURL).rawQuery, (*whatwg.Url).Query)
)

// origin is the URL's origin, serialized.
func urlOrigin(u *whatwg.Url) string {
	switch u.Scheme() {
	case "http", "https", "ws", "wss", "ftp":
		return u.Protocol() + "//" + u.Host()
	case "blob":
		if inner, err := parseWHATWG(u.Pathname(), nil); err == nil && (inner.Scheme() == "http" || inner.Scheme() == "https") {
			return urlOrigin(inner)
		}
	}
	return "null"
}

// installURL defines URL and URLSearchParams.
func installURL(in *instance) error {
	vm := in.vm
	ctor, p := in.nativeClass("URL", 1, func(fc goja.ConstructorCall) hostState {
		if len(fc.Arguments) == 0 {
			in.throwType("URL: 1 argument required, but only 0 present")
		}
		st, ok := parseURLArgs(fc.Argument(0), fc.Argument(1))
		if !ok {
			in.throwType(invalidURL(fc.Argument(0), fc.Argument(1)))
		}
		return st
	})
	in.intr.url = ctor
	this := func(v goja.Value, what string) *urlState {
		st, ok := in.stateOf(v).(*urlState)
		if !ok {
			in.throwType("Illegal invocation: URL." + what + " used on an object that is not a URL")
		}
		return st
	}
	for _, name := range []string{"canParse", "parse"} {
		name := name
		f := vm.ToValue(func(fc goja.FunctionCall) goja.Value {
			if len(fc.Arguments) == 0 {
				in.throwType("URL." + name + ": 1 argument required, but only 0 present")
			}
			st, ok := parseURLArgs(fc.Argument(0), fc.Argument(1))
			if name == "canParse" {
				return vm.ToValue(ok)
			}
			if !ok {
				return goja.Null()
			}
			return in.newHost(p, st)
		}).(*goja.Object)
		_ = f.DefineDataProperty("name", vm.ToValue(name), goja.FLAG_FALSE, goja.FLAG_TRUE, goja.FLAG_FALSE)
		_ = f.DefineDataProperty("length", vm.ToValue(1), goja.FLAG_FALSE, goja.FLAG_TRUE, goja.FLAG_FALSE)
		_ = ctor.DefineDataProperty(name, f, goja.FLAG_TRUE, goja.FLAG_TRUE, goja.FLAG_FALSE)
	}
	accessor := func(name string, get func(*urlState) string, set func(st *urlState, v string)) {
		g := vm.ToValue(func(fc goja.FunctionCall) goja.Value { return vm.ToValue(get(this(fc.This, name))) }).(*goja.Object)
		_ = g.DefineDataProperty("name", vm.ToValue("get "+name), goja.FLAG_FALSE, goja.FLAG_TRUE, goja.FLAG_FALSE)
		var s goja.Value // nil: no setter
		if set != nil {
			so := vm.ToValue(func(fc goja.FunctionCall) goja.Value {
				set(this(fc.This, name), fc.Argument(0).String())
				return goja.Undefined()
			}).(*goja.Object)
			_ = so.DefineDataProperty("name", vm.ToValue("set "+name), goja.FLAG_FALSE, goja.FLAG_TRUE, goja.FLAG_FALSE)
			s = so
		}
		_ = p.DefineAccessorProperty(name, g, s, goja.FLAG_TRUE, goja.FLAG_FALSE)
	}
	accessor("href", urlHref, func(st *urlState, v string) {
		n, ok := parseURLState(v, "", false)
		if !ok {
			in.throwType("URL.href: " + invalidURL(vm.ToValue(v), goja.Undefined()))
		}
		st.u, st.f = n.u, n.f
		st.queryChanged()
	})
	none := func(*fastURL) string { return "" }
	accessor("origin", component((*fastURL).origin, urlOrigin), nil)
	accessor("protocol", component((*fastURL).protocol, (*whatwg.Url).Protocol), func(st *urlState, v string) { st.full().SetProtocol(v) })
	accessor("username", component(none, (*whatwg.Url).Username), func(st *urlState, v string) { st.full().SetUsername(v) })
	accessor("password", component(none, (*whatwg.Url).Password), func(st *urlState, v string) { st.full().SetPassword(v) })
	accessor("host", component((*fastURL).host, (*whatwg.Url).Host), func(st *urlState, v string) { st.full().SetHost(v) })
	accessor("hostname", component((*fastURL).hostname, (*whatwg.Url).Hostname), func(st *urlState, v string) { st.full().SetHostname(v) })
	accessor("port", component((*fastURL).port, (*whatwg.Url).Port), func(st *urlState, v string) { st.full().SetPort(v) })
	accessor("pathname", component((*fastURL).pathname, (*whatwg.Url).Pathname), func(st *urlState, v string) {
		if !st.setFast((*fastURL).withPathname, v) {
			st.full().SetPathname(v)
		}
	})
	accessor("search", component((*fastURL).search, (*whatwg.Url).Search), func(st *urlState, v string) {
		if !st.setFast((*fastURL).withSearch, v) {
			st.full().SetSearch(v)
		}
		st.queryChanged()
	})
	accessor("hash", component((*fastURL).hash, (*whatwg.Url).Hash), func(st *urlState, v string) {
		if !st.setFast((*fastURL).withHash, v) {
			st.full().SetHash(v)
		}
	})
	in.getter(p, "searchParams", func(fc goja.FunctionCall) goja.Value {
		st := this(fc.This, "searchParams")
		if st.spObj == nil {
			st.sp = &searchParamsState{list: parseQuery(urlQuery(st)), url: st}
			st.spObj = in.newHost(in.protos.searchParams, st.sp)
		}
		return st.spObj
	})
	for _, name := range []string{"toString", "toJSON"} {
		name := name
		in.method(p, name, 0, func(fc goja.FunctionCall) goja.Value { return vm.ToValue(urlHref(this(fc.This, name))) })
	}
	in.toStringTag(p, "URL")
	installURLSearchParams(in)
	return nil
}

// invalidURL is the TypeError message for a URL that does not parse.
func invalidURL(input, base goja.Value) string {
	msg := "invalid URL " + quoteJS(input.String())
	if !goja.IsUndefined(base) {
		msg += " (against the base " + quoteJS(base.String()) + ")"
	}
	if !goja.IsUndefined(base) || strings.Contains(input.String(), ":") {
		return msg
	}
	return msg + ": a relative URL needs a base, e.g. new URL(path, request.url)"
}

// queryChanged refreshes the URL's search params after its query changed.
func (st *urlState) queryChanged() {
	if st.sp != nil {
		st.sp.list = parseQuery(urlQuery(st))
	}
}

// update writes the list back to the URL's query (the spec's update steps).
func (sp *searchParamsState) update() {
	if sp.url == nil {
		return
	}
	s := serializeURLEncoded(sp.list)
	if !sp.url.setFast((*fastURL).withSearch, s) {
		sp.url.full().SetSearch(s)
	}
}

// parseQuery parses a query string as application/x-www-form-urlencoded
// (formData() of a body too, through parseURLEncoded), with one allocation
// for the list and none for a name or value that has nothing to decode (a
// substring of s).
func parseQuery(s string) []nameValue {
	if s == "" {
		return nil
	}
	out := make([]nameValue, 0, strings.Count(s, "&")+1)
	for len(s) > 0 {
		seq := s
		if i := strings.IndexByte(s, '&'); i >= 0 {
			seq, s = s[:i], s[i+1:]
		} else {
			s = ""
		}
		if seq == "" {
			continue
		}
		name, value := seq, ""
		if i := strings.IndexByte(seq, '='); i >= 0 {
			name, value = seq[:i], seq[i+1:]
		}
		out = append(out, nameValue{formDecode(name), formDecode(value)})
	}
	return out
}

// formDecode is percentDecodePlus on a string, s itself when there is
// nothing to decode.
func formDecode(s string) string {
	if strings.IndexByte(s, '+') < 0 && strings.IndexByte(s, '%') < 0 && utf8.ValidString(s) {
		return s
	}
	return percentDecodePlus([]byte(s))
}

// serializeURLEncoded is the application/x-www-form-urlencoded serializer.
func serializeURLEncoded(list []nameValue) string {
	var b strings.Builder
	for i, nv := range list {
		if i > 0 {
			b.WriteByte('&')
		}
		formEncode(&b, nv.name)
		b.WriteByte('=')
		formEncode(&b, nv.value)
	}
	return b.String()
}

func formEncode(b *strings.Builder, s string) {
	const hex = "0123456789ABCDEF"
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9', c == '*', c == '-', c == '.', c == '_':
			b.WriteByte(c)
		case c == ' ':
			b.WriteByte('+')
		default:
			b.WriteByte('%')
			b.WriteByte(hex[c>>4])
			b.WriteByte(hex[c&15])
		}
	}
}

// lessUTF16 orders strings by their UTF-16 code units, as
// URLSearchParams.sort must (byte order differs for characters past U+FFFF).
func lessUTF16(a, b string) bool {
	ra, rb := []rune(a), []rune(b)
	for i := 0; i < len(ra) && i < len(rb); i++ {
		if ra[i] == rb[i] {
			continue
		}
		ua, ub := utf16Units(ra[i]), utf16Units(rb[i])
		if ua != ub {
			return ua < ub
		}
	}
	return len(ra) < len(rb)
}

func utf16Units(r rune) uint32 {
	if r > 0xFFFF {
		hi, lo := utf16.EncodeRune(r)
		return uint32(hi)<<16 | uint32(lo)
	}
	return uint32(r) << 16
}

// installURLSearchParams defines URLSearchParams (installed with URL).
func installURLSearchParams(in *instance) {
	vm := in.vm
	ctor, p := in.nativeClass("URLSearchParams", 0, func(fc goja.ConstructorCall) hostState {
		return &searchParamsState{list: in.searchParamsInit(fc.Argument(0))}
	})
	in.intr.urlSearchParams = ctor
	in.protos.searchParams = p
	this := func(v goja.Value, what string) *searchParamsState {
		st, ok := in.stateOf(v).(*searchParamsState)
		if !ok {
			in.throwType("Illegal invocation: URLSearchParams." + what + " used on an object that is not a URLSearchParams")
		}
		return st
	}
	args := func(fc goja.FunctionCall, what string, n int) {
		if len(fc.Arguments) < n {
			in.throwType("URLSearchParams." + what + ": " + itoa(n) + " argument" + map[bool]string{true: "s", false: ""}[n > 1] +
				" required, but only " + itoa(len(fc.Arguments)) + " present")
		}
	}
	in.getter(p, "size", func(fc goja.FunctionCall) goja.Value { return vm.ToValue(len(this(fc.This, "size").list)) })
	in.method(p, "append", 2, func(fc goja.FunctionCall) goja.Value {
		st := this(fc.This, "append")
		args(fc, "append", 2)
		st.list = append(st.list, nameValue{fc.Argument(0).String(), fc.Argument(1).String()})
		st.update()
		return goja.Undefined()
	})
	in.method(p, "delete", 1, func(fc goja.FunctionCall) goja.Value {
		st := this(fc.This, "delete")
		args(fc, "delete", 1)
		name := fc.Argument(0).String()
		withValue, value := !goja.IsUndefined(fc.Argument(1)), fc.Argument(1).String()
		kept := st.list[:0]
		for _, nv := range st.list {
			if nv.name == name && (!withValue || nv.value == value) {
				continue
			}
			kept = append(kept, nv)
		}
		st.list = kept
		st.update()
		return goja.Undefined()
	})
	in.method(p, "get", 1, func(fc goja.FunctionCall) goja.Value {
		st := this(fc.This, "get")
		args(fc, "get", 1)
		name := fc.Argument(0).String()
		for _, nv := range st.list {
			if nv.name == name {
				return vm.ToValue(nv.value)
			}
		}
		return goja.Null()
	})
	in.method(p, "getAll", 1, func(fc goja.FunctionCall) goja.Value {
		st := this(fc.This, "getAll")
		args(fc, "getAll", 1)
		name := fc.Argument(0).String()
		var out []any
		for _, nv := range st.list {
			if nv.name == name {
				out = append(out, nv.value)
			}
		}
		return vm.NewArray(out...)
	})
	in.method(p, "has", 1, func(fc goja.FunctionCall) goja.Value {
		st := this(fc.This, "has")
		args(fc, "has", 1)
		name := fc.Argument(0).String()
		withValue, value := !goja.IsUndefined(fc.Argument(1)), fc.Argument(1).String()
		for _, nv := range st.list {
			if nv.name == name && (!withValue || nv.value == value) {
				return vm.ToValue(true)
			}
		}
		return vm.ToValue(false)
	})
	in.method(p, "set", 2, func(fc goja.FunctionCall) goja.Value {
		st := this(fc.This, "set")
		args(fc, "set", 2)
		name, value := fc.Argument(0).String(), fc.Argument(1).String()
		kept, found := st.list[:0], false
		for _, nv := range st.list {
			if nv.name == name {
				if found {
					continue
				}
				nv.value, found = value, true
			}
			kept = append(kept, nv)
		}
		st.list = kept
		if !found {
			st.list = append(st.list, nameValue{name, value})
		}
		st.update()
		return goja.Undefined()
	})
	in.method(p, "sort", 0, func(fc goja.FunctionCall) goja.Value {
		st := this(fc.This, "sort")
		// A stable insertion sort: lists are short, and the spec wants
		// stability by name only.
		l := st.list
		for i := 1; i < len(l); i++ {
			for j := i; j > 0 && lessUTF16(l[j].name, l[j-1].name); j-- {
				l[j], l[j-1] = l[j-1], l[j]
			}
		}
		st.update()
		return goja.Undefined()
	})
	in.method(p, "toString", 0, func(fc goja.FunctionCall) goja.Value {
		return vm.ToValue(serializeURLEncoded(this(fc.This, "toString").list))
	})
	in.method(p, "forEach", 1, func(fc goja.FunctionCall) goja.Value {
		st := this(fc.This, "forEach")
		cb, ok := goja.AssertFunction(fc.Argument(0))
		if !ok {
			in.throwType("URLSearchParams.forEach: the callback must be a function")
		}
		for i := 0; i < len(st.list); i++ { // the list may change meanwhile
			nv := st.list[i]
			if _, err := cb(fc.Argument(1), vm.ToValue(nv.value), vm.ToValue(nv.name), fc.This); err != nil {
				panic(err)
			}
		}
		return goja.Undefined()
	})
	in.definePairIterators(p, func(v goja.Value, what string) []namedValue {
		list := this(v, what).list
		out := make([]namedValue, len(list))
		for i, nv := range list {
			out[i] = namedValue{nv.name, vm.ToValue(nv.value)}
		}
		return out
	})
	in.toStringTag(p, "URLSearchParams")
}

// searchParamsInit converts URLSearchParams's init: a query string, a
// sequence of [name, value] pairs, or a record.
func (in *instance) searchParamsInit(v goja.Value) []nameValue {
	if goja.IsUndefined(v) || goja.IsNull(v) {
		return nil
	}
	obj, ok := v.(*goja.Object)
	if !ok {
		return parseQuery(strings.TrimPrefix(v.String(), "?"))
	}
	if src, ok := in.stateOf(obj).(*searchParamsState); ok {
		return append([]nameValue(nil), src.list...)
	}
	var out []nameValue
	if iter := obj.GetSymbol(goja.SymIterator); iter != nil && !goja.IsUndefined(iter) {
		in.vm.ForOf(obj, func(pair goja.Value) bool {
			p, ok := pair.(*goja.Object)
			if !ok {
				in.throwType("URLSearchParams: each item of the sequence must be a [name, value] pair, got " + describeValue(in.vm, pair))
			}
			var items []goja.Value
			in.vm.ForOf(p, func(v goja.Value) bool {
				items = append(items, v)
				return len(items) <= 2
			})
			if len(items) != 2 {
				in.throwType("URLSearchParams: each item of the sequence must be a [name, value] pair of exactly 2 items")
			}
			out = append(out, nameValue{items[0].String(), items[1].String()})
			return true
		})
		return out
	}
	for _, k := range obj.Keys() {
		out = append(out, nameValue{k, obj.Get(k).String()})
	}
	return out
}
