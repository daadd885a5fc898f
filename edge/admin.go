package edge

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/edgefn/edgefn/cluster"
)

// AdminConfig configures the admin API.
type AdminConfig struct {
	// Listener is where the admin API serves (the CLI makes it from
	// --admin). Required.
	Listener net.Listener
	// TokenHashes are the SHA-256 hashes (hex) of the bearer tokens that
	// may call the API. Tokens are never stored in the clear.
	TokenHashes []string
	// MaxUpload bounds an artifact upload. Default 600 MiB.
	MaxUpload int64
	// Logger receives the admin API's logs and its audit log (lines with
	// audit=true: deploys, rollbacks, splits, deletes, secret changes).
	Logger *slog.Logger
	// TLSCert and TLSKey, when set, serve the admin API over HTTPS.
	TLSCert string
	TLSKey  string
	// Ready reports whether the node is ready to serve (joined its cluster
	// and caught up); nil means always.
	Ready func() error
	// Cluster, when set, is shown at /v1/cluster/members.
	Cluster ClusterView
	// Faults, when set (edgefn serve --test-faults only), can be changed at
	// POST /v1/cluster/faults.
	Faults *cluster.Faults
	// AllowedHosts are the host names (besides IP addresses and localhost)
	// that a plain-HTTP admin API answers to: a request naming another host
	// in its Host header is refused, so a web page whose name an attacker
	// re-points at this address (DNS rebinding) cannot reach the API from
	// the operator's browser. Over TLS the certificate already binds the
	// names, and any Host is accepted.
	AllowedHosts []string
}

// HashToken returns the hash AdminConfig.TokenHashes holds for a token.
func HashToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// Admin is the admin API: the control surface of a node (deploy,
// versions, rollback, split, secrets, KV, tail, metrics, dashboard).
type Admin struct {
	cfg      AdminConfig
	platform *Platform
	log      *slog.Logger
	mux      *http.ServeMux
	srv      *http.Server
	hashes   [][]byte
	limiter  *failLimiter
}

// NewAdmin makes the admin API for a platform.
func NewAdmin(cfg AdminConfig, p *Platform) (*Admin, error) {
	if cfg.Listener == nil {
		return nil, errors.New("edge: admin: Listener is required")
	}
	if cfg.MaxUpload == 0 {
		cfg.MaxUpload = 600 << 20
	}
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	a := &Admin{cfg: cfg, platform: p, log: log.With("component", "admin"), mux: http.NewServeMux(), limiter: newFailLimiter()}
	for _, h := range cfg.TokenHashes {
		b, err := hex.DecodeString(strings.TrimPrefix(h, "sha256:"))
		if err != nil || len(b) != sha256.Size {
			return nil, fmt.Errorf("edge: admin: token hash %q is not a hex SHA-256", h)
		}
		a.hashes = append(a.hashes, b)
	}
	if len(a.hashes) == 0 {
		return nil, errors.New("edge: admin: at least one token is required (the admin API is never open)")
	}
	a.routes()
	a.secretRoutes()
	a.cronRoutes()
	a.clusterRoutes()
	if ks, ok := p.store.(*KVStore); ok {
		a.kvRoutes(ks)
	}
	a.observability()
	a.srv = &http.Server{Handler: a, ReadHeaderTimeout: 10 * time.Second, IdleTimeout: 2 * time.Minute,
		ErrorLog: slog.NewLogLogger(log.Handler(), slog.LevelDebug)}
	return a, nil
}

// Handle adds a route (tail, metrics, KV and dashboard live in their own
// files and register here).
func (a *Admin) Handle(pattern string, h http.HandlerFunc) { a.mux.HandleFunc(pattern, h) }

// Serve serves until ctx ends.
func (a *Admin) Serve(ctx context.Context) error {
	errc := make(chan error, 1)
	go func() {
		if a.cfg.TLSCert != "" {
			errc <- a.srv.ServeTLS(a.cfg.Listener, a.cfg.TLSCert, a.cfg.TLSKey)
			return
		}
		errc <- a.srv.Serve(a.cfg.Listener)
	}()
	select {
	case err := <-errc:
		if errors.Is(err, http.ErrServerClosed) {
			return nil
		}
		return fmt.Errorf("edge: admin: %w", err)
	case <-ctx.Done():
		sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = a.srv.Shutdown(sctx)
		return nil
	}
}

