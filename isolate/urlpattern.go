package isolate

import (
	"cmp"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"unsafe"

	"github.com/dop251/goja"
	"github.com/dunglas/go-urlpattern"
)

// urlPatternState is a URLPattern's state: the compiled pattern of
// github.com/dunglas/go-urlpattern, a Go implementation of the WHATWG URL
// Pattern standard (tokenizer, parser, component regular expressions on Go's
// linear-time regexp), tested against the WPT cases.
type urlPatternState struct {
	props
	p  *urlpattern.URLPattern
	re map[string]componentRegexp // by component name; nil if not reachable
}

// componentRegexp is one component's compiled expression and group names.
// The library reports an unmatched optional group as "" rather than
// undefined, and no groups at all when a wildcard matches an empty input;
// exec() recomputes the groups from these to give the standard's result.
type componentRegexp struct {
	re    *regexp.Regexp
	names []string
}

// componentRegexps reads the compiled components out of p. They are
// unexported fields of go-urlpattern v1.0.0 (pinned in go.mod), read with
// reflect; if their shape ever changes this returns nil and exec() falls back
// to the library's groups (the WPT test in urlpattern_test.go notices).
func componentRegexps(p *urlpattern.URLPattern) map[string]componentRegexp {
	v := reflect.ValueOf(p).Elem()
	out := make(map[string]componentRegexp, len(urlPatternComponents))
	for _, name := range urlPatternComponents {
		f := v.FieldByName(name)
		if !f.IsValid() || f.Kind() != reflect.Pointer || f.IsNil() {
			return nil
		}
		c := f.Elem()
		reF, namesF := c.FieldByName("regularExpression"), c.FieldByName("groupNameList")
		if !reF.IsValid() || reF.Type() != reflect.TypeOf((*regexp.Regexp)(nil)) ||
			!namesF.IsValid() || namesF.Type() != reflect.TypeOf([]string(nil)) {
			return nil
		}
		re := *(**regexp.Regexp)(unsafe.Pointer(reF.UnsafeAddr()))
		names := *(*[]string)(unsafe.Pointer(namesF.UnsafeAddr()))
		if re == nil {
			return nil
		}
		out[name] = componentRegexp{re: re, names: names}
	}
	return out
}

var urlPatternComponents = []string{"protocol", "username", "password", "hostname", "port", "pathname", "search", "hash"}

// installURLPattern defines URLPattern.
func installURLPattern(in *instance) error {
	vm := in.vm
	_, p := in.nativeClass("URLPattern", 0, func(fc goja.ConstructorCall) hostState {
		input, base, opts := fc.Argument(0), fc.Argument(1), fc.Argument(2)
		if o, ok := base.(*goja.Object); ok && len(fc.Arguments) < 3 {
			base, opts = goja.Undefined(), o // (input, options)
		}
		options := &urlpattern.Options{}
		if o, ok := opts.(*goja.Object); ok {
			options.IgnoreCase = truthy(o.Get("ignoreCase"))
		} else if !goja.IsUndefined(opts) && !goja.IsNull(opts) {
			in.throwType("URLPattern: options must be an object")
		}
		var pat *urlpattern.URLPattern
		var err error
		if init, ok := in.urlPatternInit("URLPattern", input, base); ok {
			pat, err = init.New(options)
		} else {
			baseURL := ""
			if !goja.IsUndefined(base) {
				baseURL = base.String()
			}
			pat, err = urlpattern.New(input.String(), baseURL, options)
		}
		if err != nil {
			in.throwType("URLPattern: invalid pattern " + describePattern(vm, input) + ": " + patternError(err))
		}
		return &urlPatternState{p: pat, re: componentRegexps(pat)}
	})
	this := func(v goja.Value, what string) *urlPatternState {
		st, ok := in.stateOf(v).(*urlPatternState)
		if !ok {
			in.throwType("Illegal invocation: URLPattern." + what + " used on an object that is not a URLPattern")
		}
		return st
	}
	getters := map[string]func(*urlpattern.URLPattern) string{
		"protocol": (*urlpattern.URLPattern).Protocol, "username": (*urlpattern.URLPattern).Username,
		"password": (*urlpattern.URLPattern).Password, "hostname": (*urlpattern.URLPattern).Hostname,
		"port": (*urlpattern.URLPattern).Port, "pathname": (*urlpattern.URLPattern).Pathname,
		"search": (*urlpattern.URLPattern).Search, "hash": (*urlpattern.URLPattern).Hash,
	}
	for _, name := range urlPatternComponents {
		get := getters[name]
		in.getter(p, name, func(fc goja.FunctionCall) goja.Value {
			return vm.ToValue(get(this(fc.This, name).p))
		})
	}
	in.getter(p, "hasRegExpGroups", func(fc goja.FunctionCall) goja.Value {
		return vm.ToValue(this(fc.This, "hasRegExpGroups").p.HasRegexpGroups())
	})
	in.method(p, "test", 0, func(fc goja.FunctionCall) goja.Value {
		st := this(fc.This, "test")
		return vm.ToValue(in.urlPatternExec(st.p, "URLPattern.test", fc) != nil)
	})
	in.method(p, "exec", 0, func(fc goja.FunctionCall) goja.Value {
		st := this(fc.This, "exec")
		r := in.urlPatternExec(st.p, "URLPattern.exec", fc)
		if r == nil {
			return goja.Null()
		}
		out := vm.NewObject()
		inputs := []any{fc.Argument(0)}
		if len(fc.Arguments) == 0 {
			inputs[0] = vm.NewObject()
		}
		if b := fc.Argument(1); !goja.IsUndefined(b) {
			inputs = append(inputs, b.String())
		}
		_ = out.Set("inputs", vm.NewArray(inputs...))
		for _, c := range []struct {
			name string
			res  urlpattern.URLPatternComponentResult
		}{
			{"protocol", r.Protocol}, {"username", r.Username}, {"password", r.Password}, {"hostname", r.Hostname},
			{"port", r.Port}, {"pathname", r.Pathname}, {"search", r.Search}, {"hash", r.Hash},
		} {
			groups := vm.NewObject()
			if cr, ok := st.re[c.name]; ok {
				m := cr.re.FindStringSubmatchIndex(c.res.Input)
				for i, name := range cr.names {
					if 2*i+3 < len(m) && m[2*i+2] >= 0 {
						_ = groups.Set(name, c.res.Input[m[2*i+2]:m[2*i+3]])
					} else {
						_ = groups.Set(name, goja.Undefined())
					}
				}
			} else {
				for _, k := range groupOrder(getters[c.name](st.p), c.res.Groups) {
					_ = groups.Set(k, c.res.Groups[k])
				}
			}
			comp := vm.NewObject()
			_ = comp.Set("input", c.res.Input)
			_ = comp.Set("groups", groups)
			_ = out.Set(c.name, comp)
		}
		return out
	})
	in.toStringTag(p, "URLPattern")
	return nil
}

