package isolate

import (
	"errors"
	"strings"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/dop251/goja"
	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/htmlindex"
	"golang.org/x/text/transform"
)

// textDecoder is a streaming WHATWG decoder: bytes go in piece by piece, a
// sequence split across pieces is carried over. UTF-8, UTF-16LE/BE and
// windows-1252 (which every latin1/ascii label means) are decoded here; the
// other encodings of the WHATWG Encoding standard (Shift_JIS, GBK, Big5,
// EUC-KR, ISO-8859-x, KOI8...) by golang.org/x/text's decoders, which follow
// the same index tables.
type textDecoder struct {
	encoding  string // canonical WHATWG name, lower-case: "utf-8", "shift_jis"...
	fatal     bool
	ignoreBOM bool
	bomSeen   bool // the start of the stream has been looked at for a BOM

	// UTF-8 state (the spec's bytes needed/seen, code point, bounds).
	needed, seen int
	cp           rune
	lower, upper byte

	// UTF-16 state: a byte of a half-received code unit, and a lead
	// surrogate waiting for its trail.
	odd     int // -1 when none
	pending rune

	head []byte // the first bytes, held until a BOM can be ruled out

	// Other encodings: x/text's decoder and the input it could not consume
	// yet (a multi-byte sequence cut by the end of a piece).
	legacy transform.Transformer
	rest   []byte
}

// errInvalidData: fatal decoding met bytes that are not valid.
type errInvalidData struct{ encoding string }

func (e errInvalidData) Error() string {
	return "the encoded data is not valid " + e.encoding
}

// encodingLabels maps the WHATWG labels of the encodings decoded natively
// to their names; lookupEncoding asks x/text's WHATWG index for the rest.
var encodingLabels = map[string]string{
	"unicode-1-1-utf-8": "utf-8", "unicode11utf8": "utf-8", "unicode20utf8": "utf-8", "utf-8": "utf-8",
	"utf8": "utf-8", "x-unicode20utf8": "utf-8",
	"csunicode": "utf-16le", "iso-10646-ucs-2": "utf-16le", "ucs-2": "utf-16le", "unicode": "utf-16le",
	"unicodefeff": "utf-16le", "utf-16": "utf-16le", "utf-16le": "utf-16le",
	"unicodefffe": "utf-16be", "utf-16be": "utf-16be",
	"ansi_x3.4-1968": "windows-1252", "ascii": "windows-1252", "cp1252": "windows-1252", "cp819": "windows-1252",
	"csisolatin1": "windows-1252", "ibm819": "windows-1252", "iso-8859-1": "windows-1252", "iso-ir-100": "windows-1252",
	"iso8859-1": "windows-1252", "iso88591": "windows-1252", "iso_8859-1": "windows-1252", "iso_8859-1:1987": "windows-1252",
	"l1": "windows-1252", "latin1": "windows-1252", "us-ascii": "windows-1252", "windows-1252": "windows-1252",
	"x-cp1252": "windows-1252",
}

// lookupEncoding resolves an encoding label to its WHATWG name, or ""
// when the label names none (or names the "replacement" encoding, which the
// standard says TextDecoder must refuse).
func lookupEncoding(label string) string {
	label = strings.ToLower(strings.Trim(label, "\t\n\f\r "))
	if enc, ok := encodingLabels[label]; ok {
		return enc
	}
	e, err := htmlindex.Get(label)
	if err != nil || e == encoding.Replacement {
		return ""
	}
	name, err := htmlindex.Name(e)
	if err != nil {
		return ""
	}
	return strings.ToLower(name)
}

func newTextDecoder(enc string, fatal, ignoreBOM bool) *textDecoder {
	d := &textDecoder{encoding: enc, fatal: fatal, ignoreBOM: ignoreBOM, lower: 0x80, upper: 0xBF, odd: -1}
	switch enc {
	case "utf-8", "utf-16le", "utf-16be", "windows-1252":
	default:
		if e, err := htmlindex.Get(enc); err == nil {
			d.legacy = e.NewDecoder()
		}
	}
	return d
}

