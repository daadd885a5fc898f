package edge

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/edgefn/edgefn/cluster"
	"github.com/edgefn/edgefn/kv"
)

// ClusterView is what the admin API shows of the cluster (a *cluster.Node).
type ClusterView interface {
	Members() []cluster.Member
	Ready() error
}

// DumpInfo summarizes a node's whole store: two nodes hold byte-identical
// data exactly when their hashes are equal.
type DumpInfo struct {
	Node    string `json:"node"`
	SHA256  string `json:"sha256"`
	Bytes   int    `json:"bytes"`
	Expired int    `json:"expired"` // records expired by this call
}

// FaultsRequest changes the fault layer of a node run with --test-faults.
type FaultsRequest struct {
	cluster.FaultRules
	DelayMs   int      `json:"delayMs"`
	Partition []string `json:"partition"` // hosts to cut off (replaces the previous set)
	Pause     *bool    `json:"pause,omitempty"`
}

// clusterRoutes adds /v1/cluster/*: members and a hash of the store for
// everyone with a token; the fault layer only when the node runs with it.
func (a *Admin) clusterRoutes() {
	a.mux.HandleFunc("GET /v1/cluster/members", func(w http.ResponseWriter, r *http.Request) {
		if a.cfg.Cluster == nil {
			writeJSON(w, http.StatusOK, []cluster.Member{{Name: a.platform.members.Self(), State: cluster.StateAlive, Self: true}})
			return
		}
		writeJSON(w, http.StatusOK, a.cfg.Cluster.Members())
	})
	a.mux.HandleFunc("GET /v1/cluster/dump", func(w http.ResponseWriter, r *http.Request) {
		ks, ok := a.platform.store.(*KVStore)
		if !ok {
			writeError(w, http.StatusNotFound, "this node has no KV store")
			return
		}
		info := DumpInfo{Node: a.platform.members.Self()}
		if r.URL.Query().Get("expire") == "1" {
			n, err := ks.Raw().ExpireNow()
			if err != nil {
				a.fail(w, err)
				return
			}
			info.Expired = n
		}
		b, err := ks.Raw().Dump()
		if err != nil {
			a.fail(w, err)
			return
		}
		if r.URL.Query().Get("live") == "1" {
			b = liveRecords(b)
		}
		sum := sha256.Sum256(b)
		info.SHA256, info.Bytes = hex.EncodeToString(sum[:]), len(b)
		writeJSON(w, http.StatusOK, info)
	})
	if a.cfg.Faults == nil {
		return
	}
	a.mux.HandleFunc("POST /v1/cluster/faults", func(w http.ResponseWriter, r *http.Request) {
		var req FaultsRequest
		if err := readJSON(r, &req); err != nil {
			writeError(w, http.StatusBadRequest, err.Error())
			return
		}
		f := a.cfg.Faults
		rules := req.FaultRules
		rules.Delay = time.Duration(req.DelayMs) * time.Millisecond
		f.Set(rules)
		f.Heal()
		f.Partition(req.Partition...)
		if req.Pause != nil {
			if *req.Pause {
				f.Pause()
			} else {
				f.Resume()
			}
		}
		a.log.Warn("fault layer changed", "rules", rules, "partition", req.Partition)
		writeJSON(w, http.StatusOK, map[string]any{"rules": f.Rules(), "partition": f.Partitioned()})
	})
}

// liveRecords keeps the records of a dump that are not tombstones: two
// nodes can agree on every live record while one has collected a
// tombstone the other still holds.
func liveRecords(dump []byte) []byte {
	out := make([]byte, 0, len(dump))
	for len(dump) >= 4 {
		n := int(binary.BigEndian.Uint32(dump))
		if n > len(dump)-4 {
			break
		}
		if rec, err := kv.UnmarshalRecord(dump[4 : 4+n]); err == nil && !rec.Tombstone {
			out = append(out, dump[:4+n]...)
		}
		dump = dump[4+n:]
	}
	return out
}

// ClusterCollector exports the cluster's members and replication lag as
// Prometheus metrics.
func ClusterCollector(v ClusterView) prometheus.Collector { return clusterCollector{v} }

type clusterCollector struct{ v ClusterView }

var (
	descMembers = prometheus.NewDesc("edgefn_cluster_members", "Cluster members this node knows of, by state.", []string{"state"}, nil)
	descLag     = prometheus.NewDesc("edgefn_cluster_replication_lag_seconds", "How long this node's writes have waited to reach a member.", []string{"member"}, nil)
	descSync    = prometheus.NewDesc("edgefn_cluster_last_sync_age_seconds", "Time since the last complete anti-entropy session with a member.", []string{"member"}, nil)
	descReady   = prometheus.NewDesc("edgefn_cluster_ready", "1 when this node has joined its cluster and caught up.", nil, nil)
)

func (c clusterCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- descMembers
	ch <- descLag
	ch <- descSync
	ch <- descReady
}

func (c clusterCollector) Collect(ch chan<- prometheus.Metric) {
	counts := map[string]float64{cluster.StateAlive: 0, cluster.StateSuspect: 0, cluster.StateDead: 0, cluster.StateLeft: 0}
	now := time.Now()
	for _, m := range c.v.Members() {
		counts[m.State]++
		if m.Self {
			continue
		}
		ch <- prometheus.MustNewConstMetric(descLag, prometheus.GaugeValue, m.Lag, m.Name)
		if !m.LastSync.IsZero() {
			ch <- prometheus.MustNewConstMetric(descSync, prometheus.GaugeValue, now.Sub(m.LastSync).Seconds(), m.Name)
		}
	}
	for state, n := range counts {
		ch <- prometheus.MustNewConstMetric(descMembers, prometheus.GaugeValue, n, state)
	}
	ready := 0.0
	if c.v.Ready() == nil {
		ready = 1
	}
	ch <- prometheus.MustNewConstMetric(descReady, prometheus.GaugeValue, ready)
}
