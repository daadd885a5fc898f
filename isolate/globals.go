package isolate

import (
	"embed"
	"fmt"
	"sync"

	"github.com/dop251/goja"
	"github.com/dop251/goja/parser"
)

// global is one JS global (or an internal piece several globals share),
// installed into every runtime: first its Go natives, then its JS.
type global struct {
	// names are the globals it defines, for the surface test and docs.
	names []string
	// native installs Go functions (on in.internal or as globals).
	native func(in *instance) error
	// js names a file in js/ holding `(function (internal) {...})`.
	js string
	// eager globals are installed with every runtime; the others only when
	// a script first touches one of their names (see lazyGlobals).
	eager bool
}

// globals is the one list of what every runtime gets, in install order
// (set in init: installing a global may install another).
var globals []global

func init() {
	globals = []global{
		{names: nil, native: installInternal, js: "internal.js", eager: true},
		{names: nil, native: installGuard, eager: true},
		{names: nil, native: installBuiltinFixes, eager: true},
		{names: []string{"console"}, native: installConsole},
		{names: []string{"setTimeout", "clearTimeout", "setInterval", "clearInterval"}, native: installTimers},
		{names: []string{"queueMicrotask"}, native: installReportError, js: "queuemicrotask.js"},
		{names: nil, native: installContext, eager: true},
		{names: nil, native: installEvents, js: "events.js", eager: true},
		{names: nil, js: "kv.js"}, // installed by the first KV binding (installJS)
		{names: []string{"DOMException"}, js: "domexception.js"},
		{names: []string{"Event", "EventTarget", "CustomEvent"}, native: installEventTarget, js: "eventtarget.js"},
		{names: []string{"AbortController", "AbortSignal"}, native: installAbort, js: "abort.js"},
		{names: []string{"structuredClone"}, native: installStructuredClone},
		{names: []string{"performance", "Performance", "PerformanceEntry", "PerformanceMark", "PerformanceMeasure"}, native: installPerformance, js: "performance.js"},
		{names: []string{"navigator", "Navigator"}, native: installNavigator},
		{names: []string{"Intl"}, native: installIntl},
		{names: []string{"WeakRef"}, native: installWeakRef},
		{names: []string{"FinalizationRegistry"}, native: installFinalizationRegistry},
		{names: []string{"URL", "URLSearchParams"}, native: installURL},
		{names: []string{"URLPattern"}, native: installURLPattern},
		{names: []string{"Headers"}, native: installHeaders},
		{names: []string{"Request"}, native: installRequest},
		{names: []string{"Response"}, native: installResponse},
		{names: []string{"fetch"}, native: installFetch},
		{names: []string{"addEventListener", "removeEventListener", "FetchEvent"}, native: installServiceWorker, js: "serviceworker.js"},
		{names: []string{"process"}, native: installProcess},
		{names: []string{"crypto", "Crypto", "SubtleCrypto", "CryptoKey"}, native: installCrypto},
		{names: streamGlobals, native: installStreams, js: "streams.js"},
		{names: []string{"TextEncoder"}, native: installTextEncoder},
		{names: []string{"TextDecoder"}, native: installTextDecoder},
		{names: []string{"atob", "btoa"}, native: installBase64},
		{names: []string{"TextEncoderStream"}, native: installTextEncoderStream},
		{names: []string{"TextDecoderStream"}, native: installTextDecoderStream},
		{names: []string{"CompressionStream"}, native: installCompressionStream},
		{names: []string{"DecompressionStream"}, native: installDecompressionStream},
		{names: []string{"Blob"}, native: installBlob},
		{names: []string{"File"}, native: installFile},
		{names: []string{"FormData"}, native: installFormData},
		{names: nil, native: installDigestStream, js: "digeststream.js"}, // crypto.DigestStream, on first use (installJS)
	}
	for i, g := range globals {
		for _, n := range g.names {
			lazyIndex[n] = i
		}
		if g.js != "" {
			jsPrograms[g.js] = &jsProgram{}
		}
	}
}

//go:embed js/*.js
var jsFiles embed.FS

// jsProgram is a global's JS, compiled once per process when a runtime first
// installs that global: a process whose scripts never touch streams does not
// compile streams.js (most of the JS there is), which keeps start-up short.
type jsProgram struct {
	once sync.Once
	prg  *goja.Program
	err  error
}

// jsPrograms has an entry per JS file of globals (filled in init, read-only
// after).
var jsPrograms = map[string]*jsProgram{}

// compileJS returns the compiled program of a global's JS file; every
// runtime shares it.
func compileJS(file string) (*goja.Program, error) {
	p := jsPrograms[file]
	if p == nil {
		return nil, fmt.Errorf("isolate: no global entry for %s", file)
	}
	p.once.Do(func() {
		src, err := jsFiles.ReadFile("js/" + file)
		if err != nil {
			p.err = fmt.Errorf("isolate: global %s: %w", file, err)
			return
		}
		ast, err := goja.Parse("edgefn:"+file, string(src), parser.WithDisableSourceMaps)
		if err != nil {
			p.err = fmt.Errorf("isolate: global %s: %w", file, err)
			return
		}
		if p.prg, err = goja.CompileAST(ast, true); err != nil {
			p.err = fmt.Errorf("isolate: global %s: %w", file, err)
		}
	})
	return p.prg, p.err
}

