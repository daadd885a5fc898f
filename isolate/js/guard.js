// Memory guard for builtins that allocate in one native step. goja has no
// heap limit: 'x'.repeat(2 ** 40) would ask Go for a terabyte at once and
// kill the process. Each wrapper checks the size it is about to allocate
// against the deployment's memory limit and throws a RangeError instead.
// Gradual growth (string doubling in a loop, arrays built element by
// element) is stopped by the host's heap watcher, which interrupts the turn.
(function (internal) {
  "use strict";
  const limit = internal.memoryLimit; // bytes
  const maxChars = Math.floor(limit / 2); // UTF-16 worst case
  const maxElements = Math.floor(limit / 16); // a goja array slot
  const mib = (n) => (n / 1048576).toFixed(0) + " MiB";
  const apply = Reflect.apply;
  const construct = Reflect.construct;

  function tooBig(what, n, unit, max) {
    throw new RangeError(
      `${what}: ${n} ${unit} exceed the memory limit (at most ${max} ${unit} within ${mib(limit)})`);
  }

  function wrap(obj, name, check) {
    const orig = obj[name];
    const desc = Object.getOwnPropertyDescriptor(obj, name);
    const w = {
      [name](...args) {
        check(this, args);
        return apply(orig, this, args);
      },
    }[name];
    Object.defineProperty(w, "length", { value: orig.length });
    desc.value = w;
    Object.defineProperty(obj, name, desc);
  }

  const strLen = (s) => (s === null || s === undefined ? 0 : String(s).length);
  const toInt = (v) => {
    const n = Math.trunc(Number(v));
    return Number.isNaN(n) ? 0 : n;
  };

  wrap(String.prototype, "repeat", (self, [count]) => {
    const n = toInt(count) * strLen(self);
    if (n > maxChars) tooBig("String.prototype.repeat", n, "characters", maxChars);
  });
  for (const name of ["padStart", "padEnd"]) {
    wrap(String.prototype, name, (self, [len]) => {
      const n = toInt(len);
      if (n > maxChars) tooBig("String.prototype." + name, n, "characters", maxChars);
    });
  }
  wrap(Array.prototype, "join", (self, [sep]) => {
    const len = self === null || self === undefined ? 0 : toInt(self.length);
    const n = Math.max(0, len - 1) * (sep === undefined ? 1 : strLen(sep));
    if (len > maxElements) tooBig("Array.prototype.join", len, "elements", maxElements);
    if (n > maxChars) tooBig("Array.prototype.join", n, "characters", maxChars);
  });

  // fill writes every slot in a native loop: bound it, and do it in chunks
  // so a CPU-limit interrupt is seen between them.
  const origFill = Array.prototype.fill;
  const fillChunk = 1 << 16;
  const fill = {
    fill(value, start = undefined, end = undefined) {
      const len = this === null || this === undefined ? 0 : toInt(this.length);
      let k = start === undefined ? 0 : toInt(start);
      k = k < 0 ? Math.max(len + k, 0) : Math.min(k, len);
      let fin = end === undefined ? len : toInt(end);
      fin = fin < 0 ? Math.max(len + fin, 0) : Math.min(fin, len);
      if (fin - k > maxElements) tooBig("Array.prototype.fill", fin - k, "elements", maxElements);
      if (fin - k <= fillChunk) return apply(origFill, this, [value, k, fin]);
      for (; k < fin; k += fillChunk) {
        apply(origFill, this, [value, k, Math.min(k + fillChunk, fin)]);
        if (internal.killPending()) break;
      }
      return this;
    },
  }.fill;
  Object.defineProperty(fill, "length", { value: 1 });
  Object.defineProperty(Array.prototype, "fill", { value: fill, writable: true, configurable: true, enumerable: false });

  wrap(Array, "from", (self, [items]) => {
    if (items !== null && typeof items === "object" && typeof items[Symbol.iterator] !== "function") {
      const len = toInt(items.length);
      if (len > maxElements) tooBig("Array.from", len, "elements", maxElements);
    }
  });

  // Buffers and typed arrays allocate their whole size up front.
  function guardCtor(name, bytesOf) {
    const C = globalThis[name];
    if (typeof C !== "function") return;
    const P = new Proxy(C, {
      construct(target, args, newTarget) {
        const n = bytesOf(args, C);
        if (n > limit) tooBig(name, n, "bytes", limit);
        return construct(target, args, newTarget === P ? target : newTarget);
      },
    });
    Object.defineProperty(C.prototype, "constructor", { value: P, writable: true, configurable: true, enumerable: false });
    internal.defineGlobal(name, P);
  }
  const bufferBytes = ([len]) => (typeof len === "number" ? toInt(len) : 0);
  guardCtor("ArrayBuffer", bufferBytes);
  guardCtor("SharedArrayBuffer", bufferBytes);
  const typed = ["Int8Array", "Uint8Array", "Uint8ClampedArray", "Int16Array", "Uint16Array", "Int32Array",
    "Uint32Array", "Float32Array", "Float64Array", "BigInt64Array", "BigUint64Array"];
  for (const name of typed) {
    guardCtor(name, ([a], C) => {
      if (typeof a === "number") return toInt(a) * C.BYTES_PER_ELEMENT;
      if (a !== null && typeof a === "object" && !(a instanceof ArrayBuffer) &&
        typeof a[Symbol.iterator] !== "function") {
        return toInt(a.length) * C.BYTES_PER_ELEMENT;
      }
      return 0;
    });
  }
});
