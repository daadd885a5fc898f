package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/edgefn/edgefn/edge"
)

// clientFlags are the flags every admin-API command takes; the environment
// (EDGEFN_SERVER, EDGEFN_TOKEN) supplies them when absent.
type clientFlags struct {
	server *string
	token  *string
	json   *bool
}

func addClientFlags(fs *flag.FlagSet) clientFlags {
	return clientFlags{
		server: fs.String("server", "", "admin API URL (default $EDGEFN_SERVER, else http://127.0.0.1:9080)"),
		token:  fs.String("token", "", "admin token (default $EDGEFN_TOKEN)"),
		json:   fs.Bool("json", false, "print JSON"),
	}
}

func (f clientFlags) client() *edge.Client {
	server := *f.server
	if server == "" {
		server = os.Getenv("EDGEFN_SERVER")
	}
	if server == "" {
		server = "http://127.0.0.1:9080"
	}
	token := *f.token
	if token == "" {
		token = os.Getenv("EDGEFN_TOKEN")
	}
	return &edge.Client{Server: strings.TrimRight(server, "/"), Token: token}
}

// fail prints a command's error the way a user wants to read it.
func fail(stderr io.Writer, cmd string, err error) int {
	fmt.Fprintf(stderr, "edgefn %s: %v\n", cmd, err)
	return exitError
}

func printJSON(w io.Writer, v any) {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	_ = enc.Encode(v)
}

func init() {
	register(&command{
		name: "deploy", usage: "edgefn deploy PATH [--name NAME] [--server URL] [--token T] [--no-activate]",
		summary: "bundle a project and deploy it as a new version",
		long: `Bundles PATH (a handler file or a project directory) on this machine, uploads it to the
admin API and makes it the active version (unless --no-activate). The name comes from
--name, else edgefn.toml, else the directory. A bundle that fails to build, compile or
load is refused before anything goes live.`,
		run: runDeploy,
	})
	register(&command{
		name: "list", usage: "edgefn list [--server URL] [--token T] [--json]",
		summary: "list deployments", run: runList,
	})
	register(&command{
		name: "versions", usage: "edgefn versions NAME [--server URL] [--token T] [--json]",
		summary: "list a deployment's versions", run: runVersions,
	})
	register(&command{
		name: "rollback", usage: "edgefn rollback NAME [--to V] [--server URL] [--token T]",
		summary: "activate an earlier version (default: the one before the active)", run: runRollback,
	})
	register(&command{
		name: "split", usage: "edgefn split NAME v3=90 v4=10 [--server URL] [--token T]",
		summary: "split traffic between versions (sticky per client address)", run: runSplit,
	})
	register(&command{
		name: "delete", usage: "edgefn delete NAME [--server URL] [--token T]",
		summary: "delete a deployment with all its versions and secrets", run: runDelete,
	})
}

func runDeploy(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	c := commands["deploy"]
	fs := flag.NewFlagSet("deploy", flag.ContinueOnError)
	cf := addClientFlags(fs)
	name := fs.String("name", "", "deployment name (default: edgefn.toml's name, else the directory's)")
	noActivate := fs.Bool("no-activate", false, "store the version without serving it")
	pos, code, ok := parseFlags(fs, c, args, stderr)
	if !ok {
		return code
	}
	if len(pos) != 1 {
		fmt.Fprintf(stderr, "edgefn deploy: expected one PATH\nusage: %s\n", c.usage)
		return exitUsage
	}
	start := time.Now()
	prog := newProgress(stderr)
	prog.step("bundling %s", pos[0])
	p, err := edge.LoadProject(pos[0])
	if err != nil {
		prog.done()
		return fail(stderr, "deploy", err)
	}
	if *name != "" {
		p.Manifest.Name = *name
	}
	a, err := p.Build("production")
	if err != nil {
		prog.done()
		return fail(stderr, "deploy", err)
	}
	archive, err := a.Archive()
	if err != nil {
		prog.done()
		return fail(stderr, "deploy", err)
	}
	prog.step("uploading %s (%s, %d assets)", a.Manifest.Name, humanBytes(len(archive)), len(a.Assets))
	rec, err := cf.client().Deploy(ctx, a.Manifest.Name, strings.NewReader(string(archive)), !*noActivate)
	prog.done()
	if err != nil {
		return fail(stderr, "deploy", err)
	}
	if *cf.json {
		printJSON(stdout, rec)
		return exitOK
	}
	state := "active"
	if *noActivate {
		state = "stored, not active"
	}
	fmt.Fprintf(stdout, "deployed %s v%d (%s) in %v\n", rec.Name, rec.Number, state, time.Since(start).Round(time.Millisecond))
	for _, u := range rec.URLs {
		fmt.Fprintf(stdout, "  %s\n", u)
	}
	if len(rec.URLs) == 0 {
		fmt.Fprintf(stdout, "  no URL yet: give it routes in edgefn.toml, or start the node with --base-domain to serve it at %s.<base domain>\n", rec.Name)
	}
	return exitOK
}

// progress shows what a long command is doing: one line rewritten in place
// on a terminal, one line per step otherwise (logs, CI).
type progress struct {
	w    io.Writer
	tty  bool
	open bool
}

func newProgress(w io.Writer) *progress {
	p := &progress{w: w}
	if f, ok := w.(*os.File); ok {
		if fi, err := f.Stat(); err == nil && fi.Mode()&os.ModeCharDevice != 0 {
			p.tty = true
		}
	}
	return p
}

