package cluster

import (
	"bytes"
	"encoding/binary"
	"errors"
	"sort"
	"sync"
)

// memReplica is a small last-writer-wins store for the package's own
// tests (the multi-node tests use the real one). Data encodes a record as
// ns, key, hlc, node, tombstone.
type memReplica struct {
	mu     sync.Mutex
	recs   map[string]Record
	seq    uint64
	notify chan struct{}
}

func newMemReplica() *memReplica {
	return &memReplica{recs: map[string]Record{}, notify: make(chan struct{})}
}

func memRecord(ns, key string, hlc uint64, node string, tomb bool) Record {
	r := Record{Namespace: ns, Key: key, HLC: hlc, Node: node, Tombstone: tomb}
	var b []byte
	b = appendName(b, ns)
	b = appendName(b, key)
	b = binary.BigEndian.AppendUint64(b, hlc)
	b = appendName(b, node)
	if tomb {
		b = append(b, 1)
	} else {
		b = append(b, 0)
	}
	r.Data = b
	return r
}

func (m *memReplica) Decode(data []byte) (Record, error) {
	d := decoder{b: data}
	ns, key, hlc, node := d.name(), d.name(), d.u64(), d.name()
	tomb := d.u8()
	if err := d.done("mem record"); err != nil || ns == "" || node == "" || tomb > 1 {
		return Record{}, errors.New("bad mem record")
	}
	return memRecord(ns, key, hlc, node, tomb == 1), nil
}

func (m *memReplica) put(r Record) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.recs[r.Namespace+"\x00"+r.Key] = r
	m.seq++
	close(m.notify)
	m.notify = make(chan struct{})
}

func (m *memReplica) Seq() uint64 { m.mu.Lock(); defer m.mu.Unlock(); return m.seq }
func (m *memReplica) Notify() <-chan struct{} {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.notify
}
func (m *memReplica) Changes(from uint64, max int) ([]Record, uint64, error) {
	return nil, m.Seq() + 1, nil
}
func (m *memReplica) Apply(recs []Record) (ApplyResult, error) {
	var res ApplyResult
	for _, r := range recs {
		if _, err := m.Decode(r.Data); err != nil {
			return ApplyResult{}, err
		}
	}
	for _, r := range recs {
		m.mu.Lock()
		old, ok := m.recs[r.Namespace+"\x00"+r.Key]
		m.mu.Unlock()
		if ok && !r.newer(old.HLC, old.Node) {
			res.Stale++
			continue
		}
		m.put(r)
		res.Applied++
	}
	return res, nil
}
func (m *memReplica) Namespaces() ([]string, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	seen := map[string]bool{}
	var out []string
	for _, r := range m.recs {
		if !seen[r.Namespace] {
			seen[r.Namespace] = true
			out = append(out, r.Namespace)
		}
	}
	sort.Strings(out)
	return out, nil
}
func (m *memReplica) BucketOf(key string) int { return int(key[len(key)-1]) % Buckets }
func (m *memReplica) Digest(ns string) (Digest, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var d Digest
	for _, r := range m.recs {
		if r.Namespace == ns {
			b := m.BucketOf(r.Key)
			for i, c := range r.Data {
				d[b][i%16] ^= c + byte(i)
			}
			d[b][15] ^= 1
		}
	}
	return d, nil
}
func (m *memReplica) BucketRecords(ns string, buckets []int) ([]Record, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	want := map[int]bool{}
	for _, b := range buckets {
		want[b] = true
	}
	var out []Record
	for _, r := range m.recs {
		if r.Namespace == ns && want[m.BucketOf(r.Key)] {
			out = append(out, r)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Key < out[j].Key })
	return out, nil
}
func (m *memReplica) Forget(recs []Record) (int, error) { return 0, nil }
func (m *memReplica) CollectSyncedTombstones(below, before, expired uint64) (int, error) {
	return 0, nil
}
func (m *memReplica) Horizon() uint64 { return 0 }

func (m *memReplica) dump() []byte {
	m.mu.Lock()
	defer m.mu.Unlock()
	keys := make([]string, 0, len(m.recs))
	for k := range m.recs {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b bytes.Buffer
	for _, k := range keys {
		b.Write(m.recs[k].Data)
	}
	return b.Bytes()
}