// decode decodes the next piece; flush ends the stream (an incomplete
// sequence at the end is an error).
func (d *textDecoder) decode(b []byte, flush bool) (string, error) {
	if !d.bomSeen {
		// Hold the first bytes until there are enough to tell a BOM.
		bom := ""
		switch d.encoding {
		case "utf-8":
			bom = "\xEF\xBB\xBF"
		case "utf-16le":
			bom = "\xFF\xFE"
		case "utf-16be":
			bom = "\xFE\xFF"
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
		err = d.utf16(b, false, flush, &out)
	case "utf-16be":
		err = d.utf16(b, true, flush, &out)
	case "windows-1252":
		out.Grow(len(b))
		for _, c := range b {
			if c < 0x80 {
				out.WriteByte(c)
			} else {
				out.WriteRune(charmap.Windows1252.DecodeByte(c))
			}
		}
	default:
		err = d.other(b, flush, &out)
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

// utf16 is the WHATWG UTF-16 decoder (be: big-endian code units).
func (d *textDecoder) utf16(b []byte, be, flush bool, out *strings.Builder) error {
	for _, c := range b {
		if d.odd < 0 {
			d.odd = int(c)
			continue
		}
		u := rune(d.odd) | rune(c)<<8
		if be {
			u = rune(d.odd)<<8 | rune(c)
		}
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

// other decodes with x/text. Its decoders write U+FFFD for every error, and
// no index of these encodings maps a byte sequence to U+FFFD, so one in
// the output is an error when fatal.
func (d *textDecoder) other(b []byte, flush bool, out *strings.Builder) error {
	src := b
	if len(d.rest) > 0 {
		src = append(d.rest, b...)
		d.rest = nil
	}
	buf := make([]byte, 4*len(src)+16)
	for {
		nDst, nSrc, err := d.legacy.Transform(buf, src, flush)
		out.Write(buf[:nDst])
		src = src[nSrc:]
		if errors.Is(err, transform.ErrShortDst) {
			continue
		}
		if errors.Is(err, transform.ErrShortSrc) && !flush {
			d.rest = append([]byte(nil), src...)
		}
		break
	}
	if flush {
		d.legacy.Reset()
		if len(src) > 0 {
			// Input the decoder could not use even at the end.
			if err := d.bad(out); err != nil {
				return err
			}
		}
	}
	if d.fatal && strings.ContainsRune(out.String(), utf8.RuneError) {
		return errInvalidData{d.encoding}
	}
	return nil
}

// textDecoderState is a TextDecoder's state.
type textDecoderState struct {
	props
	dec *textDecoder
	// streaming: the last decode() had {stream: true}, so the next one
	// goes on with the same decoder state.
	streaming bool
}

// installTextDecoder defines TextDecoder (WHATWG Encoding).
func installTextDecoder(in *instance) error {
	vm := in.vm
	_, p := in.nativeClass("TextDecoder", 0, func(fc goja.ConstructorCall) hostState {
		enc, fatal, ignoreBOM := in.decoderArgs("TextDecoder", fc.Argument(0), fc.Argument(1))
		return &textDecoderState{dec: newTextDecoder(enc, fatal, ignoreBOM)}
	})
	this := func(v goja.Value) *textDecoderState {
		st, ok := in.stateOf(v).(*textDecoderState)
		if !ok {
			in.throwType("Illegal invocation: not a TextDecoder")
		}
		return st
	}
	in.getter(p, "encoding", func(fc goja.FunctionCall) goja.Value { return vm.ToValue(this(fc.This).dec.encoding) })
	in.getter(p, "fatal", func(fc goja.FunctionCall) goja.Value { return vm.ToValue(this(fc.This).dec.fatal) })
	in.getter(p, "ignoreBOM", func(fc goja.FunctionCall) goja.Value { return vm.ToValue(this(fc.This).dec.ignoreBOM) })
	in.method(p, "decode", 0, func(fc goja.FunctionCall) goja.Value {
		st := this(fc.This)
		var b []byte
		if v := fc.Argument(0); !goja.IsUndefined(v) {
			var ok bool
			if b, ok = in.bufferSource(v); !ok {
				in.throwType("TextDecoder.decode: the input must be an ArrayBuffer or ArrayBuffer view, got " + describeValue(vm, v))
			}
		}
		stream := false
		if o, ok := fc.Argument(1).(*goja.Object); ok {
			stream = truthy(o.Get("stream"))
		} else if v := fc.Argument(1); !goja.IsUndefined(v) && !goja.IsNull(v) {
			in.throwType("TextDecoder.decode: options must be an object")
		}
		if !st.streaming {
			d := st.dec
			st.dec = newTextDecoder(d.encoding, d.fatal, d.ignoreBOM)
		}
		st.streaming = stream
		s, err := st.dec.decode(b, !stream)
		if err != nil {
			st.streaming = false // the next call starts afresh
			in.throwType("TextDecoder.decode: " + err.Error())
		}
		return vm.ToValue(s)
	})
	in.toStringTag(p, "TextDecoder")
	return nil
}

// decoderArgs converts the (label, options) arguments TextDecoder and
// TextDecoderStream take.
func (in *instance) decoderArgs(what string, labelV, optsV goja.Value) (enc string, fatal, ignoreBOM bool) {
	label := "utf-8"
	if !goja.IsUndefined(labelV) {
		label = labelV.String()
	}
	enc = lookupEncoding(label)
	if enc == "" {
		in.throwRange(what + ": the encoding label " + quoteJS(label) + " is not one the WHATWG Encoding standard supports")
	}
	if o, ok := optsV.(*goja.Object); ok {
		fatal = truthy(o.Get("fatal"))
		ignoreBOM = truthy(o.Get("ignoreBOM"))
	} else if !goja.IsUndefined(optsV) && !goja.IsNull(optsV) {
		in.throwType(what + ": options must be an object")
	}
	return enc, fatal, ignoreBOM
}
