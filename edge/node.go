package edge

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/netip"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/valyala/fasthttp"

	"github.com/edgefn/edgefn/isolate"
)

// Config configures a Node.
type Config struct {
	// Listen is the public HTTP address. Default "127.0.0.1:8787".
	Listen string
	// Listener, when set, is used instead of listening on Listen (tests,
	// socket activation).
	Listener net.Listener
	// Logger receives the node's logs. Nil discards them.
	Logger *slog.Logger
	// ExposeErrors puts an uncaught exception's message and stack in the
	// 500 response body (development); otherwise the body only names the
	// request id.
	ExposeErrors bool
	// AccessLog logs one line per request.
	AccessLog bool
	// ShutdownTimeout bounds how long Serve waits for in-flight requests
	// when its context ends. Default 30s.
	ShutdownTimeout time.Duration
	// MaxBodySize is the largest request body accepted (413 beyond).
	// Default 100 MiB.
	MaxBodySize int
	// ReadTimeout, WriteTimeout and IdleTimeout bound slow clients.
	// Defaults 30s, 60s, 120s.
	ReadTimeout  time.Duration
	WriteTimeout time.Duration
	IdleTimeout  time.Duration
	// HalfClose keeps answering a client that shuts down its writing side
	// after sending its request (a FIN while its handler runs). By default
	// that FIN is taken as the client leaving, as nginx, hyper (Deno) and
	// Go's net/http take it: a handler still running when it is noticed
	// (from 20 ms into the request) has its request.signal aborted and the
	// request is recorded as 499. With HalfClose only a reset counts. A
	// handler that answers sooner is answered either way. Default false.
	HalfClose bool
	// MaxConns bounds concurrent connections. Default 256k.
	MaxConns int
	// MaxConnsPerIP bounds the concurrent connections from one client
	// address; the one past it is answered 429 and closed. Default 1024;
	// negative means no limit (behind a reverse proxy every connection
	// comes from the proxy's few addresses).
	MaxConnsPerIP int
	// MaxHeaderBytes bounds the request line and headers together; a
	// request over it gets 431. It is also each connection's read buffer
	// (fasthttp's ReadBufferSize), so it costs that much memory per open
	// connection. Default 16 KiB (as Node.js).
	MaxHeaderBytes int
	// MaxHeaderCount bounds the number of request header lines (431
	// beyond). Default 100.
	MaxHeaderCount int
	// MaxURIBytes bounds the request target (path and query); 414 beyond.
	// Default 8 KiB.
	MaxURIBytes int
	// MaxResponseHeaderBytes bounds the headers a handler's Response may
	// set, names and values together; a response over it is refused with
	// 500 and logged. Default 64 KiB.
	MaxResponseHeaderBytes int
	// MaxResponseHeaders bounds the number of headers a handler's Response
	// may set. Default 256.
	MaxResponseHeaders int
	// Pool is the pool configuration every deployment starts from (Script,
	// Name and Logger are set per deployment).
	Pool isolate.PoolConfig
	// BaseDomain, when set, serves each deployment at NAME.<BaseDomain>.
	BaseDomain string
	// TrustedProxies are the addresses (as prefixes) of reverse proxies in
	// front of the node: for a request from one of them, the client is
	// taken from X-Forwarded-For (traffic splits stick to it). Default
	// none: the peer's address is the client.
	TrustedProxies []netip.Prefix
	// TLSCert and TLSKey, when set, serve HTTPS.
	TLSCert string
	TLSKey  string
	// KV is the node's store for KV bindings; nil refuses deployments that
	// bind a namespace.
	KV *KVStore
	// DevEndpoints enables /__scheduled?cron=... on the public listener,
	// which runs the served deployment's scheduled() by hand (development
	// only: anyone who can reach the listener can call it).
	DevEndpoints bool
}

// DefaultConfig returns a Config with every default set.
func DefaultConfig() Config {
	return Config{
		Listen:          "127.0.0.1:8787",
		ShutdownTimeout: 30 * time.Second,
		MaxBodySize:     100 << 20,
		ReadTimeout:     30 * time.Second,
		WriteTimeout:    60 * time.Second,
		IdleTimeout:     120 * time.Second,
		MaxConns:        256 * 1024,
		MaxConnsPerIP:   1024,
		MaxHeaderBytes:  16 << 10,
		MaxHeaderCount:  100,
		MaxURIBytes:     8 << 10,
		Pool:            isolate.DefaultPoolConfig(),

		MaxResponseHeaderBytes: 64 << 10,
		MaxResponseHeaders:     256,
	}
}

