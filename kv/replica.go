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
// deleted key back. An expired record is never stored: it only removes what
// it supersedes, as its expiry would have.

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
// result), the rest applied in one transaction.
func (s *Store) Apply(recs []Record) (ApplyResult, error) {
	var res ApplyResult
	for i := range recs {
		if err := s.validRemote(&recs[i]); err != nil {
			return res, fmt.Errorf("kv: apply: record %d (%s/%q): %w", i, recs[i].Namespace, recs[i].Key, err)
		}
	}
	s.wmu.Lock()
	defer s.wmu.Unlock()
	select {
	case <-s.closed:
		return res, ErrClosed
	default:
	}
	now := s.cfg.Now().Unix()
	seq := s.seq
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
	err := s.update(func(txn *badger.Txn) error {
		res.Applied, res.Stale = 0, 0
		seq = s.seq
		// Within a batch a key may appear several times: apply in order,
		// reading our own writes.
		for _, r := range accepted {
			old, _, err := current(txn, r.Namespace, r.Key)
			if err != nil {
				return err
			}
			if old != nil && !old.Version.Less(r.Version) {
				res.Stale++
				continue
			}
			if r.expired(now) {
				if old != nil {
					if err := s.remove(txn, old); err != nil {
						return err
					}
					res.Applied++
				} else {
					res.Stale++
				}
				continue
			}
			seq++
			if err := s.store(txn, r, old, seq); err != nil {
				return err
			}
			res.Applied++
		}
		return s.saveMeta(txn, seq)
	})
	if err != nil {
		return res, fmt.Errorf("kv: apply: %w", err)
	}
	s.seq = seq
	if res.Applied > 0 {
		s.signal()
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
	var out []Record
	err := s.scan(ns, func(r *Record) error {
		if int(bucketOf(r.Key)) == bucket {
			out = append(out, *r)
		}
		return nil
	})
	return out, err
}

// scan visits every stored record of a namespace in key order.
func (s *Store) scan(ns string, fn func(r *Record) error) error {
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
			r, _, err := stored(v)
			if err != nil {
				return err
			}
			if err := fn(r); err != nil {
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
		err := s.scan(ns, func(r *Record) error {
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
// returns how many went. Call it only once every member has synced past
// before.
func (s *Store) CollectTombstones(before HLC) (int, error) {
	return s.sweep(func(r *Record, _ int64) bool { return r.Tombstone && r.Version.HLC < before })
}

// ExpireNow removes every expired record now (it also runs every
// Config.ExpireEvery).
func (s *Store) ExpireNow() (int, error) {
	return s.sweep(func(r *Record, now int64) bool { return !r.Tombstone && r.expired(now) })
}

// sweep removes the records drop selects, namespace by namespace.
func (s *Store) sweep(drop func(r *Record, now int64) bool) (int, error) {
	nss, err := s.Namespaces()
	if err != nil {
		return 0, err
	}
	total := 0
	for _, ns := range nss {
		now := s.cfg.Now().Unix()
		var victims []*Record
		if err := s.scan(ns, func(r *Record) error {
			if drop(r, now) {
				victims = append(victims, r)
			}
			return nil
		}); err != nil {
			return total, err
		}
		for len(victims) > 0 {
			n := min(len(victims), 1000)
			batch := victims[:n]
			victims = victims[n:]
			s.wmu.Lock()
			err := s.update(func(txn *badger.Txn) error {
				for _, r := range batch {
					cur, _, err := current(txn, r.Namespace, r.Key)
					if err != nil {
						return err
					}
					if cur == nil || cur.Version != r.Version {
						continue // changed since the scan
					}
					if err := s.remove(txn, cur); err != nil {
						return err
					}
					total++
				}
				return nil
			})
			s.wmu.Unlock()
			if err != nil {
				if errors.Is(err, badger.ErrDBClosed) {
					return total, ErrClosed
				}
				return total, err
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
				s.log.Debug("expired records removed", "count", n)
			}
		}
	}
}
