// The service-worker handler shape: addEventListener('fetch', listener) at
// global scope, event.respondWith(response or promise) in the listener.
(function (internal) {
  "use strict";
  const kState = internal.kState;

  class FetchEvent {
    constructor(type, init) {
      if (init === undefined || init === null || !(init.request instanceof internal.Request)) {
        throw new TypeError("FetchEvent: init.request must be a Request");
      }
      this[kState] = { type: String(type), request: init.request, response: undefined, ctx: init.ctx, stop: false };
    }
    get type() {
      return this[kState].type;
    }
    get request() {
      return this[kState].request;
    }
    respondWith(response) {
      const st = this[kState];
      if (st.response !== undefined) throw new DOMExceptionOrError("respondWith() was already called", "InvalidStateError");
      st.response = Promise.resolve(response);
    }
    waitUntil(promise) {
      const ctx = this[kState].ctx;
      if (ctx !== undefined) ctx.waitUntil(promise);
    }
    passThroughOnException() {}
    stopImmediatePropagation() {
      this[kState].stop = true;
    }
  }

  function DOMExceptionOrError(msg, name) {
    if (typeof DOMException === "function") return new DOMException(msg, name);
    const e = new Error(msg);
    e.name = name;
    return e;
  }

  internal.dispatchFetch = function (request, ctx) {
    const ev = new FetchEvent("fetch", { request, ctx });
    for (const l of internal.swListeners()) {
      if (typeof l === "function") l.call(globalThis, ev);
      else l.handleEvent(ev);
      if (ev[kState].stop) break;
    }
    const r = ev[kState].response;
    if (r === undefined) {
      throw new Error("the fetch event listener did not call event.respondWith()");
    }
    return r;
  };
  internal.defineGlobal("FetchEvent", FetchEvent);
});
