package isolate

import (
	"encoding/base64"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"time"

	"github.com/dop251/goja"
	"github.com/dop251/goja/ast"
	"github.com/dop251/goja/parser"
)

// Shape is the form of request handler a script exports.
type Shape int

// The handler shapes edgefn accepts.
const (
	// ShapeModule: `export default { fetch(request, env, ctx) }` (Workers).
	ShapeModule Shape = iota + 1
	// ShapeFunction: `export default function (request, context)` (Vercel
	// Edge, Netlify).
	ShapeFunction
	// ShapeRoutes: `export function GET(request)`, POST... (Next.js route
	// handlers).
	ShapeRoutes
	// ShapeServiceWorker: `addEventListener('fetch', e => e.respondWith())`.
	ShapeServiceWorker
	// ShapeRouter: a project's file routes, each a module of one of the
	// other shapes, chosen by Request.Route (the bundle exports
	// __edgefn_routes).
	ShapeRouter
)

func (s Shape) String() string {
	switch s {
	case ShapeModule:
		return "module"
	case ShapeFunction:
		return "function"
	case ShapeRoutes:
		return "routes"
	case ShapeServiceWorker:
		return "service-worker"
	case ShapeRouter:
		return "router"
	}
	return "none"
}

// acceptedShapes is the text of the error for a script with no handler.
const acceptedShapes = "export one of: `export default { fetch(request, env, ctx) {...} }` (Workers), " +
	"`export default function (request, context) {...}` (Vercel Edge / Netlify), " +
	"`export function GET(request) {...}` and other methods (Next.js route handlers), " +
	"or call `addEventListener('fetch', event => event.respondWith(...))` (service worker)"

// routeMethods are the methods a route-handler script may export.
var routeMethods = []string{"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"}

// Script is user code compiled once and shared by every runtime that runs
// it. It is immutable and safe for concurrent use.
type Script struct {
	name    string
	program *goja.Program
	shape   Shape
	methods []string // ShapeRoutes: exported methods
	routes  []string // ShapeRouter: route ids
	hasCron bool     // the module exports scheduled()
	hasQ    bool     // the module exports queue()
	// The builtin fixes a runtime of this script needs (see
	// installBuiltinFixes): found by looking for the names in its source,
	// so a script that never mentions them does not pay for them.
	usesLocale    bool // toLocale*String, localeCompare
	usesAsyncIter bool // Symbol.asyncIterator
	usesFrom      bool // Uint8Array.from and the like
}

// Name is the script's display name.
func (s *Script) Name() string { return s.name }

// Shape is the handler shape found when the script was loaded.
func (s *Script) Shape() Shape { return s.shape }

// Methods lists the methods a route-handler script exports.
func (s *Script) Methods() []string { return append([]string(nil), s.methods...) }

// Routes lists the route ids of a router script (a project's file routes).
func (s *Script) Routes() []string { return append([]string(nil), s.routes...) }

// HasScheduled reports whether a module script exports scheduled().
func (s *Script) HasScheduled() bool { return s.hasCron }

// HasQueue reports whether a module script exports queue().
func (s *Script) HasQueue() bool { return s.hasQ }

// CompileError is a syntax error in a script, positioned in the user's
// sources when a source map is available.
type CompileError struct {
	Message
}

func (e *CompileError) Error() string { return "syntax error: " + e.Message.String() }

// probeCPUTime bounds the global scope of the scratch runtime Load runs:
// Workers' start-up limit, eight times a request's default budget.
const probeCPUTime = 400 * time.Millisecond

// Load compiles a bundle and runs it once in a scratch runtime to find its
// handler. It fails with a CompileError for code goja cannot parse, an error
// wrapping ErrNoHandler when no accepted handler shape is exported, and the
// exception when the script throws at global scope.
func Load(b *Bundle) (*Script, error) {
	return LoadSource(b.Name, b.Code, b.SourceMap)
}

