package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"

	"github.com/edgefn/edgefn/kv"
)

func init() {
	register(&command{
		name:    "kv",
		usage:   "edgefn kv get|put|delete|list NAMESPACE [KEY] [VALUE] [--server URL --token T | --data DIR]",
		summary: "read and write KV namespaces on a running node, or in a data directory",
		long: `  edgefn kv get NAMESPACE KEY            prints the value
  edgefn kv put NAMESPACE KEY VALUE      VALUE "-" reads standard input; --ttl SECONDS, --metadata JSON
  edgefn kv delete NAMESPACE KEY
  edgefn kv list NAMESPACE [--prefix P] [--limit N] [--cursor C]
With --data DIR the command opens the data directory itself (the node must be stopped);
otherwise it calls the admin API (--server, --token or EDGEFN_SERVER, EDGEFN_TOKEN).`,
		run: runKV,
	})
}

func runKV(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	c := commands["kv"]
	fs := flag.NewFlagSet("kv", flag.ContinueOnError)
	cf := addClientFlags(fs)
	data := fs.String("data", "", "use this data directory directly instead of a running node")
	ttl := fs.Int64("ttl", 0, "put: expire after this many seconds (at least 60)")
	meta := fs.String("metadata", "", "put: JSON metadata")
	prefix := fs.String("prefix", "", "list: only keys starting with this")
	limit := fs.Int("limit", 0, "list: at most this many keys (1-1000)")
	cursor := fs.String("cursor", "", "list: continue from this cursor")
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
	op, ns := pos[0], pos[1]
	want := map[string]int{"get": 3, "put": 4, "delete": 3, "list": 2}
	if n, known := want[op]; !known || len(pos) != n {
		return usage()
	}
	if kv.Reserved(ns) {
		fmt.Fprintf(stderr, "edgefn kv: namespace %s is reserved for edgefn itself\n", ns)
		return exitUsage
	}
	var value []byte
	if op == "put" {
		if pos[3] == "-" {
			b, err := io.ReadAll(io.LimitReader(stdin, 26<<20))
			if err != nil {
				return fail(stderr, "kv put", err)
			}
			value = b
		} else {
			value = []byte(pos[3])
		}
	}
	if *data != "" {
		return kvLocal(*data, op, pos, value, kv.PutOptions{ExpirationTTL: *ttl, Metadata: []byte(*meta)},
			kv.ListOptions{Prefix: *prefix, Limit: *limit, Cursor: *cursor}, stdout, stderr)
	}
	client := cf.client()
	path := "/v1/kv/" + url.PathEscape(ns)
	switch op {
	case "get":
		var out kvBody
		if err := client.Do(ctx, http.MethodGet, path+"/"+url.PathEscape(pos[2]), nil, "", &out); err != nil {
			return fail(stderr, "kv get", err)
		}
		stdout.Write(out)
	case "put":
		q := url.Values{}
		if *ttl != 0 {
			q.Set("expiration_ttl", strconv.FormatInt(*ttl, 10))
		}
		p := path + "/" + url.PathEscape(pos[2])
		if len(q) > 0 {
			p += "?" + q.Encode()
		}
		if err := client.PutKV(ctx, p, value, *meta); err != nil {
			return fail(stderr, "kv put", err)
		}
	case "delete":
		if err := client.Do(ctx, http.MethodDelete, path+"/"+url.PathEscape(pos[2]), nil, "", nil); err != nil {
			return fail(stderr, "kv delete", err)
		}
	case "list":
		q := url.Values{}
		if *prefix != "" {
			q.Set("prefix", *prefix)
		}
		if *limit != 0 {
			q.Set("limit", strconv.Itoa(*limit))
		}
		if *cursor != "" {
			q.Set("cursor", *cursor)
		}
		p := path
		if len(q) > 0 {
			p += "?" + q.Encode()
		}
		var res kv.ListResult
		if err := client.Do(ctx, http.MethodGet, p, nil, "", &res); err != nil {
			return fail(stderr, "kv list", err)
		}
		printList(stdout, &res, *cf.json)
	}
	return exitOK
}

// kvBody takes a raw (non-JSON) answer.
type kvBody []byte

func (b *kvBody) SetRaw(p []byte) { *b = p }

func kvLocal(dir, op string, pos []string, value []byte, po kv.PutOptions, lo kv.ListOptions, stdout, stderr io.Writer) int {
	s, err := openStore(dir, "cli", kv.DurabilityFsync, nil)
	if err != nil {
		return fail(stderr, "kv", err)
	}
	defer s.Close()
	ns := pos[1]
	switch op {
	case "get":
		e, err := s.Get(ns, pos[2])
		if err != nil {
			return fail(stderr, "kv get", err)
		}
		stdout.Write(e.Value)
	case "put":
		if len(po.Metadata) == 0 {
			po.Metadata = nil
		}
		if _, err := s.Put(ns, pos[2], value, po); err != nil {
			return fail(stderr, "kv put", err)
		}
	case "delete":
		if _, err := s.Delete(ns, pos[2]); err != nil {
			return fail(stderr, "kv delete", err)
		}
	case "list":
		res, err := s.List(ns, lo)
		if err != nil {
			return fail(stderr, "kv list", err)
		}
		printList(stdout, res, false)
	}
	return exitOK
}

func printList(w io.Writer, res *kv.ListResult, asJSON bool) {
	if asJSON {
		printJSON(w, res)
		return
	}
	for _, k := range res.Keys {
		fmt.Fprintln(w, k.Name)
	}
	if !res.ListComplete {
		fmt.Fprintf(w, "(more: --cursor %s)\n", res.Cursor)
	}
}
