package edge

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
)

// FuzzParseManifest: any bytes give a manifest that validates, or a
// ManifestError naming the file; never a panic.
func FuzzParseManifest(f *testing.F) {
	for _, seed := range []string{
		"name = \"a\"\n",
		"name = \"a\"\nroutes = [\"x.com/*\"]\n[vars]\nK = \"v\"\n",
		"name = \"a\"\n[[kv_namespaces]]\nbinding = \"C\"\nnamespace = \"c\"\n[[kv_namespaces]]\nbinding = \"C\"\nnamespace = \"d\"\n",
		"name = \"a\"\n[triggers]\ncrons = [\"*/5 * * * *\"]\n[[queues.consumers]]\nqueue = \"q\"\nmax_retries = 500\n",
		"name = 5\n", "[limits\n", "routes = [\n", "name = \"a\"\n[limits]\ncpu_ms = \"x\"\n",
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, src []byte) {
		m, err := ParseManifest("edgefn.toml", src)
		if err == nil {
			if verr := m.validate(); verr != nil {
				t.Fatalf("accepted a manifest that does not validate: %v", verr)
			}
			return
		}
		var me *ManifestError
		if !errors.As(err, &me) || me.File != "edgefn.toml" || me.Line < 0 {
			t.Fatalf("error %v (%T) is not a ManifestError naming the file", err, err)
		}
	})
}

// FuzzReadDevVars: any .dev.vars gives identifiers and values, or an error
// naming the line; never a panic.
func FuzzReadDevVars(f *testing.F) {
	for _, seed := range []string{"A=1\n", "# c\nexport B=\"x y\"\n", "=x\n", "A\n", "A=\"unterminated\n", "1A=2"} {
		f.Add([]byte(seed))
	}
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, src []byte) {
		path := filepath.Join(dir, DevVarsFile)
		if err := os.WriteFile(path, src, 0o600); err != nil {
			t.Fatal(err)
		}
		vars, err := readDevVars(path)
		if err != nil {
			return
		}
		for k := range vars {
			if !bindingRe.MatchString(k) {
				t.Fatalf("key %q is not an identifier", k)
			}
		}
	})
}
