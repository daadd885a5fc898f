const order = [];
setTimeout(() => order.push("timeout"), 0);
Promise.resolve().then(() => order.push("promise 1"));
queueMicrotask(() => order.push("microtask 1"));
queueMicrotask(() => {
  order.push("microtask 2");
  queueMicrotask(() => order.push("nested microtask"));
});
Promise.resolve().then(() => order.push("promise 2"));
order.push("sync");
await new Promise((r) => setTimeout(r, 5));
console.log(order.join(", "));
// An exception in a microtask is reported; the others still run.
queueMicrotask(() => { throw new Error("microtask failed"); });
queueMicrotask(() => console.log("after the failing microtask"));
await new Promise((r) => setTimeout(r, 1));
for (const f of [() => queueMicrotask(), () => queueMicrotask("x")]) {
  try { f(); console.log("no error"); } catch (err) { console.log(err.name + ": " + err.message); }
}
