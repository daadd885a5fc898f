package edge

import (
	"bytes"
	"hash/fnv"
	"net"
	"net/netip"

	"github.com/valyala/fasthttp"
)

// clientBucket places a client in 0-99 for traffic splits: the same client
// address gets the same version of a deployment (sticky), different
// deployments split independently. Behind a trusted proxy the client is
// the address the proxy reports (see clientAddr).
func (n *Node) clientBucket(ctx *fasthttp.RequestCtx, deployment string) uint32 {
	h := fnv.New32a()
	_, _ = h.Write(n.clientAddr(ctx))
	_, _ = h.Write([]byte(deployment))
	return h.Sum32() % 100
}

// clientAddr is the request's client: the peer's address, or, when the
// peer is a trusted proxy (Config.TrustedProxies), the right-most address
// in X-Forwarded-For that is not itself a trusted proxy (each proxy appends
// the address it received from, so that is the last one nobody trusted
// could forge).
func (n *Node) clientAddr(ctx *fasthttp.RequestCtx) net.IP {
	peer := ctx.RemoteIP()
	if len(n.cfg.TrustedProxies) == 0 || !n.trusted(peer) {
		return peer
	}
	var chain [][]byte
	ctx.Request.Header.VisitAll(func(k, v []byte) {
		if bytes.EqualFold(k, []byte("x-forwarded-for")) {
			for _, part := range bytes.Split(v, []byte(",")) {
				chain = append(chain, bytes.TrimSpace(part))
			}
		}
	})
	for i := len(chain) - 1; i >= 0; i-- {
		addr, err := netip.ParseAddr(string(chain[i]))
		if err != nil {
			return peer // a malformed hop: nothing left of it can be trusted
		}
		ip := net.IP(addr.Unmap().AsSlice())
		if !n.trusted(ip) {
			return ip
		}
	}
	return peer
}

func (n *Node) trusted(ip net.IP) bool {
	addr, ok := netip.AddrFromSlice(ip)
	if !ok {
		return false
	}
	addr = addr.Unmap()
	for _, p := range n.cfg.TrustedProxies {
		if p.Contains(addr) {
			return true
		}
	}
	return false
}
