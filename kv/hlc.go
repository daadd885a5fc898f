package kv

import (
	"errors"
	"fmt"
	"sync"
	"time"
)

// HLC is a hybrid logical clock timestamp: milliseconds since the Unix
// epoch in the high 48 bits, a logical counter in the low 16. It orders
// events across nodes whose clocks differ by less than the skew bound, and
// never goes backwards on one node, restarts included.
type HLC uint64

// Physical returns the timestamp's wall-clock part.
func (h HLC) Physical() time.Time { return time.UnixMilli(int64(h >> 16)) }

// Logical returns the counter part.
func (h HLC) Logical() uint16 { return uint16(h) }

func (h HLC) String() string {
	return fmt.Sprintf("%s.%d", h.Physical().UTC().Format("2006-01-02T15:04:05.000Z"), h.Logical())
}

func hlcOf(ms int64, logical uint16) HLC { return HLC(uint64(ms)<<16 | uint64(logical)) }

// ErrClockSkew: a remote timestamp is further in the future than the
// clock-skew bound allows. The record carrying it is refused.
var ErrClockSkew = errors.New("kv: remote timestamp beyond the clock-skew bound")

// clock is a node's HLC. The physical clock is injected so tests control
// time.
type clock struct {
	mu      sync.Mutex
	now     func() time.Time
	last    HLC
	maxSkew time.Duration
}

// Now returns a timestamp greater than every one returned or observed.
func (c *clock) Now() HLC {
	c.mu.Lock()
	defer c.mu.Unlock()
	pt := c.now().UnixMilli()
	if pt > int64(c.last>>16) {
		c.last = hlcOf(pt, 0)
	} else {
		c.last++
	}
	return c.last
}

// Observe folds a remote timestamp into the clock, refusing one too far
// ahead of the local physical clock.
func (c *clock) Observe(remote HLC) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	pt := c.now()
	if ahead := remote.Physical().Sub(pt); ahead > c.maxSkew {
		return fmt.Errorf("%w: %v is %v ahead of this node's clock (bound %v)", ErrClockSkew, remote, ahead.Round(time.Millisecond), c.maxSkew)
	}
	if remote > c.last {
		c.last = remote
	}
	return nil
}

// Last returns the latest timestamp issued or observed.
func (c *clock) Last() HLC {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.last
}

// restore raises the clock to at least h (on open, from the store).
func (c *clock) restore(h HLC) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if h > c.last {
		c.last = h
	}
}
