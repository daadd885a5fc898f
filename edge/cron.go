package edge

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"net/http"
	"sort"
	"sync"
	"time"

	"github.com/robfig/cron/v3"

	"github.com/edgefn/edgefn/isolate"
)

// Cron triggers fire each schedule once per tick across the cluster: the
// tick's owner is chosen by rendezvous hashing of (deployment, schedule)
// over the live members, so every node agrees without talking; the owner
// also writes a lease record for the tick before firing, so a node whose
// view of the membership lags does not fire it a second time once the
// lease has reached it. During a network partition each side has its own
// members and owner: a tick may fire once on each side (at-least-once);
// it is never skipped while some node is up.

const nsLeases = "_leases"

// Membership tells the platform who is alive (the cluster provides it; a
// single node is alone).
type Membership interface {
	// Self is this node's name.
	Self() string
	// Alive lists the names of the live members, this node included.
	Alive() []string
}

type soloMembership struct{ name string }

func (s soloMembership) Self() string    { return s.name }
func (s soloMembership) Alive() []string { return []string{s.name} }

// owner picks the member responsible for key (rendezvous hashing).
func owner(members []string, key string) string {
	best, bestScore := "", uint64(0)
	for _, m := range members {
		h := fnv.New64a()
		_, _ = h.Write([]byte(m))
		_, _ = h.Write([]byte{0})
		_, _ = h.Write([]byte(key))
		if s := h.Sum64(); best == "" || s > bestScore || (s == bestScore && m < best) {
			best, bestScore = m, s
		}
	}
	return best
}

// cronRun records one firing, for the dashboard and tests.
type cronRun struct {
	Deployment string    `json:"deployment"`
	Cron       string    `json:"cron"`
	Scheduled  time.Time `json:"scheduled"`
	Node       string    `json:"node"`
	Error      string    `json:"error,omitempty"`
	Took       float64   `json:"tookMs"`
}

// cronScheduler fires the schedules of the node's active deployments.
type cronScheduler struct {
	p   *Platform
	now func() time.Time

	mu   sync.Mutex
	runs []cronRun // the last ones, newest last
	wg   sync.WaitGroup
}

const maxCronRuns = 100

// runCron fires due schedules until ctx ends. It wakes every second: cheap,
// and robust to clock jumps and to deployments changing.
func (p *Platform) runCron(ctx context.Context) {
	s := p.cron
	last := s.now().Truncate(time.Second)
	t := time.NewTicker(time.Second)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		now := s.now().Truncate(time.Second)
		p.cronStep(ctx, last, now)
		last = now
	}
}

// cronStep fires the ticks due in (last, now].
func (p *Platform) cronStep(ctx context.Context, last, now time.Time) {
	if now.Sub(last) > 10*time.Minute {
		last = now.Add(-time.Second) // after a long pause, don't replay missed ticks
	}
	for _, job := range p.cronJobs() {
		for tick := job.sched.Next(last); !tick.After(now); tick = job.sched.Next(tick) {
			p.fireCron(ctx, job, tick)
		}
	}
}

type cronJob struct {
	deployment string
	spec       string
	sched      cron.Schedule
	pool       *isolate.Pool
}