// lazyIndex maps each global name to its entry in globals.
var lazyIndex = map[string]int{}

// installGlobals gives a fresh runtime its eager globals and makes the rest
// reachable lazily: a runtime costs what it uses, not all of the platform.
func installGlobals(in *instance) error {
	in.installed = make([]bool, len(globals))
	for i, g := range globals {
		if g.eager {
			if err := in.installGlobal(i); err != nil {
				return err
			}
		}
	}
	// The global object's prototype serves the names not installed yet:
	// a lookup that misses globalThis's own properties reaches it, installs
	// the global (which defines the real own property) and returns it.
	lazy := in.vm.NewDynamicObject(lazyGlobals{in})
	return in.vm.GlobalObject().SetPrototype(lazy)
}

// installGlobal installs globals[i] (once): its natives, then its JS.
func (in *instance) installGlobal(i int) error {
	if in.installed[i] {
		return nil
	}
	in.installed[i] = true
	g := globals[i]
	// Installing the platform is not the script's CPU time: a first use of
	// streams in a request must not spend its budget compiling streams.js.
	defer in.pauseCPU()()
	if g.native != nil {
		if err := g.native(in); err != nil {
			return fmt.Errorf("isolate: install %v: %w", g.names, err)
		}
	}
	if g.js != "" {
		if err := in.runGlobalJS(g); err != nil {
			return err
		}
	}
	in.nInstalled++
	return nil
}

// platformProto returns the class name when p is the prototype of a class
// an installed global defines (structuredClone refuses their instances;
// console shows them through their getters). The table is built on first
// use, and again after more globals were installed; a class is found
// through internal (where natives and most JS globals register it), else
// the global of that name.
func (in *instance) platformProto(p *goja.Object) (string, bool) {
	if in.platformProtos == nil || in.protosAt != in.nInstalled {
		in.platformProtos = map[*goja.Object]string{}
		in.protosAt = in.nInstalled
		for i, g := range globals {
			if !in.installed[i] {
				continue
			}
			for _, name := range g.names {
				v := in.internal.Get(name)
				if v == nil || goja.IsUndefined(v) {
					v = in.vm.GlobalObject().Get(name)
				}
				if ctor, ok := v.(*goja.Object); ok {
					if proto, ok := ctor.Get("prototype").(*goja.Object); ok {
						in.platformProtos[proto] = name
					}
				}
			}
		}
	}
	name, ok := in.platformProtos[p]
	return name, ok
}

// runGlobalJS runs a global's JS file with the internal object.
func (in *instance) runGlobalJS(g global) error {
	prg, err := compileJS(g.js)
	if err != nil {
		return err
	}
	v, err := in.vm.RunProgram(prg)
	if err != nil {
		return fmt.Errorf("isolate: install %s: %w", g.js, err)
	}
	fn, ok := goja.AssertFunction(v)
	if !ok {
		return fmt.Errorf("isolate: install %s: the file does not evaluate to a function", g.js)
	}
	if _, err := fn(goja.Undefined(), in.internal); err != nil {
		return fmt.Errorf("isolate: install %s: %w", g.js, err)
	}
	return nil
}

// installJS installs the (name-less) entry whose JS file is file.
func (in *instance) installJS(file string) error {
	for i, g := range globals {
		if g.js == file {
			return in.installGlobal(i)
		}
	}
	return fmt.Errorf("isolate: no global entry for %s", file)
}

// ensure installs the global that defines name (natives that need another
// global's prototype call it).
func (in *instance) ensure(name string) {
	if i, ok := lazyIndex[name]; ok {
		if err := in.installGlobal(i); err != nil {
			panic(err)
		}
	}
}

// lazyGlobals is the global object's prototype: it owns no properties of
// its own and installs a global the first time a script looks it up.
type lazyGlobals struct{ in *instance }

func (l lazyGlobals) Get(name string) goja.Value {
	i, ok := lazyIndex[name]
	if !ok || l.in.installed[i] {
		return nil
	}
	if err := l.in.installGlobal(i); err != nil {
		panic(l.in.vm.NewGoError(err))
	}
	return l.in.vm.GlobalObject().Get(name)
}

func (l lazyGlobals) Has(name string) bool {
	i, ok := lazyIndex[name]
	return ok && !l.in.installed[i]
}

func (l lazyGlobals) Set(string, goja.Value) bool { return false }
func (l lazyGlobals) Delete(string) bool          { return true }
func (l lazyGlobals) Keys() []string              { return nil }

// GlobalNames lists every global edgefn adds to the JS language's own.
func GlobalNames() []string {
	var out []string
	for _, g := range globals {
		out = append(out, g.names...)
	}
	return out
}
