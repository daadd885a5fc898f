package isolate

import (
	"errors"
	"net/netip"
	"strings"
	"testing"
)

func TestAddrKind(t *testing.T) {
	for _, tc := range []struct{ addr, kind string }{
		{"8.8.8.8", ""},
		{"1.1.1.1", ""},
		{"2606:4700:4700::1111", ""},
		{"127.0.0.1", "a loopback address"},
		{"127.255.255.254", "a loopback address"},
		{"::1", "a loopback address"},
		{"::ffff:127.0.0.1", "a loopback address"},
		{"::ffff:10.1.2.3", "a private address"},
		{"::ffff:8.8.8.8", ""},
		{"10.255.0.1", "a private address"},
		{"172.31.255.255", "a private address"},
		{"172.32.0.1", ""},
		{"192.168.0.1", "a private address"},
		{"100.64.0.1", "a shared (CGNAT) address"},
		{"100.127.255.255", "a shared (CGNAT) address"},
		{"100.128.0.1", ""},
		{"169.254.169.254", "a link-local address"},
		{"fe80::1", "a link-local address"},
		{"fd12:3456::1", "a private (unique local) address"},
		{"fec0::1", "a private (site-local) address"},
		{"224.0.0.251", "a multicast address"},
		{"ff02::1", "a multicast address"},
		{"0.0.0.0", "an unspecified (this-network) address"},
		{"0.1.2.3", "an unspecified (this-network) address"},
		{"::", "an unspecified address"},
		{"255.255.255.255", "a reserved address"},
		{"198.18.0.1", "a reserved (benchmarking) address"},
		{"64:ff9b::7f00:1", "a loopback address"}, // NAT64 of 127.0.0.1
		{"64:ff9b::808:808", ""},                  // NAT64 of 8.8.8.8
		{"64:ff9b:1::1", "a private (local NAT64) address"},
		{"2002:a00:1::1", "a private address"}, // 6to4 of 10.0.0.1
		{"2002:808:808::1", ""},                // 6to4 of 8.8.8.8
		{"::10.0.0.1", "a private address"},    // IPv4-compatible
		{"::8.8.8.8", "a reserved (IPv4-compatible) address"},
	} {
		if got := addrKind(netip.MustParseAddr(tc.addr)); got != tc.kind {
			t.Errorf("%s: %q, want %q", tc.addr, got, tc.kind)
		}
	}
}

func TestFetchPolicy(t *testing.T) {
	p, err := parseFetchAllow([]string{"10.1.0.0/16", "127.0.0.1", "[::1]", "Db.Internal.", "*.svc.local"})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		addr    string
		blocked bool
	}{
		{"10.1.2.3:80", false},
		{"10.2.0.1:80", true},
		{"127.0.0.1:8080", false},
		{"[::ffff:127.0.0.1]:8080", false},
		{"127.0.0.2:8080", true},
		{"[::1]:443", false},
		{"[fe80::1%eth0]:80", true},
		{"8.8.8.8:53", false},
	} {
		err := p.checkDial(tc.addr)
		if blocked := errors.Is(err, ErrBlockedAddress); blocked != tc.blocked {
			t.Errorf("%s: blocked=%v (%v), want %v", tc.addr, blocked, err, tc.blocked)
		}
	}
	for host, ok := range map[string]bool{"db.internal": true, "DB.INTERNAL.": true, "a.svc.local": true, "x.y.svc.local": true, "svc.local": false, "other.internal": false} {
		if got := p.allowsHost(host); got != ok {
			t.Errorf("allowsHost(%q) = %v, want %v", host, got, ok)
		}
	}
	if err := ValidateFetchAllow([]string{"ok.example", "10.0.0.0/33"}); err == nil {
		t.Error("10.0.0.0/33 was accepted")
	}
}

// FuzzFetchGuard: any allow-list entry parses or is refused with an error
// naming it, and the guard refuses an address exactly when it is special
// and no allowed prefix covers it.
func FuzzFetchGuard(f *testing.F) {
	for _, s := range [][2]string{
		{"10.0.0.0/8", "10.1.2.3:80"}, {"db.internal", "[::1]:443"}, {"*.svc", "127.0.0.1:8080"},
		{"::ffff:127.0.0.1", "[::ffff:127.0.0.1]:1"}, {"[fe80::1]", "[fe80::1%eth0]:80"}, {"", "8.8.8.8:53"},
		{"64:ff9b::/96", "[64:ff9b::a00:1]:80"}, {"not a host!", "0.0.0.0:0"},
	} {
		f.Add(s[0], s[1])
	}
	f.Fuzz(func(t *testing.T, entry, addr string) {
		p, err := parseFetchAllow([]string{entry})
		if err != nil {
			if !strings.HasPrefix(err.Error(), "allow[0]: ") {
				t.Fatalf("error does not name the entry: %v", err)
			}
			return
		}
		ap, perr := netip.ParseAddrPort(addr)
		err = p.checkDial(addr)
		if perr != nil {
			if err == nil {
				t.Fatalf("unparsable address %q let through", addr)
			}
			return
		}
		a := ap.Addr().WithZone("").Unmap()
		special := addrKind(a) != ""
		covered := false
		for _, n := range p.nets {
			covered = covered || n.Contains(a)
		}
		if blocked := errors.Is(err, ErrBlockedAddress); blocked != (special && !covered) {
			t.Fatalf("%q with allow %q: blocked=%v, special=%v, covered=%v", addr, entry, blocked, special, covered)
		}
	})
}
