// WHATWG Streams: ReadableStream (default and byte controllers, default and
// BYOB readers), WritableStream, TransformStream and the queuing
// strategies, following the spec's algorithms
// (https://streams.spec.whatwg.org/).
//
// Every public object holds one private field pointing at a plain internal
// object (its "slots"); the abstract operations work on those internal
// objects, so user code can neither see nor change stream state. Read
// requests and pull-into descriptors are small objects with methods rather
// than closures, which goja allocates cheaply.
(function (internal) {
  "use strict";

  // Promise, its then/resolve/reject are called directly (no Reflect.apply
  // or bound functions: in goja each of those allocates per call, and the
  // stream machinery makes several promise operations per chunk).
  const P = Promise;
  const promiseResolve = (v) => P.resolve(v);
  const promiseReject = (e) => P.reject(e);
  const apply = Reflect.apply;
  const U8 = Uint8Array;
  const AB = ArrayBuffer;
  const isView = AB.isView;
  const DV = DataView;
  const TypeErr = TypeError;
  const RangeErr = RangeError;
  const defineProperty = Object.defineProperty;
  const asyncIterator = Symbol.asyncIterator || Symbol.for("Symbol.asyncIterator");
  const iteratorSym = Symbol.iterator;
  const transferBuffer = internal.transferBuffer;
  const isDetached = internal.isDetached;
  // %TypedArray%.prototype[Symbol.toStringTag] names a typed array and is
  // undefined for anything else (a DataView included).
  const taTag = Object.getOwnPropertyDescriptor(Object.getPrototypeOf(Uint8Array.prototype), Symbol.toStringTag).get;
  const typedArrayName = (v) => apply(taTag, v, []) || "";
  const noop = () => {};
  const kBare = Symbol("bare");

  // --- promise helpers -----------------------------------------------------

  function then(p, onOK, onErr) {
    return p.then(onOK, onErr);
  }
  function markHandled(p) {
    p.then(undefined, noop);
  }
  function rejected(e) {
    const p = promiseReject(e);
    return p;
  }
  const resolvedUndefined = () => promiseResolve(undefined);
  class Deferred {
    constructor() {
      this.settled = false;
      this.promise = new P((res, rej) => {
        this.res = res;
        this.rej = rej;
      });
    }
    resolve(v) {
      if (this.settled) return;
      this.settled = true;
      this.res(v);
    }
    reject(e) {
      if (this.settled) return;
      this.settled = true;
      this.rej(e);
    }
  }
  function deferredRejected(e) {
    const d = new Deferred();
    d.reject(e);
    markHandled(d.promise);
    return d;
  }
  function deferredResolved(v) {
    const d = new Deferred();
    d.resolve(v);
    return d;
  }
  // promiseCall calls fn on obj and returns a promise of the result (a
  // throw becomes a rejection).
  function promiseCall(fn, obj, arg) {
    try {
      return promiseResolve(fn.call(obj, arg));
    } catch (e) {
      return rejected(e);
    }
  }
  function promiseCall0(fn, obj) {
    try {
      return promiseResolve(fn.call(obj));
    } catch (e) {
      return rejected(e);
    }
  }
  function promiseCall2(fn, obj, a, b) {
    try {
      return promiseResolve(fn.call(obj, a, b));
    } catch (e) {
      return rejected(e);
    }
  }
  function isObject(v) {
    return (typeof v === "object" && v !== null) || typeof v === "function";
  }
  function dict(v, what) {
    if (v === undefined || v === null) return {};
    if (!isObject(v)) throw new TypeErr(what + " must be an object");
    return v;
  }
  function method(obj, name, what) {
    const f = obj[name];
    if (f === undefined || f === null) return undefined;
    if (typeof f !== "function") throw new TypeErr(what + "." + name + " must be a function");
    return f;
  }

  // --- queue with sizes ----------------------------------------------------

  // Queue is a FIFO with amortised O(1) shift (goja's Array#shift copies).
  class Queue {
    constructor() {
      this.a = [];
      this.h = 0;
    }
    get length() {
      return this.a.length - this.h;
    }
    push(v) {
      this.a.push(v);
    }
    peek() {
      return this.a[this.h];
    }
    shift() {
      const v = this.a[this.h];
      this.a[this.h] = undefined;
      this.h++;
      if (this.h === this.a.length) {
        this.a = [];
        this.h = 0;
      } else if (this.h > 1024 && this.h * 2 > this.a.length) {
        this.a = this.a.slice(this.h);
        this.h = 0;
      }
      return v;
    }
    drain() {
      const out = this.h === 0 ? this.a : this.a.slice(this.h);
      this.a = [];
      this.h = 0;
      return out;
    }
  }

  function resetQueue(c) {
    c.queue = new Queue();
    c.queueTotalSize = 0;
  }
  function enqueueValueWithSize(c, value, size) {
    if (typeof size !== "number" || size !== size || size < 0 || size === Infinity) {
      throw new RangeErr("the queuing strategy's size() must return a finite, non-negative number, got " + String(size));
    }
    c.queue.push({ v: value, s: size });
    c.queueTotalSize += size;
  }
  function dequeueValue(c) {
    const pair = c.queue.shift();
    c.queueTotalSize -= pair.s;
    if (c.queueTotalSize < 0) c.queueTotalSize = 0;
    return pair.v;
  }

  // --- strategies ------------------------------------------------------------

  function extractHighWaterMark(strategy, def, what) {
    const hwm = strategy.highWaterMark;
    if (hwm === undefined) return def;
    const n = Number(hwm);
    if (n !== n || n < 0) throw new RangeErr(what + ": highWaterMark must be a non-negative number, got " + String(hwm));
    return n;
  }
  const sizeOne = () => 1;
  function extractSizeAlgorithm(strategy, what) {
    const size = strategy.size;
    if (size === undefined) return sizeOne;
    if (typeof size !== "function") throw new TypeErr(what + ": the strategy's size must be a function");
    return (chunk) => size(chunk);
  }

  const countSize = {
    size() {
      return 1;
    },
  }.size;
  const byteSize = {
    size(chunk) {
      return chunk.byteLength;
    },
  }.size;

  function strategyInit(init, what) {
    if (arguments.length === 0 || init === undefined) {
      throw new TypeErr(what + ": 1 argument required, but only 0 present");
    }
    if (!isObject(init)) throw new TypeErr(what + ": the argument must be an object");
    const hwm = init.highWaterMark;
    if (hwm === undefined) throw new TypeErr(what + ": highWaterMark is required");
    return Number(hwm);
  }

  class ByteLengthQueuingStrategy {
    #hwm;
    constructor(init) {
      this.#hwm = strategyInit(init, "ByteLengthQueuingStrategy");
    }
    get highWaterMark() {
      if (!(#hwm in this)) throw new TypeErr("Illegal invocation: not a ByteLengthQueuingStrategy");
      return this.#hwm;
    }
    get size() {
      if (!(#hwm in this)) throw new TypeErr("Illegal invocation: not a ByteLengthQueuingStrategy");
      return byteSize;
    }
  }
  class CountQueuingStrategy {
    #hwm;
    constructor(init) {
      this.#hwm = strategyInit(init, "CountQueuingStrategy");
    }
    get highWaterMark() {
      if (!(#hwm in this)) throw new TypeErr("Illegal invocation: not a CountQueuingStrategy");
      return this.#hwm;
    }
    get size() {
      if (!(#hwm in this)) throw new TypeErr("Illegal invocation: not a CountQueuingStrategy");
      return countSize;
    }
  }

  // =========================================================================
  // ReadableStream
  // =========================================================================

  let rsOf, rsBind, readerOf, byobReaderOf, rsdcOf, rbscOf, byobReqOf;

  // newStreamSlots makes a ReadableStream's internal slots and its public
  // object.
  function newReadable() {
    const s = {
      state: "readable", // "readable" | "closed" | "errored"
      reader: undefined,
      storedError: undefined,
      disturbed: false,
      controller: undefined,
      pub: undefined,
    };
    const pub = new ReadableStream(kBare);
    rsBind(pub, s);
    s.pub = pub;
    return s;
  }

  function isLocked(s) {
    return s.reader !== undefined;
  }

  class ReadableStream {
    #s;
    constructor(underlyingSource = undefined, strategy = undefined) {
      if (underlyingSource === kBare) return;
      const what = "ReadableStream";
      const src = underlyingSource === undefined ? null : underlyingSource;
      if (src !== null && !isObject(src)) throw new TypeErr("ReadableStream: the underlying source must be an object");
      const strat = dict(strategy, "ReadableStream: the strategy");
      const s = {
        state: "readable", reader: undefined, storedError: undefined, disturbed: false, controller: undefined, pub: this,
      };
      this.#s = s;
      const source = src === null ? {} : src;
      const start = method(source, "start", "ReadableStream: underlyingSource");
      const pull = method(source, "pull", "ReadableStream: underlyingSource");
      const cancel = method(source, "cancel", "ReadableStream: underlyingSource");
      let type = source.type;
      if (type !== undefined) {
        type = String(type);
        if (type !== "bytes") throw new TypeErr(`ReadableStream: underlyingSource.type must be "bytes" or undefined, got "${type}"`);
      }
      if (type === "bytes") {
        if (strat.size !== undefined) throw new RangeErr("ReadableStream: a byte stream's strategy cannot have a size function");
        const hwm = extractHighWaterMark(strat, 0, what);
        let auto = source.autoAllocateChunkSize;
        if (auto !== undefined) {
          auto = toIndex(auto, "ReadableStream: autoAllocateChunkSize");
          if (auto === 0) throw new TypeErr("ReadableStream: autoAllocateChunkSize must be greater than 0");
        }
        setUpControllerFromSource(s, newByteController(s), setUpByteController, source, start, pull, cancel, hwm, auto);
      } else {
        const size = extractSizeAlgorithm(strat, what);
        const hwm = extractHighWaterMark(strat, 1, what);
        setUpControllerFromSource(s, newDefaultController(s), setUpDefaultController, source, start, pull, cancel, hwm, size);
      }
    }

    static from(asyncIterable) {
      return readableFromIterable(asyncIterable).pub;
    }

    get locked() {
      return isLocked(thisStream(this, "locked"));
    }

    cancel(reason = undefined) {
      const s = rsOf(this);
      if (s === undefined) return rejected(new TypeErr("ReadableStream.cancel: this is not a ReadableStream"));
      if (isLocked(s)) return rejected(new TypeErr("ReadableStream.cancel: the stream is locked to a reader"));
      return readableCancel(s, reason);
    }

    getReader(options = undefined) {
      const s = thisStream(this, "getReader");
      const opts = dict(options, "ReadableStream.getReader: options");
      let mode = opts.mode;
      if (mode === undefined) return acquireDefaultReader(s).pub;
      mode = String(mode);
      if (mode !== "byob") throw new TypeErr(`ReadableStream.getReader: mode must be "byob" or undefined, got "${mode}"`);
      return acquireBYOBReader(s).pub;
    }

    pipeThrough(transform, options = undefined) {
      const s = thisStream(this, "pipeThrough");
      if (!isObject(transform)) throw new TypeErr("ReadableStream.pipeThrough: the transform must be an object with readable and writable");
      const readable = transform.readable;
      const rs = rsOf(readable);
      if (rs === undefined) throw new TypeErr("ReadableStream.pipeThrough: transform.readable must be a ReadableStream");
      const writable = transform.writable;
      const ws = wsOf(writable);
      if (ws === undefined) throw new TypeErr("ReadableStream.pipeThrough: transform.writable must be a WritableStream");
      const o = pipeOptions(options, "ReadableStream.pipeThrough");
      if (isLocked(s)) throw new TypeErr("ReadableStream.pipeThrough: the stream is locked to a reader");
      if (ws.writer !== undefined) throw new TypeErr("ReadableStream.pipeThrough: transform.writable is locked to a writer");
      const p = pipeTo(s, ws, o.preventClose, o.preventAbort, o.preventCancel, o.signal);
      markHandled(p);
      return readable;
    }

    pipeTo(destination, options = undefined) {
      const s = rsOf(this);
      if (s === undefined) return rejected(new TypeErr("ReadableStream.pipeTo: this is not a ReadableStream"));
      const ws = wsOf(destination);
      if (ws === undefined) return rejected(new TypeErr("ReadableStream.pipeTo: the destination must be a WritableStream"));
      let o;
      try {
        o = pipeOptions(options, "ReadableStream.pipeTo");
      } catch (e) {
        return rejected(e);
      }
      if (isLocked(s)) return rejected(new TypeErr("ReadableStream.pipeTo: the stream is locked to a reader"));
      if (ws.writer !== undefined) return rejected(new TypeErr("ReadableStream.pipeTo: the destination is locked to a writer"));
      return pipeTo(s, ws, o.preventClose, o.preventAbort, o.preventCancel, o.signal);
    }

    tee() {
      const s = thisStream(this, "tee");
      const [a, b] = readableTee(s, false);
      return [a.pub, b.pub];
    }

    values(options = undefined) {
      const s = thisStream(this, "values");
      const opts = dict(options, "ReadableStream.values: options");
      return newAsyncIterator(s, !!opts.preventCancel);
    }

    static {
      rsOf = (o) => (isObject(o) && #s in o ? o.#s : undefined);
      rsBind = (o, s) => {
        o.#s = s;
      };
    }
  }
  defineProperty(ReadableStream.prototype, Symbol.toStringTag, { value: "ReadableStream", configurable: true });
  // Web IDL: the async iterator is the same function as values().
  defineProperty(ReadableStream.prototype, asyncIterator, { value: ReadableStream.prototype.values, writable: true, configurable: true });

  function thisStream(o, name) {
    const s = rsOf(o);
    if (s === undefined) throw new TypeErr("ReadableStream." + name + ": this is not a ReadableStream");
    return s;
  }

  function toIndex(v, what) {
    const n = Number(v);
    if (n !== n || n === Infinity || n === -Infinity) throw new TypeErr(what + " must be a finite number, got " + String(v));
    const i = Math.trunc(n);
    if (i < 0 || i > Number.MAX_SAFE_INTEGER) throw new TypeErr(what + " is out of range: " + String(v));
    return i;
  }

  function pipeOptions(options, what) {
    const o = dict(options, what + ": options");
    const signal = o.signal;
    if (signal !== undefined) {
      const AS = globalThis.AbortSignal;
      const ok = typeof AS === "function" ? signal instanceof AS : isObject(signal) && "aborted" in signal;
      if (!ok) throw new TypeErr(what + ": options.signal must be an AbortSignal");
    }
    return { preventClose: !!o.preventClose, preventAbort: !!o.preventAbort, preventCancel: !!o.preventCancel, signal };
  }

  // CreateReadableStream: a default-controller stream from algorithms.
  function createReadable(startAlg, pullAlg, cancelAlg, hwm = 1, size = sizeOne) {
    const s = newReadable();
    const c = newDefaultController(s);
    setUpDefaultController(s, c, startAlg, pullAlg, cancelAlg, hwm, size);
    return s;
  }

  // CreateReadableByteStream.
  function createReadableBytes(startAlg, pullAlg, cancelAlg, hwm = 0, auto = undefined) {
    const s = newReadable();
    const c = newByteController(s);
    setUpByteController(s, c, startAlg, pullAlg, cancelAlg, hwm, auto);
    return s;
  }

  function readableClose(s) {
    s.state = "closed";
    const r = s.reader;
    if (r === undefined) return;
    r.closed.resolve(undefined);
    if (r.byob) return;
    const reqs = r.requests;
    if (reqs.length === 0) return;
    r.requests = new Queue();
    for (const rr of reqs.drain()) rr.close();
  }

  function readableError(s, e) {
    s.state = "errored";
    s.storedError = e;
    const r = s.reader;
    if (r === undefined) return;
    r.closed.reject(e);
    markHandled(r.closed.promise);
    errorReadRequests(r, e);
  }

  function errorReadRequests(r, e) {
    const reqs = r.requests;
    if (reqs.length === 0) return;
    r.requests = new Queue();
    for (const rr of reqs.drain()) rr.error(e);
  }

  function readableCancel(s, reason) {
    s.disturbed = true;
    if (s.state === "closed") return resolvedUndefined();
    if (s.state === "errored") return rejected(s.storedError);
    readableClose(s);
    const r = s.reader;
    if (r !== undefined && r.byob) {
      const reqs = r.requests;
      r.requests = new Queue();
      for (const rr of reqs.drain()) rr.close(undefined);
    }
    const p = s.controller.cancelSteps(reason);
    return then(p, noop);
  }

  function fulfillReadRequest(s, chunk, done) {
    const rr = s.reader.requests.shift();
    if (done) rr.close();
    else rr.chunk(chunk);
  }

  function numReadRequests(s) {
    return s.reader.requests.length;
  }
  function hasDefaultReader(s) {
    return s.reader !== undefined && !s.reader.byob;
  }
  function hasBYOBReader(s) {
    return s.reader !== undefined && s.reader.byob;
  }

  // --- readers -------------------------------------------------------------

  function readerInit(r, s) {
    r.stream = s;
    s.reader = r;
    if (s.state === "readable") r.closed = new Deferred();
    else if (s.state === "closed") r.closed = deferredResolved(undefined);
    else r.closed = deferredRejected(s.storedError);
  }

  function readerGenericCancel(r, reason) {
    return readableCancel(r.stream, reason);
  }

  function readerGenericRelease(r) {
    const s = r.stream;
    const err = new TypeErr("the reader was released (releaseLock) and can no longer be used");
    if (s.state === "readable") r.closed.reject(err);
    else r.closed = deferredRejected(err);
    markHandled(r.closed.promise);
    s.controller.releaseSteps();
    s.reader = undefined;
    r.stream = undefined;
  }

  // readerRelease is ReadableStreamDefaultReaderRelease and
  // ReadableStreamBYOBReaderRelease: both readers keep their pending reads
  // in r.requests.
  function readerRelease(r) {
    readerGenericRelease(r);
    errorReadRequests(r, new TypeErr("the reader was released (releaseLock) while a read was pending"));
  }

  function newDefaultReader(s, pub, what = "ReadableStream.getReader") {
    if (isLocked(s)) throw new TypeErr(what + ": the stream is already locked to a reader");
    const r = { stream: undefined, closed: undefined, requests: new Queue(), byob: false, pub };
    readerInit(r, s);
    return r;
  }

  function acquireDefaultReader(s, what) {
    const pub = new ReadableStreamDefaultReader(kBare);
    const r = newDefaultReader(s, pub, what);
    readerBind(pub, r);
    return r;
  }

  function defaultReaderRead(r, rr) {
    const s = r.stream;
    s.disturbed = true;
    if (s.state === "closed") rr.close();
    else if (s.state === "errored") rr.error(s.storedError);
    else s.controller.pullSteps(rr);
  }

  // PromiseReadRequest settles the promise read() returned.
  class PromiseReadRequest {
    constructor(d) {
      this.d = d;
    }
    chunk(v) {
      this.d.resolve({ value: v, done: false });
    }
    close() {
      this.d.resolve({ value: undefined, done: true });
    }
    error(e) {
      this.d.reject(e);
    }
  }

  let readerBind;
  class ReadableStreamDefaultReader {
    #r;
    constructor(stream) {
      if (stream === kBare) return;
      const s = rsOf(stream);
      if (s === undefined) throw new TypeErr("ReadableStreamDefaultReader: the argument must be a ReadableStream");
      this.#r = newDefaultReader(s, this);
    }
    get closed() {
      const r = readerOf(this);
      if (r === undefined) return rejected(new TypeErr("ReadableStreamDefaultReader.closed: this is not a ReadableStreamDefaultReader"));
      return r.closed.promise;
    }
    cancel(reason = undefined) {
      const r = readerOf(this);
      if (r === undefined) return rejected(new TypeErr("ReadableStreamDefaultReader.cancel: this is not a ReadableStreamDefaultReader"));
      if (r.stream === undefined) return rejected(new TypeErr("ReadableStreamDefaultReader.cancel: the reader was released"));
      return readerGenericCancel(r, reason);
    }
    read() {
      const r = readerOf(this);
      if (r === undefined) return rejected(new TypeErr("ReadableStreamDefaultReader.read: this is not a ReadableStreamDefaultReader"));
      if (r.stream === undefined) return rejected(new TypeErr("ReadableStreamDefaultReader.read: the reader was released"));
      const d = new Deferred();
      defaultReaderRead(r, new PromiseReadRequest(d));
      return d.promise;
    }
    releaseLock() {
      const r = readerOf(this);
      if (r === undefined) throw new TypeErr("ReadableStreamDefaultReader.releaseLock: this is not a ReadableStreamDefaultReader");
      if (r.stream === undefined) return;
      readerRelease(r);
    }
    static {
      readerOf = (o) => (isObject(o) && #r in o ? o.#r : undefined);
      readerBind = (o, r) => {
        o.#r = r;
      };
    }
  }
  defineProperty(ReadableStreamDefaultReader.prototype, Symbol.toStringTag, { value: "ReadableStreamDefaultReader", configurable: true });

  function newBYOBReader(s, pub) {
    if (isLocked(s)) throw new TypeErr("ReadableStream.getReader: the stream is already locked to a reader");
    if (!s.controller.isByte) throw new TypeErr("ReadableStream.getReader: a BYOB reader needs a byte stream (type: \"bytes\")");
    const r = { stream: undefined, closed: undefined, requests: new Queue(), byob: true, pub };
    readerInit(r, s);
    return r;
  }
  let byobReaderBind;
  function acquireBYOBReader(s) {
    const pub = new ReadableStreamBYOBReader(kBare);
    const r = newBYOBReader(s, pub);
    byobReaderBind(pub, r);
    return r;
  }

  class PromiseReadIntoRequest {
    constructor(d) {
      this.d = d;
    }
    chunk(v) {
      this.d.resolve({ value: v, done: false });
    }
    close(v) {
      this.d.resolve({ value: v, done: true });
    }
    error(e) {
      this.d.reject(e);
    }
  }

  class ReadableStreamBYOBReader {
    #r;
    constructor(stream) {
      if (stream === kBare) return;
      const s = rsOf(stream);
      if (s === undefined) throw new TypeErr("ReadableStreamBYOBReader: the argument must be a ReadableStream");
      this.#r = newBYOBReader(s, this);
    }
    get closed() {
      const r = byobReaderOf(this);
      if (r === undefined) return rejected(new TypeErr("ReadableStreamBYOBReader.closed: this is not a ReadableStreamBYOBReader"));
      return r.closed.promise;
    }
    cancel(reason = undefined) {
      const r = byobReaderOf(this);
      if (r === undefined) return rejected(new TypeErr("ReadableStreamBYOBReader.cancel: this is not a ReadableStreamBYOBReader"));
      if (r.stream === undefined) return rejected(new TypeErr("ReadableStreamBYOBReader.cancel: the reader was released"));
      return readerGenericCancel(r, reason);
    }
    read(view, options = undefined) {
      const r = byobReaderOf(this);
      const what = "ReadableStreamBYOBReader.read";
      if (r === undefined) return rejected(new TypeErr(what + ": this is not a ReadableStreamBYOBReader"));
      if (!isView(view)) return rejected(new TypeErr(what + ": the argument must be an ArrayBuffer view"));
      if (view.byteLength === 0) return rejected(new TypeErr(what + ": the view must not be empty"));
      if (view.buffer.byteLength === 0) return rejected(new TypeErr(what + ": the view's buffer must not be empty"));
      if (isDetached(view.buffer)) return rejected(new TypeErr(what + ": the view's buffer is detached"));
      let min = 1;
      try {
        const o = dict(options, what + ": options");
        if (o.min !== undefined) min = toIndex(o.min, what + ": options.min");
      } catch (e) {
        return rejected(e);
      }
      if (min === 0) return rejected(new TypeErr(what + ": options.min must be greater than 0"));
      const tname = typedArrayName(view);
      if (tname !== "") {
        if (min > view.length) return rejected(new RangeErr(what + ": options.min is larger than the view's length"));
      } else if (min > view.byteLength) {
        return rejected(new RangeErr(what + ": options.min is larger than the view's byteLength"));
      }
      if (r.stream === undefined) return rejected(new TypeErr(what + ": the reader was released"));
      const d = new Deferred();
      byobReaderRead(r, view, min, new PromiseReadIntoRequest(d));
      return d.promise;
    }
    releaseLock() {
      const r = byobReaderOf(this);
      if (r === undefined) throw new TypeErr("ReadableStreamBYOBReader.releaseLock: this is not a ReadableStreamBYOBReader");
      if (r.stream === undefined) return;
      readerRelease(r);
    }
    static {
      byobReaderOf = (o) => (isObject(o) && #r in o ? o.#r : undefined);
      byobReaderBind = (o, r) => {
        o.#r = r;
      };
    }
  }
  defineProperty(ReadableStreamBYOBReader.prototype, Symbol.toStringTag, { value: "ReadableStreamBYOBReader", configurable: true });

  function byobReaderRead(r, view, min, rir) {
    const s = r.stream;
    s.disturbed = true;
    if (s.state === "errored") rir.error(s.storedError);
    else bcPullInto(s.controller, view, min, rir);
  }

  // --- default controller ----------------------------------------------------

  function newDefaultController(s) {
    const c = {
      isByte: false,
      stream: s,
      queue: new Queue(),
      queueTotalSize: 0,
      started: false,
      closeRequested: false,
      pullAgain: false,
      pulling: false,
      strategySizeAlgorithm: undefined,
      strategyHWM: 0,
      pullAlgorithm: undefined,
      cancelAlgorithm: undefined,
      pub: undefined,
      cancelSteps: undefined,
      pullSteps: undefined,
      releaseSteps: noop,
      onPulled: undefined,
      onPullFailed: undefined,
    };
    c.cancelSteps = (reason) => {
      resetQueue(c);
      const result = c.cancelAlgorithm(reason);
      dcClearAlgorithms(c);
      return result;
    };
    c.pullSteps = (rr) => {
      if (c.queue.length > 0) {
        const chunk = dequeueValue(c);
        if (c.closeRequested && c.queue.length === 0) {
          dcClearAlgorithms(c);
          readableClose(s);
        } else {
          callPullIfNeeded(c);
        }
        rr.chunk(chunk);
      } else {
        s.reader.requests.push(rr);
        callPullIfNeeded(c);
      }
    };
    return c;
  }

  let rsdcBind;
  class ReadableStreamDefaultController {
    #c;
    constructor(token = undefined) {
      if (token !== kBare) throw new TypeErr("Illegal constructor");
    }
    get desiredSize() {
      return dcDesiredSize(thisDC(this, "desiredSize"));
    }
    close() {
      const c = thisDC(this, "close");
      if (!dcCanCloseOrEnqueue(c)) throw new TypeErr("ReadableStreamDefaultController.close: the stream is " + closedOrClosing(c));
      dcClose(c);
    }
    enqueue(chunk = undefined) {
      const c = thisDC(this, "enqueue");
      if (!dcCanCloseOrEnqueue(c)) throw new TypeErr("ReadableStreamDefaultController.enqueue: the stream is " + closedOrClosing(c));
      dcEnqueue(c, chunk);
    }
    error(e = undefined) {
      dcError(thisDC(this, "error"), e);
    }
    static {
      rsdcOf = (o) => (isObject(o) && #c in o ? o.#c : undefined);
      rsdcBind = (o, c) => {
        o.#c = c;
      };
    }
  }
  defineProperty(ReadableStreamDefaultController.prototype, Symbol.toStringTag, { value: "ReadableStreamDefaultController", configurable: true });

  function closedOrClosing(c) {
    if (c.stream.state === "errored") return "errored";
    return c.closeRequested && c.stream.state === "readable" ? "closing (close() was called)" : "closed";
  }

  function thisDC(o, name) {
    const c = rsdcOf(o);
    if (c === undefined) throw new TypeErr("ReadableStreamDefaultController." + name + ": this is not a ReadableStreamDefaultController");
    return c;
  }

  function dcCanCloseOrEnqueue(c) {
    return !c.closeRequested && c.stream.state === "readable";
  }
  function dcDesiredSize(c) {
    const st = c.stream.state;
    if (st === "errored") return null;
    if (st === "closed") return 0;
    return c.strategyHWM - c.queueTotalSize;
  }
  function dcShouldCallPull(c) {
    if (!dcCanCloseOrEnqueue(c) || !c.started) return false;
    const s = c.stream;
    if (isLocked(s) && numReadRequests(s) > 0) return true;
    return dcDesiredSize(c) > 0;
  }
  function dcClearAlgorithms(c) {
    c.pullAlgorithm = undefined;
    c.cancelAlgorithm = undefined;
    c.strategySizeAlgorithm = undefined;
  }
  function dcClose(c) {
    if (!dcCanCloseOrEnqueue(c)) return;
    c.closeRequested = true;
    if (c.queue.length === 0) {
      dcClearAlgorithms(c);
      readableClose(c.stream);
    }
  }
  function dcEnqueue(c, chunk) {
    if (!dcCanCloseOrEnqueue(c)) return;
    const s = c.stream;
    if (isLocked(s) && numReadRequests(s) > 0) {
      fulfillReadRequest(s, chunk, false);
    } else {
      let size;
      try {
        size = c.strategySizeAlgorithm(chunk);
        enqueueValueWithSize(c, chunk, size);
      } catch (e) {
        dcError(c, e);
        throw e;
      }
    }
    callPullIfNeeded(c);
  }
  function dcError(c, e) {
    const s = c.stream;
    if (s.state !== "readable") return;
    resetQueue(c);
    dcClearAlgorithms(c);
    readableError(s, e);
  }
  function dcHasBackpressure(c) {
    return !dcShouldCallPull(c);
  }

  function setUpDefaultController(s, c, startAlg, pullAlg, cancelAlg, hwm, size) {
    c.strategySizeAlgorithm = size;
    c.strategyHWM = hwm;
    c.pullAlgorithm = pullAlg;
    c.cancelAlgorithm = cancelAlg;
    const pub = new ReadableStreamDefaultController(kBare);
    rsdcBind(pub, c);
    startController(s, c, pub, startAlg, dcError);
  }

  // --- what both readable controllers do -------------------------------------

  // startController attaches a set-up controller to its stream and runs
  // the start algorithm: once it settles the controller may pull, and a
  // rejection errors the stream (the last steps of both
  // SetUpReadable*Controller). error is the controller kind's own.
  function startController(s, c, pub, startAlg, error) {
    c.pub = pub;
    s.controller = c;
    const startResult = startAlg();
    then(promiseResolve(startResult), () => {
      c.started = true;
      callPullIfNeeded(c);
    }, (r) => error(c, r));
  }

  // callPullIfNeeded is ReadableStreamDefaultControllerCallPullIfNeeded
  // and ReadableByteStreamControllerCallPullIfNeeded, which differ only in
  // their ShouldCallPull: one pull at a time, and a pull asked for
  // meanwhile runs when it settles. (One function with a branch rather
  // than a shared tail called from two: goja regrows its value stack from
  // nothing each time the host calls in, so a frame more on the per-chunk
  // path costs bytes.)
  function callPullIfNeeded(c) {
    if (!(c.isByte ? bcShouldCallPull(c) : dcShouldCallPull(c))) return;
    if (c.pulling) {
      c.pullAgain = true;
      return;
    }
    c.pulling = true;
    if (c.onPulled === undefined) {
      // Made once per controller, not per pull.
      c.onPulled = () => {
        c.pulling = false;
        if (c.pullAgain) {
          c.pullAgain = false;
          callPullIfNeeded(c);
        }
      };
      c.onPullFailed = c.isByte ? (e) => bcError(c, e) : (e) => dcError(c, e);
    }
    then(c.pullAlgorithm(), c.onPulled, c.onPullFailed);
  }

  // setUpControllerFromSource makes a controller's algorithms from an
  // underlying source's methods, then sets it up with setUp
  // (SetUpReadableStreamDefaultControllerFromUnderlyingSource and its
  // byte-stream twin). last is the size algorithm of a default
  // controller, the autoAllocateChunkSize of a byte controller.
  function setUpControllerFromSource(s, c, setUp, source, start, pull, cancel, hwm, last) {
    const startAlg = start === undefined ? noop : () => apply(start, source, [c.pub]);
    const pullAlg = pull === undefined ? resolvedUndefined : () => promiseCall(pull, source, c.pub);
    const cancelAlg = cancel === undefined ? resolvedUndefined : (reason) => promiseCall(cancel, source, reason);
    setUp(s, c, startAlg, pullAlg, cancelAlg, hwm, last);
  }

  // --- byte controller -------------------------------------------------------

  function newByteController(s) {
    const c = {
      isByte: true,
      stream: s,
      autoAllocateChunkSize: undefined,
      byobRequest: null, // the public ReadableStreamBYOBRequest, once made
      byobReq: undefined, // its slots
      cancelAlgorithm: undefined,
      closeRequested: false,
      pullAgain: false,
      pulling: false,
      pendingPullIntos: [],
      queue: new Queue(),
      queueTotalSize: 0,
      started: false,
      strategyHWM: 0,
      pullAlgorithm: undefined,
      pub: undefined,
      cancelSteps: undefined,
      pullSteps: undefined,
      releaseSteps: undefined,
      onPulled: undefined,
      onPullFailed: undefined,
    };
    c.cancelSteps = (reason) => {
      bcClearPendingPullIntos(c);
      resetQueue(c);
      const result = c.cancelAlgorithm(reason);
      bcClearAlgorithms(c);
      return result;
    };
    c.pullSteps = (rr) => {
      if (c.queueTotalSize > 0) {
        bcFillReadRequestFromQueue(c, rr);
        return;
      }
      const auto = c.autoAllocateChunkSize;
      if (auto !== undefined) {
        let buffer;
        try {
          buffer = new AB(auto);
        } catch (e) {
          rr.error(e);
          return;
        }
        c.pendingPullIntos.push({
          buffer, bufferByteLength: auto, byteOffset: 0, byteLength: auto, bytesFilled: 0,
          minimumFill: 1, elementSize: 1, viewConstructor: U8, readerType: "default",
        });
      }
      s.reader.requests.push(rr);
      callPullIfNeeded(c);
    };
    c.releaseSteps = () => {
      if (c.pendingPullIntos.length > 0) {
        const first = c.pendingPullIntos[0];
        first.readerType = "none";
        c.pendingPullIntos = [first];
      }
    };
    return c;
  }

  let rbscBind;
  class ReadableByteStreamController {
    #c;
    constructor(token = undefined) {
      if (token !== kBare) throw new TypeErr("Illegal constructor");
    }
    get byobRequest() {
      return bcGetBYOBRequest(thisBC(this, "byobRequest"));
    }
    get desiredSize() {
      return bcDesiredSize(thisBC(this, "desiredSize"));
    }
    close() {
      const c = thisBC(this, "close");
      if (c.closeRequested) throw new TypeErr("ReadableByteStreamController.close: close() was already called");
      if (c.stream.state !== "readable") throw new TypeErr("ReadableByteStreamController.close: the stream is " + c.stream.state);
      bcClose(c);
    }
    enqueue(chunk) {
      const c = thisBC(this, "enqueue");
      const what = "ReadableByteStreamController.enqueue";
      if (!isView(chunk)) throw new TypeErr(what + ": the chunk must be an ArrayBuffer view (a Uint8Array, for example)");
      if (chunk.byteLength === 0) throw new TypeErr(what + ": the chunk must not be empty");
      if (chunk.buffer.byteLength === 0) throw new TypeErr(what + ": the chunk's buffer must not be empty");
      if (c.closeRequested) throw new TypeErr(what + ": close() was already called");
      if (c.stream.state !== "readable") throw new TypeErr(what + ": the stream is " + c.stream.state);
      bcEnqueue(c, chunk);
    }
    error(e = undefined) {
      bcError(thisBC(this, "error"), e);
    }
    static {
      rbscOf = (o) => (isObject(o) && #c in o ? o.#c : undefined);
      rbscBind = (o, c) => {
        o.#c = c;
      };
    }
  }
  defineProperty(ReadableByteStreamController.prototype, Symbol.toStringTag, { value: "ReadableByteStreamController", configurable: true });

  function thisBC(o, name) {
    const c = rbscOf(o);
    if (c === undefined) throw new TypeErr("ReadableByteStreamController." + name + ": this is not a ReadableByteStreamController");
    return c;
  }

  let byobReqBind;
  class ReadableStreamBYOBRequest {
    #q;
    constructor(token = undefined) {
      if (token !== kBare) throw new TypeErr("Illegal constructor");
    }
    get view() {
      return thisReq(this, "view").view;
    }
    respond(bytesWritten) {
      const q = thisReq(this, "respond");
      const what = "ReadableStreamBYOBRequest.respond";
      const n = toIndex(bytesWritten, what + ": bytesWritten");
      if (q.controller === undefined) throw new TypeErr(what + ": the request was already answered");
      if (isDetached(q.view.buffer)) throw new TypeErr(what + ": the view's buffer is detached");
      bcRespond(q.controller, n);
    }
    respondWithNewView(view) {
      const q = thisReq(this, "respondWithNewView");
      const what = "ReadableStreamBYOBRequest.respondWithNewView";
      if (!isView(view)) throw new TypeErr(what + ": the argument must be an ArrayBuffer view");
      if (q.controller === undefined) throw new TypeErr(what + ": the request was already answered");
      if (isDetached(view.buffer)) throw new TypeErr(what + ": the view's buffer is detached");
      bcRespondWithNewView(q.controller, view);
    }
    static {
      byobReqOf = (o) => (isObject(o) && #q in o ? o.#q : undefined);
      byobReqBind = (o, q) => {
        o.#q = q;
      };
    }
  }
  defineProperty(ReadableStreamBYOBRequest.prototype, Symbol.toStringTag, { value: "ReadableStreamBYOBRequest", configurable: true });

  function thisReq(o, name) {
    const q = byobReqOf(o);
    if (q === undefined) throw new TypeErr("ReadableStreamBYOBRequest." + name + ": this is not a ReadableStreamBYOBRequest");
    return q;
  }

  function bcGetBYOBRequest(c) {
    if (c.byobRequest === null && c.pendingPullIntos.length > 0) {
      const first = c.pendingPullIntos[0];
      const view = new U8(first.buffer, first.byteOffset + first.bytesFilled, first.byteLength - first.bytesFilled);
      const pub = new ReadableStreamBYOBRequest(kBare);
      const q = { controller: c, view };
      byobReqBind(pub, q);
      c.byobRequest = pub;
      c.byobReq = q;
    }
    return c.byobRequest;
  }
  function bcDesiredSize(c) {
    const st = c.stream.state;
    if (st === "errored") return null;
    if (st === "closed") return 0;
    return c.strategyHWM - c.queueTotalSize;
  }
  function bcInvalidateBYOBRequest(c) {
    if (c.byobRequest === null) return;
    c.byobReq.controller = undefined;
    c.byobReq.view = null;
    c.byobRequest = null;
    c.byobReq = undefined;
  }
  function bcClearPendingPullIntos(c) {
    bcInvalidateBYOBRequest(c);
    c.pendingPullIntos = [];
  }
  function bcClearAlgorithms(c) {
    c.pullAlgorithm = undefined;
    c.cancelAlgorithm = undefined;
  }
  function bcShouldCallPull(c) {
    const s = c.stream;
    if (s.state !== "readable" || c.closeRequested || !c.started) return false;
    if (hasDefaultReader(s) && numReadRequests(s) > 0) return true;
    if (hasBYOBReader(s) && s.reader.requests.length > 0) return true;
    return bcDesiredSize(c) > 0;
  }
  function bcError(c, e) {
    const s = c.stream;
    if (s.state !== "readable") return;
    bcClearPendingPullIntos(c);
    resetQueue(c);
    bcClearAlgorithms(c);
    readableError(s, e);
  }
  function bcClose(c) {
    const s = c.stream;
    if (c.closeRequested || s.state !== "readable") return;
    if (c.queueTotalSize > 0) {
      c.closeRequested = true;
      return;
    }
    if (c.pendingPullIntos.length > 0) {
      const first = c.pendingPullIntos[0];
      if (first.bytesFilled % first.elementSize !== 0) {
        const e = new TypeErr("ReadableByteStreamController.close: the stream closed in the middle of an element of a pending read");
        bcError(c, e);
        throw e;
      }
    }
    bcClearAlgorithms(c);
    readableClose(s);
  }
  function bcEnqueueChunkToQueue(c, buffer, byteOffset, byteLength) {
    c.queue.push({ buffer, byteOffset, byteLength });
    c.queueTotalSize += byteLength;
  }
  function bcEnqueueClonedChunkToQueue(c, buffer, byteOffset, byteLength) {
    let clone;
    try {
      clone = buffer.slice(byteOffset, byteOffset + byteLength);
    } catch (e) {
      bcError(c, e);
      throw e;
    }
    bcEnqueueChunkToQueue(c, clone, 0, byteLength);
  }
  function bcEnqueueDetachedPullIntoToQueue(c, pd) {
    if (pd.bytesFilled > 0) bcEnqueueClonedChunkToQueue(c, pd.buffer, pd.byteOffset, pd.bytesFilled);
    bcShiftPendingPullInto(c);
  }
  function bcShiftPendingPullInto(c) {
    return c.pendingPullIntos.shift();
  }
  function bcEnqueue(c, chunk) {
    const s = c.stream;
    if (c.closeRequested || s.state !== "readable") return;
    const buffer = chunk.buffer;
    const byteOffset = chunk.byteOffset;
    const byteLength = chunk.byteLength;
    if (isDetached(buffer)) throw new TypeErr("ReadableByteStreamController.enqueue: the chunk's buffer is detached");
    const transferred = transferBuffer(buffer);
    if (c.pendingPullIntos.length > 0) {
      const first = c.pendingPullIntos[0];
      if (isDetached(first.buffer)) throw new TypeErr("ReadableByteStreamController.enqueue: the pending read's buffer is detached");
      bcInvalidateBYOBRequest(c);
      first.buffer = transferBuffer(first.buffer);
      if (first.readerType === "none") bcEnqueueDetachedPullIntoToQueue(c, first);
    }
    if (hasDefaultReader(s)) {
      bcProcessReadRequestsUsingQueue(c);
      if (numReadRequests(s) === 0) {
        bcEnqueueChunkToQueue(c, transferred, byteOffset, byteLength);
      } else {
        if (c.pendingPullIntos.length > 0) bcShiftPendingPullInto(c);
        fulfillReadRequest(s, new U8(transferred, byteOffset, byteLength), false);
      }
    } else if (hasBYOBReader(s)) {
      bcEnqueueChunkToQueue(c, transferred, byteOffset, byteLength);
      const filled = bcProcessPullIntoDescriptorsUsingQueue(c);
      for (const pd of filled) bcCommitPullIntoDescriptor(s, pd);
    } else {
      bcEnqueueChunkToQueue(c, transferred, byteOffset, byteLength);
    }
    callPullIfNeeded(c);
  }
  function bcFillReadRequestFromQueue(c, rr) {
    const e = c.queue.shift();
    c.queueTotalSize -= e.byteLength;
    bcHandleQueueDrain(c);
    rr.chunk(new U8(e.buffer, e.byteOffset, e.byteLength));
  }
  function bcProcessReadRequestsUsingQueue(c) {
    const r = c.stream.reader;
    while (r.requests.length > 0) {
      if (c.queueTotalSize === 0) return;
      bcFillReadRequestFromQueue(c, r.requests.shift());
    }
  }
  function bcHandleQueueDrain(c) {
    if (c.queueTotalSize === 0 && c.closeRequested) {
      bcClearAlgorithms(c);
      readableClose(c.stream);
    } else {
      callPullIfNeeded(c);
    }
  }
  function copyBytes(dest, destOff, src, srcOff, n) {
    new U8(dest, destOff, n).set(new U8(src, srcOff, n));
  }
  function bcFillPullIntoDescriptorFromQueue(c, pd) {
    const maxBytesToCopy = Math.min(c.queueTotalSize, pd.byteLength - pd.bytesFilled);
    const maxBytesFilled = pd.bytesFilled + maxBytesToCopy;
    let remaining = maxBytesToCopy;
    let ready = false;
    const maxAligned = maxBytesFilled - (maxBytesFilled % pd.elementSize);
    if (maxAligned >= pd.minimumFill) {
      remaining = maxAligned - pd.bytesFilled;
      ready = true;
    }
    const q = c.queue;
    while (remaining > 0) {
      const head = q.peek();
      const n = Math.min(remaining, head.byteLength);
      copyBytes(pd.buffer, pd.byteOffset + pd.bytesFilled, head.buffer, head.byteOffset, n);
      if (head.byteLength === n) {
        q.shift();
      } else {
        head.byteOffset += n;
        head.byteLength -= n;
      }
      c.queueTotalSize -= n;
      pd.bytesFilled += n;
      remaining -= n;
    }
    return ready;
  }
  function bcProcessPullIntoDescriptorsUsingQueue(c) {
    const filled = [];
    while (c.pendingPullIntos.length > 0) {
      if (c.queueTotalSize === 0) break;
      const pd = c.pendingPullIntos[0];
      if (bcFillPullIntoDescriptorFromQueue(c, pd)) {
        bcShiftPendingPullInto(c);
        filled.push(pd);
      }
    }
    return filled;
  }
  function bcConvertPullIntoDescriptor(pd) {
    const buffer = transferBuffer(pd.buffer);
    return new pd.viewConstructor(buffer, pd.byteOffset, pd.bytesFilled / pd.elementSize);
  }
  function bcCommitPullIntoDescriptor(s, pd) {
    let done = false;
    if (s.state === "closed") done = true;
    const view = bcConvertPullIntoDescriptor(pd);
    if (pd.readerType === "default") {
      fulfillReadRequest(s, view, done);
    } else {
      const rir = s.reader.requests.shift();
      if (done) rir.close(view);
      else rir.chunk(view);
    }
  }
  function bcPullInto(c, view, min, rir) {
    const s = c.stream;
    let elementSize = 1;
    let ctor = DV;
    const tname = typedArrayName(view);
    if (tname !== "") {
      ctor = typedCtors[tname];
      elementSize = ctor.BYTES_PER_ELEMENT;
    }
    const minimumFill = min * elementSize;
    const byteOffset = view.byteOffset;
    const byteLength = view.byteLength;
    let buffer;
    try {
      buffer = transferBuffer(view.buffer);
    } catch (e) {
      rir.error(e);
      return;
    }
    const pd = {
      buffer, bufferByteLength: buffer.byteLength, byteOffset, byteLength, bytesFilled: 0,
      minimumFill, elementSize, viewConstructor: ctor, readerType: "byob",
    };
    if (c.pendingPullIntos.length > 0) {
      c.pendingPullIntos.push(pd);
      s.reader.requests.push(rir);
      return;
    }
    if (s.state === "closed") {
      rir.close(new ctor(pd.buffer, pd.byteOffset, 0));
      return;
    }
    if (c.queueTotalSize > 0) {
      if (bcFillPullIntoDescriptorFromQueue(c, pd)) {
        const filled = bcConvertPullIntoDescriptor(pd);
        bcHandleQueueDrain(c);
        rir.chunk(filled);
        return;
      }
      if (c.closeRequested) {
        const e = new TypeErr("ReadableStreamBYOBReader.read: the stream closed in the middle of an element");
        bcError(c, e);
        rir.error(e);
        return;
      }
    }
    c.pendingPullIntos.push(pd);
    s.reader.requests.push(rir);
    callPullIfNeeded(c);
  }
  function bcRespond(c, n) {
    const first = c.pendingPullIntos[0];
    const what = "ReadableStreamBYOBRequest.respond";
    if (c.stream.state === "closed") {
      if (n !== 0) throw new TypeErr(what + ": bytesWritten must be 0 once the stream is closed");
    } else {
      if (n === 0) throw new TypeErr(what + ": bytesWritten must be greater than 0 while the stream is readable");
      if (first.bytesFilled + n > first.byteLength) throw new RangeErr(what + ": bytesWritten is larger than the view");
    }
    first.buffer = transferBuffer(first.buffer);
    bcRespondInternal(c, n);
  }
  function bcRespondWithNewView(c, view) {
    const first = c.pendingPullIntos[0];
    const what = "ReadableStreamBYOBRequest.respondWithNewView";
    if (c.stream.state === "closed") {
      if (view.byteLength !== 0) throw new TypeErr(what + ": the view must be empty once the stream is closed");
    } else if (view.byteLength === 0) {
      throw new TypeErr(what + ": the view must not be empty while the stream is readable");
    }
    if (first.byteOffset + first.bytesFilled !== view.byteOffset) throw new RangeErr(what + ": the view's offset does not match the request's");
    if (first.bufferByteLength !== view.buffer.byteLength) throw new RangeErr(what + ": the view's buffer has a different length than the request's");
    if (first.bytesFilled + view.byteLength > first.byteLength) throw new RangeErr(what + ": the view is larger than the request's");
    const n = view.byteLength;
    first.buffer = transferBuffer(view.buffer);
    bcRespondInternal(c, n);
  }
  function bcRespondInternal(c, n) {
    const first = c.pendingPullIntos[0];
    bcInvalidateBYOBRequest(c);
    if (c.stream.state === "closed") bcRespondInClosedState(c, first);
    else bcRespondInReadableState(c, n, first);
    callPullIfNeeded(c);
  }
  function bcRespondInClosedState(c, first) {
    if (first.readerType === "none") bcShiftPendingPullInto(c);
    const s = c.stream;
    if (hasBYOBReader(s)) {
      const filled = [];
      while (filled.length < s.reader.requests.length) filled.push(bcShiftPendingPullInto(c));
      for (const pd of filled) bcCommitPullIntoDescriptor(s, pd);
    }
  }
  function bcRespondInReadableState(c, n, pd) {
    pd.bytesFilled += n;
    const s = c.stream;
    if (pd.readerType === "none") {
      bcEnqueueDetachedPullIntoToQueue(c, pd);
      for (const f of bcProcessPullIntoDescriptorsUsingQueue(c)) bcCommitPullIntoDescriptor(s, f);
      return;
    }
    if (pd.bytesFilled < pd.minimumFill) return;
    bcShiftPendingPullInto(c);
    const rem = pd.bytesFilled % pd.elementSize;
    if (rem > 0) {
      const end = pd.byteOffset + pd.bytesFilled;
      bcEnqueueClonedChunkToQueue(c, pd.buffer, end - rem, rem);
    }
    pd.bytesFilled -= rem;
    const filled = bcProcessPullIntoDescriptorsUsingQueue(c);
    bcCommitPullIntoDescriptor(s, pd);
    for (const f of filled) bcCommitPullIntoDescriptor(s, f);
  }

  const typedCtors = {
    Int8Array, Uint8Array, Uint8ClampedArray, Int16Array, Uint16Array, Int32Array, Uint32Array,
    Float32Array, Float64Array, BigInt64Array, BigUint64Array,
  };

  function setUpByteController(s, c, startAlg, pullAlg, cancelAlg, hwm, auto) {
    c.strategyHWM = hwm;
    c.pullAlgorithm = pullAlg;
    c.cancelAlgorithm = cancelAlg;
    c.autoAllocateChunkSize = auto;
    const pub = new ReadableByteStreamController(kBare);
    rbscBind(pub, c);
    startController(s, c, pub, startAlg, bcError);
  }

  // --- ReadableStream.from ---------------------------------------------------

  function readableFromIterable(iterable) {
    let iterator, nextMethod;
    const what = "ReadableStream.from";
    if (iterable === null || iterable === undefined) throw new TypeErr(what + ": the argument must be an iterable or async iterable, got " + iterable);
    const am = iterable[asyncIterator];
    if (am !== undefined && am !== null) {
      if (typeof am !== "function") throw new TypeErr(what + ": Symbol.asyncIterator is not a function");
      iterator = apply(am, iterable, []);
      if (!isObject(iterator)) throw new TypeErr(what + ": the async iterator is not an object");
      nextMethod = iterator.next;
    } else {
      const sm = iterable[iteratorSym];
      if (typeof sm !== "function") throw new TypeErr(what + ": the argument is not iterable");
      const syncIt = apply(sm, iterable, []);
      if (!isObject(syncIt)) throw new TypeErr(what + ": the iterator is not an object");
      const syncNext = syncIt.next;
      iterator = {
        next() {
          const r = apply(syncNext, syncIt, []);
          if (!isObject(r)) throw new TypeErr(what + ": the iterator result is not an object");
          const done = !!r.done;
          return then(promiseResolve(r.value), (value) => ({ value, done }));
        },
        return(v) {
          const m = syncIt.return;
          if (m === undefined || m === null) return promiseResolve({ value: v, done: true });
          const r = apply(m, syncIt, [v]);
          if (!isObject(r)) throw new TypeErr(what + ": the iterator's return() result is not an object");
          return promiseResolve(r);
        },
      };
      nextMethod = iterator.next;
    }
    let s;
    const pullAlg = () => {
      let nextResult;
      try {
        nextResult = apply(nextMethod, iterator, []);
      } catch (e) {
        return rejected(e);
      }
      return then(promiseResolve(nextResult), (r) => {
        if (!isObject(r)) throw new TypeErr(what + ": the iterator's next() did not resolve to an object");
        if (r.done) dcClose(s.controller);
        else dcEnqueue(s.controller, r.value);
      });
    };
    const cancelAlg = (reason) => {
      let ret;
      try {
        ret = iterator.return;
      } catch (e) {
        return rejected(e);
      }
      if (ret === undefined || ret === null) return resolvedUndefined();
      let result;
      try {
        result = apply(ret, iterator, [reason]);
      } catch (e) {
        return rejected(e);
      }
      return then(promiseResolve(result), (r) => {
        if (!isObject(r)) throw new TypeErr(what + ": the iterator's return() did not resolve to an object");
      });
    };
    s = createReadable(noop, pullAlg, cancelAlg, 0);
    return s;
  }

  // --- async iteration ---------------------------------------------------------

  let iterOf;
  class ReadableStreamAsyncIterator {
    #it;
    constructor(token, it) {
      if (token !== kBare) throw new TypeErr("Illegal constructor");
      this.#it = it;
    }
    next() {
      const it = iterOf(this);
      if (it === undefined) return rejected(new TypeErr("ReadableStream async iterator next: illegal invocation"));
      const steps = () => iterNext(it);
      it.ongoing = it.ongoing === undefined ? steps() : then(it.ongoing, steps, steps);
      return it.ongoing;
    }
    return(value = undefined) {
      const it = iterOf(this);
      if (it === undefined) return rejected(new TypeErr("ReadableStream async iterator return: illegal invocation"));
      const steps = () => iterReturn(it, value);
      it.ongoing = it.ongoing === undefined ? steps() : then(it.ongoing, steps, steps);
      return it.ongoing;
    }
    [asyncIterator]() {
      return this;
    }
    static {
      iterOf = (o) => (isObject(o) && #it in o ? o.#it : undefined);
    }
  }
  const AsyncIteratorProto = ReadableStreamAsyncIterator.prototype;
  defineProperty(AsyncIteratorProto, Symbol.toStringTag, { value: "ReadableStream AsyncIterator", configurable: true });

  function newAsyncIterator(s, preventCancel) {
    const r = acquireDefaultReader(s, "ReadableStream.values");
    return new ReadableStreamAsyncIterator(kBare, { reader: r, preventCancel, finished: false, ongoing: undefined });
  }

  class IterReadRequest {
    constructor(it, d) {
      this.it = it;
      this.d = d;
    }
    chunk(v) {
      // Resolve after a microtask so a synchronous enqueue-then-read does
      // not reorder ongoing promises (the spec queues a microtask here).
      const it = this.it;
      const d = this.d;
      then(promiseResolve(undefined), () => {
        it.ongoing = undefined;
        d.resolve({ value: v, done: false });
      });
    }
    close() {
      const it = this.it;
      it.ongoing = undefined;
      it.finished = true;
      readerRelease(it.reader);
      this.d.resolve({ value: undefined, done: true });
    }
    error(e) {
      const it = this.it;
      it.ongoing = undefined;
      it.finished = true;
      readerRelease(it.reader);
      this.d.reject(e);
    }
  }

  function iterNext(it) {
    if (it.finished) return promiseResolve({ value: undefined, done: true });
    const r = it.reader;
    if (r.stream === undefined) return rejected(new TypeErr("ReadableStream async iterator: the reader was released"));
    const d = new Deferred();
    defaultReaderRead(r, new IterReadRequest(it, d));
    return d.promise;
  }

  function iterReturn(it, value) {
    if (it.finished) return promiseResolve({ value, done: true });
    it.finished = true;
    const r = it.reader;
    if (r.stream === undefined) return rejected(new TypeErr("ReadableStream async iterator: the reader was released"));
    if (!it.preventCancel) {
      const result = readerGenericCancel(r, value);
      readerRelease(r);
      return then(result, () => ({ value, done: true }));
    }
    readerRelease(r);
    return promiseResolve({ value, done: true });
  }

  // --- tee -------------------------------------------------------------------

  class TeeReadRequest {
    constructor(t) {
      this.t = t;
    }
    chunk(chunk) {
      const t = this.t;
      then(promiseResolve(undefined), () => {
        t.readAgain = false;
        const chunk1 = chunk;
        let chunk2 = chunk;
        if (!t.canceled2 && t.clone) {
          try {
            chunk2 = t.clone(chunk);
          } catch (e) {
            t.errorBranches(e);
            t.cancelPromise.resolve(readableCancel(t.stream, e));
            return;
          }
        }
        if (!t.canceled1) t.enqueue1(chunk1);
        if (!t.canceled2) t.enqueue2(chunk2);
        t.reading = false;
        if (t.readAgain) t.pull();
      });
    }
    close() {
      const t = this.t;
      t.reading = false;
      if (!t.canceled1) t.close1();
      if (!t.canceled2) t.close2();
      if (!t.canceled1 || !t.canceled2) t.cancelPromise.resolve(undefined);
    }
    error() {
      this.t.reading = false;
    }
  }

  // readableTee splits a stream in two. Byte streams give byte-stream
  // branches; each branch gets its own copy of every chunk. clone, when
  // given, copies chunks for the second branch of a default stream.
  function readableTee(s, clone) {
    const byte = s.controller.isByte;
    const reader = acquireDefaultReader(s, "ReadableStream.tee");
    const t = {
      stream: s, reader, reading: false, readAgain: false, canceled1: false, canceled2: false,
      reason1: undefined, reason2: undefined, branch1: undefined, branch2: undefined,
      cancelPromise: new Deferred(), clone: byte ? copyView : clone,
      pull: undefined, enqueue1: undefined, enqueue2: undefined, close1: undefined, close2: undefined, errorBranches: undefined,
    };
    const rr = new TeeReadRequest(t);
    t.pull = () => {
      if (t.reading) {
        t.readAgain = true;
        return resolvedUndefined();
      }
      t.reading = true;
      defaultReaderRead(reader, rr);
      return resolvedUndefined();
    };
    const cancel1 = (reason) => {
      t.canceled1 = true;
      t.reason1 = reason;
      if (t.canceled2) t.cancelPromise.resolve(readableCancel(s, [t.reason1, t.reason2]));
      return t.cancelPromise.promise;
    };
    const cancel2 = (reason) => {
      t.canceled2 = true;
      t.reason2 = reason;
      if (t.canceled1) t.cancelPromise.resolve(readableCancel(s, [t.reason1, t.reason2]));
      return t.cancelPromise.promise;
    };
    if (byte) {
      t.branch1 = createReadableBytes(noop, t.pull, cancel1);
      t.branch2 = createReadableBytes(noop, t.pull, cancel2);
      const enq = (b, chunk) => {
        const c = b.controller;
        if (chunk.byteLength === 0 || c.closeRequested || b.state !== "readable") return;
        // A pending BYOB read is answered from the queue by enqueue.
        bcEnqueue(c, chunk);
      };
      t.enqueue1 = (chunk) => enq(t.branch1, chunk);
      t.enqueue2 = (chunk) => enq(t.branch2, chunk);
      t.close1 = () => closeTeeByteBranch(t.branch1.controller);
      t.close2 = () => closeTeeByteBranch(t.branch2.controller);
      t.errorBranches = (e) => {
        bcError(t.branch1.controller, e);
        bcError(t.branch2.controller, e);
      };
    } else {
      t.branch1 = createReadable(noop, t.pull, cancel1);
      t.branch2 = createReadable(noop, t.pull, cancel2);
      t.enqueue1 = (chunk) => dcEnqueue(t.branch1.controller, chunk);
      t.enqueue2 = (chunk) => dcEnqueue(t.branch2.controller, chunk);
      t.close1 = () => dcClose(t.branch1.controller);
      t.close2 = () => dcClose(t.branch2.controller);
      t.errorBranches = (e) => {
        dcError(t.branch1.controller, e);
        dcError(t.branch2.controller, e);
      };
    }
    then(reader.closed.promise, undefined, (r) => {
      t.errorBranches(r);
      if (!t.canceled1 || !t.canceled2) t.cancelPromise.resolve(undefined);
    });
    return [t.branch1, t.branch2];
  }

  function closeTeeByteBranch(c) {
    if (c.closeRequested || c.stream.state !== "readable") return;
    bcClose(c);
    if (c.pendingPullIntos.length > 0) bcRespond(c, 0);
  }

  function copyView(v) {
    if (isView(v)) return new U8(new U8(v.buffer, v.byteOffset, v.byteLength));
    return v;
  }

  // =========================================================================
  // WritableStream
  // =========================================================================

  let wsOf, wsBind, writerOf, writerBind, wsdcOf, wsdcBind;
  const closeSentinel = {};

  function newWritableSlots(pub) {
    return {
      state: "writable", // "writable" | "closed" | "erroring" | "errored"
      storedError: undefined,
      writer: undefined,
      controller: undefined,
      inFlightWriteRequest: undefined,
      closeRequest: undefined,
      inFlightCloseRequest: undefined,
      pendingAbortRequest: undefined,
      writeRequests: new Queue(),
      backpressure: false,
      pub,
    };
  }

  class WritableStream {
    #s;
    constructor(underlyingSink = undefined, strategy = undefined) {
      if (underlyingSink === kBare) return;
      const sink = underlyingSink === undefined || underlyingSink === null ? {} : underlyingSink;
      if (!isObject(sink)) throw new TypeErr("WritableStream: the underlying sink must be an object");
      const strat = dict(strategy, "WritableStream: the strategy");
      const start = method(sink, "start", "WritableStream: underlyingSink");
      const write = method(sink, "write", "WritableStream: underlyingSink");
      const close = method(sink, "close", "WritableStream: underlyingSink");
      const abort = method(sink, "abort", "WritableStream: underlyingSink");
      if (sink.type !== undefined) throw new RangeErr("WritableStream: underlyingSink.type must be undefined");
      const s = newWritableSlots(this);
      this.#s = s;
      const size = extractSizeAlgorithm(strat, "WritableStream");
      const hwm = extractHighWaterMark(strat, 1, "WritableStream");
      const c = newWritableController(s);
      const startAlg = start === undefined ? noop : () => apply(start, sink, [c.pub]);
      const writeAlg = write === undefined ? resolvedUndefined : (chunk) => promiseCall2(write, sink, chunk, c.pub);
      const closeAlg = close === undefined ? resolvedUndefined : () => promiseCall0(close, sink);
      const abortAlg = abort === undefined ? resolvedUndefined : (reason) => promiseCall(abort, sink, reason);
      setUpWritableController(s, c, startAlg, writeAlg, closeAlg, abortAlg, hwm, size);
    }
    get locked() {
      return thisWS(this, "locked").writer !== undefined;
    }
    abort(reason = undefined) {
      const s = wsOf(this);
      if (s === undefined) return rejected(new TypeErr("WritableStream.abort: this is not a WritableStream"));
      if (s.writer !== undefined) return rejected(new TypeErr("WritableStream.abort: the stream is locked to a writer"));
      return writableAbort(s, reason);
    }
    close() {
      const s = wsOf(this);
      if (s === undefined) return rejected(new TypeErr("WritableStream.close: this is not a WritableStream"));
      if (s.writer !== undefined) return rejected(new TypeErr("WritableStream.close: the stream is locked to a writer"));
      if (closeQueuedOrInFlight(s)) return rejected(new TypeErr("WritableStream.close: the stream is already closing"));
      return writableClose(s);
    }
    getWriter() {
      return acquireWriter(thisWS(this, "getWriter")).pub;
    }
    static {
      wsOf = (o) => (isObject(o) && #s in o ? o.#s : undefined);
      wsBind = (o, s) => {
        o.#s = s;
      };
    }
  }
  defineProperty(WritableStream.prototype, Symbol.toStringTag, { value: "WritableStream", configurable: true });

  function thisWS(o, name) {
    const s = wsOf(o);
    if (s === undefined) throw new TypeErr("WritableStream." + name + ": this is not a WritableStream");
    return s;
  }

  function createWritable(startAlg, writeAlg, closeAlg, abortAlg, hwm, size) {
    const pub = new WritableStream(kBare);
    const s = newWritableSlots(pub);
    wsBind(pub, s);
    const c = newWritableController(s);
    setUpWritableController(s, c, startAlg, writeAlg, closeAlg, abortAlg, hwm, size);
    return s;
  }

  function writableAbort(s, reason) {
    if (s.state === "closed" || s.state === "errored") return resolvedUndefined();
    wcSignalAbort(s.controller, reason);
    const state = s.state;
    if (state === "closed" || state === "errored") return resolvedUndefined();
    if (s.pendingAbortRequest !== undefined) return s.pendingAbortRequest.d.promise;
    let wasAlreadyErroring = false;
    if (state === "erroring") {
      wasAlreadyErroring = true;
      reason = undefined;
    }
    const d = new Deferred();
    s.pendingAbortRequest = { d, reason, wasAlreadyErroring };
    if (!wasAlreadyErroring) writableStartErroring(s, reason);
    return d.promise;
  }

  function writableClose(s) {
    const state = s.state;
    if (state === "closed" || state === "errored") {
      return rejected(new TypeErr("WritableStream.close: the stream is already " + state));
    }
    const d = new Deferred();
    s.closeRequest = d;
    const w = s.writer;
    if (w !== undefined && s.backpressure && state === "writable") w.ready.resolve(undefined);
    wcClose(s.controller);
    return d.promise;
  }

  function writableDealWithRejection(s, error) {
    if (s.state === "writable") {
      writableStartErroring(s, error);
      return;
    }
    writableFinishErroring(s);
  }

  function writableStartErroring(s, reason) {
    const c = s.controller;
    s.state = "erroring";
    s.storedError = reason;
    const w = s.writer;
    if (w !== undefined) writerEnsureReadyPromiseRejected(w, reason);
    if (!hasOperationMarkedInFlight(s) && c.started) writableFinishErroring(s);
  }

  function writableFinishErroring(s) {
    s.state = "errored";
    resetQueue(s.controller);
    const e = s.storedError;
    for (const wr of s.writeRequests.drain()) wr.reject(e);
    const abortRequest = s.pendingAbortRequest;
    if (abortRequest === undefined) {
      rejectCloseAndClosedPromiseIfNeeded(s);
      return;
    }
    s.pendingAbortRequest = undefined;
    if (abortRequest.wasAlreadyErroring) {
      abortRequest.d.reject(e);
      rejectCloseAndClosedPromiseIfNeeded(s);
      return;
    }
    const p = s.controller.abortSteps(abortRequest.reason);
    then(p, () => {
      abortRequest.d.resolve(undefined);
      rejectCloseAndClosedPromiseIfNeeded(s);
    }, (reason) => {
      abortRequest.d.reject(reason);
      rejectCloseAndClosedPromiseIfNeeded(s);
    });
  }

  function finishInFlightWrite(s) {
    s.inFlightWriteRequest.resolve(undefined);
    s.inFlightWriteRequest = undefined;
  }
  function finishInFlightWriteWithError(s, e) {
    s.inFlightWriteRequest.reject(e);
    s.inFlightWriteRequest = undefined;
    writableDealWithRejection(s, e);
  }
  function finishInFlightClose(s) {
    s.inFlightCloseRequest.resolve(undefined);
    s.inFlightCloseRequest = undefined;
    if (s.state === "erroring") {
      s.storedError = undefined;
      if (s.pendingAbortRequest !== undefined) {
        s.pendingAbortRequest.d.resolve(undefined);
        s.pendingAbortRequest = undefined;
      }
    }
    s.state = "closed";
    const w = s.writer;
    if (w !== undefined) w.closed.resolve(undefined);
  }
  function finishInFlightCloseWithError(s, e) {
    s.inFlightCloseRequest.reject(e);
    s.inFlightCloseRequest = undefined;
    if (s.pendingAbortRequest !== undefined) {
      s.pendingAbortRequest.d.reject(e);
      s.pendingAbortRequest = undefined;
    }
    writableDealWithRejection(s, e);
  }
  function closeQueuedOrInFlight(s) {
    return s.closeRequest !== undefined || s.inFlightCloseRequest !== undefined;
  }
  function hasOperationMarkedInFlight(s) {
    return s.inFlightWriteRequest !== undefined || s.inFlightCloseRequest !== undefined;
  }
  function rejectCloseAndClosedPromiseIfNeeded(s) {
    if (s.closeRequest !== undefined) {
      s.closeRequest.reject(s.storedError);
      s.closeRequest = undefined;
    }
    const w = s.writer;
    if (w !== undefined) {
      w.closed.reject(s.storedError);
      markHandled(w.closed.promise);
    }
  }
  function writableUpdateBackpressure(s, bp) {
    const w = s.writer;
    if (w !== undefined && bp !== s.backpressure) {
      if (bp) w.ready = new Deferred();
      else w.ready.resolve(undefined);
    }
    s.backpressure = bp;
  }

  // --- writer ------------------------------------------------------------------

  function newWriter(s, pub) {
    if (s.writer !== undefined) throw new TypeErr("WritableStream.getWriter: the stream is already locked to a writer");
    const w = { stream: s, ready: undefined, closed: undefined, pub };
    s.writer = w;
    const state = s.state;
    if (state === "writable") {
      w.ready = !closeQueuedOrInFlight(s) && s.backpressure ? new Deferred() : deferredResolved(undefined);
      w.closed = new Deferred();
    } else if (state === "erroring") {
      w.ready = deferredRejected(s.storedError);
      w.closed = new Deferred();
    } else if (state === "closed") {
      w.ready = deferredResolved(undefined);
      w.closed = deferredResolved(undefined);
    } else {
      w.ready = deferredRejected(s.storedError);
      w.closed = deferredRejected(s.storedError);
    }
    return w;
  }

  function acquireWriter(s) {
    const pub = new WritableStreamDefaultWriter(kBare);
    const w = newWriter(s, pub);
    writerBind(pub, w);
    return w;
  }

  class WritableStreamDefaultWriter {
    #w;
    constructor(stream) {
      if (stream === kBare) return;
      const s = wsOf(stream);
      if (s === undefined) throw new TypeErr("WritableStreamDefaultWriter: the argument must be a WritableStream");
      this.#w = newWriter(s, this);
    }
    get closed() {
      const w = writerOf(this);
      if (w === undefined) return rejected(new TypeErr("WritableStreamDefaultWriter.closed: this is not a WritableStreamDefaultWriter"));
      return w.closed.promise;
    }
    get desiredSize() {
      const w = thisWriter(this, "desiredSize");
      if (w.stream === undefined) throw new TypeErr("WritableStreamDefaultWriter.desiredSize: the writer was released");
      return writerDesiredSize(w);
    }
    get ready() {
      const w = writerOf(this);
      if (w === undefined) return rejected(new TypeErr("WritableStreamDefaultWriter.ready: this is not a WritableStreamDefaultWriter"));
      return w.ready.promise;
    }
    abort(reason = undefined) {
      const w = writerOf(this);
      if (w === undefined) return rejected(new TypeErr("WritableStreamDefaultWriter.abort: this is not a WritableStreamDefaultWriter"));
      if (w.stream === undefined) return rejected(new TypeErr("WritableStreamDefaultWriter.abort: the writer was released"));
      return writableAbort(w.stream, reason);
    }
    close() {
      const w = writerOf(this);
      if (w === undefined) return rejected(new TypeErr("WritableStreamDefaultWriter.close: this is not a WritableStreamDefaultWriter"));
      const s = w.stream;
      if (s === undefined) return rejected(new TypeErr("WritableStreamDefaultWriter.close: the writer was released"));
      if (closeQueuedOrInFlight(s)) return rejected(new TypeErr("WritableStreamDefaultWriter.close: the stream is already closing"));
      return writableClose(s);
    }
    releaseLock() {
      const w = thisWriter(this, "releaseLock");
      if (w.stream === undefined) return;
      writerRelease(w);
    }
    write(chunk = undefined) {
      const w = writerOf(this);
      if (w === undefined) return rejected(new TypeErr("WritableStreamDefaultWriter.write: this is not a WritableStreamDefaultWriter"));
      if (w.stream === undefined) return rejected(new TypeErr("WritableStreamDefaultWriter.write: the writer was released"));
      return writerWrite(w, chunk);
    }
    static {
      writerOf = (o) => (isObject(o) && #w in o ? o.#w : undefined);
      writerBind = (o, w) => {
        o.#w = w;
      };
    }
  }
  defineProperty(WritableStreamDefaultWriter.prototype, Symbol.toStringTag, { value: "WritableStreamDefaultWriter", configurable: true });

  function thisWriter(o, name) {
    const w = writerOf(o);
    if (w === undefined) throw new TypeErr("WritableStreamDefaultWriter." + name + ": this is not a WritableStreamDefaultWriter");
    return w;
  }

  function writerDesiredSize(w) {
    const s = w.stream;
    const state = s.state;
    if (state === "errored" || state === "erroring") return null;
    if (state === "closed") return 0;
    return s.controller.strategyHWM - s.controller.queueTotalSize;
  }
  function writerEnsureReadyPromiseRejected(w, e) {
    if (!w.ready.settled) w.ready.reject(e);
    else w.ready = deferredRejected(e);
    markHandled(w.ready.promise);
  }
  function writerEnsureClosedPromiseRejected(w, e) {
    if (!w.closed.settled) w.closed.reject(e);
    else w.closed = deferredRejected(e);
    markHandled(w.closed.promise);
  }
  function writerRelease(w) {
    const s = w.stream;
    const e = new TypeErr("the writer was released (releaseLock) and can no longer be used");
    writerEnsureReadyPromiseRejected(w, e);
    writerEnsureClosedPromiseRejected(w, e);
    s.writer = undefined;
    w.stream = undefined;
  }
  function writerCloseWithErrorPropagation(w) {
    const s = w.stream;
    const state = s.state;
    if (closeQueuedOrInFlight(s) || state === "closed") return resolvedUndefined();
    if (state === "errored") return rejected(s.storedError);
    return writableClose(s);
  }
  function writerWrite(w, chunk) {
    const s = w.stream;
    const c = s.controller;
    const chunkSize = wcGetChunkSize(c, chunk);
    if (s !== w.stream) return rejected(new TypeErr("WritableStreamDefaultWriter.write: the writer was released"));
    const state = s.state;
    if (state === "errored") return rejected(s.storedError);
    if (closeQueuedOrInFlight(s) || state === "closed") {
      return rejected(new TypeErr("WritableStreamDefaultWriter.write: the stream is closing or closed"));
    }
    if (state === "erroring") return rejected(s.storedError);
    const d = new Deferred();
    s.writeRequests.push(d);
    wcWrite(c, chunk, chunkSize);
    return d.promise;
  }

  // --- writable controller -------------------------------------------------------

  function newWritableController(s) {
    const c = {
      stream: s,
      queue: new Queue(),
      queueTotalSize: 0,
      started: false,
      strategyHWM: 1,
      strategySizeAlgorithm: undefined,
      writeAlgorithm: undefined,
      closeAlgorithm: undefined,
      abortAlgorithm: undefined,
      abortController: undefined,
      aborted: false,
      abortReason: undefined,
      pub: undefined,
      abortSteps: undefined,
    };
    c.abortSteps = (reason) => {
      const result = c.abortAlgorithm(reason);
      wcClearAlgorithms(c);
      return result;
    };
    const pub = new WritableStreamDefaultController(kBare);
    wsdcBind(pub, c);
    c.pub = pub;
    return c;
  }

  // The controller's AbortSignal is made on first use (most sinks never
  // look at it); an abort before then is replayed onto it.
  function wcSignalAbort(c, reason) {
    if (c.aborted) return;
    c.aborted = true;
    c.abortReason = reason;
    if (c.abortController !== undefined) c.abortController.abort(reason);
  }

  class WritableStreamDefaultController {
    #c;
    constructor(token = undefined) {
      if (token !== kBare) throw new TypeErr("Illegal constructor");
    }
    get signal() {
      const c = thisWC(this, "signal");
      if (c.abortController === undefined) {
        const AC = globalThis.AbortController;
        if (typeof AC !== "function") return undefined;
        c.abortController = new AC();
        if (c.aborted) c.abortController.abort(c.abortReason);
      }
      return c.abortController.signal;
    }
    error(e = undefined) {
      const c = thisWC(this, "error");
      if (c.stream.state !== "writable") return;
      wcError(c, e);
    }
    static {
      wsdcOf = (o) => (isObject(o) && #c in o ? o.#c : undefined);
      wsdcBind = (o, c) => {
        o.#c = c;
      };
    }
  }
  defineProperty(WritableStreamDefaultController.prototype, Symbol.toStringTag, { value: "WritableStreamDefaultController", configurable: true });

  function thisWC(o, name) {
    const c = wsdcOf(o);
    if (c === undefined) throw new TypeErr("WritableStreamDefaultController." + name + ": this is not a WritableStreamDefaultController");
    return c;
  }

  function setUpWritableController(s, c, startAlg, writeAlg, closeAlg, abortAlg, hwm, size) {
    s.controller = c;
    resetQueue(c);
    c.strategySizeAlgorithm = size;
    c.strategyHWM = hwm;
    c.writeAlgorithm = writeAlg;
    c.closeAlgorithm = closeAlg;
    c.abortAlgorithm = abortAlg;
    writableUpdateBackpressure(s, wcGetBackpressure(c));
    const startResult = startAlg();
    then(promiseResolve(startResult), () => {
      c.started = true;
      wcAdvanceQueueIfNeeded(c);
    }, (r) => {
      c.started = true;
      writableDealWithRejection(s, r);
    });
  }
  function wcClearAlgorithms(c) {
    c.writeAlgorithm = undefined;
    c.closeAlgorithm = undefined;
    c.abortAlgorithm = undefined;
    c.strategySizeAlgorithm = undefined;
  }
  function wcClose(c) {
    enqueueValueWithSize(c, closeSentinel, 0);
    wcAdvanceQueueIfNeeded(c);
  }
  function wcErrorIfNeeded(c, e) {
    if (c.stream.state === "writable") wcError(c, e);
  }
  function wcGetChunkSize(c, chunk) {
    if (c.strategySizeAlgorithm === undefined) return 1;
    try {
      return c.strategySizeAlgorithm(chunk);
    } catch (e) {
      wcErrorIfNeeded(c, e);
      return 1;
    }
  }
  function wcDesiredSize(c) {
    return c.strategyHWM - c.queueTotalSize;
  }
  function wcGetBackpressure(c) {
    return wcDesiredSize(c) <= 0;
  }
  function wcWrite(c, chunk, chunkSize) {
    try {
      enqueueValueWithSize(c, chunk, chunkSize);
    } catch (e) {
      wcErrorIfNeeded(c, e);
      return;
    }
    const s = c.stream;
    if (!closeQueuedOrInFlight(s) && s.state === "writable") writableUpdateBackpressure(s, wcGetBackpressure(c));
    wcAdvanceQueueIfNeeded(c);
  }
  function wcAdvanceQueueIfNeeded(c) {
    const s = c.stream;
    if (!c.started || s.inFlightWriteRequest !== undefined) return;
    const state = s.state;
    if (state === "erroring") {
      writableFinishErroring(s);
      return;
    }
    if (state !== "writable") return;
    if (c.queue.length === 0) return;
    const value = c.queue.peek().v;
    if (value === closeSentinel) wcProcessClose(c);
    else wcProcessWrite(c, value);
  }
  function wcError(c, e) {
    wcClearAlgorithms(c);
    writableStartErroring(c.stream, e);
  }
  function wcProcessClose(c) {
    const s = c.stream;
    s.inFlightCloseRequest = s.closeRequest;
    s.closeRequest = undefined;
    dequeueValue(c);
    const p = c.closeAlgorithm();
    wcClearAlgorithms(c);
    then(p, () => finishInFlightClose(s), (r) => finishInFlightCloseWithError(s, r));
  }
  function wcProcessWrite(c, chunk) {
    const s = c.stream;
    s.inFlightWriteRequest = s.writeRequests.shift();
    then(c.writeAlgorithm(chunk), () => {
      finishInFlightWrite(s);
      const state = s.state;
      dequeueValue(c);
      if (!closeQueuedOrInFlight(s) && state === "writable") writableUpdateBackpressure(s, wcGetBackpressure(c));
      wcAdvanceQueueIfNeeded(c);
    }, (reason) => {
      if (s.state === "writable") wcClearAlgorithms(c);
      finishInFlightWriteWithError(s, reason);
    });
  }

  // =========================================================================
  // pipeTo
  // =========================================================================

  function pipeTo(source, dest, preventClose, preventAbort, preventCancel, signal) {
    const reader = acquireDefaultReader(source);
    const writer = acquireWriter(dest);
    source.disturbed = true;
    let shuttingDown = false;
    let currentWrite = resolvedUndefined();
    const done = new Deferred();
    let abortAlgorithm;

    const finalize = (isError, error) => {
      writerRelease(writer);
      readerRelease(reader);
      if (signal !== undefined) signal.removeEventListener("abort", abortAlgorithm);
      if (isError) done.reject(error);
      else done.resolve(undefined);
    };
    const waitForWritesToFinish = () => {
      const old = currentWrite;
      return then(currentWrite, () => (old !== currentWrite ? waitForWritesToFinish() : undefined));
    };
    const shutdownWithAnAction = (action, originalIsError, originalError) => {
      if (shuttingDown) return;
      shuttingDown = true;
      const doTheRest = () => {
        let p;
        try {
          p = promiseResolve(action());
        } catch (e) {
          p = rejected(e);
        }
        then(p, () => finalize(originalIsError, originalError), (e) => finalize(true, e));
      };
      if (dest.state === "writable" && !closeQueuedOrInFlight(dest)) then(waitForWritesToFinish(), doTheRest);
      else doTheRest();
    };
    const shutdown = (isError, error) => {
      if (shuttingDown) return;
      shuttingDown = true;
      if (dest.state === "writable" && !closeQueuedOrInFlight(dest)) {
        then(waitForWritesToFinish(), () => finalize(isError, error));
      } else {
        finalize(isError, error);
      }
    };

    if (signal !== undefined) {
      abortAlgorithm = () => {
        const error = signal.reason;
        const actions = [];
        if (!preventAbort) actions.push(() => (dest.state === "writable" ? writableAbort(dest, error) : resolvedUndefined()));
        if (!preventCancel) actions.push(() => (source.state === "readable" ? readableCancel(source, error) : resolvedUndefined()));
        shutdownWithAnAction(() => P.all(actions.map((a) => a())), true, error);
      };
      if (signal.aborted) {
        abortAlgorithm();
        return done.promise;
      }
      signal.addEventListener("abort", abortAlgorithm);
    }

    // The read loop: wait for the destination to want data, read one
    // chunk, hand it to the writer without waiting for the write.
    const pipeRR = {
      chunk(chunk) {
        currentWrite = then(writerWrite(writer, chunk), undefined, noop);
        step();
      },
      close() {},
      error() {},
    };
    const step = () => {
      if (shuttingDown) return;
      const ready = writer.ready;
      if (ready.settled && !dest.backpressure) {
        // Fast path: read as soon as the previous write was queued.
        readNext();
        return;
      }
      then(ready.promise, readNext, noop);
    };
    const readNext = () => {
      if (shuttingDown) return;
      if (dest.state !== "writable" || closeQueuedOrInFlight(dest)) return;
      if (dest.backpressure) {
        then(writer.ready.promise, readNext, noop);
        return;
      }
      // Defer to a microtask so a source that enqueues synchronously does
      // not recurse without bound.
      then(resolvedUndefined(), () => {
        if (!shuttingDown && reader.stream !== undefined) defaultReaderRead(reader, pipeRR);
      });
    };

    // Errors must be propagated forward.
    const onSourceErrored = (e) => {
      if (!preventAbort) shutdownWithAnAction(() => writableAbort(dest, e), true, e);
      else shutdown(true, e);
    };
    // Errors must be propagated backward.
    const onDestErrored = (e) => {
      if (!preventCancel) shutdownWithAnAction(() => readableCancel(source, e), true, e);
      else shutdown(true, e);
    };
    // Closing must be propagated forward.
    const onSourceClosed = () => {
      if (!preventClose) shutdownWithAnAction(() => writerCloseWithErrorPropagation(writer));
      else shutdown();
    };

    if (source.state === "errored") onSourceErrored(source.storedError);
    else then(reader.closed.promise, undefined, onSourceErrored);
    if (dest.state === "errored") onDestErrored(dest.storedError);
    else then(writer.closed.promise, undefined, onDestErrored);
    if (source.state === "closed") onSourceClosed();
    else then(reader.closed.promise, onSourceClosed, noop);
    // Closing must be propagated backward.
    if (closeQueuedOrInFlight(dest) || dest.state === "closed") {
      const e = new TypeErr("ReadableStream.pipeTo: the destination was closed before the pipe started");
      if (!preventCancel) shutdownWithAnAction(() => readableCancel(source, e), true, e);
      else shutdown(true, e);
    }
    step();
    return done.promise;
  }

  // =========================================================================
  // TransformStream
  // =========================================================================

  let tsOf, tsdcOf, tsdcBind;

  class TransformStream {
    #t;
    constructor(transformer = undefined, writableStrategy = undefined, readableStrategy = undefined) {
      if (transformer === kBare) return;
      const tr = transformer === undefined || transformer === null ? {} : transformer;
      if (!isObject(tr)) throw new TypeErr("TransformStream: the transformer must be an object");
      const ws = dict(writableStrategy, "TransformStream: writableStrategy");
      const rs = dict(readableStrategy, "TransformStream: readableStrategy");
      const start = method(tr, "start", "TransformStream: transformer");
      const transform = method(tr, "transform", "TransformStream: transformer");
      const flush = method(tr, "flush", "TransformStream: transformer");
      const cancel = method(tr, "cancel", "TransformStream: transformer");
      if (tr.readableType !== undefined) throw new RangeErr("TransformStream: transformer.readableType must be undefined");
      if (tr.writableType !== undefined) throw new RangeErr("TransformStream: transformer.writableType must be undefined");
      const readableHWM = extractHighWaterMark(rs, 0, "TransformStream");
      const readableSize = extractSizeAlgorithm(rs, "TransformStream");
      const writableHWM = extractHighWaterMark(ws, 1, "TransformStream");
      const writableSize = extractSizeAlgorithm(ws, "TransformStream");
      const startPromise = new Deferred();
      const t = newTransform(this, startPromise.promise, writableHWM, writableSize, readableHWM, readableSize);
      this.#t = t;
      const c = newTransformController(t);
      const transformAlg = transform === undefined
        ? (chunk) => {
          try {
            tcEnqueue(c, chunk);
            return resolvedUndefined();
          } catch (e) {
            return rejected(e);
          }
        }
        : (chunk) => promiseCall2(transform, tr, chunk, c.pub);
      const flushAlg = flush === undefined ? resolvedUndefined : () => promiseCall(flush, tr, c.pub);
      const cancelAlg = cancel === undefined ? resolvedUndefined : (reason) => promiseCall(cancel, tr, reason);
      setUpTransformController(t, c, transformAlg, flushAlg, cancelAlg);
      if (start !== undefined) startPromise.resolve(apply(start, tr, [c.pub]));
      else startPromise.resolve(undefined);
    }
    get readable() {
      return thisTS(this, "readable").readable.pub;
    }
    get writable() {
      return thisTS(this, "writable").writable.pub;
    }
    static {
      tsOf = (o) => (isObject(o) && #t in o ? o.#t : undefined);
    }
  }
  defineProperty(TransformStream.prototype, Symbol.toStringTag, { value: "TransformStream", configurable: true });

  function thisTS(o, name) {
    const t = tsOf(o);
    if (t === undefined) throw new TypeErr("TransformStream." + name + ": this is not a TransformStream");
    return t;
  }

  function newTransform(pub, startPromise, wHWM, wSize, rHWM, rSize) {
    const t = {
      pub, readable: undefined, writable: undefined, backpressure: undefined,
      backpressureChange: undefined, controller: undefined,
    };
    const startAlg = () => startPromise;
    t.writable = createWritable(startAlg, (chunk) => tsSinkWrite(t, chunk), () => tsSinkClose(t),
      (reason) => tsSinkAbort(t, reason), wHWM, wSize);
    t.readable = createReadable(startAlg, () => tsSourcePull(t), (reason) => tsSourceCancel(t, reason), rHWM, rSize);
    tsSetBackpressure(t, true);
    return t;
  }

  function tsError(t, e) {
    dcError(t.readable.controller, e);
    tsErrorWritableAndUnblockWrite(t, e);
  }
  function tsErrorWritableAndUnblockWrite(t, e) {
    tcClearAlgorithms(t.controller);
    wcErrorIfNeeded(t.writable.controller, e);
    tsUnblockWrite(t);
  }
  function tsUnblockWrite(t) {
    if (t.backpressure) tsSetBackpressure(t, false);
  }
  function tsSetBackpressure(t, bp) {
    if (t.backpressureChange !== undefined) t.backpressureChange.resolve(undefined);
    t.backpressureChange = new Deferred();
    t.backpressure = bp;
  }

  function newTransformController(t) {
    const c = { stream: t, transformAlgorithm: undefined, flushAlgorithm: undefined, cancelAlgorithm: undefined, finish: undefined, pub: undefined };
    const pub = new TransformStreamDefaultController(kBare);
    tsdcBind(pub, c);
    c.pub = pub;
    return c;
  }
  function setUpTransformController(t, c, transformAlg, flushAlg, cancelAlg) {
    t.controller = c;
    c.transformAlgorithm = transformAlg;
    c.flushAlgorithm = flushAlg;
    c.cancelAlgorithm = cancelAlg;
  }

  class TransformStreamDefaultController {
    #c;
    constructor(token = undefined) {
      if (token !== kBare) throw new TypeErr("Illegal constructor");
    }
    get desiredSize() {
      return dcDesiredSize(thisTC(this, "desiredSize").stream.readable.controller);
    }
    enqueue(chunk = undefined) {
      tcEnqueue(thisTC(this, "enqueue"), chunk);
    }
    error(reason = undefined) {
      tsError(thisTC(this, "error").stream, reason);
    }
    terminate() {
      tcTerminate(thisTC(this, "terminate"));
    }
    static {
      tsdcOf = (o) => (isObject(o) && #c in o ? o.#c : undefined);
      tsdcBind = (o, c) => {
        o.#c = c;
      };
    }
  }
  defineProperty(TransformStreamDefaultController.prototype, Symbol.toStringTag, { value: "TransformStreamDefaultController", configurable: true });

  function thisTC(o, name) {
    const c = tsdcOf(o);
    if (c === undefined) throw new TypeErr("TransformStreamDefaultController." + name + ": this is not a TransformStreamDefaultController");
    return c;
  }

  function tcClearAlgorithms(c) {
    c.transformAlgorithm = undefined;
    c.flushAlgorithm = undefined;
    c.cancelAlgorithm = undefined;
  }
  function tcEnqueue(c, chunk) {
    const t = c.stream;
    const rc = t.readable.controller;
    if (!dcCanCloseOrEnqueue(rc)) throw new TypeErr("TransformStreamDefaultController.enqueue: the readable side is " + closedOrClosing(rc));
    try {
      dcEnqueue(rc, chunk);
    } catch (e) {
      tsErrorWritableAndUnblockWrite(t, e);
      throw t.readable.storedError;
    }
    const bp = dcHasBackpressure(rc);
    if (bp !== t.backpressure && bp) tsSetBackpressure(t, true);
  }
  function tcPerformTransform(c, chunk) {
    const t = c.stream;
    return then(c.transformAlgorithm(chunk), undefined, (r) => {
      tsError(t, r);
      throw r;
    });
  }
  function tcTerminate(c) {
    const t = c.stream;
    dcClose(t.readable.controller);
    tsErrorWritableAndUnblockWrite(t, new TypeErr("the TransformStream was terminated"));
  }

  function tsSinkWrite(t, chunk) {
    const c = t.controller;
    if (t.backpressure) {
      return then(t.backpressureChange.promise, () => {
        const w = t.writable;
        if (w.state === "erroring") throw w.storedError;
        return tcPerformTransform(c, chunk);
      });
    }
    return tcPerformTransform(c, chunk);
  }
  function tsSinkAbort(t, reason) {
    const c = t.controller;
    if (c.finish !== undefined) return c.finish.promise;
    const readable = t.readable;
    const d = (c.finish = new Deferred());
    const p = c.cancelAlgorithm(reason);
    tcClearAlgorithms(c);
    then(p, () => {
      if (readable.state === "errored") d.reject(readable.storedError);
      else {
        dcError(readable.controller, reason);
        d.resolve(undefined);
      }
    }, (r) => {
      dcError(readable.controller, r);
      d.reject(r);
    });
    return d.promise;
  }
  function tsSinkClose(t) {
    const c = t.controller;
    if (c.finish !== undefined) return c.finish.promise;
    const readable = t.readable;
    const d = (c.finish = new Deferred());
    const p = c.flushAlgorithm();
    tcClearAlgorithms(c);
    then(p, () => {
      if (readable.state === "errored") d.reject(readable.storedError);
      else {
        dcClose(readable.controller);
        d.resolve(undefined);
      }
    }, (r) => {
      dcError(readable.controller, r);
      d.reject(r);
    });
    return d.promise;
  }
  function tsSourceCancel(t, reason) {
    const c = t.controller;
    if (c.finish !== undefined) return c.finish.promise;
    const writable = t.writable;
    const d = (c.finish = new Deferred());
    const p = c.cancelAlgorithm(reason);
    tcClearAlgorithms(c);
    then(p, () => {
      if (writable.state === "errored") d.reject(writable.storedError);
      else {
        wcErrorIfNeeded(writable.controller, reason);
        tsUnblockWrite(t);
        d.resolve(undefined);
      }
    }, (r) => {
      wcErrorIfNeeded(writable.controller, r);
      tsUnblockWrite(t);
      d.reject(r);
    });
    return d.promise;
  }
  function tsSourcePull(t) {
    tsSetBackpressure(t, false);
    return t.backpressureChange.promise;
  }

  // =========================================================================
  // Hooks for the host and the other globals
  // =========================================================================

  // newTransformStream makes a TransformStream whose transform and flush
  // are given as functions (transform(chunk, enqueue), flush(enqueue));
  // the encoding and compression streams are built on it.
  internal.newTransformStream = function (transform, flush, cancel) {
    const ts = new TransformStream({
      transform(chunk, c) {
        return transform(chunk, c);
      },
      flush(c) {
        return flush(c);
      },
      cancel(reason) {
        if (cancel !== undefined) cancel(reason);
      },
    });
    return ts;
  };
  internal.transformSides = function (ts) {
    const t = tsOf(ts);
    return [t.readable.pub, t.writable.pub];
  };

  internal.isReadableStream = (v) => rsOf(v) !== undefined;
  // unusable: disturbed (read from) or locked; a body in that state can
  // no longer be consumed or cloned.
  internal.isUnusable = (v) => {
    const s = rsOf(v);
    return s !== undefined && (s.disturbed || isLocked(s));
  };
  internal.isDisturbed = (v) => {
    const s = rsOf(v);
    return s !== undefined && s.disturbed;
  };
  internal.isLocked = (v) => {
    const s = rsOf(v);
    return s !== undefined && isLocked(s);
  };

  // streamFromBytes: a byte stream that yields u8 once, then closes.
  internal.streamFromBytes = function (u8) {
    const s = createReadableBytes(noop, resolvedUndefined, resolvedUndefined, 0);
    if (u8.byteLength > 0) bcEnqueue(s.controller, u8);
    bcClose(s.controller);
    return s.pub;
  };

  // streamFromHost: a byte stream whose pull asks the host for the next
  // chunk: read(byobView|undefined) returns a promise of a Uint8Array
  // (copied into the BYOB view when one is pending) or null at the end.
  internal.streamFromHost = function (read, cancel) {
    let s;
    const pull = () => {
      const c = s.controller;
      return then(read(), (chunk) => {
        if (chunk === null) {
          if (c.closeRequested || s.state !== "readable") return;
          bcClose(c);
          if (c.pendingPullIntos.length > 0) bcRespond(c, 0);
          return;
        }
        if (chunk.byteLength === 0 || s.state !== "readable") return;
        const req = bcGetBYOBRequest(c);
        if (req !== null) {
          const view = byobReqOf(req).view;
          if (view.byteLength >= chunk.byteLength) {
            new U8(view.buffer, view.byteOffset, chunk.byteLength).set(chunk);
            bcRespond(c, chunk.byteLength);
            return;
          }
        }
        bcEnqueue(c, chunk);
      });
    };
    s = createReadableBytes(noop, pull, (reason) => {
      cancel(reason);
      return resolvedUndefined();
    }, 0);
    return s.pub;
  };

  // readAllStream reads a stream to its end and resolves with one
  // Uint8Array (body consumption: every chunk must be a Uint8Array).
  class CollectRequest {
    constructor(r, d) {
      this.r = r;
      this.d = d;
      this.chunks = [];
    }
    chunk(v) {
      if (!(v instanceof U8)) {
        const e = new TypeErr("body stream chunks must be Uint8Array, got " + (v === null ? "null" : typeof v === "object" ? (v.constructor && v.constructor.name) || "an object" : typeof v));
        readerGenericCancel(this.r, e);
        this.d.reject(e);
        return;
      }
      this.chunks.push(v);
      defaultReaderRead(this.r, this);
    }
    close() {
      let out;
      try {
        out = internal.concatBytes(this.chunks);
      } catch (e) {
        this.d.reject(e);
        return;
      }
      this.chunks = undefined;
      this.d.resolve(out);
    }
    error(e) {
      this.d.reject(e);
    }
  }
  internal.readAllStream = function (stream) {
    const s = rsOf(stream);
    if (s === undefined) return rejected(new TypeErr("body: not a ReadableStream"));
    if (isLocked(s)) return rejected(new TypeErr("body: the stream is locked to a reader"));
    if (s.disturbed) return rejected(new TypeErr("body: the stream was already read"));
    const r = acquireDefaultReader(s);
    const d = new Deferred();
    defaultReaderRead(r, new CollectRequest(r, d));
    return d.promise;
  };

  internal.teeStream = function (stream) {
    const s = rsOf(stream);
    if (s === undefined) throw new TypeErr("clone: not a ReadableStream");
    if (isLocked(s)) throw new TypeErr("clone: the body stream is locked to a reader");
    const [a, b] = readableTee(s, copyView);
    return [a.pub, b.pub];
  };

  // openHostReader locks a stream for the host; hostRead asks for one chunk
  // with a request object the host made (chunk(v) / close() / error(e)).
  internal.openHostReader = function (stream) {
    const s = rsOf(stream);
    if (s === undefined) throw new TypeErr("the body is not a ReadableStream");
    if (isLocked(s)) throw new TypeErr("the body stream is locked to a reader");
    if (s.disturbed) throw new TypeErr("the body stream was already read");
    return acquireDefaultReader(s);
  };
  internal.hostRead = function (r, rr) {
    if (r.stream === undefined) {
      rr.error(new TypeErr("the body stream's reader was released"));
      return;
    }
    defaultReaderRead(r, rr);
  };
  internal.hostCancel = function (r, reason) {
    if (r.stream === undefined) return;
    markHandled(readerGenericCancel(r, reason));
  };

  internal.ReadableStream = ReadableStream;
  internal.WritableStream = WritableStream;
  internal.defineGlobal("ReadableStream", ReadableStream);
  internal.defineGlobal("ReadableStreamDefaultReader", ReadableStreamDefaultReader);
  internal.defineGlobal("ReadableStreamBYOBReader", ReadableStreamBYOBReader);
  internal.defineGlobal("ReadableStreamDefaultController", ReadableStreamDefaultController);
  internal.defineGlobal("ReadableByteStreamController", ReadableByteStreamController);
  internal.defineGlobal("ReadableStreamBYOBRequest", ReadableStreamBYOBRequest);
  internal.defineGlobal("WritableStream", WritableStream);
  internal.defineGlobal("WritableStreamDefaultWriter", WritableStreamDefaultWriter);
  internal.defineGlobal("WritableStreamDefaultController", WritableStreamDefaultController);
  internal.defineGlobal("TransformStream", TransformStream);
  internal.defineGlobal("TransformStreamDefaultController", TransformStreamDefaultController);
  internal.defineGlobal("ByteLengthQueuingStrategy", ByteLengthQueuingStrategy);
  internal.defineGlobal("CountQueuingStrategy", CountQueuingStrategy);
});