// LoadSource is Load for a script already bundled elsewhere (a deployment
// uploaded by `edgefn deploy`): code as Build produced it, and its source map
// (may be nil).
func LoadSource(name, code string, sourceMap []byte) (*Script, error) {
	src := code // the source map is not looked at for the builtins it uses
	if i := strings.LastIndex(src, "//# sourceMappingURL="); i >= 0 {
		src = src[:i]
	}
	if sourceMap != nil {
		code = stripSourceMapComment(code) + "\n//# sourceMappingURL=data:application/json;base64," +
			base64.StdEncoding.EncodeToString(sourceMap) + "\n"
	}
	// The loader refuses every URL: the only map a script may use is the
	// inline one above, never a file named by user code.
	parse := func(code string) (*ast.Program, error) {
		return parser.ParseFile(nil, name, code, 0, parser.WithSourceMapLoader(func(string) ([]byte, error) {
			return nil, errors.New("external source maps are not loaded")
		}))
	}
	prog, err := parse(code)
	if err != nil {
		// Only then look for goja's class-field bug: parsing a large bundle
		// twice would double its load time.
		if fixed := quoteAccessorFields(name, code); fixed != code {
			prog, err = parse(fixed)
		}
	}
	if err != nil {
		return nil, compileError(name, err)
	}
	prg, err := goja.CompileAST(prog, false)
	if err != nil {
		return nil, compileError(name, err)
	}
	s := &Script{name: name, program: prg,
		usesLocale:    strings.Contains(src, "toLocale") || strings.Contains(src, "localeCompare"),
		usesAsyncIter: strings.Contains(src, "asyncIterator"),
		usesFrom:      strings.Contains(src, ".from("),
	}
	// The probe only learns the handler's shape; its global scope gets a
	// start-up budget rather than a request's, so that a busy machine (CPU
	// time is measured as the wall time of turns) does not refuse a good
	// script. A runaway global scope is still stopped.
	limits := DefaultLimits()
	limits.CPUTime = probeCPUTime
	probe, err := newInstance(s, nil, &PoolConfig{Limits: limits}, slog.New(slog.DiscardHandler))
	if err != nil {
		return nil, err
	}
	probe.stopTimers()
	s.shape = probe.handler.shape()
	if rh, ok := probe.handler.(*routesHandler); ok {
		s.methods = rh.allow
	}
	if mh, ok := probe.handler.(*moduleHandler); ok {
		s.hasCron = mh.scheduled != nil
		s.hasQ = mh.queue != nil
	}
	if rh, ok := probe.handler.(*routerHandler); ok {
		for id := range rh.routes {
			s.routes = append(s.routes, id)
		}
		slices.Sort(s.routes)
	}
	return s, nil
}

// quoteAccessorFields works around upstream goja's parser, which reads a
// class field named get or set (`get = (k) => ...`, as Hono declares) as the
// start of an accessor and fails with "Unexpected token =". edgefn's copy of
// goja parses these (isolate/third_party/goja, patch 5), so this runs only
// after a parse failed, for an upstream goja. Where goja reports exactly that
// error right after a bare get/set, the name is quoted ("get" = ...), which
// means the same and parses. Nothing is changed where goja would not fail,
// and the loop stops at the first other error.
func quoteAccessorFields(name, code string) string {
	for range 256 {
		_, err := parser.ParseFile(nil, name, code, 0, parser.WithDisableSourceMaps)
		var el parser.ErrorList
		if err == nil || !errors.As(err, &el) || len(el) == 0 {
			return code
		}
		e := el[0]
		if !strings.HasPrefix(e.Message, "Unexpected token") {
			return code
		}
		tok := strings.TrimSpace(strings.TrimPrefix(e.Message, "Unexpected token"))
		if tok != "=" && tok != ";" && tok != "}" {
			return code
		}
		// goja reports the position at or just after the token.
		off := lineColOffset(code, e.Position.Line, e.Position.Column)
		if off < 0 || off > len(code) {
			return code
		}
		j := strings.LastIndex(code[max(0, off-4):min(len(code), off+1)], tok)
		if j < 0 {
			return code
		}
		j += max(0, off-4)
		for j > 0 && (code[j-1] == ' ' || code[j-1] == '\t' || code[j-1] == '\n' || code[j-1] == '\r') {
			j--
		}
		if j < 3 || (code[j-3:j] != "get" && code[j-3:j] != "set") || (j > 3 && isIdentByte(code[j-4])) {
			return code
		}
		code = code[:j-3] + `"` + code[j-3:j] + `"` + code[j:]
	}
	return code
}

func isIdentByte(c byte) bool {
	return c == '_' || c == '$' || c == '#' || c == '.' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c >= 0x80
}

// lineColOffset converts a 1-based line and column into a byte offset.
func lineColOffset(code string, line, col int) int {
	off := 0
	for l := 1; l < line; l++ {
		i := strings.IndexByte(code[off:], '\n')
		if i < 0 {
			return -1
		}
		off += i + 1
	}
	return off + col - 1
}

func stripSourceMapComment(code string) string {
	if i := strings.LastIndex(code, "//# sourceMappingURL="); i >= 0 && !strings.Contains(code[i:], "\n\n") {
		return code[:i]
	}
	return code
}

func compileError(name string, err error) error {
	var pe parser.ErrorList
	if errors.As(err, &pe) && len(pe) > 0 {
		e := pe[0]
		return &CompileError{Message{File: e.Position.Filename, Line: e.Position.Line, Column: e.Position.Column, Text: e.Message}}
	}
	var ce *goja.CompilerSyntaxError
	if errors.As(err, &ce) {
		if ce.File == nil {
			return &CompileError{Message{File: name, Text: ce.Message}}
		}
		pos := ce.File.Position(ce.Offset)
		return &CompileError{Message{File: pos.Filename, Line: pos.Line, Column: pos.Column, Text: ce.Message}}
	}
	if errors.As(err, &pe) && len(pe) > 0 {
		e := pe[0]
		return &CompileError{Message{File: e.Position.Filename, Line: e.Position.Line, Column: e.Position.Column, Text: e.Message}}
	}
	return fmt.Errorf("isolate: compile %s: %w", name, err)
}
