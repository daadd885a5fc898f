package kv

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"
)

// testClock is a settable physical clock.
type testClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *testClock) Add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

func openTest(t testing.TB, node string, edit func(*Config)) (*Store, *testClock) {
	t.Helper()
	clk := &testClock{t: time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC)}
	cfg := DefaultConfig()
	cfg.InMemory = true
	cfg.NodeID = node
	cfg.Now = clk.Now
	if edit != nil {
		edit(&cfg)
	}
	s, err := Open(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s, clk
}

func TestPutGetDelete(t *testing.T) {
	s, _ := openTest(t, "n1", nil)
	v1, err := s.Put("cache", "k", []byte("v1"), PutOptions{Metadata: []byte(`{"a":1}`)})
	if err != nil {
		t.Fatal(err)
	}
	e, err := s.Get("cache", "k")
	if err != nil || string(e.Value) != "v1" || string(e.Metadata) != `{"a":1}` || e.Version != v1 {
		t.Fatalf("get: %+v %v", e, err)
	}
	v2, _ := s.Put("cache", "k", []byte("v2"), PutOptions{})
	if !v1.Less(v2) {
		t.Fatalf("versions not increasing: %v then %v", v1, v2)
	}
	if _, err := s.Get("other", "k"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("namespaces leak: %v", err)
	}
	if _, err := s.Delete("cache", "k"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Get("cache", "k"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("after delete: %v", err)
	}
	nss, _ := s.Namespaces()
	if strings.Join(nss, ",") != "cache" {
		t.Fatalf("namespaces %v", nss)
	}
}

func TestLimitsAndBadInput(t *testing.T) {
	s, _ := openTest(t, "n1", func(c *Config) { c.MaxValueSize = 1024 })
	cases := []struct {
		name string
		err  error
		text string
		op   func() error
	}{
		{"key too large", ErrKeyTooLarge, "513 bytes; the limit is 512", func() error {
			_, err := s.Put("ns", strings.Repeat("k", 513), nil, PutOptions{})
			return err
		}},
		{"empty key", ErrEmptyKey, "", func() error { _, err := s.Put("ns", "", nil, PutOptions{}); return err }},
		{"value too large", ErrValueTooLarge, "1025 bytes; the limit is 1024", func() error {
			_, err := s.Put("ns", "k", make([]byte, 1025), PutOptions{})
			return err
		}},
		{"metadata too large", ErrMetadataTooLarge, "the limit is 1024", func() error {
			_, err := s.Put("ns", "k", nil, PutOptions{Metadata: []byte(`"` + strings.Repeat("x", 1100) + `"`)})
			return err
		}},
		{"metadata not JSON", ErrBadMetadata, "", func() error {
			_, err := s.Put("ns", "k", nil, PutOptions{Metadata: []byte(`{oops`)})
			return err
		}},
		{"ttl too small", ErrInvalidTTL, "below the minimum of 60", func() error {
			_, err := s.Put("ns", "k", nil, PutOptions{ExpirationTTL: 30})
			return err
		}},
		{"negative ttl", ErrInvalidTTL, "negative", func() error {
			_, err := s.Put("ns", "k", nil, PutOptions{ExpirationTTL: -5})
			return err
		}},
		{"expiration in the past", ErrInvalidTTL, "less than 60 seconds from now", func() error {
			_, err := s.Put("ns", "k", nil, PutOptions{Expiration: 1000})
			return err
		}},
		{"bad cursor", ErrInvalidCursor, "not a cursor", func() error {
			_, err := s.List("ns", ListOptions{Cursor: "!!!"})
			return err
		}},
		{"bad limit", ErrInvalidLimit, "outside 1-1000", func() error {
			_, err := s.List("ns", ListOptions{Limit: 5000})
			return err
		}},
		{"empty namespace", ErrBadNamespace, "", func() error { _, err := s.Put("", "k", nil, PutOptions{}); return err }},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.op()
			if !errors.Is(err, tc.err) || !strings.Contains(err.Error(), tc.text) {
				t.Fatalf("err = %v, want %v mentioning %q", err, tc.err, tc.text)
			}
		})
	}
	if _, err := s.Get("ns", "k"); !errors.Is(err, ErrNotFound) {
		t.Fatal("a refused write stored something")
	}
	if s.Seq() != 0 {
		t.Fatalf("refused writes advanced the change feed to %d", s.Seq())
	}
}

