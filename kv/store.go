package kv

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"hash/fnv"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/dgraph-io/badger/v4"
	"github.com/dgraph-io/badger/v4/options"
)

// Sentinel errors callers branch on. Errors returned by the store wrap one
// of these where it applies, with the limit and the value given.
var (
	ErrNotFound         = errors.New("kv: not found")
	ErrKeyTooLarge      = errors.New("kv: key too large")
	ErrEmptyKey         = errors.New("kv: empty key")
	ErrValueTooLarge    = errors.New("kv: value too large")
	ErrMetadataTooLarge = errors.New("kv: metadata too large")
	ErrBadMetadata      = errors.New("kv: metadata is not valid JSON")
	ErrInvalidTTL       = errors.New("kv: invalid expiration")
	ErrInvalidCursor    = errors.New("kv: invalid cursor")
	ErrInvalidLimit     = errors.New("kv: invalid list limit")
	ErrBadNamespace     = errors.New("kv: invalid namespace")
	ErrReserved         = errors.New("kv: reserved namespace")
	ErrCheckFailed      = errors.New("kv: atomic check failed")
	ErrClosed           = errors.New("kv: store closed")
)

// IsInvalidInput reports whether err was caused by the caller's input (a
// key, value or metadata over its limit, a bad expiration, cursor, limit or
// namespace) rather than by the store: retrying the same call fails again.
func IsInvalidInput(err error) bool {
	for _, e := range []error{ErrKeyTooLarge, ErrEmptyKey, ErrValueTooLarge, ErrMetadataTooLarge, ErrBadMetadata,
		ErrInvalidTTL, ErrInvalidCursor, ErrInvalidLimit, ErrBadNamespace, ErrReserved} {
		if errors.Is(err, e) {
			return true
		}
	}
	return false
}

// Durability says when a write is acknowledged.
type Durability string

const (
	// DurabilityProcess acknowledges a write once Badger committed it to
	// its write-ahead log in the page cache: it survives the process being
	// killed (kill -9), not the machine losing power.
	DurabilityProcess Durability = ""
	// DurabilityFsync also fsyncs before acknowledging: it survives a
	// machine crash, at a cost in throughput (see docs/BENCHMARKS.md).
	DurabilityFsync Durability = "fsync"
)

// Config configures a Store.
type Config struct {
	// Dir is where Badger keeps its files. Required unless InMemory.
	Dir string
	// InMemory keeps everything in memory (tests; values up to 1 MiB).
	InMemory bool
	// NodeID names this node in the versions of its writes. Required.
	NodeID string
	// Durability: DurabilityProcess (default; "process" names it too) or
	// DurabilityFsync.
	Durability Durability
	// MaxKeySize in bytes. Default 512 (Workers KV's limit).
	MaxKeySize int
	// MaxValueSize in bytes. Default 25 MiB.
	MaxValueSize int
	// MaxMetadataSize in bytes of JSON. Default 1024.
	MaxMetadataSize int
	// MinTTL is the shortest expirationTtl accepted. Default 60s.
	MinTTL time.Duration
	// MaxClockSkew bounds how far in the future a remote timestamp may be.
	// Default 30s.
	MaxClockSkew time.Duration
	// Now is the physical clock (tests). Default time.Now.
	Now func() time.Time
	// Logger receives the store's logs (and Badger's). Nil discards.
	Logger *slog.Logger
	// CacheSize is Badger's block cache in bytes. Default 16 MiB: small
	// nodes first (see docs/BENCHMARKS.md for the memory figures).
	CacheSize int64
	// ExpireEvery is how often expired records are removed. Default 1m.
	ExpireEvery time.Duration
	// ReadCacheSize bounds the cache of recently read entries (values up to
	// 64 KiB), in bytes, their memos (Entry.Memo) included. Default
	// 8 MiB; negative turns it off. A write drops the keys it touches, so a
	// read never sees an older value than the store holds.
	ReadCacheSize int
}

// DefaultConfig returns the defaults; Dir (or InMemory) and NodeID must
// still be set.
func DefaultConfig() Config {
	return Config{
		MaxKeySize:      512,
		MaxValueSize:    25 << 20,
		MaxMetadataSize: 1024,
		MinTTL:          60 * time.Second,
		MaxClockSkew:    30 * time.Second,
		CacheSize:       16 << 20,
		ExpireEvery:     time.Minute,
		ReadCacheSize:   8 << 20,
	}
}

