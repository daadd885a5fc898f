package cluster_test

import (
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/edgefn/edgefn/kv"
)

// These benchmarks run whole clusters in one process; scripts/bench-cluster
// runs each once (-benchtime=1x) and docs/BENCHMARKS.md has the figures.

func percentile(d []time.Duration, p float64) time.Duration {
	if len(d) == 0 {
		return 0
	}
	sort.Slice(d, func(i, j int) bool { return d[i] < d[j] })
	return d[min(len(d)-1, int(float64(len(d))*p))]
}

// tail calls fn with every record a store takes in from now on, until stop.
func tail(s *kv.Store, stop chan struct{}, fn func(r kv.Record)) {
	from := s.Seq() + 1
	for {
		wait := s.Notify()
		recs, next, err := s.Changes(from, 1000)
		if err != nil {
			return
		}
		from = next
		for _, r := range recs {
			fn(r)
		}
		if len(recs) > 0 {
			continue
		}
		select {
		case <-wait:
		case <-stop:
			return
		}
	}
}

// BenchmarkWriteVisibleOnPeer: five nodes, 1000 writes a second spread
// over them (as far as the machine keeps up); the time from the start of a
// write until each peer holds it.
func BenchmarkWriteVisibleOnPeer(b *testing.B) {
	nodes := benchCluster(b, 5, false)
	var mu sync.Mutex
	written := map[string]time.Time{}
	var lat []time.Duration
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for _, tn := range nodes {
		wg.Add(1)
		go func() {
			defer wg.Done()
			tail(tn.store, stop, func(r kv.Record) {
				if r.Version.Node == tn.name {
					return
				}
				now := time.Now()
				mu.Lock()
				if t0, ok := written[r.Key]; ok {
					lat = append(lat, now.Sub(t0))
				}
				mu.Unlock()
			})
		}()
	}
	const rate, secs = 1000, 10
	tick := time.NewTicker(time.Second / rate)
	rng := rand.New(rand.NewPCG(1, 2))
	value := make([]byte, 256)
	for i := 0; i < rate*secs; i++ {
		<-tick.C
		key := fmt.Sprint("k", i)
		tn := nodes[rng.IntN(len(nodes))]
		// From the start of the write: its local commit counts too.
		mu.Lock()
		written[key] = time.Now()
		mu.Unlock()
		if _, err := tn.store.Put("bench", key, value, kv.PutOptions{}); err != nil {
			b.Fatal(err)
		}
	}
	tick.Stop()
	deadline := time.Now().Add(30 * time.Second)
	for {
		mu.Lock()
		n := len(lat)
		mu.Unlock()
		if n >= rate*secs*(len(nodes)-1) || time.Now().After(deadline) {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	close(stop)
	wg.Wait()
	mu.Lock()
	defer mu.Unlock()
	b.ReportMetric(float64(percentile(lat, 0.5).Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(percentile(lat, 0.99).Microseconds())/1000, "p99-ms")
	b.ReportMetric(float64(percentile(lat, 1).Microseconds())/1000, "max-ms")
	b.ReportMetric(float64(len(lat))/float64(rate*secs*(len(nodes)-1))*100, "delivered-%")
}

// BenchmarkConvergenceAfterPartition: three nodes; one is cut off for 30
// seconds while the others take 100,000 writes; the time from healing until
// all three hold byte-identical data.
func BenchmarkConvergenceAfterPartition(b *testing.B) {
	nodes := benchCluster(b, 3, true)
	c := nodes[2]
	partition(nodes, []*tnode{c})
	start := time.Now()
	value := make([]byte, 100)
	const keys = 100000
	for i := 0; i < keys; i++ {
		if _, err := nodes[i%2].store.Put("bench", fmt.Sprintf("k%06d", i), value, kv.PutOptions{}); err != nil {
			b.Fatal(err)
		}
	}
	if rest := 30*time.Second - time.Since(start); rest > 0 {
		time.Sleep(rest)
	}
	heal(nodes)
	healed := time.Now()
	for _, tn := range nodes {
		tn.node.Members() // (a marker in the logs)
		tn.cfg.Logger.Info("healed")
	}
	deadline := healed.Add(2 * time.Minute)
	for !converged(nodes) {
		if time.Now().After(deadline) {
			b.Fatal("no convergence in 2 minutes")
		}
		time.Sleep(20 * time.Millisecond)
	}
	b.ReportMetric(time.Since(healed).Seconds(), "convergence-s")
	keepLogs(nodes)
}

// keepLogs writes the nodes' logs under $EDGEFN_BENCH_LOGS, when set.
func keepLogs(nodes []*tnode) {
	dir := os.Getenv("EDGEFN_BENCH_LOGS")
	if dir == "" {
		return
	}
	for _, tn := range nodes {
		tn.logs.mu.Lock()
		os.WriteFile(filepath.Join(dir, tn.name+".log"), tn.logs.b.Bytes(), 0o644)
		tn.logs.mu.Unlock()
	}
}

// BenchmarkReplicationThroughput: one node takes writes as fast as it can;
// the rate at which its peer applies them.
func BenchmarkReplicationThroughput(b *testing.B) {
	nodes := benchCluster(b, 2, false)
	const n = 50000
	value := make([]byte, 1024)
	var wg sync.WaitGroup
	done := make(chan time.Time, 1)
	stop := make(chan struct{})
	got := 0
	wg.Add(1)
	go func() {
		defer wg.Done()
		tail(nodes[1].store, stop, func(r kv.Record) {
			got++
			if got == n {
				done <- time.Now()
			}
		})
	}()
	start := time.Now()
	for i := 0; i < n; i++ {
		if _, err := nodes[0].store.Put("bench", fmt.Sprint("k", i), value, kv.PutOptions{}); err != nil {
			b.Fatal(err)
		}
	}
	wrote := time.Since(start)
	var end time.Time
	select {
	case end = <-done:
	case <-time.After(2 * time.Minute):
		b.Fatal("the peer did not get every write")
	}
	close(stop)
	wg.Wait()
	took := end.Sub(start).Seconds()
	b.ReportMetric(n/took, "records/s")
	b.ReportMetric(n*1024/took/(1<<20), "MiB/s")
	b.ReportMetric(n/wrote.Seconds(), "local-writes/s")
}

// benchCluster starts n nodes; faults adds the fault layer (for
// partitions), which costs a little on every packet and stream write.
func benchCluster(b *testing.B, n int, faults bool) []*tnode {
	b.Helper()
	var nodes []*tnode
	for i := 1; i <= n; i++ {
		o := opts{noFaults: !faults}
		if i > 1 {
			o.join = []string{nodes[0].node.Addr()}
		}
		o.production = true
		tn, err := start(b, i, o)
		if err != nil {
			b.Fatal(err)
		}
		nodes = append(nodes, tn)
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		all := true
		for _, tn := range nodes {
			if len(tn.node.Alive()) != n || tn.node.Ready() != nil {
				all = false
			}
		}
		if all {
			break
		}
		if time.Now().After(deadline) {
			b.Fatal("cluster did not form")
		}
		time.Sleep(20 * time.Millisecond)
	}
	b.ResetTimer()
	return nodes
}
