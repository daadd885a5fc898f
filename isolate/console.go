package isolate

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"math"
	"math/big"
	"strconv"
	"strings"
	"time"

	"github.com/dop251/goja"
)

// consoleState is what console's stateful methods keep: counters, timers
// and the group indentation.
type consoleState struct {
	counts map[string]int
	timers map[string]time.Duration
	indent string
}

// installConsole defines console. Each call becomes one structured log line
// on the pool's logger, tagged with the request id of the request in
// progress. Values are shown as Deno and Node show them (util.inspect's
// style: nested objects to depth 2, Map and Set entries, class names,
// cycles marked <ref *1> ... [Circular *1]).
func installConsole(in *instance) error {
	vm := in.vm
	console := vm.NewObject()
	st := &consoleState{counts: map[string]int{}, timers: map[string]time.Duration{}}
	def := func(name string, fn func(goja.FunctionCall) goja.Value) {
		_ = console.Set(name, in.native(name, 0, fn))
	}
	out := func(level slog.Level, method, msg string) {
		if st.indent != "" {
			msg = st.indent + strings.ReplaceAll(msg, "\n", "\n"+st.indent)
		}
		in.consoleLog(level, method, msg)
	}
	levels := []struct {
		name  string
		level slog.Level
	}{
		{"log", slog.LevelInfo}, {"info", slog.LevelInfo}, {"debug", slog.LevelDebug},
		{"warn", slog.LevelWarn}, {"error", slog.LevelError}, {"dirxml", slog.LevelInfo},
	}
	for _, l := range levels {
		l := l
		def(l.name, func(fc goja.FunctionCall) goja.Value {
			out(l.level, l.name, in.formatArgs(fc.Arguments))
			return goja.Undefined()
		})
	}
	def("trace", func(fc goja.FunctionCall) goja.Value {
		msg := "Trace"
		if len(fc.Arguments) > 0 {
			msg += ": " + in.formatArgs(fc.Arguments)
		}
		var frames []string
		for _, f := range vm.CaptureCallStack(16, nil) {
			var b bytes.Buffer
			f.Write(&b)
			if s := b.String(); s != "" && !strings.HasPrefix(s, "native") {
				frames = append(frames, "    at "+s)
			}
		}
		if len(frames) > 0 {
			msg += "\n" + strings.Join(frames, "\n")
		}
		out(slog.LevelDebug, "trace", msg)
		return goja.Undefined()
	})
	def("dir", func(fc goja.FunctionCall) goja.Value {
		out(slog.LevelInfo, "dir", in.inspect(fc.Argument(0), 2, true))
		return goja.Undefined()
	})
	def("table", func(fc goja.FunctionCall) goja.Value {
		// A table needs a terminal's columns; the log line shows the data.
		out(slog.LevelInfo, "table", in.formatArgs(fc.Arguments))
		return goja.Undefined()
	})
	def("assert", func(fc goja.FunctionCall) goja.Value {
		if fc.Argument(0).ToBoolean() {
			return goja.Undefined()
		}
		msg := "Assertion failed"
		if len(fc.Arguments) > 1 {
			msg += ": " + in.formatArgs(fc.Arguments[1:])
		}
		out(slog.LevelError, "assert", msg)
		return goja.Undefined()
	})
	label := func(fc goja.FunctionCall) string {
		if v := fc.Argument(0); !goja.IsUndefined(v) {
			return v.String()
		}
		return "default"
	}
	def("count", func(fc goja.FunctionCall) goja.Value {
		l := label(fc)
		st.counts[l]++
		out(slog.LevelInfo, "count", l+": "+strconv.Itoa(st.counts[l]))
		return goja.Undefined()
	})
	def("countReset", func(fc goja.FunctionCall) goja.Value {
		l := label(fc)
		if _, ok := st.counts[l]; !ok {
			out(slog.LevelWarn, "countReset", "Count for '"+l+"' does not exist")
		}
		st.counts[l] = 0
		return goja.Undefined()
	})
	def("time", func(fc goja.FunctionCall) goja.Value {
		l := label(fc)
		if _, ok := st.timers[l]; ok {
			out(slog.LevelWarn, "time", "Timer '"+l+"' already exists")
			return goja.Undefined()
		}
		st.timers[l] = monotonic()
		return goja.Undefined()
	})
	elapsed := func(method string, end bool) func(goja.FunctionCall) goja.Value {
		return func(fc goja.FunctionCall) goja.Value {
			l := label(fc)
			start, ok := st.timers[l]
			if !ok {
				out(slog.LevelWarn, method, "Timer '"+l+"' does not exist")
				return goja.Undefined()
			}
			if end {
				delete(st.timers, l)
			}
			ms := float64((monotonic()-start)/time.Microsecond) / 1000
			msg := l + ": " + strconv.FormatFloat(ms, 'f', 3, 64) + "ms"
			if !end && len(fc.Arguments) > 1 {
				msg += " " + in.formatArgs(fc.Arguments[1:])
			}
			out(slog.LevelInfo, method, msg)
			return goja.Undefined()
		}
	}
	def("timeEnd", elapsed("timeEnd", true))
	def("timeLog", elapsed("timeLog", false))
	group := func(fc goja.FunctionCall) goja.Value {
		if len(fc.Arguments) > 0 {
			out(slog.LevelInfo, "group", in.formatArgs(fc.Arguments))
		}
		st.indent += "  "
		return goja.Undefined()
	}
	def("group", group)
	def("groupCollapsed", group)
	def("groupEnd", func(goja.FunctionCall) goja.Value {
		if len(st.indent) >= 2 {
			st.indent = st.indent[2:]
		}
		return goja.Undefined()
	})
	return vm.GlobalObject().DefineDataProperty("console", console, goja.FLAG_TRUE, goja.FLAG_TRUE, goja.FLAG_FALSE)
}

