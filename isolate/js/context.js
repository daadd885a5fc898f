// ExecutionContext: the ctx a handler receives (Workers), also used as the
// Vercel/Netlify context. Each carries the token of its request; work handed
// to a ctx whose request has ended is ignored.
(function (internal) {
  "use strict";
  const kCall = internal.kCall;
  class ExecutionContext {
    constructor() {
      throw new TypeError("Illegal constructor");
    }
    waitUntil(promise) {
      if (this == null || this[kCall] === undefined) throw new TypeError("Illegal invocation: not an ExecutionContext");
      internal.waitUntil(this[kCall], promise);
    }
    passThroughOnException() {
      // edgefn has no origin to fall through to: exceptions become 500s.
    }
  }
  internal.ExecutionContext = ExecutionContext;
});
