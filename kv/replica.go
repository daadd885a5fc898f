package kv

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"time"

	"github.com/dgraph-io/badger/v4"
)

// The merge contract. Apply merges records written elsewhere into the
// store, last writer wins on (HLC, node id), and is:
//   - idempotent: applying a record twice changes nothing the second time;
//   - commutative: records applied in any order give the same state;
//   - associative: applying a batch, or its records one by one, or a union
//     of batches, gives the same state.
// Tombstones take part like any record: a delete wins over every older
// write. They are dropped only by CollectTombstones, which the cluster
// calls once every member has synced past them; a node that was away longer
// than the tombstone grace period must rejoin pull-only, or it could bring a
// deleted key back. An expired record becomes a tombstone of the same
// version (on every node alike, since expirations are absolute): it goes on
// superseding older writes until tombstone collection removes it.

// applyChunk is how many records Apply commits per transaction.
const applyChunk = 256

// ApplyResult says what an Apply did.
type ApplyResult struct {
	Applied  int // records that changed the store
	Stale    int // records older than (or equal to) what the store holds
	Refused  int // records refused (clock skew)
	LastSkew error
}

// Apply merges remote records. Every record is validated first: a batch
// with an invalid record applies nothing. Records with a timestamp too far
// in the future are refused (counted, and the skew error returned in the
// result), the rest applied in chunks of applyChunk records, each one
// write of the group commit (a chunk commits whole or not at all).
func (s *Store) Apply(recs []Record) (ApplyResult, error) {
	var res ApplyResult
	for i := range recs {
		if err := s.validRemote(&recs[i]); err != nil {
			return res, fmt.Errorf("kv: apply: record %d (%s/%q): %w", i, recs[i].Namespace, recs[i].Key, err)
		}
	}
	select {
	case <-s.closed:
		return res, ErrClosed
	default:
	}
	var accepted []*Record
	for i := range recs {
		r := &recs[i]
		if err := s.clock.Observe(r.Version.HLC); err != nil {
			res.Refused++
			res.LastSkew = err
			s.log.Warn("refused a replicated record: its timestamp is too far ahead", "namespace", r.Namespace, "key", r.Key,
				"node", r.Version.Node, "error", err)
			continue
		}
		accepted = append(accepted, r)
	}
	// A batch commits in chunks: Badger bounds a transaction's size, and
	// every record stands alone (validated above; last writer wins). Each
	// chunk is one write of the group commit (commit.go).
	for len(accepted) > 0 {
		chunk := accepted[:min(len(accepted), applyChunk)]
		accepted = accepted[len(chunk):]
		applied, stale := res.Applied, res.Stale
		size := 0
		for _, r := range chunk {
			size += len(r.Value) + len(r.Metadata)
		}
		err := s.commit(size, func(txn *badger.Txn, seq *uint64) error {
			res.Applied, res.Stale = applied, stale
			now := s.cfg.Now().Unix()
			// Within a batch a key may appear several times: apply in
			// order, reading our own writes.
			for _, r := range chunk {
				old, oldSeq, err := current(txn, r.Namespace, r.Key)
				if err != nil {
					return err
				}
				if r.expired(now) {
					// An expired record still supersedes what is older: it is
					// kept as a tombstone of its version, so an older value
					// held by a node that was away cannot come back.
					t := tombstoneOf(r)
					r = &t
				}
				if old != nil && !old.Version.Less(r.Version) {
					if old.Version == r.Version && r.Tombstone && !old.Tombstone && old.expired(now) {
						// The same write, expired here too: take the tombstone
						// now rather than differ until the next expiry sweep.
					} else {
						res.Stale++
						continue
					}
				}
				*seq++
				if err := s.store(txn, r, old, oldSeq, *seq); err != nil {
					return err
				}
				res.Applied++
			}
			return nil
		})
		if err != nil {
			// Earlier chunks stay committed: say so.
			res.Applied, res.Stale = applied, stale
			if errors.Is(err, ErrClosed) {
				return res, err
			}
			return res, fmt.Errorf("kv: apply: %w", err)
		}
	}
	return res, nil
}

// validRemote checks a replicated record against the store's limits.
func (s *Store) validRemote(r *Record) error {
	switch {
	case checkNamespace(r.Namespace) != nil:
		return checkNamespace(r.Namespace)
	case s.checkKey(r.Key) != nil:
		return s.checkKey(r.Key)
	case len(r.Value) > s.cfg.MaxValueSize:
		return fmt.Errorf("%w: %d bytes", ErrValueTooLarge, len(r.Value))
	case s.checkMetadata(r.Metadata) != nil:
		return s.checkMetadata(r.Metadata)
	case r.Version.HLC == 0 || r.Version.Node == "" || len(r.Version.Node) > maxNodeID:
		return fmt.Errorf("%w: missing version", ErrCorrupt)
	case r.Expiration < 0:
		return fmt.Errorf("%w: negative expiration", ErrCorrupt)
	case r.Tombstone && (len(r.Value) > 0 || len(r.Metadata) > 0):
		return fmt.Errorf("%w: a tombstone with a value", ErrCorrupt)
	}
	return nil
}

