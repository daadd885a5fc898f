package edge

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/edgefn/edgefn/isolate"
)

// Store is the replicated store a node keeps its control-plane records in
// (deployments, versions, blobs, secrets): a kv.Store in production. Writes
// made on any node reach every node; Watch tells the node when records of
// a namespace changed, wherever they were written.
type Store interface {
	Get(ns, key string) ([]byte, error) // an error wrapping ErrNotFound when absent
	Put(ns, key string, value []byte) error
	Delete(ns, key string) error
	// Keys lists the keys of ns starting with prefix, in order.
	Keys(ns, prefix string) ([]string, error)
	// Watch signals (coalesced) every change in ns; cancel stops it.
	Watch(ns string) (changes <-chan struct{}, cancel func())
}

// ErrNotFound: no such deployment, version or record.
var ErrNotFound = errors.New("not found")

// The system namespaces of the control plane. User bindings can never name
// them (names starting with _ are refused).
const (
	nsDeploy  = "_deploy"  // d/<name>: DeploymentRecord; v/<name>/<n>: VersionRecord
	nsBlobs   = "_blobs"   // <sha256>: script, source map and asset bytes
	nsSecrets = "_secrets" // <name>/<KEY>: sealed secret values
)

// DeploymentRecord is a deployment's control state.
type DeploymentRecord struct {
	Name string `json:"name"`
	// Active is the version served, unless Split is set.
	Active int `json:"active"`
	// Split serves several versions by weight (sticky per client).
	Split []SplitEntry `json:"split,omitempty"`
	// SecretsVersion changes whenever a secret does: nodes reload.
	SecretsVersion int       `json:"secretsVersion,omitempty"`
	CreatedAt      time.Time `json:"createdAt"`
	UpdatedAt      time.Time `json:"updatedAt"`
}

// SplitEntry is one version's share of a traffic split, in percent.
type SplitEntry struct {
	Version int `json:"version"`
	Weight  int `json:"weight"`
}

// VersionRecord describes one immutable version.
type VersionRecord struct {
	Name       string                `json:"name"`
	Number     int                   `json:"number"`
	Manifest   Manifest              `json:"manifest"`
	ScriptName string                `json:"scriptName,omitempty"`
	Script     string                `json:"script,omitempty"`    // blob key
	SourceMap  string                `json:"sourceMap,omitempty"` // blob key
	FileRoutes []string              `json:"fileRoutes,omitempty"`
	Assets     map[string]AssetEntry `json:"assets,omitempty"`
	BuiltAt    time.Time             `json:"builtAt"`
	CreatedAt  time.Time             `json:"createdAt"`
	Size       int64                 `json:"size"`
}

// AssetEntry locates one static asset's bytes.
type AssetEntry struct {
	Blob    string    `json:"blob"`
	Type    string    `json:"type"`
	Size    int       `json:"size"`
	ModTime time.Time `json:"modTime"`
}

// Sentinel errors of the control plane, for callers (the admin API) to map.
var (
	ErrNoSuchVersion = errors.New("no such version")
	// ErrInvalidScript: the artifact's script does not compile, has no
	// handler, or throws at global scope; nothing was stored.
	ErrInvalidScript = errors.New("the script cannot be deployed")
	ErrBadSplit      = errors.New("bad traffic split")
)

// Platform is a node's control plane: it records deployments and versions
// in the Store and keeps the node serving what the records say, on every
// node of the cluster.
type Platform struct {
	node  *Node
	store Store
	log   *slog.Logger
	now   func() time.Time

	mu      sync.Mutex // serializes reconciles and record updates made here
	loaded  map[string]map[int]*version
	box     *secretBox // nil: secrets disabled
	members Membership
	cron    *cronScheduler
	fresh   map[string]*isolate.Script // scripts compiled by the deploy under way, by blob key
}

