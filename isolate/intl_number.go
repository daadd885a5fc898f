package isolate

import (
	"math"
	"math/big"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/dop251/goja"
	"golang.org/x/text/currency"
	"golang.org/x/text/language"
	"golang.org/x/text/message"
	"golang.org/x/text/number"
)

// numberSymbols are a locale's digits and separators, read once per locale
// from golang.org/x/text's CLDR data by formatting a probe number (x/text
// rounds half to even where Intl rounds half away from zero, so edgefn
// rounds the digits itself and borrows only the symbols).
type numberSymbols struct {
	digits    [10]string
	group     string
	decimal   string
	primary   int // digits in the group next to the decimal point
	secondary int // in the groups beyond (2 in hi-IN's 12,34,567)
}

var symbolCache sync.Map // language.Tag -> *numberSymbols

func symbolsFor(tag language.Tag) *numberSymbols {
	if s, ok := symbolCache.Load(tag); ok {
		return s.(*numberSymbols)
	}
	probe := message.NewPrinter(tag).Sprint(number.Decimal(1234567890.5, number.MinFractionDigits(1), number.MaxFractionDigits(1)))
	s := &numberSymbols{group: ",", decimal: ".", primary: 3, secondary: 3}
	for i := range s.digits {
		s.digits[i] = strconv.Itoa(i)
	}
	// The probe reads 1 2 3 4 5 6 7 8 9 0 <decimal> 5 with group
	// separators between: learn the digits, then the separators.
	runes := []string{}
	for _, r := range probe {
		runes = append(runes, string(r))
	}
	var digitsSeen []string
	var seps []string // separator before each digit (after the first)
	var sepPos []int  // index among digits where a group separator appears
	pending := ""
	for i, r := range runes {
		if i == len(runes)-1 {
			break // the final 5
		}
		if len(digitsSeen) < 10 && isProbeDigit(r) {
			if pending != "" {
				seps = append(seps, pending)
				sepPos = append(sepPos, len(digitsSeen))
				pending = ""
			}
			digitsSeen = append(digitsSeen, r)
			continue
		}
		pending += r
	}
	if len(digitsSeen) == 10 && pending != "" {
		order := []int{1, 2, 3, 4, 5, 6, 7, 8, 9, 0}
		for i, d := range order {
			s.digits[d] = digitsSeen[i]
		}
		s.decimal = pending
		if len(seps) > 0 {
			s.group = seps[0]
			// Group sizes from the right: the last separator sits
			// primary digits before the decimal point.
			s.primary = 10 - sepPos[len(sepPos)-1]
			s.secondary = s.primary
			if len(sepPos) > 1 {
				s.secondary = sepPos[len(sepPos)-1] - sepPos[len(sepPos)-2]
			}
		} else {
			s.group = ""
		}
	}
	symbolCache.Store(tag, s)
	return s
}

// isProbeDigit accepts any decimal digit in any script (the probe's digits
// are 1..9 then 0).
func isProbeDigit(r string) bool {
	c, _ := utf8.DecodeRuneInString(r)
	if c >= '0' && c <= '9' {
		return true
	}
	return strings.ContainsRune("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹०१२३४५६७८९০১২৩৪৫৬৭৮৯", c)
}

// numberFormat is a resolved Intl.NumberFormat.
type numberFormat struct {
	props
	boundCache
	locale           language.Tag
	syms             *numberSymbols
	style            string // decimal, percent, currency
	currency         string
	currencyDisplay  string
	minInt           int
	minFrac, maxFrac int
	minSig, maxSig   int // 0 when fraction digits rule
	useGrouping      bool
	signDisplay      string
	notation         string // standard, compact
	compactDisplay   string
	compactDefault   bool // compact with no digit options: CLDR's rounding
}

type numPart struct{ typ, value string }

