package edge

import (
	"fmt"

	"github.com/edgefn/edgefn/cluster"
	"github.com/edgefn/edgefn/kv"
)

// ClusterReplica adapts a store to what the cluster replicates: records
// travel in the store's own checksummed encoding.
func ClusterReplica(s *kv.Store) cluster.Replica { return replica{s} }

type replica struct{ s *kv.Store }

func toCluster(r *kv.Record) (cluster.Record, error) {
	data, err := r.MarshalBinary()
	if err != nil {
		return cluster.Record{}, err
	}
	return cluster.Record{Namespace: r.Namespace, Key: r.Key, HLC: uint64(r.Version.HLC), Node: r.Version.Node,
		Tombstone: r.Tombstone, Data: data, Seq: r.Seq}, nil
}

func toClusterAll(recs []kv.Record) ([]cluster.Record, error) {
	out := make([]cluster.Record, len(recs))
	for i := range recs {
		var err error
		if out[i], err = toCluster(&recs[i]); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func (r replica) Seq() uint64             { return r.s.Seq() }
func (r replica) Notify() <-chan struct{} { return r.s.Notify() }
func (r replica) Horizon() uint64         { return uint64(r.s.Horizon()) }
func (r replica) BucketOf(key string) int { return kv.BucketOf(key) }

func (r replica) Changes(from uint64, max int) ([]cluster.Record, uint64, error) {
	recs, next, err := r.s.Changes(from, max)
	if err != nil {
		return nil, from, err
	}
	out, err := toClusterAll(recs)
	return out, next, err
}

func (r replica) Decode(data []byte) (cluster.Record, error) {
	rec, err := kv.UnmarshalRecord(data)
	if err != nil {
		return cluster.Record{}, err
	}
	return cluster.Record{Namespace: rec.Namespace, Key: rec.Key, HLC: uint64(rec.Version.HLC), Node: rec.Version.Node,
		Tombstone: rec.Tombstone, Data: data}, nil
}

func (r replica) Apply(recs []cluster.Record) (cluster.ApplyResult, error) {
	in := make([]kv.Record, len(recs))
	for i := range recs {
		rec, err := kv.UnmarshalRecord(recs[i].Data)
		if err != nil {
			return cluster.ApplyResult{}, fmt.Errorf("record %d: %w", i, err)
		}
		in[i] = *rec
	}
	res, err := r.s.Apply(in)
	return cluster.ApplyResult{Applied: res.Applied, Stale: res.Stale, Refused: res.Refused, Skew: res.LastSkew}, err
}

func (r replica) Namespaces() ([]string, error) { return r.s.Namespaces() }

func (r replica) Digest(ns string) (cluster.Digest, error) {
	d, err := r.s.Digest(ns)
	return cluster.Digest(d), err
}

func (r replica) BucketRecords(ns string, buckets []int) ([]cluster.Record, error) {
	recs, err := r.s.BucketsRecords(ns, buckets)
	if err != nil {
		return nil, err
	}
	return toClusterAll(recs)
}

func (r replica) Forget(recs []cluster.Record) (int, error) {
	in := make([]kv.Record, len(recs))
	for i := range recs {
		in[i] = kv.Record{Namespace: recs[i].Namespace, Key: recs[i].Key, Version: kv.Version{HLC: kv.HLC(recs[i].HLC), Node: recs[i].Node}}
	}
	return r.s.Forget(in)
}

func (r replica) CollectSyncedTombstones(belowSeq, before, expired uint64) (int, error) {
	return r.s.CollectSyncedTombstones(belowSeq, kv.HLC(before), kv.HLC(expired))
}
