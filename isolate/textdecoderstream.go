package isolate

import (
	"strings"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/dop251/goja"
	"golang.org/x/text/encoding/charmap"
)

// textDecoder is a streaming WHATWG decoder (UTF-8, UTF-16LE and
// windows-1252, the encodings edgefn decodes): bytes go in piece by piece,
// a sequence split across pieces is carried over.
type textDecoder struct {
	encoding  string // canonical name: "utf-8", "utf-16le", "windows-1252"
	fatal     bool
	ignoreBOM bool
	bomSeen   bool // the start of the stream has been looked at for a BOM

	// UTF-8 state (the spec's bytes needed/seen, code point, bounds).
	needed, seen int
	cp           rune
	lower, upper byte

	// UTF-16LE state: a byte of a half-received code unit, and a lead
	// surrogate waiting for its trail.
	odd     int // -1 when none
	pending rune

	head []byte // the first bytes, held until a BOM can be ruled out
}

// errInvalidData: fatal decoding met bytes that are not valid.
type errInvalidData struct{ encoding string }

func (e errInvalidData) Error() string {
	return "the encoded data is not valid " + e.encoding
}

// encodingLabels maps WHATWG labels to the encodings edgefn decodes.
var encodingLabels = map[string]string{
	"unicode-1-1-utf-8": "utf-8", "unicode11utf8": "utf-8", "unicode20utf8": "utf-8", "utf-8": "utf-8",
	"utf8": "utf-8", "x-unicode20utf8": "utf-8",
	"csunicode": "utf-16le", "iso-10646-ucs-2": "utf-16le", "ucs-2": "utf-16le", "unicode": "utf-16le",
	"unicodefeff": "utf-16le", "utf-16": "utf-16le", "utf-16le": "utf-16le",
	"ansi_x3.4-1968": "windows-1252", "ascii": "windows-1252", "cp1252": "windows-1252", "cp819": "windows-1252",
	"csisolatin1": "windows-1252", "ibm819": "windows-1252", "iso-8859-1": "windows-1252", "iso-ir-100": "windows-1252",
	"iso8859-1": "windows-1252", "iso88591": "windows-1252", "iso_8859-1": "windows-1252", "iso_8859-1:1987": "windows-1252",
	"l1": "windows-1252", "latin1": "windows-1252", "us-ascii": "windows-1252", "windows-1252": "windows-1252",
	"x-cp1252": "windows-1252",
}

// lookupEncoding resolves an encoding label ("" when edgefn does not
// support it).
func lookupEncoding(label string) string {
	return encodingLabels[strings.ToLower(strings.Trim(label, "\t\n\f\r "))]
}

func newTextDecoder(encoding string, fatal, ignoreBOM bool) *textDecoder {
	return &textDecoder{encoding: encoding, fatal: fatal, ignoreBOM: ignoreBOM, lower: 0x80, upper: 0xBF, odd: -1}
}

// decode decodes the next piece; flush ends the stream (an incomplete
// sequence at the end is an error).
func (d *textDecoder) decode(b []byte, flush bool) (string, error) {
	if !d.bomSeen {
		// Hold the first bytes until there are enough to tell a BOM.
		bom := "\xEF\xBB\xBF"
		if d.encoding == "utf-16le" {
			bom = "\xFF\xFE"
		} else if d.encoding == "windows-1252" {
			bom = ""
		}
		if len(d.head)+len(b) < len(bom) && !flush {
			d.head = append(d.head, b...)
			return "", nil
		}
		if d.head != nil {
			b = append(d.head, b...)
			d.head = nil
		}
		d.bomSeen = true
		if !d.ignoreBOM && bom != "" && strings.HasPrefix(string(b), bom) {
			b = b[len(bom):]
		}
	}
	var out strings.Builder
	var err error
	switch d.encoding {
	case "utf-8":
		err = d.utf8(b, flush, &out)
	case "utf-16le":
		err = d.utf16(b, flush, &out)
	default:
		out.Grow(len(b))
		for _, c := range b {
			out.WriteRune(charmap.Windows1252.DecodeByte(c))
		}
	}
	return out.String(), err
}