func (c *Config) fill() {
	d := DefaultConfig()
	if c.Durability == "process" { // the configuration files' name for the default
		c.Durability = DurabilityProcess
	}
	if c.MaxKeySize == 0 {
		c.MaxKeySize = d.MaxKeySize
	}
	if c.MaxValueSize == 0 {
		c.MaxValueSize = d.MaxValueSize
	}
	if c.MaxMetadataSize == 0 {
		c.MaxMetadataSize = d.MaxMetadataSize
	}
	if c.MinTTL == 0 {
		c.MinTTL = d.MinTTL
	}
	if c.MaxClockSkew == 0 {
		c.MaxClockSkew = d.MaxClockSkew
	}
	if c.CacheSize == 0 {
		c.CacheSize = d.CacheSize
	}
	if c.ExpireEvery == 0 {
		c.ExpireEvery = d.ExpireEvery
	}
	if c.ReadCacheSize == 0 {
		c.ReadCacheSize = d.ReadCacheSize
	}
	if c.Now == nil {
		c.Now = time.Now
	}
}

func (c *Config) validate() error {
	switch {
	case c.Dir == "" && !c.InMemory:
		return errors.New("kv: config: Dir is required (or InMemory)")
	case c.NodeID == "" || len(c.NodeID) > maxNodeID:
		return fmt.Errorf("kv: config: NodeID %q must be 1-%d bytes", c.NodeID, maxNodeID)
	case c.Durability != DurabilityProcess && c.Durability != DurabilityFsync:
		return fmt.Errorf("kv: config: Durability %q: use \"\" or \"fsync\"", c.Durability)
	case c.MaxKeySize < 1 || c.MaxKeySize >= maxWireKey:
		return fmt.Errorf("kv: config: MaxKeySize %d is outside 1-%d", c.MaxKeySize, maxWireKey-1)
	case c.MaxValueSize < 1 || c.MaxValueSize > maxWireValue:
		return fmt.Errorf("kv: config: MaxValueSize %d is outside 1-%d", c.MaxValueSize, maxWireValue)
	case c.MaxMetadataSize < 0 || c.MaxMetadataSize >= maxWireMeta:
		return fmt.Errorf("kv: config: MaxMetadataSize %d is outside 0-%d", c.MaxMetadataSize, maxWireMeta-1)
	case c.MinTTL < 0:
		return fmt.Errorf("kv: config: MinTTL %v is negative", c.MinTTL)
	case c.MaxClockSkew <= 0:
		return fmt.Errorf("kv: config: MaxClockSkew %v must be positive", c.MaxClockSkew)
	}
	return nil
}

// Store is a node's replicated key-value store. It is safe for concurrent
// use.
type Store struct {
	cfg   Config
	db    *badger.DB
	clock clock
	log   *slog.Logger

	wmu     sync.Mutex // serializes write transactions: sequence numbers and bucket hashes
	seq     uint64
	horizon HLC // every tombstone collected so far was older than this
	notify  chan struct{}
	cache   *readCache // nil when off
	dirty   []string   // cache keys the write under way touched; s.wmu held

	qmu     sync.Mutex // guards queue and leading (group commit: commit.go)
	queue   []*pending
	leading bool

	afterCommit func()      // tests: runs between a write's commit and the cache's end of it
	afterGroup  func(n int) // tests: runs after each group commit with its size

	closeOnce sync.Once
	closed    chan struct{}
	wg        sync.WaitGroup
}

// Key layout in Badger:
//
//	'd' nslen ns key      -> stored record (encoding + 8-byte local sequence)
//	's' seq(8)            -> nslen ns key (change feed index)
//	'h' nslen ns bucket(2) -> 16-byte XOR of the record hashes in the bucket
//	'n' ns                -> (namespace registry)
//	'm' "hlc" / "seq"     -> clock and sequence high-water marks
const (
	pData   = 'd'
	pSeq    = 's'
	pHash   = 'h'
	pNS     = 'n'
	pMeta   = 'm'
	Buckets = 256
)

var (
	metaHLC     = []byte("mhlc")
	metaSeq     = []byte("mseq")
	metaHorizon = []byte("mhzn")
)

