// DOMException (WebIDL): an Error whose name, message and code are getters
// on its prototype, with the legacy code constants.
(function (internal) {
  "use strict";
  const defineProperty = Object.defineProperty;

  // The legacy codes of the names that have one (all others have code 0).
  const codes = {
    IndexSizeError: 1, HierarchyRequestError: 3, WrongDocumentError: 4, InvalidCharacterError: 5,
    NoModificationAllowedError: 7, NotFoundError: 8, NotSupportedError: 9, InUseAttributeError: 10,
    InvalidStateError: 11, SyntaxError: 12, InvalidModificationError: 13, NamespaceError: 14,
    InvalidAccessError: 15, TypeMismatchError: 17, SecurityError: 18, NetworkError: 19, AbortError: 20,
    URLMismatchError: 21, QuotaExceededError: 22, TimeoutError: 23, InvalidNodeTypeError: 24,
    DataCloneError: 25,
  };
  const constants = [
    "INDEX_SIZE_ERR", "DOMSTRING_SIZE_ERR", "HIERARCHY_REQUEST_ERR", "WRONG_DOCUMENT_ERR",
    "INVALID_CHARACTER_ERR", "NO_DATA_ALLOWED_ERR", "NO_MODIFICATION_ALLOWED_ERR", "NOT_FOUND_ERR",
    "NOT_SUPPORTED_ERR", "INUSE_ATTRIBUTE_ERR", "INVALID_STATE_ERR", "SYNTAX_ERR",
    "INVALID_MODIFICATION_ERR", "NAMESPACE_ERR", "INVALID_ACCESS_ERR", "VALIDATION_ERR",
    "TYPE_MISMATCH_ERR", "SECURITY_ERR", "NETWORK_ERR", "ABORT_ERR", "URL_MISMATCH_ERR",
    "QUOTA_EXCEEDED_ERR", "TIMEOUT_ERR", "INVALID_NODE_TYPE_ERR", "DATA_CLONE_ERR",
  ];

  let isDOMException;
  class DOMException extends Error {
    #message;
    #name;
    constructor(message = "", options = "Error") {
      super();
      this.#message = String(message);
      // The second argument is the name; an options object ({name, cause})
      // is accepted too, as Node and Deno do.
      if (options !== null && typeof options === "object") {
        this.#name = options.name === undefined ? "Error" : String(options.name);
        if ("cause" in options) {
          defineProperty(this, "cause", { value: options.cause, writable: true, enumerable: false, configurable: true });
        }
      } else {
        this.#name = String(options);
      }
    }
    get message() {
      return thisOf(this, "message").#message;
    }
    get name() {
      return thisOf(this, "name").#name;
    }
    get code() {
      const name = thisOf(this, "code").#name;
      return Object.hasOwn(codes, name) ? codes[name] : 0;
    }
    static {
      isDOMException = (v) => v !== null && typeof v === "object" && #name in v;
    }
  }
  function thisOf(o, what) {
    if (!isDOMException(o)) throw new TypeError("Illegal invocation: DOMException." + what + " read from an object that is not a DOMException");
    return o;
  }

  for (let i = 0; i < constants.length; i++) {
    const d = { value: i + 1, writable: false, enumerable: true, configurable: false };
    defineProperty(DOMException, constants[i], d);
    defineProperty(DOMException.prototype, constants[i], d);
  }
  for (const k of ["message", "name", "code"]) {
    const d = Object.getOwnPropertyDescriptor(DOMException.prototype, k);
    d.enumerable = true;
    defineProperty(DOMException.prototype, k, d);
  }
  defineProperty(DOMException.prototype, Symbol.toStringTag, { value: "DOMException", configurable: true });

  internal.DOMException = DOMException;
  internal.isDOMException = isDOMException;
  internal.defineGlobal("DOMException", DOMException);
});