func (p *progress) step(format string, args ...any) {
	if p.tty {
		fmt.Fprintf(p.w, "\r\033[K"+format+"...", args...)
		p.open = true
		return
	}
	fmt.Fprintf(p.w, format+"...\n", args...)
}

// done clears the line (terminal) before the result is printed.
func (p *progress) done() {
	if p.tty && p.open {
		fmt.Fprint(p.w, "\r\033[K")
		p.open = false
	}
}

func humanBytes(n int) string {
	switch {
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d B", n)
}

func runList(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	c := commands["list"]
	fs := flag.NewFlagSet("list", flag.ContinueOnError)
	cf := addClientFlags(fs)
	if _, code, ok := parseFlags(fs, c, args, stderr); !ok {
		return code
	}
	list, err := cf.client().List(ctx)
	if err != nil {
		return fail(stderr, "list", err)
	}
	if *cf.json {
		printJSON(stdout, list)
		return exitOK
	}
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "NAME\tACTIVE\tVERSIONS\tROUTES\tUPDATED")
	for _, d := range list {
		active := "v" + strconv.Itoa(d.Active)
		if len(d.Split) > 0 {
			parts := make([]string, len(d.Split))
			for i, s := range d.Split {
				parts[i] = fmt.Sprintf("v%d=%d%%", s.Version, s.Weight)
			}
			active = strings.Join(parts, " ")
		}
		fmt.Fprintf(tw, "%s\t%s\t%d\t%s\t%s\n", d.Name, active, len(d.Versions), strings.Join(d.Routes, " "), d.UpdatedAt.Local().Format(time.DateTime))
	}
	tw.Flush()
	return exitOK
}

func oneName(fs *flag.FlagSet, c *command, args []string, stderr io.Writer) (string, int, bool) {
	pos, code, ok := parseFlags(fs, c, args, stderr)
	if !ok {
		return "", code, false
	}
	if len(pos) != 1 {
		fmt.Fprintf(stderr, "edgefn %s: expected one deployment NAME\nusage: %s\n", c.name, c.usage)
		return "", exitUsage, false
	}
	return pos[0], 0, true
}

func runVersions(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	c := commands["versions"]
	fs := flag.NewFlagSet("versions", flag.ContinueOnError)
	cf := addClientFlags(fs)
	name, code, ok := oneName(fs, c, args, stderr)
	if !ok {
		return code
	}
	vs, err := cf.client().Versions(ctx, name)
	if err != nil {
		return fail(stderr, "versions", err)
	}
	if *cf.json {
		printJSON(stdout, vs)
		return exitOK
	}
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "VERSION\tCREATED\tSIZE\tROUTES")
	for _, v := range vs {
		fmt.Fprintf(tw, "v%d\t%s\t%s\t%s\n", v.Number, v.CreatedAt.Local().Format(time.DateTime), humanBytes(int(v.Size)), strings.Join(v.Manifest.Routes, " "))
	}
	tw.Flush()
	return exitOK
}

func runRollback(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	c := commands["rollback"]
	fs := flag.NewFlagSet("rollback", flag.ContinueOnError)
	cf := addClientFlags(fs)
	to := fs.String("to", "", "the version to activate, e.g. v3 (default: the one before the active)")
	name, code, ok := oneName(fs, c, args, stderr)
	if !ok {
		return code
	}
	n := 0
	if *to != "" {
		var err error
		if n, err = strconv.Atoi(strings.TrimPrefix(*to, "v")); err != nil || n <= 0 {
			fmt.Fprintf(stderr, "edgefn rollback: --to %q is not a version number (e.g. v3)\n", *to)
			return exitUsage
		}
	}
	active, err := cf.client().Rollback(ctx, name, n)
	if err != nil {
		return fail(stderr, "rollback", err)
	}
	fmt.Fprintf(stdout, "%s: v%d is active\n", name, active)
	return exitOK
}

func runSplit(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	c := commands["split"]
	fs := flag.NewFlagSet("split", flag.ContinueOnError)
	cf := addClientFlags(fs)
	pos, code, ok := parseFlags(fs, c, args, stderr)
	if !ok {
		return code
	}
	if len(pos) < 2 {
		fmt.Fprintf(stderr, "edgefn split: expected NAME and at least one VERSION=PERCENT\nusage: %s\n", c.usage)
		return exitUsage
	}
	split, err := edge.ParseSplit(pos[1:])
	if err != nil {
		fmt.Fprintf(stderr, "edgefn split: %v\n", err)
		return exitUsage
	}
	if err := cf.client().Split(ctx, pos[0], split); err != nil {
		return fail(stderr, "split", err)
	}
	fmt.Fprintf(stdout, "%s: traffic split %s\n", pos[0], strings.Join(pos[1:], " "))
	return exitOK
}

func runDelete(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	c := commands["delete"]
	fs := flag.NewFlagSet("delete", flag.ContinueOnError)
	cf := addClientFlags(fs)
	name, code, ok := oneName(fs, c, args, stderr)
	if !ok {
		return code
	}
	if err := cf.client().Delete(ctx, name); err != nil {
		return fail(stderr, "delete", err)
	}
	fmt.Fprintf(stdout, "deleted %s\n", name)
	return exitOK
}