// NewPlatform ties a node to its store. Run keeps the node in step.
func NewPlatform(node *Node, store Store) *Platform {
	p := &Platform{node: node, store: store, log: node.log.With("component", "platform"), now: time.Now,
		loaded: map[string]map[int]*version{}, members: soloMembership{name: "local"}}
	p.cron = &cronScheduler{p: p, now: time.Now}
	node.setQueues(&queueStore{store: store, now: time.Now})
	return p
}

// SetMembership tells the platform who is alive (cron and queue ownership).
// Call it before Run.
func (p *Platform) SetMembership(m Membership) { p.members = m }

// Run reconciles the node with the store now and whenever the deployment
// records change, until ctx ends.
func (p *Platform) Run(ctx context.Context) {
	changes, cancel := p.store.Watch(nsDeploy)
	defer cancel()
	// Replication may bring a version's record before its blobs (or a
	// secret after the record that needs it): their arrival reconciles too.
	blobs, cancelBlobs := p.store.Watch(nsBlobs)
	defer cancelBlobs()
	secrets, cancelSecrets := p.store.Watch(nsSecrets)
	defer cancelSecrets()
	// Run returns only once its goroutines and the scheduled() calls they
	// started have ended, so its caller may close the store after it.
	var wg sync.WaitGroup
	wg.Add(2)
	go func() { defer wg.Done(); p.runCron(ctx) }()
	go func() { defer wg.Done(); p.runQueues(ctx) }()
	defer p.cron.wg.Wait()
	defer wg.Wait()
	for {
		if err := p.Reconcile(); err != nil {
			p.log.Error("reconcile failed; will retry on the next change", "error", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-changes:
		case <-blobs:
		case <-secrets:
		case <-time.After(30 * time.Second): // belt and braces: missed signals heal
		}
	}
}

// Deploy stores a built artifact as the next version of its deployment
// and, if activate, makes it the active version. The artifact is compiled
// first: a broken bundle is refused and nothing is stored.
func (p *Platform) Deploy(a *Artifact, activate bool) (*VersionRecord, error) {
	name := a.Manifest.Name
	if err := a.Manifest.validate(); err != nil {
		return nil, err
	}
	var compiled *isolate.Script
	if a.Script != "" {
		var err error
		if compiled, err = loadArtifactScript(a); err != nil {
			return nil, fmt.Errorf("%w: %w", ErrInvalidScript, err)
		}
	}
	if err := p.checkRoutes(name, a.Manifest); err != nil {
		return nil, err
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	n, err := p.nextVersion(name)
	if err != nil {
		return nil, err
	}
	now := p.now().UTC()
	rec := &VersionRecord{Name: name, Number: n, Manifest: a.Manifest, ScriptName: a.ScriptName, FileRoutes: a.FileRoutes,
		BuiltAt: a.BuiltAt, CreatedAt: now}
	if a.Script != "" {
		if rec.Script, err = p.putBlob([]byte(a.Script)); err != nil {
			return nil, err
		}
		rec.Size += int64(len(a.Script))
		if len(a.SourceMap) > 0 {
			if rec.SourceMap, err = p.putBlob(a.SourceMap); err != nil {
				return nil, err
			}
		}
	}
	if len(a.Assets) > 0 {
		rec.Assets = make(map[string]AssetEntry, len(a.Assets))
		for path, as := range a.Assets {
			key, err := p.putBlob(as.Data)
			if err != nil {
				return nil, err
			}
			rec.Assets[path] = AssetEntry{Blob: key, Type: as.Type, Size: len(as.Data), ModTime: as.ModTime}
			rec.Size += int64(len(as.Data))
		}
	}
	if err := p.putJSON(nsDeploy, versionKey(name, n), rec); err != nil {
		return nil, err
	}
	dr, err := p.deployment(name)
	if errors.Is(err, ErrNotFound) {
		dr = &DeploymentRecord{Name: name, CreatedAt: now}
	} else if err != nil {
		return nil, err
	}
	if activate || dr.Active == 0 {
		dr.Active = n
		dr.Split = nil
	}
	dr.UpdatedAt = now
	if err := p.putJSON(nsDeploy, "d/"+name, dr); err != nil {
		return nil, err
	}
	// The reconcile serves the compilation just checked rather than
	// compiling the stored copy again.
	if compiled != nil {
		p.fresh = map[string]*isolate.Script{rec.Script: compiled}
		defer func() { p.fresh = nil }()
	}
	return rec, p.reconcileName(name)
}

// DeployResult is what the admin API answers a deploy with: the stored
// version and the URLs it is served at on this node.
type DeployResult struct {
	VersionRecord
	URLs []string `json:"urls,omitempty"`
}

// URLs lists where a deployment is served on this node: its own host
// (NAME.<base domain>) and the exact hosts of its routes, with the public
// listener's scheme and port. Wildcard routes are listed as patterns.
func (p *Platform) URLs(name string, m Manifest) []string {
	cfg := p.node.cfg
	scheme, port := "http", ""
	if cfg.TLSCert != "" {
		scheme = "https"
	}
	if _, pt, err := net.SplitHostPort(cfg.Listen); err == nil && pt != "" && pt != "0" &&
		!(scheme == "http" && pt == "80") && !(scheme == "https" && pt == "443") {
		port = ":" + pt
	}
	var out []string
	if cfg.BaseDomain != "" {
		out = append(out, scheme+"://"+name+"."+cfg.BaseDomain+port+"/")
	}
	for _, r := range m.Routes {
		rt, err := ParseRoute(r)
		if err != nil {
			continue
		}
		if strings.HasPrefix(rt.Host, "*") {
			out = append(out, scheme+"://"+r)
			continue
		}
		out = append(out, scheme+"://"+rt.Host+port+rt.Path)
	}
	return out
}

// Rollback activates version to, or (to == 0) the version before the
// active one.
func (p *Platform) Rollback(name string, to int) (int, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	dr, err := p.deployment(name)
	if err != nil {
		return 0, err
	}
	nums, err := p.versionNumbers(name)
	if err != nil {
		return 0, err
	}
	if to == 0 {
		for i := len(nums) - 1; i >= 0; i-- {
			if nums[i] < dr.Active {
				to = nums[i]
				break
			}
		}
		if to == 0 {
			return 0, fmt.Errorf("%w: %s has no version before v%d", ErrNoSuchVersion, name, dr.Active)
		}
	} else if !containsInt(nums, to) {
		return 0, fmt.Errorf("%w: %s has no v%d (it has %s)", ErrNoSuchVersion, name, to, listVersions(nums))
	}
	if err := p.checkVersionRoutes(name, to); err != nil {
		return 0, err
	}
	dr.Active, dr.Split, dr.UpdatedAt = to, nil, p.now().UTC()
	if err := p.putJSON(nsDeploy, "d/"+name, dr); err != nil {
		return 0, err
	}
	return to, p.reconcileName(name)
}

// Split serves several versions of a deployment by weight (percent,
// summing to 100); each client address sticks to one version.
func (p *Platform) Split(name string, split []SplitEntry) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	dr, err := p.deployment(name)
	if err != nil {
		return err
	}
	nums, err := p.versionNumbers(name)
	if err != nil {
		return err
	}
	sum := 0
	seen := map[int]bool{}
	for _, e := range split {
		if !containsInt(nums, e.Version) {
			return fmt.Errorf("%w: %s has no v%d (it has %s)", ErrBadSplit, name, e.Version, listVersions(nums))
		}
		if e.Weight < 0 || e.Weight > 100 || seen[e.Version] {
			return fmt.Errorf("%w: v%d=%d: each version once, with a weight from 0 to 100", ErrBadSplit, e.Version, e.Weight)
		}
		seen[e.Version] = true
		sum += e.Weight
	}
	if len(split) < 1 || sum != 100 {
		return fmt.Errorf("%w: the weights sum to %d, not 100", ErrBadSplit, sum)
	}
	for _, e := range split {
		if e.Weight == 0 {
			continue
		}
		if err := p.checkVersionRoutes(name, e.Version); err != nil {
			return err
		}
	}
	sort.Slice(split, func(i, j int) bool { return split[i].Version < split[j].Version })
	dr.Split, dr.UpdatedAt = split, p.now().UTC()
	if len(split) == 1 {
		dr.Active, dr.Split = split[0].Version, nil
	}
	if err := p.putJSON(nsDeploy, "d/"+name, dr); err != nil {
		return err
	}
	return p.reconcileName(name)
}

// Delete removes a deployment, its versions and its secrets.
func (p *Platform) Delete(name string) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if _, err := p.deployment(name); err != nil {
		return err
	}
	if err := p.store.Delete(nsDeploy, "d/"+name); err != nil {
		return err
	}
	keys, err := p.store.Keys(nsDeploy, "v/"+name+"/")
	if err != nil {
		return err
	}
	for _, k := range keys {
		if err := p.store.Delete(nsDeploy, k); err != nil {
			return err
		}
	}
	secrets, err := p.store.Keys(nsSecrets, name+"/")
	if err != nil {
		return err
	}
	for _, k := range secrets {
		if err := p.store.Delete(nsSecrets, k); err != nil {
			return err
		}
	}
	return p.reconcileName(name)
}

