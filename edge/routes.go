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
//
// A request goes to the most specific claim on its host: a route naming the
// exact host, then the deployment whose own host it is (NAME.<base
// domain>), then wildcard routes ("*.example.com/*", "*/api/*"). So a
// wildcard route of one deployment never shadows another's own host.
type routeTable struct {
	byHost    map[string][]routeEntry // exact hosts
	wildcards []routeEntry            // "*.suffix" and "*", most specific first
	base      string                  // the base domain ("" when none)
	names     map[string]bool         // every deployment, for NAME.<base>
}

// newRouteTable builds the table of every deployment's routes (a deployment
// without routes is listed with none). base is the node's base domain.
func newRouteTable(routes map[string][]Route, base string) (*routeTable, error) {
	t := &routeTable{byHost: map[string][]routeEntry{}, base: base, names: make(map[string]bool, len(routes))}
	owner := map[Route]string{}
	names := make([]string, 0, len(routes))
	for n := range routes {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, name := range names {
		t.names[name] = true
		for _, r := range routes[name] {
			if err := checkOwnHost(r, name, base); err != nil {
				return nil, err
			}
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
	if name, ok := t.ownHost(host); ok && t.names[name] {
		return name, true
	}
	for _, e := range t.wildcards {
		if e.matchHost(host) && e.matchPath(path) {
			return e.deployment, true
		}
	}
	return "", false
}

// ownHost returns NAME when host is NAME.<base domain>.
func (t *routeTable) ownHost(host string) (string, bool) {
	if t.base == "" {
		return "", false
	}
	name, ok := strings.CutSuffix(host, "."+t.base)
	if !ok || name == "" || strings.IndexByte(name, '.') >= 0 {
		return "", false
	}
	return name, true
}

// checkOwnHost refuses a route on another deployment's own host
// (OTHER.<base domain>), whether or not OTHER exists yet: that host is
// reserved for the deployment of that name.
func checkOwnHost(r Route, name, base string) error {
	if base == "" {
		return nil
	}
	other, ok := strings.CutSuffix(r.Host, "."+base)
	if !ok || other == "" || strings.IndexByte(other, '.') >= 0 || other == name {
		return nil
	}
	return fmt.Errorf("%w: %s is on %s.%s, the host of deployment %q; route %q only under your own host %s.%s or a custom domain",
		ErrRouteConflict, r, other, base, other, name, name, base)
}
