package kv

import (
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"
)

// holdFirstCommit makes the first group's commit wait, inside the write
// lock, until want more writes are queued behind it, so that they must
// form the next group. It returns the sizes of the groups committed.
func holdFirstCommit(t *testing.T, s *Store, want int) func() []int {
	t.Helper()
	var mu sync.Mutex
	var sizes []int
	first := true
	s.afterCommit = func() {
		if !first {
			return
		}
		first = false
		deadline := time.Now().Add(10 * time.Second)
		for {
			s.qmu.Lock()
			n := len(s.queue)
			s.qmu.Unlock()
			if n >= want || time.Now().After(deadline) {
				return
			}
			time.Sleep(time.Millisecond)
		}
	}
	s.afterGroup = func(n int) {
		mu.Lock()
		sizes = append(sizes, n)
		mu.Unlock()
	}
	return func() []int {
		mu.Lock()
		defer mu.Unlock()
		return append([]int(nil), sizes...)
	}
}

// checkConsistent checks what group commits must keep in step: every bucket
// hash is the XOR of its records' hashes, the change feed holds each record
// once, in increasing change numbers, the last of which is Seq.
func checkConsistent(t *testing.T, s *Store, ns string) {
	t.Helper()
	var want [Buckets][16]byte
	records := 0
	if err := s.scan(ns, func(r *Record, _ uint64) error {
		h := recordHash(r)
		b := bucketOf(r.Key)
		for i := range h {
			want[b][i] ^= h[i]
		}
		records++
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	got, err := s.Digest(ns)
	if err != nil {
		t.Fatal(err)
	}
	if got != want {
		t.Fatal("bucket hashes differ from the records they cover")
	}
	recs, _, err := s.Changes(0, 1<<20)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	var last uint64
	for _, r := range recs {
		if r.Seq <= last {
			t.Fatalf("change %d after %d", r.Seq, last)
		}
		last = r.Seq
		if seen[r.Namespace+"/"+r.Key] {
			t.Fatalf("%s/%s twice in the change feed", r.Namespace, r.Key)
		}
		seen[r.Namespace+"/"+r.Key] = true
	}
	if len(recs) != records {
		t.Fatalf("the change feed holds %d records, the store %d", len(recs), records)
	}
	if last != s.Seq() {
		t.Fatalf("last change %d, Seq %d", last, s.Seq())
	}
}

// Writes that arrive while a commit is under way are committed together
// in the next one, and each call returns only after that commit.
func TestGroupCommitSharesCommits(t *testing.T) {
	s, _ := openTest(t, "n1", nil)
	const writers = 32
	sizes := holdFirstCommit(t, s, writers-1)
	var wg sync.WaitGroup
	for i := 0; i < writers; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := s.Put("ns", fmt.Sprintf("k%d", i), []byte("v"), PutOptions{}); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	if got := sizes(); len(got) != 2 || got[0] != 1 || got[1] != writers-1 {
		t.Fatalf("group sizes %v, want [1 %d]", got, writers-1)
	}
	for i := 0; i < writers; i++ {
		if _, err := s.Get("ns", fmt.Sprintf("k%d", i)); err != nil {
			t.Fatal(err)
		}
	}
	checkConsistent(t, s, "ns")
}

// A write that fails on its own (a failed atomic check) fails alone: the
// others in its group commit, and the store stays consistent.
func TestGroupCommitIsolatesAFailedWrite(t *testing.T) {
	s, _ := openTest(t, "n1", nil)
	if _, err := s.Put("ns", "taken", []byte("0"), PutOptions{}); err != nil {
		t.Fatal(err)
	}
	sizes := holdFirstCommit(t, s, 9)
	var wg sync.WaitGroup
	errs := make([]error, 10)
	for i := 0; i < 10; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			switch {
			case i == 0:
				_, errs[i] = s.Put("ns", "first", []byte("1"), PutOptions{})
			case i%3 == 0: // must be absent: fails
				_, errs[i] = s.Atomic("ns", []Check{{Key: "taken"}}, []Mutation{{Kind: MutSet, Key: fmt.Sprintf("bad%d", i), Value: []byte("x")}})
			default:
				_, errs[i] = s.Atomic("ns", nil, []Mutation{{Kind: MutSet, Key: fmt.Sprintf("ok%d", i), Value: []byte("x")}, {Kind: MutSum, Key: "ctr", Delta: 1}})
			}
		}()
		if i == 0 { // the first write leads, and is held in its commit
			for {
				s.qmu.Lock()
				leading := s.leading
				s.qmu.Unlock()
				if leading {
					break
				}
				time.Sleep(time.Millisecond)
			}
		}
	}
	wg.Wait()
	if got := sizes(); len(got) != 2 || got[1] != 9 {
		t.Fatalf("group sizes %v, want [1 9]", got)
	}
	for i, err := range errs {
		switch {
		case i != 0 && i%3 == 0:
			if !errors.Is(err, ErrCheckFailed) {
				t.Errorf("write %d: %v, want a failed check", i, err)
			}
			if _, err := s.Get("ns", fmt.Sprintf("bad%d", i)); !errors.Is(err, ErrNotFound) {
				t.Errorf("a failed atomic wrote bad%d", i)
			}
		case err != nil:
			t.Errorf("write %d: %v", i, err)
		}
	}
	if c, err := s.Get("ns", "ctr"); err != nil || string(c.Value) != "6" {
		t.Fatalf("counter %v %v, want 6", c, err)
	}
	// taken, first, and two changes (okN, ctr) for each of the six
	// atomics that held; none for the failed ones.
	if s.Seq() != 2+6*2 {
		t.Fatalf("Seq %d, want 14", s.Seq())
	}
	checkConsistent(t, s, "ns")
}

