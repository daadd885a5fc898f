package kv

import (
	"bytes"
	"errors"
	"fmt"
	"testing"
	"time"

	"pgregory.net/rapid"
)

// genRecords draws records as several nodes would write them: a few keys,
// values and deletes, versions from a handful of timestamps so ties between
// nodes happen.
func genRecords(t *rapid.T, base time.Time) []Record {
	n := rapid.IntRange(1, 40).Draw(t, "n")
	recs := make([]Record, n)
	for i := range recs {
		ms := rapid.IntRange(0, 5).Draw(t, "ms")
		logical := rapid.IntRange(0, 2).Draw(t, "logical")
		node := rapid.SampledFrom([]string{"n1", "n2", "n3"}).Draw(t, "node")
		r := Record{
			Namespace: rapid.SampledFrom([]string{"a", "b"}).Draw(t, "ns"),
			Key:       rapid.SampledFrom([]string{"k1", "k2", "k3", "k4"}).Draw(t, "key"),
			Version:   Version{HLC: hlcOf(base.UnixMilli()+int64(ms), uint16(logical)), Node: node},
			// A version names one write: its content follows from it, as in
			// reality (a node never writes two things at one timestamp).
			Tombstone: (ms+logical+len(node)+int(node[1]))%3 == 0,
		}
		if !r.Tombstone {
			r.Value = []byte(fmt.Sprintf("%s/%s@%v", r.Namespace, r.Key, r.Version))
			if (ms+logical)%2 == 0 {
				r.Metadata = []byte(fmt.Sprintf(`{"v":%q}`, r.Version.Node))
			}
		}
		recs[i] = r
	}
	return recs
}

func dumpAfter(t *rapid.T, batches ...[]Record) []byte {
	cfg := DefaultConfig()
	cfg.InMemory = true
	cfg.NodeID = "observer"
	cfg.Now = func() time.Time { return time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC) }
	s, err := Open(cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	for _, b := range batches {
		if _, err := s.Apply(append([]Record(nil), b...)); err != nil {
			t.Fatal(err)
		}
	}
	d, err := s.Dump()
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// TestMergeLaws checks the merge contract (see replica.go): any order, any
// grouping and any duplication of the same records give byte-identical state.
func TestMergeLaws(t *testing.T) {
	base := time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC)
	rapid.Check(t, func(t *rapid.T) {
		recs := genRecords(t, base)
		want := dumpAfter(t, recs)

		// Commutative: a permutation.
		perm := rapid.Permutation(recs).Draw(t, "perm")
		if got := dumpAfter(t, perm); !bytes.Equal(got, want) {
			t.Fatalf("order changed the state")
		}
		// Idempotent: everything twice, and one record many times.
		dup := append(append([]Record(nil), recs...), recs...)
		for i := 0; i < 3; i++ {
			dup = append(dup, recs[rapid.IntRange(0, len(recs)-1).Draw(t, "dupidx")])
		}
		if got := dumpAfter(t, dup); !bytes.Equal(got, want) {
			t.Fatalf("duplicates changed the state")
		}
		// Associative: split into batches at random points, one record a
		// batch, and batches applied in any order.
		cut := rapid.IntRange(0, len(recs)).Draw(t, "cut")
		if got := dumpAfter(t, recs[cut:], recs[:cut]); !bytes.Equal(got, want) {
			t.Fatalf("grouping changed the state")
		}
		var singles [][]Record
		for _, r := range perm {
			singles = append(singles, []Record{r})
		}
		if got := dumpAfter(t, singles...); !bytes.Equal(got, want) {
			t.Fatalf("one-by-one changed the state")
		}
	})
}

// TestReplicationConverges replays each node's writes on the others, with
// duplicates and reordering, and checks the stores end byte-identical with
// equal digests.
func TestReplicationConverges(t *testing.T) {
	stores := make([]*Store, 3)
	for i := range stores {
		stores[i], _ = openTest(t, fmt.Sprintf("n%d", i+1), nil)
	}
	for i, s := range stores {
		for j := 0; j < 50; j++ {
			key := fmt.Sprintf("k%d", j%17)
			if j%5 == 0 {
				s.Delete("ns", key)
			} else {
				s.Put("ns", key, []byte(fmt.Sprintf("n%d-%d", i, j)), PutOptions{})
			}
		}
	}
	feeds := make([][]Record, 3)
	for i, s := range stores {
		recs, _, err := s.Changes(0, 1000)
		if err != nil {
			t.Fatal(err)
		}
		feeds[i] = recs
	}
	for i, s := range stores {
		for j, f := range feeds {
			if i == j {
				continue
			}
			// Reversed, then again forwards: out of order and duplicated.
			rev := make([]Record, len(f))
			for k := range f {
				rev[len(f)-1-k] = f[k]
			}
			if _, err := s.Apply(rev); err != nil {
				t.Fatal(err)
			}
			if _, err := s.Apply(f); err != nil {
				t.Fatal(err)
			}
		}
	}
	d0, _ := stores[0].Dump()
	g0, _ := stores[0].Digest("ns")
	for _, s := range stores[1:] {
		d, _ := s.Dump()
		g, _ := s.Digest("ns")
		if !bytes.Equal(d, d0) || g != g0 {
			t.Fatal("stores diverged")
		}
	}
}

