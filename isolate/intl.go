package isolate

import (
	"math"
	"strconv"
	"strings"

	"github.com/dop251/goja"
	"golang.org/x/text/collate"
	"golang.org/x/text/feature/plural"
	"golang.org/x/text/language"
)

// Intl is a basic ECMA-402 over golang.org/x/text: NumberFormat (locale
// digits and separators from CLDR, rounding done here), DateTimeFormat (en-US
// patterns, IANA time zones), Collator (x/text's CLDR collation), PluralRules
// (x/text's CLDR plural rules). What stays unsupported is listed in
// docs/ARCHITECTURE.md.

// installIntl defines Intl.
func installIntl(in *instance) error {
	vm := in.vm
	intl := vm.NewObject()
	in.installNumberFormat(intl)
	in.installDateTimeFormat(intl)
	in.installCollator(intl)
	in.installPluralRules(intl)
	canon := vm.ToValue(func(fc goja.FunctionCall) goja.Value {
		var out []any
		for _, t := range in.localeList(fc.Argument(0), "Intl.getCanonicalLocales") {
			out = append(out, t.String())
		}
		return vm.NewArray(out...)
	}).(*goja.Object)
	_ = canon.DefineDataProperty("name", vm.ToValue("getCanonicalLocales"), goja.FLAG_FALSE, goja.FLAG_TRUE, goja.FLAG_FALSE)
	_ = intl.DefineDataProperty("getCanonicalLocales", canon, goja.FLAG_TRUE, goja.FLAG_FALSE, goja.FLAG_TRUE)
	_ = intl.DefineDataPropertySymbol(goja.SymToStringTag, vm.ToValue("Intl"), goja.FLAG_FALSE, goja.FLAG_FALSE, goja.FLAG_TRUE)
	return vm.GlobalObject().DefineDataProperty("Intl", intl, goja.FLAG_TRUE, goja.FLAG_FALSE, goja.FLAG_TRUE)
}

// defaultLocale is the locale when a script names none (or none edgefn knows).
var defaultLocale = language.AmericanEnglish

// localeList converts a locales argument (a tag or a list of tags) to
// canonical tags; a malformed tag is a RangeError, as ECMA-402 says.
func (in *instance) localeList(v goja.Value, what string) []language.Tag {
	if v == nil || goja.IsUndefined(v) {
		return nil
	}
	var raw []goja.Value
	if obj, ok := v.(*goja.Object); ok {
		in.iterate(obj, func(x goja.Value) { raw = append(raw, x) })
	} else {
		raw = []goja.Value{v}
	}
	var out []language.Tag
	for _, r := range raw {
		if _, isObj := r.(*goja.Object); !isObj {
			if _, isStr := r.Export().(string); !isStr {
				in.throwType(what + ": a locale must be a string, got " + describeValue(in.vm, r))
			}
		}
		s := r.String()
		t, err := language.Parse(s)
		if err != nil && t == language.Und {
			in.throwRange(what + ": incorrect locale information provided: " + quoteJS(s))
		}
		dup := false
		for _, o := range out {
			dup = dup || o == t
		}
		if !dup {
			out = append(out, t)
		}
	}
	return out
}

// resolveLocale picks the locale a formatter uses: the first requested tag
// x/text knows, else en-US.
func (in *instance) resolveLocale(v goja.Value, what string) language.Tag {
	for _, t := range in.localeList(v, what) {
		if b, conf := t.Base(); conf != language.No && b.String() != "und" {
			return t
		}
	}
	return defaultLocale
}

// intlOptions is GetOptionsObject/CoerceOptionsToObject: undefined is {}.
func (in *instance) intlOptions(v goja.Value, what string) *goja.Object {
	if v == nil || goja.IsUndefined(v) {
		return in.vm.NewObject()
	}
	if goja.IsNull(v) {
		in.throwType(what + ": options cannot be null")
	}
	return v.ToObject(in.vm)
}

func (in *instance) intlString(o *goja.Object, name, def string) string {
	v := o.Get(name)
	if v == nil || goja.IsUndefined(v) {
		return def
	}
	return v.String()
}

// intlEnum reads a string option that must be one of allowed (RangeError
// otherwise); def when absent.
func (in *instance) intlEnum(o *goja.Object, name, what, def string, allowed ...string) string {
	v := o.Get(name)
	if v == nil || goja.IsUndefined(v) {
		return def
	}
	s := v.String()
	for _, a := range allowed {
		if s == a {
			return s
		}
	}
	in.throwRange(what + ": option " + name + " must be one of " + strings.Join(allowed, ", ") + ", got " + quoteJS(s))
	return ""
}