// Open opens (or creates) a store.
func Open(cfg Config) (*Store, error) {
	cfg.fill()
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	opts := badger.DefaultOptions(cfg.Dir).
		WithInMemory(cfg.InMemory).
		WithSyncWrites(cfg.Durability == DurabilityFsync).
		WithLogger(badgerLogger{log.With("component", "badger")}).
		WithLoggingLevel(badger.WARNING).
		WithMemTableSize(8 << 20).
		WithNumMemtables(2).
		WithNumLevelZeroTables(2).
		WithNumLevelZeroTablesStall(8).
		WithBaseTableSize(2 << 20).
		WithBaseLevelSize(16 << 20).
		WithCompression(options.None).
		WithValueThreshold(512).
		WithValueLogFileSize(64 << 20).
		WithBlockCacheSize(cfg.CacheSize).
		WithIndexCacheSize(8 << 20).
		WithNumCompactors(2).
		WithNumGoroutines(2).
		WithCompactL0OnClose(false).
		WithDetectConflicts(false)
	if cfg.InMemory {
		// No value log in memory: every value lives in the LSM tree, which
		// caps values at 1 MiB (tests only).
		opts = opts.WithDir("").WithValueDir("").WithValueThreshold(1 << 20)
	}
	db, err := badger.Open(opts)
	if err != nil {
		return nil, fmt.Errorf("kv: open %s: %w", cfg.Dir, err)
	}
	s := &Store{cfg: cfg, db: db, log: log.With("component", "kv"), notify: make(chan struct{}), closed: make(chan struct{}),
		cache: newReadCache(cfg.ReadCacheSize)}
	s.clock = clock{now: cfg.Now, maxSkew: cfg.MaxClockSkew}
	err = db.View(func(txn *badger.Txn) error {
		if v, err := getValue(txn, metaHLC); err == nil && len(v) == 8 {
			s.clock.restore(HLC(binary.BigEndian.Uint64(v)))
		}
		if v, err := getValue(txn, metaSeq); err == nil && len(v) == 8 {
			s.seq = binary.BigEndian.Uint64(v)
		}
		if v, err := getValue(txn, metaHorizon); err == nil && len(v) == 8 {
			s.horizon = HLC(binary.BigEndian.Uint64(v))
		}
		return nil
	})
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("kv: open %s: %w", cfg.Dir, err)
	}
	s.wg.Add(2)
	go s.expireLoop()
	go s.gcLoop()
	return s, nil
}

// Close flushes and closes the store. It is idempotent.
func (s *Store) Close() error {
	var err error
	s.closeOnce.Do(func() {
		close(s.closed)
		s.wg.Wait()
		s.wmu.Lock()
		err = s.db.Close()
		s.wmu.Unlock()
	})
	return err
}

// NodeID returns the node id written into versions.
func (s *Store) NodeID() string { return s.cfg.NodeID }

// Clock returns the latest HLC timestamp of this store.
func (s *Store) Clock() HLC { return s.clock.Last() }

// Seq returns the sequence number of the latest change.
func (s *Store) Seq() uint64 {
	s.wmu.Lock()
	defer s.wmu.Unlock()
	return s.seq
}

// Entry is what a read returns.
type Entry struct {
	Value      []byte
	Metadata   []byte
	Expiration int64
	Version    Version

	memo *entryMemo // set on an entry of the read cache (see Memo)
}

// PutOptions are the optional parts of a put.
type PutOptions struct {
	// Expiration is an absolute Unix time in seconds.
	Expiration int64
	// ExpirationTTL is seconds from now (at least MinTTL).
	ExpirationTTL int64
	// Metadata is a JSON value.
	Metadata []byte
}

// Reserved reports whether a namespace is reserved for the system (its name
// starts with an underscore): user bindings cannot name it.
func Reserved(ns string) bool { return strings.HasPrefix(ns, "_") }

func checkNamespace(ns string) error {
	if ns == "" || len(ns) > 128 {
		return fmt.Errorf("%w: %q must be 1-128 bytes", ErrBadNamespace, ns)
	}
	return nil
}

func (s *Store) checkKey(key string) error {
	if key == "" {
		return fmt.Errorf("%w: a key is 1-%d bytes", ErrEmptyKey, s.cfg.MaxKeySize)
	}
	if len(key) > s.cfg.MaxKeySize {
		return fmt.Errorf("%w: %d bytes; the limit is %d", ErrKeyTooLarge, len(key), s.cfg.MaxKeySize)
	}
	return nil
}

func dataKey(ns, key string) []byte {
	b := make([]byte, 0, 2+len(ns)+len(key))
	b = append(b, pData, byte(len(ns)))
	b = append(b, ns...)
	return append(b, key...)
}

