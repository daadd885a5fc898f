package edge

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/fsnotify/fsnotify"

	"github.com/edgefn/edgefn/isolate"
)

// DevConfig configures the development server.
type DevConfig struct {
	// Entry is the handler: a .js/.mjs/.ts file or a directory with an
	// index file.
	Entry string
	// Debounce is how long to wait after a change before rebuilding, so a
	// burst of saves rebuilds once. Default 50ms.
	Debounce time.Duration
	// OnBuild is told of every build, failed or not (the CLI prints it).
	OnBuild func(BuildEvent)
	// OpenStore opens the local store for KV, queues and cron leases. Dev
	// calls it on the first build whose manifest binds KV or queues or has
	// crons (at start, or when edgefn.toml gains them while dev runs), when
	// the node has no store (Config.KV). Nil: such a build fails, naming
	// the binding. The caller closes the store after Dev returns.
	OpenStore func() (*KVStore, error)
}

// DevVarsFile holds a project's development secrets (KEY=value lines),
// given to the handler as `edgefn secret put` values would be: env.KEY,
// redacted from logs. It lives beside edgefn.toml and is not deployed.
const DevVarsFile = ".dev.vars"

// BuildEvent reports one build of the development server.
type BuildEvent struct {
	// Err is the build or load error; the previous code keeps serving.
	Err error
	// Took is how long bundling and loading took.
	Took time.Duration
	// Reload is false for the first build.
	Reload bool
	// Changed names a file whose change caused the build.
	Changed string
	// Manifest is what was built (nil when the build failed).
	Manifest *Manifest
	// Secrets names the keys read from .dev.vars.
	Secrets []string
}

// Dev builds the entry, serves it for every request, and rebuilds and
// swaps it on every change to its sources until ctx ends. A failed build
// is reported and the previous code keeps serving (before any build
// succeeded, requests get 503 with the build error). Dev returns when ctx
// ends, or at once when the entry does not exist.
func (n *Node) Dev(ctx context.Context, cfg DevConfig) error {
	if cfg.Debounce == 0 {
		cfg.Debounce = 50 * time.Millisecond
	}
	if cfg.OnBuild == nil {
		cfg.OnBuild = func(BuildEvent) {}
	}
	if _, err := LoadProject(cfg.Entry); err != nil && errors.Is(err, isolate.ErrNoEntry) {
		return err
	}
	w, err := fsnotify.NewWatcher()
	if err != nil {
		return fmt.Errorf("edge: dev: watch %s: %w", cfg.Entry, err)
	}
	defer w.Close()
	dw := &devWatcher{n: n, cfg: cfg, ctx: ctx, w: w, watched: map[string]bool{}, inputs: map[string]bool{}, assetDirs: map[string]bool{}}
	// The platform (crons, queue consumers) stops with ctx; Dev returns
	// after it, so the caller may close the store then.
	defer dw.platformWG.Wait()
	dw.build("", false)
	return dw.run(ctx)
}

type devWatcher struct {
	n          *Node
	cfg        DevConfig
	ctx        context.Context
	name       string // the deployment's name, once a build succeeded
	w          *fsnotify.Watcher
	watched    map[string]bool // directories
	inputs     map[string]bool // files of the last build
	assetDirs  map[string]bool // directories under public/ (true) or api/ (false)
	platform   *Platform       // runs crons and queue consumers once the project has a store
	platformWG sync.WaitGroup
}

// needsStore reports whether a manifest uses the store: KV bindings,
// queues or crons (cron leases live there).
func needsStore(m *Manifest) bool {
	return len(m.KV)+len(m.Queues.Producers)+len(m.Queues.Consumers)+len(m.Triggers.Crons) > 0
}

// ensurePlatform gives the node a store (opening it on first need) and
// starts the platform that fires crons and delivers queues on it.
func (dw *devWatcher) ensurePlatform() error {
	if dw.platform != nil {
		return nil
	}
	kvs := dw.n.kvStore()
	if kvs == nil {
		if dw.cfg.OpenStore == nil {
			return nil // bind names the binding the node cannot serve
		}
		var err error
		if kvs, err = dw.cfg.OpenStore(); err != nil {
			return fmt.Errorf("edge: dev: open the local store: %w", err)
		}
		dw.n.setKV(kvs)
	}
	p := NewPlatform(dw.n, kvs)
	p.SetMembership(soloMembership{name: "dev"})
	dw.platform = p
	dw.platformWG.Add(1)
	go func() { defer dw.platformWG.Done(); p.Run(dw.ctx) }()
	return nil
}