// bad records an invalid sequence: an error when fatal, else U+FFFD.
func (d *textDecoder) bad(out *strings.Builder) error {
	if d.fatal {
		return errInvalidData{d.encoding}
	}
	out.WriteRune(utf8.RuneError)
	return nil
}

// utf8 is the WHATWG UTF-8 decoder: each maximal invalid subpart becomes
// one U+FFFD.
func (d *textDecoder) utf8(b []byte, flush bool, out *strings.Builder) error {
	if d.needed == 0 && utf8.Valid(b) {
		// The common case: whole, valid text.
		out.Write(b)
		return nil
	}
	out.Grow(len(b))
	for i := 0; i < len(b); i++ {
		c := b[i]
		if d.needed == 0 {
			switch {
			case c < 0x80:
				out.WriteByte(c)
			case c >= 0xC2 && c <= 0xDF:
				d.needed, d.cp = 1, rune(c&0x1F)
			case c >= 0xE0 && c <= 0xEF:
				if c == 0xE0 {
					d.lower = 0xA0
				} else if c == 0xED {
					d.upper = 0x9F
				}
				d.needed, d.cp = 2, rune(c&0xF)
			case c >= 0xF0 && c <= 0xF4:
				if c == 0xF0 {
					d.lower = 0x90
				} else if c == 0xF4 {
					d.upper = 0x8F
				}
				d.needed, d.cp = 3, rune(c&0x7)
			default:
				if err := d.bad(out); err != nil {
					return err
				}
			}
			continue
		}
		if c < d.lower || c > d.upper {
			d.cp, d.needed, d.seen, d.lower, d.upper = 0, 0, 0, 0x80, 0xBF
			i-- // the byte starts over
			if err := d.bad(out); err != nil {
				return err
			}
			continue
		}
		d.lower, d.upper = 0x80, 0xBF
		d.cp = d.cp<<6 | rune(c&0x3F)
		d.seen++
		if d.seen == d.needed {
			out.WriteRune(d.cp)
			d.cp, d.needed, d.seen = 0, 0, 0
		}
	}
	if flush && d.needed != 0 {
		d.cp, d.needed, d.seen, d.lower, d.upper = 0, 0, 0, 0x80, 0xBF
		return d.bad(out)
	}
	return nil
}

func (d *textDecoder) utf16(b []byte, flush bool, out *strings.Builder) error {
	for _, c := range b {
		if d.odd < 0 {
			d.odd = int(c)
			continue
		}
		u := rune(d.odd) | rune(c)<<8
		d.odd = -1
		if d.pending != 0 {
			lead := d.pending
			d.pending = 0
			if u >= 0xDC00 && u <= 0xDFFF {
				out.WriteRune(utf16.DecodeRune(lead, u))
				continue
			}
			if err := d.bad(out); err != nil {
				return err
			}
		}
		switch {
		case u >= 0xD800 && u <= 0xDBFF:
			d.pending = u
		case u >= 0xDC00 && u <= 0xDFFF:
			if err := d.bad(out); err != nil {
				return err
			}
		default:
			out.WriteRune(u)
		}
	}
	if flush && (d.odd >= 0 || d.pending != 0) {
		d.odd, d.pending = -1, 0
		return d.bad(out)
	}
	return nil
}

// textDecoderStreamState is a TextDecoderStream's state.
type textDecoderStreamState struct {
	props
	dec *textDecoder
	ts  *goja.Object // the TransformStream doing the work
}

