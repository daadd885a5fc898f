const d = new Date(Date.UTC(2024, 0, 5, 15, 4, 5));
console.log(typeof Intl, (1234567.891).toLocaleString(), (1234567.891).toLocaleString("de-DE"), d.toLocaleString(), d.toLocaleDateString(), d.toLocaleTimeString());
console.log("ä".localeCompare("z"), "a".localeCompare("B"), ["b","a","C","ä"].sort((a,b)=>a.localeCompare(b)).join(), (12345n).toLocaleString(), [1234.5, d].toLocaleString());
const nf = new Intl.NumberFormat("en-US", { style: "currency", currency: "USD" });
console.log(nf.format(1234.5), nf.format(-0.005), nf.format(0), new Intl.NumberFormat("de-DE", { style: "currency", currency: "EUR" }).format(1234.5), new Intl.NumberFormat("ja-JP", { style: "currency", currency: "JPY" }).format(1234.5));
console.log(new Intl.NumberFormat().format(2.5), new Intl.NumberFormat("en", {maximumFractionDigits: 0}).format(2.5), new Intl.NumberFormat("en", {maximumFractionDigits: 2}).format(0.125), new Intl.NumberFormat("en", {style: "percent"}).format(0.256), new Intl.NumberFormat("en-IN").format(12345678.9));
console.log(new Intl.NumberFormat("en", {notation: "compact"}).format(1234), new Intl.NumberFormat("en", {notation: "compact"}).format(12345), new Intl.NumberFormat("en", {notation: "compact"}).format(123456), new Intl.NumberFormat("en", {notation: "compact"}).format(1234567), new Intl.NumberFormat("en", {notation: "compact", compactDisplay: "long"}).format(2500000));
console.log(new Intl.NumberFormat("en", {minimumFractionDigits: 2}).format(5), new Intl.NumberFormat("en", {maximumSignificantDigits: 3}).format(123456), new Intl.NumberFormat("en", {minimumIntegerDigits: 3}).format(5), new Intl.NumberFormat("en", {signDisplay: "always"}).format(5), new Intl.NumberFormat("en").format(NaN), new Intl.NumberFormat("en").format(-Infinity), new Intl.NumberFormat("en").format(1e21));
console.log(JSON.stringify(nf.formatToParts(-1234.5)));
console.log(new Intl.DateTimeFormat("en-US", { dateStyle: "full", timeStyle: "long" }).format(d), "|", new Intl.DateTimeFormat("en-US", { dateStyle: "medium" }).format(d), "|", new Intl.DateTimeFormat(undefined, { dateStyle: "short", timeStyle: "short", timeZone: "America/New_York" }).format(d));
console.log(new Intl.DateTimeFormat("en-US", { year: "numeric", month: "long", day: "numeric" }).format(d), "|", new Intl.DateTimeFormat("en-US", { month: "short", day: "numeric" }).format(d), "|", new Intl.DateTimeFormat("en-US", { weekday: "long" }).format(d), "|", new Intl.DateTimeFormat("en-US", { hour: "2-digit", minute: "2-digit" }).format(d), "|", new Intl.DateTimeFormat("en-US", { hour: "numeric", minute: "2-digit", hour12: false }).format(d));
console.log(new Intl.DateTimeFormat().resolvedOptions().timeZone, new Intl.DateTimeFormat("en-US", {timeZoneName: "short", hour: "numeric", timeZone: "Europe/Berlin"}).format(d));
const pr = new Intl.PluralRules("en-US"); const po = new Intl.PluralRules("en-US", {type: "ordinal"});
console.log(pr.select(1), pr.select(2), pr.select(0), pr.select(1.5), po.select(1), po.select(2), po.select(3), po.select(11), po.select(22), JSON.stringify(po.resolvedOptions().pluralCategories));
const col = new Intl.Collator("en", {sensitivity: "base"});
console.log(col.compare("a", "A"), col.compare("a", "á"), ["item10","item9","item1"].sort(new Intl.Collator("en", {numeric: true}).compare).join());
console.log(JSON.stringify(Intl.getCanonicalLocales(["EN-us", "de"])), JSON.stringify(Intl.DateTimeFormat.supportedLocalesOf(["en-GB", "fr"])), nf.format === nf.format);
// Every toLocale* method agrees with Intl.
console.log((0.1 + 0.2).toLocaleString("en-US", { maximumFractionDigits: 2 }), (5).toLocaleString("en-US", { style: "currency", currency: "EUR" }), d.toLocaleDateString("en-US", { weekday: "short", month: "short", day: "numeric", year: "numeric" }));
console.log(d.toLocaleTimeString("en-US", { timeZone: "Asia/Tokyo", hour: "2-digit", minute: "2-digit" }), d.toLocaleString("en-US", { timeZone: "UTC", timeZoneName: "short" }), new Date(NaN).toLocaleString());
console.log(JSON.stringify(new Intl.NumberFormat("en-US", { style: "currency", currency: "USD" }).resolvedOptions()));
console.log(JSON.stringify(new Intl.DateTimeFormat("fr-FR", { dateStyle: "long" }).resolvedOptions()));
console.log(String(new Intl.NumberFormat()), Object.prototype.toString.call(Intl), typeof Intl.NumberFormat.supportedLocalesOf);
for (const f of [
  () => new Intl.NumberFormat("en", { style: "currency" }),
  () => new Intl.NumberFormat("en", { style: "currency", currency: "US" }),
  () => new Intl.NumberFormat("en", { maximumFractionDigits: 101 }),
  () => new Intl.NumberFormat("en", { minimumFractionDigits: 3, maximumFractionDigits: 1 }),
  () => new Intl.NumberFormat("en", { style: "bogus" }),
  () => new Intl.NumberFormat("not a locale!"),
  () => new Intl.NumberFormat(5),
  () => new Intl.DateTimeFormat("en", { timeZone: "Mars/Olympus" }),
  () => new Intl.DateTimeFormat("en", { dateStyle: "full", hour: "numeric" }),
  () => new Intl.DateTimeFormat("en").format(new Date(NaN)),
  () => Intl.NumberFormat.prototype.format,
  () => (1).toLocaleString("en", { style: "currency" }),
]) {
  try { f(); console.log("no error"); } catch (err) { console.log(err.name + ": " + err.message); }
}