// consoleLog writes one console line.
func (in *instance) consoleLog(level slog.Level, method, msg string) {
	if !in.log.Enabled(context.Background(), level) {
		return
	}
	id := ""
	if in.cur != nil {
		id = in.cur.req.ID
	}
	in.log.Log(context.Background(), level, msg, "source", "console", "method", method, "request_id", id)
}

// formatArgs formats console arguments: a leading string may carry
// printf-style specifiers (%s %d %i %f %o %O %j %c %%); the rest are
// inspected and joined with spaces.
func (in *instance) formatArgs(args []goja.Value) string {
	if len(args) == 0 {
		return ""
	}
	vm := in.vm
	var b strings.Builder
	rest := args
	if s, ok := args[0].Export().(string); ok && strings.IndexByte(s, '%') >= 0 {
		rest = args[1:]
		for i := 0; i < len(s); i++ {
			ch := s[i]
			if ch != '%' || i+1 >= len(s) {
				b.WriteByte(ch)
				continue
			}
			spec := s[i+1]
			if spec == '%' {
				b.WriteByte('%')
				i++
				continue
			}
			if !strings.ContainsRune("sdifoOjc", rune(spec)) || len(rest) == 0 {
				b.WriteByte(ch)
				continue
			}
			arg := rest[0]
			rest = rest[1:]
			i++
			switch spec {
			case 's':
				switch x := arg.Export().(type) {
				case *big.Int:
					b.WriteString(x.String() + "n")
				default:
					if _, isObj := arg.(*goja.Object); isObj {
						b.WriteString(in.inspect(arg, 1, false))
					} else {
						b.WriteString(arg.String())
					}
				}
			case 'd', 'i':
				if x, ok := arg.Export().(*big.Int); ok {
					b.WriteString(x.String() + "n")
					break
				}
				if _, isObj := arg.(*goja.Object); isObj {
					b.WriteString("NaN")
					break
				}
				f := arg.ToFloat()
				switch {
				case math.IsNaN(f):
					b.WriteString("NaN")
				case spec == 'i' || f == math.Trunc(f):
					b.WriteString(vm.ToValue(math.Trunc(f)).String())
				default:
					b.WriteString(vm.ToValue(f).String())
				}
			case 'f':
				if _, isSym := arg.(*goja.Symbol); isSym {
					b.WriteString("NaN")
				} else {
					b.WriteString(vm.ToValue(arg.ToFloat()).String())
				}
			case 'o':
				b.WriteString(in.inspect(arg, 4, true))
			case 'O':
				b.WriteString(in.inspect(arg, 2, false))
			case 'j':
				b.WriteString(in.jsonForConsole(arg))
			case 'c': // CSS: ignored
			}
		}
	} else {
		rest = args
	}
	for i, a := range rest {
		if i > 0 || b.Len() > 0 || len(rest) < len(args) {
			b.WriteByte(' ')
		}
		if s, ok := a.Export().(string); ok {
			b.WriteString(s)
		} else {
			b.WriteString(in.inspect(a, 2, false))
		}
	}
	return b.String()
}

