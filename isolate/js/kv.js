// The KV binding (env.MY_KV): Workers KV's API over the host's store, plus
// edgefn's atomic() and watch(keys).
(function (internal) {
  "use strict";
  const types = ["text", "json", "arrayBuffer", "stream"];

  function typeOf(opts, what) {
    if (opts === undefined || opts === null) return "text";
    const t = typeof opts === "string" ? opts : opts.type === undefined ? "text" : opts.type;
    if (!types.includes(t)) {
      throw new TypeError(`KV ${what}: unknown type ${JSON.stringify(t)}; use "text", "json", "arrayBuffer" or "stream"`);
    }
    return t;
  }

  function checkKey(key, what) {
    if (typeof key !== "string") key = String(key);
    if (key === "") throw new TypeError(`KV ${what}: the key must not be empty`);
    return key;
  }

  function decode(buf, type, host) {
    if (buf === null) return null;
    switch (type) {
      case "arrayBuffer":
        return buf;
      case "json":
        return JSON.parse(internal.decodeUTF8(new Uint8Array(buf)));
      case "stream":
        return host.stream(new Uint8Array(buf));
    }
    return internal.decodeUTF8(new Uint8Array(buf));
  }

  async function valueBytes(value, what) {
    if (typeof value === "string") return value;
    if (value instanceof ArrayBuffer) return value;
    if (ArrayBuffer.isView(value)) return value.buffer.slice(value.byteOffset, value.byteOffset + value.byteLength);
    if (typeof internal.isReadableStream === "function" && internal.isReadableStream(value)) {
      return (await internal.readAllStream(value)).buffer;
    }
    throw new TypeError(`KV ${what}: the value must be a string, ArrayBuffer, ArrayBufferView or ReadableStream, got ${value === null ? "null" : typeof value}`);
  }

  function metadataJSON(opts, what) {
    if (!opts || opts.metadata === undefined) return undefined;
    let s;
    try {
      s = JSON.stringify(opts.metadata);
    } catch (e) {
      throw new TypeError(`KV ${what}: metadata cannot be serialised to JSON: ${e.message}`);
    }
    if (s === undefined) throw new TypeError(`KV ${what}: metadata cannot be serialised to JSON`);
    return s;
  }

  function int(v, name, what) {
    if (v === undefined || v === null) return 0;
    const n = Number(v);
    if (!Number.isFinite(n)) throw new TypeError(`KV ${what}: ${name} must be a number, got ${v}`);
    return Math.trunc(n);
  }

  internal.kvNamespace = function (host) {
    async function getOne(key, opts, withMeta) {
      const type = typeOf(opts, withMeta ? "getWithMetadata" : "get");
      const e = await host.get(checkKey(key, "get"));
      if (!withMeta) return e === null ? null : decode(e.value, type, host);
      if (e === null) return { value: null, metadata: null, cacheStatus: null };
      return {
        value: decode(e.value, type, host),
        metadata: e.metadata === undefined ? null : JSON.parse(e.metadata),
        cacheStatus: null,
        versionstamp: e.versionstamp,
      };
    }
    async function getMany(keys, opts, withMeta) {
      if (keys.length > 100) throw new TypeError(`KV get: at most 100 keys at once, got ${keys.length}`);
      const type = typeOf(opts, "get");
      if (type === "stream" || type === "arrayBuffer") {
        throw new TypeError(`KV get: bulk gets return "text" or "json", not ${JSON.stringify(type)}`);
      }
      const values = await Promise.all(keys.map((k) => getOne(k, type, withMeta)));
      return new Map(keys.map((k, i) => [k, values[i]]));
    }
    const ns = {
      // The host answers get(key) and get(key, "text" | "arrayBuffer") in
      // Go and calls this function for every other shape.
      get: host.fastGet(function get(key, opts) {
        if (Array.isArray(key)) return getMany(key, opts, false);
        // One key: the host resolves with the value itself (one promise,
        // no async function), the cost that matters on the request path.
        let type;
        try {
          type = typeOf(opts, "get");
          key = checkKey(key, "get");
        } catch (e) {
          return Promise.reject(e);
        }
        switch (type) {
          case "text":
            return host.getValue(key, true);
          case "arrayBuffer":
            return host.getValue(key, false);
          case "json":
            return host.getValue(key, true).then((s) => (s === null ? null : JSON.parse(s)));
        }
        return host.getValue(key, false).then((buf) => decode(buf, type, host));
      }),
      getWithMetadata(key, opts) {
        return Array.isArray(key) ? getMany(key, opts, true) : getOne(key, opts, true);
      },
      async put(key, value, opts) {
        key = checkKey(key, "put");
        const data = await valueBytes(value, "put");
        const meta = metadataJSON(opts, "put");
        await host.put(key, data, int(opts && opts.expiration, "expiration", "put"),
          int(opts && opts.expirationTtl, "expirationTtl", "put"), meta);
      },
      async delete(key) {
        await host.delete(checkKey(key, "delete"));
      },
      async list(opts) {
        opts = opts || {};
        const limit = int(opts.limit, "limit", "list");
        if (limit < 0 || limit > 1000) throw new TypeError(`KV list: limit must be between 1 and 1000, got ${limit}`);
        const res = await host.list(opts.prefix === undefined || opts.prefix === null ? "" : String(opts.prefix), limit,
          opts.cursor === undefined || opts.cursor === null ? "" : String(opts.cursor));
        for (const k of res.keys) if (k.metadata !== undefined) k.metadata = JSON.parse(k.metadata);
        res.cacheStatus = null;
        return res;
      },
      atomic() {
        const checks = [];
        const muts = [];
        const op = {
          check(...cs) {
            for (const c of cs) checks.push({ key: checkKey(c.key, "atomic"), versionstamp: c.versionstamp ?? null });
            return op;
          },
          set(key, value, opts) {
            muts.push({ kind: "set", key: checkKey(key, "atomic"), value, opts });
            return op;
          },
          delete(key) {
            muts.push({ kind: "delete", key: checkKey(key, "atomic") });
            return op;
          },
          sum(key, n) {
            const d = Number(n);
            if (!Number.isSafeInteger(d)) throw new TypeError(`KV atomic sum: ${n} is not a safe integer`);
            muts.push({ kind: "sum", key: checkKey(key, "atomic"), delta: d });
            return op;
          },
          async commit() {
            const out = [];
            for (const m of muts) {
              if (m.kind !== "set") {
                out.push(m);
                continue;
              }
              out.push({
                kind: "set", key: m.key, value: await valueBytes(m.value, "atomic set"),
                expiration: int(m.opts && m.opts.expiration, "expiration", "atomic"),
                expirationTtl: int(m.opts && m.opts.expirationTtl, "expirationTtl", "atomic"),
                metadata: metadataJSON(m.opts, "atomic set"),
              });
            }
            return host.atomic(checks, out);
          },
        };
        return op;
      },
      watch(keys) {
        if (!Array.isArray(keys) || keys.length === 0 || keys.length > 10) {
          throw new TypeError("KV watch: pass an array of 1 to 10 keys");
        }
        const it = host.watch(keys.map((k) => checkKey(k, "watch")));
        return {
          [Symbol.asyncIterator]() {
            return it;
          },
          next() {
            return it.next();
          },
          return() {
            return it.return();
          },
        };
      },
    };
    return Object.freeze(ns);
  };
});