// format renders x (a float64, or a *big.Int for BigInts).
func (nf *numberFormat) parts(x any) []numPart {
	var neg bool
	var digits string // decimal digits without a point
	var exp int       // the value is 0.digits * 10^exp
	special := ""
	switch v := x.(type) {
	case *big.Int:
		s := v.String()
		if strings.HasPrefix(s, "-") {
			neg, s = true, s[1:]
		}
		digits, exp = s, len(s)
	case float64:
		switch {
		case math.IsNaN(v):
			special = "NaN"
		case math.IsInf(v, 0):
			special, neg = "∞", v < 0
		default:
			neg = v < 0 || (v == 0 && math.Signbit(v))
			digits, exp = decimalDigits(math.Abs(v))
		}
	}
	if special == "" {
		if nf.style == "percent" {
			exp += 2
		}
		suffix := ""
		r := nf
		if nf.notation == "compact" {
			digits, exp, suffix = nf.compact(digits, exp)
			if nf.compactDefault {
				// CLDR: 1.2K and 12K, but 123K.
				c := *nf
				if exp <= 1 {
					c.minSig, c.maxSig = 1, 2
				} else {
					c.minFrac, c.maxFrac = 0, 0
				}
				r = &c
			}
		}
		intPart, fracPart := r.round(digits, exp)
		isZero := strings.Trim(intPart+fracPart, "0") == ""
		var out []numPart
		out = nf.sign(out, neg, isZero)
		out = append(out, nf.digitsParts(intPart, fracPart)...)
		if suffix != "" {
			out = append(out, numPart{"compact", suffix})
		}
		return nf.decorate(out)
	}
	var out []numPart
	out = nf.sign(out, neg, false)
	if special == "NaN" {
		out = append(out, numPart{"nan", "NaN"})
	} else {
		out = append(out, numPart{"infinity", "∞"})
	}
	return nf.decorate(out)
}

// decimalDigits gives the shortest decimal digits that read back as v
// (what Number.prototype.toString prints) and the exponent of 0.digits.
func decimalDigits(v float64) (string, int) {
	if v == 0 {
		return "0", 1
	}
	s := strconv.FormatFloat(v, 'e', -1, 64) // d.ddde±x
	mant, e, _ := strings.Cut(s, "e")
	ex, _ := strconv.Atoi(e)
	return strings.Replace(mant, ".", "", 1), ex + 1
}

// round applies the digit options (half away from zero, as Intl does) and
// returns the integer and fraction digits.
func (nf *numberFormat) round(digits string, exp int) (string, string) {
	if nf.maxSig > 0 {
		digits, exp = roundDigits(digits, exp, nf.maxSig)
		intPart, frac := splitDigits(digits, exp)
		frac = strings.TrimRight(frac, "0")
		sig := len(strings.TrimLeft(intPart+frac, "0"))
		if sig == 0 {
			sig = 1 // zero: its integer 0 counts
		}
		for ; sig < nf.minSig; sig++ {
			frac += "0"
		}
		return padInt(intPart, nf.minInt), frac
	}
	digits, exp = roundDigits(digits, exp, exp+nf.maxFrac)
	intPart, frac := splitDigits(digits, exp)
	if len(frac) > nf.maxFrac {
		frac = frac[:nf.maxFrac]
	}
	frac = strings.TrimRight(frac, "0")
	for len(frac) < nf.minFrac {
		frac += "0"
	}
	return padInt(intPart, nf.minInt), frac
}

// roundDigits keeps n digits of 0.digits*10^exp (n counted from the
// first digit), rounding half away from zero.
func roundDigits(digits string, exp, n int) (string, int) {
	if n >= len(digits) {
		return digits, exp
	}
	if n < 0 {
		return "0", 1
	}
	up := digits[n] >= '5'
	kept := []byte(digits[:n])
	if up {
		i := len(kept) - 1
		for ; i >= 0; i-- {
			if kept[i] == '9' {
				kept[i] = '0'
				continue
			}
			kept[i]++
			break
		}
		if i < 0 {
			kept = append([]byte{'1'}, kept...)
			exp++
		}
	}
	if len(kept) == 0 {
		return "0", 1
	}
	return string(kept), exp
}

func splitDigits(digits string, exp int) (string, string) {
	switch {
	case exp <= 0:
		return "0", strings.Repeat("0", -exp) + digits
	case exp >= len(digits):
		return digits + strings.Repeat("0", exp-len(digits)), ""
	}
	return digits[:exp], digits[exp:]
}

func padInt(s string, minInt int) string {
	s = strings.TrimLeft(s, "0")
	for len(s) < minInt {
		s = "0" + s
	}
	if s == "" {
		s = "0"
	}
	return s
}

// compact scales for notation "compact" (English: K, M, B, T, or
// thousand, million...).
func (nf *numberFormat) compact(digits string, exp int) (string, int, string) {
	short := []string{"", "K", "M", "B", "T"}
	long := []string{"", " thousand", " million", " billion", " trillion"}
	k := 0
	for exp > 3 && k < 4 {
		exp -= 3
		k++
	}
	if nf.compactDisplay == "long" {
		return digits, exp, long[k]
	}
	return digits, exp, short[k]
}