// jsonForConsole is %j: JSON.stringify, "[Circular]" for a cyclic value.
func (in *instance) jsonForConsole(v goja.Value) string {
	s, err := in.jsonStringify()(goja.Undefined(), v)
	if err != nil {
		if strings.Contains(err.Error(), "circular") || strings.Contains(err.Error(), "Circular") {
			return "[Circular]"
		}
		return "[" + err.Error() + "]"
	}
	if goja.IsUndefined(s) {
		return "undefined"
	}
	return s.String()
}

// inspectValue renders a value the way a console would show it.
func inspectValue(vm *goja.Runtime, v goja.Value) string {
	return inspect(vm, v, 2)
}

// inspect renders v for humans, descending depth levels into objects.
func inspect(vm *goja.Runtime, v goja.Value, depth int) string {
	p := &inspector{vm: vm, seen: map[*goja.Object]int{}}
	return p.write(v, depth, false, 0)
}

// inspect is inspect with the runtime's platform classes known (their
// getters are shown, as Deno shows a URL or Headers).
func (in *instance) inspect(v goja.Value, depth int, hidden bool) string {
	p := &inspector{vm: in.vm, in: in, seen: map[*goja.Object]int{}, hidden: hidden}
	return p.write(v, depth, false, 0)
}

type inspector struct {
	vm     *goja.Runtime
	in     *instance // nil: no platform knowledge
	hidden bool      // %o: non-enumerable properties too
	// seen maps the objects being written (the current path) to their
	// circular-reference number (0 until a cycle reaches them).
	seen  map[*goja.Object]int
	refs  int
	stack []*goja.Object
}

const (
	maxInspectItems = 100
	breakLength     = 72 // entries longer than this together go one per line
)

// write renders v; indent is the nesting level (for multi-line output).
func (p *inspector) write(v goja.Value, depth int, nested bool, indent int) string {
	switch {
	case v == nil || goja.IsUndefined(v):
		return "undefined"
	case goja.IsNull(v):
		return "null"
	}
	if sym, ok := v.(*goja.Symbol); ok {
		return symbolText(sym)
	}
	obj, ok := v.(*goja.Object)
	if !ok {
		switch x := v.Export().(type) {
		case string:
			if nested {
				return strconv.Quote(x)
			}
			return x
		case *big.Int:
			return x.String() + "n"
		case float64:
			if x == 0 && math.Signbit(x) {
				return "-0"
			}
		}
		return v.String()
	}
	if n, ok := p.seen[obj]; ok {
		if n == 0 {
			p.refs++
			n = p.refs
			p.seen[obj] = n
		}
		return "[Circular *" + strconv.Itoa(n) + "]"
	}
	if fn, ok := goja.AssertFunction(obj); ok && fn != nil {
		return p.function(obj)
	}
	switch obj.ClassName() {
	case "Error":
		if st := obj.Get("stack"); st != nil && !goja.IsUndefined(st) && st.String() != "" {
			s := strings.TrimRight(st.String(), "\n")
			if indent > 0 {
				s = strings.ReplaceAll(s, "\n", "\n"+strings.Repeat("  ", indent))
			}
			return s
		}
		return obj.Get("name").String() + ": " + obj.Get("message").String()
	case "Date":
		if t := obj.Export(); t != nil {
			if tt, ok := t.(time.Time); ok && !tt.IsZero() {
				return tt.UTC().Format("2006-01-02T15:04:05.000Z")
			}
		}
		return "Invalid Date"
	case "RegExp":
		return obj.String()
	case "Boolean", "Number":
		return "[" + obj.ClassName() + ": " + p.write(p.vm.ToValue(obj.Export()), 0, true, 0) + "]"
	case "String":
		return "[String: " + strconv.Quote(obj.String()) + "]"
	}
	if pr, ok := obj.Export().(*goja.Promise); ok {
		switch pr.State() {
		case goja.PromiseStatePending:
			return "Promise { <pending> }"
		case goja.PromiseStateFulfilled:
			return "Promise { " + p.write(pr.Result(), depth-1, true, indent+1) + " }"
		default:
			return "Promise { <rejected> " + p.write(pr.Result(), depth-1, true, indent+1) + " }"
		}
	}
	prefix, kind := p.describe(obj)
	if depth < 0 {
		if kind == "array" {
			return "[Array]"
		}
		name := strings.TrimSpace(prefix)
		if name == "" {
			name = "Object"
		}
		return "[" + name + "]"
	}
	p.seen[obj] = 0
	p.stack = append(p.stack, obj)
	entries, open, close := p.entries(obj, kind, depth, indent)
	p.stack = p.stack[:len(p.stack)-1]
	ref := p.seen[obj]
	delete(p.seen, obj)
	s := p.join(prefix, open, close, entries, indent, kind == "array" || kind == "typed")
	if ref > 0 {
		s = "<ref *" + strconv.Itoa(ref) + "> " + s
	}
	return s
}

