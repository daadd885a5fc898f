// Request (WHATWG Fetch): the class shell; its methods are natives (request.go).
(function (internal) {
  "use strict";
  class Request {
    constructor(input, init = undefined) {
      if (arguments.length === 0) throw new TypeError("Request: 1 argument required, but only 0 present");
      internal.initRequest(this, input, init);
    }
  }
  internal.Request = Request;
  internal.setupRequest(Request.prototype);
  internal.defineGlobal("Request", Request);
});
