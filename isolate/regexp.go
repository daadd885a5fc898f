package isolate

import (
	"time"

	"github.com/dlclark/regexp2/v2"
)

// DefaultRegexpTimeout bounds one regular-expression match run by the
// backtracking engine. goja runs patterns RE2 can express on Go's linear-time
// regexp; the rest (lookaround, backreferences) go to regexp2, whose matching
// cannot be interrupted. A catastrophic pattern therefore runs until this
// timeout, then the match reports "no match" and the CPU limit, which has
// expired meanwhile, stops the script. Keep it above the CPU limit's default
// so a slow but legitimate match is stopped by the CPU limit with an error
// rather than answered "no match".
const DefaultRegexpTimeout = 100 * time.Millisecond

func init() {
	regexp2.DefaultMatchTimeout = DefaultRegexpTimeout
}

// SetRegexpTimeout changes the match timeout for regular expressions
// created afterwards. It is process-wide: call it once at start-up, before
// any pool exists.
func SetRegexpTimeout(d time.Duration) {
	if d > 0 {
		regexp2.DefaultMatchTimeout = d
	}
}
