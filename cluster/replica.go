package cluster

import "time"

// Buckets is the number of anti-entropy buckets of a namespace: the store
// keeps one hash per bucket and the digests compared have this many.
const Buckets = 256

// Digest is a namespace's bucket hashes; a zero hash is an empty bucket.
// Two replicas hold the same records in a bucket exactly when its hashes
// are equal.
type Digest [Buckets][16]byte

// Record is what replication needs to know of one stored record: where it
// lives and its version. Data is the store's own encoding of the whole
// record (value, metadata, expiration, version), moved as it is.
type Record struct {
	Namespace string
	Key       string
	// HLC is the version's hybrid logical clock timestamp: milliseconds
	// since the Unix epoch in the high 48 bits, a counter in the low 16.
	HLC  uint64
	Node string // the node that wrote this version
	// Tombstone marks a delete.
	Tombstone bool
	Data      []byte
	// Seq is the record's local change number (set by Changes and
	// BucketRecords).
	Seq uint64
}

// newer reports whether r's version is newer than (HLC, node).
func (r *Record) newer(hlc uint64, node string) bool {
	if r.HLC != hlc {
		return r.HLC > hlc
	}
	return r.Node > node
}

// ApplyResult says what applying records did.
type ApplyResult struct {
	Applied int // records that changed the store
	Stale   int // records older than, or the same as, what the store holds
	Refused int // records refused for a timestamp too far in the future
	// Skew is the last clock-skew refusal (nil when none).
	Skew error
}

// Replica is the store a node replicates. Every method is safe for
// concurrent use.
type Replica interface {
	// Seq is the local change number of the latest change.
	Seq() uint64
	// Notify returns a channel closed at the next change.
	Notify() <-chan struct{}
	// Changes returns up to max changed records with a change number at or
	// after from, in change order (each key once, at its latest change),
	// and the change number to continue from.
	Changes(from uint64, max int) ([]Record, uint64, error)
	// Apply merges records written elsewhere (last writer wins), refusing
	// the whole batch if any record is invalid.
	Apply(recs []Record) (ApplyResult, error)
	// Decode checks and decodes a record's Data.
	Decode(data []byte) (Record, error)
	// Namespaces lists every namespace that holds records.
	Namespaces() ([]string, error)
	// Digest returns a namespace's bucket hashes.
	Digest(ns string) (Digest, error)
	// BucketRecords returns every record (tombstones included) of the given
	// buckets of a namespace.
	BucketRecords(ns string, buckets []int) ([]Record, error)
	// BucketOf is the bucket of a key.
	BucketOf(key string) int
	// Forget removes exactly these versions, where still held.
	Forget(recs []Record) (int, error)
	// CollectSyncedTombstones removes, in one pass, tombstones taken in
	// before change number belowSeq and older than before, and tombstones
	// older than expired, whatever their change number (HLCs).
	CollectSyncedTombstones(belowSeq, before, expired uint64) (int, error)
	// Horizon bounds the tombstones collected so far: all were older.
	Horizon() uint64
}

// hlcAt is the HLC timestamp of a wall-clock time (logical part zero).
func hlcAt(t time.Time) uint64 {
	ms := t.UnixMilli()
	if ms < 0 {
		return 0
	}
	return uint64(ms) << 16
}