func (c *Config) validate() error {
	switch {
	case c.Listen == "" && c.Listener == nil:
		return errors.New("edge: config: Listen is required")
	case c.ShutdownTimeout <= 0:
		return fmt.Errorf("edge: config: ShutdownTimeout %v must be positive", c.ShutdownTimeout)
	case c.MaxBodySize <= 0:
		return fmt.Errorf("edge: config: MaxBodySize %d must be positive", c.MaxBodySize)
	case c.ReadTimeout <= 0 || c.WriteTimeout <= 0 || c.IdleTimeout <= 0:
		return errors.New("edge: config: ReadTimeout, WriteTimeout and IdleTimeout must be positive")
	case c.MaxConns <= 0:
		return fmt.Errorf("edge: config: MaxConns %d must be positive", c.MaxConns)
	case c.MaxHeaderBytes < 1024:
		return fmt.Errorf("edge: config: MaxHeaderBytes %d is below the 1 KiB minimum", c.MaxHeaderBytes)
	case c.MaxHeaderCount < 1:
		return fmt.Errorf("edge: config: MaxHeaderCount %d must be positive", c.MaxHeaderCount)
	case c.MaxURIBytes < 1 || c.MaxURIBytes > c.MaxHeaderBytes:
		return fmt.Errorf("edge: config: MaxURIBytes %d must be positive and at most MaxHeaderBytes (%d)", c.MaxURIBytes, c.MaxHeaderBytes)
	case c.MaxResponseHeaderBytes < 1 || c.MaxResponseHeaders < 1:
		return errors.New("edge: config: MaxResponseHeaderBytes and MaxResponseHeaders must be positive")
	}
	if err := c.Pool.Limits.Validate(); err != nil {
		return fmt.Errorf("edge: config: Pool: %w", err)
	}
	return nil
}

// Node serves deployments over HTTP.
type Node struct {
	cfg    Config
	log    *slog.Logger
	ids    *requestIDs
	server *fasthttp.Server
	conns  *connRegistry // the connections Serve accepted, for clientCtx

	mu          sync.RWMutex
	deployments map[string]*deployment
	fallback    *deployment // serves every request no route claims (dev)
	devErr      atomic.Pointer[error]
	routes      atomic.Pointer[routeTable]
	metrics     *metrics
	tail        *tailHub
	kv          *KVStore            // Config.KV, or the store dev opens when a project first needs one
	queues      isolate.QueueSender // set by the platform when it has a store

	closeOnce sync.Once
}

