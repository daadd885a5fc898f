// performance (High Resolution Time, User Timing): now(), timeOrigin, and
// marks and measures.
(function (internal) {
  "use strict";
  internal.ensure("EventTarget");
  internal.ensure("structuredClone");
  const EventTarget = internal.EventTarget;
  const now = internal.now;
  const timeOrigin = internal.timeOrigin;
  const clone = internal.structuredClone;
  const defineProperty = Object.defineProperty;
  const TypeErr = TypeError;
  const kConstruct = Symbol("performance");
  // The spec's entry buffer has no bound; a runtime serves many requests,
  // so marks and measures a script never clears would grow without end.
  // Past this many, the oldest entries are dropped.
  const maxEntries = 10000;

  let entrySlots;
  class PerformanceEntry {
    #e;
    constructor(token = undefined, name, type, start, duration, detail) {
      if (token !== kConstruct) throw new TypeErr("Illegal constructor");
      this.#e = { name, type, start, duration, detail };
    }
    static {
      entrySlots = (v, what) => {
        if (v === null || typeof v !== "object" || !(#e in v)) {
          throw new TypeErr("Illegal invocation: PerformanceEntry." + what + " used on an object that is not a PerformanceEntry");
        }
        return v.#e;
      };
    }
    get name() { return entrySlots(this, "name").name; }
    get entryType() { return entrySlots(this, "entryType").type; }
    get startTime() { return entrySlots(this, "startTime").start; }
    get duration() { return entrySlots(this, "duration").duration; }
    toJSON() {
      const e = entrySlots(this, "toJSON");
      return { name: e.name, entryType: e.type, startTime: e.start, duration: e.duration };
    }
  }
  defineProperty(PerformanceEntry.prototype, Symbol.toStringTag, { value: "PerformanceEntry", configurable: true });

  function dict(v, what) {
    if (v === undefined || v === null) return {};
    if (typeof v !== "object" && typeof v !== "function") throw new TypeErr(what + " must be an object");
    return v;
  }
  function timestamp(v, what) {
    const n = Number(v);
    if (!Number.isFinite(n)) throw new TypeErr(what + " must be a finite number, got " + String(v));
    if (n < 0) throw new TypeErr(what + " cannot be negative, got " + String(v));
    return n;
  }

  class PerformanceMark extends PerformanceEntry {
    constructor(markName, markOptions = undefined) {
      if (arguments.length === 0) throw new TypeErr("PerformanceMark: 1 argument required, but only 0 present");
      const name = `${markName}`;
      const o = dict(markOptions, "PerformanceMark: markOptions");
      const start = o.startTime === undefined ? now() : timestamp(o.startTime, "PerformanceMark: startTime");
      const detail = o.detail === undefined ? null : clone(o.detail);
      super(kConstruct, name, "mark", start, 0, detail);
    }
    get detail() {
      if (!(this instanceof PerformanceMark)) entrySlots(null, "detail");
      return entrySlots(this, "detail").detail;
    }
  }
  defineProperty(PerformanceMark.prototype, Symbol.toStringTag, { value: "PerformanceMark", configurable: true });

  class PerformanceMeasure extends PerformanceEntry {
    constructor(token = undefined, name, start, duration, detail) {
      if (token !== kConstruct) throw new TypeErr("Illegal constructor");
      super(kConstruct, name, "measure", start, duration, detail);
    }
    get detail() {
      if (!(this instanceof PerformanceMeasure)) entrySlots(null, "detail");
      return entrySlots(this, "detail").detail;
    }
  }
  defineProperty(PerformanceMeasure.prototype, Symbol.toStringTag, { value: "PerformanceMeasure", configurable: true });

  let perfSlots;
  class Performance extends EventTarget {
    #entries = [];
    constructor(token = undefined) {
      if (token !== kConstruct) throw new TypeErr("Illegal constructor: use the global performance");
      super();
    }
    static {
      perfSlots = (v, what) => {
        if (v === null || typeof v !== "object" || !(#entries in v)) {
          throw new TypeErr("Illegal invocation: Performance." + what + " used on an object that is not a Performance");
        }
        return v;
      };
      internal.performanceEntries = (p) => p.#entries;
    }
    now() {
      perfSlots(this, "now");
      return now();
    }
    get timeOrigin() {
      perfSlots(this, "timeOrigin");
      return timeOrigin;
    }
    toJSON() {
      perfSlots(this, "toJSON");
      return { timeOrigin };
    }
    mark(markName, markOptions = undefined) {
      const p = perfSlots(this, "mark");
      if (arguments.length === 0) throw new TypeErr("performance.mark: 1 argument required, but only 0 present");
      const m = new PerformanceMark(markName, markOptions);
      add(p, m);
      return m;
    }
    measure(measureName, startOrMeasureOptions = undefined, endMark = undefined) {
      const p = perfSlots(this, "measure");
      if (arguments.length === 0) throw new TypeErr("performance.measure: 1 argument required, but only 0 present");
      const name = `${measureName}`;
      let opts;
      if (startOrMeasureOptions !== null && typeof startOrMeasureOptions === "object") {
        const o = startOrMeasureOptions;
        opts = { start: o.start, duration: o.duration, end: o.end, detail: o.detail };
        const nonEmpty = opts.start !== undefined || opts.duration !== undefined || opts.end !== undefined || opts.detail !== undefined;
        if (nonEmpty) {
          if (endMark !== undefined) throw new TypeErr("performance.measure: an end mark cannot be given with measure options");
          if (opts.start === undefined && opts.end === undefined) throw new TypeErr("performance.measure: the options need a start or an end");
          if (opts.start !== undefined && opts.duration !== undefined && opts.end !== undefined) {
            throw new TypeErr("performance.measure: the options cannot have start, duration and end all together");
          }
        } else {
          opts = undefined;
        }
      }
      let end;
      if (endMark !== undefined) end = toTimestamp(p, endMark);
      else if (opts !== undefined && opts.end !== undefined) end = toTimestamp(p, opts.end);
      else if (opts !== undefined && opts.start !== undefined && opts.duration !== undefined) {
        end = toTimestamp(p, opts.start) + timestamp(opts.duration, "performance.measure: duration");
      } else end = now();
      let start;
      if (opts !== undefined && opts.start !== undefined) start = toTimestamp(p, opts.start);
      else if (opts !== undefined && opts.duration !== undefined && opts.end !== undefined) {
        start = end - timestamp(opts.duration, "performance.measure: duration");
      } else if (opts === undefined && startOrMeasureOptions !== undefined && startOrMeasureOptions !== null) {
        start = toTimestamp(p, `${startOrMeasureOptions}`);
      } else start = 0;
      const detail = opts === undefined || opts.detail === undefined ? null : clone(opts.detail);
      const m = new PerformanceMeasure(kConstruct, name, start, end - start, detail);
      add(p, m);
      return m;
    }
    getEntries() {
      return internal.performanceEntries(perfSlots(this, "getEntries")).slice().sort(byStart);
    }
    getEntriesByType(type) {
      const t = `${type}`;
      return internal.performanceEntries(perfSlots(this, "getEntriesByType")).filter((e) => e.entryType === t).sort(byStart);
    }
    getEntriesByName(name, type = undefined) {
      const n = `${name}`;
      const t = type === undefined ? undefined : `${type}`;
      return internal.performanceEntries(perfSlots(this, "getEntriesByName"))
        .filter((e) => e.name === n && (t === undefined || e.entryType === t)).sort(byStart);
    }
    clearMarks(markName = undefined) {
      clear(perfSlots(this, "clearMarks"), "mark", markName);
    }
    clearMeasures(measureName = undefined) {
      clear(perfSlots(this, "clearMeasures"), "measure", measureName);
    }
  }
  defineProperty(Performance.prototype, Symbol.toStringTag, { value: "Performance", configurable: true });

  function byStart(a, b) {
    return a.startTime - b.startTime;
  }
  function add(p, entry) {
    const list = internal.performanceEntries(p);
    list.push(entry);
    if (list.length > maxEntries) list.splice(0, list.length - maxEntries);
  }
  function clear(p, type, name) {
    const list = internal.performanceEntries(p);
    const n = name === undefined ? undefined : `${name}`;
    let j = 0;
    for (let i = 0; i < list.length; i++) {
      const e = list[i];
      if (e.entryType === type && (n === undefined || e.name === n)) continue;
      list[j++] = e;
    }
    list.length = j;
  }
  // A mark name or a timestamp, as measure() converts them.
  function toTimestamp(p, v) {
    if (typeof v === "number") return timestamp(v, "performance.measure: a timestamp");
    const name = `${v}`;
    const list = internal.performanceEntries(p);
    for (let i = list.length - 1; i >= 0; i--) {
      const e = list[i];
      if (e.entryType === "mark" && e.name === name) return e.startTime;
    }
    throw internal.domException("SyntaxError", "performance.measure: there is no mark named " + JSON.stringify(name));
  }

  const performance = new Performance(kConstruct);
  internal.defineGlobal("Performance", Performance);
  internal.defineGlobal("PerformanceEntry", PerformanceEntry);
  internal.defineGlobal("PerformanceMark", PerformanceMark);
  internal.defineGlobal("PerformanceMeasure", PerformanceMeasure);
  internal.defineGlobal("performance", performance);
});
