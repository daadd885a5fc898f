package kv

import (
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"hash/crc32"
)

// Version orders writes of a key: the hybrid logical clock timestamp of the
// write, then the writing node's id. Last writer wins.
type Version struct {
	HLC  HLC
	Node string
}

// Less reports whether v is older than w.
func (v Version) Less(w Version) bool {
	if v.HLC != w.HLC {
		return v.HLC < w.HLC
	}
	return v.Node < w.Node
}

// IsZero reports an absent version.
func (v Version) IsZero() bool { return v.HLC == 0 && v.Node == "" }

// Stamp renders the version as an opaque, ordered string (the JS API's
// versionstamp).
func (v Version) Stamp() string {
	var b [12]byte
	binary.BigEndian.PutUint64(b[:8], uint64(v.HLC))
	binary.BigEndian.PutUint32(b[8:], crc32.Checksum([]byte(v.Node), castagnoli))
	return hex.EncodeToString(b[:])
}

func (v Version) String() string { return v.HLC.String() + "@" + v.Node }

// Record is one versioned entry of a namespace: a value, or a tombstone
// left by a delete. Records are what replication moves between nodes.
type Record struct {
	Namespace string
	Key       string
	Value     []byte
	// Metadata is JSON (may be empty).
	Metadata []byte
	// Expiration is a Unix time in seconds; 0 means none.
	Expiration int64
	Version    Version
	Tombstone  bool
	// Seq is the record's local change number in the store it was read
	// from (set by Changes and BucketsRecords; 0 otherwise). It is not replicated and
	// Apply ignores it.
	Seq uint64
}

// expired reports whether the record is past its expiration at unix time
// now (seconds).
func (r *Record) expired(now int64) bool { return r.Expiration != 0 && r.Expiration <= now }

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// ErrCorrupt is wrapped by every decoding error: garbage, truncation, a
// checksum mismatch, fields over their limits.
var ErrCorrupt = errors.New("kv: corrupt record")

const (
	recordMagic  = 'R'
	batchMagic   = 'B'
	formatV1     = 1
	flagTomb     = 1
	maxNodeID    = 255
	maxNamespace = 255
	maxWireKey   = 1 << 16
	maxWireMeta  = 1 << 16
	maxWireValue = 1 << 30
	maxBatchRecs = 1 << 20
)

// MarshalBinary encodes the record: a versioned, checksummed format.
func (r *Record) MarshalBinary() ([]byte, error) {
	if err := r.checkWire(); err != nil {
		return nil, err
	}
	return r.appendTo(make([]byte, 0, r.size())), nil
}

// marshalStored encodes the record as the store keeps it: the encoding,
// then its local change number, in one allocation.
func (r *Record) marshalStored(seq uint64) ([]byte, error) {
	if err := r.checkWire(); err != nil {
		return nil, err
	}
	return binary.BigEndian.AppendUint64(r.appendTo(make([]byte, 0, r.size()+8)), seq), nil
}

func (r *Record) checkWire() error {
	if len(r.Version.Node) > maxNodeID || len(r.Namespace) > maxNamespace || len(r.Key) >= maxWireKey ||
		len(r.Metadata) >= maxWireMeta || len(r.Value) > maxWireValue {
		return fmt.Errorf("kv: record %q: a field exceeds the wire format's limits", r.Key)
	}
	return nil
}

func (r *Record) size() int {
	return 3 + 8 + 1 + len(r.Version.Node) + 1 + len(r.Namespace) + 2 + len(r.Key) + 8 + 2 + len(r.Metadata) + 4 + len(r.Value) + 4
}

func (r *Record) appendTo(b []byte) []byte {
	start := len(b)
	var flags byte
	if r.Tombstone {
		flags |= flagTomb
	}
	b = append(b, recordMagic, formatV1, flags)
	b = binary.BigEndian.AppendUint64(b, uint64(r.Version.HLC))
	b = append(b, byte(len(r.Version.Node)))
	b = append(b, r.Version.Node...)
	b = append(b, byte(len(r.Namespace)))
	b = append(b, r.Namespace...)
	b = binary.BigEndian.AppendUint16(b, uint16(len(r.Key)))
	b = append(b, r.Key...)
	b = binary.BigEndian.AppendUint64(b, uint64(r.Expiration))
	b = binary.BigEndian.AppendUint16(b, uint16(len(r.Metadata)))
	b = append(b, r.Metadata...)
	b = binary.BigEndian.AppendUint32(b, uint32(len(r.Value)))
	b = append(b, r.Value...)
	return binary.BigEndian.AppendUint32(b, crc32.Checksum(b[start:], castagnoli))
}

// UnmarshalRecord decodes one record, refusing garbage and truncation.
func UnmarshalRecord(b []byte) (*Record, error) {
	r, n, err := decodeRecord(b)
	if err != nil {
		return nil, err
	}
	if n != len(b) {
		return nil, fmt.Errorf("%w: %d trailing bytes", ErrCorrupt, len(b)-n)
	}
	return r, nil
}

