package kv

import (
	"errors"
	"fmt"
	"strconv"

	"github.com/dgraph-io/badger/v4"
)

// Atomic operations (Deno KV's atomic().check().set().delete().sum()
// .commit()) are atomic on the node that runs them: the checks and every
// mutation commit in one transaction, or nothing does. In a cluster they are
// not linearizable: another node may write the same key concurrently, and
// the two writes then merge last-writer-wins like any others. Counters
// (sum) are therefore exact only when one node does the summing.

// Check requires a key's current versionstamp ("" means: must be absent).
type Check struct {
	Key          string
	Versionstamp string
}

// MutationKind is what a Mutation does.
type MutationKind int

// The mutation kinds.
const (
	MutSet MutationKind = iota
	MutDelete
	MutSum
)

// Mutation is one write of an atomic operation.
type Mutation struct {
	Kind    MutationKind
	Key     string
	Value   []byte     // MutSet
	Options PutOptions // MutSet
	Delta   int64      // MutSum: added to the decimal integer stored at Key (absent = 0)
}

// Atomic runs checks and mutations in one transaction. It fails with
// ErrCheckFailed (nothing written) when a check does not hold.
func (s *Store) Atomic(ns string, checks []Check, muts []Mutation) (Version, error) {
	if err := checkNamespace(ns); err != nil {
		return Version{}, fmt.Errorf("kv: atomic: %w", err)
	}
	if len(checks)+len(muts) > 1000 {
		return Version{}, fmt.Errorf("kv: atomic: %d checks and mutations; the limit is 1000", len(checks)+len(muts))
	}
	recs := make([]*Record, 0, len(muts))
	for _, m := range muts {
		if err := s.checkKey(m.Key); err != nil {
			return Version{}, fmt.Errorf("kv: atomic %q: %w", m.Key, err)
		}
		r := &Record{Namespace: ns, Key: m.Key}
		switch m.Kind {
		case MutSet:
			if len(m.Value) > s.cfg.MaxValueSize {
				return Version{}, fmt.Errorf("kv: atomic %q: %w: %d bytes", m.Key, ErrValueTooLarge, len(m.Value))
			}
			if err := s.checkMetadata(m.Options.Metadata); err != nil {
				return Version{}, fmt.Errorf("kv: atomic %q: %w", m.Key, err)
			}
			exp, err := s.expiration(m.Options)
			if err != nil {
				return Version{}, fmt.Errorf("kv: atomic %q: %w", m.Key, err)
			}
			r.Value, r.Metadata, r.Expiration = m.Value, m.Options.Metadata, exp
		case MutDelete:
			r.Tombstone = true
		case MutSum:
		default:
			return Version{}, fmt.Errorf("kv: atomic %q: unknown mutation %d", m.Key, m.Kind)
		}
		recs = append(recs, r)
	}
	now := s.cfg.Now().Unix()
	err := s.writeLocal(recs, func(txn *badger.Txn) error {
		for _, c := range checks {
			cur, _, err := current(txn, ns, c.Key)
			if err != nil {
				return err
			}
			stamp := ""
			if cur != nil && !cur.Tombstone && !cur.expired(now) {
				stamp = cur.Version.Stamp()
			}
			if stamp != c.Versionstamp {
				return fmt.Errorf("%w: %q has versionstamp %q, not %q", ErrCheckFailed, c.Key, stamp, c.Versionstamp)
			}
		}
		// Mutations apply in order: a sum sees the sets, deletes and sums
		// before it in the same operation.
		pending := map[string]*Record{}
		for i, m := range muts {
			if m.Kind != MutSum {
				pending[m.Key] = recs[i]
				continue
			}
			var n int64
			cur, ok := pending[m.Key]
			if !ok {
				var err error
				if cur, _, err = current(txn, ns, m.Key); err != nil {
					return err
				}
			}
			if cur != nil && !cur.Tombstone && !cur.expired(now) {
				var err error
				if n, err = strconv.ParseInt(string(cur.Value), 10, 64); err != nil {
					return fmt.Errorf("kv: atomic sum %q: the stored value is not an integer", truncate(m.Key, 64))
				}
			}
			recs[i].Value = []byte(strconv.FormatInt(n+m.Delta, 10))
			pending[m.Key] = recs[i]
		}
		return nil
	})
	if err != nil {
		if errors.Is(err, ErrCheckFailed) {
			return Version{}, err
		}
		return Version{}, fmt.Errorf("kv: atomic: %w", err)
	}
	if len(recs) == 0 {
		return Version{}, nil
	}
	return recs[len(recs)-1].Version, nil
}
