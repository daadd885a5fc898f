package isolate

import (
	"context"
	"fmt"
	"log/slog"
	"math"
	"math/big"
	"strconv"
	"strings"

	"github.com/dop251/goja"
)

// installConsole defines console. Each call becomes one structured log line
// on the pool's logger, tagged with the request id of the request in
// progress.
func installConsole(in *instance) error {
	vm := in.vm
	console := vm.NewObject()
	levels := []struct {
		name  string
		level slog.Level
	}{
		{"log", slog.LevelInfo}, {"info", slog.LevelInfo}, {"debug", slog.LevelDebug},
		{"trace", slog.LevelDebug}, {"warn", slog.LevelWarn}, {"error", slog.LevelError},
	}
	for _, l := range levels {
		l := l
		_ = console.Set(l.name, in.native(l.name, 0, func(fc goja.FunctionCall) goja.Value {
			in.consoleLog(l.level, l.name, formatArgs(vm, fc.Arguments))
			return goja.Undefined()
		}))
	}
	_ = console.Set("assert", in.native("assert", 0, func(fc goja.FunctionCall) goja.Value {
		if fc.Argument(0).ToBoolean() {
			return goja.Undefined()
		}
		msg := "Assertion failed"
		if len(fc.Arguments) > 1 {
			msg += ": " + formatArgs(vm, fc.Arguments[1:])
		}
		in.consoleLog(slog.LevelError, "assert", msg)
		return goja.Undefined()
	}))
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
func formatArgs(vm *goja.Runtime, args []goja.Value) string {
	if len(args) == 0 {
		return ""
	}
	var b strings.Builder
	rest := args
	if s, ok := args[0].Export().(string); ok {
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
				if _, ok := arg.(*goja.Object); ok {
					b.WriteString(inspect(vm, arg, 1))
				} else {
					b.WriteString(arg.String())
				}
			case 'd', 'i':
				f := arg.ToFloat()
				if spec == 'i' || f == math.Trunc(f) {
					if math.IsNaN(f) {
						b.WriteString("NaN")
					} else {
						b.WriteString(strconv.FormatInt(int64(f), 10))
					}
				} else {
					b.WriteString(strconv.FormatFloat(f, 'f', -1, 64))
				}
			case 'f':
				b.WriteString(goja.Value(vm.ToValue(arg.ToFloat())).String())
			case 'o', 'O', 'j':
				b.WriteString(inspect(vm, arg, 4))
			case 'c': // CSS: ignored
			}
		}
	}
	for _, a := range rest {
		if b.Len() > 0 {
			b.WriteByte(' ')
		}
		if s, ok := a.Export().(string); ok {
			b.WriteString(s)
		} else {
			b.WriteString(inspect(vm, a, 2))
		}
	}
	return b.String()
}

// inspectValue renders a value the way a console would show it.
func inspectValue(vm *goja.Runtime, v goja.Value) string {
	return inspect(vm, v, 2)
}

// inspect renders v for humans, descending depth levels into objects.
func inspect(vm *goja.Runtime, v goja.Value, depth int) string {
	var b strings.Builder
	(&inspector{vm: vm, seen: map[*goja.Object]bool{}}).write(&b, v, depth, false)
	return b.String()
}

type inspector struct {
	vm   *goja.Runtime
	seen map[*goja.Object]bool
}

const maxInspectItems = 100

func (p *inspector) write(b *strings.Builder, v goja.Value, depth int, nested bool) {
	switch {
	case v == nil || goja.IsUndefined(v):
		b.WriteString("undefined")
		return
	case goja.IsNull(v):
		b.WriteString("null")
		return
	}
	obj, ok := v.(*goja.Object)
	if !ok {
		switch x := v.Export().(type) {
		case string:
			if nested {
				b.WriteString(strconv.Quote(x))
			} else {
				b.WriteString(x)
			}
		case *big.Int:
			b.WriteString(x.String() + "n")
		default:
			b.WriteString(v.String())
		}
		return
	}
	if p.seen[obj] {
		b.WriteString("[Circular]")
		return
	}
	if fn, ok := goja.AssertFunction(obj); ok && fn != nil {
		name := obj.Get("name").String()
		if name == "" {
			name = "(anonymous)"
		}
		if strings.HasPrefix(fnSource(obj), "class") {
			fmt.Fprintf(b, "[class %s]", name)
		} else {
			fmt.Fprintf(b, "[Function: %s]", name)
		}
		return
	}
	className := obj.ClassName()
	switch className {
	case "Error":
		if st := obj.Get("stack"); st != nil && !goja.IsUndefined(st) && st.String() != "" {
			b.WriteString(st.String())
		} else {
			b.WriteString(obj.Get("name").String() + ": " + obj.Get("message").String())
		}
		return
	case "Date", "RegExp":
		b.WriteString(obj.String())
		return
	case "Promise":
		b.WriteString("Promise { <state> }")
		if pr, ok := obj.Export().(*goja.Promise); ok {
			b.Reset()
			switch pr.State() {
			case goja.PromiseStatePending:
				b.WriteString("Promise { <pending> }")
			case goja.PromiseStateFulfilled:
				b.WriteString("Promise { ")
				p.write(b, pr.Result(), depth-1, true)
				b.WriteString(" }")
			default:
				b.WriteString("Promise { <rejected> ")
				p.write(b, pr.Result(), depth-1, true)
				b.WriteString(" }")
			}
		}
		return
	}
	if depth < 0 {
		if className == "Array" {
			b.WriteString("[Array]")
		} else {
			b.WriteString("[Object]")
		}
		return
	}
	p.seen[obj] = true
	defer delete(p.seen, obj)
	if className == "Array" {
		n := int(obj.Get("length").ToInteger())
		b.WriteString("[")
		for i := 0; i < n && i < maxInspectItems; i++ {
			if i > 0 {
				b.WriteString(",")
			}
			b.WriteString(" ")
			p.write(b, obj.Get(strconv.Itoa(i)), depth-1, true)
		}
		if n > maxInspectItems {
			fmt.Fprintf(b, ", ... %d more items", n-maxInspectItems)
		}
		if n > 0 {
			b.WriteString(" ")
		}
		b.WriteString("]")
		return
	}
	prefix := ""
	if ctor, ok := obj.Get("constructor").(*goja.Object); ok {
		if name := ctor.Get("name"); name != nil && name.String() != "Object" && name.String() != "" {
			prefix = name.String() + " "
		}
	}
	keys := obj.Keys()
	if len(keys) == 0 {
		b.WriteString(prefix + "{}")
		return
	}
	b.WriteString(prefix + "{")
	for i, k := range keys {
		if i >= maxInspectItems {
			fmt.Fprintf(b, ", ... %d more", len(keys)-maxInspectItems)
			break
		}
		if i > 0 {
			b.WriteString(",")
		}
		b.WriteString(" ")
		if isIdent(k) {
			b.WriteString(k)
		} else {
			b.WriteString(strconv.Quote(k))
		}
		b.WriteString(": ")
		p.write(b, obj.Get(k), depth-1, true)
	}
	b.WriteString(" }")
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