// DeploymentInfo is what the list and dashboard show of a deployment.
type DeploymentInfo struct {
	DeploymentRecord
	Versions []int    `json:"versions"`
	Routes   []string `json:"routes,omitempty"`
}

// List returns every deployment with its versions.
func (p *Platform) List() ([]DeploymentInfo, error) {
	keys, err := p.store.Keys(nsDeploy, "d/")
	if err != nil {
		return nil, err
	}
	out := make([]DeploymentInfo, 0, len(keys))
	for _, k := range keys {
		dr, err := p.deployment(strings.TrimPrefix(k, "d/"))
		if err != nil {
			continue
		}
		nums, err := p.versionNumbers(dr.Name)
		if err != nil {
			return nil, err
		}
		info := DeploymentInfo{DeploymentRecord: *dr, Versions: nums}
		if vr, err := p.version(dr.Name, dr.Active); err == nil {
			info.Routes = vr.Manifest.Routes
		}
		out = append(out, info)
	}
	return out, nil
}

// Versions returns a deployment's version records, oldest first.
func (p *Platform) Versions(name string) ([]VersionRecord, error) {
	if _, err := p.deployment(name); err != nil {
		return nil, err
	}
	nums, err := p.versionNumbers(name)
	if err != nil {
		return nil, err
	}
	out := make([]VersionRecord, 0, len(nums))
	for _, n := range nums {
		vr, err := p.version(name, n)
		if err != nil {
			return nil, err
		}
		vr.Script, vr.SourceMap = "", ""
		out = append(out, *vr)
	}
	return out, nil
}

