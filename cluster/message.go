package cluster

import (
	"encoding/binary"
	"fmt"
)

// Messages inside frames: a type byte, then the body.
const (
	msgPush        = 1 // records -> msgPushAck
	msgPushAck     = 2 // applied u32, stale u32, refused u32
	msgSummary     = 3 // (empty) -> msgSummaryResp
	msgSummaryResp = 4 // seq u64, horizon u64, count u32, count x (ns, root[16])
	msgDigest      = 5 // ns -> msgDigestResp
	msgDigestResp  = 6 // Buckets x 16 bytes
	msgPull        = 7 // ns, count u16, count x bucket u16 -> msgRecords... (last set on the final one)
	msgRecords     = 8 // last u8, records
	msgSyncDone    = 9 // seq u64: the sender holds every record the receiver had below it -> msgPushAck
	msgError       = 10
)

// Limits of the message format.
const (
	maxNamespace = 255
	maxRecords   = 1 << 20
)

// summary is a peer's view at the start of an anti-entropy session.
type summary struct {
	seq     uint64 // the peer's change number when it answered
	horizon uint64
	roots   map[string][16]byte
}

type decoder struct {
	b   []byte
	off int
	err error
}

func (d *decoder) take(n int) []byte {
	if d.err != nil || n < 0 || n > len(d.b)-d.off {
		d.err = ErrMessage
		return nil
	}
	s := d.b[d.off : d.off+n]
	d.off += n
	return s
}

func (d *decoder) u8() byte {
	if s := d.take(1); s != nil {
		return s[0]
	}
	return 0
}

func (d *decoder) u16() int {
	if s := d.take(2); s != nil {
		return int(binary.BigEndian.Uint16(s))
	}
	return 0
}

func (d *decoder) u32() int {
	if s := d.take(4); s != nil {
		return int(binary.BigEndian.Uint32(s))
	}
	return 0
}

func (d *decoder) u64() uint64 {
	if s := d.take(8); s != nil {
		return binary.BigEndian.Uint64(s)
	}
	return 0
}

func (d *decoder) name() string { return string(d.take(int(d.u8()))) }

// done fails unless the whole message was consumed.
func (d *decoder) done(what string) error {
	if d.err == nil && d.off != len(d.b) {
		d.err = ErrMessage
	}
	if d.err != nil {
		return fmt.Errorf("%w: %s", ErrMessage, what)
	}
	return nil
}

func appendRecords(b []byte, recs []Record) []byte {
	b = binary.BigEndian.AppendUint32(b, uint32(len(recs)))
	for i := range recs {
		b = binary.BigEndian.AppendUint32(b, uint32(len(recs[i].Data)))
		b = append(b, recs[i].Data...)
	}
	return b
}

// recordsSize is the encoded size of records.
func recordsSize(recs []Record) int {
	n := 4
	for i := range recs {
		n += 4 + len(recs[i].Data)
	}
	return n
}

// decodeRecords reads a record list, each record decoded by the replica:
// one bad record refuses the whole list.
func decodeRecords(d *decoder, decode func([]byte) (Record, error)) ([]Record, error) {
	n := d.u32()
	if d.err != nil || n > maxRecords || n > (len(d.b)-d.off)/4 {
		return nil, fmt.Errorf("%w: record count", ErrMessage)
	}
	recs := make([]Record, 0, n)
	for i := 0; i < n; i++ {
		data := d.take(d.u32())
		if d.err != nil {
			return nil, fmt.Errorf("%w: record %d truncated", ErrMessage, i)
		}
		r, err := decode(data)
		if err != nil {
			return nil, fmt.Errorf("%w: record %d: %w", ErrMessage, i, err)
		}
		recs = append(recs, r)
	}
	return recs, nil
}

func encodePush(recs []Record) []byte {
	return appendRecords(append(make([]byte, 0, 1+recordsSize(recs)), msgPush), recs)
}

func encodePushAck(r ApplyResult) []byte {
	b := []byte{msgPushAck}
	b = binary.BigEndian.AppendUint32(b, uint32(r.Applied))
	b = binary.BigEndian.AppendUint32(b, uint32(r.Stale))
	return binary.BigEndian.AppendUint32(b, uint32(r.Refused))
}

