package kv

import (
	"sync"
	"sync/atomic"

	"github.com/dgraph-io/badger/v4"
)

// readCache keeps recently read entries in memory, so that a hot key is
// served without a Badger transaction and, through GetCached, without
// leaving the caller's goroutine. It is never stale: every write drops the
// keys it touches, and a read fills the cache only if no write began or
// ended while it read (gen counts write phases; both phases and every fill
// hold mu).
type readCache struct {
	mu      sync.Mutex
	entries map[string]*Entry
	bytes   int
	max     int // bytes
	gen     uint64
	writing bool
	off     bool // a write bypassed the cache (see noteWrite)
}

// maxCachedValue bounds one cached entry: large values are read from the
// store each time rather than evicting many small ones.
const maxCachedValue = 64 << 10

func newReadCache(max int) *readCache {
	if max <= 0 {
		return nil
	}
	return &readCache{entries: map[string]*Entry{}, max: max}
}

func cacheKey(ns, key string) string { return ns + "\x00" + key }

// entrySize is what an entry holds, its memo included. c.mu held.
func entrySize(key string, e *Entry) int {
	n := len(key) + len(e.Value) + len(e.Metadata) + 64
	if e.memo != nil {
		n += e.memo.size
	}
	return n
}

// entryMemo is the one value a reader derived from a cached entry (see
// Entry.Memo).
type entryMemo struct {
	c    *readCache
	key  string
	v    atomic.Pointer[memoValue]
	size int // counted in c.bytes while the entry is cached; c.mu held
}

type memoValue struct{ v any }

// Memo returns what derive makes of e, made once per entry of the read
// cache and kept with it: a write to the key drops the entry, and its
// memo with it, so a memo is exactly as current as the entry it came from.
// derive must depend on e alone (callers of one Memo share its result, so
// it must be safe for concurrent use) and report the bytes the value
// holds, counted against Config.ReadCacheSize while the entry is cached.
// An entry that is not the cache's own (from Get, Changes...) derives anew
// on each call.
func (e *Entry) Memo(derive func(*Entry) (v any, size int)) any {
	m := e.memo
	if m == nil {
		v, _ := derive(e)
		return v
	}
	if p := m.v.Load(); p != nil {
		return p.v
	}
	v, size := derive(e)
	if !m.v.CompareAndSwap(nil, &memoValue{v: v}) {
		return m.v.Load().v // another reader's, the same
	}
	m.c.grow(m.key, e, size)
	return v
}

// grow counts a memo just made for e, if e is still cached under key, and
// evicts others (or e itself) to stay within the bound.
func (c *readCache) grow(key string, e *Entry, size int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.entries[key] != e {
		return // dropped meanwhile: nothing to count
	}
	e.memo.size = size
	c.bytes += size
	c.evictLocked(0)
}

// evictLocked drops entries (at random: map order) until room more bytes
// fit in the bound. c.mu held.
func (c *readCache) evictLocked(room int) {
	for victim, ve := range c.entries {
		if c.bytes+room <= c.max {
			break
		}
		delete(c.entries, victim)
		c.bytes -= entrySize(victim, ve)
	}
}

// get returns a cached entry (shared: callers must not modify it).
func (c *readCache) get(ns, key string) (*Entry, bool) {
	if c == nil {
		return nil, false
	}
	var buf [128]byte // the lookup key without an allocation (for most keys)
	k := append(append(append(buf[:0], ns...), 0), key...)
	c.mu.Lock()
	e, ok := c.entries[string(k)]
	c.mu.Unlock()
	return e, ok
}

// snapshot returns the generation a read starts at.
func (c *readCache) snapshot() uint64 {
	if c == nil {
		return 0
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.gen
}

// fill caches what a read that started at gen found, unless a write
// began since (its keys may or may not be in what was read).
func (c *readCache) fill(gen uint64, ns, key string, e *Entry) {
	if c == nil || len(e.Value)+len(e.Metadata) > maxCachedValue {
		return
	}
	k := cacheKey(ns, key)
	own := &Entry{Value: append([]byte(nil), e.Value...), Metadata: append([]byte(nil), e.Metadata...),
		Expiration: e.Expiration, Version: e.Version}
	own.memo = &entryMemo{c: c, key: k}
	size := entrySize(k, own)
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.gen != gen || c.writing || c.off {
		return
	}
	if old, ok := c.entries[k]; ok {
		c.bytes -= entrySize(k, old)
	}
	c.evictLocked(size)
	c.entries[k] = own
	c.bytes += size
}

// begin and end bracket a write: no read that overlaps it fills the
// cache, and end drops the keys it wrote once more (a read between
// noteWrite and end cannot have filled them: writing was set).
func (c *readCache) begin() {
	if c == nil {
		return
	}
	c.mu.Lock()
	c.gen++
	c.writing = true
	c.mu.Unlock()
}

func (c *readCache) end(keys []string) {
	if c == nil {
		return
	}
	c.mu.Lock()
	for _, k := range keys {
		if e, ok := c.entries[k]; ok {
			c.bytes -= entrySize(k, e)
			delete(c.entries, k)
		}
	}
	c.gen++
	c.writing = false
	c.mu.Unlock()
}

// update runs a write transaction with the cache bracketing it; store and
// remove drop the keys they touch and note them in s.dirty. s.wmu held.
func (s *Store) update(fn func(txn *badger.Txn) error) error {
	s.dirty = s.dirty[:0]
	s.cache.begin()
	err := s.db.Update(fn)
	if s.afterCommit != nil {
		s.afterCommit()
	}
	s.cache.end(s.dirty)
	return err
}

// GetCached returns a key's entry if it is in the read cache and live,
// without touching the disk (so a caller may use it on a goroutine that
// must not block). ok false means "not known here": call Get.
func (s *Store) GetCached(ns, key string) (e *Entry, ok bool) {
	select {
	case <-s.closed:
		return nil, false
	default:
	}
	e, ok = s.cache.get(ns, key)
	if !ok || (e.Expiration != 0 && e.Expiration <= s.cfg.Now().Unix()) {
		return nil, false
	}
	return e, true
}

// noteWrite drops a key the write under way touches. s.wmu held. A write
// must run through update: one that did not (a transaction opened on s.db
// directly) could let a read cache a value it is replacing, so the cache
// turns itself off rather than risk serving it.
func (s *Store) noteWrite(ns, key string) {
	c := s.cache
	if c == nil {
		return
	}
	k := cacheKey(ns, key)
	c.mu.Lock()
	bracketed := c.writing
	if e, ok := c.entries[k]; ok {
		c.bytes -= entrySize(k, e)
		delete(c.entries, k)
	}
	if !bracketed {
		c.off = true
		c.entries = map[string]*Entry{}
		c.bytes = 0
	}
	c.mu.Unlock()
	if !bracketed {
		s.log.Error("kv: a write bypassed the read cache; the cache is off (a bug: every write transaction must use Store.update)")
	}
	s.dirty = append(s.dirty, k)
}