// Reconcile makes the node serve what the records say.
func (p *Platform) Reconcile() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.reconcileLocked()
}

// reconcileName brings one deployment in step with its record (a change
// made here touches only it; Run's reconcile covers changes from elsewhere).
func (p *Platform) reconcileName(name string) error {
	if _, err := p.deployment(name); errors.Is(err, ErrNotFound) {
		if p.loaded[name] != nil {
			p.node.Remove(name)
			delete(p.loaded, name)
			p.log.Info("deployment removed", "deployment", name)
		}
		return nil
	} else if err != nil {
		return err
	}
	if err := p.reconcileOne(name); err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	return nil
}

func (p *Platform) reconcileLocked() error {
	keys, err := p.store.Keys(nsDeploy, "d/")
	if err != nil {
		return err
	}
	want := map[string]bool{}
	var errs []error
	for _, k := range keys {
		name := strings.TrimPrefix(k, "d/")
		want[name] = true
		if err := p.reconcileOne(name); err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", name, err))
		}
	}
	for name := range p.loaded {
		if !want[name] {
			p.node.Remove(name)
			delete(p.loaded, name)
			p.log.Info("deployment removed", "deployment", name)
		}
	}
	return errors.Join(errs...)
}

// reconcileOne loads the versions a deployment's record asks for (each
// compiled once per node) and swaps them in.
func (p *Platform) reconcileOne(name string) error {
	dr, err := p.deployment(name)
	if err != nil {
		return err
	}
	split := dr.Split
	if len(split) == 0 {
		split = []SplitEntry{{Version: dr.Active, Weight: 100}}
	}
	var secrets map[string]string
	loaded := p.loaded[name]
	if loaded == nil {
		loaded = map[int]*version{}
		p.loaded[name] = loaded
	}
	next := &active{}
	var cum uint32
	var manifest Manifest
	for _, e := range split {
		v := loaded[e.Version]
		if v == nil || v.retired.Load() || v.secretsVersion != dr.SecretsVersion {
			vr, err := p.version(name, e.Version)
			if err != nil {
				return err
			}
			a, err := p.artifact(vr)
			if err != nil {
				return err
			}
			a.compiled = p.fresh[vr.Script]
			if secrets == nil {
				if secrets, err = p.secretValues(name); err != nil {
					return err
				}
			}
			v, err = p.node.prepare(a, vr.Number, secrets)
			if err != nil {
				return err
			}
			v.secretsVersion = dr.SecretsVersion
			loaded[e.Version] = v
			p.log.Info("version loaded", "deployment", name, "version", e.Version)
		}
		if e.Weight == 0 {
			continue
		}
		cum += uint32(e.Weight)
		next.versions = append(next.versions, v)
		next.cum = append(next.cum, cum)
		if e.Version == dr.Active || manifest.Name == "" {
			manifest = v.manifest
		}
	}
	if cur := p.node.currentOf(name); cur != nil && sameActive(cur, next) {
		return nil
	}
	if err := p.node.activateSet(name, manifest, next); err != nil {
		return err
	}
	for n, v := range loaded {
		if !slices.Contains(next.versions, v) {
			delete(loaded, n)
		}
	}
	return nil
}

