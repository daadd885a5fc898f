package main

import (
	"fmt"
	"log/slog"
	"path/filepath"
	"strings"

	"github.com/edgefn/edgefn/kv"
)

// openStore opens the KV store of a data directory (DIR/kv), as serve, dev
// and `edgefn kv --data` all lay it out.
func openStore(data, nodeID string, d kv.Durability, log *slog.Logger) (*kv.Store, error) {
	kcfg := kv.DefaultConfig()
	kcfg.Dir = filepath.Join(data, "kv")
	kcfg.NodeID = nodeID
	kcfg.Durability = d
	kcfg.Logger = log
	s, err := kv.Open(kcfg)
	if err != nil && strings.Contains(err.Error(), "Another process is using this Badger database") {
		return nil, fmt.Errorf("the data directory %s is in use by a running edgefn (a node or dev server); stop it, or use --server and --token against a node", data)
	}
	return s, err
}