// Changes returns up to max changes with a sequence number at or after
// from, in sequence order, and the position to continue from. A key changed
// several times appears once, at its latest change.
func (s *Store) Changes(from uint64, max int) ([]Record, uint64, error) {
	if from == 0 {
		from = 1
	}
	next := from
	var out []Record
	err := s.db.View(func(txn *badger.Txn) error {
		opts := badger.DefaultIteratorOptions
		opts.Prefix = []byte{pSeq}
		it := txn.NewIterator(opts)
		defer it.Close()
		for it.Seek(seqKey(from)); it.Valid() && len(out) < max; it.Next() {
			seq := binary.BigEndian.Uint64(it.Item().Key()[1:])
			next = seq + 1
			idx, err := it.Item().ValueCopy(nil)
			if err != nil {
				return err
			}
			if len(idx) < 1 || int(idx[0]) > len(idx)-1 {
				continue
			}
			ns, key := string(idx[1:1+idx[0]]), string(idx[1+idx[0]:])
			r, rseq, err := current(txn, ns, key)
			if err != nil {
				return err
			}
			if r == nil || rseq != seq {
				continue // superseded by a later change, or removed
			}
			r.Seq = seq
			out = append(out, *r)
		}
		return nil
	})
	if err != nil {
		return nil, from, fmt.Errorf("kv: changes: %w", err)
	}
	return out, next, nil
}

// Digest returns the bucket hashes of a namespace (Buckets of them; a zero
// hash is an empty bucket). Two stores hold the same records of a bucket
// exactly when its hashes are equal.
func (s *Store) Digest(ns string) ([Buckets][16]byte, error) {
	var d [Buckets][16]byte
	prefix := hashKey(ns, 0)
	prefix = prefix[:len(prefix)-2]
	err := s.db.View(func(txn *badger.Txn) error {
		opts := badger.DefaultIteratorOptions
		opts.Prefix = prefix
		it := txn.NewIterator(opts)
		defer it.Close()
		for it.Rewind(); it.Valid(); it.Next() {
			k := it.Item().Key()
			b := binary.BigEndian.Uint16(k[len(k)-2:])
			v, err := it.Item().ValueCopy(nil)
			if err != nil {
				return err
			}
			if int(b) < Buckets && len(v) == 16 {
				copy(d[b][:], v)
			}
		}
		return nil
	})
	return d, err
}

// BucketRecords returns every record (tombstones included) of a bucket.
func (s *Store) BucketRecords(ns string, bucket int) ([]Record, error) {
	return s.BucketsRecords(ns, []int{bucket})
}

// BucketsRecords returns every record (tombstones included) of the given
// buckets of a namespace, in key order, in one scan of the namespace.
func (s *Store) BucketsRecords(ns string, buckets []int) ([]Record, error) {
	var want [Buckets]bool
	for _, b := range buckets {
		if b >= 0 && b < Buckets {
			want[b] = true
		}
	}
	var out []Record
	err := s.scan(ns, func(r *Record, seq uint64) error {
		if want[bucketOf(r.Key)] {
			r.Seq = seq
			out = append(out, *r)
		}
		return nil
	})
	return out, err
}

// BucketOf returns the anti-entropy bucket a key belongs to.
func BucketOf(key string) int { return int(bucketOf(key)) }

// scan visits every stored record of a namespace, with its local change
// number, in key order.
func (s *Store) scan(ns string, fn func(r *Record, seq uint64) error) error {
	return s.db.View(func(txn *badger.Txn) error {
		opts := badger.DefaultIteratorOptions
		opts.Prefix = nsPrefix(ns)
		it := txn.NewIterator(opts)
		defer it.Close()
		for it.Rewind(); it.Valid(); it.Next() {
			v, err := it.Item().ValueCopy(nil)
			if err != nil {
				return err
			}
			r, seq, err := stored(v)
			if err != nil {
				return err
			}
			if err := fn(r, seq); err != nil {
				return err
			}
		}
		return nil
	})
}

