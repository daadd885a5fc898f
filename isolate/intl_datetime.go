package isolate

import (
	"fmt"
	"math"
	"strings"
	"time"
	_ "time/tzdata" // time zones for Intl.DateTimeFormat whatever the host has

	"github.com/dop251/goja"
)

// dateTimeFormat is a resolved Intl.DateTimeFormat. Dates are formatted
// with the en-US patterns of CLDR (the only locale edgefn formats dates
// for; any requested locale resolves to en-US).
type dateTimeFormat struct {
	props
	boundCache
	loc                  *time.Location
	tzName               string
	dateStyle, timeStyle string
	weekday, era         string
	year, month, day     string
	hour, minute, second string
	fractional           int
	tzDisplay            string // timeZoneName
	hour12               bool
}

var weekdayNames = []string{"Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"}
var monthNames = []string{"January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"}

// required ("any", "date", "time") and defaults ("date", "time", "all")
// are ECMA-402's ToDateTimeOptions arguments: format() and toLocaleString
// require any field, toLocaleDateString a date field, toLocaleTimeString a
// time field; what is filled in when the options name none.
func (in *instance) newDateTimeFormat(locales, options goja.Value, required, defaults string) *dateTimeFormat {
	in.resolveLocale(locales, "Intl.DateTimeFormat")
	o := in.intlOptions(options, "Intl.DateTimeFormat")
	const what = "Intl.DateTimeFormat"
	f := &dateTimeFormat{loc: time.UTC, tzName: "UTC", hour12: true}
	if tz := in.intlString(o, "timeZone", ""); tz != "" {
		switch up := strings.ToUpper(tz); up {
		case "UTC", "GMT", "ETC/UTC", "ETC/GMT", "Z":
		default:
			loc, err := time.LoadLocation(tz)
			if err != nil || strings.EqualFold(tz, "local") {
				in.throwRange(what + ": invalid time zone " + quoteJS(tz) + " (use an IANA name such as \"America/New_York\", or \"UTC\")")
			}
			f.loc, f.tzName = loc, loc.String()
		}
	}
	f.weekday = in.intlEnum(o, "weekday", what, "", "narrow", "short", "long")
	f.era = in.intlEnum(o, "era", what, "", "narrow", "short", "long")
	f.year = in.intlEnum(o, "year", what, "", "numeric", "2-digit")
	f.month = in.intlEnum(o, "month", what, "", "numeric", "2-digit", "narrow", "short", "long")
	f.day = in.intlEnum(o, "day", what, "", "numeric", "2-digit")
	f.hour = in.intlEnum(o, "hour", what, "", "numeric", "2-digit")
	f.minute = in.intlEnum(o, "minute", what, "", "numeric", "2-digit")
	f.second = in.intlEnum(o, "second", what, "", "numeric", "2-digit")
	f.fractional = in.intlInt(o, "fractionalSecondDigits", what, 1, 3, 0)
	f.tzDisplay = in.intlEnum(o, "timeZoneName", what, "", "short", "long", "shortOffset", "longOffset", "shortGeneric", "longGeneric")
	if v := o.Get("hour12"); v != nil && !goja.IsUndefined(v) {
		f.hour12 = v.ToBoolean()
	} else {
		switch in.intlEnum(o, "hourCycle", what, "", "h11", "h12", "h23", "h24") {
		case "h23", "h24":
			f.hour12 = false
		}
	}
	f.dateStyle = in.intlEnum(o, "dateStyle", what, "", "full", "long", "medium", "short")
	f.timeStyle = in.intlEnum(o, "timeStyle", what, "", "full", "long", "medium", "short")
	explicit := f.weekday != "" || f.era != "" || f.year != "" || f.month != "" || f.day != "" || f.hour != "" ||
		f.minute != "" || f.second != "" || f.fractional != 0 || f.tzDisplay != ""
	if (f.dateStyle != "" || f.timeStyle != "") && explicit {
		in.throwType(what + ": dateStyle and timeStyle cannot be combined with options for single fields (year, hour...)")
	}
	if f.dateStyle == "" && f.timeStyle == "" {
		// ToDateTimeOptions: defaults only when no field the method
		// requires is present.
		hasDate := f.weekday != "" || f.year != "" || f.month != "" || f.day != ""
		hasTime := f.hour != "" || f.minute != "" || f.second != "" || f.fractional != 0
		need := !hasDate && !hasTime
		switch required {
		case "date":
			need = !hasDate
		case "time":
			need = !hasTime
		}
		if need && (defaults == "date" || defaults == "all") {
			f.year, f.month, f.day = "numeric", "numeric", "numeric"
		}
		if need && (defaults == "time" || defaults == "all") {
			f.hour, f.minute, f.second = "numeric", "numeric", "numeric"
		}
	}
	return f
}