func nsPrefix(ns string) []byte {
	b := make([]byte, 0, 2+len(ns))
	b = append(b, pData, byte(len(ns)))
	return append(b, ns...)
}

func bucketOf(key string) uint16 {
	h := fnv.New32a()
	_, _ = h.Write([]byte(key))
	return uint16(h.Sum32() % Buckets)
}

func hashKey(ns string, bucket uint16) []byte {
	b := make([]byte, 0, 4+len(ns))
	b = append(b, pHash, byte(len(ns)))
	b = append(b, ns...)
	return binary.BigEndian.AppendUint16(b, bucket)
}

// recordHash identifies a record's content for anti-entropy: its key, its
// version and whether it is a tombstone (a version names exactly one write).
func recordHash(r *Record) [16]byte {
	h := sha256.New()
	h.Write([]byte{byte(len(r.Namespace))})
	h.Write([]byte(r.Namespace))
	h.Write([]byte(r.Key))
	var b [9]byte
	binary.BigEndian.PutUint64(b[:8], uint64(r.Version.HLC))
	if r.Tombstone {
		b[8] = 1
	}
	h.Write(b[:])
	h.Write([]byte(r.Version.Node))
	var out [16]byte
	copy(out[:], h.Sum(nil))
	return out
}

func getValue(txn *badger.Txn, key []byte) ([]byte, error) {
	item, err := txn.Get(key)
	if err != nil {
		return nil, err
	}
	return item.ValueCopy(nil)
}

// stored decodes a stored record and its local sequence number.
func stored(v []byte) (*Record, uint64, error) {
	if len(v) < 8 {
		return nil, 0, fmt.Errorf("%w: stored record too short", ErrCorrupt)
	}
	r, err := UnmarshalRecord(v[:len(v)-8])
	if err != nil {
		return nil, 0, err
	}
	return r, binary.BigEndian.Uint64(v[len(v)-8:]), nil
}

// current reads the stored record of a key (nil when absent).
func current(txn *badger.Txn, ns, key string) (*Record, uint64, error) {
	v, err := getValue(txn, dataKey(ns, key))
	if errors.Is(err, badger.ErrKeyNotFound) {
		return nil, 0, nil
	}
	if err != nil {
		return nil, 0, err
	}
	return stored(v)
}

// Get reads a key. Tombstones and expired records are ErrNotFound.
func (s *Store) Get(ns, key string) (*Entry, error) {
	if err := s.checkKey(key); err != nil {
		return nil, fmt.Errorf("kv: get %q: %w", truncate(key, 64), err)
	}
	if e, ok := s.GetCached(ns, key); ok {
		// The caller owns what Get returns; the cached entry stays intact.
		return &Entry{Value: append([]byte(nil), e.Value...), Metadata: append([]byte(nil), e.Metadata...),
			Expiration: e.Expiration, Version: e.Version}, nil
	}
	gen := s.cache.snapshot()
	var e *Entry
	err := s.db.View(func(txn *badger.Txn) error {
		r, _, err := current(txn, ns, key)
		if err != nil {
			return err
		}
		if r == nil || r.Tombstone || r.expired(s.cfg.Now().Unix()) {
			return ErrNotFound
		}
		e = &Entry{Value: r.Value, Metadata: r.Metadata, Expiration: r.Expiration, Version: r.Version}
		return nil
	})
	if err == nil {
		s.cache.fill(gen, ns, key, e)
	}
	if err != nil {
		if errors.Is(err, ErrNotFound) {
			return nil, fmt.Errorf("kv: get %s/%q: %w", ns, truncate(key, 64), ErrNotFound)
		}
		if errors.Is(err, badger.ErrDBClosed) {
			return nil, ErrClosed
		}
		return nil, fmt.Errorf("kv: get %s/%q: %w", ns, truncate(key, 64), err)
	}
	return e, nil
}

