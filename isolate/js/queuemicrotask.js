// queueMicrotask (HTML). In JS rather than Go: a Go native that calls
// promise.then from inside a microtask makes goja drain the queue there and
// then, running the new microtask ahead of those queued before it.
(function (internal) {
  "use strict";
  const resolved = Promise.resolve();
  const then = Promise.prototype.then;
  const reportError = internal.reportError;
  // A method: not a constructor, no prototype (as a WebIDL operation).
  const { queueMicrotask } = { queueMicrotask(callback) {
    if (typeof callback !== "function") throw new TypeError("queueMicrotask: the callback must be a function");
    then.call(resolved, () => {
      try {
        callback();
      } catch (e) {
        // HTML: report the exception (it is not a rejected promise).
        reportError(e, "a queueMicrotask callback");
      }
    });
  } };
  internal.defineGlobal("queueMicrotask", queueMicrotask);
});