type dtPart struct{ typ, value string }

func pad2(n int) string { return fmt.Sprintf("%02d", n) }

// parts formats t (milliseconds since the epoch).
func (f *dateTimeFormat) parts(ms float64) []dtPart {
	sec := math.Floor(ms / 1000)
	t := time.Unix(int64(sec), int64((ms-sec*1000)*1e6)).In(f.loc)
	if f.dateStyle != "" || f.timeStyle != "" {
		return f.styled(t)
	}
	var out []dtPart
	lit := func(s string) { out = append(out, dtPart{"literal", s}) }
	add := func(typ, v string) { out = append(out, dtPart{typ, v}) }
	textMonth := f.month == "short" || f.month == "long" || f.month == "narrow"
	if f.weekday != "" {
		add("weekday", weekdayText(t.Weekday(), f.weekday))
		if f.year != "" || f.month != "" || f.day != "" {
			lit(", ")
		}
	}
	if textMonth {
		add("month", monthText(t.Month(), f.month))
		if f.day != "" {
			lit(" ")
			add("day", numText(t.Day(), f.day))
		}
		if f.year != "" {
			if f.day != "" {
				lit(", ")
			} else {
				lit(" ")
			}
			add("year", yearText(t.Year(), f.year))
		}
	} else {
		first := true
		sep := func() {
			if !first {
				lit("/")
			}
			first = false
		}
		if f.month != "" {
			sep()
			add("month", numText(int(t.Month()), f.month))
		}
		if f.day != "" {
			sep()
			add("day", numText(t.Day(), f.day))
		}
		if f.year != "" {
			sep()
			add("year", yearText(t.Year(), f.year))
		}
	}
	if f.era != "" {
		lit(" ")
		add("era", map[bool]string{true: "AD", false: "BC"}[t.Year() > 0])
	}
	if f.hour != "" || f.minute != "" || f.second != "" || f.fractional != 0 {
		if len(out) > 0 {
			lit(", ")
		}
		out = append(out, f.timeParts(t, f.hour != "", f.minute != "", f.second != "" || f.fractional != 0)...)
	}
	if f.tzDisplay != "" {
		if len(out) > 0 {
			lit(" ")
		}
		add("timeZoneName", f.zoneName(t, f.tzDisplay))
	}
	return out
}

// timeParts is h:mm:ss AM, or HH:mm:ss without hour12.
func (f *dateTimeFormat) timeParts(t time.Time, hour, minute, second bool) []dtPart {
	var out []dtPart
	add := func(typ, v string) { out = append(out, dtPart{typ, v}) }
	h := t.Hour()
	if hour {
		hv := h
		if f.hour12 {
			hv = h % 12
			if hv == 0 {
				hv = 12
			}
		}
		if f.hour == "2-digit" || (!f.hour12 && (minute || second)) {
			add("hour", pad2(hv))
		} else {
			add("hour", fmt.Sprint(hv))
		}
	}
	if minute {
		if hour {
			add("literal", ":")
		}
		if hour || f.minute == "2-digit" {
			add("minute", pad2(t.Minute()))
		} else {
			add("minute", fmt.Sprint(t.Minute()))
		}
	}
	if second {
		if hour || minute {
			add("literal", ":")
		}
		if hour || minute || f.second == "2-digit" {
			add("second", pad2(t.Second()))
		} else {
			add("second", fmt.Sprint(t.Second()))
		}
		if f.fractional > 0 {
			add("literal", ".")
			add("fractionalSecond", fmt.Sprintf("%03d", t.Nanosecond()/1e6)[:f.fractional])
		}
	}
	if hour && f.hour12 {
		add("literal", "\u202f")
		add("dayPeriod", map[bool]string{true: "AM", false: "PM"}[h < 12])
	}
	return out
}

