package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"time"

	"github.com/edgefn/edgefn/edge"
	"github.com/edgefn/edgefn/isolate"
	"github.com/edgefn/edgefn/kv"
)

func init() {
	register(&command{
		name:    "dev",
		usage:   "edgefn dev PATH [--listen 127.0.0.1:8787] [--data DIR]",
		summary: "serve a handler locally, rebuilding it on every change",
		long: `PATH is a .js, .mjs or .ts file, or a project directory: an index.ts/index.js/index.mjs
(or the main named in its edgefn.toml), Vercel-style file routes under api/
(api/users/[id].ts serves /api/users/42) and static files under public/.
The handler serves every path no route or file claims. It may be a Workers module (export default { fetch }),
a Vercel/Netlify function (export default function (request)), Next.js route handlers
(export function GET), or a service worker (addEventListener('fetch', ...)).
Sources, edgefn.toml and .dev.vars are watched: a change rebuilds and swaps the code and
everything the manifest says (bindings, vars, crons, queues, routes, limits, fetch policy)
without failing a request; a build or manifest error is printed (with the file, line and
key) and the previous version keeps serving.

The project runs as ` + "`edgefn serve`" + ` would run it: its KV namespaces, queues (with retries and
dead-letter queues) and crons work, kept in a local data directory (--data, default .edgefn
beside edgefn.toml, opened when the project first uses them; ` + "`edgefn kv ... --data DIR`" + ` reads it
while dev is stopped). Crons fire on
their schedule, and by hand: GET /__scheduled?cron=SPEC. Secrets come from .dev.vars
(KEY=value lines) beside edgefn.toml. Unlike serve, an uncaught exception's message and
stack are shown in the 500 response.`,
		run: runDev,
	})
}

