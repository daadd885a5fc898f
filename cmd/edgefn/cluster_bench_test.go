package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"
)

// BenchmarkDeployVisible: three `edgefn serve` nodes in a cluster; each
// iteration deploys a new version on one node and measures the time until
// every node serves it. scripts/bench-cluster runs it.
func BenchmarkDeployVisible(b *testing.B) {
	dir := b.TempDir()
	keyFile := filepath.Join(dir, "cluster.key")
	run(context.Background(), []string{"cluster", "keygen", "--out", keyFile}, io.Discard, io.Discard)
	conf := filepath.Join(dir, "edgefn.toml")
	os.WriteFile(conf, []byte("[cluster]\nprofile = \"local\"\n"), 0o600)
	nodes := startServed(b, dir, conf, keyFile, 70, "--log-level", "warn")
	defer stopServed(nodes)
	for _, n := range nodes {
		for {
			res, err := http.Get("http://" + n.admin + "/readyz")
			if err == nil {
				res.Body.Close()
				if res.StatusCode == 200 {
					break
				}
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	os.Setenv("EDGEFN_TOKEN", "sekret")
	src := filepath.Join(dir, "app")
	os.MkdirAll(src, 0o755)
	get := func(n *servedNode) string {
		req, _ := http.NewRequest("GET", "http://"+n.http+"/", nil)
		req.Host = "bench.edge.test"
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			return ""
		}
		defer res.Body.Close()
		body, _ := io.ReadAll(res.Body)
		return string(body)
	}
	var took []time.Duration
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		want := fmt.Sprintf("version %d", i)
		os.WriteFile(filepath.Join(src, "index.js"), []byte(fmt.Sprintf("export default { fetch() { return new Response(%q) } }\n", want)), 0o644)
		var errb strings.Builder
		start := time.Now()
		if code := run(context.Background(), []string{"deploy", src, "--name", "bench", "--server", "http://" + nodes[i%3].admin}, io.Discard, &errb); code != 0 {
			b.Fatalf("deploy: %s", errb.String())
		}
		deadline := time.Now().Add(30 * time.Second)
		for _, n := range nodes {
			for get(n) != want {
				if time.Now().After(deadline) {
					b.Fatalf("%s does not serve %q", n.name, want)
				}
				time.Sleep(2 * time.Millisecond)
			}
		}
		took = append(took, time.Since(start))
	}
	b.StopTimer()
	sort.Slice(took, func(i, j int) bool { return took[i] < took[j] })
	b.ReportMetric(float64(took[len(took)/2].Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(took[len(took)-1].Microseconds())/1000, "max-ms")
}