// intlInt reads an integer option in [lo, hi] (RangeError otherwise).
func (in *instance) intlInt(o *goja.Object, name, what string, lo, hi, def int) int {
	v := o.Get(name)
	if v == nil || goja.IsUndefined(v) {
		return def
	}
	f := v.ToFloat()
	if math.IsNaN(f) || f < float64(lo) || f > float64(hi) {
		in.throwRange(what + ": option " + name + " must be between " + strconv.Itoa(lo) + " and " + strconv.Itoa(hi) + ", got " + v.String())
	}
	return int(math.Floor(f))
}

// intlClass defines Intl[name] as a native class with supportedLocalesOf.
func (in *instance) intlClass(intl *goja.Object, name string, construct func(goja.ConstructorCall) hostState) (*goja.Object, *goja.Object) {
	vm := in.vm
	ctor, p := in.nativeClass(name, 0, construct)
	// nativeClass defined it as a global too: Intl's classes live on Intl.
	_ = vm.GlobalObject().Delete(name)
	_ = intl.DefineDataProperty(name, ctor, goja.FLAG_TRUE, goja.FLAG_FALSE, goja.FLAG_TRUE)
	sup := vm.ToValue(func(fc goja.FunctionCall) goja.Value {
		var out []any
		for _, t := range in.localeList(fc.Argument(0), "Intl."+name+".supportedLocalesOf") {
			b, conf := t.Base()
			if conf == language.No || b.String() == "und" || (name == "DateTimeFormat" && b.String() != "en") {
				continue
			}
			out = append(out, t.String())
		}
		return vm.NewArray(out...)
	}).(*goja.Object)
	_ = sup.DefineDataProperty("name", vm.ToValue("supportedLocalesOf"), goja.FLAG_FALSE, goja.FLAG_TRUE, goja.FLAG_FALSE)
	_ = ctor.DefineDataProperty("supportedLocalesOf", sup, goja.FLAG_TRUE, goja.FLAG_FALSE, goja.FLAG_TRUE)
	in.toStringTag(p, "Intl."+name)
	return ctor, p
}

// boundCache holds the bound functions an Intl object's getters returned
// (format and compare are the same function each time they are read).
type boundCache struct{ bound map[string]goja.Value }

func (b *boundCache) boundFn(name string, make func() goja.Value) goja.Value {
	if f, ok := b.bound[name]; ok {
		return f
	}
	if b.bound == nil {
		b.bound = map[string]goja.Value{}
	}
	f := make()
	b.bound[name] = f
	return f
}

type boundCacher interface {
	boundFn(name string, make func() goja.Value) goja.Value
}

// boundGetter defines a getter returning a function bound to the instance
// (Intl's format and compare). fn checks the receiver and returns the
// function's body.
func (in *instance) boundGetter(p *goja.Object, name string, fn func(this goja.Value) func(goja.FunctionCall) goja.Value) {
	in.getter(p, name, func(fc goja.FunctionCall) goja.Value {
		body := fn(fc.This) // throws for a wrong receiver
		st, _ := in.stateOf(fc.This).(boundCacher)
		mk := func() goja.Value {
			f := in.vm.ToValue(body).(*goja.Object)
			_ = f.DefineDataProperty("name", in.vm.ToValue(""), goja.FLAG_FALSE, goja.FLAG_TRUE, goja.FLAG_FALSE)
			return f
		}
		if st == nil {
			return mk()
		}
		return st.boundFn(name, mk)
	})
}

// collator is a resolved Intl.Collator.
type collator struct {
	props
	boundCache
	locale      language.Tag
	usage       string
	sensitivity string
	numeric     bool
	ignorePunct bool
	c           *collate.Collator
}