func (p *inspector) function(obj *goja.Object) string {
	name := ""
	if n := obj.Get("name"); n != nil && !goja.IsUndefined(n) {
		name = n.String()
	}
	src := fnSource(obj)
	if strings.HasPrefix(src, "class") {
		s := "[class " + name
		if name == "" {
			s = "[class (anonymous)"
		}
		// A derived class's prototype is its parent (a base class's is
		// Function.prototype, whose name is "").
		if parent := obj.Prototype(); parent != nil {
			if pn := parent.Get("name"); pn != nil && pn.String() != "" {
				s += " extends " + pn.String()
			}
		}
		return s + "]"
	}
	kind := "Function"
	full := obj.String()
	switch {
	case strings.HasPrefix(full, "async function*"), strings.HasPrefix(full, "async *"):
		kind = "AsyncGeneratorFunction"
	case strings.HasPrefix(full, "async"):
		kind = "AsyncFunction"
	case strings.HasPrefix(full, "function*"):
		kind = "GeneratorFunction"
	}
	if name == "" {
		return "[" + kind + " (anonymous)]"
	}
	return "[" + kind + ": " + name + "]"
}

// describe returns the prefix ("Map(2) ", "Foo ", "") and the kind of
// container: object, array, map, set, typed, buffer.
func (p *inspector) describe(obj *goja.Object) (string, string) {
	switch obj.ClassName() {
	case "Array":
		n := obj.Get("length").ToInteger()
		if ctor := p.ctorName(obj); ctor != "" && ctor != "Array" {
			return ctor + "(" + strconv.FormatInt(n, 10) + ") ", "array"
		}
		return "", "array"
	case "Arguments":
		return "[Arguments] ", "array"
	}
	switch obj.ExportType() {
	case typeMapEntries:
		return p.ctorOr(obj, "Map") + "(" + obj.Get("size").String() + ") ", "map"
	case typeSetValues:
		return p.ctorOr(obj, "Set") + "(" + obj.Get("size").String() + ") ", "set"
	case typeArrayBuf:
		return "ArrayBuffer ", "buffer"
	}
	if tag := obj.GetSymbol(goja.SymToStringTag); tag != nil && !goja.IsUndefined(tag) {
		if t := tag.String(); strings.HasSuffix(t, "Array") && obj.Get("BYTES_PER_ELEMENT") != nil && !goja.IsUndefined(obj.Get("BYTES_PER_ELEMENT")) {
			return t + "(" + obj.Get("length").String() + ") ", "typed"
		}
	}
	if obj.Prototype() == nil {
		return "[Object: null prototype] ", "object"
	}
	name := p.ctorName(obj)
	if name == "Object" || name == "" {
		return "", "object"
	}
	return name + " ", "object"
}

func (p *inspector) ctorOr(obj *goja.Object, def string) string {
	if n := p.ctorName(obj); n != "" {
		return n
	}
	return def
}

// ctorName is the name of obj's constructor (through its prototype, so an
// own "constructor" property does not fool it).
func (p *inspector) ctorName(obj *goja.Object) string {
	proto := obj.Prototype()
	if proto == nil {
		return ""
	}
	c, ok := proto.Get("constructor").(*goja.Object)
	if !ok {
		return ""
	}
	if n := c.Get("name"); n != nil && !goja.IsUndefined(n) {
		return n.String()
	}
	return ""
}