// A group too big for one Badger transaction commits in several, and every
// write in it succeeds.
func TestGroupCommitSplitsWhatDoesNotFit(t *testing.T) {
	s, _ := openTest(t, "n1", nil)
	const writers = 6
	sizes := holdFirstCommit(t, s, writers-1)
	// ~1000 mutations of 400 bytes each: a few of these exceed what one
	// Badger transaction takes with 8 MiB memtables.
	val := []byte(strings.Repeat("v", 400))
	var wg sync.WaitGroup
	for i := 0; i < writers; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			muts := make([]Mutation, 900)
			for j := range muts {
				muts[j] = Mutation{Kind: MutSet, Key: fmt.Sprintf("w%d-%d", i, j), Value: val}
			}
			if _, err := s.Atomic("ns", nil, muts); err != nil {
				t.Errorf("writer %d: %v", i, err)
			}
		}()
	}
	wg.Wait()
	if got := sizes(); len(got) != 2 || got[1] != writers-1 {
		t.Fatalf("group sizes %v, want [1 %d]", got, writers-1)
	}
	if s.Seq() != writers*900 {
		t.Fatalf("Seq %d, want %d", s.Seq(), writers*900)
	}
	checkConsistent(t, s, "ns")
}

// Concurrent puts, deletes, atomics and applied batches keep the change
// feed and the bucket hashes in step, and the merge result matches a store
// that got the same records one at a time.
func TestGroupCommitConcurrentMix(t *testing.T) {
	s, _ := openTest(t, "n1", nil)
	src, _ := openTest(t, "n2", nil)
	for i := 0; i < 600; i++ {
		src.Put("ns", fmt.Sprintf("r%d", i%200), []byte(fmt.Sprint(i)), PutOptions{})
	}
	remote, _, _ := src.Changes(0, 1000)
	var wg sync.WaitGroup
	for w := 0; w < 16; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 60; i++ {
				key := fmt.Sprintf("k%d", (w*7+i)%50)
				var err error
				switch i % 5 {
				case 0, 1:
					_, err = s.Put("ns", key, []byte(fmt.Sprint(w, i)), PutOptions{})
				case 2:
					_, err = s.Delete("ns", key)
				case 3:
					_, err = s.Atomic("ns", nil, []Mutation{{Kind: MutSum, Key: "ctr", Delta: 1}, {Kind: MutSet, Key: key, Value: []byte("a")}})
				case 4:
					lo := (w*60 + i) % len(remote)
					_, err = s.Apply(remote[lo:min(lo+10, len(remote))])
				}
				if err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	if c, err := s.Get("ns", "ctr"); err != nil || string(c.Value) != fmt.Sprint(16*12) {
		t.Fatalf("counter %v %v, want %d", c, err, 16*12)
	}
	checkConsistent(t, s, "ns")
}

// Writes queued when the store closes fail with ErrClosed; none hangs.
func TestGroupCommitClose(t *testing.T) {
	s, _ := openTest(t, "n1", nil)
	var wg sync.WaitGroup
	for w := 0; w < 8; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; ; i++ {
				if _, err := s.Put("ns", fmt.Sprintf("k%d-%d", w, i), []byte("v"), PutOptions{}); err != nil {
					if !errors.Is(err, ErrClosed) {
						t.Errorf("after close: %v", err)
					}
					return
				}
			}
		}()
	}
	time.Sleep(50 * time.Millisecond)
	s.Close()
	wg.Wait()
}

// With durability "fsync" every group's commit is a synced Badger write:
// its value log and write-ahead log are fsynced before the commit returns.
func TestFsyncModeSyncsCommits(t *testing.T) {
	for _, c := range []struct {
		d    Durability
		sync bool
	}{{DurabilityProcess, false}, {DurabilityFsync, true}} {
		cfg := DefaultConfig()
		cfg.Dir = t.TempDir()
		cfg.NodeID = "n1"
		cfg.Durability = c.d
		s, err := Open(cfg)
		if err != nil {
			t.Fatal(err)
		}
		if got := s.db.Opts().SyncWrites; got != c.sync {
			t.Errorf("durability %q: Badger SyncWrites %v, want %v", c.d, got, c.sync)
		}
		s.Close()
	}
}