// expiration resolves PutOptions into an absolute expiration.
func (s *Store) expiration(o PutOptions) (int64, error) {
	now := s.cfg.Now().Unix()
	minTTL := int64(s.cfg.MinTTL / time.Second)
	switch {
	case o.Expiration < 0:
		return 0, fmt.Errorf("%w: expiration %d is negative", ErrInvalidTTL, o.Expiration)
	case o.ExpirationTTL < 0:
		return 0, fmt.Errorf("%w: expirationTtl %d is negative", ErrInvalidTTL, o.ExpirationTTL)
	case o.ExpirationTTL > 0 && o.ExpirationTTL < minTTL:
		return 0, fmt.Errorf("%w: expirationTtl %d is below the minimum of %d seconds", ErrInvalidTTL, o.ExpirationTTL, minTTL)
	case o.ExpirationTTL > 0:
		return now + o.ExpirationTTL, nil
	case o.Expiration > 0 && o.Expiration < now+minTTL:
		return 0, fmt.Errorf("%w: expiration %d is less than %d seconds from now (%d)", ErrInvalidTTL, o.Expiration, minTTL, now)
	}
	return o.Expiration, nil
}

func (s *Store) checkMetadata(meta []byte) error {
	if len(meta) == 0 {
		return nil
	}
	if len(meta) > s.cfg.MaxMetadataSize {
		return fmt.Errorf("%w: %d bytes of JSON; the limit is %d", ErrMetadataTooLarge, len(meta), s.cfg.MaxMetadataSize)
	}
	if !json.Valid(meta) {
		return fmt.Errorf("%w: %q", ErrBadMetadata, truncate(string(meta), 40))
	}
	return nil
}

// Put writes a value, acknowledged once committed (see Durability).
func (s *Store) Put(ns, key string, value []byte, o PutOptions) (Version, error) {
	if err := checkNamespace(ns); err != nil {
		return Version{}, fmt.Errorf("kv: put %q: %w", truncate(key, 64), err)
	}
	if err := s.checkKey(key); err != nil {
		return Version{}, fmt.Errorf("kv: put %q: %w", truncate(key, 64), err)
	}
	if len(value) > s.cfg.MaxValueSize {
		return Version{}, fmt.Errorf("kv: put %q: %w: %d bytes; the limit is %d", truncate(key, 64), ErrValueTooLarge, len(value), s.cfg.MaxValueSize)
	}
	if err := s.checkMetadata(o.Metadata); err != nil {
		return Version{}, fmt.Errorf("kv: put %q: %w", truncate(key, 64), err)
	}
	exp, err := s.expiration(o)
	if err != nil {
		return Version{}, fmt.Errorf("kv: put %q: %w", truncate(key, 64), err)
	}
	r := &Record{Namespace: ns, Key: key, Value: value, Metadata: o.Metadata, Expiration: exp}
	if err := s.writeLocal([]*Record{r}, nil); err != nil {
		return Version{}, fmt.Errorf("kv: put %s/%q: %w", ns, truncate(key, 64), err)
	}
	return r.Version, nil
}

// Delete deletes a key, leaving a tombstone that replicates.
func (s *Store) Delete(ns, key string) (Version, error) {
	if err := checkNamespace(ns); err != nil {
		return Version{}, fmt.Errorf("kv: delete %q: %w", truncate(key, 64), err)
	}
	if err := s.checkKey(key); err != nil {
		return Version{}, fmt.Errorf("kv: delete %q: %w", truncate(key, 64), err)
	}
	r := &Record{Namespace: ns, Key: key, Tombstone: true}
	if err := s.writeLocal([]*Record{r}, nil); err != nil {
		return Version{}, fmt.Errorf("kv: delete %s/%q: %w", ns, truncate(key, 64), err)
	}
	return r.Version, nil
}

// writeLocal stamps local writes with new versions and commits them in one
// transaction (shared with the writes committed with them: see commit.go);
// check runs inside it first (atomic operations) and writes nothing.
func (s *Store) writeLocal(recs []*Record, check func(txn *badger.Txn) error) error {
	size := 0
	for _, r := range recs {
		size += len(r.Value) + len(r.Metadata)
	}
	return s.commit(size, func(txn *badger.Txn, seq *uint64) error {
		if check != nil {
			if err := check(txn); err != nil {
				return err
			}
		}
		for _, r := range recs {
			r.Version = Version{HLC: s.clock.Now(), Node: s.cfg.NodeID}
			old, oldSeq, err := current(txn, r.Namespace, r.Key)
			if err != nil {
				return err
			}
			*seq++
			if err := s.store(txn, r, old, oldSeq, *seq); err != nil {
				return err
			}
		}
		return nil
	})
}