func decodePushAck(body []byte) (ApplyResult, error) {
	d := decoder{b: body}
	r := ApplyResult{Applied: d.u32(), Stale: d.u32(), Refused: d.u32()}
	return r, d.done("push ack")
}

func encodeSummary(s summary) []byte {
	b := []byte{msgSummaryResp}
	b = binary.BigEndian.AppendUint64(b, s.seq)
	b = binary.BigEndian.AppendUint64(b, s.horizon)
	b = binary.BigEndian.AppendUint32(b, uint32(len(s.roots)))
	for ns, root := range s.roots {
		b = appendName(b, ns)
		b = append(b, root[:]...)
	}
	return b
}

func decodeSummary(body []byte) (summary, error) {
	d := decoder{b: body}
	s := summary{seq: d.u64(), horizon: d.u64(), roots: map[string][16]byte{}}
	n := d.u32()
	if n > (len(body)-d.off)/17 {
		return s, fmt.Errorf("%w: summary namespace count", ErrMessage)
	}
	for i := 0; i < n && d.err == nil; i++ {
		ns := d.name()
		root := d.take(16)
		if ns == "" || d.err != nil {
			d.err = ErrMessage
			break
		}
		s.roots[ns] = [16]byte(root)
	}
	return s, d.done("summary")
}

func encodeDigest(dg *Digest) []byte {
	b := make([]byte, 1, 1+Buckets*16)
	b[0] = msgDigestResp
	for i := range dg {
		b = append(b, dg[i][:]...)
	}
	return b
}

func decodeDigest(body []byte) (Digest, error) {
	var dg Digest
	if len(body) != Buckets*16 {
		return dg, fmt.Errorf("%w: a digest of %d bytes", ErrMessage, len(body))
	}
	for i := range dg {
		copy(dg[i][:], body[i*16:])
	}
	return dg, nil
}

func encodePull(ns string, buckets []int) []byte {
	b := appendName([]byte{msgPull}, ns)
	b = binary.BigEndian.AppendUint16(b, uint16(len(buckets)))
	for _, k := range buckets {
		b = binary.BigEndian.AppendUint16(b, uint16(k))
	}
	return b
}

func decodePull(body []byte) (string, []int, error) {
	d := decoder{b: body}
	ns := d.name()
	n := d.u16()
	if n > Buckets {
		return "", nil, fmt.Errorf("%w: pull of %d buckets", ErrMessage, n)
	}
	buckets := make([]int, 0, n)
	for i := 0; i < n; i++ {
		k := d.u16()
		if k >= Buckets {
			d.err = ErrMessage
		}
		buckets = append(buckets, k)
	}
	if ns == "" {
		d.err = ErrMessage
	}
	return ns, buckets, d.done("pull")
}

func encodeRecords(recs []Record, last bool) []byte {
	b := make([]byte, 2, 2+recordsSize(recs))
	b[0] = msgRecords
	if last {
		b[1] = 1
	}
	return appendRecords(b, recs)
}

func encodeSyncDone(seq uint64) []byte {
	return binary.BigEndian.AppendUint64([]byte{msgSyncDone}, seq)
}

func encodeError(msg string) []byte {
	if len(msg) > 1000 {
		msg = msg[:1000]
	}
	return append([]byte{msgError}, msg...)
}

// remoteError is an error a peer answered with.
type remoteError struct{ msg string }

func (e *remoteError) Error() string { return "peer answered: " + e.msg }

// expect checks a reply's type, turning msgError into an error.
func expect(msg []byte, typ byte) ([]byte, error) {
	if len(msg) == 0 {
		return nil, fmt.Errorf("%w: empty message", ErrMessage)
	}
	if msg[0] == msgError {
		return nil, &remoteError{msg: string(msg[1:])}
	}
	if msg[0] != typ {
		return nil, fmt.Errorf("%w: message type %d where %d was expected", ErrMessage, msg[0], typ)
	}
	return msg[1:], nil
}

// batchLen is how many of recs, from the first, go in one message of at
// most limit bytes (always at least one: a record larger than the limit
// travels alone, up to the frame limit).
func batchLen(recs []Record, limit int) int {
	size, k := 8, 0
	for k < len(recs) && (k == 0 || size+4+len(recs[k].Data) <= limit) {
		size += 4 + len(recs[k].Data)
		k++
	}
	return k
}
