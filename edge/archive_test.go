package edge

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"errors"
	"strings"
	"testing"
)

func TestArchiveRoundTrip(t *testing.T) {
	p, err := LoadProject("../examples/project")
	if err != nil {
		t.Fatal(err)
	}
	a, err := p.Build("production")
	if err != nil {
		t.Fatal(err)
	}
	b, err := a.Archive()
	if err != nil {
		t.Fatal(err)
	}
	got, err := ReadArchive(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	if got.Script != a.Script || string(got.SourceMap) != string(a.SourceMap) || got.Manifest.Name != "project" ||
		strings.Join(got.FileRoutes, ",") != strings.Join(a.FileRoutes, ",") || len(got.Assets) != len(a.Assets) {
		t.Fatal("archive round trip lost data")
	}
	for k, as := range a.Assets {
		if g := got.Assets[k]; g == nil || !bytes.Equal(g.Data, as.Data) || g.ETag != as.ETag {
			t.Fatalf("asset %s differs", k)
		}
	}
}

func tarGz(t *testing.T, entries map[string]string, typ byte) []byte {
	var b bytes.Buffer
	gz := gzip.NewWriter(&b)
	tw := tar.NewWriter(gz)
	for name, data := range entries {
		h := &tar.Header{Name: name, Mode: 0o644, Size: int64(len(data)), Typeflag: typ}
		if typ == tar.TypeSymlink {
			h.Size, h.Linkname = 0, "/etc/passwd"
		}
		if err := tw.WriteHeader(h); err != nil {
			t.Fatal(err)
		}
		if typ == tar.TypeReg {
			_, _ = tw.Write([]byte(data))
		}
	}
	tw.Close()
	gz.Close()
	return b.Bytes()
}

func TestArchiveRefusesBadInput(t *testing.T) {
	meta := `{"manifest":{"name":"x"},"scriptName":"x.js"}`
	cases := map[string][]byte{
		"not gzip":      []byte("hello"),
		"no meta":       tarGz(t, map[string]string{"script.js": "x"}, tar.TypeReg),
		"escape":        tarGz(t, map[string]string{"artifact.json": meta, "../etc/passwd": "x"}, tar.TypeReg),
		"symlink":       tarGz(t, map[string]string{"public/a": ""}, tar.TypeSymlink),
		"unknown entry": tarGz(t, map[string]string{"artifact.json": meta, "other.txt": "x"}, tar.TypeReg),
		"bad manifest":  tarGz(t, map[string]string{"artifact.json": `{"manifest":{"name":"Bad Name"}}`, "script.js": "x"}, tar.TypeReg),
		"empty":         tarGz(t, map[string]string{"artifact.json": meta}, tar.TypeReg),
		"bad json":      tarGz(t, map[string]string{"artifact.json": "{", "script.js": "x"}, tar.TypeReg),
	}
	for name, data := range cases {
		if _, err := ReadArchive(bytes.NewReader(data)); !errors.Is(err, ErrBadArchive) {
			t.Errorf("%s: err = %v, want ErrBadArchive", name, err)
		}
	}
	// Truncated archives are refused too.
	p, _ := LoadProject("../examples/project")
	a, _ := p.Build("production")
	full, _ := a.Archive()
	for _, n := range []int{10, len(full) / 2, len(full) - 5} {
		if _, err := ReadArchive(bytes.NewReader(full[:n])); err == nil {
			t.Errorf("truncated at %d accepted", n)
		}
	}
}

func FuzzReadArchive(f *testing.F) {
	a := testArtifact("fuzz", "ok")
	a.Assets = map[string]*Asset{"/a.txt": newAsset("a.txt", []byte("hello"), a.BuiltAt)}
	full, _ := a.Archive()
	f.Add(full)
	f.Add([]byte{0x1f, 0x8b})
	f.Fuzz(func(t *testing.T, data []byte) {
		a, err := ReadArchive(bytes.NewReader(data))
		if err == nil && a.Manifest.Name == "" {
			t.Fatal("accepted an artifact without a name")
		}
	})
}