func sameActive(a, b *active) bool {
	if len(a.versions) != len(b.versions) {
		return false
	}
	for i := range a.versions {
		if a.versions[i] != b.versions[i] || a.cum[i] != b.cum[i] {
			return false
		}
	}
	return true
}

// artifact reassembles a stored version.
func (p *Platform) artifact(vr *VersionRecord) (*Artifact, error) {
	a := &Artifact{Manifest: vr.Manifest, ScriptName: vr.ScriptName, FileRoutes: vr.FileRoutes, BuiltAt: vr.BuiltAt,
		Assets: map[string]*Asset{}}
	if vr.Script != "" {
		b, err := p.blob(vr.Script)
		if err != nil {
			return nil, err
		}
		a.Script = string(b)
		if vr.SourceMap != "" {
			if a.SourceMap, err = p.blob(vr.SourceMap); err != nil {
				return nil, err
			}
		}
	}
	for path, e := range vr.Assets {
		b, err := p.blob(e.Blob)
		if err != nil {
			return nil, err
		}
		as := newAsset(path, b, e.ModTime)
		as.Type = e.Type
		a.Assets[path] = as
	}
	return a, nil
}

func (p *Platform) deployment(name string) (*DeploymentRecord, error) {
	var dr DeploymentRecord
	if err := p.getJSON(nsDeploy, "d/"+name, &dr); err != nil {
		if errors.Is(err, ErrNotFound) {
			return nil, fmt.Errorf("deployment %q: %w", name, ErrNotFound)
		}
		return nil, err
	}
	return &dr, nil
}

