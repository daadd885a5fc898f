// Package kv is edgefn's replicated key-value store on Badger.
//
// A Store holds namespaces of versioned records. Every write is stamped
// with a Version: a hybrid logical clock timestamp (HLC) plus the writing
// node's id, and the newest version of a key wins everywhere (last writer
// wins). Deletes leave tombstones so they replicate too. Values may carry
// JSON metadata and an expiration; expired records vanish from reads and
// become tombstones in the background.
//
// The local API is Workers KV's: Get, Put (PutOptions: Expiration,
// ExpirationTTL, Metadata), Delete, List (prefix, limit <= 1000, opaque
// cursor), plus Atomic (checks on versionstamps, set/delete/sum, one
// transaction on one node: atomic on that node only; across nodes the
// later version wins, so two nodes may both pass the same check and sums
// made on different nodes can be lost). Reads go through a small cache
// that every write invalidates before it commits; GetCached answers from
// it without touching the disk, and Entry.Memo keeps one value a reader
// derives from a cached entry (dropped with the entry, counted in its size).
//
// The replication surface, used by the cluster package, moves Records:
//   - Record.MarshalBinary / UnmarshalRecord, EncodeBatch / DecodeBatch:
//     a versioned, checksummed wire format that refuses garbage and
//     truncation;
//   - Apply(records): the merge (idempotent, commutative, associative;
//     a batch with an invalid record applies nothing; timestamps beyond the
//     clock-skew bound are refused with ErrClockSkew);
//   - Changes(from, max) and Notify(): a change feed to tail;
//   - Digest(ns) and BucketsRecords(ns, buckets): Buckets bucket hashes per
//     namespace, maintained incrementally, and their records, for
//     anti-entropy;
//   - CollectSyncedTombstones(belowSeq, before): tombstone collection, for
//     the cluster to call with the change number every member has synced
//     past; CollectTombstones(before) for the grace period; Horizon() bounds
//     what was collected, and Forget(records) drops what a node rejoining
//     pull-only may no longer hold;
//   - Dump(): a canonical encoding of everything, for comparing stores.
//
// Namespaces whose names start with "_" are reserved for edgefn's own
// records (deployments, secrets, queues); Reserved reports them, and the
// layers above refuse to bind them to user code.
//
// kv knows nothing of JavaScript or the network, and must never learn.
package kv
