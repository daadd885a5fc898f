package isolate

import (
	"unicode/utf16"
	"unicode/utf8"

	"github.com/dop251/goja"
)

// textEncoderStreamState is a TextEncoderStream's state.
type textEncoderStreamState struct {
	transformWrapper
	// lead is a lead surrogate that ended the last chunk, waiting for the
	// trail that may start the next one.
	lead rune
}

// encodeChunk encodes a JS string as UTF-8. A lead surrogate that ends a
// chunk waits for the trail that may start the next one; lone surrogates
// become U+FFFD, as the spec says (goja's String() already replaces those
// inside a string).
func (st *textEncoderStreamState) encodeChunk(s goja.String) []byte {
	n := s.Length()
	var out []byte
	if st.lead != 0 {
		if c := rune(0); n > 0 {
			c = rune(s.CharAt(0))
			if c >= 0xDC00 && c <= 0xDFFF {
				out = utf8.AppendRune(out, utf16.DecodeRune(st.lead, c))
				s = s.Substring(1, n)
				n--
			} else {
				out = utf8.AppendRune(out, utf8.RuneError)
			}
		} else {
			return nil // nothing yet to pair the lead with
		}
		st.lead = 0
	}
	if n > 0 {
		if c := rune(s.CharAt(n - 1)); c >= 0xD800 && c <= 0xDBFF {
			st.lead = c
			s = s.Substring(0, n-1)
		}
	}
	return append(out, s.String()...)
}

// installTextEncoderStream defines TextEncoderStream: a TransformStream
// from strings to UTF-8 bytes, encoded natively.
func installTextEncoderStream(in *instance) error {
	defineTransformClass(in, "TextEncoderStream", 0, func(fc goja.ConstructorCall) (*textEncoderStreamState, transformer) {
		st := &textEncoderStreamState{}
		transform := func(fc goja.FunctionCall) goja.Value {
			s, ok := fc.Argument(0).ToString().(goja.String)
			if !ok {
				// Numbers and the like: their string form is ASCII.
				s = in.vm.ToValue(fc.Argument(0).String()).(goja.String)
			}
			if b := st.encodeChunk(s); len(b) > 0 {
				in.callMethod(fc.Argument(1), "enqueue", in.newUint8Array(b))
			}
			return goja.Undefined()
		}
		flush := func(fc goja.FunctionCall) goja.Value {
			if st.lead != 0 {
				st.lead = 0
				in.callMethod(fc.Argument(0), "enqueue", in.newUint8Array([]byte("\uFFFD")))
			}
			return goja.Undefined()
		}
		return st, transformer{transform: transform, flush: flush}
	}, func(p *goja.Object, this func(goja.Value) *textEncoderStreamState) {
		in.getter(p, "encoding", func(fc goja.FunctionCall) goja.Value {
			this(fc.This)
			return in.vm.ToValue("utf-8")
		})
	})
	return nil
}