func (p *Platform) version(name string, n int) (*VersionRecord, error) {
	var vr VersionRecord
	if err := p.getJSON(nsDeploy, versionKey(name, n), &vr); err != nil {
		if errors.Is(err, ErrNotFound) {
			return nil, fmt.Errorf("%w: %s v%d", ErrNoSuchVersion, name, n)
		}
		return nil, err
	}
	return &vr, nil
}

// versionKey zero-pads the number so keys list in version order.
func versionKey(name string, n int) string { return fmt.Sprintf("v/%s/%08d", name, n) }

func (p *Platform) versionNumbers(name string) ([]int, error) {
	keys, err := p.store.Keys(nsDeploy, "v/"+name+"/")
	if err != nil {
		return nil, err
	}
	nums := make([]int, 0, len(keys))
	for _, k := range keys {
		if n, err := strconv.Atoi(k[strings.LastIndexByte(k, '/')+1:]); err == nil {
			nums = append(nums, n)
		}
	}
	sort.Ints(nums)
	return nums, nil
}

func (p *Platform) nextVersion(name string) (int, error) {
	nums, err := p.versionNumbers(name)
	if err != nil {
		return 0, err
	}
	if len(nums) == 0 {
		return 1, nil
	}
	return nums[len(nums)-1] + 1, nil
}

// checkRoutes refuses routes another deployment serves on this node, and
// routes on another deployment's own host.
func (p *Platform) checkRoutes(name string, m Manifest) error {
	all := map[string][]Route{}
	for _, r := range m.Routes {
		rt, err := ParseRoute(r)
		if err != nil {
			return err
		}
		all[name] = append(all[name], rt)
	}
	p.node.mu.RLock()
	for other, d := range p.node.deployments {
		if other != name {
			all[other] = d.routes
		}
	}
	p.node.mu.RUnlock()
	_, err := newRouteTable(all, p.node.cfg.BaseDomain)
	return err
}

// checkVersionRoutes refuses to serve a stored version whose routes now
// clash with another deployment's (it may predate them).
func (p *Platform) checkVersionRoutes(name string, n int) error {
	vr, err := p.version(name, n)
	if err != nil {
		return err
	}
	if err := p.checkRoutes(name, vr.Manifest); err != nil {
		return fmt.Errorf("%s v%d: %w", name, n, err)
	}
	return nil
}

func (p *Platform) putBlob(b []byte) (string, error) {
	sum := sha256.Sum256(b)
	key := hex.EncodeToString(sum[:])
	if _, err := p.store.Get(nsBlobs, key); err == nil {
		return key, nil
	}
	if err := p.store.Put(nsBlobs, key, b); err != nil {
		return "", fmt.Errorf("edge: store blob: %w", err)
	}
	return key, nil
}

func (p *Platform) blob(key string) ([]byte, error) {
	b, err := p.store.Get(nsBlobs, key)
	if err != nil {
		return nil, fmt.Errorf("edge: blob %s: %w", key, err)
	}
	sum := sha256.Sum256(b)
	if hex.EncodeToString(sum[:]) != key {
		return nil, fmt.Errorf("edge: blob %s: content does not match its hash", key)
	}
	return b, nil
}

func (p *Platform) putJSON(ns, key string, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	if err := p.store.Put(ns, key, b); err != nil {
		return fmt.Errorf("edge: store %s/%s: %w", ns, key, err)
	}
	return nil
}

func (p *Platform) getJSON(ns, key string, v any) error {
	b, err := p.store.Get(ns, key)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(b, v); err != nil {
		return fmt.Errorf("edge: record %s/%s is corrupt: %w", ns, key, err)
	}
	return nil
}

func containsInt(s []int, n int) bool {
	for _, x := range s {
		if x == n {
			return true
		}
	}
	return false
}

func listVersions(nums []int) string {
	if len(nums) == 0 {
		return "no versions"
	}
	parts := make([]string, len(nums))
	for i, n := range nums {
		parts[i] = "v" + strconv.Itoa(n)
	}
	return strings.Join(parts, ", ")
}