func runDev(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	c := commands["dev"]
	fs := flag.NewFlagSet("dev", flag.ContinueOnError)
	listen := fs.String("listen", "127.0.0.1:8787", "address to serve on")
	logLevel := fs.String("log-level", "info", "log level: debug, info, warn, error")
	logFormat := fs.String("log-format", "text", "log format: text or json")
	cpu := fs.Duration("cpu-limit", 0, "CPU time limit per request (default 50ms)")
	wall := fs.Duration("wall-limit", 0, "wall time limit per request (default 30s)")
	memory := fs.Int64("memory-limit-mb", 0, "memory limit per request in MiB (default 128)")
	accessLog := fs.Bool("access-log", true, "log one line per request")
	pprofAddr := fs.String("pprof", "", "serve Go's pprof profiles on this address (for profiling edgefn itself)")
	dataDir := fs.String("data", "", "local data directory for KV, queues and cron leases (default: .edgefn in the project's directory)")
	pos, code, ok := parseFlags(fs, c, args, stderr)
	if !ok {
		return code
	}
	if len(pos) != 1 {
		fmt.Fprintf(stderr, "edgefn dev: expected one PATH (a .js/.ts file or a directory), got %d\nusage: %s\n", len(pos), c.usage)
		return exitUsage
	}
	log, err := newLogger(stderr, *logLevel, *logFormat)
	if err != nil {
		fmt.Fprintf(stderr, "edgefn dev: %v\n", err)
		return exitUsage
	}
	tuneGC(0)
	if *pprofAddr != "" {
		if err := startPprof(*pprofAddr, log); err != nil {
			fmt.Fprintf(stderr, "edgefn dev: --pprof: %v\n", err)
			return exitUsage
		}
	}
	isolate.SetGuardLogger(log.With("component", "isolate"))
	entry := pos[0]
	project, err := edge.LoadProject(entry)
	if err != nil {
		fmt.Fprintf(stderr, "edgefn dev: %v\n", err)
		return exitError
	}
	// The store is opened when a build first needs it (the project binds
	// KV or queues or has crons, at start or after an edit of edgefn.toml):
	// a plain handler starts without Badger's start-up cost.
	if *dataDir == "" {
		*dataDir = filepath.Join(project.Dir, ".edgefn")
	}
	var store *kv.Store
	openDevStore := func() (*edge.KVStore, error) {
		if err := os.MkdirAll(*dataDir, 0o700); err != nil {
			return nil, fmt.Errorf("data directory: %w", err)
		}
		s, err := openStore(*dataDir, "dev", kv.DurabilityProcess, log)
		if err != nil {
			return nil, err
		}
		store = s
		return edge.NewKVStore(s), nil
	}
	// Dev has returned (its platform stopped) before this runs.
	defer func() {
		if store != nil {
			store.Close()
		}
	}()
	cfg := edge.DefaultConfig()
	cfg.Listen = *listen
	cfg.Logger = log
	cfg.ExposeErrors = true
	cfg.DevEndpoints = true
	cfg.AccessLog = *accessLog
	cfg.ShutdownTimeout = 10 * time.Second
	cfg.Pool.Limits.CPUTime = *cpu
	cfg.Pool.Limits.WallTime = *wall
	cfg.Pool.Limits.MemoryLimit = *memory << 20
	cfg.Pool.UserAgent = "edgefn/" + buildVersion()
	node, err := edge.NewNode(cfg)
	if err != nil {
		fmt.Fprintf(stderr, "edgefn dev: %v\n", err)
		return exitError
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	devErr := make(chan error, 1)
	first := true
	var last *edge.BuildEvent
	go func() {
		devErr <- node.Dev(ctx, edge.DevConfig{Entry: entry, OpenStore: openDevStore, OnBuild: func(ev edge.BuildEvent) {
			printBuild(stderr, ev, last, *listen, *dataDir, first)
			if ev.Err == nil {
				first = false
				last = &ev
			}
		}})
	}()
	err = node.Serve(ctx)
	cancel()
	if derr := <-devErr; derr != nil && err == nil && !errors.Is(derr, context.Canceled) {
		err = derr
	}
	if err != nil {
		fmt.Fprintf(stderr, "edgefn dev: %v\n", err)
		return exitError
	}
	return exitOK
}

// printBuild reports a build the way a developer wants to read it. prev is
// the last good build (nil before one): when the manifest or .dev.vars
// changed since, the bindings are listed again.
func printBuild(w io.Writer, ev edge.BuildEvent, prev *edge.BuildEvent, listen, data string, first bool) {
	took := ev.Took.Round(time.Millisecond)
	switch {
	case ev.Err != nil && first:
		fmt.Fprintf(w, "✘ %v\n  waiting for a change to rebuild...\n", ev.Err)
	case ev.Err != nil:
		fmt.Fprintf(w, "✘ %v\n  the previous code keeps serving; waiting for a change...\n", ev.Err)
	case first:
		fmt.Fprintf(w, "✓ built in %v; serving http://%s\n", took, listen)
		printDevBindings(w, ev, listen, data)
	default:
		fmt.Fprintf(w, "↻ %s changed: rebuilt and swapped in %v\n", filepath.Base(ev.Changed), took)
		if prev != nil && ev.Manifest != nil && prev.Manifest != nil &&
			(!reflect.DeepEqual(*ev.Manifest, *prev.Manifest) || !slices.Equal(ev.Secrets, prev.Secrets)) {
			printDevBindings(w, ev, listen, data)
		}
	}
}

// printDevBindings lists what the handler is given and how to reach it.
func printDevBindings(w io.Writer, ev edge.BuildEvent, listen, data string) {
	if ev.Manifest == nil {
		return
	}
	m := ev.Manifest
	for _, b := range m.KV {
		fmt.Fprintf(w, "  env.%s: KV namespace %q (data in %s)\n", b.Binding, b.Namespace, data)
	}
	for _, q := range m.Queues.Producers {
		fmt.Fprintf(w, "  env.%s: queue %q\n", q.Binding, q.Queue)
	}
	for _, s := range m.Services {
		fmt.Fprintf(w, "  env.%s: service %q (only %s itself is served by dev)\n", s.Binding, s.Service, m.Name)
	}
	if len(ev.Secrets) > 0 {
		fmt.Fprintf(w, "  secrets from %s: %s\n", edge.DevVarsFile, strings.Join(ev.Secrets, ", "))
	}
	for _, c := range m.Triggers.Crons {
		fmt.Fprintf(w, "  cron %q: fires on schedule; now: curl 'http://%s/__scheduled?cron=%s'\n", c, listen, url.QueryEscape(c))
	}
}
