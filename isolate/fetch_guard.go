package isolate

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"strings"
	"syscall"
)

// The SSRF guard: outbound fetch() may not reach the node's own network
// (loopback, private, link-local, CGNAT, multicast, unspecified and other
// special-purpose addresses) unless the deployment allows it. The check runs
// in the dialer's Control hook, on the address actually being connected to
// after DNS resolution, so a name that resolves (or re-resolves: DNS
// rebinding) to a refused address is caught, as is every redirect hop.

// blockedRange is one refused range and what to call it in errors.
type blockedRange struct {
	prefix netip.Prefix
	kind   string
}

// blockedRanges are the refused ranges (IANA special-purpose registries).
// IPv4-mapped, IPv4-compatible, NAT64 and 6to4 IPv6 addresses are checked
// by the IPv4 address they carry (see addrKind).
var blockedRanges = func() []blockedRange {
	list := []struct{ cidr, kind string }{
		{"0.0.0.0/8", "an unspecified (this-network) address"},
		{"10.0.0.0/8", "a private address"},
		{"100.64.0.0/10", "a shared (CGNAT) address"},
		{"127.0.0.0/8", "a loopback address"},
		{"169.254.0.0/16", "a link-local address"},
		{"172.16.0.0/12", "a private address"},
		{"192.0.0.0/24", "a reserved (IETF protocol) address"},
		{"192.0.2.0/24", "a reserved (documentation) address"},
		{"192.88.99.0/24", "a reserved (6to4 relay) address"},
		{"192.168.0.0/16", "a private address"},
		{"198.18.0.0/15", "a reserved (benchmarking) address"},
		{"198.51.100.0/24", "a reserved (documentation) address"},
		{"203.0.113.0/24", "a reserved (documentation) address"},
		{"224.0.0.0/4", "a multicast address"},
		{"240.0.0.0/4", "a reserved address"}, // includes 255.255.255.255 (broadcast)
		{"::/128", "an unspecified address"},
		{"::1/128", "a loopback address"},
		{"100::/64", "a reserved (discard) address"},
		{"2001:db8::/32", "a reserved (documentation) address"},
		{"fc00::/7", "a private (unique local) address"},
		{"fe80::/10", "a link-local address"},
		{"fec0::/10", "a private (site-local) address"},
		{"ff00::/8", "a multicast address"},
	}
	out := make([]blockedRange, len(list))
	for i, r := range list {
		out[i] = blockedRange{netip.MustParsePrefix(r.cidr), r.kind}
	}
	return out
}()

var (
	nat64Prefix  = netip.MustParsePrefix("64:ff9b::/96")
	nat64Local   = netip.MustParsePrefix("64:ff9b:1::/48")
	sixToFour    = netip.MustParsePrefix("2002::/16")
	v4Compatible = netip.MustParsePrefix("::/96")
)

// addrKind says why a is refused ("a private address"...), or "" when it
// is a public address.
func addrKind(a netip.Addr) string {
	a = a.Unmap()
	if a.Is6() {
		b := a.As16()
		switch {
		case nat64Prefix.Contains(a), v4Compatible.Contains(a) && !a.IsUnspecified() && a != netip.IPv6Loopback():
			// The last 32 bits are an IPv4 address a translator reaches.
			if k := addrKind(netip.AddrFrom4([4]byte{b[12], b[13], b[14], b[15]})); k != "" {
				return k
			}
			if v4Compatible.Contains(a) {
				return "a reserved (IPv4-compatible) address"
			}
		case nat64Local.Contains(a):
			return "a private (local NAT64) address"
		case sixToFour.Contains(a):
			if k := addrKind(netip.AddrFrom4([4]byte{b[2], b[3], b[4], b[5]})); k != "" {
				return k
			}
		}
	}
	for _, r := range blockedRanges {
		if r.prefix.Contains(a) {
			return r.kind
		}
	}
	return ""
}

// fetchPolicy is a pool's parsed FetchConfig allow-list.
type fetchPolicy struct {
	allowAll bool
	nets     []netip.Prefix
	hosts    map[string]bool // exact names, lower-case
	suffixes []string        // "*.example.internal" as ".example.internal"
}

