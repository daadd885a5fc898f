// AbortController and AbortSignal (WHATWG DOM).
(function (internal) {
  "use strict";
  internal.ensure("EventTarget");
  internal.ensure("WeakRef");
  const EventTarget = internal.EventTarget;
  const Event = internal.Event;
  const defineProperty = Object.defineProperty;
  const TypeErr = TypeError;
  const weakRef = internal.weakRef;
  const weakDeref = internal.weakDeref;
  const kConstruct = Symbol("AbortSignal");

  // A source holds its dependent signals (AbortSignal.any) in entries
  // {ref, strong}: weakly, so that a long-lived source does not keep every
  // signal made from it alive, and strongly (strong: the dependent) while
  // something listens for the dependent's abort, since the DOM says such a
  // signal must not be collected while a source may still abort it. When all
  // its sources are garbage, nothing can abort it, and it may go too.

  let signalSlots;
  class AbortSignal extends EventTarget {
    #s = {
      aborted: false,
      reason: undefined,
      algorithms: null, // Set of functions run on abort, before the event
      dependent: false,
      sources: null, // array of source signals (strong, as the spec's weak set may be)
      dependents: null, // array of entries {ref, strong} of dependent signals
      entries: null, // this dependent's entries in its sources' dependents
      handler: null, // the onabort value
      handlerListener: null,
      listening: false, // an "abort" listener is registered
      self: null,
    };
    constructor(token = undefined) {
      if (token !== kConstruct) throw new TypeErr("Illegal constructor: use new AbortController().signal, AbortSignal.abort(), AbortSignal.timeout() or AbortSignal.any()");
      super();
      this.#s.self = this;
      internal.eventTargetOnChange(this, onListenersChange);
    }
    static {
      signalSlots = (v) => (v !== null && typeof v === "object" && #s in v ? v.#s : undefined);
    }
    static abort(reason = undefined) {
      const s = new AbortSignal(kConstruct).#s;
      s.aborted = true;
      s.reason = reason === undefined ? abortError() : reason;
      return s.self;
    }
    static timeout(milliseconds) {
      const ms = enforceRange(milliseconds, "AbortSignal.timeout: milliseconds");
      const signal = new AbortSignal(kConstruct);
      internal.abortTimer(ms, () => {
        signalAbort(signal.#s, internal.domException("TimeoutError", "The operation timed out: AbortSignal.timeout(" + ms + ") elapsed"));
      });
      return signal;
    }
    static any(signals) {
      if (signals === null || (typeof signals !== "object" && typeof signals !== "function") || typeof signals[Symbol.iterator] !== "function") {
        throw new TypeErr("AbortSignal.any: the argument must be an iterable of AbortSignals");
      }
      const list = [];
      for (const v of signals) {
        const s = signalSlots(v);
        if (s === undefined) throw new TypeErr("AbortSignal.any: every item must be an AbortSignal, got " + (v === null ? "null" : typeof v));
        list.push(s);
      }
      const result = new AbortSignal(kConstruct).#s;
      for (const s of list) {
        if (s.aborted) {
          result.aborted = true;
          result.reason = s.reason;
          return result.self;
        }
      }
      result.dependent = true;
      result.sources = [];
      for (const s of list) {
        if (!s.dependent) addSource(result, s);
        else for (const src of s.sources) addSource(result, src);
      }
      return result.self;
    }
    get aborted() {
      return thisSignal(this, "aborted").aborted;
    }
    get reason() {
      return thisSignal(this, "reason").reason;
    }
    throwIfAborted() {
      const s = thisSignal(this, "throwIfAborted");
      if (s.aborted) throw s.reason;
    }
    get onabort() {
      return thisSignal(this, "onabort").handler;
    }
    set onabort(v) {
      const s = thisSignal(this, "onabort");
      // [LegacyTreatNonObjectAsNull]
      const h = v !== null && (typeof v === "object" || typeof v === "function") ? v : null;
      s.handler = h;
      if (h !== null && s.handlerListener === null) {
        s.handlerListener = function (event) {
          const fn = s.handler;
          if (typeof fn !== "function") return;
          const ret = fn.call(this, event);
          if (ret === false) event.preventDefault();
        };
        s.self.addEventListener("abort", s.handlerListener);
      } else if (h === null && s.handlerListener !== null) {
        s.self.removeEventListener("abort", s.handlerListener);
        s.handlerListener = null;
      }
    }
  }
  defineProperty(AbortSignal.prototype, Symbol.toStringTag, { value: "AbortSignal", configurable: true });

  function thisSignal(v, what) {
    const s = signalSlots(v);
    if (s === undefined) throw new TypeErr("Illegal invocation: AbortSignal." + what + " used on an object that is not an AbortSignal");
    return s;
  }

  function abortError() {
    return internal.domException("AbortError", "The operation was aborted");
  }

  // [EnforceRange] unsigned long long.
  function enforceRange(v, what) {
    const n = Number(v);
    if (!Number.isFinite(n)) throw new TypeErr(what + " must be a finite number, got " + String(v));
    const i = Math.trunc(n);
    if (i < 0 || i > Number.MAX_SAFE_INTEGER) throw new TypeErr(what + " is outside the range 0 to 2^53-1: " + String(v));
    return i;
  }

  function addSource(result, src) {
    if (result.sources.includes(src)) return;
    result.sources.push(src);
    if (src.dependents === null) src.dependents = [];
    const deps = src.dependents;
    const entry = { ref: weakRef(result.self), strong: null };
    deps.push(entry);
    if (result.entries === null) result.entries = [];
    result.entries.push(entry);
    // Drop the entries of signals already collected or aborted, so a
    // long-lived source (a module-level controller) does not grow without
    // bound.
    if (deps.length >= 16 && (deps.length & (deps.length - 1)) === 0) {
      let j = 0;
      for (let i = 0; i < deps.length; i++) {
        const d = entryTarget(deps[i]);
        if (d !== undefined && !signalSlots(d).aborted) deps[j++] = deps[i];
      }
      deps.length = j;
    }
  }

  function entryTarget(e) {
    return e.strong !== null ? e.strong : weakDeref(e.ref);
  }

  // updateLive makes a dependent's entries strong while it has abort
  // listeners or algorithms and is not aborted, weak otherwise.
  function updateLive(s) {
    if (s.entries === null) return;
    const keep = !s.aborted && (s.listening || (s.algorithms !== null && s.algorithms.size > 0));
    const strong = keep ? s.self : null;
    for (const e of s.entries) e.strong = strong;
  }

  // Called by EventTarget (this: the signal) when its listeners change.
  function onListenersChange(type, count) {
    if (type !== "abort") return;
    const s = signalSlots(this);
    s.listening = count > 0;
    updateLive(s);
  }

  // signal abort (DOM): the reason is set on this signal and its
  // dependents first, then each runs its algorithms and fires "abort".
  function signalAbort(s, reason) {
    if (s.aborted) return;
    s.aborted = true;
    s.reason = reason === undefined ? abortError() : reason;
    const toAbort = [];
    if (s.dependents !== null) {
      for (const e of s.dependents) {
        const d = entryTarget(e);
        if (d === undefined) continue;
        const ds = signalSlots(d);
        if (ds.aborted) continue;
        ds.aborted = true;
        ds.reason = s.reason;
        toAbort.push(ds);
      }
      s.dependents = null;
    }
    runAbortSteps(s);
    for (const ds of toAbort) runAbortSteps(ds);
  }

  function runAbortSteps(s) {
    const algs = s.algorithms;
    s.algorithms = null;
    if (algs !== null) {
      for (const fn of algs) {
        try {
          fn(s.reason);
        } catch (e) {
          internal.reportError(e, "an AbortSignal abort algorithm");
        }
      }
    }
    internal.dispatchTrusted(s.self, new Event("abort"));
    updateLive(s);
  }

  let controllerSignal;
  class AbortController {
    #signal = new AbortSignal(kConstruct);
    static {
      controllerSignal = (v) => (v !== null && typeof v === "object" && #signal in v ? v.#signal : undefined);
    }
    get signal() {
      return thisController(this, "signal");
    }
    abort(reason = undefined) {
      signalAbort(signalSlots(thisController(this, "abort")), reason);
    }
  }
  defineProperty(AbortController.prototype, Symbol.toStringTag, { value: "AbortController", configurable: true });
  function thisController(v, what) {
    const sig = controllerSignal(v);
    if (sig === undefined) throw new TypeErr("Illegal invocation: AbortController." + what + " used on an object that is not an AbortController");
    return sig;
  }

  // For the other globals' JS and for Go: whether a value is an AbortSignal,
  // and following one without a visible listener. follow runs fn(reason) on
  // abort (at once if already aborted: then it returns undefined) and
  // returns the function that stops following.
  internal.isAbortSignal = (v) => signalSlots(v) !== undefined;
  internal.abortSignalFollow = (signal, fn) => {
    const s = signalSlots(signal);
    if (s.aborted) {
      fn(s.reason);
      return undefined;
    }
    if (s.algorithms === null) s.algorithms = new Set();
    const entry = (reason) => fn(reason);
    s.algorithms.add(entry);
    updateLive(s);
    return () => {
      if (s.algorithms !== null) s.algorithms.delete(entry);
      updateLive(s);
    };
  };
  internal.newAbortController = () => new AbortController();
  internal.abortSignal = (signal, reason) => signalAbort(signalSlots(signal), reason);
  internal.AbortSignal = AbortSignal;
  internal.defineGlobal("AbortController", AbortController);
  internal.defineGlobal("AbortSignal", AbortSignal);
});