// ServeHTTP authenticates every call but the health checks, then routes it.
func (a *Admin) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path != "/healthz" && r.URL.Path != "/readyz" {
		if msg := a.browserGuard(r); msg != "" {
			a.log.Warn("admin call refused: "+msg, "remote", clientIP(r), "method", r.Method, "path", r.URL.Path, "host", r.Host)
			writeError(w, http.StatusForbidden, msg)
			return
		}
	}
	switch r.URL.Path {
	case "/healthz":
		writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
		return
	case "/readyz":
		if a.cfg.Ready != nil {
			if err := a.cfg.Ready(); err != nil {
				writeJSON(w, http.StatusServiceUnavailable, map[string]string{"status": "not ready", "reason": err.Error()})
				return
			}
		}
		writeJSON(w, http.StatusOK, map[string]string{"status": "ready"})
		return
	}
	if r.URL.Path == "/favicon.ico" {
		w.WriteHeader(http.StatusNoContent)
		return
	}
	if r.URL.Path == "/" || strings.HasPrefix(r.URL.Path, "/ui/") {
		// The dashboard's page itself is public; it calls the API with the
		// token the user enters.
		a.mux.ServeHTTP(w, r)
		return
	}
	ip := limiterKey(clientIP(r))
	if a.limiter.blocked(ip) {
		w.Header().Set("Retry-After", "60")
		writeError(w, http.StatusTooManyRequests, "too many failed attempts; retry later")
		return
	}
	actor, ok := a.authenticate(r)
	if !ok {
		a.limiter.fail(ip)
		a.log.Warn("admin call refused: bad or missing token", "remote", clientIP(r), "method", r.Method, "path", r.URL.Path)
		w.Header().Set("WWW-Authenticate", `Bearer realm="edgefn"`)
		writeError(w, http.StatusUnauthorized, "unauthorized")
		return
	}
	r = r.WithContext(context.WithValue(r.Context(), actorKey{}, actor))
	a.mux.ServeHTTP(w, r)
}

type actorKey struct{}

// authenticate compares the bearer token's hash with every known hash in
// constant time; the actor is a short, non-secret id of the token.
func (a *Admin) authenticate(r *http.Request) (string, bool) {
	h := r.Header.Get("Authorization")
	if len(h) < 7 || !strings.EqualFold(h[:7], "Bearer ") {
		return "", false
	}
	tok := h[7:]
	if tok == "" {
		return "", false
	}
	sum := sha256.Sum256([]byte(tok))
	match := 0
	for _, h := range a.hashes {
		match |= subtle.ConstantTimeCompare(sum[:], h)
	}
	if match != 1 {
		return "", false
	}
	return "token:" + hex.EncodeToString(sum[:4]), true
}

func actorOf(r *http.Request) string {
	s, _ := r.Context().Value(actorKey{}).(string)
	return s
}

// audit records a control-plane change.
func (a *Admin) audit(r *http.Request, event string, attrs ...any) {
	attrs = append([]any{"audit", true, "event", event, "actor", actorOf(r), "remote", clientIP(r)}, attrs...)
	a.log.Info("audit: "+event, attrs...)
}

func (a *Admin) routes() {
	a.mux.HandleFunc("GET /v1/deployments", func(w http.ResponseWriter, r *http.Request) {
		list, err := a.platform.List()
		if err != nil {
			a.fail(w, err)
			return
		}
		writeJSON(w, http.StatusOK, list)
	})
	a.mux.HandleFunc("POST /v1/deployments/{name}/versions", func(w http.ResponseWriter, r *http.Request) {
		name := r.PathValue("name")
		art, err := ReadArchive(http.MaxBytesReader(w, r.Body, a.cfg.MaxUpload))
		if err != nil {
			var mbe *http.MaxBytesError
			if errors.As(err, &mbe) {
				writeError(w, http.StatusRequestEntityTooLarge, fmt.Sprintf("the upload exceeds %d bytes", a.cfg.MaxUpload))
				return
			}
			a.fail(w, err)
			return
		}
		if art.Manifest.Name != name {
			writeError(w, http.StatusBadRequest, fmt.Sprintf("the artifact is named %q, not %q", art.Manifest.Name, name))
			return
		}
		activate := r.URL.Query().Get("activate") != "false"
		rec, err := a.platform.Deploy(art, activate)
		if err != nil {
			a.fail(w, err)
			return
		}
		a.audit(r, "deploy", "deployment", name, "version", rec.Number, "activate", activate, "size", rec.Size)
		writeJSON(w, http.StatusCreated, DeployResult{VersionRecord: *rec, URLs: a.platform.URLs(name, rec.Manifest)})
	})
	a.mux.HandleFunc("GET /v1/deployments/{name}/versions", func(w http.ResponseWriter, r *http.Request) {
		vs, err := a.platform.Versions(r.PathValue("name"))
		if err != nil {
			a.fail(w, err)
			return
		}
		writeJSON(w, http.StatusOK, vs)
	})
	a.mux.HandleFunc("POST /v1/deployments/{name}/rollback", func(w http.ResponseWriter, r *http.Request) {
		var body struct {
			To int `json:"to"`
		}
		if err := readJSON(r, &body); err != nil {
			writeError(w, http.StatusBadRequest, err.Error())
			return
		}
		name := r.PathValue("name")
		to, err := a.platform.Rollback(name, body.To)
		if err != nil {
			a.fail(w, err)
			return
		}
		a.audit(r, "rollback", "deployment", name, "version", to)
		writeJSON(w, http.StatusOK, map[string]int{"active": to})
	})
	a.mux.HandleFunc("PUT /v1/deployments/{name}/split", func(w http.ResponseWriter, r *http.Request) {
		var split []SplitEntry
		if err := readJSON(r, &split); err != nil {
			writeError(w, http.StatusBadRequest, err.Error())
			return
		}
		name := r.PathValue("name")
		if err := a.platform.Split(name, split); err != nil {
			a.fail(w, err)
			return
		}
		a.audit(r, "split", "deployment", name, "split", fmt.Sprint(split))
		writeJSON(w, http.StatusOK, split)
	})
	a.mux.HandleFunc("DELETE /v1/deployments/{name}", func(w http.ResponseWriter, r *http.Request) {
		name := r.PathValue("name")
		if err := a.platform.Delete(name); err != nil {
			a.fail(w, err)
			return
		}
		a.audit(r, "delete", "deployment", name)
		w.WriteHeader(http.StatusNoContent)
	})
}

