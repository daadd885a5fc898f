package edge

import (
	"errors"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"github.com/edgefn/edgefn/isolate"
)

// metrics are a node's Prometheus metrics. Labels carry deployment names
// and status classes only: never values from requests or secrets.
type metrics struct {
	reg      *prometheus.Registry
	requests *prometheus.CounterVec
	errors   *prometheus.CounterVec
	closed   *prometheus.CounterVec
	duration *prometheus.HistogramVec

	mu   sync.Mutex                             // serialises adding to deps
	deps atomic.Pointer[map[string]*depMetrics] // copied on write: the request path reads it without a lock
}

// depMetrics caches one deployment's metric handles so the request path
// does no label lookups.
type depMetrics struct {
	byClass  [6]prometheus.Counter // index: status / 100
	duration prometheus.Observer
	total    [6]atomic.Uint64 // mirrors byClass for /v1/stats
}

func newMetrics(n *Node) *metrics {
	m := &metrics{
		reg: prometheus.NewRegistry(),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "edgefn_requests_total", Help: "HTTP requests served, by deployment and status class.",
		}, []string{"deployment", "code"}),
		errors: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "edgefn_request_errors_total", Help: "Requests whose handler failed, by reason.",
		}, []string{"deployment", "reason"}),
		closed: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "edgefn_client_closed_total", Help: "Requests whose client closed the connection before the response started (counted as status 499 in edgefn_requests_total), by deployment.",
		}, []string{"deployment"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "edgefn_request_duration_seconds", Help: "Time from request to response, by deployment.",
			Buckets: []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30},
		}, []string{"deployment"}),
	}
	m.deps.Store(&map[string]*depMetrics{})
	m.reg.MustRegister(m.requests, m.errors, m.closed, m.duration, &poolCollector{n: n},
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// Registry returns the node's metric registry (the admin API serves it at
// /metrics; other parts of the node register theirs on it).
func (n *Node) Registry() *prometheus.Registry { return n.metrics.reg }

func (m *metrics) dep(name string) *depMetrics {
	if d := (*m.deps.Load())[name]; d != nil {
		return d
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	old := *m.deps.Load()
	if d := old[name]; d != nil {
		return d
	}
	d := &depMetrics{duration: m.duration.WithLabelValues(name)}
	for i := 1; i < 6; i++ {
		d.byClass[i] = m.requests.WithLabelValues(name, strconv.Itoa(i)+"xx")
	}
	next := make(map[string]*depMetrics, len(old)+1)
	for k, v := range old {
		next[k] = v
	}
	next[name] = d
	m.deps.Store(&next)
	return d
}

// observe records one request.
func (m *metrics) observe(d *depMetrics, status int, took time.Duration) {
	class := status / 100
	if class < 1 || class > 5 {
		class = 5
	}
	d.byClass[class].Inc()
	d.duration.Observe(took.Seconds())
	d.total[class].Add(1)
}

// clientClosed records a request whose client left before the response.
func (m *metrics) clientClosed(deployment string) {
	m.closed.WithLabelValues(deployment).Inc()
}

// failure records why a handler failed.
func (m *metrics) failure(deployment string, err error) {
	reason := "exception"
	var mna *isolate.MethodNotAllowedError
	switch {
	case errors.As(err, &mna), errors.Is(err, isolate.ErrNoRoute):
		return
	case errors.Is(err, isolate.ErrOverloaded):
		reason = "overloaded"
	case errors.Is(err, isolate.ErrWallTime):
		reason = "wall_time"
	case errors.Is(err, isolate.ErrCPUTime):
		reason = "cpu_time"
	case errors.Is(err, isolate.ErrMemoryLimit):
		reason = "memory"
	case errors.Is(err, isolate.ErrStackOverflow):
		reason = "stack"
	case errors.Is(err, isolate.ErrHung):
		reason = "hung"
	case errors.Is(err, isolate.ErrBadResponse):
		reason = "bad_response"
	case errors.Is(err, isolate.ErrClosed):
		reason = "closed"
	}
	m.errors.WithLabelValues(deployment, reason).Inc()
}

// DeploymentStats is a deployment's request totals (for the dashboard).
type DeploymentStats struct {
	Requests uint64            `json:"requests"`
	ByClass  map[string]uint64 `json:"byClass"`
	Errors   uint64            `json:"errors"` // 5xx
	Runtimes isolate.PoolStats `json:"runtimes"`
}

// Stats returns request totals and pool state per deployment.
func (n *Node) Stats() map[string]DeploymentStats {
	out := map[string]DeploymentStats{}
	for name, d := range *n.metrics.deps.Load() {
		s := DeploymentStats{ByClass: map[string]uint64{}}
		for i := 1; i < 6; i++ {
			t := d.total[i].Load()
			s.Requests += t
			if t > 0 {
				s.ByClass[strconv.Itoa(i)+"xx"] = t
			}
		}
		s.Errors = d.total[5].Load()
		out[name] = s
	}
	n.mu.RLock()
	defer n.mu.RUnlock()
	for name, d := range n.deployments {
		s := out[name]
		if s.ByClass == nil {
			s.ByClass = map[string]uint64{}
		}
		if a := d.current(); a != nil {
			for _, v := range a.versions {
				if v.pool != nil {
					ps := v.pool.Stats()
					s.Runtimes.Size += ps.Size
					s.Runtimes.Idle += ps.Idle
					s.Runtimes.Busy += ps.Busy
					s.Runtimes.Started += ps.Started
				}
			}
		}
		out[name] = s
	}
	return out
}

// poolCollector reports every pool's state at scrape time.
type poolCollector struct{ n *Node }

var (
	descRuntimes  = prometheus.NewDesc("edgefn_runtimes", "Runtimes in a deployment version's pool, by state.", []string{"deployment", "version", "state"}, nil)
	descCold      = prometheus.NewDesc("edgefn_cold_starts_total", "Runtimes started (cold starts).", []string{"deployment", "version"}, nil)
	descDiscarded = prometheus.NewDesc("edgefn_runtimes_discarded_total", "Runtimes discarded after a limit or an escaped exception.", []string{"deployment", "version"}, nil)
	descCPU       = prometheus.NewDesc("edgefn_cpu_seconds_total", "Time spent running JavaScript.", []string{"deployment", "version"}, nil)
	descQueued    = prometheus.NewDesc("edgefn_requests_queued", "Requests waiting for a runtime.", []string{"deployment", "version"}, nil)
	descRejected  = prometheus.NewDesc("edgefn_requests_rejected_total", "Requests refused because every runtime was busy.", []string{"deployment", "version"}, nil)
)

func (c *poolCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{descRuntimes, descCold, descDiscarded, descCPU, descQueued, descRejected} {
		ch <- d
	}
}

func (c *poolCollector) Collect(ch chan<- prometheus.Metric) {
	c.n.mu.RLock()
	defer c.n.mu.RUnlock()
	for name, d := range c.n.deployments {
		a := d.current()
		if a == nil {
			continue
		}
		for _, v := range a.versions {
			if v.pool == nil {
				continue
			}
			s := v.pool.Stats()
			ver := strconv.Itoa(v.number)
			ch <- prometheus.MustNewConstMetric(descRuntimes, prometheus.GaugeValue, float64(s.Busy), name, ver, "busy")
			ch <- prometheus.MustNewConstMetric(descRuntimes, prometheus.GaugeValue, float64(s.Idle), name, ver, "idle")
			ch <- prometheus.MustNewConstMetric(descCold, prometheus.CounterValue, float64(s.Started), name, ver)
			ch <- prometheus.MustNewConstMetric(descDiscarded, prometheus.CounterValue, float64(s.Discarded), name, ver)
			ch <- prometheus.MustNewConstMetric(descCPU, prometheus.CounterValue, s.CPU.Seconds(), name, ver)
			ch <- prometheus.MustNewConstMetric(descQueued, prometheus.GaugeValue, float64(s.Waiting), name, ver)
			ch <- prometheus.MustNewConstMetric(descRejected, prometheus.CounterValue, float64(s.Rejected), name, ver)
		}
	}
}
