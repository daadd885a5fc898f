package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/edgefn/edgefn/edge"
)

func init() {
	register(&command{
		name:    "tail",
		usage:   "edgefn tail NAME [--status 5xx] [--method GET] [--sample 0.1] [--json] [--server URL] [--token T]",
		summary: "stream a deployment's live requests, console output and exceptions",
		run:     runTail,
	})
}

func runTail(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	c := commands["tail"]
	fs := flag.NewFlagSet("tail", flag.ContinueOnError)
	cf := addClientFlags(fs)
	status := fs.String("status", "", "only requests with this status (500) or class (5xx)")
	method := fs.String("method", "", "only requests with this method")
	sample := fs.Float64("sample", 0, "keep this fraction of requests (0 < f <= 1)")
	name, code, ok := oneName(fs, c, args, stderr)
	if !ok {
		return code
	}
	f := edge.TailFilter{Deployment: name, Status: *status, Method: *method, Sample: *sample}
	fmt.Fprintf(stderr, "tailing %s (Ctrl-C to stop)\n", name)
	err := cf.client().Tail(ctx, f, func(ev edge.TailEvent) {
		if *cf.json {
			printJSON(stdout, ev)
			return
		}
		fmt.Fprintln(stdout, formatTail(ev))
	})
	if err != nil {
		return fail(stderr, "tail", err)
	}
	return exitOK
}

// formatTail renders an event on one line (a stack, if any, below it).
func formatTail(ev edge.TailEvent) string {
	ts := ev.Time.Local().Format("15:04:05.000")
	node := ev.Node
	if node == "" {
		node = "-"
	}
	switch ev.Type {
	case "request":
		return fmt.Sprintf("%s %s %s %s %d %.1fms [%s]", ts, node, ev.Method, ev.URL, ev.Status, ev.DurationMs, ev.RequestID)
	case "exception":
		s := fmt.Sprintf("%s %s EXCEPTION %s [%s]", ts, node, ev.Message, ev.RequestID)
		if ev.Stack != "" && !strings.Contains(ev.Message, ev.Stack) {
			s += "\n  " + strings.ReplaceAll(strings.TrimSpace(ev.Stack), "\n", "\n  ")
		}
		return s
	}
	return fmt.Sprintf("%s %s %-5s %s [%s]", ts, node, ev.Level, ev.Message, ev.RequestID)
}
