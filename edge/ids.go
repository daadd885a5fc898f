package edge

import (
	"crypto/rand"
	"encoding/hex"
	"strconv"
	"sync/atomic"
)

// requestIDs makes request ids: a random per-process prefix and a counter,
// unique across restarts and nodes, cheap to make.
type requestIDs struct {
	prefix string
	n      atomic.Uint64
}

func newRequestIDs() *requestIDs {
	var b [6]byte
	_, _ = rand.Read(b[:])
	return &requestIDs{prefix: hex.EncodeToString(b[:]) + "-"}
}

// maxIDLen bounds the length of an id: a 13-byte prefix and a base-36 uint64.
const maxIDLen = 13 + 13

func (g *requestIDs) next() string {
	var buf [maxIDLen]byte
	return string(g.append(buf[:0]))
}

// append appends the next id to b.
func (g *requestIDs) append(b []byte) []byte {
	b = append(b, g.prefix...)
	return strconv.AppendUint(b, g.n.Add(1), 36)
}