// decodeRecord decodes a record at the start of b and returns its length.
func decodeRecord(b []byte) (*Record, int, error) {
	d := decoder{b: b}
	if d.byte() != recordMagic {
		return nil, 0, fmt.Errorf("%w: not a record", ErrCorrupt)
	}
	if v := d.byte(); v != formatV1 {
		return nil, 0, fmt.Errorf("%w: unknown format version %d", ErrCorrupt, v)
	}
	flags := d.byte()
	r := &Record{Tombstone: flags&flagTomb != 0}
	r.Version.HLC = HLC(d.u64())
	r.Version.Node = string(d.bytes(int(d.byte())))
	r.Namespace = string(d.bytes(int(d.byte())))
	r.Key = string(d.bytes(int(d.u16())))
	r.Expiration = int64(d.u64())
	if meta := d.bytes(int(d.u16())); len(meta) > 0 {
		r.Metadata = append([]byte(nil), meta...)
	}
	vlen := d.u32()
	if vlen > maxWireValue {
		return nil, 0, fmt.Errorf("%w: value length %d", ErrCorrupt, vlen)
	}
	if v := d.bytes(int(vlen)); len(v) > 0 {
		r.Value = append([]byte(nil), v...)
	}
	body := d.off
	sum := d.u32()
	if d.err != nil {
		return nil, 0, fmt.Errorf("%w: truncated", ErrCorrupt)
	}
	if crc32.Checksum(b[:body], castagnoli) != sum {
		return nil, 0, fmt.Errorf("%w: checksum mismatch", ErrCorrupt)
	}
	if flags&^flagTomb != 0 || r.Expiration < 0 || r.Version.HLC == 0 || r.Version.Node == "" || r.Namespace == "" {
		return nil, 0, fmt.Errorf("%w: invalid fields", ErrCorrupt)
	}
	if r.Tombstone && (len(r.Value) > 0 || len(r.Metadata) > 0) {
		return nil, 0, fmt.Errorf("%w: a tombstone with a value", ErrCorrupt)
	}
	return r, d.off, nil
}

// EncodeBatch encodes records as one checksummed batch.
func EncodeBatch(recs []Record) ([]byte, error) {
	size := 2 + 4 + 4
	for i := range recs {
		size += 4 + recs[i].size()
	}
	b := make([]byte, 0, size)
	b = append(b, batchMagic, formatV1)
	b = binary.BigEndian.AppendUint32(b, uint32(len(recs)))
	for i := range recs {
		r := &recs[i]
		if _, err := r.MarshalBinary(); err != nil {
			return nil, err
		}
		b = binary.BigEndian.AppendUint32(b, uint32(r.size()))
		b = r.appendTo(b)
	}
	return binary.BigEndian.AppendUint32(b, crc32.Checksum(b, castagnoli)), nil
}

// DecodeBatch decodes a batch, refusing it whole if any part is bad.
func DecodeBatch(b []byte) ([]Record, error) {
	if len(b) < 10 {
		return nil, fmt.Errorf("%w: batch truncated", ErrCorrupt)
	}
	if crc32.Checksum(b[:len(b)-4], castagnoli) != binary.BigEndian.Uint32(b[len(b)-4:]) {
		return nil, fmt.Errorf("%w: batch checksum mismatch", ErrCorrupt)
	}
	d := decoder{b: b[:len(b)-4]}
	if d.byte() != batchMagic || d.byte() != formatV1 {
		return nil, fmt.Errorf("%w: not a batch", ErrCorrupt)
	}
	n := d.u32()
	if n > maxBatchRecs {
		return nil, fmt.Errorf("%w: batch of %d records", ErrCorrupt, n)
	}
	recs := make([]Record, 0, min(n, 1024))
	for i := uint32(0); i < n; i++ {
		l := d.u32()
		raw := d.bytes(int(l))
		if d.err != nil {
			return nil, fmt.Errorf("%w: batch truncated", ErrCorrupt)
		}
		r, err := UnmarshalRecord(raw)
		if err != nil {
			return nil, err
		}
		recs = append(recs, *r)
	}
	if d.err != nil || d.off != len(d.b) {
		return nil, fmt.Errorf("%w: batch framing", ErrCorrupt)
	}
	return recs, nil
}

type decoder struct {
	b   []byte
	off int
	err error
}

func (d *decoder) take(n int) []byte {
	if d.err != nil || n < 0 || d.off+n > len(d.b) {
		d.err = ErrCorrupt
		return nil
	}
	s := d.b[d.off : d.off+n]
	d.off += n
	return s
}

func (d *decoder) byte() byte {
	if s := d.take(1); s != nil {
		return s[0]
	}
	return 0
}

func (d *decoder) u16() uint16 {
	if s := d.take(2); s != nil {
		return binary.BigEndian.Uint16(s)
	}
	return 0
}

func (d *decoder) u32() uint32 {
	if s := d.take(4); s != nil {
		return binary.BigEndian.Uint32(s)
	}
	return 0
}

func (d *decoder) u64() uint64 {
	if s := d.take(8); s != nil {
		return binary.BigEndian.Uint64(s)
	}
	return 0
}

func (d *decoder) bytes(n int) []byte { return d.take(n) }