// entries renders the parts between the brackets.
func (p *inspector) entries(obj *goja.Object, kind string, depth, indent int) ([]string, string, string) {
	var out []string
	key := func(k string) string {
		if isIdent(k) {
			return k
		}
		return strconv.Quote(k)
	}
	val := func(v goja.Value) string { return p.write(v, depth-1, true, indent+1) }
	skip := map[string]bool{}
	switch kind {
	case "array", "typed":
		n := int(obj.Get("length").ToInteger())
		holes := 0
		for i := 0; i < n && len(out) < maxInspectItems; i++ {
			k := strconv.Itoa(i)
			skip[k] = true
			item := obj.Get(k)
			if item == nil { // a hole (Get gives undefined for a present undefined)
				holes++
				continue
			}
			if holes > 0 {
				out = append(out, "<"+strconv.Itoa(holes)+" empty item"+pluralS(holes)+">")
				holes = 0
			}
			out = append(out, val(item))
		}
		if holes > 0 {
			out = append(out, "<"+strconv.Itoa(holes)+" empty item"+pluralS(holes)+">")
		}
		if n > maxInspectItems {
			out = append(out, "... "+strconv.Itoa(n-maxInspectItems)+" more items")
			for i := maxInspectItems; i < n; i++ {
				skip[strconv.Itoa(i)] = true
			}
		}
		if kind == "typed" {
			return out, "[", "]"
		}
	case "map", "set":
		forEach, _ := goja.AssertFunction(obj.Get("forEach"))
		if forEach != nil {
			n := 0
			_, _ = forEach(obj, p.vm.ToValue(func(fc goja.FunctionCall) goja.Value {
				n++
				if n > maxInspectItems {
					return goja.Undefined()
				}
				if kind == "map" {
					out = append(out, val(fc.Argument(1))+" => "+val(fc.Argument(0)))
				} else {
					out = append(out, val(fc.Argument(0)))
				}
				return goja.Undefined()
			}))
			if n > maxInspectItems {
				out = append(out, "... "+strconv.Itoa(n-maxInspectItems)+" more items")
			}
		}
	case "buffer":
		ab := obj.Export().(goja.ArrayBuffer)
		b := ab.Bytes()
		var hex strings.Builder
		for i, c := range b {
			if i >= 50 {
				hex.WriteString(" ... " + strconv.Itoa(len(b)-50) + " more bytes")
				break
			}
			if i > 0 {
				hex.WriteByte(' ')
			}
			fmt.Fprintf(&hex, "%02x", c)
		}
		out = append(out, "[Uint8Contents]: <"+hex.String()+">", "byteLength: "+strconv.Itoa(len(b)))
		return out, "{", "}"
	}
	keys := obj.Keys()
	if p.hidden {
		keys = nil
		for _, k := range obj.GetOwnPropertyNames() {
			if (kind == "array" || kind == "typed") && k == "length" {
				continue
			}
			keys = append(keys, k)
		}
	}
	for _, k := range keys {
		if skip[k] {
			continue
		}
		if len(out) >= maxInspectItems+1 {
			out = append(out, "... more properties")
			break
		}
		out = append(out, key(k)+": "+val(obj.Get(k)))
	}
	for _, sym := range obj.Symbols() {
		out = append(out, "["+symbolText(sym)+"]: "+val(obj.GetSymbol(sym)))
	}
	// Platform objects (URL, Headers, Request...) keep their state behind
	// prototype getters: show those.
	if kind == "object" && p.in != nil && len(keys) == 0 {
		out = append(out, p.platformGetters(obj, depth, indent)...)
	}
	if kind == "array" {
		return out, "[", "]"
	}
	return out, "{", "}"
}

