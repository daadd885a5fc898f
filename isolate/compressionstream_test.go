package isolate

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"runtime"
	"strings"
	"testing"
	"time"
)

// TestDecompressionBomb: a small gzip that inflates past the memory limit
// errors its stream with a RangeError instead of filling memory.
func TestDecompressionBomb(t *testing.T) {
	var buf bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	zeros := make([]byte, 1<<20)
	for i := 0; i < 64; i++ {
		_, _ = zw.Write(zeros)
	}
	_ = zw.Close()
	p, _ := newTestPool(t, `
export default { async fetch(req, env) {
  const h = env.BOMB;
  const bomb = new Uint8Array(h.length / 2);
  for (let i = 0; i < bomb.length; i++) bomb[i] = parseInt(h.slice(2 * i, 2 * i + 2), 16);
  let n = 0;
  try {
    for await (const c of ReadableStream.from([bomb]).pipeThrough(new DecompressionStream("gzip"))) n += c.length;
    return new Response("inflated " + n);
  } catch (e) {
    return new Response(e.name + ": " + e.message + " after " + n);
  }
} };`, func(c *PoolConfig) {
		c.Vars = map[string]string{"BOMB": hex.EncodeToString(buf.Bytes())}
		c.Limits.MemoryLimit = 16 << 20
		c.Limits.CPUTime = 10 * time.Second
	})
	r, err := get(p, "/")
	switch {
	case errors.Is(err, ErrMemoryLimit):
		// The heap guard got there first (it does under -race, where every
		// allocation is larger): the request failed, the process lives.
	case err != nil:
		t.Fatal(err)
	case !strings.HasPrefix(string(r.Body), "RangeError: DecompressionStream: one chunk decompresses to more than"):
		t.Fatalf("got %q", r.Body)
	}
}

// TestCompressionRoundTripLarge: 8 MiB through CompressionStream and back
// in 64 KiB chunks, cross-checked against Go's gzip.
func TestCompressionRoundTripLarge(t *testing.T) {
	p, _ := newTestPool(t, `
export default { async fetch() {
  const chunk = new Uint8Array(64 * 1024);
  let k = 0;
  const src = new ReadableStream({
    pull(c) {
      if (k === 128) { c.close(); return; }
      const b = new Uint8Array(chunk.length);
      for (let i = 0; i < b.length; i += 97) b[i] = (i + k) & 0xff;
      k++;
      c.enqueue(b);
    },
  });
  return new Response(src.pipeThrough(new CompressionStream("gzip")));
} };`, func(c *PoolConfig) { c.Limits.CPUTime = 20 * time.Second })
	r, err := get(p, "/")
	if err != nil {
		t.Fatal(err)
	}
	var compressed []byte
	if r.Stream != nil {
		compressed, err = drain(r.Stream)
		if err != nil {
			t.Fatal(err)
		}
	}
	zr, err := gzip.NewReader(bytes.NewReader(compressed))
	if err != nil {
		t.Fatal(err)
	}
	plain, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	want := sha256.New()
	for k := 0; k < 128; k++ {
		b := make([]byte, 64*1024)
		for i := 0; i < len(b); i += 97 {
			b[i] = byte(i + k)
		}
		want.Write(b)
	}
	if got := sha256.Sum256(plain); !bytes.Equal(got[:], want.Sum(nil)) || len(plain) != 8<<20 {
		t.Fatalf("round trip gave %d bytes that differ from the input", len(plain))
	}
}

// TestDecompressionGoroutineEnds: a DecompressionStream abandoned mid-way
// does not leave its decompressor goroutine behind once the request ends.
func TestDecompressionGoroutineEnds(t *testing.T) {
	p, _ := newTestPool(t, `
let half;
export default { async fetch() {
  if (half === undefined) {
    // Pseudo-random data (it does not compress away), gzipped, cut in half.
    const data = new Uint8Array(256 * 1024);
    let x = 1;
    for (let i = 0; i < data.length; i++) { x = (x * 1103515245 + 12345) & 0x7fffffff; data[i] = x >> 16; }
    const parts = [];
    for await (const c of ReadableStream.from([data]).pipeThrough(new CompressionStream("gzip"))) parts.push(c);
    const all = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
    let off = 0;
    for (const p of parts) { all.set(p, off); off += p.length; }
    half = all.slice(0, all.length >> 1);
  }
  const ds = new DecompressionStream("gzip");
  const w = ds.writable.getWriter();
  const r = ds.readable.getReader();
  w.write(half.slice());
  const first = await r.read();
  return new Response("got " + first.value.length);
} };`, func(c *PoolConfig) {
		c.Limits.CPUTime = 10 * time.Second
		c.MaxSize = 1
	})
	mustGet(t, p, "/") // the first call makes the data
	before := runtime.NumGoroutine()
	for i := 0; i < 20; i++ {
		if got := mustGet(t, p, "/"); !strings.HasPrefix(got, "got ") {
			t.Fatal(got)
		}
	}
	deadline := time.Now().Add(5 * time.Second)
	for runtime.NumGoroutine() > before+2 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if n := runtime.NumGoroutine(); n > before+2 {
		t.Fatalf("%d goroutines before, %d after 20 abandoned decompressions", before, n)
	}
}
