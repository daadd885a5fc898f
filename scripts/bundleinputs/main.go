// Command bundleinputs prints, one a line, the files edgefn's bundler reads
// to build an entry (a file or a directory with an index file).
// scripts/vendor-examples uses it to keep only those files of an example's
// node_modules.
//
// Usage: bundleinputs ENTRY
package main

import (
	"fmt"
	"os"

	"github.com/edgefn/edgefn/isolate"
)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: bundleinputs ENTRY")
		os.Exit(2)
	}
	entry, err := isolate.ResolveEntry(os.Args[1])
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	b, err := isolate.Build(isolate.BuildOptions{Entry: entry, NodeEnv: "production"})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	for _, in := range b.Inputs {
		fmt.Println(in)
	}
}