// Dump encodes every record of every namespace in a canonical order, for
// comparing stores byte for byte (tests, the fault harness).
func (s *Store) Dump() ([]byte, error) {
	nss, err := s.Namespaces()
	if err != nil {
		return nil, err
	}
	var b bytes.Buffer
	for _, ns := range nss {
		err := s.scan(ns, func(r *Record, _ uint64) error {
			enc, err := r.MarshalBinary()
			if err != nil {
				return err
			}
			b.Write(binary.BigEndian.AppendUint32(nil, uint32(len(enc))))
			b.Write(enc)
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	return b.Bytes(), nil
}

// CollectTombstones removes tombstones older than before, in batches, and
// returns how many went: the grace-period rule, for tombstones so old that
// a node that has not synced since must rejoin pull-only anyway.
func (s *Store) CollectTombstones(before HLC) (int, error) {
	return s.sweep(func(r *Record, _ uint64, _ int64) bool { return r.Tombstone && r.Version.HLC < before }, true)
}

// CollectSyncedTombstones removes, in one pass, the tombstones this store
// took in before local change number belowSeq and older than before (the
// cluster calls it with the lowest change number every member has synced
// past), and those older than expired whatever their change number (the
// grace period).
func (s *Store) CollectSyncedTombstones(belowSeq uint64, before, expired HLC) (int, error) {
	return s.sweep(func(r *Record, seq uint64, _ int64) bool {
		return r.Tombstone && (seq < belowSeq && r.Version.HLC < before || r.Version.HLC < expired)
	}, true)
}

// Horizon bounds the tombstones collected so far: every one was older than
// it. A record absent from this store and older than its horizon may have
// been deleted here (a node rejoining pull-only drops such records).
func (s *Store) Horizon() HLC {
	s.wmu.Lock()
	defer s.wmu.Unlock()
	return s.horizon
}

// Forget removes records exactly as given (same version) from the store, if
// it still holds them, and returns how many went. A node rejoining
// pull-only forgets what its peers may have deleted while it was away.
func (s *Store) Forget(recs []Record) (int, error) {
	total := 0
	for len(recs) > 0 {
		n := min(len(recs), 1000)
		batch := recs[:n]
		recs = recs[n:]
		s.wmu.Lock()
		err := s.update(func(txn *badger.Txn) error {
			for i := range batch {
				r := &batch[i]
				cur, seq, err := current(txn, r.Namespace, r.Key)
				if err != nil {
					return err
				}
				if cur == nil || cur.Version != r.Version {
					continue
				}
				if err := s.remove(txn, cur, seq); err != nil {
					return err
				}
				total++
			}
			return nil
		})
		if err == nil && total > 0 {
			s.signal()
		}
		s.wmu.Unlock()
		if err != nil {
			return total, s.closedErr(err)
		}
	}
	return total, nil
}

func (s *Store) closedErr(err error) error {
	if errors.Is(err, badger.ErrDBClosed) {
		return ErrClosed
	}
	return err
}

// ExpireNow turns every expired record into a tombstone of its version now
// (it also runs every Config.ExpireEvery): the key reads as absent, and the
// tombstone keeps an older write from coming back through replication.
func (s *Store) ExpireNow() (int, error) {
	return s.sweep(func(r *Record, _ uint64, now int64) bool { return !r.Tombstone && r.expired(now) }, false)
}

func tombstoneOf(r *Record) Record {
	return Record{Namespace: r.Namespace, Key: r.Key, Version: r.Version, Tombstone: true}
}

// sweep goes through the records pick selects, namespace by namespace:
// collect removes them (tombstone collection, raising the horizon),
// otherwise they become tombstones of their version (expiry).
func (s *Store) sweep(pick func(r *Record, seq uint64, now int64) bool, collect bool) (int, error) {
	nss, err := s.Namespaces()
	if err != nil {
		return 0, err
	}
	total := 0
	for _, ns := range nss {
		now := s.cfg.Now().Unix()
		var victims []*Record
		if err := s.scan(ns, func(r *Record, seq uint64) error {
			if pick(r, seq, now) {
				victims = append(victims, r)
			}
			return nil
		}); err != nil {
			return total, s.closedErr(err)
		}
		for len(victims) > 0 {
			n := min(len(victims), 1000)
			batch := victims[:n]
			victims = victims[n:]
			s.wmu.Lock()
			seq, horizon := s.seq, s.horizon
			err := s.update(func(txn *badger.Txn) error {
				seq, horizon = s.seq, s.horizon
				for _, r := range batch {
					cur, curSeq, err := current(txn, r.Namespace, r.Key)
					if err != nil {
						return err
					}
					if cur == nil || cur.Version != r.Version || cur.Tombstone != r.Tombstone {
						continue // changed since the scan
					}
					if collect {
						if err := s.remove(txn, cur, curSeq); err != nil {
							return err
						}
						horizon = max(horizon, cur.Version.HLC+1)
					} else {
						t := tombstoneOf(cur)
						seq++
						if err := s.store(txn, &t, cur, curSeq, seq); err != nil {
							return err
						}
					}
					total++
				}
				if horizon != s.horizon {
					if err := txn.Set(metaHorizon, binary.BigEndian.AppendUint64(nil, uint64(horizon))); err != nil {
						return err
					}
				}
				return s.saveMeta(txn, seq)
			})
			if err == nil {
				changed := seq != s.seq
				s.seq, s.horizon = seq, horizon
				if changed {
					s.signal()
				}
			}
			s.wmu.Unlock()
			if err != nil {
				return total, s.closedErr(err)
			}
		}
	}
	return total, nil
}

func (s *Store) expireLoop() {
	defer s.wg.Done()
	t := time.NewTicker(s.cfg.ExpireEvery)
	defer t.Stop()
	for {
		select {
		case <-s.closed:
			return
		case <-t.C:
			if n, err := s.ExpireNow(); err != nil && !errors.Is(err, ErrClosed) {
				s.log.Error("expiring records failed", "error", err)
			} else if n > 0 {
				s.log.Debug("expired records turned into tombstones", "count", n)
			}
		}
	}
}