func pluralS(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

// platformGetters evaluates the getters of obj's platform prototype
// (skipping those that would change the object: body, signal).
func (p *inspector) platformGetters(obj *goja.Object, depth, indent int) []string {
	var proto *goja.Object
	for q := obj.Prototype(); q != nil; q = q.Prototype() {
		if _, ok := p.in.platformProto(q); ok {
			proto = q
			break
		}
	}
	if proto == nil {
		return nil
	}
	if name, _ := p.in.platformProto(proto); name == "Headers" || name == "URLSearchParams" || name == "FormData" {
		return p.iterEntries(obj, depth, indent)
	}
	var out []string
	for _, k := range proto.GetOwnPropertyNames() {
		if k == "constructor" || k == "body" || k == "signal" || k == "searchParams" && p.in.platformProtos[proto] == "URL" {
			continue
		}
		d := p.descriptorGetter(proto, k)
		if d == nil {
			continue
		}
		v, err := d(obj)
		if err != nil {
			continue
		}
		if _, isFn := goja.AssertFunction(v); isFn {
			continue
		}
		key := k
		if !isIdent(k) {
			key = strconv.Quote(k)
		}
		out = append(out, key+": "+p.write(v, depth-1, true, indent+1))
	}
	return out
}

// descriptorGetter returns proto's own getter for k, or nil.
func (p *inspector) descriptorGetter(proto *goja.Object, k string) goja.Callable {
	gopd := p.in.method0(p.in.builtin("Object"), "getOwnPropertyDescriptor")
	d, err := gopd(goja.Undefined(), proto, p.vm.ToValue(k))
	if err != nil {
		return nil
	}
	dobj, ok := d.(*goja.Object)
	if !ok {
		return nil
	}
	get, ok := goja.AssertFunction(dobj.Get("get"))
	if !ok {
		return nil
	}
	return get
}

// iterEntries shows an iterable of [name, value] pairs as name: value.
func (p *inspector) iterEntries(obj *goja.Object, depth, indent int) []string {
	var out []string
	entries, ok := goja.AssertFunction(obj.Get("entries"))
	if !ok {
		return nil
	}
	it, err := entries(obj)
	if err != nil {
		return nil
	}
	itObj, ok := it.(*goja.Object)
	if !ok {
		return nil
	}
	next, ok := goja.AssertFunction(itObj.Get("next"))
	if !ok {
		return nil
	}
	for len(out) < maxInspectItems {
		r, err := next(itObj)
		if err != nil {
			break
		}
		ro, ok := r.(*goja.Object)
		if !ok || ro.Get("done").ToBoolean() {
			break
		}
		pair, ok := ro.Get("value").(*goja.Object)
		if !ok {
			break
		}
		out = append(out, strconv.Quote(pair.Get("0").String())+": "+p.write(pair.Get("1"), depth-1, true, indent+1))
	}
	return out
}

// join lays entries out on one line, or one per line when they are long
// (arrays of short items fill lines instead).
func (p *inspector) join(prefix, open, close string, entries []string, indent int, isArray bool) string {
	if len(entries) == 0 {
		return prefix + open + close
	}
	total := len(prefix) + 2*indent
	multi := false
	for _, e := range entries {
		total += len(e) + 2
		if strings.Contains(e, "\n") {
			multi = true
		}
	}
	if !multi && total+4 <= breakLength {
		return prefix + open + " " + strings.Join(entries, ", ") + " " + close
	}
	pad := strings.Repeat("  ", indent+1)
	if isArray && !multi && len(entries) > 6 {
		// Fill lines with short items, as util.inspect groups arrays.
		width := 0
		for _, e := range entries {
			width = max(width, len(e))
		}
		if width <= 6 {
			var lines []string
			line := ""
			for i, e := range entries {
				cell := fmt.Sprintf("%*s", width, e)
				if i < len(entries)-1 {
					cell += ","
				}
				if line != "" && len(pad)+len(line)+1+len(cell) > 80 {
					lines = append(lines, line)
					line = ""
				}
				if line != "" {
					line += " "
				}
				line += cell
			}
			lines = append(lines, line)
			return prefix + open + "\n" + pad + strings.Join(lines, "\n"+pad) + "\n" + strings.Repeat("  ", indent) + close
		}
	}
	return prefix + open + "\n" + pad + strings.Join(entries, ",\n"+pad) + "\n" + strings.Repeat("  ", indent) + close
}

// symbolText is Symbol(description).
func symbolText(sym *goja.Symbol) string {
	return "Symbol(" + sym.String() + ")"
}

func fnSource(obj *goja.Object) string {
	s := obj.String()
	if len(s) > 8 {
		s = s[:8]
	}
	return s
}

func isIdent(s string) bool {
	if s == "" {
		return false
	}
	for i, r := range s {
		if r == '_' || r == '$' || (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z') || (i > 0 && r >= '0' && r <= '9') {
			continue
		}
		return false
	}
	return true
}
