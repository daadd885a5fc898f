const e = new DOMException("it broke", "AbortError");
console.log(e.name, e.message, e.code, e instanceof DOMException, e instanceof Error, String(e), Object.prototype.toString.call(e));
console.log(JSON.stringify(Object.getOwnPropertyNames(e)), e.stack.split("\n")[0]);
const d = new DOMException();
console.log(JSON.stringify([d.name, d.message, d.code]));
// Every name with a legacy code, and names without one.
for (const name of ["IndexSizeError", "InvalidCharacterError", "NotFoundError", "NotSupportedError", "InvalidStateError",
  "SyntaxError", "InvalidAccessError", "TypeMismatchError", "SecurityError", "NetworkError", "AbortError",
  "QuotaExceededError", "TimeoutError", "DataCloneError", "EncodingError", "NotAllowedError", "OperationError", "DataError", "Whatever"]) {
  console.log(name, new DOMException("", name).code);
}
console.log(DOMException.ABORT_ERR, DOMException.DATA_CLONE_ERR, DOMException.INDEX_SIZE_ERR, e.TIMEOUT_ERR, DOMException.VALIDATION_ERR);
const desc = Object.getOwnPropertyDescriptor(DOMException, "ABORT_ERR");
console.log(desc.writable, desc.enumerable, desc.configurable);
// The options form ({name, cause}) that Node and Deno accept.
const c = new DOMException("with cause", { name: "DataError", cause: 42 });
console.log(c.name, c.code, c.cause, Object.hasOwn(c, "cause"), new DOMException("x", {}).name);
// Arguments are converted to strings.
console.log(new DOMException(12, 34).message, new DOMException(undefined, undefined).name, JSON.stringify(new DOMException(null, null).message));
// Subclasses and throw/catch.
class MyError extends DOMException { constructor() { super("mine", "NotAllowedError"); } }
const m = new MyError();
console.log(m.name, m.message, m instanceof DOMException, m instanceof MyError);
try { throw new DOMException("bad state", "InvalidStateError"); } catch (err) { console.log(`${err.name} (${err.code}): ${err.message}`); }
// Errors from the platform are DOMExceptions too.

try { crypto.getRandomValues(new Uint8Array(70000)); } catch (err) { console.log(err instanceof DOMException, err.name, err.code); }
try { atob("!"); } catch (err) { console.log(err instanceof DOMException, err.name, err.code); }
// Brand checks on the getters.
for (const k of ["name", "message", "code"]) {
  try { Object.getOwnPropertyDescriptor(DOMException.prototype, k).get.call(new Error("x")); console.log("no error"); } catch (err) { console.log(err.name + ": " + err.message); }
}
// The prototype's own getters refuse it as a receiver, as WebIDL attributes do.
try { console.log(DOMException.prototype.name); } catch (err) { console.log(err.name); }
console.log(Object.keys(DOMException.prototype).slice(0, 4).join(","), Object.getPrototypeOf(DOMException.prototype) === Error.prototype);
