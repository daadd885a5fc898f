package edge

import (
	"log/slog"
	"slices"
	"sync"
	"sync/atomic"

	"github.com/edgefn/edgefn/isolate"
)

// version is one running version of a deployment: its pool and the count
// of requests in flight on it, so a swap can retire it once they finish.
type version struct {
	name     string
	number   int
	pool     *isolate.Pool // nil for a static-only project
	manifest Manifest
	assets   map[string]*Asset
	routes   fileRoutes   // non-nil for a router script (api/ file routes)
	log      *slog.Logger // the version's logger (secret values redacted)
	secrets  []string     // secret values to redact from anything shown

	secretsVersion int // the deployment's secrets this version was loaded with

	refs    atomic.Int64
	retired atomic.Bool
	drained chan struct{}
	once    sync.Once
}

func newVersion(name string, pool *isolate.Pool) *version {
	return &version{name: name, pool: pool, drained: make(chan struct{})}
}

func (v *version) release() {
	if v.refs.Add(-1) == 0 && v.retired.Load() {
		v.once.Do(func() { close(v.drained) })
	}
}

// retire waits for the requests in flight on v to finish, then closes its
// pool. New requests no longer reach v: the caller swapped it out first.
func (v *version) retire() {
	v.retired.Store(true)
	if v.refs.Load() == 0 {
		v.once.Do(func() { close(v.drained) })
	}
	<-v.drained
	if v.pool != nil {
		v.pool.Close()
	}
}

// deployment is a named function; requests go to its active version, or
// are split between several.
type deployment struct {
	name   string
	routes []Route // from the current version's manifest
	cur    atomic.Pointer[active]
}

// active is what a deployment serves: one version, or a traffic split.
type active struct {
	versions []*version
	cum      []uint32 // cumulative weights out of 100, parallel to versions
}

// single makes an active of one version.
func single(v *version) *active { return &active{versions: []*version{v}, cum: []uint32{100}} }

// pick chooses the version for a client bucket (0-99).
func (a *active) pick(bucket uint32) *version {
	for i, c := range a.cum {
		if bucket < c {
			return a.versions[i]
		}
	}
	return a.versions[len(a.versions)-1]
}

// acquire returns the version for a client (bucket gives its 0-99 bucket;
// nil means bucket 0) with a reference held; release
// it. A request never runs on a version that was retired under it, and a
// swap never makes a request fail: it retries on the new active set.
func (d *deployment) acquire(bucket func() uint32) *version {
	for {
		a := d.cur.Load()
		if a == nil {
			return nil
		}
		v := a.versions[0]
		if len(a.versions) > 1 {
			// Only a traffic split needs the client's bucket (a hash).
			b := uint32(0)
			if bucket != nil {
				b = bucket()
			}
			v = a.pick(b)
		}
		v.refs.Add(1)
		if !v.retired.Load() {
			return v
		}
		v.release()
	}
}

// swap makes next the active set and retires, in the background, every
// version of the previous set not in next.
func (d *deployment) swap(next *active) {
	prev := d.cur.Swap(next)
	if prev == nil {
		return
	}
	for _, v := range prev.versions {
		if next == nil || !slices.Contains(next.versions, v) {
			go v.retire()
		}
	}
}

// close retires every version and waits for them.
func (d *deployment) close() {
	prev := d.cur.Swap(nil)
	if prev == nil {
		return
	}
	for _, v := range prev.versions {
		v.retire()
	}
}

// current returns the active set (nil when closed).
func (d *deployment) current() *active { return d.cur.Load() }
