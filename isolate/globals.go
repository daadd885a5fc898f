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
}

// globals is the one list of what every runtime gets, in install order.
var globals = []global{
	{names: nil, native: installInternal, js: "internal.js"},
	{names: nil, native: installGuard, js: "guard.js"},
	{names: []string{"console"}, native: installConsole},
	{names: []string{"setTimeout", "clearTimeout", "setInterval", "clearInterval"}, native: installTimers},
	{names: []string{"queueMicrotask"}, native: installQueueMicrotask},
	{names: nil, native: installContext},
	{names: []string{"URL", "URLSearchParams"}, native: installURL},
	{names: []string{"Headers"}, native: installHeaders},
	{names: []string{"Request"}, native: installRequest},
	{names: []string{"Response"}, native: installResponse},
	{names: []string{"addEventListener", "removeEventListener", "FetchEvent"}, native: installServiceWorker, js: "serviceworker.js"},
	{names: []string{"process"}, native: installProcess},
}

//go:embed js/*.js
var jsFiles embed.FS

var (
	compileGlobalsOnce sync.Once
	globalPrograms     map[string]*goja.Program
	globalsErr         error
)

// compileGlobals compiles every global's JS once per process; every runtime
// shares the programs.
func compileGlobals() (map[string]*goja.Program, error) {
	compileGlobalsOnce.Do(func() {
		globalPrograms = make(map[string]*goja.Program)
		for _, g := range globals {
			if g.js == "" {
				continue
			}
			src, err := jsFiles.ReadFile("js/" + g.js)
			if err != nil {
				globalsErr = fmt.Errorf("isolate: global %s: %w", g.js, err)
				return
			}
			ast, err := goja.Parse("edgefn:"+g.js, string(src), parser.WithDisableSourceMaps)
			if err != nil {
				globalsErr = fmt.Errorf("isolate: global %s: %w", g.js, err)
				return
			}
			prg, err := goja.CompileAST(ast, true)
			if err != nil {
				globalsErr = fmt.Errorf("isolate: global %s: %w", g.js, err)
				return
			}
			globalPrograms[g.js] = prg
		}
	})
	return globalPrograms, globalsErr
}

// installGlobals gives a fresh runtime every global, in list order.
func installGlobals(in *instance) error {
	progs, err := compileGlobals()
	if err != nil {
		return err
	}
	for _, g := range globals {
		if g.native != nil {
			if err := g.native(in); err != nil {
				return fmt.Errorf("isolate: install %v: %w", g.names, err)
			}
		}
		if g.js == "" {
			continue
		}
		v, err := in.vm.RunProgram(progs[g.js])
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
	}
	return nil
}

// GlobalNames lists every global edgefn adds to the JS language's own.
func GlobalNames() []string {
	var out []string
	for _, g := range globals {
		out = append(out, g.names...)
	}
	return out
}