// fail maps control-plane errors to statuses with messages a user can act
// on.
func (a *Admin) fail(w http.ResponseWriter, err error) {
	status := http.StatusInternalServerError
	var me *ManifestError
	switch {
	case errors.Is(err, ErrNotFound), errors.Is(err, ErrNoSuchVersion):
		status = http.StatusNotFound
	case errors.Is(err, ErrRouteConflict):
		status = http.StatusConflict
	case errors.Is(err, ErrBadSplit), errors.Is(err, ErrBadArchive), errors.Is(err, ErrSecret), errors.As(err, &me):
		status = http.StatusBadRequest
	case errors.Is(err, ErrInvalidScript):
		status = http.StatusUnprocessableEntity
	}
	if status == http.StatusInternalServerError {
		a.log.Error("admin call failed", "error", err)
	}
	writeError(w, status, err.Error())
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	_ = enc.Encode(v)
}

func writeError(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, map[string]string{"error": msg})
}

// readJSON decodes a small JSON body strictly.
func readJSON(r *http.Request, v any) error {
	dec := json.NewDecoder(io.LimitReader(r.Body, 1<<20))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil && !errors.Is(err, io.EOF) {
		return fmt.Errorf("bad JSON body: %w", err)
	}
	return nil
}

func clientIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// failLimiter blocks an address after repeated failed logins: more than
// maxFails in window.
type failLimiter struct {
	mu    sync.Mutex
	fails map[string][]time.Time
	now   func() time.Time
}

const (
	maxFails   = 10
	failWindow = time.Minute
)

func newFailLimiter() *failLimiter {
	return &failLimiter{fails: map[string][]time.Time{}, now: time.Now}
}

func (l *failLimiter) recent(ip string) []time.Time {
	cut := l.now().Add(-failWindow)
	ts := l.fails[ip]
	i := 0
	for i < len(ts) && ts[i].Before(cut) {
		i++
	}
	ts = ts[i:]
	if len(ts) == 0 {
		delete(l.fails, ip)
	} else {
		l.fails[ip] = ts
	}
	return ts
}

func (l *failLimiter) fail(ip string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.fails) > 100000 { // bound memory under a spray of addresses
		l.fails = map[string][]time.Time{}
	}
	l.fails[ip] = append(l.recent(ip), l.now())
}

func (l *failLimiter) blocked(ip string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.recent(ip)) >= maxFails
}

// parseSplit parses CLI-style "v3=90 v4=10" (or "3=90").
func parseSplit(args []string) ([]SplitEntry, error) {
	var out []SplitEntry
	for _, a := range args {
		v, w, ok := strings.Cut(a, "=")
		if !ok {
			return nil, fmt.Errorf("%w: %q: want VERSION=PERCENT, e.g. v3=90", ErrBadSplit, a)
		}
		n, err := strconv.Atoi(strings.TrimPrefix(v, "v"))
		if err != nil {
			return nil, fmt.Errorf("%w: %q: %q is not a version number", ErrBadSplit, a, v)
		}
		pct, err := strconv.Atoi(strings.TrimSuffix(w, "%"))
		if err != nil {
			return nil, fmt.Errorf("%w: %q: %q is not a percentage", ErrBadSplit, a, w)
		}
		out = append(out, SplitEntry{Version: n, Weight: pct})
	}
	return out, nil
}

// ParseSplit parses "v3=90 v4=10" for the CLI.
func ParseSplit(args []string) ([]SplitEntry, error) { return parseSplit(args) }