func TestDigestFindsTheDifference(t *testing.T) {
	a, _ := openTest(t, "a", nil)
	b, _ := openTest(t, "b", nil)
	for i := 0; i < 100; i++ {
		a.Put("ns", fmt.Sprint(i), []byte("x"), PutOptions{})
	}
	recs, _, _ := a.Changes(0, 1000)
	b.Apply(recs)
	a.Put("ns", "42", []byte("changed"), PutOptions{})
	da, _ := a.Digest("ns")
	db, _ := b.Digest("ns")
	var diff []int
	for i := range da {
		if da[i] != db[i] {
			diff = append(diff, i)
		}
	}
	if len(diff) != 1 || diff[0] != int(bucketOf("42")) {
		t.Fatalf("differing buckets %v", diff)
	}
	missing, _ := a.BucketRecords("ns", diff[0])
	b.Apply(missing)
	if da, db = must(a.Digest("ns")), must(b.Digest("ns")); da != db {
		t.Fatal("repairing the bucket did not converge")
	}
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

func TestApplyRefusals(t *testing.T) {
	s, clk := openTest(t, "n1", func(c *Config) { c.MaxClockSkew = time.Minute })
	good := Record{Namespace: "ns", Key: "k", Value: []byte("v"), Version: Version{HLC: hlcOf(clk.Now().UnixMilli(), 0), Node: "n2"}}
	future := good
	future.Key = "f"
	future.Version.HLC = hlcOf(clk.Now().Add(time.Hour).UnixMilli(), 0)
	res, err := s.Apply([]Record{good, future})
	if err != nil || res.Applied != 1 || res.Refused != 1 || !errors.Is(res.LastSkew, ErrClockSkew) {
		t.Fatalf("skew: %+v %v", res, err)
	}
	if _, err := s.Get("ns", "f"); !errors.Is(err, ErrNotFound) {
		t.Fatal("a record from the far future was applied")
	}
	bad := good
	bad.Key = ""
	seq := s.Seq()
	if _, err := s.Apply([]Record{good, bad}); err == nil {
		t.Fatal("an invalid record was accepted")
	}
	if s.Seq() != seq {
		t.Fatal("a batch with an invalid record applied part of itself")
	}
	// An expired record removes what it supersedes and is not stored.
	exp := good
	exp.Version.HLC++
	exp.Expiration = clk.Now().Unix() - 1
	if res, _ := s.Apply([]Record{exp}); res.Applied != 1 {
		t.Fatalf("expired record: %+v", res)
	}
	if _, err := s.Get("ns", "k"); !errors.Is(err, ErrNotFound) {
		t.Fatal("the superseded record survived")
	}
}

func TestTombstoneCollection(t *testing.T) {
	s, clk := openTest(t, "n1", nil)
	s.Put("ns", "live", []byte("v"), PutOptions{})
	s.Delete("ns", "old")
	clk.Add(time.Hour)
	cut := s.clock.Now()
	s.Delete("ns", "new")
	n, err := s.CollectTombstones(cut)
	if err != nil || n != 1 {
		t.Fatalf("collected %d %v", n, err)
	}
	var keys []string
	s.scan("ns", func(r *Record, _ uint64) error { keys = append(keys, r.Key); return nil })
	if fmt.Sprint(keys) != "[live new]" {
		t.Fatalf("left %v", keys)
	}
	// Digests stay consistent with the records after collection.
	other, _ := openTest(t, "n2", func(c *Config) { c.Now = clk.Now })
	recs, _, _ := s.Changes(0, 100)
	if res, err := other.Apply(recs); err != nil || res.Applied != 2 {
		t.Fatalf("apply: %+v %v", res, err)
	}
	if must(s.Digest("ns")) != must(other.Digest("ns")) {
		t.Fatal("digest out of step after collection")
	}
}

func TestDecodersRefuseGarbage(t *testing.T) {
	r := Record{Namespace: "ns", Key: "k", Value: []byte("value"), Metadata: []byte(`{}`), Expiration: 99, Version: Version{HLC: 12345, Node: "n1"}}
	enc, _ := r.MarshalBinary()
	got, err := UnmarshalRecord(enc)
	if err != nil || got.Key != "k" || string(got.Value) != "value" || got.Version != r.Version || got.Expiration != 99 {
		t.Fatalf("round trip: %+v %v", got, err)
	}
	for i := 0; i < len(enc); i++ {
		if _, err := UnmarshalRecord(enc[:i]); !errors.Is(err, ErrCorrupt) {
			t.Fatalf("truncated at %d: %v", i, err)
		}
		flipped := append([]byte(nil), enc...)
		flipped[i] ^= 0x40
		if _, err := UnmarshalRecord(flipped); err == nil {
			t.Fatalf("a flipped byte at %d went unnoticed", i)
		}
	}
	batch, _ := EncodeBatch([]Record{r, r})
	if recs, err := DecodeBatch(batch); err != nil || len(recs) != 2 {
		t.Fatalf("batch: %d %v", len(recs), err)
	}
	for i := 0; i < len(batch); i++ {
		if _, err := DecodeBatch(batch[:i]); !errors.Is(err, ErrCorrupt) {
			t.Fatalf("truncated batch at %d: %v", i, err)
		}
	}
}

func FuzzUnmarshalRecord(f *testing.F) {
	r := Record{Namespace: "ns", Key: "k", Value: []byte("v"), Version: Version{HLC: 1, Node: "n"}}
	enc, _ := r.MarshalBinary()
	f.Add(enc)
	f.Add([]byte{recordMagic, formatV1})
	f.Fuzz(func(t *testing.T, b []byte) {
		r, err := UnmarshalRecord(b)
		if err != nil {
			return
		}
		again, err := r.MarshalBinary()
		if err != nil || !bytes.Equal(again, b) {
			t.Fatalf("accepted input does not round-trip")
		}
	})
}

func FuzzDecodeBatch(f *testing.F) {
	r := Record{Namespace: "ns", Key: "k", Value: []byte("v"), Version: Version{HLC: 1, Node: "n"}}
	b, _ := EncodeBatch([]Record{r})
	f.Add(b)
	f.Fuzz(func(t *testing.T, b []byte) {
		recs, err := DecodeBatch(b)
		if err == nil {
			again, err := EncodeBatch(recs)
			if err != nil || !bytes.Equal(again, b) {
				t.Fatal("accepted batch does not round-trip")
			}
		}
	})
}

func FuzzListCursor(f *testing.F) {
	f.Add(encodeCursor("ns", "key"))
	f.Add("")
	f.Fuzz(func(t *testing.T, c string) {
		_, _ = decodeCursor("ns", c)
	})
}

func TestSyncedTombstonesForgetAndFeedIndex(t *testing.T) {
	dir := t.TempDir()
	clk := &testClock{t: time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC)}
	open := func() *Store {
		cfg := DefaultConfig()
		cfg.Dir, cfg.NodeID, cfg.Now = dir, "n1", clk.Now
		s, err := Open(cfg)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	s := open()
	for i := 0; i < 50; i++ {
		s.Put("ns", "hot", []byte(fmt.Sprint(i)), PutOptions{})
	}
	s.Delete("ns", "gone")
	synced := s.Seq() + 1
	s.Delete("ns", "later")
	// The feed holds one entry per key: 50 puts of one key leave one.
	recs, _, _ := s.Changes(0, 1000)
	if len(recs) != 3 {
		t.Fatalf("feed after rewrites: %d records", len(recs))
	}
	n, err := s.CollectSyncedTombstones(synced, s.Clock()+1, 0)
	if err != nil || n != 1 {
		t.Fatalf("collected %d %v", n, err)
	}
	gone := must(s.BucketRecords("ns", BucketOf("later")))
	hz := s.Horizon()
	if hz == 0 {
		t.Fatal("no horizon after collection")
	}
	// Forget removes exactly the version given, nothing newer.
	hot := must(s.Get("ns", "hot"))
	stale := Record{Namespace: "ns", Key: "hot", Version: Version{HLC: hot.Version.HLC - 1, Node: "n1"}}
	if n, _ := s.Forget([]Record{stale}); n != 0 {
		t.Fatal("forgot a version the store does not hold")
	}
	if n, _ := s.Forget([]Record{{Namespace: "ns", Key: "hot", Version: hot.Version}}); n != 1 {
		t.Fatal("did not forget the version held")
	}
	if _, err := s.Get("ns", "hot"); !errors.Is(err, ErrNotFound) {
		t.Fatal("forgotten key still reads")
	}
	s.Close()
	s = open()
	defer s.Close()
	if s.Horizon() != hz {
		t.Fatalf("horizon after reopen %v, want %v", s.Horizon(), hz)
	}
	if len(gone) == 0 || len(must(s.BucketRecords("ns", BucketOf("later")))) == 0 {
		t.Fatal("the unsynced tombstone went")
	}
}

// A large batch (a whole namespace pulled by anti-entropy) applies, though
// Badger bounds one transaction's size.
func TestApplyLargeBatch(t *testing.T) {
	a, _ := openTest(t, "n1", nil)
	b, _ := openTest(t, "n2", nil)
	for i := 0; i < 3000; i++ {
		a.Put("ns", fmt.Sprintf("k%05d", i), make([]byte, 200), PutOptions{})
	}
	recs, _, _ := a.Changes(0, 5000)
	res, err := b.Apply(recs)
	if err != nil || res.Applied != 3000 {
		t.Fatalf("apply of 3000 records: %+v %v", res, err)
	}
	if must(a.Dump()) == nil || !bytes.Equal(must(a.Dump()), must(b.Dump())) {
		t.Fatal("the stores differ after a large batch")
	}
}