// parseFetchAllow parses allow-list entries: an IP address, a CIDR prefix,
// a host name, or "*." and a domain (its subdomains).
func parseFetchAllow(entries []string) (*fetchPolicy, error) {
	p := &fetchPolicy{hosts: map[string]bool{}}
	for i, e := range entries {
		s := strings.TrimSpace(e)
		if pfx, err := netip.ParsePrefix(s); err == nil {
			p.nets = append(p.nets, pfx.Masked())
			continue
		}
		if a, err := netip.ParseAddr(strings.Trim(s, "[]")); err == nil {
			p.nets = append(p.nets, netip.PrefixFrom(a, a.BitLen()))
			continue
		}
		host := strings.ToLower(strings.TrimSuffix(s, "."))
		wild := strings.HasPrefix(host, "*.")
		if wild {
			host = host[2:]
		}
		if !validHostName(host) {
			return nil, fmt.Errorf("allow[%d]: %q is neither an IP address, a CIDR prefix (10.0.0.0/8), a host name nor *.domain", i, e)
		}
		if wild {
			p.suffixes = append(p.suffixes, "."+host)
		} else {
			p.hosts[host] = true
		}
	}
	return p, nil
}

// ValidateFetchAllow checks the entries of a deployment's [fetch] allow
// list; the error names the first bad entry by its index.
func ValidateFetchAllow(entries []string) error {
	_, err := parseFetchAllow(entries)
	return err
}

// validHostName: dot-separated labels of letters, digits, '-' and '_'.
func validHostName(h string) bool {
	if h == "" || len(h) > 253 {
		return false
	}
	for _, label := range strings.Split(h, ".") {
		if label == "" || len(label) > 63 || label[0] == '-' || label[len(label)-1] == '-' {
			return false
		}
		for i := 0; i < len(label); i++ {
			c := label[i]
			if !('a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-' || c == '_') {
				return false
			}
		}
	}
	return true
}

// allowsHost: the host name itself is allow-listed, so whatever it
// resolves to may be reached.
func (p *fetchPolicy) allowsHost(host string) bool {
	if p.allowAll {
		return true
	}
	host = strings.ToLower(strings.TrimSuffix(host, "."))
	if p.hosts[host] {
		return true
	}
	for _, s := range p.suffixes {
		if strings.HasSuffix(host, s) {
			return true
		}
	}
	return false
}

func (p *fetchPolicy) allowsAddr(a netip.Addr) bool {
	if p.allowAll {
		return true
	}
	a = a.Unmap()
	for _, n := range p.nets {
		if n.Contains(a) {
			return true
		}
	}
	return false
}

// BlockedAddressError is why the SSRF guard refused a connection.
type BlockedAddressError struct {
	Addr netip.Addr
	Kind string // "a private address"...
}

func (e *BlockedAddressError) Error() string {
	return fmt.Sprintf("%s is %s; allow it with [fetch] allow in edgefn.toml", e.Addr, e.Kind)
}

// ErrBlockedAddress is wrapped by every BlockedAddressError.
var ErrBlockedAddress = errors.New("isolate: fetch: address refused by the SSRF guard")

// Unwrap returns ErrBlockedAddress.
func (e *BlockedAddressError) Unwrap() error { return ErrBlockedAddress }

// checkDial is the dialer's Control hook: address is the resolved ip:port
// about to be connected to.
func (p *fetchPolicy) checkDial(address string) error {
	ap, err := netip.ParseAddrPort(address)
	if err != nil {
		return fmt.Errorf("isolate: fetch: unexpected dial address %q: %w", address, err)
	}
	a := ap.Addr().WithZone("")
	if k := addrKind(a); k != "" && !p.allowsAddr(a) {
		return &BlockedAddressError{Addr: a.Unmap(), Kind: k}
	}
	return nil
}

// dialContext dials for the fetch transport: an allow-listed host name is
// dialled as is; any other goes through the guard on every address tried.
func (p *fetchPolicy) dialContext(d *net.Dialer) func(ctx context.Context, network, addr string) (net.Conn, error) {
	guarded := *d
	guarded.Control = func(_, address string, _ syscall.RawConn) error { return p.checkDial(address) }
	return func(ctx context.Context, network, addr string) (net.Conn, error) {
		host, _, err := net.SplitHostPort(addr)
		if err == nil && p.allowsHost(host) {
			return d.DialContext(ctx, network, addr)
		}
		return guarded.DialContext(ctx, network, addr)
	}
}
