package kv

import (
	"errors"
	"fmt"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/dgraph-io/badger/v4"
)

// The read cache never serves a value older than the store holds: after
// a put, delete, atomic, replicated record or expiry, a read sees the
// change, from Get and from GetCached alike.
func TestReadCacheFollowsEveryWrite(t *testing.T) {
	s, clk := openTest(t, "n1", nil)
	read := func(key string) string {
		t.Helper()
		e, err := s.Get("ns", key)
		if errors.Is(err, ErrNotFound) {
			return "<none>"
		}
		if err != nil {
			t.Fatal(err)
		}
		return string(e.Value)
	}
	cached := func(key string) string {
		if e, ok := s.GetCached("ns", key); ok {
			return string(e.Value)
		}
		return "<miss>"
	}
	if _, err := s.Put("ns", "k", []byte("one"), PutOptions{}); err != nil {
		t.Fatal(err)
	}
	if cached("k") != "<miss>" {
		t.Fatal("a put filled the cache")
	}
	if read("k") != "one" || cached("k") != "one" {
		t.Fatalf("read %q, cached %q", read("k"), cached("k"))
	}
	s.Put("ns", "k", []byte("two"), PutOptions{})
	if cached("k") != "<miss>" || read("k") != "two" {
		t.Fatal("a put left the old value cached")
	}
	s.Delete("ns", "k")
	if cached("k") != "<miss>" || read("k") != "<none>" {
		t.Fatal("a delete left the value cached")
	}
	s.Put("ns", "n", []byte("1"), PutOptions{})
	read("n")
	if _, err := s.Atomic("ns", nil, []Mutation{{Kind: MutSet, Key: "n", Value: []byte("2")}}); err != nil {
		t.Fatal(err)
	}
	if read("n") != "2" {
		t.Fatal("an atomic write left the old value cached")
	}
	later := Record{Namespace: "ns", Key: "n", Value: []byte("remote"), Version: Version{HLC: hlcOf(clk.Now().UnixMilli()+1000, 0), Node: "n2"}}
	if _, err := s.Apply([]Record{later}); err != nil {
		t.Fatal(err)
	}
	if read("n") != "remote" {
		t.Fatal("a replicated record left the old value cached")
	}
	s.Put("ns", "ttl", []byte("soon gone"), PutOptions{ExpirationTTL: 60})
	if read("ttl") != "soon gone" || cached("ttl") != "soon gone" {
		t.Fatal("ttl key not cached")
	}
	clk.Add(61 * time.Second)
	if cached("ttl") != "<miss>" || read("ttl") != "<none>" {
		t.Fatal("an expired value was served from the cache")
	}
}

// Between a write's commit and the end of its bracket, a read of the key
// neither returns the old value from the cache nor caches it.
func TestReadCacheAtTheCommit(t *testing.T) {
	s, _ := openTest(t, "n1", nil)
	s.Put("ns", "k", []byte("old"), PutOptions{})
	s.Get("ns", "k") // cached
	var during []string
	s.afterCommit = func() {
		if e, ok := s.GetCached("ns", "k"); ok {
			during = append(during, "cached "+string(e.Value))
		}
		// A concurrent reader's whole Get: Badger already has the new value.
		if e, err := s.Get("ns", "k"); err != nil || string(e.Value) != "new" {
			during = append(during, fmt.Sprintf("get %v %v", e, err))
		}
	}
	s.Put("ns", "k", []byte("new"), PutOptions{})
	s.afterCommit = nil
	if len(during) > 0 {
		t.Fatalf("at the commit: %v", during)
	}
	if e, ok := s.GetCached("ns", "k"); ok {
		t.Fatalf("a read during the write filled the cache with %q", e.Value)
	}
	if e, _ := s.Get("ns", "k"); string(e.Value) != "new" {
		t.Fatalf("after: %q", e.Value)
	}
}

