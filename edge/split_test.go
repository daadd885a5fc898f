package edge

import (
	"fmt"
	"net/http"
	"net/netip"
	"testing"
)

// Behind a trusted proxy a split sticks to the client X-Forwarded-For
// names; from anyone else the header is ignored (it could be forged).
func TestSplitBehindATrustedProxy(t *testing.T) {
	for _, trusted := range []bool{true, false} {
		t.Run(fmt.Sprintf("trusted=%v", trusted), func(t *testing.T) {
			n, base := testNode(t, func(c *Config) {
				c.BaseDomain = "edge.test"
				if trusted {
					c.TrustedProxies = []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}
				}
			})
			p := NewPlatform(n, newMemStore())
			for i := 1; i <= 2; i++ {
				if _, err := p.Deploy(testArtifact("app", fmt.Sprintf("v%d", i)), true); err != nil {
					t.Fatal(err)
				}
			}
			if err := p.Split("app", []SplitEntry{{1, 50}, {2, 50}}); err != nil {
				t.Fatal(err)
			}
			get := func(xff string) string {
				req, _ := http.NewRequest("GET", base+"/", nil)
				req.Host = "app.edge.test"
				if xff != "" {
					req.Header.Set("X-Forwarded-For", xff)
				}
				res, err := http.DefaultClient.Do(req)
				if err != nil {
					t.Fatal(err)
				}
				defer res.Body.Close()
				b := make([]byte, 8)
				k, _ := res.Body.Read(b)
				return string(b[:k])
			}
			seen := map[string]bool{}
			for i := 0; i < 64; i++ {
				client := fmt.Sprintf("203.0.113.%d", i)
				first := get(client)
				// The same client, through a chain ending in trusted hops, and
				// with a forged hop before it, keeps its version.
				if again := get("198.51.100.7, " + client + ", 127.0.0.5"); again != first && trusted {
					t.Fatalf("client %s got %s then %s", client, first, again)
				}
				seen[first] = true
			}
			if trusted && len(seen) != 2 {
				t.Fatalf("64 clients behind the proxy all got %v: the split is not by client", seen)
			}
			if !trusted && len(seen) != 1 {
				t.Fatalf("an untrusted X-Forwarded-For moved the client: %v", seen)
			}
		})
	}
}
