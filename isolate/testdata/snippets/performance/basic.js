const t0 = performance.now();
let x = 0;
for (let i = 0; i < 10000; i++) x += i;
const t1 = performance.now();
console.log(String(performance), performance instanceof EventTarget, typeof t0, t0 >= 0, t1 >= t0);
// timeOrigin + now() is about Date.now().
console.log(Math.abs(performance.timeOrigin + performance.now() - Date.now()) < 1000, JSON.stringify(Object.keys(performance.toJSON())));
// performance.now advances across a timer.
const before = performance.now();
await new Promise((r) => setTimeout(r, 15));
console.log(performance.now() - before >= 10);
// Marks and measures.
const m = performance.mark("start", { detail: { step: 1 } });
console.log(String(m), m instanceof PerformanceEntry, m.name, m.entryType, m.duration, JSON.stringify(m.detail), typeof m.startTime);
performance.mark("end", { startTime: m.startTime + 5 });
const ms = performance.measure("work", "start", "end");
console.log(String(ms), ms.entryType, Math.round(ms.duration * 1000) / 1000, ms.startTime === m.startTime, ms.detail);
const mo = performance.measure("opts", { start: 10, duration: 5, detail: [1] });
console.log(mo.startTime, mo.duration, JSON.stringify(mo.detail));
console.log(performance.measure("to-now", "start").duration >= 0, performance.measure("all").startTime);
console.log(performance.getEntriesByType("mark").map((e) => e.name).join(","), performance.getEntriesByName("work").length, performance.getEntries().length);
console.log(JSON.stringify(performance.getEntriesByName("opts")[0]));
performance.clearMarks("start");
console.log(performance.getEntriesByType("mark").map((e) => e.name).join(","));
performance.clearMarks();
performance.clearMeasures();
console.log(performance.getEntries().length);
// PerformanceMark can be constructed; the detail is a structured clone.
const detail = { a: 1 };
const pm = new PerformanceMark("made", { detail, startTime: 3 });
console.log(pm.startTime, pm.detail !== detail, JSON.stringify(pm.detail), performance.getEntries().length);
for (const f of [
  () => performance.measure("x", "no-such-mark"),
  () => performance.measure("x", { start: 1 }, "end"),
  () => performance.measure("x", { duration: 1 }),
  () => performance.measure("x", { start: 1, duration: 1, end: 3 }),
  () => performance.mark("x", { startTime: -1 }),
  () => performance.mark("x", { detail: () => 1 }),
  () => new Performance(),
  () => new PerformanceEntry(),
  () => new PerformanceMeasure(),
  () => performance.now.call({}),
]) {
  try { f(); console.log("no error"); } catch (err) { console.log(err.name + ": " + err.message); }
}