func TestListPagesAndCursors(t *testing.T) {
	s, clk := openTest(t, "n1", nil)
	for i := 0; i < 25; i++ {
		if _, err := s.Put("ns", fmt.Sprintf("user:%02d", i), []byte("x"), PutOptions{Metadata: []byte(fmt.Sprintf(`{"i":%d}`, i))}); err != nil {
			t.Fatal(err)
		}
	}
	s.Put("ns", "other:1", []byte("x"), PutOptions{})
	s.Delete("ns", "user:03")
	s.Put("ns", "user:05", []byte("short-lived"), PutOptions{ExpirationTTL: 60})
	clk.Add(2 * time.Minute) // user:05 expired
	var all []string
	cursor := ""
	pages := 0
	for {
		res, err := s.List("ns", ListOptions{Prefix: "user:", Limit: 10, Cursor: cursor})
		if err != nil {
			t.Fatal(err)
		}
		pages++
		for _, k := range res.Keys {
			all = append(all, k.Name)
		}
		if res.ListComplete {
			if res.Cursor != "" {
				t.Fatal("a complete list has a cursor")
			}
			break
		}
		cursor = res.Cursor
	}
	if len(all) != 23 || all[0] != "user:00" || all[22] != "user:24" || pages != 3 {
		t.Fatalf("listed %d keys in %d pages: %v", len(all), pages, all)
	}
	for _, k := range all {
		if k == "user:03" || k == "user:05" {
			t.Fatalf("listed deleted or expired %s", k)
		}
	}
	res, _ := s.List("ns", ListOptions{Prefix: "user:1", Limit: 2})
	if res.Keys[0].Name != "user:10" || string(res.Keys[0].Metadata) != `{"i":10}` {
		t.Fatalf("prefix list %+v", res.Keys)
	}
	if _, err := s.List("other", ListOptions{Cursor: res.Cursor}); !errors.Is(err, ErrInvalidCursor) {
		t.Fatalf("a cursor of another namespace: %v", err)
	}
}

func TestExpiration(t *testing.T) {
	s, clk := openTest(t, "n1", nil)
	s.Put("ns", "ttl", []byte("x"), PutOptions{ExpirationTTL: 120})
	e, err := s.Get("ns", "ttl")
	if err != nil || e.Expiration != clk.Now().Unix()+120 {
		t.Fatalf("%+v %v", e, err)
	}
	clk.Add(119 * time.Second)
	if _, err := s.Get("ns", "ttl"); err != nil {
		t.Fatal("expired early")
	}
	clk.Add(2 * time.Second)
	if _, err := s.Get("ns", "ttl"); !errors.Is(err, ErrNotFound) {
		t.Fatal("not expired")
	}
	n, err := s.ExpireNow()
	if err != nil || n != 1 {
		t.Fatalf("expire: %d %v", n, err)
	}
	// The expired write stays as a tombstone of its version, so an older
	// write of the key replicated later cannot bring it back.
	recs, _ := s.BucketRecords("ns", BucketOf("ttl"))
	if len(recs) != 1 || !recs[0].Tombstone || recs[0].Version != e.Version {
		t.Fatalf("after expiry: %+v", recs)
	}
	older := Record{Namespace: "ns", Key: "ttl", Value: []byte("old"), Version: Version{HLC: e.Version.HLC - 1, Node: "n0"}}
	if res, err := s.Apply([]Record{older}); err != nil || res.Stale != 1 {
		t.Fatalf("an older write after expiry: %+v %v", res, err)
	}
	if n, err := s.CollectTombstones(e.Version.HLC + 1); err != nil || n != 1 {
		t.Fatalf("collect: %d %v", n, err)
	}
	if d, _ := s.Digest("ns"); d != ([Buckets][16]byte{}) {
		t.Fatal("a collected tombstone left a bucket hash")
	}
	if s.Horizon() != e.Version.HLC+1 {
		t.Fatalf("horizon %v, want past %v", s.Horizon(), e.Version.HLC)
	}
}

func TestHLC(t *testing.T) {
	clk := &testClock{t: time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC)}
	c := clock{now: clk.Now, maxSkew: time.Second}
	a := c.Now()
	b := c.Now()
	if !(a < b) || a.Physical() != b.Physical() || b.Logical() != 1 {
		t.Fatalf("same millisecond: %v %v", a, b)
	}
	clk.Add(-time.Hour) // the wall clock steps back
	if d := c.Now(); d <= b {
		t.Fatalf("the clock went backwards: %v after %v", d, b)
	}
	clk.Add(time.Hour)
	remote := hlcOf(clk.Now().Add(500*time.Millisecond).UnixMilli(), 7)
	if err := c.Observe(remote); err != nil {
		t.Fatal(err)
	}
	if e := c.Now(); e <= remote {
		t.Fatalf("not after the observed remote time: %v", e)
	}
	far := hlcOf(clk.Now().Add(time.Minute).UnixMilli(), 0)
	if err := c.Observe(far); !errors.Is(err, ErrClockSkew) {
		t.Fatalf("far future accepted: %v", err)
	}
}