// Readers racing a writer never go back in time: each sees values in the
// order written, and all see the last one once the writer is done.
func TestReadCacheUnderConcurrentWrites(t *testing.T) {
	s, _ := openTest(t, "n1", nil)
	const writes = 400
	s.Put("ns", "k", []byte("0"), PutOptions{})
	var done atomic.Bool
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for r := 0; r < 3; r++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			last := -1
			for !done.Load() {
				var v string
				if e, ok := s.GetCached("ns", "k"); ok {
					v = string(e.Value)
				} else if e, err := s.Get("ns", "k"); err == nil {
					v = string(e.Value)
				} else {
					errs <- err
					return
				}
				n, _ := strconv.Atoi(v)
				if n < last {
					errs <- fmt.Errorf("read %d after %d", n, last)
					return
				}
				last = n
				// Leave the CPU to the writer and to the other packages'
				// tests running at the same time.
				time.Sleep(20 * time.Microsecond)
			}
		}()
	}
	for i := 1; i <= writes; i++ {
		if _, err := s.Put("ns", "k", []byte(strconv.Itoa(i)), PutOptions{}); err != nil {
			t.Fatal(err)
		}
		if e, err := s.Get("ns", "k"); err != nil || string(e.Value) != strconv.Itoa(i) {
			t.Fatalf("the writer read back %v %v after writing %d", e, err, i)
		}
	}
	done.Store(true)
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
}

// The cache stays within its byte budget and skips large values.
func TestReadCacheBounded(t *testing.T) {
	s, _ := openTest(t, "n1", func(c *Config) { c.ReadCacheSize = 64 << 10 })
	val := make([]byte, 1000)
	for i := 0; i < 500; i++ {
		key := fmt.Sprintf("k%03d", i)
		s.Put("ns", key, val, PutOptions{})
		s.Get("ns", key)
	}
	if b := s.cache.bytes; b > 64<<10 || len(s.cache.entries) == 0 {
		t.Fatalf("cache holds %d bytes in %d entries", b, len(s.cache.entries))
	}
	s.Put("ns", "big", make([]byte, 100<<10), PutOptions{})
	s.Get("ns", "big")
	if _, ok := s.GetCached("ns", "big"); ok {
		t.Fatal("a 100 KiB value was cached")
	}
	off, _ := openTest(t, "n2", func(c *Config) { c.ReadCacheSize = -1 })
	off.Put("ns", "k", []byte("v"), PutOptions{})
	off.Get("ns", "k")
	if _, ok := off.GetCached("ns", "k"); ok {
		t.Fatal("a disabled cache served a read")
	}
}

// A write transaction that bypasses Store.update turns the cache off
// instead of leaving it able to serve what the write replaced.
func TestReadCacheOffAfterABypassingWrite(t *testing.T) {
	s, _ := openTest(t, "n1", nil)
	s.Put("ns", "k", []byte("v"), PutOptions{})
	s.Get("ns", "k")
	s.wmu.Lock()
	err := s.db.Update(func(txn *badger.Txn) error {
		return s.store(txn, &Record{Namespace: "ns", Key: "k", Value: []byte("w"), Version: Version{HLC: s.clock.Now(), Node: "n1"}}, nil, 0, s.seq+1)
	})
	s.wmu.Unlock()
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := s.GetCached("ns", "k"); ok {
		t.Fatal("the cache still answers after a bypassing write")
	}
	if e, err := s.Get("ns", "k"); err != nil || string(e.Value) != "w" {
		t.Fatalf("get: %v %v", e, err)
	}
	if _, ok := s.GetCached("ns", "k"); ok {
		t.Fatal("the cache filled again after it was turned off")
	}
}

// What Get returns is the caller's to change: the cache keeps its copy.
func TestReadCacheGetReturnsACopy(t *testing.T) {
	s, _ := openTest(t, "n1", nil)
	s.Put("ns", "k", []byte("value"), PutOptions{})
	e, _ := s.Get("ns", "k") // fills
	e.Value[0] = 'X'
	e2, _ := s.Get("ns", "k") // from the cache
	e2.Value[1] = 'Y'
	if e3, _ := s.Get("ns", "k"); string(e3.Value) != "value" {
		t.Fatalf("the cached value changed: %q", e3.Value)
	}
}

