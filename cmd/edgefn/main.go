// Command edgefn runs JavaScript and TypeScript request handlers in pooled
// goja runtimes: `edgefn dev` for development, and the platform commands
// as they land. Run `edgefn help` for the list.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}
