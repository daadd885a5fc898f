//go:build !linux

package edge

// tcpStateSupported: only Linux reports a socket's TCP state here; other
// systems do not watch connections.
const tcpStateSupported = false

func tcpState(uintptr) (uint8, bool) { return 0, false }
