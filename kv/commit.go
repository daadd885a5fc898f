package kv

import (
	"errors"

	"github.com/dgraph-io/badger/v4"
)

// Group commit. Every write (put, delete, atomic operation, a chunk of an
// Apply) is queued as a pending write; whichever writer finds no commit
// under way leads: it takes the queue, runs every write in it, in order, in
// one Badger transaction and commits that once. With durability "fsync"
// that is one fsync for the whole group, so writes that arrive while an
// fsync is in flight share the next one instead of each waiting for its
// own. A write is acknowledged (its call returns) only after the commit of
// its group returned: with fsync, after its data is on disk.
//
// Writes keep what the single write lock gave them: one transaction at a
// time (under s.wmu), change numbers handed out in queue order inside it,
// each write reading the ones before it (bucket hashes and the change index
// stay in step), and a record visible only once its group is committed (and
// durable, with fsync).
//
// A write that fails on its own (an atomic check, a bad stored value) must
// not take the others down: the transaction is dropped and the group runs
// again without it. A group too big for one Badger transaction commits the
// writes before the one that did not fit, and goes on with the rest.

// maxGroup bounds how many writes, and how many bytes of values, one
// commit takes: a group's commit latency stays bounded, and the rest of the
// queue goes to the next leader.
const (
	maxGroup      = 512
	maxGroupBytes = 16 << 20
)

// pending is a queued write. run applies it inside the group's transaction,
// numbering its changes from *seq on; it may run more than once (the
// group's transaction is dropped and run again when another write fails),
// so it must start from what it was given each time.
type pending struct {
	run  func(txn *badger.Txn, seq *uint64) error
	size int // value bytes, for maxGroupBytes
	err  error
	// wake says what happened while the write waited: false, it was
	// committed (or failed; err says); true, it is the next leader.
	wake chan bool
}

// commit queues a write and returns once it is committed (or failed).
func (s *Store) commit(size int, run func(txn *badger.Txn, seq *uint64) error) error {
	w := &pending{run: run, size: size, wake: make(chan bool, 1)}
	s.qmu.Lock()
	s.queue = append(s.queue, w)
	if s.leading {
		s.qmu.Unlock()
		if lead := <-w.wake; !lead {
			return w.err
		}
		s.qmu.Lock()
	}
	// Leading: w is first in the queue (a leader hands over to the first
	// waiter, and with no leader the queue was empty).
	s.leading = true
	n, bytes := 0, 0
	for n < len(s.queue) && n < maxGroup && (n == 0 || bytes+s.queue[n].size <= maxGroupBytes) {
		bytes += s.queue[n].size
		n++
	}
	group := s.queue[:n:n]
	if n == len(s.queue) {
		s.queue = nil
	} else {
		s.queue = append([]*pending(nil), s.queue[n:]...)
	}
	s.qmu.Unlock()

	s.commitGroup(group)
	if s.afterGroup != nil {
		s.afterGroup(len(group))
	}
	for _, o := range group[1:] {
		o.wake <- false
	}

	s.qmu.Lock()
	if len(s.queue) > 0 {
		s.queue[0].wake <- true
	} else {
		s.leading = false
	}
	s.qmu.Unlock()
	return w.err
}

// errAbandon stops a group's transaction when one of its writes failed.
var errAbandon = errors.New("kv: group abandoned")

// commitGroup commits ws in one transaction (or several, when they do not
// fit in one), setting each write's err.
func (s *Store) commitGroup(ws []*pending) {
	s.wmu.Lock()
	defer s.wmu.Unlock()
	s.commitLocked(ws)
}

// commitLocked is commitGroup with s.wmu held.
func (s *Store) commitLocked(ws []*pending) {
	for len(ws) > 0 {
		select {
		case <-s.closed:
			for _, w := range ws {
				w.err = ErrClosed
			}
			return
		default:
		}
		var seq uint64
		bad, badErr := -1, error(nil)
		err := s.update(func(txn *badger.Txn) error {
			seq = s.seq
			for i, w := range ws {
				if err := w.run(txn, &seq); err != nil {
					bad, badErr = i, err
					return errAbandon
				}
			}
			return s.saveMeta(txn, seq)
		})
		if bad < 0 {
			if err == nil {
				changed := seq != s.seq
				s.seq = seq
				if changed {
					s.signal()
				}
			} else if errors.Is(err, badger.ErrDBClosed) {
				err = ErrClosed
			}
			for _, w := range ws {
				w.err = err
			}
			return
		}
		switch {
		case errors.Is(badErr, badger.ErrDBClosed):
			for _, w := range ws {
				w.err = ErrClosed
			}
			return
		case errors.Is(badErr, badger.ErrTxnTooBig) && bad > 0:
			// The writes before it fit: commit them, then go on from it
			// in a transaction of its own.
			s.commitLocked(ws[:bad])
			ws = ws[bad:]
		default:
			// Its own failure: the rest run again without it.
			ws[bad].err = badErr
			ws = append(ws[:bad:bad], ws[bad+1:]...)
		}
	}
}
