package cluster

import (
	"math"
	"math/rand/v2"
	"time"
)

// scheduler decides when to run an anti-entropy session with each peer.
// It does no I/O and reads no clock: time comes in as arguments, so tests
// drive it step by step (as consul's agent/ae does its sync).
//
//   - every peer is synced once per interval, with jitter so sessions
//     spread out;
//   - a peer that joins gets a session soon, staggered over a short window
//     so a node rejoining a big cluster does not hit everyone at once;
//   - a peer whose push stream broke is synced at once (urgent);
//   - a failed session is retried with backoff, never later than the
//     interval.
type scheduler struct {
	base  time.Duration
	rng   *rand.Rand
	peers map[string]*schedPeer
}

type schedPeer struct {
	due     time.Time
	running bool
	again   bool // asked for while running: run again at once after
	fails   int
}

func newScheduler(interval time.Duration, seed uint64) *scheduler {
	return &scheduler{base: interval, rng: rand.New(rand.NewPCG(seed, seed+1)), peers: map[string]*schedPeer{}}
}

// interval grows slowly with the cluster past 128 peers, as consul's does,
// to bound the sessions each node serves.
func (s *scheduler) interval() time.Duration {
	n := len(s.peers)
	if n <= 128 {
		return s.base
	}
	return time.Duration(float64(s.base) * (1 + math.Log2(float64(n)) - math.Log2(128)))
}

func (s *scheduler) jitter(d time.Duration) time.Duration {
	return d - d/10 + time.Duration(s.rng.Int64N(int64(d/5)+1))
}

// add schedules a new peer's first session within the stagger window.
func (s *scheduler) add(name string, now time.Time) {
	if _, ok := s.peers[name]; ok {
		s.urgent(name, now)
		return
	}
	stagger := max(s.base/5, time.Millisecond)
	s.peers[name] = &schedPeer{due: now.Add(time.Duration(s.rng.Int64N(int64(stagger))))}
}

func (s *scheduler) remove(name string) { delete(s.peers, name) }

// urgent asks for a session with a peer now.
func (s *scheduler) urgent(name string, now time.Time) {
	p := s.peers[name]
	if p == nil {
		return
	}
	if p.running {
		p.again = true
		return
	}
	if p.due.After(now) {
		p.due = now
	}
}

// take returns the peers due now, marking them running.
func (s *scheduler) take(now time.Time) []string {
	var out []string
	for name, p := range s.peers {
		if !p.running && !p.due.After(now) {
			p.running = true
			out = append(out, name)
		}
	}
	return out
}

// finish records a session's end and schedules the next.
func (s *scheduler) finish(name string, ok bool, now time.Time) {
	p := s.peers[name]
	if p == nil {
		return
	}
	p.running = false
	switch {
	case p.again:
		p.again = false
		p.due = now
	case ok:
		p.fails = 0
		p.due = now.Add(s.jitter(s.interval()))
	default:
		p.fails++
		back := min(s.interval(), (100*time.Millisecond)<<min(p.fails, 10))
		p.due = now.Add(s.jitter(back))
	}
}

// wait is how long until the next session is due (at most the interval).
func (s *scheduler) wait(now time.Time) time.Duration {
	w := s.interval()
	for _, p := range s.peers {
		if !p.running {
			w = min(w, max(p.due.Sub(now), 0))
		}
	}
	return w
}
