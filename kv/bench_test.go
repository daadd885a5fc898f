package kv

import (
	"bufio"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"runtime/pprof"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

func benchStore(b *testing.B, d Durability) *Store {
	cfg := DefaultConfig()
	cfg.Dir = b.TempDir()
	cfg.NodeID = "bench"
	cfg.Durability = d
	s, err := Open(cfg)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { s.Close() })
	return s
}

var value1K = []byte(strings.Repeat("x", 1024))

func BenchmarkPut(b *testing.B) {
	for _, d := range []Durability{DurabilityProcess, DurabilityFsync} {
		b.Run("durability="+string(d), func(b *testing.B) {
			s := benchStore(b, d)
			i := 0
			b.SetBytes(1024)
			for b.Loop() {
				if _, err := s.Put("ns", fmt.Sprintf("key-%d", i), value1K, PutOptions{}); err != nil {
					b.Fatal(err)
				}
				i++
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "puts/s")
		})
	}
}

// BenchmarkPutConcurrent puts 1 KiB values from 32 writers at once (as a
// node's handlers do), with and without fsync: concurrent writes share a
// commit (and its fsync) when they arrive while one is in flight.
func BenchmarkPutConcurrent(b *testing.B) {
	for _, d := range []Durability{DurabilityProcess, DurabilityFsync} {
		b.Run("durability="+string(d), func(b *testing.B) {
			s := benchStore(b, d)
			var n, groups atomic.Int64
			s.afterGroup = func(int) { groups.Add(1) }
			b.SetBytes(1024)
			b.SetParallelism(32 / runtime.GOMAXPROCS(0))
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					if _, err := s.Put("ns", fmt.Sprintf("key-%d", n.Add(1)), value1K, PutOptions{}); err != nil {
						b.Error(err)
						return
					}
				}
			})
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "puts/s")
			b.ReportMetric(float64(b.N)/float64(max(groups.Load(), 1)), "puts/commit")
		})
	}
}

// BenchmarkGet reads 1 KiB values: from Badger (the read cache off, 10k
// keys), and a hot set of 100 keys through the read cache.
func BenchmarkGet(b *testing.B) {
	for _, c := range []struct {
		name  string
		cache int
		keys  int
	}{{"store", -1, 10000}, {"cached", 0, 100}} {
		b.Run(c.name, func(b *testing.B) {
			s := benchStore(b, DurabilityProcess)
			s.cache = newReadCache(c.cache)
			if c.cache == 0 {
				s.cache = newReadCache(DefaultConfig().ReadCacheSize)
			}
			for i := 0; i < c.keys; i++ {
				s.Put("ns", fmt.Sprintf("key-%d", i), value1K, PutOptions{})
			}
			i := 0
			b.SetBytes(1024)
			for b.Loop() {
				if _, err := s.Get("ns", fmt.Sprintf("key-%d", i%c.keys)); err != nil {
					b.Fatal(err)
				}
				i++
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "gets/s")
		})
	}
}

var memTest = flag.Bool("kv.mem", false, "measure the store's memory footprint (RSS) in a child process")

// TestMemoryFootprint reports the RSS of a process with an open, empty
// store, then after 100k puts of 1 KiB: the store alone (scripts/bench-ops
// measures a whole node). Run with -kv.mem.
func TestMemoryFootprint(t *testing.T) {
	if os.Getenv("EDGEFN_KV_MEM") != "" {
		memChild(os.Getenv("EDGEFN_KV_MEM"))
		return
	}
	if !*memTest {
		t.Skip("run with -kv.mem to measure memory")
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestMemoryFootprint$")
	cmd.Env = append(os.Environ(), "EDGEFN_KV_MEM="+t.TempDir())
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	t.Logf("\n%s", out)
}

func memChild(dir string) {
	cfg := DefaultConfig()
	cfg.Dir = dir
	cfg.NodeID = "mem"
	s, err := Open(cfg)
	if err != nil {
		fmt.Println(err)
		os.Exit(1)
	}
	time.Sleep(time.Second)
	runtime.GC()
	fmt.Printf("idle, empty store: VmRSS %s\n", procStatus("VmRSS"))
	for i := 0; i < 100000; i++ {
		if _, err := s.Put("ns", fmt.Sprintf("key-%06d", i), value1K, PutOptions{}); err != nil {
			fmt.Println(err)
			os.Exit(1)
		}
	}
	time.Sleep(2 * time.Second)
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	fmt.Printf("after 100k puts of 1 KiB: VmRSS %s, peak VmHWM %s (Go heap in use %d MiB, from the OS %d MiB; RssFile %s)\n",
		procStatus("VmRSS"), procStatus("VmHWM"), ms.HeapInuse>>20, ms.Sys>>20, procStatus("RssFile"))
	if p := os.Getenv("EDGEFN_KV_MEMPROFILE"); p != "" {
		f, _ := os.Create(p)
		pprof.WriteHeapProfile(f)
		f.Close()
	}
	s.Close()
	os.Exit(0)
}

func procStatus(field string) string {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return "?"
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), field+":"); ok {
			return strings.TrimSpace(v)
		}
	}
	return "?"
}
