// Headers (WHATWG Fetch): the class shell; its methods are natives (headers.go).
(function (internal) {
  "use strict";
  class Headers {
    constructor(init = undefined) {
      internal.initHeaders(this, init);
    }
  }
  internal.Headers = Headers;
  internal.setupHeaders(Headers.prototype);
  internal.defineGlobal("Headers", Headers);
});