// patternError is the library's message without the Go value dump some of
// its errors end with.
func patternError(err error) string {
	msg := err.Error()
	if i := strings.Index(msg, "&urlpattern."); i >= 0 {
		msg = strings.TrimRight(strings.TrimSpace(msg[:i]), ":")
	}
	return msg
}

// describePattern shows the constructor's input in an error message.
func describePattern(vm *goja.Runtime, input goja.Value) string {
	if _, ok := input.(*goja.Object); ok {
		return inspect(vm, input, 1)
	}
	return quoteJS(input.String())
}

// groupOrder lists a component's group names in the order the pattern
// names them (the library returns a map): numbered groups first, as JS
// orders integer keys, then named ones by where ":name" first appears.
func groupOrder(pattern string, groups map[string]string) []string {
	keys := make([]string, 0, len(groups))
	for k := range groups {
		keys = append(keys, k)
	}
	pos := func(k string) int {
		if isIndex(k) {
			n := 0
			for i := 0; i < len(k); i++ {
				n = n*10 + int(k[i]-'0')
			}
			return n - len(pattern) - 1<<20 // before every named group
		}
		if i := strings.Index(pattern, ":"+k); i >= 0 {
			return i
		}
		return len(pattern)
	}
	slices.SortStableFunc(keys, func(a, b string) int { return cmp.Compare(pos(a), pos(b)) })
	return keys
}

// urlPatternInit converts a URLPatternInit dictionary; ok is false when
// input is a string (a pattern or URL to parse instead).
func (in *instance) urlPatternInit(what string, input, base goja.Value) (*urlpattern.URLPatternInit, bool) {
	obj, ok := input.(*goja.Object)
	if !ok {
		if goja.IsUndefined(input) {
			obj = in.vm.NewObject() // the default: {}
		} else {
			return nil, false
		}
	}
	if !goja.IsUndefined(base) {
		in.throwType(what + ": a base URL cannot be given with a URLPatternInit object; set its baseURL member instead")
	}
	init := &urlpattern.URLPatternInit{}
	field := func(name string) *string {
		v := obj.Get(name)
		if v == nil || goja.IsUndefined(v) {
			return nil
		}
		s := v.String()
		return &s
	}
	init.Protocol, init.Username, init.Password = field("protocol"), field("username"), field("password")
	init.Hostname, init.Port, init.Pathname = field("hostname"), field("port"), field("pathname")
	init.Search, init.Hash, init.BaseURL = field("search"), field("hash"), field("baseURL")
	return init, true
}

// urlPatternExec matches test()'s and exec()'s arguments against p.
func (in *instance) urlPatternExec(p *urlpattern.URLPattern, what string, fc goja.FunctionCall) *urlpattern.URLPatternResult {
	input, base := fc.Argument(0), fc.Argument(1)
	if init, ok := in.urlPatternInit(what, input, base); ok {
		return p.ExecInit(init)
	}
	baseURL := ""
	if !goja.IsUndefined(base) {
		baseURL = base.String()
		if baseURL == "" {
			return nil // an empty base URL does not parse
		}
	}
	return p.Exec(input.String(), baseURL)
}
