package isolate

import (
	"errors"
	"fmt"
	"io"
	"sync"

	"github.com/dop251/goja"
	"github.com/klauspost/compress/flate"
	"github.com/klauspost/compress/gzip"
	"github.com/klauspost/compress/zlib"
)

// inflateBatch is how much decompressed output is handed to the stream at
// a time: a small compressed chunk can expand enormously, and the output
// goes on in pieces (checked against the memory limit) rather than whole.
const inflateBatch = 256 << 10

// errInflateStopped ends the decompressor goroutine (the stream was
// cancelled or its request ended).
var errInflateStopped = errors.New("isolate: decompression stopped")

// inflater runs a Go decompressor (which pulls its input) for a
// DecompressionStream (which is pushed chunks). The decompressor runs on a
// goroutine of its own and the runtime's goroutine hands it each chunk and
// waits until it has consumed it: this is CPU work on data already in
// memory, never network I/O, so the wait counts as the turn's CPU time.
type inflater struct {
	format string
	in     chan []byte   // chunks to decompress; closed at the end of input
	events chan inflated // the goroutine's reports, one outstanding at a time
	resume chan struct{} // the loop took an output batch: go on
	quit   chan struct{} // closed to stop the goroutine
	stop   sync.Once

	started  bool
	finished bool  // the compressed data ended, or failed
	call     *call // the request whose end stops the goroutine
	// Goroutine only.
	cur   []byte
	fed   bool // input arrived since the last drained report
	eofIn bool
	batch []byte
}

// inflated is a report from the decompressor goroutine.
type inflated struct {
	out      []byte
	more     bool  // a full batch: more output follows once resumed
	drained  bool  // every byte handed in so far was consumed
	end      bool  // the compressed data ended
	trailing bool  // ... and bytes were left over after its end
	err      error // the data is not valid
}

func newInflater(format string) *inflater {
	return &inflater{format: format, in: make(chan []byte), events: make(chan inflated, 1),
		resume: make(chan struct{}), quit: make(chan struct{})}
}

func (f *inflater) close() { f.stop.Do(func() { close(f.quit) }) }

// Read feeds the decompressor: when every chunk handed in is consumed it
// reports what was decoded so far and waits for the next chunk.
func (f *inflater) Read(p []byte) (int, error) {
	for len(f.cur) == 0 {
		if f.eofIn {
			return 0, io.EOF
		}
		if f.fed {
			f.fed = false
			f.report(inflated{out: f.take(), drained: true})
		}
		select {
		case b, ok := <-f.in:
			if !ok {
				f.eofIn = true
				continue
			}
			f.cur, f.fed = b, true
		case <-f.quit:
			return 0, errInflateStopped
		}
	}
	n := copy(p, f.cur)
	f.cur = f.cur[n:]
	return n, nil
}

// ReadByte makes the feeder a flate.Reader (no extra buffering).
func (f *inflater) ReadByte() (byte, error) {
	var b [1]byte
	if _, err := f.Read(b[:]); err != nil {
		return 0, err
	}
	return b[0], nil
}

func (f *inflater) take() []byte {
	b := f.batch
	f.batch = nil
	return b
}

func (f *inflater) report(ev inflated) {
	select {
	case f.events <- ev:
	case <-f.quit:
	}
}

// run is the goroutine: it decompresses until the data ends, fails or the
// stream stops.
func (f *inflater) run() {
	var r io.Reader
	var err error
	switch f.format {
	case "gzip":
		r, err = gzip.NewReader(f)
	case "deflate":
		r, err = zlib.NewReader(f)
	default:
		r = flate.NewReader(f)
	}
	if err == nil {
		buf := make([]byte, 32<<10)
		for {
			var n int
			n, err = r.Read(buf)
			f.batch = append(f.batch, buf[:n]...)
			if err != nil {
				break
			}
			if len(f.batch) >= inflateBatch {
				f.report(inflated{out: f.take(), more: true})
				select {
				case <-f.resume:
				case <-f.quit:
					return
				}
			}
		}
	}
	switch {
	case errors.Is(err, errInflateStopped):
		return
	case err == io.EOF:
		f.report(inflated{out: f.take(), end: true, trailing: len(f.cur) > 0})
	case errors.Is(err, io.ErrUnexpectedEOF):
		f.report(inflated{err: errors.New("the compressed data ended early")})
	default:
		f.report(inflated{err: err})
	}
}

