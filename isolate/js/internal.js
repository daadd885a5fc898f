// The hidden object every global's JS receives. User code never sees it.
(function (internal) {
  "use strict";
  const defineProperty = Object.defineProperty;
  internal.defineGlobal = function (name, value) {
    defineProperty(globalThis, name, { value, writable: true, enumerable: false, configurable: true });
  };
});
