// crypto.DigestStream (workerd): a WritableStream that hashes what is
// written to it; its digest promise settles when the stream closes. The
// hashing is Go (crypto_digeststream.go).
(function (internal) {
  "use strict";
  const { digestStart, digestWrite, digestFinish } = internal;
  const WritableStream = internal.WritableStream;
  const digests = new WeakMap();
  const noop = () => {};
  class DigestStream extends WritableStream {
    constructor(algorithm) {
      if (arguments.length === 0) throw new TypeError("DigestStream: 1 argument required, but only 0 present");
      const h = digestStart(algorithm);
      let resolve, reject;
      const digest = new Promise((res, rej) => {
        resolve = res;
        reject = rej;
      });
      // A stream that is aborted and whose digest nobody reads is not an
      // unhandled rejection.
      digest.then(undefined, noop);
      super({
        write(chunk) {
          try {
            digestWrite(h, chunk);
          } catch (e) {
            reject(e); // the stream errors: the digest never comes
            throw e;
          }
        },
        close() {
          resolve(digestFinish(h));
        },
        abort(reason) {
          reject(reason);
        },
      });
      digests.set(this, digest);
    }
    get digest() {
      const d = digests.get(this);
      if (d === undefined) throw new TypeError("Illegal invocation: DigestStream.digest must be read from a DigestStream");
      return d;
    }
  }
  Object.defineProperty(DigestStream.prototype, Symbol.toStringTag, { value: "DigestStream", configurable: true });
  internal.DigestStream = DigestStream;
});
