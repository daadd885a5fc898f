package main

import (
	"testing"

	"github.com/edgefn/edgefn/edge"
)

// FuzzNodeConfig: any bytes as `edgefn serve --config`: parsing never
// panics, and a config that parses and validates is one the node accepts
// (serve must not start, then fail on its own settings).
func FuzzNodeConfig(f *testing.F) {
	f.Add([]byte("[http]\nlisten = \":8080\"\n"))
	f.Fuzz(func(t *testing.T, src []byte) {
		c, err := parseNodeConfig("edgefn.toml", src)
		if err != nil {
			return
		}
		if err := c.validate(); err != nil {
			return
		}
		if _, err := edge.NewNode(edgeConfig(c)); err != nil {
			t.Fatalf("serve accepts the config but the node refuses it: %v\n%s", err, src)
		}
	})
}