// store writes r over old (nil when absent; its change was oldSeq) as
// change seq, keeping the bucket hash and the change index in step: the
// superseded change leaves the index, so the feed holds one entry per key.
// s.wmu held.
func (s *Store) store(txn *badger.Txn, r, old *Record, oldSeq, seq uint64) error {
	enc, err := r.marshalStored(seq)
	if err != nil {
		return err
	}
	if err := txn.Set(dataKey(r.Namespace, r.Key), enc); err != nil {
		return err
	}
	s.noteWrite(r.Namespace, r.Key)
	if old != nil {
		if err := txn.Delete(seqKey(oldSeq)); err != nil {
			return err
		}
	}
	idx := make([]byte, 0, 1+len(r.Namespace)+len(r.Key))
	idx = append(idx, byte(len(r.Namespace)))
	idx = append(idx, r.Namespace...)
	idx = append(idx, r.Key...)
	if err := txn.Set(seqKey(seq), idx); err != nil {
		return err
	}
	if err := txn.Set(append([]byte{pNS}, r.Namespace...), nil); err != nil {
		return err
	}
	h := recordHash(r)
	if old != nil {
		oh := recordHash(old)
		for i := range h {
			h[i] ^= oh[i]
		}
	}
	return s.xorBucket(txn, r.Namespace, bucketOf(r.Key), h)
}

// remove deletes a stored record (its change was seq) physically (expiry,
// tombstone collection), keeping the bucket hash and the change index in
// step. s.wmu held.
func (s *Store) remove(txn *badger.Txn, r *Record, seq uint64) error {
	if err := txn.Delete(dataKey(r.Namespace, r.Key)); err != nil {
		return err
	}
	s.noteWrite(r.Namespace, r.Key)
	if err := txn.Delete(seqKey(seq)); err != nil {
		return err
	}
	return s.xorBucket(txn, r.Namespace, bucketOf(r.Key), recordHash(r))
}

func (s *Store) xorBucket(txn *badger.Txn, ns string, bucket uint16, h [16]byte) error {
	k := hashKey(ns, bucket)
	cur, err := getValue(txn, k)
	if err != nil && !errors.Is(err, badger.ErrKeyNotFound) {
		return err
	}
	if len(cur) == 16 {
		for i := range h {
			h[i] ^= cur[i]
		}
	}
	if h == ([16]byte{}) {
		return txn.Delete(k)
	}
	return txn.Set(k, h[:])
}

func seqKey(seq uint64) []byte {
	b := make([]byte, 9)
	b[0] = pSeq
	binary.BigEndian.PutUint64(b[1:], seq)
	return b
}

// saveMeta records the clock and sequence high-water marks in the write's
// transaction. (Badger keeps the slices until commit: each gets its own.)
func (s *Store) saveMeta(txn *badger.Txn, seq uint64) error {
	if err := txn.Set(metaHLC, binary.BigEndian.AppendUint64(nil, uint64(s.clock.Last()))); err != nil {
		return err
	}
	return txn.Set(metaSeq, binary.BigEndian.AppendUint64(nil, seq))
}

// signal wakes everyone waiting on Notify. s.wmu held.
func (s *Store) signal() {
	close(s.notify)
	s.notify = make(chan struct{})
}

// Notify returns a channel closed at the next change (local write or
// applied remote record).
func (s *Store) Notify() <-chan struct{} {
	s.wmu.Lock()
	defer s.wmu.Unlock()
	return s.notify
}

// ListOptions select keys to list.
type ListOptions struct {
	Prefix string
	// Limit is at most 1000; 0 means 1000.
	Limit int
	// Cursor continues a previous list.
	Cursor string
}

// ListKey is one listed key.
type ListKey struct {
	Name       string          `json:"name"`
	Expiration int64           `json:"expiration,omitempty"`
	Metadata   json.RawMessage `json:"metadata,omitempty"`
}

// ListResult is a page of keys in key order.
type ListResult struct {
	Keys         []ListKey `json:"keys"`
	ListComplete bool      `json:"list_complete"`
	Cursor       string    `json:"cursor,omitempty"`
}