// NewNode makes a node; Serve starts it.
func NewNode(cfg Config) (*Node, error) {
	def := DefaultConfig()
	if cfg.ShutdownTimeout == 0 {
		cfg.ShutdownTimeout = def.ShutdownTimeout
	}
	if cfg.MaxBodySize == 0 {
		cfg.MaxBodySize = def.MaxBodySize
	}
	if cfg.ReadTimeout == 0 {
		cfg.ReadTimeout = def.ReadTimeout
	}
	if cfg.WriteTimeout == 0 {
		cfg.WriteTimeout = def.WriteTimeout
	}
	if cfg.IdleTimeout == 0 {
		cfg.IdleTimeout = def.IdleTimeout
	}
	if cfg.MaxConns == 0 {
		cfg.MaxConns = def.MaxConns
	}
	if cfg.MaxConnsPerIP == 0 {
		cfg.MaxConnsPerIP = def.MaxConnsPerIP
	}
	if cfg.MaxHeaderBytes == 0 {
		cfg.MaxHeaderBytes = def.MaxHeaderBytes
	}
	if cfg.MaxHeaderCount == 0 {
		cfg.MaxHeaderCount = def.MaxHeaderCount
	}
	if cfg.MaxURIBytes == 0 {
		cfg.MaxURIBytes = min(def.MaxURIBytes, cfg.MaxHeaderBytes)
	}
	if cfg.MaxResponseHeaderBytes == 0 {
		cfg.MaxResponseHeaderBytes = def.MaxResponseHeaderBytes
	}
	if cfg.MaxResponseHeaders == 0 {
		cfg.MaxResponseHeaders = def.MaxResponseHeaders
	}
	if cfg.Pool.MaxSize == 0 && cfg.Pool.MinIdle == 0 && cfg.Pool.IdleTimeout == 0 {
		cfg.Pool = def.Pool
	}
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	hub := newTailHub()
	log = slog.New(&tailHandler{next: log.Handler(), hub: hub})
	n := &Node{
		cfg:         cfg,
		log:         log,
		ids:         newRequestIDs(),
		conns:       &connRegistry{},
		deployments: map[string]*deployment{},
	}
	n.routes.Store(&routeTable{byHost: map[string][]routeEntry{}})
	n.metrics = newMetrics(n)
	n.tail = hub
	if cfg.KV != nil {
		n.setKV(cfg.KV)
	}
	n.server = &fasthttp.Server{
		Handler:            n.handle,
		Name:               "edgefn",
		Concurrency:        cfg.MaxConns,
		MaxConnsPerIP:      max(cfg.MaxConnsPerIP, 0),
		ReadBufferSize:     cfg.MaxHeaderBytes,
		ReadTimeout:        cfg.ReadTimeout,
		WriteTimeout:       cfg.WriteTimeout,
		IdleTimeout:        cfg.IdleTimeout,
		MaxRequestBodySize: cfg.MaxBodySize,
		// Bodies reach handlers as streams (see readBody): an upload is
		// never buffered whole, and its limit is counted as it arrives.
		StreamRequestBody:             true,
		DisableHeaderNamesNormalizing: true,
		NoDefaultContentType:          true,
		NoDefaultServerHeader:         true,
		DisablePreParseMultipartForm:  true,
		CloseOnShutdown:               true,
		SecureErrorLogMessage:         true,
		Logger:                        fasthttpLogger{log},
		ErrorHandler:                  n.handleParseError,
	}
	return n, nil
}

// fasthttpLogger sends fasthttp's own messages to slog.
type fasthttpLogger struct{ log *slog.Logger }

func (l fasthttpLogger) Printf(format string, args ...any) {
	l.log.Debug(fmt.Sprintf(format, args...), "component", "fasthttp")
}

// Deploy makes script the current version of the named deployment,
// starting its pool. In-flight requests finish on the previous version,
// which is then closed; no request fails during the swap.
func (n *Node) Deploy(name string, script *isolate.Script) error {
	cfg := n.cfg.Pool
	cfg.Name = name
	cfg.Script = script
	cfg.Logger = n.log.With("deployment", name)
	pool, err := isolate.NewPool(cfg)
	if err != nil {
		return fmt.Errorf("edge: deploy %s: %w", name, err)
	}
	v := newVersion(name, pool)
	v.manifest = Manifest{Name: name}
	v.log = cfg.Logger
	if err := n.activate(v); err != nil {
		pool.Close()
		return err
	}
	return nil
}

// Activate loads a built artifact and makes it version number of its
// deployment: the script is compiled once, a pool warmed, and the routes
// swapped in atomically. On any error nothing changes.
func (n *Node) Activate(a *Artifact, number int) error { return n.activateWith(a, number, nil) }

// activateWith is Activate with secrets for the handler (see prepare).
func (n *Node) activateWith(a *Artifact, number int, secrets map[string]string) error {
	v, err := n.prepare(a, number, secrets)
	if err != nil {
		return err
	}
	if err := n.activate(v); err != nil {
		if v.pool != nil {
			v.pool.Close()
		}
		return err
	}
	return nil
}

// loadArtifactScript compiles an artifact's script (and finds its handler).
func loadArtifactScript(a *Artifact) (*isolate.Script, error) {
	s, err := isolate.LoadSource(a.ScriptName, a.Script, a.SourceMap)
	if err != nil {
		return nil, fmt.Errorf("edge: deploy %s: %w", a.Manifest.Name, err)
	}
	if a.FileRoutes != nil && s.Shape() != isolate.ShapeRouter {
		return nil, fmt.Errorf("edge: deploy %s: the artifact lists file routes but its script is not a router", a.Manifest.Name)
	}
	return s, nil
}

