// Timers run in the order HTML gives them, even when the loop was busy past
// all their deadlines (their Go timers then post their fires in no
// particular order).
function busy(ms) { const end = performance.now() + ms; while (performance.now() < end); }

// Delays set out of order, all passed while the loop is busy. HTML's rule:
// a timer runs after every timer set before it with an equal or shorter
// delay (edgefn runs them by due time, which keeps that rule).
const ran = [];
const delays = [];
for (let i = 0; i < 40; i++) delays.push((i * 17) % 40);
await new Promise((resolve) => {
  let left = delays.length;
  delays.forEach((d, i) => setTimeout(() => { ran.push(i); if (--left === 0) resolve(); }, d));
  busy(60);
});
const pos = [];
ran.forEach((i, at) => { pos[i] = at; });
const broken = [];
for (let a = 0; a < delays.length; a++) {
  for (let b = a + 1; b < delays.length; b++) {
    if (delays[a] <= delays[b] && pos[a] > pos[b]) broken.push(delays[a] + "ms before " + delays[b] + "ms");
  }
}
console.log("by delay and order set:", ran.length, "ran,", broken.length ? "broken: " + broken.join(", ") : "in order");

// Equal delays run in the order they were set.
const same = [];
await new Promise((resolve) => {
  for (let i = 0; i < 30; i++) setTimeout(() => { same.push(i); if (same.length === 30) resolve(); }, 3);
  busy(20);
});
console.log("equal delays:", same.every((v, i) => v === i) ? "in order" : "out of order: " + same.join(","));

// A 1 ms timer set before a 5 ms one runs first, however late both are.
const pair = [];
await new Promise((resolve) => {
  setTimeout(() => pair.push("1ms"), 1);
  setTimeout(() => { pair.push("5ms"); resolve(); }, 5);
  busy(15);
});
console.log("1 ms before 5 ms:", pair.join(" "));

// A timer cleared by an earlier one does not run; an interval keeps its
// place among timeouts.
const log = [];
await new Promise((resolve) => {
  let b;
  setTimeout(() => { log.push("a"); clearTimeout(b); }, 2);
  b = setTimeout(() => log.push("b (cleared, must not run)"), 4);
  let n = 0;
  const iv = setInterval(() => { log.push("interval " + ++n); if (n === 3) { clearInterval(iv); resolve(); } }, 5);
  setTimeout(() => log.push("c"), 6);
  busy(12);
});
console.log(log.join(" | "));