// List lists live keys by prefix, in key order, a page at a time.
func (s *Store) List(ns string, o ListOptions) (*ListResult, error) {
	if o.Limit == 0 {
		o.Limit = 1000
	}
	if o.Limit < 1 || o.Limit > 1000 {
		return nil, fmt.Errorf("kv: list: %w: %d is outside 1-1000", ErrInvalidLimit, o.Limit)
	}
	if err := checkNamespace(ns); err != nil {
		return nil, fmt.Errorf("kv: list: %w", err)
	}
	start := append(nsPrefix(ns), o.Prefix...)
	if o.Cursor != "" {
		after, err := decodeCursor(ns, o.Cursor)
		if err != nil {
			return nil, fmt.Errorf("kv: list: %w", err)
		}
		if !strings.HasPrefix(after, o.Prefix) {
			return nil, fmt.Errorf("kv: list: %w: it belongs to another prefix", ErrInvalidCursor)
		}
		start = append(append(nsPrefix(ns), after...), 0)
	}
	prefix := append(nsPrefix(ns), o.Prefix...)
	res := &ListResult{Keys: []ListKey{}}
	now := s.cfg.Now().Unix()
	err := s.db.View(func(txn *badger.Txn) error {
		opts := badger.DefaultIteratorOptions
		opts.Prefix = prefix
		opts.PrefetchSize = min(o.Limit+1, 100)
		it := txn.NewIterator(opts)
		defer it.Close()
		for it.Seek(start); it.ValidForPrefix(prefix); it.Next() {
			v, err := it.Item().ValueCopy(nil)
			if err != nil {
				return err
			}
			r, _, err := stored(v)
			if err != nil {
				return err
			}
			if r.Tombstone || r.expired(now) {
				continue
			}
			if len(res.Keys) == o.Limit {
				res.Cursor = encodeCursor(ns, res.Keys[len(res.Keys)-1].Name)
				return nil
			}
			res.Keys = append(res.Keys, ListKey{Name: r.Key, Expiration: r.Expiration, Metadata: r.Metadata})
		}
		res.ListComplete = true
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("kv: list %s: %w", ns, err)
	}
	return res, nil
}

// Cursors are opaque to callers: base64url of a version byte, a hash of
// the namespace and the last key returned.
func encodeCursor(ns, last string) string {
	h := fnv.New32a()
	_, _ = h.Write([]byte(ns))
	b := binary.BigEndian.AppendUint32([]byte{1}, h.Sum32())
	return base64.RawURLEncoding.EncodeToString(append(b, last...))
}

func decodeCursor(ns, c string) (string, error) {
	b, err := base64.RawURLEncoding.DecodeString(c)
	if err != nil || len(b) < 6 || b[0] != 1 {
		return "", fmt.Errorf("%w: %q is not a cursor this store returned", ErrInvalidCursor, truncate(c, 40))
	}
	h := fnv.New32a()
	_, _ = h.Write([]byte(ns))
	if binary.BigEndian.Uint32(b[1:5]) != h.Sum32() {
		return "", fmt.Errorf("%w: it belongs to another namespace", ErrInvalidCursor)
	}
	return string(b[5:]), nil
}

func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n] + "..."
	}
	return s
}

// Namespaces lists every namespace that ever held a record.
func (s *Store) Namespaces() ([]string, error) {
	var out []string
	err := s.db.View(func(txn *badger.Txn) error {
		opts := badger.DefaultIteratorOptions
		opts.Prefix = []byte{pNS}
		opts.PrefetchValues = false
		it := txn.NewIterator(opts)
		defer it.Close()
		for it.Rewind(); it.Valid(); it.Next() {
			out = append(out, string(it.Item().Key()[1:]))
		}
		return nil
	})
	return out, err
}

// badgerLogger sends Badger's logs to slog.
type badgerLogger struct{ log *slog.Logger }

func (l badgerLogger) Errorf(f string, a ...any) {
	l.log.Error(strings.TrimSpace(fmt.Sprintf(f, a...)))
}
func (l badgerLogger) Warningf(f string, a ...any) {
	l.log.Warn(strings.TrimSpace(fmt.Sprintf(f, a...)))
}
func (l badgerLogger) Infof(f string, a ...any) { l.log.Debug(strings.TrimSpace(fmt.Sprintf(f, a...))) }
func (l badgerLogger) Debugf(f string, a ...any) {
	l.log.Debug(strings.TrimSpace(fmt.Sprintf(f, a...)))
}

// gcLoop reclaims value-log space now and then.
func (s *Store) gcLoop() {
	defer s.wg.Done()
	if s.cfg.InMemory {
		return
	}
	t := time.NewTicker(5 * time.Minute)
	defer t.Stop()
	for {
		select {
		case <-s.closed:
			return
		case <-t.C:
			for s.db.RunValueLogGC(0.5) == nil {
			}
		}
	}
}