func (in *instance) newCollator(locales, options goja.Value) *collator {
	const what = "Intl.Collator"
	tag := in.resolveLocale(locales, what)
	o := in.intlOptions(options, what)
	c := &collator{locale: tag}
	c.usage = in.intlEnum(o, "usage", what, "sort", "sort", "search")
	c.sensitivity = in.intlEnum(o, "sensitivity", what, "variant", "base", "accent", "case", "variant")
	if v := o.Get("ignorePunctuation"); v != nil && !goja.IsUndefined(v) {
		c.ignorePunct = v.ToBoolean()
	}
	if v := o.Get("numeric"); v != nil && !goja.IsUndefined(v) {
		c.numeric = v.ToBoolean()
	}
	in.intlEnum(o, "caseFirst", what, "false", "upper", "lower", "false")
	var opts []collate.Option
	switch c.sensitivity {
	case "base":
		opts = append(opts, collate.IgnoreCase, collate.IgnoreDiacritics)
	case "accent":
		opts = append(opts, collate.IgnoreCase)
	case "case":
		opts = append(opts, collate.IgnoreDiacritics)
	}
	if c.numeric {
		opts = append(opts, collate.Numeric)
	}
	if c.ignorePunct {
		opts = append(opts, collate.Loose)
	}
	c.c = collate.New(tag, opts...)
	return c
}

func (in *instance) installCollator(intl *goja.Object) {
	vm := in.vm
	_, p := in.intlClass(intl, "Collator", func(fc goja.ConstructorCall) hostState {
		return in.newCollator(fc.Argument(0), fc.Argument(1))
	})
	this := func(v goja.Value, what string) *collator {
		c, ok := in.stateOf(v).(*collator)
		if !ok {
			in.throwType("Illegal invocation: Intl.Collator.prototype." + what + " used on an object that is not an Intl.Collator")
		}
		return c
	}
	in.boundGetter(p, "compare", func(this0 goja.Value) func(goja.FunctionCall) goja.Value {
		c := this(this0, "compare")
		return func(fc goja.FunctionCall) goja.Value {
			return vm.ToValue(c.c.CompareString(fc.Argument(0).String(), fc.Argument(1).String()))
		}
	})
	in.method(p, "resolvedOptions", 0, func(fc goja.FunctionCall) goja.Value {
		c := this(fc.This, "resolvedOptions")
		o := vm.NewObject()
		_ = o.Set("locale", c.locale.String())
		_ = o.Set("usage", c.usage)
		_ = o.Set("sensitivity", c.sensitivity)
		_ = o.Set("ignorePunctuation", c.ignorePunct)
		_ = o.Set("collation", "default")
		_ = o.Set("numeric", c.numeric)
		_ = o.Set("caseFirst", "false")
		return o
	})
}

// pluralRules is a resolved Intl.PluralRules.
type pluralRules struct {
	props
	locale language.Tag
	typ    string
	nf     *numberFormat // the digits select() looks at
}

var pluralForms = map[plural.Form]string{
	plural.Zero: "zero", plural.One: "one", plural.Two: "two", plural.Few: "few", plural.Many: "many", plural.Other: "other",
}

// selectForm picks the plural category of x as the digits it shows.
func (pr *pluralRules) selectForm(x float64) string {
	if math.IsNaN(x) || math.IsInf(x, 0) {
		return "other"
	}
	digits, exp := decimalDigits(math.Abs(x))
	intPart, frac := pr.nf.round(digits, exp)
	i, _ := strconv.Atoi(strings.TrimLeft(intPart, "0") + "0")
	i /= 10
	if len(intPart) > 9 {
		i = 1000000 // large numbers: any "many"/"other"
	}
	v := len(frac)
	f, _ := strconv.Atoi("0" + frac)
	tf := strings.TrimRight(frac, "0")
	w := len(tf)
	t, _ := strconv.Atoi("0" + tf)
	rules := plural.Cardinal
	if pr.typ == "ordinal" {
		rules = plural.Ordinal
	}
	return pluralForms[rules.MatchPlural(pr.locale, i, v, w, f, t)]
}

