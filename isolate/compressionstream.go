package isolate

import (
	"bytes"
	"io"

	"github.com/dop251/goja"
	"github.com/klauspost/compress/flate"
	"github.com/klauspost/compress/gzip"
	"github.com/klauspost/compress/zlib"
)

// compressionFormat validates a CompressionStream/DecompressionStream
// format argument.
func (in *instance) compressionFormat(what string, v goja.Value) string {
	f := v.String()
	switch f {
	case "gzip", "deflate", "deflate-raw":
		return f
	}
	in.throwType(what + `: the format must be "gzip", "deflate" or "deflate-raw", got ` + quoteJS(f))
	return ""
}

// compressionStreamState is a CompressionStream's state: a compressor
// writing into buf, whose output is handed on after every chunk.
type compressionStreamState struct {
	transformWrapper
	w   io.WriteCloser
	buf bytes.Buffer
}

// installCompressionStream defines CompressionStream (gzip, deflate,
// deflate-raw): chunks are compressed as they arrive, each one's output
// passed on as soon as the compressor emits it, so a large body is never
// held whole.
func installCompressionStream(in *instance) error {
	defineTransformClass(in, "CompressionStream", 1, func(fc goja.ConstructorCall) (*compressionStreamState, transformer) {
		if len(fc.Arguments) == 0 {
			in.throwType("CompressionStream: 1 argument required, but only 0 present")
		}
		format := in.compressionFormat("CompressionStream", fc.Argument(0))
		st := &compressionStreamState{}
		switch format {
		case "gzip":
			st.w = gzip.NewWriter(&st.buf)
		case "deflate":
			st.w = zlib.NewWriter(&st.buf)
		default:
			st.w, _ = flate.NewWriter(&st.buf, flate.DefaultCompression)
		}
		emit := func(c goja.Value) {
			if st.buf.Len() > 0 {
				out := bytes.Clone(st.buf.Bytes())
				st.buf.Reset()
				in.callMethod(c, "enqueue", in.newUint8Array(out))
			}
		}
		transform := func(fc goja.FunctionCall) goja.Value {
			b, ok := in.bufferSource(fc.Argument(0))
			if !ok {
				in.throwType("CompressionStream: chunks must be ArrayBuffer or ArrayBuffer views, got " + describeValue(in.vm, fc.Argument(0)))
			}
			if _, err := st.w.Write(b); err != nil {
				in.throwType("CompressionStream: " + err.Error())
			}
			emit(fc.Argument(1))
			return goja.Undefined()
		}
		flush := func(fc goja.FunctionCall) goja.Value {
			if err := st.w.Close(); err != nil {
				in.throwType("CompressionStream: " + err.Error())
			}
			emit(fc.Argument(0))
			return goja.Undefined()
		}
		return st, transformer{transform: transform, flush: flush}
	}, nil)
	return nil
}
