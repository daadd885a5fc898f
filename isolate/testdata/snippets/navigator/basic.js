console.log(String(navigator), navigator.userAgent, navigator.hardwareConcurrency, navigator.language, JSON.stringify(navigator.languages), Object.isFrozen(navigator.languages));
console.log(navigator instanceof Navigator, navigator.userAgent.startsWith("edgefn"));
for (const f of [() => new Navigator(), () => Object.getOwnPropertyDescriptor(Navigator.prototype, "userAgent").get.call({})]) {
  try { f(); console.log("no error"); } catch (err) { console.log(err.name + ": " + err.message); }
}