func (in *instance) installPluralRules(intl *goja.Object) {
	vm := in.vm
	_, p := in.intlClass(intl, "PluralRules", func(fc goja.ConstructorCall) hostState {
		const what = "Intl.PluralRules"
		tag := in.resolveLocale(fc.Argument(0), what)
		o := in.intlOptions(fc.Argument(1), what)
		typ := in.intlEnum(o, "type", what, "cardinal", "cardinal", "ordinal")
		nf := in.newNumberFormat(vm.ToValue(tag.String()), o)
		return &pluralRules{locale: tag, typ: typ, nf: nf}
	})
	this := func(v goja.Value, what string) *pluralRules {
		pr, ok := in.stateOf(v).(*pluralRules)
		if !ok {
			in.throwType("Illegal invocation: Intl.PluralRules.prototype." + what + " used on an object that is not an Intl.PluralRules")
		}
		return pr
	}
	in.method(p, "select", 1, func(fc goja.FunctionCall) goja.Value {
		return vm.ToValue(this(fc.This, "select").selectForm(fc.Argument(0).ToFloat()))
	})
	in.method(p, "resolvedOptions", 0, func(fc goja.FunctionCall) goja.Value {
		pr := this(fc.This, "resolvedOptions")
		o := vm.NewObject()
		_ = o.Set("locale", pr.locale.String())
		_ = o.Set("type", pr.typ)
		_ = o.Set("minimumIntegerDigits", pr.nf.minInt)
		_ = o.Set("minimumFractionDigits", pr.nf.minFrac)
		_ = o.Set("maximumFractionDigits", pr.nf.maxFrac)
		// The categories the rules can give, in CLDR's order.
		seen := map[string]bool{}
		for n := 0; n <= 1000; n++ {
			seen[pr.selectForm(float64(n))] = true
		}
		for _, x := range []float64{0.5, 1.5, 2.5, 0.1, 1.1} {
			seen[pr.selectForm(x)] = true
		}
		var cats []any
		for _, c := range []string{"zero", "one", "two", "few", "many", "other"} {
			if seen[c] {
				cats = append(cats, c)
			}
		}
		_ = o.Set("pluralCategories", vm.NewArray(cats...))
		return o
	})
}

// installLocaleMethods replaces the builtins' toLocaleString family and
// localeCompare (goja's ignore their locales and options, and
// Number.prototype.toLocaleString("en-US") even reads the locale as a
// radix) with Intl's formatters. They are installed with every runtime, and
// install Intl only when first called.
func installLocaleMethods(in *instance) {
	vm := in.vm
	numberProto := in.builtinProto("Number")
	thisNumber := in.method0(numberProto, "valueOf")
	in.replace(numberProto, "toLocaleString", 0, func(fc goja.FunctionCall) goja.Value {
		x, err := thisNumber(fc.This)
		if err != nil {
			panic(err)
		}
		in.ensure("Intl")
		return vm.ToValue(joinParts(in.newNumberFormat(fc.Argument(0), fc.Argument(1)).parts(x.ToFloat())))
	})
	bigintProto := in.builtinProto("BigInt")
	thisBigInt := in.method0(bigintProto, "valueOf")
	in.replace(bigintProto, "toLocaleString", 0, func(fc goja.FunctionCall) goja.Value {
		x, err := thisBigInt(fc.This)
		if err != nil {
			panic(err)
		}
		in.ensure("Intl")
		return vm.ToValue(joinParts(in.newNumberFormat(fc.Argument(0), fc.Argument(1)).parts(in.numberValue(x))))
	})
	dateProto := in.builtinProto("Date")
	getTime := in.method0(dateProto, "getTime")
	for name, rd := range map[string][2]string{"toLocaleString": {"any", "all"}, "toLocaleDateString": {"date", "date"}, "toLocaleTimeString": {"time", "time"}} {
		name, rd := name, rd
		in.replace(dateProto, name, 0, func(fc goja.FunctionCall) goja.Value {
			t, err := getTime(fc.This)
			if err != nil {
				panic(err)
			}
			ms := t.ToFloat()
			if math.IsNaN(ms) {
				return vm.ToValue("Invalid Date")
			}
			in.ensure("Intl")
			return vm.ToValue(joinDT(in.newDateTimeFormat(fc.Argument(0), fc.Argument(1), rd[0], rd[1]).parts(ms)))
		})
	}
	strProto := in.builtinProto("String")
	in.replace(strProto, "localeCompare", 1, func(fc goja.FunctionCall) goja.Value {
		if goja.IsUndefined(fc.This) || goja.IsNull(fc.This) {
			in.throwType("String.prototype.localeCompare called on null or undefined")
		}
		in.ensure("Intl")
		c := in.defaultCollator
		if !goja.IsUndefined(fc.Argument(1)) || !goja.IsUndefined(fc.Argument(2)) || c == nil {
			c = in.newCollator(fc.Argument(1), fc.Argument(2))
			if goja.IsUndefined(fc.Argument(1)) && goja.IsUndefined(fc.Argument(2)) {
				in.defaultCollator = c
			}
		}
		return vm.ToValue(c.c.CompareString(fc.This.String(), fc.Argument(0).String()))
	})
}