// prepare loads an artifact into a version ready to serve (not yet
// serving). secrets join the manifest's vars (a secret wins over a var of the
// same name) and are redacted from the version's logs.
func (n *Node) prepare(a *Artifact, number int, secrets map[string]string) (*version, error) {
	name := a.Manifest.Name
	v := &version{name: name, number: number, manifest: a.Manifest, assets: a.Assets, drained: make(chan struct{})}
	v.secrets = redactable(secrets)
	v.log = slog.New(newRedactHandler(n.log.Handler(), v.secrets)).With("deployment", name, "version", number)
	if a.FileRoutes != nil {
		rels := make([]string, len(a.FileRoutes))
		for i, r := range a.FileRoutes {
			rels[i] = r + ".js"
		}
		rs, err := newFileRoutes(rels)
		if err != nil {
			return nil, fmt.Errorf("edge: deploy %s: %w", name, err)
		}
		for i := range rs {
			rs[i].ID = strings.TrimSuffix(rs[i].ID, ".js")
		}
		v.routes = rs
	}
	if a.Script != "" {
		s := a.compiled
		if s == nil {
			var err error
			if s, err = loadArtifactScript(a); err != nil {
				return nil, err
			}
		}
		cfg := n.poolConfig(a.Manifest)
		if err := n.bind(&cfg, a.Manifest); err != nil {
			return nil, fmt.Errorf("edge: deploy %s: %w", name, err)
		}
		if len(secrets) > 0 {
			if cfg.Vars == nil {
				cfg.Vars = map[string]string{}
			}
			for k, val := range secrets {
				cfg.Vars[k] = val
			}
		}
		cfg.Script = s
		cfg.Name = fmt.Sprintf("%s@%d", name, number)
		cfg.Logger = v.log
		pool, err := isolate.NewPool(cfg)
		if err != nil {
			return nil, fmt.Errorf("edge: deploy %s: %w", name, err)
		}
		v.pool = pool
	}
	return v, nil
}

// setKV gives the node its store for KV bindings and queues (at start, or
// when the development server opens one for a project that first needs it).
func (n *Node) setKV(kvs *KVStore) {
	n.mu.Lock()
	n.kv = kvs
	if n.queues == nil {
		n.queues = &queueStore{store: kvs, now: time.Now}
	}
	n.mu.Unlock()
}

// setQueues replaces the node's queue store (the platform's store).
func (n *Node) setQueues(q isolate.QueueSender) {
	n.mu.Lock()
	n.queues = q
	n.mu.Unlock()
}

// kvStore returns the node's store for KV bindings, or nil.
func (n *Node) kvStore() *KVStore {
	n.mu.RLock()
	defer n.mu.RUnlock()
	return n.kv
}

// bind gives a pool its manifest's bindings: KV namespaces, queues and
// services.
func (n *Node) bind(cfg *isolate.PoolConfig, m Manifest) error {
	if len(m.KV)+len(m.Services)+len(m.Queues.Producers) == 0 {
		return nil
	}
	n.mu.RLock()
	kvs, queues := n.kv, n.queues
	n.mu.RUnlock()
	cfg.Bindings = map[string]isolate.Binding{}
	for i, b := range m.KV {
		if kvs == nil {
			return fmt.Errorf("kv_namespaces[%d]: %s binds %q but this node has no KV store", i, b.Binding, b.Namespace)
		}
		cfg.Bindings[b.Binding] = isolate.KVBinding(kvs.Namespace(b.Namespace))
	}
	for _, s := range m.Services {
		cfg.Bindings[s.Binding] = isolate.ServiceBinding(&serviceFetcher{n: n, name: s.Service})
	}
	for i, q := range m.Queues.Producers {
		if queues == nil {
			return fmt.Errorf("queues.producers[%d]: %s sends to %q but this node has no queue store", i, q.Binding, q.Queue)
		}
		cfg.Bindings[q.Binding] = isolate.QueueBinding(q.Queue, queues)
	}
	return nil
}

// currentOf returns what a deployment serves now, or nil.
func (n *Node) currentOf(name string) *active {
	n.mu.RLock()
	d := n.deployments[name]
	n.mu.RUnlock()
	if d == nil {
		return nil
	}
	return d.current()
}

