package isolate

import (
	"strings"
	"testing"
)

// TestHeaderValueScans checks the eight-bytes-at-a-time scans of normValue
// and latin1Only against plain ones, with each interesting byte or
// character at every position of strings up to 40 bytes long.
func TestHeaderValueScans(t *testing.T) {
	refValue := func(s string) (string, bool) {
		s = strings.Trim(s, "\t\n\r ")
		for i := 0; i < len(s); i++ {
			if c := s[i]; c == 0 || c == '\r' || c == '\n' {
				return "", false
			}
		}
		return s, true
	}
	refLatin1 := func(s string) bool {
		for _, r := range s {
			if r > 0xFF {
				return false
			}
		}
		return true
	}
	specials := []string{"\x00", "\r", "\n", "\t", " ", "\x0c", "\x0e", "\x7f", "é", "ÿ", "Ā", "€", "\U0001F600", "\uFFFD"}
	for size := 0; size <= 40; size++ {
		for pos := 0; pos <= size; pos++ {
			for _, sp := range specials {
				s := strings.Repeat("a", pos) + sp + strings.Repeat("b", size-pos)
				got, gotOK := normValue(s)
				want, wantOK := refValue(s)
				if got != want || gotOK != wantOK {
					t.Fatalf("normValue(%q) = %q, %v; want %q, %v", s, got, gotOK, want, wantOK)
				}
				if got, want := latin1Only(s), refLatin1(s); got != want {
					t.Fatalf("latin1Only(%q) = %v, want %v", s, got, want)
				}
			}
		}
	}
}
