package edge

import (
	"errors"
	"fmt"
	"os"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/BurntSushi/toml"

	"github.com/edgefn/edgefn/isolate"
)

// ManifestFile is the name of a project's manifest.
const ManifestFile = "edgefn.toml"

// Manifest is a project's edgefn.toml: what the deployment is called, where
// it is served, and what its handler gets (variables, bindings, triggers,
// limits). Its keys follow wrangler.toml where the two overlap.
type Manifest struct {
	// Name of the deployment: lower-case letters, digits and dashes.
	Name string `toml:"name" json:"name"`
	// Main is the entry file, relative to the project; default: index.*
	// in the project, or the api/ directory's file routes.
	Main string `toml:"main" json:"main,omitempty"`
	// Routes are where the deployment is served besides its own host
	// (NAME.<base domain>): "example.com/*", "example.com/api/*",
	// "*/api/v2/*" (any host).
	Routes []string `toml:"routes" json:"routes,omitempty"`
	// Vars are plain environment variables (env.KEY, process.env.KEY).
	Vars map[string]string `toml:"vars" json:"vars,omitempty"`
	// KV binds KV namespaces.
	KV []KVBinding `toml:"kv_namespaces" json:"kv_namespaces,omitempty"`
	// Services bind other deployments (env.AUTH.fetch(request)).
	Services []ServiceBinding `toml:"services" json:"services,omitempty"`
	// Triggers are the deployment's cron schedules.
	Triggers Triggers `toml:"triggers" json:"triggers,omitempty"`
	// Queues are the queues it sends to and consumes.
	Queues Queues `toml:"queues" json:"queues,omitempty"`
	// Limits override the node's defaults for this deployment.
	Limits ManifestLimits `toml:"limits" json:"limits,omitempty"`
	// Fetch configures outbound fetch().
	Fetch FetchPolicy `toml:"fetch" json:"fetch,omitempty"`
}

// KVBinding binds a KV namespace as env.<Binding>.
type KVBinding struct {
	Binding   string `toml:"binding" json:"binding"`
	Namespace string `toml:"namespace" json:"namespace"`
}

// ServiceBinding binds another deployment as env.<Binding>.
type ServiceBinding struct {
	Binding string `toml:"binding" json:"binding"`
	Service string `toml:"service" json:"service"`
}

// Triggers holds cron schedules; each calls the handler's scheduled().
type Triggers struct {
	Crons []string `toml:"crons" json:"crons,omitempty"`
}

// Queues lists queue producers and consumers.
type Queues struct {
	Producers []QueueProducer `toml:"producers" json:"producers,omitempty"`
	Consumers []QueueConsumer `toml:"consumers" json:"consumers,omitempty"`
}

// QueueProducer binds a queue as env.<Binding> (send, sendBatch).
type QueueProducer struct {
	Binding string `toml:"binding" json:"binding"`
	Queue   string `toml:"queue" json:"queue"`
}

// QueueConsumer makes the handler's queue() consume a queue.
type QueueConsumer struct {
	Queue           string `toml:"queue" json:"queue"`
	MaxBatchSize    int    `toml:"max_batch_size" json:"max_batch_size,omitempty"`
	MaxBatchTimeout int    `toml:"max_batch_timeout" json:"max_batch_timeout,omitempty"` // seconds
	MaxRetries      int    `toml:"max_retries" json:"max_retries,omitempty"`
	DeadLetterQueue string `toml:"dead_letter_queue" json:"dead_letter_queue,omitempty"`
	RetryDelay      int    `toml:"retry_delay" json:"retry_delay,omitempty"` // seconds
}

// ManifestLimits are per-deployment limits; zero keeps the node's default.
type ManifestLimits struct {
	CPUMs      int `toml:"cpu_ms" json:"cpu_ms,omitempty"`
	WallMs     int `toml:"wall_ms" json:"wall_ms,omitempty"`
	MemoryMB   int `toml:"memory_mb" json:"memory_mb,omitempty"`
	BodyMB     int `toml:"body_mb" json:"body_mb,omitempty"`
	ResponseMB int `toml:"response_mb" json:"response_mb,omitempty"`
	MaxRuntime int `toml:"max_runtimes" json:"max_runtimes,omitempty"`
	MinWarm    int `toml:"min_warm" json:"min_warm,omitempty"`
}

