package edge

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"mime"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"time"

	"github.com/edgefn/edgefn/isolate"
)

// Project is something deployable read from disk: a single handler file,
// or a directory with an optional edgefn.toml, an entry (index.ts, or the
// manifest's main), Vercel-style file routes under api/ and static assets
// under public/.
type Project struct {
	// Dir is the project's directory.
	Dir string
	// Manifest is the project's edgefn.toml, or one made up for a project
	// without one (named after the directory or file).
	Manifest Manifest
	// HasManifest reports whether edgefn.toml exists.
	HasManifest bool
	// Entry is the single handler file, if the project has one.
	Entry string
	// Routes are the api/ files (relative, with extension), if any.
	Routes []string
	// Public is the static asset directory, if any.
	Public string
}

// Limits on what a project may hold.
const (
	maxAssets     = 20000
	maxAssetBytes = 25 << 20
	maxAssetTotal = 512 << 20
)

var routeExts = map[string]bool{".ts": true, ".tsx": true, ".js": true, ".mjs": true, ".jsx": true, ".mts": true}

var nonName = regexp.MustCompile(`[^a-z0-9-]+`)

// LoadProject reads the project at path: a handler file or a directory.
func LoadProject(p string) (*Project, error) {
	abs, err := filepath.Abs(p)
	if err != nil {
		return nil, fmt.Errorf("edge: project %s: %w", p, err)
	}
	fi, err := os.Stat(abs)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("%w: %s does not exist", isolate.ErrNoEntry, p)
		}
		return nil, fmt.Errorf("edge: project %s: %w", p, err)
	}
	if !fi.IsDir() {
		entry, err := isolate.ResolveEntry(abs)
		if err != nil {
			return nil, err
		}
		name := strings.TrimSuffix(filepath.Base(abs), filepath.Ext(abs))
		if name == "index" {
			name = filepath.Base(filepath.Dir(abs))
		}
		return &Project{Dir: filepath.Dir(abs), Entry: entry, Manifest: Manifest{Name: sanitizeName(name)}}, nil
	}
	pr := &Project{Dir: abs, Manifest: Manifest{Name: sanitizeName(filepath.Base(abs))}}
	mpath := filepath.Join(abs, ManifestFile)
	if _, err := os.Stat(mpath); err == nil {
		m, err := ReadManifest(mpath)
		if err != nil {
			return nil, err
		}
		pr.Manifest = *m
		pr.HasManifest = true
	}
	if pr.Manifest.Main != "" {
		entry, err := isolate.ResolveEntry(filepath.Join(abs, pr.Manifest.Main))
		if err != nil {
			me := &ManifestError{File: mpath, Field: "main", Msg: err.Error()}
			if src, rerr := os.ReadFile(mpath); rerr == nil {
				me.Line = keyLine(src, []string{"main"})
			}
			return nil, me
		}
		pr.Entry = entry
	} else if entry, err := isolate.ResolveEntry(abs); err == nil {
		pr.Entry = entry
	}
	api := filepath.Join(abs, "api")
	if fi, err := os.Stat(api); err == nil && fi.IsDir() {
		err := filepath.WalkDir(api, func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if d.IsDir() {
				if d.Name() == "node_modules" || strings.HasPrefix(d.Name(), ".") || strings.HasPrefix(d.Name(), "_") {
					return filepath.SkipDir
				}
				return nil
			}
			base := d.Name()
			if !routeExts[filepath.Ext(base)] || strings.HasPrefix(base, "_") || strings.HasPrefix(base, ".") ||
				strings.HasSuffix(base, ".d.ts") || strings.Contains(base, ".test.") || strings.Contains(base, ".spec.") {
				return nil
			}
			rel, _ := filepath.Rel(abs, p)
			pr.Routes = append(pr.Routes, filepath.ToSlash(rel))
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("edge: project %s: reading api/: %w", p, err)
		}
		sort.Strings(pr.Routes)
	}
	pub := filepath.Join(abs, "public")
	if fi, err := os.Stat(pub); err == nil && fi.IsDir() {
		pr.Public = pub
	}
	if pr.Entry == "" && len(pr.Routes) == 0 && pr.Public == "" {
		return nil, fmt.Errorf("%w: %s has no index.ts/index.js, no api/ routes and no public/ directory (and edgefn.toml names no main)", isolate.ErrNoEntry, p)
	}
	return pr, nil
}

func sanitizeName(s string) string {
	s = nonName.ReplaceAllString(strings.ToLower(s), "-")
	s = strings.Trim(s, "-")
	if len(s) > 63 {
		s = strings.Trim(s[:63], "-")
	}
	if s == "" {
		s = "app"
	}
	return s
}

