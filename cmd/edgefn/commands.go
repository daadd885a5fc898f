package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"runtime/debug"
	"sort"
	"strings"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "dev"

// command is one subcommand: its usage, a one-line summary, long help and
// the function that runs it and returns the exit code.
type command struct {
	name    string
	usage   string
	summary string
	long    string
	run     func(ctx context.Context, args []string, stdout, stderr io.Writer) int
}

// Exit codes.
const (
	exitOK    = 0
	exitError = 1
	exitUsage = 2
)

var commands = map[string]*command{}

func register(c *command) { commands[c.name] = c }

func init() {
	register(&command{
		name: "version", usage: "edgefn version", summary: "print the version",
		run: func(_ context.Context, _ []string, stdout, _ io.Writer) int {
			fmt.Fprintf(stdout, "edgefn %s\n", buildVersion())
			return exitOK
		},
	})
	register(&command{
		name: "help", usage: "edgefn help [COMMAND]", summary: "show help for a command",
		run: func(_ context.Context, args []string, stdout, stderr io.Writer) int {
			if len(args) == 0 {
				printUsage(stdout)
				return exitOK
			}
			c := commands[args[0]]
			if c == nil {
				fmt.Fprintf(stderr, "edgefn: unknown command %q; run `edgefn help` for the list\n", args[0])
				return exitUsage
			}
			fmt.Fprintf(stdout, "usage: %s\n\n%s\n", c.usage, strings.TrimSpace(c.summary+"\n\n"+c.long))
			return exitOK
		},
	})
}

func buildVersion() string {
	if version != "dev" {
		return version
	}
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		return bi.Main.Version
	}
	return version
}

func printUsage(w io.Writer) {
	fmt.Fprintln(w, "edgefn runs JavaScript and TypeScript request handlers at the edge.")
	fmt.Fprintln(w, "\nusage: edgefn COMMAND [ARGS]\n\ncommands:")
	names := make([]string, 0, len(commands))
	for n := range commands {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(w, "  %-10s %s\n", n, commands[n].summary)
	}
	fmt.Fprintln(w, "\nrun `edgefn help COMMAND` for a command's options")
}

// run dispatches to a subcommand.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		printUsage(stderr)
		return exitUsage
	}
	switch args[0] {
	case "-h", "--help", "-help":
		printUsage(stdout)
		return exitOK
	case "-v", "--version":
		args = []string{"version"}
	}
	c := commands[args[0]]
	if c == nil {
		fmt.Fprintf(stderr, "edgefn: unknown command %q; run `edgefn help` for the list\n", args[0])
		return exitUsage
	}
	return c.run(ctx, args[1:], stdout, stderr)
}

// parseFlags parses flags placed before, after or between positional
// arguments (`edgefn dev app.ts --listen :9000`) and returns the positional
// ones. On error it prints usage to stderr and returns ok=false with the
// exit code to use.
func parseFlags(fs *flag.FlagSet, c *command, args []string, stderr io.Writer) (pos []string, code int, ok bool) {
	fs.SetOutput(io.Discard)
	rest := args
	for {
		if err := fs.Parse(rest); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				fmt.Fprintf(stderr, "usage: %s\n\n%s\n\noptions:\n", c.usage, strings.TrimSpace(c.summary+"\n\n"+c.long))
				fs.SetOutput(stderr)
				fs.PrintDefaults()
				return nil, exitOK, false
			}
			fmt.Fprintf(stderr, "edgefn %s: %v\nusage: %s\n", c.name, err, c.usage)
			return nil, exitUsage, false
		}
		rest = fs.Args()
		if len(rest) == 0 {
			return pos, 0, true
		}
		if rest[0] == "--" {
			return append(pos, rest[1:]...), 0, true
		}
		pos = append(pos, rest[0])
		rest = rest[1:]
	}
}