func (nf *numberFormat) sign(out []numPart, neg, isZero bool) []numPart {
	switch nf.signDisplay {
	case "never":
		return out
	case "always":
		if neg {
			return append(out, numPart{"minusSign", "-"})
		}
		return append(out, numPart{"plusSign", "+"})
	case "exceptZero":
		if isZero {
			return out
		}
		if neg {
			return append(out, numPart{"minusSign", "-"})
		}
		return append(out, numPart{"plusSign", "+"})
	case "negative":
		if neg && !isZero {
			return append(out, numPart{"minusSign", "-"})
		}
		return out
	}
	if neg {
		return append(out, numPart{"minusSign", "-"})
	}
	return out
}

func (nf *numberFormat) digitsParts(intPart, frac string) []numPart {
	s := nf.syms
	local := func(d string) string {
		var b strings.Builder
		for i := 0; i < len(d); i++ {
			b.WriteString(s.digits[d[i]-'0'])
		}
		return b.String()
	}
	var out []numPart
	if nf.useGrouping && s.group != "" && len(intPart) > s.primary {
		var groups []string
		rest := intPart
		groups = append(groups, rest[len(rest)-s.primary:])
		rest = rest[:len(rest)-s.primary]
		for len(rest) > s.secondary {
			groups = append(groups, rest[len(rest)-s.secondary:])
			rest = rest[:len(rest)-s.secondary]
		}
		if rest != "" {
			groups = append(groups, rest)
		}
		for i := len(groups) - 1; i >= 0; i-- {
			out = append(out, numPart{"integer", local(groups[i])})
			if i > 0 {
				out = append(out, numPart{"group", s.group})
			}
		}
	} else {
		out = append(out, numPart{"integer", local(intPart)})
	}
	if frac != "" {
		out = append(out, numPart{"decimal", s.decimal}, numPart{"fraction", local(frac)})
	}
	return out
}

// currencySymbols are the English symbols of common currencies (CLDR en);
// others show their code.
var currencySymbols = map[string][2]string{ // symbol, narrow symbol
	"USD": {"$", "$"}, "EUR": {"€", "€"}, "GBP": {"£", "£"}, "JPY": {"¥", "¥"}, "CNY": {"CN¥", "¥"},
	"INR": {"₹", "₹"}, "CAD": {"CA$", "$"}, "AUD": {"A$", "$"}, "KRW": {"₩", "₩"}, "BRL": {"R$", "R$"},
	"MXN": {"MX$", "$"}, "HKD": {"HK$", "$"}, "NZD": {"NZ$", "$"}, "TWD": {"NT$", "$"}, "ILS": {"₪", "₪"},
	"VND": {"₫", "₫"}, "XAF": {"FCFA", "FCFA"}, "PHP": {"₱", "₱"}, "CHF": {"CHF", "CHF"}, "RUB": {"RUB", "₽"},
	"PLN": {"PLN", "zł"}, "SEK": {"SEK", "kr"}, "NOK": {"NOK", "kr"}, "DKK": {"DKK", "kr"}, "TRY": {"TRY", "₺"},
	"UAH": {"UAH", "₴"}, "THB": {"THB", "฿"}, "NGN": {"NGN", "₦"}, "ZAR": {"ZAR", "R"}, "SGD": {"SGD", "$"},
}

var currencyNames = map[string][2]string{ // singular, plural
	"USD": {"US dollar", "US dollars"}, "EUR": {"euro", "euros"}, "GBP": {"British pound", "British pounds"},
	"JPY": {"Japanese yen", "Japanese yen"}, "CAD": {"Canadian dollar", "Canadian dollars"},
	"AUD": {"Australian dollar", "Australian dollars"}, "CHF": {"Swiss franc", "Swiss francs"},
	"CNY": {"Chinese yuan", "Chinese yuan"}, "INR": {"Indian rupee", "Indian rupees"},
}