// build reads the project and its manifest, bundles, loads and activates
// it. Everything the manifest says (bindings, vars, .dev.vars, limits,
// fetch policy, routes, crons, queue consumers, the name) takes effect
// with the swap, together with the code; any failure, a manifest error
// included, leaves the old version serving.
func (dw *devWatcher) build(changed string, reload bool) {
	start := time.Now()
	ev := BuildEvent{Reload: reload, Changed: changed}
	p, err := LoadProject(dw.cfg.Entry)
	var a *Artifact
	if err == nil {
		dw.watchProject(p)
		a, err = p.Build("development")
	}
	if a != nil {
		dw.watchInputs(a.Inputs)
	}
	var secrets map[string]string
	if err == nil {
		secrets, err = readDevVars(filepath.Join(p.Dir, DevVarsFile))
	}
	if err == nil && needsStore(&a.Manifest) {
		err = dw.ensurePlatform()
	}
	var v *version
	if err == nil {
		v, err = dw.n.prepare(a, 0, secrets)
	}
	if err == nil {
		if err = dw.n.activateDev(v, dw.name); err != nil && v.pool != nil {
			v.pool.Close()
		}
	}
	if err == nil {
		ev.Manifest = &a.Manifest
		for k := range secrets {
			ev.Secrets = append(ev.Secrets, k)
		}
		sort.Strings(ev.Secrets)
	}
	ev.Err = err
	ev.Took = time.Since(start)
	if err != nil {
		dw.n.setDevError(err)
	} else {
		dw.name = a.Manifest.Name
		dw.n.setDevError(nil)
	}
	dw.cfg.OnBuild(ev)
}

// watchProject watches the project's directory, manifest, api/ tree and
// public/ tree (new files there change the deployment).
func (dw *devWatcher) watchProject(p *Project) {
	dw.inputs = map[string]bool{filepath.Join(p.Dir, ManifestFile): true, filepath.Join(p.Dir, DevVarsFile): true}
	dw.watchDir(p.Dir)
	for _, sub := range []string{"api", "public"} {
		root := filepath.Join(p.Dir, sub)
		_ = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
			if err != nil || !d.IsDir() {
				return nil
			}
			if d.Name() == "node_modules" || (strings.HasPrefix(d.Name(), ".") && path != root) {
				return filepath.SkipDir
			}
			dw.watchDir(path)
			dw.assetDirs[path] = sub == "public"
			return nil
		})
	}
}

func (dw *devWatcher) watchInputs(inputs []string) {
	for _, p := range inputs {
		dw.inputs[p] = true
		if strings.Contains(p, string(filepath.Separator)+"node_modules"+string(filepath.Separator)) {
			continue // packages rarely change while developing; watching them is costly
		}
		dw.watchDir(filepath.Dir(p))
	}
}

func (dw *devWatcher) watchDir(dir string) {
	if dw.watched[dir] {
		return
	}
	if err := dw.w.Add(dir); err != nil {
		dw.n.log.Warn("cannot watch directory; changes in it will not reload", "dir", dir, "error", err)
		return
	}
	dw.watched[dir] = true
}

// relevant reports whether a change to path may change the bundle.
func (dw *devWatcher) relevant(path string) bool {
	if dw.inputs[path] {
		return true
	}
	if _, ok := dw.assetDirs[filepath.Dir(path)]; ok {
		return !strings.HasPrefix(filepath.Base(path), ".")
	}
	switch filepath.Ext(path) {
	case ".js", ".mjs", ".cjs", ".ts", ".mts", ".tsx", ".jsx", ".json":
		base := filepath.Base(path)
		return !strings.HasPrefix(base, ".") && !strings.HasSuffix(base, "~")
	}
	return false
}

func (dw *devWatcher) run(ctx context.Context) error {
	var timer *time.Timer
	var fire <-chan time.Time
	changed := ""
	for {
		select {
		case <-ctx.Done():
			if timer != nil {
				timer.Stop()
			}
			return nil
		case ev, ok := <-dw.w.Events:
			if !ok {
				return errors.New("edge: dev: file watcher stopped")
			}
			if ev.Op == fsnotify.Chmod || !dw.relevant(ev.Name) {
				continue
			}
			if ev.Op.Has(fsnotify.Create) {
				if fi, err := os.Stat(ev.Name); err == nil && fi.IsDir() {
					if _, ok := dw.assetDirs[filepath.Dir(ev.Name)]; ok {
						changed = ev.Name // a new directory under api/ or public/
					} else {
						continue
					}
				}
			}
			changed = ev.Name
			if timer == nil {
				timer = time.NewTimer(dw.cfg.Debounce)
			} else {
				timer.Reset(dw.cfg.Debounce)
			}
			fire = timer.C
		case err, ok := <-dw.w.Errors:
			if !ok {
				return errors.New("edge: dev: file watcher stopped")
			}
			dw.n.log.Warn("file watcher error", "error", err)
		case <-fire:
			fire = nil
			dw.build(changed, true)
		}
	}
}

// readDevVars reads a .dev.vars file: KEY=value lines, # comments, values
// optionally in double quotes. A missing file is no secrets.
func readDevVars(path string) (map[string]string, error) {
	src, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("edge: dev: %w", err)
	}
	out := map[string]string{}
	for i, line := range strings.Split(string(src), "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		k, v, ok := strings.Cut(line, "=")
		k = strings.TrimSpace(strings.TrimPrefix(k, "export "))
		if !ok || !bindingRe.MatchString(k) {
			return nil, fmt.Errorf("%s:%d: want KEY=value with KEY a JavaScript identifier", path, i+1)
		}
		v = strings.TrimSpace(v)
		if len(v) >= 2 && v[0] == '"' && v[len(v)-1] == '"' {
			if uq, err := strconv.Unquote(v); err == nil {
				v = uq
			}
		}
		out[k] = v
	}
	return out, nil
}
