package isolate

import (
	"encoding/base64"
	"strings"

	"github.com/dop251/goja"
)

// installBase64 defines atob and btoa (HTML's forgiving-base64 over binary
// strings: one character per byte, U+0000 to U+00FF).
func installBase64(in *instance) error {
	vm := in.vm
	atob := func(fc goja.FunctionCall) goja.Value {
		if len(fc.Arguments) == 0 {
			in.throwType("atob: 1 argument required, but only 0 present")
		}
		b, ok := forgivingBase64Decode(fc.Argument(0).String())
		if !ok {
			panic(in.domException("InvalidCharacterError", "atob: the string to be decoded is not correctly encoded base64"))
		}
		return vm.ToValue(binaryString(b))
	}
	btoa := func(fc goja.FunctionCall) goja.Value {
		if len(fc.Arguments) == 0 {
			in.throwType("btoa: 1 argument required, but only 0 present")
		}
		s := fc.Argument(0).String()
		b := make([]byte, 0, len(s))
		for _, r := range s {
			// A lone surrogate reads as U+FFFD here: outside latin1 too.
			if r > 0xFF {
				panic(in.domException("InvalidCharacterError", "btoa: the string contains characters outside of the Latin1 range (encode it to bytes first, e.g. with TextEncoder)"))
			}
			b = append(b, byte(r))
		}
		return vm.ToValue(base64.StdEncoding.EncodeToString(b))
	}
	g := vm.GlobalObject()
	for name, fn := range map[string]func(goja.FunctionCall) goja.Value{"atob": atob, "btoa": btoa} {
		f := vm.ToValue(fn).(*goja.Object)
		_ = f.DefineDataProperty("name", vm.ToValue(name), goja.FLAG_FALSE, goja.FLAG_TRUE, goja.FLAG_FALSE)
		_ = f.DefineDataProperty("length", vm.ToValue(1), goja.FLAG_FALSE, goja.FLAG_TRUE, goja.FLAG_FALSE)
		if err := g.DefineDataProperty(name, f, goja.FLAG_TRUE, goja.FLAG_TRUE, goja.FLAG_FALSE); err != nil {
			return err
		}
	}
	return nil
}

// forgivingBase64Decode is the WHATWG Infra forgiving-base64 decode: ASCII
// whitespace is ignored, padding is optional, and the leftover bits of the
// last character need not be zero.
func forgivingBase64Decode(s string) ([]byte, bool) {
	if strings.ContainsAny(s, "\t\n\f\r ") {
		s = strings.Map(func(r rune) rune {
			switch r {
			case '\t', '\n', '\f', '\r', ' ':
				return -1
			}
			return r
		}, s)
	}
	if len(s)%4 == 0 {
		if strings.HasSuffix(s, "==") {
			s = s[:len(s)-2]
		} else if strings.HasSuffix(s, "=") {
			s = s[:len(s)-1]
		}
	}
	if len(s)%4 == 1 {
		return nil, false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '+' || c == '/') {
			return nil, false
		}
	}
	b, err := base64.RawStdEncoding.DecodeString(s)
	if err != nil {
		return nil, false
	}
	return b, true
}

// binaryString maps each byte to the code point of the same value.
func binaryString(b []byte) string {
	ascii := true
	for _, c := range b {
		if c >= 0x80 {
			ascii = false
			break
		}
	}
	if ascii {
		return string(b)
	}
	r := make([]rune, len(b))
	for i, c := range b {
		r[i] = rune(c)
	}
	return string(r)
}
