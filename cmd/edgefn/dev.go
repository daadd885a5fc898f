package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"path/filepath"
	"time"

	"github.com/edgefn/edgefn/edge"
	"github.com/edgefn/edgefn/isolate"
)

func init() {
	register(&command{
		name:    "dev",
		usage:   "edgefn dev PATH [--listen 127.0.0.1:8787]",
		summary: "serve a handler locally, rebuilding it on every change",
		long: `PATH is a .js, .mjs or .ts file, or a project directory: an index.ts/index.js/index.mjs
(or the main named in its edgefn.toml), Vercel-style file routes under api/
(api/users/[id].ts serves /api/users/42) and static files under public/.
The handler serves every path no route or file claims. It may be a Workers module (export default { fetch }),
a Vercel/Netlify function (export default function (request)), Next.js route handlers
(export function GET), or a service worker (addEventListener('fetch', ...)).
Sources are watched: a change rebuilds and swaps the code without failing a request;
a build error is printed and the previous code keeps serving.`,
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
	tuneGC()
	if *pprofAddr != "" {
		if err := startPprof(*pprofAddr, log); err != nil {
			fmt.Fprintf(stderr, "edgefn dev: --pprof: %v\n", err)
			return exitUsage
		}
	}
	isolate.SetGuardLogger(log.With("component", "isolate"))
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
	entry := pos[0]
	if _, err := edge.LoadProject(entry); err != nil {
		fmt.Fprintf(stderr, "edgefn dev: %v\n", err)
		return exitError
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	devErr := make(chan error, 1)
	first := true
	go func() {
		devErr <- node.Dev(ctx, edge.DevConfig{Entry: entry, OnBuild: func(ev edge.BuildEvent) {
			printBuild(stderr, ev, *listen, first)
			if ev.Err == nil {
				first = false
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

// printBuild reports a build the way a developer wants to read it.
func printBuild(w io.Writer, ev edge.BuildEvent, listen string, first bool) {
	took := ev.Took.Round(time.Millisecond)
	switch {
	case ev.Err != nil && first:
		fmt.Fprintf(w, "✘ %v\n  waiting for a change to rebuild...\n", ev.Err)
	case ev.Err != nil:
		fmt.Fprintf(w, "✘ %v\n  the previous code keeps serving; waiting for a change...\n", ev.Err)
	case first:
		fmt.Fprintf(w, "✓ built in %v; serving http://%s\n", took, listen)
	default:
		fmt.Fprintf(w, "↻ %s changed: rebuilt and swapped in %v\n", filepath.Base(ev.Changed), took)
	}
}