// A memo is made once per cached entry, shared by every reader, dropped
// with the entry by a write, and counted in the cache's byte budget.
func TestReadCacheMemo(t *testing.T) {
	s, _ := openTest(t, "n1", func(c *Config) { c.ReadCacheSize = 64 << 10 })
	made := 0
	derive := func(e *Entry) (any, int) {
		made++
		return "memo of " + string(e.Value), 1000
	}
	s.Put("ns", "k", []byte("one"), PutOptions{})
	s.Get("ns", "k") // fills
	e, ok := s.GetCached("ns", "k")
	if !ok {
		t.Fatal("not cached")
	}
	before := s.cache.bytes
	if v := e.Memo(derive); v != "memo of one" || made != 1 {
		t.Fatalf("memo %v, made %d times", v, made)
	}
	if got := s.cache.bytes - before; got != 1000 {
		t.Fatalf("the memo added %d bytes to the cache, want 1000", got)
	}
	e2, _ := s.GetCached("ns", "k")
	if v := e2.Memo(derive); v != "memo of one" || made != 1 {
		t.Fatalf("second read: memo %v, made %d times", v, made)
	}
	s.Put("ns", "k", []byte("two"), PutOptions{})
	if s.cache.bytes != 0 {
		t.Fatalf("a write left %d bytes counted", s.cache.bytes)
	}
	s.Get("ns", "k")
	e3, _ := s.GetCached("ns", "k")
	if v := e3.Memo(derive); v != "memo of two" || made != 2 {
		t.Fatalf("after a write: memo %v, made %d times", v, made)
	}
	// An entry Get returns is the caller's: no memo is kept for it.
	own, _ := s.Get("ns", "k")
	own.Memo(derive)
	own.Memo(derive)
	if made != 4 {
		t.Fatalf("a caller's entry kept its memo (made %d times)", made)
	}
	// Memos count against the bound: large ones evict entries.
	for i := 0; i < 200; i++ {
		key := fmt.Sprintf("m%03d", i)
		s.Put("ns", key, []byte("v"), PutOptions{})
		s.Get("ns", key)
		if e, ok := s.GetCached("ns", key); ok {
			e.Memo(func(*Entry) (any, int) { return nil, 4 << 10 })
		}
	}
	if b := s.cache.bytes; b > 64<<10 || len(s.cache.entries) > 16 {
		t.Fatalf("cache holds %d bytes in %d entries", b, len(s.cache.entries))
	}
	sum := 0
	for k, e := range s.cache.entries {
		sum += entrySize(k, e)
	}
	if sum != s.cache.bytes {
		t.Fatalf("cache counts %d bytes, its entries hold %d", s.cache.bytes, sum)
	}
}

// Readers racing to make one entry's memo all get the same value.
func TestReadCacheMemoConcurrent(t *testing.T) {
	s, _ := openTest(t, "n1", nil)
	s.Put("ns", "k", []byte("v"), PutOptions{})
	s.Get("ns", "k")
	e, _ := s.GetCached("ns", "k")
	var wg sync.WaitGroup
	got := make([]any, 8)
	for i := range got {
		wg.Add(1)
		go func() {
			defer wg.Done()
			got[i] = e.Memo(func(*Entry) (any, int) { return new(int), 8 })
		}()
	}
	wg.Wait()
	for _, g := range got[1:] {
		if g != got[0] {
			t.Fatal("readers got different memos")
		}
	}
	if s.cache.bytes != entrySize(cacheKey("ns", "k"), e) {
		t.Fatalf("cache counts %d bytes, the entry holds %d", s.cache.bytes, entrySize(cacheKey("ns", "k"), e))
	}
}