// feed hands one chunk (nil: the end of input) to the goroutine and passes
// the output on through enqueue until the chunk is consumed.
func (in *instance) inflate(f *inflater, chunk []byte, end bool, enqueue func([]byte)) {
	if f.finished {
		if len(chunk) > 0 {
			in.throwType("DecompressionStream: data after the end of the compressed stream")
		}
		return
	}
	select {
	case <-f.quit:
		f.finished = true
		in.throwType("DecompressionStream: the stream was stopped (cancelled, or its request ended)")
	default:
	}
	if !f.started {
		f.started = true
		go f.run()
	}
	if c := in.cur; c != nil && c != f.call {
		// The goroutine must not outlive the request using it.
		f.call = c
		c.onEnd = append(c.onEnd, f.close)
	}
	var total int64
	handle := func(ev inflated) bool {
		if ev.err != nil {
			f.finished = true
			f.close()
			in.throwType("DecompressionStream: the " + f.format + " data is not valid: " + ev.err.Error())
		}
		if len(ev.out) > 0 {
			total += int64(len(ev.out))
			// All of one chunk's output is queued within one turn: bound it
			// well under the memory limit, which the queue shares with
			// everything else the request holds.
			if max := in.limits.MemoryLimit / 4; total > max {
				f.finished = true
				f.close()
				in.throwRange(fmt.Sprintf("DecompressionStream: one chunk decompresses to more than %d MiB (a quarter of the memory limit); feed it in smaller chunks", max>>20))
			}
			enqueue(ev.out)
		}
		if ev.end {
			f.finished = true
			f.close()
			if ev.trailing {
				in.throwType("DecompressionStream: data after the end of the compressed stream")
			}
			return true
		}
		if ev.more {
			if in.killPending() {
				f.finished = true
				f.close()
				return true
			}
			f.resume <- struct{}{}
			return false
		}
		return ev.drained
	}
	if end {
		close(f.in)
	} else {
		select {
		case f.in <- chunk:
		case ev := <-f.events: // it ended before taking more input
			if handle(ev) {
				if len(chunk) > 0 {
					in.throwType("DecompressionStream: data after the end of the compressed stream")
				}
				return
			}
		}
	}
	for !handle(<-f.events) {
	}
	if end && !f.finished {
		f.close()
		in.throwType("DecompressionStream: the compressed data ended early")
	}
}

// decompressionStreamState is a DecompressionStream's state.
type decompressionStreamState struct {
	transformWrapper
	f *inflater
}

// installDecompressionStream defines DecompressionStream (gzip, deflate,
// deflate-raw).
func installDecompressionStream(in *instance) error {
	defineTransformClass(in, "DecompressionStream", 1, func(fc goja.ConstructorCall) (*decompressionStreamState, transformer) {
		if len(fc.Arguments) == 0 {
			in.throwType("DecompressionStream: 1 argument required, but only 0 present")
		}
		st := &decompressionStreamState{f: newInflater(in.compressionFormat("DecompressionStream", fc.Argument(0)))}
		enqueuer := func(c goja.Value) func([]byte) {
			return func(b []byte) { in.callMethod(c, "enqueue", in.newUint8Array(b)) }
		}
		transform := func(fc goja.FunctionCall) goja.Value {
			b, ok := in.bufferSource(fc.Argument(0))
			if !ok {
				in.throwType("DecompressionStream: chunks must be ArrayBuffer or ArrayBuffer views, got " + describeValue(in.vm, fc.Argument(0)))
			}
			if len(b) > 0 {
				// The goroutine reads the chunk while the script may not
				// touch it: still, copy, since the wait can be cut short.
				in.inflate(st.f, append([]byte(nil), b...), false, enqueuer(fc.Argument(1)))
			}
			return goja.Undefined()
		}
		flush := func(fc goja.FunctionCall) goja.Value {
			in.inflate(st.f, nil, true, enqueuer(fc.Argument(0)))
			return goja.Undefined()
		}
		cancel := func(goja.FunctionCall) goja.Value {
			st.f.close()
			return goja.Undefined()
		}
		return st, transformer{transform: transform, flush: flush, cancel: cancel}
	}, nil)
	return nil
}
