package main

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"text/tabwriter"
	"time"
)

func init() {
	register(&command{
		name:    "secret",
		usage:   "edgefn secret put|list|delete NAME [KEY] [--server URL] [--token T]",
		summary: "manage a deployment's secrets (values read from stdin, never shown)",
		long: `  edgefn secret put NAME KEY     reads the value from standard input (one trailing newline is dropped)
  edgefn secret list NAME        lists the names (values are never shown)
  edgefn secret delete NAME KEY
Secrets reach the handler as env.KEY and process.env.KEY; changing one restarts the deployment.`,
		run: runSecret,
	})
}

// stdin is where secret values are read from (tests replace it).
var stdin io.Reader = os.Stdin

func runSecret(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	c := commands["secret"]
	fs := flag.NewFlagSet("secret", flag.ContinueOnError)
	cf := addClientFlags(fs)
	pos, code, ok := parseFlags(fs, c, args, stderr)
	if !ok {
		return code
	}
	usage := func() int {
		fmt.Fprintf(stderr, "usage: %s\n", c.usage)
		return exitUsage
	}
	if len(pos) < 2 {
		return usage()
	}
	client := cf.client()
	switch op, name := pos[0], pos[1]; {
	case op == "put" && len(pos) == 3:
		if f, ok := stdin.(*os.File); ok {
			if fi, err := f.Stat(); err == nil && fi.Mode()&os.ModeCharDevice != 0 {
				fmt.Fprintf(stderr, "Enter the value of %s (end with Ctrl-D):\n", pos[2])
			}
		}
		value, err := io.ReadAll(io.LimitReader(stdin, 1<<20))
		if err != nil {
			return fail(stderr, "secret put", err)
		}
		value = bytes.TrimSuffix(bytes.TrimSuffix(value, []byte("\n")), []byte("\r"))
		if err := client.PutSecret(ctx, name, pos[2], value); err != nil {
			return fail(stderr, "secret put", err)
		}
		fmt.Fprintf(stdout, "secret %s of %s set; the deployment restarts with it\n", pos[2], name)
	case op == "list" && len(pos) == 2:
		list, err := client.Secrets(ctx, name)
		if err != nil {
			return fail(stderr, "secret list", err)
		}
		if *cf.json {
			printJSON(stdout, list)
			return exitOK
		}
		tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "NAME\tUPDATED")
		for _, s := range list {
			fmt.Fprintf(tw, "%s\t%s\n", s.Name, s.UpdatedAt.Local().Format(time.DateTime))
		}
		tw.Flush()
	case op == "delete" && len(pos) == 3:
		if err := client.DeleteSecret(ctx, name, pos[2]); err != nil {
			return fail(stderr, "secret delete", err)
		}
		fmt.Fprintf(stdout, "secret %s of %s deleted\n", pos[2], name)
	default:
		return usage()
	}
	return exitOK
}