// decorate adds the percent sign or the currency around the number.
func (nf *numberFormat) decorate(num []numPart) []numPart {
	switch nf.style {
	case "percent":
		base, _ := nf.locale.Base()
		if b := base.String(); b == "en" || b == "ja" || b == "zh" || b == "ko" || b == "hi" || b == "he" {
			return append(num, numPart{"percentSign", "%"})
		}
		return append(num, numPart{"literal", "\u00a0"}, numPart{"percentSign", "%"})
	case "currency":
		sym := nf.currency
		switch nf.currencyDisplay {
		case "symbol", "narrowSymbol":
			if s, ok := currencySymbols[nf.currency]; ok {
				sym = s[0]
				if nf.currencyDisplay == "narrowSymbol" {
					sym = s[1]
				}
			}
		case "name":
			names, ok := currencyNames[nf.currency]
			name := nf.currency
			if ok {
				name = names[1]
				if joinParts(num) == "1" || joinParts(num) == "1.00" {
					name = names[0]
				}
			}
			return append(num, numPart{"literal", " "}, numPart{"currency", name})
		}
		i := 0 // after the sign
		for i < len(num) && (num[i].typ == "minusSign" || num[i].typ == "plusSign") {
			i++
		}
		base, _ := nf.locale.Base()
		switch base.String() {
		case "en", "ja", "zh", "ko", "hi", "he", "th", "id", "ms":
			gap := []numPart{}
			if utf8.RuneCountInString(sym) == 3 && sym == strings.ToUpper(sym) && nf.currencyDisplay != "narrowSymbol" && isLetters(sym) {
				gap = []numPart{{"literal", "\u00a0"}}
			}
			out := append([]numPart{}, num[:i]...)
			out = append(out, numPart{"currency", sym})
			out = append(out, gap...)
			return append(out, num[i:]...)
		}
		return append(num, numPart{"literal", "\u00a0"}, numPart{"currency", sym})
	}
	return num
}

func isLetters(s string) bool {
	for _, r := range s {
		if r < 'A' || r > 'Z' {
			return false
		}
	}
	return true
}

func joinParts(parts []numPart) string {
	var b strings.Builder
	for _, p := range parts {
		b.WriteString(p.value)
	}
	return b.String()
}

// currencyDigits is the ISO 4217 minor unit count of a currency.
func currencyDigits(code string) int {
	u, err := currency.ParseISO(code)
	if err != nil {
		return 2
	}
	scale, _ := currency.Standard.Rounding(u)
	return scale
}

// newNumberFormat resolves Intl.NumberFormat's (locales, options).
func (in *instance) newNumberFormat(locales, options goja.Value) *numberFormat {
	tag := in.resolveLocale(locales, "Intl.NumberFormat")
	o := in.intlOptions(options, "Intl.NumberFormat")
	nf := &numberFormat{locale: tag, syms: symbolsFor(tag), useGrouping: true, minInt: 1}
	nf.style = in.intlEnum(o, "style", "Intl.NumberFormat", "decimal", "decimal", "percent", "currency")
	nf.currency = strings.ToUpper(in.intlString(o, "currency", ""))
	if nf.currency != "" && (len(nf.currency) != 3 || !isLetters(nf.currency)) {
		in.throwRange("Intl.NumberFormat: invalid currency code " + quoteJS(nf.currency) + " (use an ISO 4217 code such as \"USD\")")
	}
	if nf.style == "currency" && nf.currency == "" {
		in.throwType("Intl.NumberFormat: the currency option is required with style \"currency\"")
	}
	nf.currencyDisplay = in.intlEnum(o, "currencyDisplay", "Intl.NumberFormat", "symbol", "symbol", "narrowSymbol", "code", "name")
	nf.notation = in.intlEnum(o, "notation", "Intl.NumberFormat", "standard", "standard", "compact")
	nf.compactDisplay = in.intlEnum(o, "compactDisplay", "Intl.NumberFormat", "short", "short", "long")
	nf.signDisplay = in.intlEnum(o, "signDisplay", "Intl.NumberFormat", "auto", "auto", "never", "always", "exceptZero", "negative")
	if v := o.Get("useGrouping"); v != nil && !goja.IsUndefined(v) {
		nf.useGrouping = v.ToBoolean() || v.String() == "auto" || v.String() == "always" || v.String() == "min2"
	}
	nf.minInt = in.intlInt(o, "minimumIntegerDigits", "Intl.NumberFormat", 1, 21, 1)
	defMin, defMax := 0, 3
	switch nf.style {
	case "percent":
		defMax = 0
	case "currency":
		defMin = currencyDigits(nf.currency)
		defMax = defMin
	}
	if nf.notation == "compact" {
		defMin, defMax = 0, 0
	}
	minSig := in.intlInt(o, "minimumSignificantDigits", "Intl.NumberFormat", 1, 21, 0)
	maxSig := in.intlInt(o, "maximumSignificantDigits", "Intl.NumberFormat", 1, 21, 0)
	if minSig > 0 || maxSig > 0 {
		nf.minSig, nf.maxSig = max(minSig, 1), maxSig
		if nf.maxSig == 0 {
			nf.maxSig = 21
		}
		if nf.minSig > nf.maxSig {
			in.throwRange("Intl.NumberFormat: maximumSignificantDigits is less than minimumSignificantDigits")
		}
	}
	minFrac := in.intlInt(o, "minimumFractionDigits", "Intl.NumberFormat", 0, 100, -1)
	maxFrac := in.intlInt(o, "maximumFractionDigits", "Intl.NumberFormat", 0, 100, -1)
	switch {
	case minFrac < 0 && maxFrac < 0:
		nf.minFrac, nf.maxFrac = defMin, defMax
	case minFrac < 0:
		nf.minFrac, nf.maxFrac = min(defMin, maxFrac), maxFrac
	case maxFrac < 0:
		nf.minFrac, nf.maxFrac = minFrac, max(defMax, minFrac)
	default:
		if minFrac > maxFrac {
			in.throwRange("Intl.NumberFormat: maximumFractionDigits is less than minimumFractionDigits")
		}
		nf.minFrac, nf.maxFrac = minFrac, maxFrac
	}
	nf.compactDefault = nf.notation == "compact" && nf.maxSig == 0 && minFrac < 0 && maxFrac < 0
	return nf
}