func TestRestartKeepsDataSeqAndClock(t *testing.T) {
	dir := t.TempDir()
	clk := &testClock{t: time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC)}
	open := func() *Store {
		cfg := DefaultConfig()
		cfg.Dir = dir
		cfg.NodeID = "n1"
		cfg.Now = clk.Now
		s, err := Open(cfg)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	s := open()
	var last Version
	for i := 0; i < 10; i++ {
		last, _ = s.Put("ns", fmt.Sprint(i), []byte("v"), PutOptions{})
	}
	seq := s.Seq()
	dump, _ := s.Dump()
	s.Close()
	clk.Add(-time.Hour) // restarted with a clock that runs behind
	s = open()
	defer s.Close()
	if s.Seq() != seq {
		t.Fatalf("seq %d after restart, was %d", s.Seq(), seq)
	}
	if d, _ := s.Dump(); !bytes.Equal(d, dump) {
		t.Fatal("data changed across a restart")
	}
	v, _ := s.Put("ns", "after", []byte("v"), PutOptions{})
	if !last.Less(v) {
		t.Fatalf("a version after restart (%v) is not after the last one before (%v)", v, last)
	}
}

func TestChangesFeed(t *testing.T) {
	s, _ := openTest(t, "n1", nil)
	wait := s.Notify()
	s.Put("a", "k1", []byte("1"), PutOptions{})
	select {
	case <-wait:
	default:
		t.Fatal("Notify did not fire")
	}
	s.Put("a", "k2", []byte("2"), PutOptions{})
	s.Put("a", "k1", []byte("3"), PutOptions{})
	s.Delete("b", "k3")
	recs, next, err := s.Changes(0, 100)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, r := range recs {
		got = append(got, fmt.Sprintf("%s/%s=%s%v", r.Namespace, r.Key, r.Value, r.Tombstone))
	}
	if strings.Join(got, " ") != "a/k2=2false a/k1=3false b/k3=true" || next != 5 {
		t.Fatalf("changes %v next %d", got, next)
	}
	recs, next2, _ := s.Changes(next, 100)
	if len(recs) != 0 || next2 != next {
		t.Fatalf("no new changes: %d %d", len(recs), next2)
	}
	s.Put("a", "k4", []byte("4"), PutOptions{})
	recs, _, _ = s.Changes(next, 1)
	if len(recs) != 1 || recs[0].Key != "k4" {
		t.Fatalf("tail: %+v", recs)
	}
}

func TestAtomic(t *testing.T) {
	s, _ := openTest(t, "n1", nil)
	v, err := s.Atomic("ns", []Check{{Key: "a", Versionstamp: ""}}, []Mutation{{Kind: MutSet, Key: "a", Value: []byte("1")}, {Kind: MutSum, Key: "n", Delta: 5}})
	if err != nil {
		t.Fatal(err)
	}
	e, _ := s.Get("ns", "a")
	if _, err := s.Atomic("ns", []Check{{Key: "a", Versionstamp: ""}}, []Mutation{{Kind: MutSet, Key: "a", Value: []byte("2")}}); !errors.Is(err, ErrCheckFailed) {
		t.Fatalf("stale check: %v", err)
	}
	if _, err := s.Atomic("ns", []Check{{Key: "a", Versionstamp: e.Version.Stamp()}}, []Mutation{{Kind: MutSet, Key: "a", Value: []byte("2")}, {Kind: MutSum, Key: "n", Delta: -2}, {Kind: MutDelete, Key: "gone"}}); err != nil {
		t.Fatal(err)
	}
	a, _ := s.Get("ns", "a")
	n, _ := s.Get("ns", "n")
	if string(a.Value) != "2" || string(n.Value) != "3" || v.IsZero() {
		t.Fatalf("a=%s n=%s", a.Value, n.Value)
	}
	// A failed check writes nothing.
	seq := s.Seq()
	s.Atomic("ns", []Check{{Key: "a", Versionstamp: "nope"}}, []Mutation{{Kind: MutSum, Key: "n", Delta: 100}})
	if s.Seq() != seq {
		t.Fatal("a failed atomic wrote")
	}
	// Concurrent sums on one node are exact.
	var wg sync.WaitGroup
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := 0; j < 50; j++ {
				if _, err := s.Atomic("ns", nil, []Mutation{{Kind: MutSum, Key: "ctr", Delta: 1}}); err != nil {
					t.Error(err)
				}
			}
		}()
	}
	wg.Wait()
	if c, _ := s.Get("ns", "ctr"); string(c.Value) != "400" {
		t.Fatalf("counter %s", c.Value)
	}
}
