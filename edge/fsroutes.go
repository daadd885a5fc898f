package edge

import (
	"fmt"
	"path"
	"sort"
	"strings"
)

// A file route maps a file under a project's api/ directory to a URL path,
// as Vercel and Next.js do: api/users/[id].ts serves /api/users/42 with
// params {id: "42"}; [...slug] catches the rest of the path (one segment or
// more), [[...slug]] also matches none; index files serve their directory.
type fileRoute struct {
	// ID names the route (its file, relative to the project, without
	// extension), e.g. "api/users/[id]".
	ID       string
	segments []routeSegment
}

type segKind uint8

const (
	segStatic segKind = iota
	segParam
	segCatchAll
	segOptionalCatchAll
)

type routeSegment struct {
	kind segKind
	text string // static text or param name
}

// parseFileRoute turns a file path relative to the project
// ("api/users/[id].ts") into a route.
func parseFileRoute(rel string) (fileRoute, error) {
	rel = strings.TrimSuffix(rel, path.Ext(rel))
	id := rel
	parts := strings.Split(rel, "/")
	if parts[len(parts)-1] == "index" {
		parts = parts[:len(parts)-1]
	}
	r := fileRoute{ID: id}
	seen := map[string]bool{}
	for i, p := range parts {
		var s routeSegment
		switch {
		case strings.HasPrefix(p, "[[...") && strings.HasSuffix(p, "]]"):
			s = routeSegment{segOptionalCatchAll, p[5 : len(p)-2]}
		case strings.HasPrefix(p, "[...") && strings.HasSuffix(p, "]"):
			s = routeSegment{segCatchAll, p[4 : len(p)-1]}
		case strings.HasPrefix(p, "[") && strings.HasSuffix(p, "]"):
			s = routeSegment{segParam, p[1 : len(p)-1]}
		case strings.ContainsAny(p, "[]"):
			return fileRoute{}, fmt.Errorf("%s: a segment must be a whole [param], [...rest] or [[...rest]]", rel)
		default:
			s = routeSegment{segStatic, p}
		}
		if s.kind != segStatic {
			if !bindingRe.MatchString(s.text) {
				return fileRoute{}, fmt.Errorf("%s: %q is not a valid parameter name", rel, s.text)
			}
			if seen[s.text] {
				return fileRoute{}, fmt.Errorf("%s: parameter %q appears twice", rel, s.text)
			}
			seen[s.text] = true
		}
		if (s.kind == segCatchAll || s.kind == segOptionalCatchAll) && i != len(parts)-1 {
			return fileRoute{}, fmt.Errorf("%s: a catch-all segment must be the last", rel)
		}
		r.segments = append(r.segments, s)
	}
	return r, nil
}

// match matches a URL path (already split into segments) and returns the
// route's params.
func (r fileRoute) match(segs []string) (map[string]string, bool) {
	var params map[string]string
	set := func(k, v string) {
		if params == nil {
			params = map[string]string{}
		}
		params[k] = v
	}
	for i, s := range r.segments {
		switch s.kind {
		case segStatic:
			if i >= len(segs) || segs[i] != s.text {
				return nil, false
			}
		case segParam:
			if i >= len(segs) || segs[i] == "" {
				return nil, false
			}
			set(s.text, segs[i])
		case segCatchAll, segOptionalCatchAll:
			rest := segs[min(i, len(segs)):]
			if len(rest) == 0 && s.kind == segCatchAll {
				return nil, false
			}
			set(s.text, strings.Join(rest, "/"))
			return params, true
		}
	}
	return params, len(segs) == len(r.segments)
}

// rank orders routes so the most specific matches first: static segments
// beat parameters, which beat catch-alls (Next.js's rules).
func (r fileRoute) rank() []int {
	out := make([]int, 0, len(r.segments)+1)
	for _, s := range r.segments {
		out = append(out, 3-int(s.kind))
	}
	return out
}

// fileRoutes is a sorted set of file routes.
type fileRoutes []fileRoute

func newFileRoutes(rels []string) (fileRoutes, error) {
	var rs fileRoutes
	seen := map[string]string{}
	for _, rel := range rels {
		r, err := parseFileRoute(rel)
		if err != nil {
			return nil, err
		}
		key := r.pattern()
		if prev, dup := seen[key]; dup {
			return nil, fmt.Errorf("%s and %s serve the same path %s", prev, rel, key)
		}
		seen[key] = rel
		rs = append(rs, r)
	}
	sort.SliceStable(rs, func(i, j int) bool {
		a, b := rs[i].rank(), rs[j].rank()
		for k := 0; k < len(a) && k < len(b); k++ {
			if a[k] != b[k] {
				return a[k] > b[k]
			}
		}
		return len(a) > len(b)
	})
	return rs, nil
}

// pattern renders the URL pattern ("/api/users/:id").
func (r fileRoute) pattern() string {
	var b strings.Builder
	for _, s := range r.segments {
		b.WriteByte('/')
		switch s.kind {
		case segStatic:
			b.WriteString(s.text)
		case segParam:
			b.WriteString(":" + s.text)
		case segCatchAll:
			b.WriteString("*" + s.text)
		case segOptionalCatchAll:
			b.WriteString("**" + s.text)
		}
	}
	if b.Len() == 0 {
		return "/"
	}
	return b.String()
}

// match finds the route for a URL path.
func (rs fileRoutes) match(urlPath string) (*fileRoute, map[string]string) {
	segs := strings.Split(strings.Trim(urlPath, "/"), "/")
	if len(segs) == 1 && segs[0] == "" {
		segs = nil
	}
	for i := range rs {
		if params, ok := rs[i].match(segs); ok {
			return &rs[i], params
		}
	}
	return nil, nil
}