// poolConfig applies a manifest's limits and variables to the node's pool
// defaults.
func (n *Node) poolConfig(m Manifest) isolate.PoolConfig {
	cfg := n.cfg.Pool
	l := &cfg.Limits
	if m.Limits.CPUMs > 0 {
		l.CPUTime = durationMs(m.Limits.CPUMs)
	}
	if m.Limits.WallMs > 0 {
		l.WallTime = durationMs(m.Limits.WallMs)
	}
	if m.Limits.MemoryMB > 0 {
		l.MemoryLimit = int64(m.Limits.MemoryMB) << 20
	}
	if m.Limits.BodyMB > 0 {
		l.MaxBodySize = int64(m.Limits.BodyMB) << 20
	}
	if m.Limits.ResponseMB > 0 {
		l.MaxResponseSize = int64(m.Limits.ResponseMB) << 20
	}
	if m.Limits.MaxRuntime > 0 {
		cfg.MaxSize = m.Limits.MaxRuntime
	}
	if m.Limits.MinWarm > 0 {
		cfg.MinIdle = min(m.Limits.MinWarm, cfg.MaxSize)
	}
	f := &cfg.Fetch
	if len(m.Fetch.Allow) > 0 {
		f.Allow = append(append([]string(nil), f.Allow...), m.Fetch.Allow...)
	}
	f.AllowPrivate = f.AllowPrivate || m.Fetch.AllowPrivate
	if m.Fetch.TimeoutMs > 0 {
		f.Timeout = durationMs(m.Fetch.TimeoutMs)
	}
	if m.Fetch.MaxSubrequests > 0 {
		f.MaxSubrequests = m.Fetch.MaxSubrequests
	}
	if m.Fetch.MaxConcurrent > 0 {
		f.MaxConcurrent = m.Fetch.MaxConcurrent
	}
	if len(m.Vars) > 0 {
		cfg.Vars = make(map[string]string, len(m.Vars))
		for k, val := range m.Vars {
			cfg.Vars[k] = val
		}
	}
	return cfg
}

// activate swaps v in as its deployment's current version, with its
// manifest's routes; a route clash leaves everything as it was.
func (n *Node) activate(v *version) error {
	return n.activateSet(v.name, v.manifest, single(v))
}

