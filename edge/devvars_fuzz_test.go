package edge

import (
	"os"
	"path/filepath"
	"testing"
)

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