// Artifact is a built project: everything a node needs to serve one
// version. It is what `edgefn deploy` uploads and what nodes store.
type Artifact struct {
	Manifest  Manifest `json:"manifest"`
	Script    string   `json:"-"`
	SourceMap []byte   `json:"-"`
	// ScriptName is the script's display name in stack traces.
	ScriptName string `json:"scriptName"`
	// FileRoutes are the api/ route ids (files without extension) when
	// the script is a router.
	FileRoutes []string `json:"fileRoutes,omitempty"`
	// Assets are the static files, by URL path.
	Assets map[string]*Asset `json:"-"`
	// Inputs are the source files the script was built from (for watchers;
	// not stored).
	Inputs []string `json:"-"`
	// Warnings are the bundler's warnings.
	Warnings []isolate.Message `json:"-"`
	BuiltAt  time.Time         `json:"builtAt"`

	// compiled is the script already compiled (a deploy compiles it to
	// check it, and the node then serves that compilation).
	compiled *isolate.Script
}

// Asset is one static file.
type Asset struct {
	Data    []byte
	Type    string
	ETag    string
	ModTime time.Time
}

// Build bundles the project's code and reads its assets. nodeEnv is
// "development" or "production".
func (p *Project) Build(nodeEnv string) (*Artifact, error) {
	a := &Artifact{Manifest: p.Manifest, BuiltAt: time.Now().UTC(), Assets: map[string]*Asset{}}
	var b *isolate.Bundle
	var err error
	switch {
	case len(p.Routes) > 0 && p.Entry == "":
		a.FileRoutes = make([]string, len(p.Routes))
		var src strings.Builder
		src.WriteString("// Generated by edgefn: the project's file routes.\n")
		for i, r := range p.Routes {
			fmt.Fprintf(&src, "import * as r%d from %s;\n", i, jsString("./"+r))
			a.FileRoutes[i] = strings.TrimSuffix(r, path.Ext(r))
		}
		src.WriteString("export const __edgefn_routes = {\n")
		for i := range p.Routes {
			fmt.Fprintf(&src, "  %s: r%d,\n", jsString(a.FileRoutes[i]), i)
		}
		src.WriteString("};\n")
		if _, err := newFileRoutes(p.Routes); err != nil {
			return nil, fmt.Errorf("edge: %s: %w", p.Dir, err)
		}
		b, err = isolate.Build(isolate.BuildOptions{Entry: filepath.Join(p.Dir, "_edgefn_routes.ts"), Source: src.String(), NodeEnv: nodeEnv})
	case p.Entry != "":
		b, err = isolate.Build(isolate.BuildOptions{Entry: p.Entry, NodeEnv: nodeEnv})
	}
	if err != nil {
		return nil, err
	}
	if b != nil {
		a.Script, a.SourceMap, a.ScriptName, a.Inputs, a.Warnings = b.Code, b.SourceMap, b.Name, b.Inputs, b.Warnings
	}
	if p.Public != "" {
		if err := a.readAssets(p.Public); err != nil {
			return nil, err
		}
	}
	return a, nil
}

func jsString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

func (a *Artifact) readAssets(dir string) error {
	var total int64
	return filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if strings.HasPrefix(d.Name(), ".") && p != dir {
				return filepath.SkipDir
			}
			return nil
		}
		if !d.Type().IsRegular() || strings.HasPrefix(d.Name(), ".") {
			return nil
		}
		fi, err := d.Info()
		if err != nil {
			return err
		}
		if fi.Size() > maxAssetBytes {
			return fmt.Errorf("edge: asset %s is %d bytes; the limit is %d", p, fi.Size(), maxAssetBytes)
		}
		total += fi.Size()
		if total > maxAssetTotal || len(a.Assets) >= maxAssets {
			return fmt.Errorf("edge: %s holds more than %d files or %d bytes of assets", dir, maxAssets, maxAssetTotal)
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		a.Assets["/"+filepath.ToSlash(rel)] = newAsset(rel, data, fi.ModTime())
		return nil
	})
}

func newAsset(name string, data []byte, mod time.Time) *Asset {
	sum := sha256.Sum256(data)
	typ := mime.TypeByExtension(path.Ext(name))
	if typ == "" {
		typ = "application/octet-stream"
	}
	return &Asset{Data: data, Type: typ, ETag: `"` + hex.EncodeToString(sum[:12]) + `"`, ModTime: mod.UTC().Truncate(time.Second)}
}