// FetchPolicy configures outbound fetch() for a deployment:
//
//	[fetch]
//	allow = ["127.0.0.1/32", "db.internal", "*.svc.cluster.local"]
//	timeout_ms = 10000
//	max_subrequests = 200
type FetchPolicy struct {
	// AllowPrivate lets fetch reach every address: the SSRF guard, which
	// refuses loopback, link-local, private, CGNAT, multicast and other
	// special-purpose addresses, is off.
	AllowPrivate bool `toml:"allow_private" json:"allow_private,omitempty"`
	// Allow lists what fetch may reach although the guard refuses it: IP
	// addresses, CIDR prefixes, host names (whatever they resolve to) and
	// "*.domain" (its subdomains).
	Allow []string `toml:"allow" json:"allow,omitempty"`
	// TimeoutMs bounds one fetch until its response's headers arrive.
	TimeoutMs int `toml:"timeout_ms" json:"timeout_ms,omitempty"`
	// MaxSubrequests bounds the fetches one request makes (redirects count).
	MaxSubrequests int `toml:"max_subrequests" json:"max_subrequests,omitempty"`
	// MaxConcurrent bounds the fetches one request has waiting for headers
	// at once; more wait their turn.
	MaxConcurrent int `toml:"max_concurrent" json:"max_concurrent,omitempty"`
}

// ManifestError is a problem in an edgefn.toml, with where it is.
type ManifestError struct {
	File  string
	Line  int    // 0 when unknown
	Field string // dotted key, when known
	Msg   string
}

func (e *ManifestError) Error() string {
	var b strings.Builder
	b.WriteString(e.File)
	if e.Line > 0 {
		fmt.Fprintf(&b, ":%d", e.Line)
	}
	b.WriteString(": ")
	if e.Field != "" {
		b.WriteString(e.Field + ": ")
	}
	b.WriteString(e.Msg)
	return b.String()
}

// ErrManifest is wrapped by every manifest error.
var ErrManifest = errors.New("invalid manifest")

func (e *ManifestError) Unwrap() error { return ErrManifest }

var (
	decodeErrRe = regexp.MustCompile(`line (\d+) \(last key "([^"]*)"\): (.*)`)
	nameRe      = regexp.MustCompile(`^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$`)
	bindingRe   = regexp.MustCompile(`^[A-Za-z_$][A-Za-z0-9_$]*$`)
)

// ReadManifest reads and validates an edgefn.toml.
func ReadManifest(path string) (*Manifest, error) {
	src, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("edge: manifest: %w", err)
	}
	return ParseManifest(path, src)
}

// ParseManifest parses and validates manifest source; file names it in
// errors.
func ParseManifest(file string, src []byte) (*Manifest, error) {
	var m Manifest
	md, err := toml.Decode(string(src), &m)
	if err != nil {
		var pe toml.ParseError
		if errors.As(err, &pe) {
			return nil, &ManifestError{File: file, Line: pe.Position.Line, Field: pe.LastKey, Msg: pe.Message}
		}
		if m := decodeErrRe.FindStringSubmatch(err.Error()); m != nil {
			line, _ := strconv.Atoi(m[1])
			return nil, &ManifestError{File: file, Line: line, Field: m[2], Msg: friendlyTypeError(m[3])}
		}
		return nil, &ManifestError{File: file, Msg: err.Error()}
	}
	if und := md.Undecoded(); len(und) > 0 {
		key := und[0].String()
		return nil, &ManifestError{File: file, Line: keyLine(src, und[0]), Field: key,
			Msg: "unknown key; docs/MANIFEST.md lists the keys edgefn.toml takes"}
	}
	if err := m.validate(); err != nil {
		var me *ManifestError
		if errors.As(err, &me) {
			me.File = file
			if me.Line == 0 && me.Field != "" {
				me.Line = keyLine(src, strings.Split(me.Field, "."))
			}
		}
		return nil, err
	}
	return &m, nil
}