// styled formats dateStyle/timeStyle.
func (f *dateTimeFormat) styled(t time.Time) []dtPart {
	var out []dtPart
	lit := func(s string) { out = append(out, dtPart{"literal", s}) }
	add := func(typ, v string) { out = append(out, dtPart{typ, v}) }
	switch f.dateStyle {
	case "full":
		add("weekday", weekdayNames[t.Weekday()])
		lit(", ")
		fallthrough
	case "long":
		add("month", monthNames[t.Month()-1])
		lit(" ")
		add("day", fmt.Sprint(t.Day()))
		lit(", ")
		add("year", fmt.Sprint(t.Year()))
	case "medium":
		add("month", monthNames[t.Month()-1][:3])
		lit(" ")
		add("day", fmt.Sprint(t.Day()))
		lit(", ")
		add("year", fmt.Sprint(t.Year()))
	case "short":
		add("month", fmt.Sprint(int(t.Month())))
		lit("/")
		add("day", fmt.Sprint(t.Day()))
		lit("/")
		add("year", yearText(t.Year(), "2-digit"))
	}
	if f.timeStyle == "" {
		return out
	}
	if f.dateStyle != "" {
		if f.dateStyle == "full" || f.dateStyle == "long" {
			lit(" at ")
		} else {
			lit(", ")
		}
	}
	g := *f
	g.hour, g.minute, g.second = "numeric", "2-digit", "2-digit"
	out = append(out, g.timeParts(t, true, true, f.timeStyle != "short")...)
	switch f.timeStyle {
	case "full":
		lit(" ")
		add("timeZoneName", f.zoneName(t, "long"))
	case "long":
		lit(" ")
		add("timeZoneName", f.zoneName(t, "short"))
	}
	return out
}

func weekdayText(d time.Weekday, style string) string {
	switch style {
	case "short":
		return weekdayNames[d][:3]
	case "narrow":
		return weekdayNames[d][:1]
	}
	return weekdayNames[d]
}

func monthText(m time.Month, style string) string {
	switch style {
	case "short":
		return monthNames[m-1][:3]
	case "narrow":
		return monthNames[m-1][:1]
	}
	return monthNames[m-1]
}

func numText(n int, style string) string {
	if style == "2-digit" {
		return pad2(n % 100)
	}
	return fmt.Sprint(n)
}

func yearText(y int, style string) string {
	if y <= 0 {
		y = 1 - y // years before 1 AD count back (with era BC)
	}
	if style == "2-digit" {
		return pad2(y % 100)
	}
	return fmt.Sprint(y)
}

// zoneName names t's zone: UTC, an abbreviation such as EST, or GMT+1.
func (f *dateTimeFormat) zoneName(t time.Time, style string) string {
	name, offset := t.Zone()
	if f.tzName == "UTC" {
		if style == "long" {
			return "Coordinated Universal Time"
		}
		return "UTC"
	}
	gmt := "GMT"
	if offset != 0 {
		sign := "+"
		if offset < 0 {
			sign, offset = "-", -offset
		}
		h, m := offset/3600, offset%3600/60
		if style == "longOffset" {
			gmt += fmt.Sprintf("%s%02d:%02d", sign, h, m)
		} else if m != 0 {
			gmt += fmt.Sprintf("%s%d:%02d", sign, h, m)
		} else {
			gmt += fmt.Sprintf("%s%d", sign, h)
		}
	}
	switch style {
	case "shortOffset", "longOffset":
		return gmt
	case "long", "longGeneric":
		return f.tzName
	}
	// Go's abbreviations for the zones that have letters (EST, CET);
	// the rest, as ICU shows them, by offset.
	if isLetters(name) && strings.HasPrefix(f.tzName, "America/") || name == "GMT" || name == "UTC" {
		return name
	}
	return gmt
}