// activateSet swaps next in as what the deployment serves, with the routes
// of manifest; a route clash leaves everything as it was.
func (n *Node) activateSet(name string, manifest Manifest, next *active) error {
	routes := make([]Route, 0, len(manifest.Routes))
	for _, r := range manifest.Routes {
		rt, err := ParseRoute(r)
		if err != nil {
			return fmt.Errorf("edge: deploy %s: %w", name, err)
		}
		routes = append(routes, rt)
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	all := map[string][]Route{}
	for other, d := range n.deployments {
		if other != name {
			all[other] = d.routes
		}
	}
	all[name] = routes
	table, err := newRouteTable(all, n.cfg.BaseDomain)
	if err != nil {
		return fmt.Errorf("edge: deploy %s: %w", name, err)
	}
	d := n.deployments[name]
	if d == nil {
		d = &deployment{name: name}
		n.deployments[name] = d
	}
	d.routes = routes
	d.swap(next)
	n.routes.Store(table)
	return nil
}

// activateDev swaps v in for the development server: it becomes its
// deployment's current version and the fallback, with its manifest's
// routes, and replaces (the name the project had before a rename, or "")
// leaves in the same swap, so no request finds neither. A route clash
// leaves everything as it was.
func (n *Node) activateDev(v *version, replaces string) error {
	routes := make([]Route, 0, len(v.manifest.Routes))
	for _, r := range v.manifest.Routes {
		rt, err := ParseRoute(r)
		if err != nil {
			return fmt.Errorf("edge: deploy %s: %w", v.name, err)
		}
		routes = append(routes, rt)
	}
	n.mu.Lock()
	all := map[string][]Route{}
	for other, d := range n.deployments {
		if other != v.name && other != replaces {
			all[other] = d.routes
		}
	}
	all[v.name] = routes
	table, err := newRouteTable(all, n.cfg.BaseDomain)
	if err != nil {
		n.mu.Unlock()
		return fmt.Errorf("edge: deploy %s: %w", v.name, err)
	}
	d := n.deployments[v.name]
	if d == nil {
		d = &deployment{name: v.name}
		n.deployments[v.name] = d
	}
	d.routes = routes
	d.swap(single(v))
	n.fallback = d
	var old *deployment
	if replaces != "" && replaces != v.name {
		old = n.deployments[replaces]
		delete(n.deployments, replaces)
	}
	n.routes.Store(table)
	n.mu.Unlock()
	if old != nil {
		go old.close()
	}
	return nil
}

// Remove stops serving a deployment: its routes go at once, its current
// version is retired after its requests finish.
func (n *Node) Remove(name string) {
	n.mu.Lock()
	d := n.deployments[name]
	delete(n.deployments, name)
	if n.fallback == d {
		n.fallback = nil
	}
	all := map[string][]Route{}
	for name, d := range n.deployments {
		all[name] = d.routes
	}
	table, _ := newRouteTable(all, n.cfg.BaseDomain)
	n.routes.Store(table)
	n.mu.Unlock()
	if d != nil {
		go d.close()
	}
}

// SetFallback routes every request no other route claims to the named
// deployment (the development server serves its one project this way).
func (n *Node) SetFallback(name string) {
	n.mu.Lock()
	n.fallback = n.deployments[name]
	n.mu.Unlock()
}

// setDevError records the development server's last build error (nil
// when the last build succeeded): until a build succeeds, requests get it.
func (n *Node) setDevError(err error) {
	if err == nil {
		n.devErr.Store(nil)
		return
	}
	n.devErr.Store(&err)
}

// route picks the deployment for a request: a manifest route, then
// NAME.<base domain>, then the fallback.
func (n *Node) route(host, path string) *deployment {
	if name, ok := n.routes.Load().match(host, path); ok {
		n.mu.RLock()
		d := n.deployments[name]
		n.mu.RUnlock()
		if d != nil {
			return d
		}
	}
	n.mu.RLock()
	defer n.mu.RUnlock()
	if n.cfg.BaseDomain != "" {
		if name, ok := strings.CutSuffix(host, "."+n.cfg.BaseDomain); ok {
			if d := n.deployments[name]; d != nil {
				return d
			}
		}
	}
	return n.fallback
}

// Serve listens and serves until ctx ends, then stops accepting, lets the
// requests in flight finish (bounded by ShutdownTimeout) and closes every
// deployment.
func (n *Node) Serve(ctx context.Context) error {
	ln := n.cfg.Listener
	if ln == nil {
		var err error
		ln, err = net.Listen("tcp", n.cfg.Listen)
		if err != nil {
			return fmt.Errorf("edge: listen %s: %w", n.cfg.Listen, err)
		}
	}
	n.log.Info("listening", "addr", ln.Addr().String())
	// Below TLS: the watch of a running request's connection (see
	// clientwatch.go) asks for the state of the TCP connection under it.
	ln = &watchListener{Listener: ln, conns: n.conns}
	errc := make(chan error, 1)
	go func() {
		if n.cfg.TLSCert != "" {
			errc <- n.server.ServeTLS(ln, n.cfg.TLSCert, n.cfg.TLSKey)
			return
		}
		errc <- n.server.Serve(ln)
	}()
	select {
	case err := <-errc:
		n.Close()
		if err != nil {
			return fmt.Errorf("edge: serve: %w", err)
		}
		return nil
	case <-ctx.Done():
	}
	n.log.Info("shutting down: finishing requests in flight", "timeout", n.cfg.ShutdownTimeout)
	sctx, cancel := context.WithTimeout(context.Background(), n.cfg.ShutdownTimeout)
	defer cancel()
	if err := n.server.ShutdownWithContext(sctx); err != nil {
		n.log.Warn("shutdown timed out; closing the remaining connections", "error", err)
	}
	n.Close()
	return nil
}

// Addr returns the listener's address once Serve listens (for tests using
// port 0 through Config.Listener).
func (n *Node) Addr() net.Addr {
	if n.cfg.Listener != nil {
		return n.cfg.Listener.Addr()
	}
	return nil
}

// Close stops every deployment's pool after its requests finish. It is
// idempotent.
func (n *Node) Close() {
	n.closeOnce.Do(func() {
		n.mu.Lock()
		deps := n.deployments
		n.deployments = map[string]*deployment{}
		n.fallback = nil
		n.mu.Unlock()
		var wg sync.WaitGroup
		for _, d := range deps {
			wg.Add(1)
			go func() {
				defer wg.Done()
				d.close()
			}()
		}
		wg.Wait()
	})
}