// validate checks every field, naming the first bad one.
func (m *Manifest) validate() error {
	bad := func(field, format string, args ...any) error {
		return &ManifestError{Field: field, Msg: fmt.Sprintf(format, args...)}
	}
	if m.Name == "" {
		return bad("name", "required: the deployment's name, e.g. name = \"my-app\"")
	}
	if !nameRe.MatchString(m.Name) {
		return bad("name", "%q must be 1-63 lower-case letters, digits or dashes, not starting or ending with a dash", m.Name)
	}
	for i, r := range m.Routes {
		if _, err := ParseRoute(r); err != nil {
			return bad(fmt.Sprintf("routes[%d]", i), "%v", err)
		}
	}
	seen := map[string]string{}
	claim := func(field, name string) error {
		if !bindingRe.MatchString(name) {
			return bad(field, "%q is not a valid JavaScript identifier", name)
		}
		if prev, dup := seen[name]; dup {
			return bad(field, "%q is already bound by %s", name, prev)
		}
		seen[name] = field
		return nil
	}
	keys := make([]string, 0, len(m.Vars))
	for k := range m.Vars {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if err := claim("vars."+k, k); err != nil {
			return err
		}
	}
	for i, kv := range m.KV {
		f := fmt.Sprintf("kv_namespaces[%d]", i)
		if err := claim(f+".binding", kv.Binding); err != nil {
			return err
		}
		if kv.Namespace == "" || strings.HasPrefix(kv.Namespace, "_") || len(kv.Namespace) > 128 {
			return bad(f+".namespace", "%q: a namespace name is required, at most 128 characters, not starting with _", kv.Namespace)
		}
	}
	for i, s := range m.Services {
		f := fmt.Sprintf("services[%d]", i)
		if err := claim(f+".binding", s.Binding); err != nil {
			return err
		}
		if !nameRe.MatchString(s.Service) {
			return bad(f+".service", "%q is not a deployment name", s.Service)
		}
	}
	for i, c := range m.Triggers.Crons {
		if err := ValidateCron(c); err != nil {
			return bad(fmt.Sprintf("triggers.crons[%d]", i), "%q: %v", c, err)
		}
	}
	for i, p := range m.Queues.Producers {
		f := fmt.Sprintf("queues.producers[%d]", i)
		if err := claim(f+".binding", p.Binding); err != nil {
			return err
		}
		if !nameRe.MatchString(p.Queue) {
			return bad(f+".queue", "%q is not a valid queue name (lower-case letters, digits, dashes)", p.Queue)
		}
	}
	for i, c := range m.Queues.Consumers {
		f := fmt.Sprintf("queues.consumers[%d]", i)
		switch {
		case !nameRe.MatchString(c.Queue):
			return bad(f+".queue", "%q is not a valid queue name", c.Queue)
		case c.MaxBatchSize < 0 || c.MaxBatchSize > 100:
			return bad(f+".max_batch_size", "%d is outside 1-100", c.MaxBatchSize)
		case c.MaxRetries < 0 || c.MaxRetries > 100:
			return bad(f+".max_retries", "%d is outside 0-100", c.MaxRetries)
		case c.MaxBatchTimeout < 0 || c.MaxBatchTimeout > 60:
			return bad(f+".max_batch_timeout", "%d is outside 0-60 seconds", c.MaxBatchTimeout)
		case c.RetryDelay < 0 || c.RetryDelay > 43200:
			return bad(f+".retry_delay", "%d is outside 0-43200 seconds", c.RetryDelay)
		case c.DeadLetterQueue != "" && !nameRe.MatchString(c.DeadLetterQueue):
			return bad(f+".dead_letter_queue", "%q is not a valid queue name", c.DeadLetterQueue)
		case c.DeadLetterQueue == c.Queue:
			return bad(f+".dead_letter_queue", "a queue cannot be its own dead-letter queue")
		}
	}
	l := m.Limits
	switch {
	case l.CPUMs < 0 || l.CPUMs > 300000:
		return bad("limits.cpu_ms", "%d is outside 1-300000", l.CPUMs)
	case l.WallMs < 0 || l.WallMs > 15*60*1000:
		return bad("limits.wall_ms", "%d is outside 1-900000", l.WallMs)
	case l.MemoryMB < 0 || (l.MemoryMB > 0 && l.MemoryMB < 8) || l.MemoryMB > 4096:
		return bad("limits.memory_mb", "%d is outside 8-4096", l.MemoryMB)
	case l.BodyMB < 0 || l.BodyMB > 1024:
		return bad("limits.body_mb", "%d is outside 1-1024", l.BodyMB)
	case l.ResponseMB < 0 || l.ResponseMB > 65536:
		return bad("limits.response_mb", "%d is outside 1-65536", l.ResponseMB)
	case l.MaxRuntime < 0 || l.MaxRuntime > 1024:
		return bad("limits.max_runtimes", "%d is outside 1-1024", l.MaxRuntime)
	case l.MinWarm < 0 || l.MinWarm > 64:
		return bad("limits.min_warm", "%d is outside 0-64", l.MinWarm)
	}
	f := m.Fetch
	switch {
	case f.TimeoutMs < 0 || f.TimeoutMs > 15*60*1000:
		return bad("fetch.timeout_ms", "%d is outside 1-900000", f.TimeoutMs)
	case f.MaxSubrequests < 0 || f.MaxSubrequests > 10000:
		return bad("fetch.max_subrequests", "%d is outside 1-10000", f.MaxSubrequests)
	case f.MaxConcurrent < 0 || f.MaxConcurrent > 256:
		return bad("fetch.max_concurrent", "%d is outside 1-256", f.MaxConcurrent)
	}
	if err := isolate.ValidateFetchAllow(f.Allow); err != nil {
		// "allow[i]: why"
		field, msg, _ := strings.Cut(err.Error(), ": ")
		return bad("fetch."+field, "%s", msg)
	}
	return nil
}

