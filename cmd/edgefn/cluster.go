package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"text/tabwriter"
	"time"

	"github.com/edgefn/edgefn/cluster"
)

func init() {
	register(&command{
		name:    "cluster",
		usage:   "edgefn cluster members [--server URL --token T] | keygen [--out FILE]",
		summary: "list cluster members, or make a cluster key",
		long: `  edgefn cluster members   nodes, state, last contact and replication lag, as the node asked sees them
  edgefn cluster keygen    a new cluster key (64 hex digits); with --out, written to FILE (mode 0600)
Every node of a cluster needs the same key (--cluster-key-file): gossip is encrypted with it,
replication streams are authenticated with it, and secrets are sealed under it.`,
		run: runCluster,
	})
}

func runCluster(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	c := commands["cluster"]
	fs := flag.NewFlagSet("cluster", flag.ContinueOnError)
	cf := addClientFlags(fs)
	out := fs.String("out", "", "keygen: write the key to this file instead of standard output")
	pos, code, ok := parseFlags(fs, c, args, stderr)
	if !ok {
		return code
	}
	if len(pos) != 1 {
		fmt.Fprintf(stderr, "usage: %s\n", c.usage)
		return exitUsage
	}
	switch pos[0] {
	case "keygen":
		key := make([]byte, 32)
		if _, err := rand.Read(key); err != nil {
			return fail(stderr, "cluster keygen", err)
		}
		text := hex.EncodeToString(key) + "\n"
		if *out == "" {
			fmt.Fprint(stdout, text)
			return exitOK
		}
		f, err := os.OpenFile(*out, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
		if errors.Is(err, os.ErrExist) {
			fmt.Fprintf(stderr, "edgefn cluster keygen: %s exists; a new key would cut this node off from its cluster (remove the file first if that is what you want)\n", *out)
			return exitError
		}
		if err != nil {
			return fail(stderr, "cluster keygen", err)
		}
		if _, err := f.WriteString(text); err != nil {
			f.Close()
			return fail(stderr, "cluster keygen", err)
		}
		if err := f.Close(); err != nil {
			return fail(stderr, "cluster keygen", err)
		}
		fmt.Fprintf(stdout, "wrote a cluster key to %s; copy it to every node and start them with --cluster-key-file %s\n", *out, *out)
		return exitOK
	case "members":
		var ms []cluster.Member
		if err := cf.client().Do(ctx, http.MethodGet, "/v1/cluster/members", nil, "", &ms); err != nil {
			return fail(stderr, "cluster members", err)
		}
		if *cf.json {
			printJSON(stdout, ms)
			return exitOK
		}
		printMembers(stdout, ms, time.Now())
		return exitOK
	}
	fmt.Fprintf(stderr, "edgefn cluster: unknown subcommand %q\nusage: %s\n", pos[0], c.usage)
	return exitUsage
}

func ago(t time.Time, now time.Time) string {
	if t.IsZero() {
		return "-"
	}
	d := now.Sub(t)
	if d < 0 {
		d = 0
	}
	return d.Round(100*time.Millisecond).String() + " ago"
}

func printMembers(w io.Writer, ms []cluster.Member, now time.Time) {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "NAME\tSTATE\tADDRESS\tREGION\tHTTP\tLAST CONTACT\tLAST SYNC\tLAG")
	for _, m := range ms {
		name, state := m.Name, m.State
		if m.Self {
			name += " (this node)"
		}
		if m.PullOnly {
			state += ", resyncing"
		}
		contact := ago(m.LastContact, now)
		if m.Self {
			contact = "-"
		}
		lag := fmt.Sprintf("%.1fs", m.Lag)
		if m.Self {
			lag = "-"
		}
		region := m.Region
		if region == "" {
			region = "-"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", name, state, m.Addr, region, orDash(m.HTTP), contact, ago(m.LastSync, now), lag)
	}
	tw.Flush()
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
