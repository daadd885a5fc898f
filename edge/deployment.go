package edge

import (
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
	routes   fileRoutes // non-nil for a router script (api/ file routes)

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

// deployment is a named function; requests go to its current version.
type deployment struct {
	name   string
	routes []Route // from the current version's manifest
	cur    atomic.Pointer[version]
}

// acquire returns the current version with a reference held; release it.
// A request never runs on a version that was retired under it, and a swap
// never makes a request fail: it retries on the new version.
func (d *deployment) acquire() *version {
	for {
		v := d.cur.Load()
		if v == nil {
			return nil
		}
		v.refs.Add(1)
		if !v.retired.Load() {
			return v
		}
		v.release()
	}
}

// swap makes next the current version and retires the previous one in the
// background; it returns at once.
func (d *deployment) swap(next *version) {
	prev := d.cur.Swap(next)
	if prev != nil {
		go prev.retire()
	}
}

// close retires the current version and waits for it.
func (d *deployment) close() {
	if prev := d.cur.Swap(nil); prev != nil {
		prev.retire()
	}
}
