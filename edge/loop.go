package edge

import (
	"strings"

	"github.com/edgefn/edgefn/isolate"
)

// maxLoopHops is how many times a request may have passed through edgefn
// handlers' fetch() (its CDN-Loop header, RFC 8586, names edgefn once per
// hop) before the front door refuses it with 508 Loop Detected: a
// deployment that fetches its own URL, or two that fetch each other, stop
// there instead of filling every runtime.
const maxLoopHops = 16

// loopHops counts edgefn's entries in a request's CDN-Loop headers.
func loopHops(header []isolate.HeaderField) int {
	n := 0
	for _, f := range header {
		if f.Name != "cdn-loop" {
			continue
		}
		for v := f.Value; v != ""; {
			var entry string
			entry, v, _ = strings.Cut(v, ",")
			id, _, _ := strings.Cut(entry, ";")
			if strings.TrimSpace(id) == isolate.CDNLoopID {
				n++
			}
		}
	}
	return n
}