// cronJobs lists the schedules of the active versions whose script has a
// scheduled() handler.
func (p *Platform) cronJobs() []cronJob {
	var jobs []cronJob
	p.node.mu.RLock()
	defer p.node.mu.RUnlock()
	names := make([]string, 0, len(p.node.deployments))
	for n := range p.node.deployments {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, name := range names {
		a := p.node.deployments[name].current()
		if a == nil || len(a.versions) == 0 {
			continue
		}
		v := a.versions[len(a.versions)-1] // the newest version of a split owns its crons
		if v.pool == nil || !v.pool.Script().HasScheduled() {
			continue
		}
		for _, spec := range v.manifest.Triggers.Crons {
			sched, err := cronParser.Parse(spec)
			if err != nil {
				continue // validated at deploy
			}
			jobs = append(jobs, cronJob{deployment: name, spec: spec, sched: sched, pool: v.pool})
		}
	}
	return jobs
}

// fireCron fires one tick if this node owns it and no lease for it exists.
func (p *Platform) fireCron(ctx context.Context, job cronJob, tick time.Time) {
	key := job.deployment + "/" + job.spec
	self := p.members.Self()
	if owner(p.members.Alive(), key) != self {
		return
	}
	lease := fmt.Sprintf("cron/%s/%d", key, tick.Unix())
	if _, err := p.store.Get(nsLeases, lease); err == nil {
		return // fired already (by a node with another view of the members)
	} else if !errors.Is(err, ErrNotFound) {
		p.log.Error("cron lease check failed; not firing", "deployment", job.deployment, "cron", job.spec, "error", err)
		return
	}
	if err := p.store.Put(nsLeases, lease, []byte(self)); err != nil {
		p.log.Error("cron lease write failed; not firing", "deployment", job.deployment, "cron", job.spec, "error", err)
		return
	}
	p.cron.wg.Add(1)
	go func() {
		defer p.cron.wg.Done()
		_ = p.runScheduled(ctx, job.deployment, job.pool, job.spec, tick)
	}()
}

// runScheduled calls scheduled() and records the run.
func (p *Platform) runScheduled(ctx context.Context, deployment string, pool *isolate.Pool, spec string, tick time.Time) error {
	start := time.Now()
	id := p.node.ids.next()
	err := pool.Scheduled(ctx, &isolate.ScheduledEvent{ID: id, Cron: spec, ScheduledTime: tick})
	run := cronRun{Deployment: deployment, Cron: spec, Scheduled: tick, Node: p.members.Self(),
		Took: float64(time.Since(start).Microseconds()) / 1000}
	if err != nil {
		run.Error = err.Error()
		p.log.Error("scheduled() failed", "deployment", deployment, "cron", spec, "request_id", id, "error", err)
	} else {
		p.log.Info("scheduled() ran", "deployment", deployment, "cron", spec, "request_id", id, "took", time.Since(start))
	}
	s := p.cron
	s.mu.Lock()
	s.runs = append(s.runs, run)
	if len(s.runs) > maxCronRuns {
		s.runs = s.runs[len(s.runs)-maxCronRuns:]
	}
	s.mu.Unlock()
	return err
}

// TriggerCron runs a deployment's scheduled() now, as a cron would (the
// development server's /__scheduled and the admin API use it).
func (p *Platform) TriggerCron(ctx context.Context, deployment, spec string) error {
	return p.node.TriggerCron(ctx, deployment, spec, p.runScheduled)
}

// TriggerCron runs a deployment's scheduled() now. run, when set, records
// the run; nil runs it plainly.
func (n *Node) TriggerCron(ctx context.Context, deployment, spec string,
	run func(context.Context, string, *isolate.Pool, string, time.Time) error) error {
	n.mu.RLock()
	d := n.deployments[deployment]
	n.mu.RUnlock()
	if d == nil {
		return fmt.Errorf("deployment %q: %w", deployment, ErrNotFound)
	}
	a := d.current()
	if a == nil || a.versions[len(a.versions)-1].pool == nil {
		return fmt.Errorf("deployment %q has no script: %w", deployment, ErrNotFound)
	}
	v := a.versions[len(a.versions)-1]
	if spec == "" && len(v.manifest.Triggers.Crons) > 0 {
		spec = v.manifest.Triggers.Crons[0]
	}
	if spec == "" {
		spec = "* * * * *"
	}
	now := time.Now().Truncate(time.Second)
	if run != nil {
		return run(ctx, deployment, v.pool, spec, now)
	}
	return v.pool.Scheduled(ctx, &isolate.ScheduledEvent{ID: n.ids.next(), Cron: spec, ScheduledTime: now})
}

// CronRuns returns the latest cron runs on this node.
func (p *Platform) CronRuns() []cronRun {
	p.cron.mu.Lock()
	defer p.cron.mu.Unlock()
	return append([]cronRun(nil), p.cron.runs...)
}

// cronRoutes: POST /v1/deployments/{name}/scheduled?cron=... fires a
// deployment's scheduled() by hand; GET /v1/cron lists recent runs.
func (a *Admin) cronRoutes() {
	a.mux.HandleFunc("POST /v1/deployments/{name}/scheduled", func(w http.ResponseWriter, r *http.Request) {
		name := r.PathValue("name")
		err := a.platform.TriggerCron(r.Context(), name, r.URL.Query().Get("cron"))
		if err != nil {
			if errors.Is(err, isolate.ErrNoEventHandler) {
				writeError(w, http.StatusBadRequest, err.Error())
				return
			}
			a.fail(w, err)
			return
		}
		a.audit(r, "cron.trigger", "deployment", name)
		writeJSON(w, http.StatusOK, map[string]string{"status": "ran"})
	})
	a.mux.HandleFunc("GET /v1/cron", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, a.platform.CronRuns())
	})
}