// ValidateCron checks a cron schedule (five fields, or a descriptor such
// as @hourly).
func ValidateCron(spec string) error {
	_, err := cronParser.Parse(spec)
	return err
}

// keyLine finds the line where a key is set, for error messages. key is
// dotted, and a segment may carry an index: ["kv_namespaces[1]",
// "binding"] is the binding of the second [[kv_namespaces]] table, and
// ["routes[0]"] the routes array. It returns the line of the key in its
// table, else the table's header, else 0.
func keyLine(src []byte, key []string) int {
	if len(key) == 0 {
		return 0
	}
	last, _ := splitIndex(key[len(key)-1])
	table, nth := "", 0
	if len(key) > 1 {
		parts := make([]string, len(key)-1)
		for i, k := range key[:len(key)-1] {
			parts[i], nth = splitIndex(k)
		}
		table = strings.Join(parts, ".")
	}
	inTable := table == ""
	seen, header := -1, 0
	for i, line := range strings.Split(string(src), "\n") {
		t := strings.TrimSpace(line)
		if strings.HasPrefix(t, "[") {
			name := strings.Trim(strings.SplitN(t, "#", 2)[0], "[] \t")
			inTable = false
			if name == table {
				if strings.HasPrefix(t, "[[") {
					seen++
				} else {
					seen = nth
				}
				if inTable = seen == nth; inTable && header == 0 {
					header = i + 1
				}
			}
			continue
		}
		if !inTable {
			continue
		}
		if k, _, ok := strings.Cut(t, "="); ok && strings.Trim(strings.TrimSpace(k), `"'`) == last {
			return i + 1
		}
	}
	return header
}

// splitIndex splits "name[3]" into "name" and 3 ("name" gives 0).
func splitIndex(seg string) (string, int) {
	i := strings.IndexByte(seg, '[')
	if i < 0 || !strings.HasSuffix(seg, "]") {
		return seg, 0
	}
	n, err := strconv.Atoi(seg[i+1 : len(seg)-1])
	if err != nil {
		return seg[:i], 0
	}
	return seg[:i], n
}

var typeErrRe = regexp.MustCompile(`incompatible types: TOML value has type (.+); destination has type (.+)$`)

// typeWords names TOML and Go types the way an edgefn.toml author thinks of
// them.
var typeWords = map[string]string{
	"string": "a string", "int64": "an integer", "float64": "a number", "bool": "true or false",
	"slice": "an array", "[]interface {}": "an array", "map[string]interface {}": "a table", "struct": "a table",
	"map": "a table", "integer": "an integer", "float": "a number", "boolean": "true or false",
	"primitive (string-like)": "a string", "time.Time": "a date", "int8": "an integer", "int16": "an integer",
	"int32": "an integer", "uint64": "an integer", "float32": "a number",
}

// friendlyTypeError rewrites the TOML decoder's type mismatch message.
func friendlyTypeError(msg string) string {
	m := typeErrRe.FindStringSubmatch(msg)
	if m == nil {
		return msg
	}
	got, want := typeWords[m[1]], typeWords[m[2]]
	if got == "" {
		got = m[1]
	}
	if want == "" {
		want = m[2]
	}
	return "want " + want + ", got " + got
}

// durationMs converts a manifest millisecond value.
func durationMs(ms int) time.Duration { return time.Duration(ms) * time.Millisecond }
