package edge

import (
	"context"
	"fmt"
	"net/url"

	"github.com/edgefn/edgefn/isolate"
)

// serviceFetcher routes a service binding's fetch to another deployment's
// current version, in-process.
type serviceFetcher struct {
	n    *Node
	name string
}

// maxServiceDepth bounds chains of service calls (A calls B calls A...).
const maxServiceDepth = 8

type depthKey struct{}

func (f *serviceFetcher) Fetch(ctx context.Context, req *isolate.Request) (*isolate.Response, error) {
	depth, _ := ctx.Value(depthKey{}).(int)
	if depth >= maxServiceDepth {
		return nil, fmt.Errorf("service %q: more than %d nested service calls", f.name, maxServiceDepth)
	}
	f.n.mu.RLock()
	d := f.n.deployments[f.name]
	f.n.mu.RUnlock()
	if d == nil {
		return nil, fmt.Errorf("service %q is not deployed", f.name)
	}
	v := d.acquire(nil)
	if v == nil || v.pool == nil {
		if v != nil {
			v.release()
		}
		return nil, fmt.Errorf("service %q has no script", f.name)
	}
	defer v.release()
	if v.routes != nil {
		if r, params := v.routes.match(pathOf(req.URL)); r != nil {
			req.Route, req.Params = r.ID, params
		}
	}
	if ctx.Value(clientCtxKey{}) != nil {
		// The service's work goes on if the calling client leaves, as the
		// caller's own does (bounded by limits): a call made for waitUntil
		// must not fail because the client left before the response.
		ctx = context.WithoutCancel(ctx)
	}
	return v.pool.Do(context.WithValue(ctx, depthKey{}, depth+1), req)
}

// pathOf returns the path of an absolute URL.
func pathOf(u string) string {
	p, err := url.Parse(u)
	if err != nil || p.Path == "" {
		return "/"
	}
	return p.Path
}
