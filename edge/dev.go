package edge

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/fsnotify/fsnotify"

	"github.com/edgefn/edgefn/isolate"
)

// DevConfig configures the development server.
type DevConfig struct {
	// Entry is the handler: a .js/.mjs/.ts file or a directory with an
	// index file.
	Entry string
	// Name is the deployment name. Default "dev".
	Name string
	// Debounce is how long to wait after a change before rebuilding, so a
	// burst of saves rebuilds once. Default 50ms.
	Debounce time.Duration
	// OnBuild is told of every build, failed or not (the CLI prints it).
	OnBuild func(BuildEvent)
}

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
}

// Dev builds the entry, serves it for every request, and rebuilds and
// swaps it on every change to its sources until ctx ends. A failed build
// is reported and the previous code keeps serving (before any build
// succeeded, requests get 503 with the build error). Dev returns when ctx
// ends, or at once when the entry does not exist.
func (n *Node) Dev(ctx context.Context, cfg DevConfig) error {
	if cfg.Name == "" {
		cfg.Name = "dev"
	}
	if cfg.Debounce == 0 {
		cfg.Debounce = 50 * time.Millisecond
	}
	if cfg.OnBuild == nil {
		cfg.OnBuild = func(BuildEvent) {}
	}
	entry, err := isolate.ResolveEntry(cfg.Entry)
	if err != nil {
		return err
	}
	w, err := fsnotify.NewWatcher()
	if err != nil {
		return fmt.Errorf("edge: dev: watch %s: %w", entry, err)
	}
	defer w.Close()
	dw := &devWatcher{n: n, cfg: cfg, entry: entry, w: w, watched: map[string]bool{}}
	dw.build("", false)
	return dw.run(ctx)
}

type devWatcher struct {
	n       *Node
	cfg     DevConfig
	entry   string
	w       *fsnotify.Watcher
	watched map[string]bool // directories
	inputs  map[string]bool // files of the last successful build
}

// build bundles, loads and deploys; failures leave the old code serving.
func (dw *devWatcher) build(changed string, reload bool) {
	start := time.Now()
	ev := BuildEvent{Reload: reload, Changed: changed}
	b, err := isolate.Build(isolate.BuildOptions{Entry: dw.entry, NodeEnv: "development"})
	if b != nil {
		dw.watchInputs(b.Inputs)
	} else {
		dw.watchDir(filepath.Dir(dw.entry))
	}
	var s *isolate.Script
	if err == nil {
		s, err = isolate.Load(b)
	}
	if err == nil {
		err = dw.n.Deploy(dw.cfg.Name, s)
	}
	ev.Err = err
	ev.Took = time.Since(start)
	if err != nil {
		dw.n.setDevError(err)
	} else {
		dw.n.setDevError(nil)
		dw.n.SetFallback(dw.cfg.Name)
	}
	dw.cfg.OnBuild(ev)
}

func (dw *devWatcher) watchInputs(inputs []string) {
	dw.inputs = map[string]bool{dw.entry: true}
	dw.watchDir(filepath.Dir(dw.entry))
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
					continue
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
