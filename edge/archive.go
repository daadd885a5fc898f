package edge

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"path"
	"strings"
	"time"
)

// An artifact travels (edgefn deploy -> admin API) as a gzipped tar:
//
//	artifact.json   the Artifact's JSON (manifest, script name, file routes)
//	script.js       the bundled script (absent for a static-only project)
//	script.js.map   its source map
//	public/<path>   each static asset
//
// The archive is read with limits on entry count and sizes, and refuses
// paths that escape the archive, so a hostile upload cannot exhaust memory
// or name files outside the artifact.

// ErrBadArchive is wrapped by every error reading an artifact archive.
var ErrBadArchive = errors.New("bad artifact archive")

const (
	maxArchiveEntries = maxAssets + 3
	maxScriptBytes    = 25 << 20
)

// WriteArchive writes a as a gzipped tar.
func (a *Artifact) WriteArchive(w io.Writer) error {
	gz := gzip.NewWriter(w)
	tw := tar.NewWriter(gz)
	put := func(name string, data []byte, mod time.Time) error {
		if err := tw.WriteHeader(&tar.Header{Name: name, Mode: 0o644, Size: int64(len(data)), ModTime: mod, Typeflag: tar.TypeReg}); err != nil {
			return err
		}
		_, err := tw.Write(data)
		return err
	}
	meta, err := json.Marshal(a)
	if err != nil {
		return err
	}
	if err := put("artifact.json", meta, a.BuiltAt); err != nil {
		return err
	}
	if a.Script != "" {
		if err := put("script.js", []byte(a.Script), a.BuiltAt); err != nil {
			return err
		}
		if len(a.SourceMap) > 0 {
			if err := put("script.js.map", a.SourceMap, a.BuiltAt); err != nil {
				return err
			}
		}
	}
	for p, as := range a.Assets {
		if err := put("public"+p, as.Data, as.ModTime); err != nil {
			return err
		}
	}
	if err := tw.Close(); err != nil {
		return err
	}
	return gz.Close()
}

// ReadArchive reads an artifact archive, refusing anything malformed or
// over the limits. The manifest is validated again.
func ReadArchive(r io.Reader) (*Artifact, error) {
	bad := func(format string, args ...any) error {
		return fmt.Errorf("%w: %s", ErrBadArchive, fmt.Sprintf(format, args...))
	}
	gz, err := gzip.NewReader(r)
	if err != nil {
		return nil, bad("not gzip: %v", err)
	}
	tr := tar.NewReader(gz)
	a := &Artifact{Assets: map[string]*Asset{}}
	var total int64
	haveMeta := false
	for n := 0; ; n++ {
		if n >= maxArchiveEntries {
			return nil, bad("more than %d entries", maxArchiveEntries)
		}
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, bad("%v", err)
		}
		if h.Typeflag != tar.TypeReg {
			if h.Typeflag == tar.TypeDir {
				continue
			}
			return nil, bad("%s: only regular files are allowed", h.Name)
		}
		name := path.Clean("/" + h.Name)
		if name != "/"+strings.TrimPrefix(h.Name, "/") || strings.Contains(h.Name, "..") {
			return nil, bad("%s: not a clean relative path", h.Name)
		}
		limit := int64(maxAssetBytes)
		if name == "/script.js" || name == "/script.js.map" {
			limit = maxScriptBytes
		}
		if h.Size < 0 || h.Size > limit {
			return nil, bad("%s: %d bytes exceeds the limit of %d", h.Name, h.Size, limit)
		}
		total += h.Size
		if total > maxAssetTotal+2*maxScriptBytes {
			return nil, bad("more than %d bytes in all", maxAssetTotal+2*maxScriptBytes)
		}
		data, err := io.ReadAll(io.LimitReader(tr, h.Size+1))
		if err != nil {
			return nil, bad("%s: %v", h.Name, err)
		}
		if int64(len(data)) != h.Size {
			return nil, bad("%s: truncated", h.Name)
		}
		switch {
		case name == "/artifact.json":
			if err := json.Unmarshal(data, a); err != nil {
				return nil, bad("artifact.json: %v", err)
			}
			if a.Assets == nil {
				a.Assets = map[string]*Asset{}
			}
			haveMeta = true
		case name == "/script.js":
			a.Script = string(data)
		case name == "/script.js.map":
			a.SourceMap = data
		case strings.HasPrefix(name, "/public/"):
			p := strings.TrimPrefix(name, "/public")
			a.Assets[p] = newAsset(p, data, h.ModTime)
		default:
			return nil, bad("%s: unexpected entry", h.Name)
		}
	}
	// Read to the end of the gzip stream so its checksum is verified: a
	// truncated upload must not pass for a complete one.
	if _, err := io.Copy(io.Discard, io.LimitReader(gz, 1<<20)); err != nil {
		return nil, bad("%v", err)
	}
	if !haveMeta {
		return nil, bad("artifact.json is missing")
	}
	if err := a.Manifest.validate(); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrBadArchive, err)
	}
	if a.Script == "" && len(a.Assets) == 0 {
		return nil, bad("neither a script nor assets")
	}
	if a.Script == "" && len(a.FileRoutes) > 0 {
		return nil, bad("file routes without a script")
	}
	return a, nil
}

// Archive returns a's archive bytes.
func (a *Artifact) Archive() ([]byte, error) {
	var b bytes.Buffer
	if err := a.WriteArchive(&b); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}
