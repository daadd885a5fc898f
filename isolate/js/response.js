// Response (WHATWG Fetch): the class shell; its methods are natives (response.go).
(function (internal) {
  "use strict";
  class Response {
    constructor(body = null, init = undefined) {
      internal.initResponse(this, body, init);
    }
  }
  internal.Response = Response;
  internal.setupResponse(Response, Response.prototype);
  internal.defineGlobal("Response", Response);
});
