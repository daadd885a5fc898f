// Event, CustomEvent and EventTarget (WHATWG DOM), for targets that are not
// nodes: an event's path is its target alone, so dispatch runs the target's
// capturing listeners, then its others, both at AT_TARGET.
(function (internal) {
  "use strict";
  const defineProperty = Object.defineProperty;
  const TypeErr = TypeError;
  const reportError = internal.reportError;
  const now = internal.now;

  const NONE = 0, CAPTURING_PHASE = 1, AT_TARGET = 2, BUBBLING_PHASE = 3;

  function dict(v, what) {
    if (v === undefined || v === null) return {};
    if (typeof v !== "object" && typeof v !== "function") throw new TypeErr(what + " must be an object");
    return v;
  }
  function required(args, n, what) {
    if (args < n) throw new TypeErr(what + ": " + n + " argument" + (n > 1 ? "s" : "") + " required, but only " + args + " present");
  }

  // --- Event ---------------------------------------------------------------

  let eventSlots; // (event) -> its slots, or undefined when not an Event
  function isTrusted() {
    const s = eventSlots(this);
    if (s === undefined) throw new TypeErr("Illegal invocation: Event.isTrusted read from an object that is not an Event");
    return s.trusted;
  }

  class Event {
    #s;
    constructor(type, eventInitDict = undefined) {
      required(arguments.length, 1, "Event");
      const init = dict(eventInitDict, "Event: eventInitDict");
      this.#s = {
        type: `${type}`,
        bubbles: !!init.bubbles,
        cancelable: !!init.cancelable,
        composed: !!init.composed,
        target: null,
        currentTarget: null,
        phase: NONE,
        stop: false,
        stopImmediate: false,
        canceled: false,
        inPassive: false,
        dispatching: false,
        initialized: true,
        trusted: false,
        timeStamp: now(),
      };
      // [LegacyUnforgeable]: an own accessor on every instance.
      defineProperty(this, "isTrusted", { get: isTrusted, enumerable: true, configurable: false });
    }
    static {
      eventSlots = (e) => (e !== null && typeof e === "object" && #s in e ? e.#s : undefined);
    }
    get type() { return slots(this, "type").type; }
    get target() { return slots(this, "target").target; }
    get srcElement() { return slots(this, "srcElement").target; }
    get currentTarget() { return slots(this, "currentTarget").currentTarget; }
    composedPath() {
      const s = slots(this, "composedPath");
      return s.currentTarget === null ? [] : [s.currentTarget];
    }
    get eventPhase() { return slots(this, "eventPhase").phase; }
    stopPropagation() { slots(this, "stopPropagation").stop = true; }
    get cancelBubble() { return slots(this, "cancelBubble").stop; }
    set cancelBubble(v) {
      const s = slots(this, "cancelBubble");
      if (v) s.stop = true;
    }
    stopImmediatePropagation() {
      const s = slots(this, "stopImmediatePropagation");
      s.stop = true;
      s.stopImmediate = true;
    }
    get bubbles() { return slots(this, "bubbles").bubbles; }
    get cancelable() { return slots(this, "cancelable").cancelable; }
    get returnValue() { return !slots(this, "returnValue").canceled; }
    set returnValue(v) {
      const s = slots(this, "returnValue");
      if (!v) cancel(s);
    }
    preventDefault() { cancel(slots(this, "preventDefault")); }
    get defaultPrevented() { return slots(this, "defaultPrevented").canceled; }
    get composed() { return slots(this, "composed").composed; }
    get timeStamp() { return slots(this, "timeStamp").timeStamp; }
    initEvent(type, bubbles = false, cancelable = false) {
      const s = slots(this, "initEvent");
      required(arguments.length, 1, "Event.initEvent");
      if (s.dispatching) return;
      s.initialized = true;
      s.stop = s.stopImmediate = s.canceled = false;
      s.trusted = false;
      s.target = null;
      s.type = `${type}`;
      s.bubbles = !!bubbles;
      s.cancelable = !!cancelable;
    }
  }
  function slots(e, what) {
    const s = eventSlots(e);
    if (s === undefined) throw new TypeErr("Illegal invocation: Event." + what + " used on an object that is not an Event");
    return s;
  }
  function cancel(s) {
    if (s.cancelable && !s.inPassive) s.canceled = true;
  }
  const phases = { NONE, CAPTURING_PHASE, AT_TARGET, BUBBLING_PHASE };
  for (const k in phases) {
    const d = { value: phases[k], writable: false, enumerable: true, configurable: false };
    defineProperty(Event, k, d);
    defineProperty(Event.prototype, k, d);
  }
  defineProperty(Event.prototype, Symbol.toStringTag, { value: "Event", configurable: true });

  let customDetail;
  class CustomEvent extends Event {
    #detail;
    constructor(type, eventInitDict = undefined) {
      required(arguments.length, 1, "CustomEvent");
      const init = dict(eventInitDict, "CustomEvent: eventInitDict");
      super(type, init);
      this.#detail = init.detail === undefined ? null : init.detail;
    }
    static {
      customDetail = (e, what) => {
        if (e === null || typeof e !== "object" || !(#detail in e)) {
          throw new TypeErr("Illegal invocation: CustomEvent." + what + " used on an object that is not a CustomEvent");
        }
        return e;
      };
    }
    get detail() { return customDetail(this, "detail").#detail; }
    initCustomEvent(type, bubbles = false, cancelable = false, detail = null) {
      const e = customDetail(this, "initCustomEvent");
      required(arguments.length, 1, "CustomEvent.initCustomEvent");
      if (eventSlots(e).dispatching) return;
      e.initEvent(type, bubbles, cancelable);
      e.#detail = detail;
    }
  }
  defineProperty(CustomEvent.prototype, Symbol.toStringTag, { value: "CustomEvent", configurable: true });

  // --- EventTarget ---------------------------------------------------------

  // flatten the options of removeEventListener (capture only) and
  // addEventListener (capture, once, passive, signal).
  function flattenCapture(options) {
    if (typeof options === "boolean") return options;
    if (options === undefined || options === null) return false;
    if (typeof options !== "object" && typeof options !== "function") return !!options;
    return !!options.capture;
  }

  let targetSlots; // (target) -> its slots, or undefined
  class EventTarget {
    // type -> array of listeners { callback, capture, once, passive, removed }
    #listeners = null;
    // onChange(type, count) when set: AbortSignal tracks whether anything
    // listens for "abort" (a dependent signal must stay alive while so).
    #onChange = undefined;
    constructor() {}
    static {
      targetSlots = (t) => (t !== null && (typeof t === "object" || typeof t === "function") && #listeners in t ? t : undefined);
      internal.eventTargetOnChange = (t, fn) => { t.#onChange = fn; };
      internal.eventTargetListeners = (t, type) => (t.#listeners === null ? undefined : t.#listeners.get(type));
      internal.eventTargetAddListener = (t, type, l) => {
        if (t.#listeners === null) t.#listeners = new Map();
        let list = t.#listeners.get(type);
        if (list === undefined) t.#listeners.set(type, (list = []));
        list.push(l);
        if (t.#onChange !== undefined) t.#onChange(type, list.length);
      };
      internal.eventTargetRemoveListener = (t, type, l) => {
        const list = t.#listeners === null ? undefined : t.#listeners.get(type);
        if (list === undefined) return;
        const i = list.indexOf(l);
        if (i < 0) return;
        l.removed = true;
        list.splice(i, 1);
        if (l.unfollow !== undefined) {
          const u = l.unfollow;
          l.unfollow = undefined;
          u();
        }
        if (list.length === 0) t.#listeners.delete(type);
        if (t.#onChange !== undefined) t.#onChange(type, list.length);
      };
    }
    addEventListener(type, callback, options = undefined) {
      const t = thisTarget(this, "addEventListener");
      required(arguments.length, 2, "EventTarget.addEventListener");
      type = `${type}`;
      if (callback !== null && typeof callback !== "object" && typeof callback !== "function") {
        throw new TypeErr("EventTarget.addEventListener: the listener must be a function or an object with a handleEvent method, got " + typeof callback);
      }
      let capture = false, once = false, passive = false, signal = undefined;
      if (typeof options === "boolean") {
        capture = options;
      } else if (options !== undefined && options !== null) {
        if (typeof options !== "object" && typeof options !== "function") {
          capture = !!options;
        } else {
          capture = !!options.capture;
          once = !!options.once;
          passive = !!options.passive;
          signal = options.signal;
          if (signal !== undefined && !internal.isAbortSignal?.(signal)) {
            throw new TypeErr("EventTarget.addEventListener: options.signal must be an AbortSignal");
          }
        }
      }
      if (signal !== undefined && signal.aborted) return;
      if (callback === null) return;
      const list = internal.eventTargetListeners(t, type);
      if (list !== undefined) {
        for (const l of list) if (l.callback === callback && l.capture === capture) return;
      }
      const l = { callback, capture, once, passive, removed: false, unfollow: undefined };
      internal.eventTargetAddListener(t, type, l);
      if (signal !== undefined) {
        // Stop following the signal once the listener goes another way, so
        // a long-lived signal does not keep every listener it ever had.
        l.unfollow = internal.abortSignalFollow(signal, () => internal.eventTargetRemoveListener(t, type, l));
      }
    }
    removeEventListener(type, callback, options = undefined) {
      const t = thisTarget(this, "removeEventListener");
      required(arguments.length, 2, "EventTarget.removeEventListener");
      type = `${type}`;
      const capture = flattenCapture(options);
      const list = internal.eventTargetListeners(t, type);
      if (list === undefined) return;
      for (const l of list) {
        if (l.callback === callback && l.capture === capture) {
          internal.eventTargetRemoveListener(t, type, l);
          return;
        }
      }
    }
    dispatchEvent(event) {
      const t = thisTarget(this, "dispatchEvent");
      required(arguments.length, 1, "EventTarget.dispatchEvent");
      const s = eventSlots(event);
      if (s === undefined) throw new TypeErr("EventTarget.dispatchEvent: the argument must be an Event, got " + (event === null ? "null" : typeof event));
      if (s.dispatching || !s.initialized) {
        throw internal.domException("InvalidStateError", "EventTarget.dispatchEvent: the event is already being dispatched or was not initialized");
      }
      s.trusted = false;
      return dispatch(t, event, s);
    }
  }
  function thisTarget(t, what) {
    if (targetSlots(t) === undefined) throw new TypeErr("Illegal invocation: EventTarget." + what + " called on an object that is not an EventTarget");
    return t;
  }
  defineProperty(EventTarget.prototype, Symbol.toStringTag, { value: "EventTarget", configurable: true });

  function dispatch(target, event, s) {
    s.dispatching = true;
    s.target = target;
    s.currentTarget = target;
    s.phase = AT_TARGET;
    try {
      invoke(target, event, s, true);
      invoke(target, event, s, false);
    } finally {
      s.phase = NONE;
      s.currentTarget = null;
      s.dispatching = false;
      s.stop = false;
      s.stopImmediate = false;
    }
    return !s.canceled;
  }

  function invoke(target, event, s, capturing) {
    if (s.stop) return;
    const list = internal.eventTargetListeners(target, s.type);
    if (list === undefined) return;
    for (const l of list.slice()) {
      if (l.removed || l.capture !== capturing) continue;
      if (l.once) internal.eventTargetRemoveListener(target, s.type, l);
      if (l.passive) s.inPassive = true;
      try {
        const cb = l.callback;
        if (typeof cb === "function") {
          cb.call(target, event);
        } else {
          const handleEvent = cb.handleEvent;
          if (typeof handleEvent !== "function") throw new TypeErr("the event listener object has no handleEvent method");
          handleEvent.call(cb, event);
        }
      } catch (e) {
        reportError(e, "a listener for \"" + s.type + "\" events");
      }
      s.inPassive = false;
      if (s.stopImmediate) break;
    }
  }

  // dispatchTrusted fires an event the platform made (isTrusted: true).
  internal.dispatchTrusted = function (target, event) {
    const s = eventSlots(event);
    s.trusted = true;
    return dispatch(target, event, s);
  };
  internal.Event = Event;
  internal.EventTarget = EventTarget;
  internal.isEventTarget = (t) => targetSlots(t) !== undefined;
  internal.defineGlobal("Event", Event);
  internal.defineGlobal("CustomEvent", CustomEvent);
  internal.defineGlobal("EventTarget", EventTarget);
});
