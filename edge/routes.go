package edge

import (
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/robfig/cron/v3"
)

// cronParser accepts the five standard fields and descriptors (@hourly).
var cronParser = cron.NewParser(cron.Minute | cron.Hour | cron.Dom | cron.Month | cron.Dow | cron.Descriptor)

// Route is a pattern a deployment is served at: a host (exact,
// "*.suffix" or "*" for any) and a path (exact, or a prefix when the pattern
// ends in "*").
type Route struct {
	Host   string `json:"host"`
	Path   string `json:"path"`
	Prefix bool   `json:"prefix"`
}

func (r Route) String() string {
	s := r.Host + r.Path
	if r.Prefix {
		s += "*"
	}
	return s
}

// ErrRouteConflict reports a route another deployment already serves.
var ErrRouteConflict = errors.New("route conflict")

// ParseRoute parses "example.com/*", "*.example.com/api/*", "*/v1/*",
// "example.com/exact".
func ParseRoute(s string) (Route, error) {
	if s == "" {
		return Route{}, errors.New("empty route")
	}
	if strings.Contains(s, "://") {
		return Route{}, fmt.Errorf("route %q: leave out the scheme: example.com/path/*", s)
	}
	i := strings.IndexByte(s, '/')
	if i <= 0 {
		return Route{}, fmt.Errorf("route %q: want HOST/PATH, e.g. example.com/* or */api/*", s)
	}
	host, path := strings.ToLower(s[:i]), s[i:]
	if host != "*" {
		h := strings.TrimPrefix(host, "*.")
		if h == "" || strings.ContainsAny(h, "*/ ") {
			return Route{}, fmt.Errorf("route %q: the host may only start with \"*.\" or be \"*\"", s)
		}
	}
	r := Route{Host: host, Path: path}
	if strings.HasSuffix(path, "*") {
		r.Path = strings.TrimSuffix(path, "*")
		r.Prefix = true
	}
	if strings.Contains(r.Path, "*") {
		return Route{}, fmt.Errorf("route %q: * may only end the path", s)
	}
	return r, nil
}

// matchHost reports whether a route's host pattern matches host (no port).
func (r Route) matchHost(host string) bool {
	switch {
	case r.Host == "*":
		return true
	case strings.HasPrefix(r.Host, "*."):
		return strings.HasSuffix(host, r.Host[1:]) || host == r.Host[2:]
	}
	return r.Host == host
}

func (r Route) matchPath(path string) bool {
	if r.Prefix {
		return strings.HasPrefix(path, r.Path)
	}
	return path == r.Path
}

// specificity orders routes: exact hosts before wildcards before any; then
// longer paths first; then exact paths before prefixes.
func (r Route) specificity() (int, int, int) {
	host := 2
	switch {
	case r.Host == "*":
		host = 0
	case strings.HasPrefix(r.Host, "*."):
		host = 1
	}
	exact := 0
	if !r.Prefix {
		exact = 1
	}
	return host, len(r.Path), exact
}

type routeEntry struct {
	Route
	deployment string
}

// routeTable maps hosts and paths to deployments. It is immutable: the
// node swaps in a new table when routes change.
type routeTable struct {
	byHost    map[string][]routeEntry // exact hosts
	wildcards []routeEntry            // "*.suffix" and "*", most specific first
}

func newRouteTable(routes map[string][]Route) (*routeTable, error) {
	t := &routeTable{byHost: map[string][]routeEntry{}}
	owner := map[Route]string{}
	names := make([]string, 0, len(routes))
	for n := range routes {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, name := range names {
		for _, r := range routes[name] {
			if other, dup := owner[r]; dup && other != name {
				return nil, fmt.Errorf("%w: %s is already served by deployment %q", ErrRouteConflict, r, other)
			}
			owner[r] = name
			e := routeEntry{Route: r, deployment: name}
			if r.Host == "*" || strings.HasPrefix(r.Host, "*.") {
				t.wildcards = append(t.wildcards, e)
			} else {
				t.byHost[r.Host] = append(t.byHost[r.Host], e)
			}
		}
	}
	less := func(a, b routeEntry) bool {
		ah, ap, ae := a.specificity()
		bh, bp, be := b.specificity()
		if ah != bh {
			return ah > bh
		}
		if ap != bp {
			return ap > bp
		}
		return ae > be
	}
	for _, es := range t.byHost {
		sort.SliceStable(es, func(i, j int) bool { return less(es[i], es[j]) })
	}
	sort.SliceStable(t.wildcards, func(i, j int) bool { return less(t.wildcards[i], t.wildcards[j]) })
	return t, nil
}

// match returns the deployment serving host and path.
func (t *routeTable) match(host, path string) (string, bool) {
	for _, e := range t.byHost[host] {
		if e.matchPath(path) {
			return e.deployment, true
		}
	}
	for _, e := range t.wildcards {
		if e.matchHost(host) && e.matchPath(path) {
			return e.deployment, true
		}
	}
	return "", false
}
