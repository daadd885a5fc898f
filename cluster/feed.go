package cluster

import (
	"sort"
	"sync"
	"time"
)

// feed reads the store's change feed once for every pusher and keeps this
// node's own recent writes in memory, so a write costs one read of the
// feed however many peers it goes to, and records written elsewhere cost
// the pushers nothing.
type feed struct {
	n *Node

	mu      sync.Mutex
	recs    []Record // own writes, by change number
	bytes   int
	next    uint64        // every change below next has been read
	trimmed uint64        // own writes below this may have been dropped
	moved   chan struct{} // closed when next moves
}

// feedLimit bounds the memory the feed keeps; a pusher further behind than
// that leaves the gap to anti-entropy.
const feedLimit = 32 << 20

func newFeed(n *Node) *feed {
	next := n.repl.Seq() + 1
	return &feed{n: n, next: next, trimmed: next, moved: make(chan struct{})}
}

func (f *feed) run() {
	defer f.n.wg.Done()
	for {
		wait := f.n.repl.Notify()
		f.mu.Lock()
		from := f.next
		f.mu.Unlock()
		recs, next, err := f.n.repl.Changes(from, 1024)
		if err != nil {
			select {
			case <-f.n.ctx.Done():
				return
			case <-time.After(time.Second):
			}
			continue
		}
		f.mu.Lock()
		for _, r := range recs {
			if r.Node == f.n.cfg.Name {
				f.recs = append(f.recs, r)
				f.bytes += len(r.Data)
			}
		}
		for f.bytes > feedLimit && len(f.recs) > 1 {
			f.bytes -= len(f.recs[0].Data)
			f.trimmed = f.recs[0].Seq + 1
			f.recs[0] = Record{}
			f.recs = f.recs[1:]
		}
		if next > f.next {
			f.next = next
			close(f.moved)
			f.moved = make(chan struct{})
		}
		f.mu.Unlock()
		if next > from {
			continue
		}
		select {
		case <-wait:
		case <-f.n.ctx.Done():
			return
		}
	}
}

// since returns own writes at or after cursor, up to about maxBytes, and
// the cursor to continue from; ok is false when some were dropped (the
// pusher fell too far behind). moved is closed when more is read.
func (f *feed) since(cursor uint64, maxBytes int) (recs []Record, next uint64, ok bool, moved <-chan struct{}) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if cursor < f.trimmed {
		return nil, f.next, false, f.moved
	}
	i := sort.Search(len(f.recs), func(i int) bool { return f.recs[i].Seq >= cursor })
	size := 0
	j := i
	for j < len(f.recs) && (j == i || size+len(f.recs[j].Data) <= maxBytes) {
		size += len(f.recs[j].Data)
		j++
	}
	next = f.next
	if j < len(f.recs) {
		next = f.recs[j].Seq
	}
	return append([]Record(nil), f.recs[i:j]...), max(next, cursor), true, f.moved
}

// head is the change number the feed has read up to.
func (f *feed) head() uint64 {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.next
}
