package isolate

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/evanw/esbuild/pkg/api"
)

// moduleGlobal is the name under which the bundle's exports are reachable
// after the script has run (esbuild's IIFE global name).
const moduleGlobal = "__edgefn_module"

// entryNames are tried, in order, when the entry given is a directory.
var entryNames = []string{"index.ts", "index.tsx", "index.js", "index.mjs", "index.jsx"}

// entryExts are the file extensions accepted as an entry.
var entryExts = map[string]bool{".ts": true, ".tsx": true, ".js": true, ".mjs": true, ".jsx": true, ".mts": true}

// ErrNoEntry is returned when the entry path does not name a handler source.
var ErrNoEntry = errors.New("isolate: no entry file")

// ResolveEntry turns a path given by a user into the entry file to bundle:
// a .js, .mjs, .ts (or .tsx/.jsx) file, or a directory holding an index file.
func ResolveEntry(path string) (string, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return "", fmt.Errorf("isolate: entry %q: %w", path, err)
	}
	fi, err := os.Stat(abs)
	if err != nil {
		if os.IsNotExist(err) {
			return "", fmt.Errorf("%w: %s does not exist", ErrNoEntry, path)
		}
		return "", fmt.Errorf("isolate: entry %q: %w", path, err)
	}
	if !fi.IsDir() {
		if !entryExts[filepath.Ext(abs)] {
			return "", fmt.Errorf("%w: %s is not a .js, .mjs or .ts file", ErrNoEntry, path)
		}
		return abs, nil
	}
	for _, name := range entryNames {
		p := filepath.Join(abs, name)
		if fi, err := os.Stat(p); err == nil && !fi.IsDir() {
			return p, nil
		}
	}
	return "", fmt.Errorf("%w: directory %s has no %s", ErrNoEntry, path, strings.Join(entryNames, ", "))
}

// BuildOptions configures Build.
type BuildOptions struct {
	// Entry is the entry file (see ResolveEntry).
	Entry string
	// NodeEnv is the value of process.env.NODE_ENV in the bundle:
	// "development" for `edgefn dev`, "production" otherwise.
	NodeEnv string
	// Define adds esbuild defines (identifier -> JS expression).
	Define map[string]string
	// Minify shrinks identifiers and whitespace (off for dev builds).
	Minify bool
	// Source, when set, is the entry's contents (a generated entry, such
	// as a project's route table); Entry then names a file that need not
	// exist, whose directory imports resolve from.
	Source string
}

// Bundle is one self-contained script built from a user's sources.
type Bundle struct {
	// Name is the display name of the entry (its path).
	Name string
	// Code is a classic script; after it runs, the module's exports are
	// reachable as the global moduleGlobal.
	Code string
	// SourceMap maps Code back to the user's files (source map v3 JSON).
	SourceMap []byte
	// Inputs lists the absolute paths of every file the bundle was built
	// from, for watchers.
	Inputs []string
	// Warnings are esbuild's warnings, formatted like errors.
	Warnings []Message
}

// Message is one diagnostic with its position in the user's sources.
type Message struct {
	File     string `json:"file,omitempty"`
	Line     int    `json:"line,omitempty"`   // 1-based
	Column   int    `json:"column,omitempty"` // 1-based
	Text     string `json:"text"`
	LineText string `json:"lineText,omitempty"`
}

func (m Message) String() string {
	if m.File == "" {
		return m.Text
	}
	return fmt.Sprintf("%s:%d:%d: %s", m.File, m.Line, m.Column, m.Text)
}

// BuildError is returned when bundling fails; it lists every error found.
type BuildError struct {
	Messages []Message
}

func (e *BuildError) Error() string {
	var b strings.Builder
	b.WriteString("build failed:")
	for _, m := range e.Messages {
		b.WriteString("\n  ")
		b.WriteString(m.String())
		if m.LineText != "" {
			b.WriteString("\n      ")
			b.WriteString(strings.TrimRight(m.LineText, "\r\n"))
		}
	}
	return b.String()
}

// esbuildSupported lowers the syntax goja does not run, and nothing else:
// goja has no async generators or for-await. Class fields stay native:
// lowering them would turn every private field into a WeakMap lookup (Hono's
// per-request Context costs 40% more). goja's one class-field bug, fields
// named get or set, is fixed in edgefn's copy of goja (isolate/third_party/goja;
// quoteAccessorFields repairs it for an upstream goja).
var esbuildSupported = map[string]bool{
	"async-generator": false,
	"for-await":       false,
}

// nodeBuiltins are the Node.js core modules; imports of them get a hint.
var nodeBuiltins = map[string]bool{
	"assert": true, "async_hooks": true, "buffer": true, "child_process": true, "cluster": true,
	"crypto": true, "dgram": true, "dns": true, "events": true, "fs": true, "fs/promises": true,
	"http": true, "http2": true, "https": true, "net": true, "os": true, "path": true,
	"perf_hooks": true, "process": true, "querystring": true, "readline": true, "stream": true,
	"string_decoder": true, "timers": true, "tls": true, "tty": true, "url": true, "util": true,
	"v8": true, "vm": true, "worker_threads": true, "zlib": true,
}