// installDateTimeFormat adds Intl.DateTimeFormat to the Intl object.
func (in *instance) installDateTimeFormat(intl *goja.Object) {
	vm := in.vm
	_, p := in.intlClass(intl, "DateTimeFormat", func(fc goja.ConstructorCall) hostState {
		return in.newDateTimeFormat(fc.Argument(0), fc.Argument(1), "any", "date")
	})
	this := func(v goja.Value, what string) *dateTimeFormat {
		f, ok := in.stateOf(v).(*dateTimeFormat)
		if !ok {
			in.throwType("Illegal invocation: Intl.DateTimeFormat.prototype." + what + " used on an object that is not an Intl.DateTimeFormat")
		}
		return f
	}
	in.boundGetter(p, "format", func(this0 goja.Value) func(goja.FunctionCall) goja.Value {
		f := this(this0, "format")
		return func(fc goja.FunctionCall) goja.Value {
			return vm.ToValue(joinDT(f.parts(in.dateMillis(fc.Argument(0), "Intl.DateTimeFormat.format"))))
		}
	})
	in.method(p, "formatToParts", 1, func(fc goja.FunctionCall) goja.Value {
		f := this(fc.This, "formatToParts")
		parts := f.parts(in.dateMillis(fc.Argument(0), "Intl.DateTimeFormat.formatToParts"))
		np := make([]numPart, len(parts))
		for i, p := range parts {
			np[i] = numPart(p)
		}
		return in.partsArray(np)
	})
	in.method(p, "resolvedOptions", 0, func(fc goja.FunctionCall) goja.Value {
		f := this(fc.This, "resolvedOptions")
		o := vm.NewObject()
		_ = o.Set("locale", "en-US")
		_ = o.Set("calendar", "gregory")
		_ = o.Set("numberingSystem", "latn")
		_ = o.Set("timeZone", f.tzName)
		if f.hour != "" || f.timeStyle != "" {
			_ = o.Set("hourCycle", map[bool]string{true: "h12", false: "h23"}[f.hour12])
			_ = o.Set("hour12", f.hour12)
		}
		for _, kv := range [][2]string{{"weekday", f.weekday}, {"era", f.era}, {"year", f.year}, {"month", f.month}, {"day", f.day},
			{"hour", f.hour}, {"minute", f.minute}, {"second", f.second}, {"timeZoneName", f.tzDisplay},
			{"dateStyle", f.dateStyle}, {"timeStyle", f.timeStyle}} {
			if kv[1] != "" {
				_ = o.Set(kv[0], kv[1])
			}
		}
		return o
	})
}

func joinDT(parts []dtPart) string {
	var b strings.Builder
	for _, p := range parts {
		b.WriteString(p.value)
	}
	return b.String()
}

// dateMillis converts format()'s argument: a Date, a number, or undefined
// (now). An invalid date is a RangeError.
func (in *instance) dateMillis(v goja.Value, what string) float64 {
	var ms float64
	switch {
	case v == nil || goja.IsUndefined(v):
		ms = float64(time.Now().UnixMilli())
	default:
		if obj, ok := v.(*goja.Object); ok && obj.ClassName() == "Date" {
			r, err := in.method0(in.builtinProto("Date"), "getTime")(obj)
			if err != nil {
				panic(err)
			}
			ms = r.ToFloat()
		} else {
			ms = v.ToFloat()
		}
	}
	if math.IsNaN(ms) || math.IsInf(ms, 0) || math.Abs(ms) > 8.64e15 {
		in.throwRange(what + ": invalid time value (an Invalid Date cannot be formatted)")
	}
	return ms
}