// installTextDecoderStream defines TextDecoderStream: a TransformStream
// from bytes to strings, decoded natively.
func installTextDecoderStream(in *instance) error {
	in.ensure("ReadableStream")
	newTS := in.streamHook("newTransformStream")
	sides := in.streamHook("transformSides")
	_, p := in.nativeClass("TextDecoderStream", 0, func(fc goja.ConstructorCall) hostState {
		label := "utf-8"
		if v := fc.Argument(0); !goja.IsUndefined(v) {
			label = v.String()
		}
		enc := lookupEncoding(label)
		if enc == "" {
			in.throwRange("TextDecoderStream: the encoding " + quoteJS(label) + " is not supported (utf-8, utf-16le and windows-1252/latin1 are)")
		}
		fatal, ignoreBOM := false, false
		if o, ok := fc.Argument(1).(*goja.Object); ok {
			fatal = truthy(o.Get("fatal"))
			ignoreBOM = truthy(o.Get("ignoreBOM"))
		} else if v := fc.Argument(1); !goja.IsUndefined(v) && !goja.IsNull(v) {
			in.throwType("TextDecoderStream: options must be an object")
		}
		st := &textDecoderStreamState{dec: newTextDecoder(enc, fatal, ignoreBOM)}
		emit := func(c goja.Value, s string, err error) {
			if err != nil {
				panic(in.typeErr("TextDecoderStream: " + err.Error()))
			}
			if s != "" {
				in.callMethod(c, "enqueue", in.vm.ToValue(s))
			}
		}
		transform := func(fc goja.FunctionCall) goja.Value {
			b, ok := in.bufferSource(fc.Argument(0))
			if !ok {
				in.throwType("TextDecoderStream: chunks must be ArrayBuffer or ArrayBuffer views, got " + describeValue(in.vm, fc.Argument(0)))
			}
			s, err := st.dec.decode(b, false)
			emit(fc.Argument(1), s, err)
			return goja.Undefined()
		}
		flush := func(fc goja.FunctionCall) goja.Value {
			s, err := st.dec.decode(nil, true)
			emit(fc.Argument(0), s, err)
			return goja.Undefined()
		}
		ts, err := newTS(goja.Undefined(), in.vm.ToValue(transform), in.vm.ToValue(flush))
		if err != nil {
			panic(err)
		}
		st.ts = ts.(*goja.Object)
		return st
	})
	this := func(v goja.Value) *textDecoderStreamState {
		st, ok := in.stateOf(v).(*textDecoderStreamState)
		if !ok {
			in.throwType("Illegal invocation: not a TextDecoderStream")
		}
		return st
	}
	in.getter(p, "encoding", func(fc goja.FunctionCall) goja.Value { return in.vm.ToValue(this(fc.This).dec.encoding) })
	in.getter(p, "fatal", func(fc goja.FunctionCall) goja.Value { return in.vm.ToValue(this(fc.This).dec.fatal) })
	in.getter(p, "ignoreBOM", func(fc goja.FunctionCall) goja.Value { return in.vm.ToValue(this(fc.This).dec.ignoreBOM) })
	in.defineTransformSides(p, sides, func(v goja.Value) *goja.Object { return this(v).ts })
	in.toStringTag(p, "TextDecoderStream")
	return nil
}

// defineTransformSides adds the readable and writable getters of a class
// that wraps a TransformStream (tsOf returns it for `this`).
func (in *instance) defineTransformSides(p *goja.Object, sides goja.Callable, tsOf func(goja.Value) *goja.Object) {
	side := func(i int) func(goja.FunctionCall) goja.Value {
		return func(fc goja.FunctionCall) goja.Value {
			pair, err := sides(goja.Undefined(), tsOf(fc.This))
			if err != nil {
				panic(err)
			}
			return pair.(*goja.Object).Get([]string{"0", "1"}[i])
		}
	}
	in.getter(p, "readable", side(0))
	in.getter(p, "writable", side(1))
}

// bufferSource returns the bytes of an ArrayBuffer or ArrayBuffer view
// (not copied).
func (in *instance) bufferSource(v goja.Value) ([]byte, bool) {
	obj, ok := v.(*goja.Object)
	if !ok {
		return nil, false
	}
	if ab, ok := obj.Export().(goja.ArrayBuffer); ok {
		return ab.Bytes(), true
	}
	return in.viewBytes(obj)
}

// callMethod calls obj[name](args...), throwing what it throws.
func (in *instance) callMethod(obj goja.Value, name string, args ...goja.Value) goja.Value {
	o, ok := obj.(*goja.Object)
	if !ok {
		in.throwType("isolate: " + name + ": not an object")
	}
	fn, ok := goja.AssertFunction(o.Get(name))
	if !ok {
		in.throwType("isolate: " + name + " is not a function")
	}
	r, err := fn(o, args...)
	if err != nil {
		panic(err)
	}
	return r
}

// truthy is ToBoolean of a property value (nil when absent).
func truthy(v goja.Value) bool { return v != nil && v.ToBoolean() }