// Build bundles the entry and everything it imports (TypeScript, ESM,
// JSON, npm packages from node_modules) into one script goja runs.
func Build(opts BuildOptions) (*Bundle, error) {
	var entry string
	var err error
	if opts.Source != "" {
		entry, err = filepath.Abs(opts.Entry)
	} else {
		entry, err = ResolveEntry(opts.Entry)
	}
	if err != nil {
		return nil, err
	}
	nodeEnv := opts.NodeEnv
	if nodeEnv == "" {
		nodeEnv = "production"
	}
	define := map[string]string{"process.env.NODE_ENV": fmt.Sprintf("%q", nodeEnv)}
	for k, v := range opts.Define {
		define[k] = v
	}
	dir := filepath.Dir(entry)
	var stdin *api.StdinOptions
	entryPoints := []string{entry}
	if opts.Source != "" {
		stdin = &api.StdinOptions{Contents: opts.Source, ResolveDir: dir, Sourcefile: filepath.Base(entry), Loader: api.LoaderTS}
		entryPoints = nil
	}
	res := api.Build(api.BuildOptions{
		EntryPoints:    entryPoints,
		Stdin:          stdin,
		AbsWorkingDir:  dir,
		Bundle:         true,
		Write:          false,
		Outfile:        filepath.Join(dir, "bundle.js"),
		Format:         api.FormatIIFE,
		GlobalName:     moduleGlobal,
		Platform:       api.PlatformNeutral,
		Target:         api.ESNext,
		Supported:      esbuildSupported,
		MainFields:     []string{"browser", "module", "main"},
		Conditions:     []string{"edgefn", "workerd", "worker", "edge-light", "browser"},
		Define:         define,
		Sourcemap:      api.SourceMapExternal,
		SourcesContent: api.SourcesContentExclude,
		Metafile:       true,
		LogLevel:       api.LogLevelSilent,
		Charset:        api.CharsetUTF8,
		Loader: map[string]api.Loader{
			".json": api.LoaderJSON, ".txt": api.LoaderText, ".html": api.LoaderText,
			".wasm": api.LoaderBinary, ".bin": api.LoaderBinary,
		},
		MinifyWhitespace:  opts.Minify,
		MinifyIdentifiers: opts.Minify,
		MinifySyntax:      opts.Minify,
	})
	if len(res.Errors) > 0 {
		return nil, &BuildError{Messages: convertMessages(res.Errors, dir)}
	}
	b := &Bundle{Name: entry, Warnings: convertMessages(res.Warnings, dir)}
	for _, f := range res.OutputFiles {
		switch {
		case strings.HasSuffix(f.Path, ".map"):
			b.SourceMap = f.Contents
		case strings.HasSuffix(f.Path, ".js"):
			b.Code = string(f.Contents)
		}
	}
	if b.Code == "" {
		return nil, fmt.Errorf("isolate: build %s: esbuild produced no script", entry)
	}
	b.Inputs = metafileInputs(res.Metafile, dir)
	return b, nil
}

func convertMessages(msgs []api.Message, dir string) []Message {
	out := make([]Message, 0, len(msgs))
	for _, m := range msgs {
		cm := Message{Text: m.Text}
		if m.Location != nil {
			cm.File = m.Location.File
			if cm.File != "" && !filepath.IsAbs(cm.File) {
				cm.File = filepath.Join(dir, cm.File)
			}
			cm.Line = m.Location.Line
			cm.Column = m.Location.Column + 1
			cm.LineText = m.Location.LineText
		}
		if mod, ok := strings.CutPrefix(m.Text, `Could not resolve "`); ok {
			mod = strings.TrimSuffix(mod, `"`)
			if nodeBuiltins[strings.TrimPrefix(mod, "node:")] {
				cm.Text = fmt.Sprintf("Could not resolve %q: Node.js built-in modules are not available in edgefn; use the Web APIs (fetch, crypto.subtle, streams, URL...) instead", mod)
			} else if !strings.HasPrefix(mod, ".") && !strings.HasPrefix(mod, "/") {
				cm.Text = fmt.Sprintf("Could not resolve %q: is the package installed in node_modules beside the entry?", mod)
			}
		}
		out = append(out, cm)
	}
	return out
}

// metafileInputs lists the absolute paths of the bundle's input files.
func metafileInputs(metafile, dir string) []string {
	var meta struct {
		Inputs map[string]json.RawMessage `json:"inputs"`
	}
	if err := json.Unmarshal([]byte(metafile), &meta); err != nil {
		return nil
	}
	out := make([]string, 0, len(meta.Inputs))
	for p := range meta.Inputs {
		if strings.Contains(p, ":") && !filepath.IsAbs(p) { // a namespace such as "data:" or a virtual module
			continue
		}
		if !filepath.IsAbs(p) {
			p = filepath.Join(dir, p)
		}
		out = append(out, p)
	}
	sort.Strings(out)
	return out
}