// formatValue converts a JS value to what parts() formats.
func (in *instance) numberValue(v goja.Value) any {
	if b, ok := v.Export().(*big.Int); ok {
		return b
	}
	return v.ToFloat()
}

// installNumberFormat adds Intl.NumberFormat to the Intl object.
func (in *instance) installNumberFormat(intl *goja.Object) {
	vm := in.vm
	_, p := in.intlClass(intl, "NumberFormat", func(fc goja.ConstructorCall) hostState {
		return in.newNumberFormat(fc.Argument(0), fc.Argument(1))
	})
	this := func(v goja.Value, what string) *numberFormat {
		nf, ok := in.stateOf(v).(*numberFormat)
		if !ok {
			in.throwType("Illegal invocation: Intl.NumberFormat.prototype." + what + " used on an object that is not an Intl.NumberFormat")
		}
		return nf
	}
	in.boundGetter(p, "format", func(this0 goja.Value) func(goja.FunctionCall) goja.Value {
		nf := this(this0, "format")
		return func(fc goja.FunctionCall) goja.Value {
			return vm.ToValue(joinParts(nf.parts(in.numberValue(fc.Argument(0)))))
		}
	})
	in.method(p, "formatToParts", 1, func(fc goja.FunctionCall) goja.Value {
		nf := this(fc.This, "formatToParts")
		return in.partsArray(nf.parts(in.numberValue(fc.Argument(0))))
	})
	in.method(p, "resolvedOptions", 0, func(fc goja.FunctionCall) goja.Value {
		nf := this(fc.This, "resolvedOptions")
		o := vm.NewObject()
		_ = o.Set("locale", nf.locale.String())
		_ = o.Set("numberingSystem", "latn")
		_ = o.Set("style", nf.style)
		if nf.style == "currency" {
			_ = o.Set("currency", nf.currency)
			_ = o.Set("currencyDisplay", nf.currencyDisplay)
			_ = o.Set("currencySign", "standard")
		}
		_ = o.Set("minimumIntegerDigits", nf.minInt)
		if nf.maxSig > 0 {
			_ = o.Set("minimumSignificantDigits", nf.minSig)
			_ = o.Set("maximumSignificantDigits", nf.maxSig)
		} else {
			_ = o.Set("minimumFractionDigits", nf.minFrac)
			_ = o.Set("maximumFractionDigits", nf.maxFrac)
		}
		_ = o.Set("useGrouping", map[bool]any{true: "auto", false: false}[nf.useGrouping])
		_ = o.Set("notation", nf.notation)
		if nf.notation == "compact" {
			_ = o.Set("compactDisplay", nf.compactDisplay)
		}
		_ = o.Set("signDisplay", nf.signDisplay)
		_ = o.Set("roundingMode", "halfExpand")
		return o
	})
}

// partsArray makes formatToParts' [{type, value}...].
func (in *instance) partsArray(parts []numPart) goja.Value {
	items := make([]any, len(parts))
	for i, p := range parts {
		o := in.vm.NewObject()
		_ = o.Set("type", p.typ)
		_ = o.Set("value", p.value)
		items[i] = o
	}
	return in.vm.NewArray(items...)
}
