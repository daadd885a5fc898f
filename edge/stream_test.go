package edge

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"mime/multipart"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"
)

// bytesJS is a helper handlers use to make a Uint8Array from a string
// (TextEncoder is another global's business).
// (goja's Uint8Array.from refuses a string, so the loop is spelled out.)
const bytesJS = `const bytes = (s) => { const b = new Uint8Array(s.length); for (let i = 0; i < s.length; i++) b[i] = s.charCodeAt(i); return b; };
`

// TestStreamedResponseArrivesChunkByChunk is the acceptance test: the
// handler enqueues a chunk, waits 200 ms, then enqueues another; the client
// must hold the first before the second exists.
func TestStreamedResponseArrivesChunkByChunk(t *testing.T) {
	n, base := testNode(t, roomyCPU)
	deploy(t, n, "stream", scriptSrc(t, bytesJS+`
export default { fetch() {
  const body = new ReadableStream({
    start(c) {
      c.enqueue(bytes("first\n"));
      setTimeout(() => { c.enqueue(bytes("second\n")); c.close(); }, 200);
    },
  });
  return new Response(body, { headers: { "content-type": "text/plain" } });
} };`))
	start := time.Now()
	res, err := http.Get(base + "/")
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	if res.StatusCode != 200 || len(res.TransferEncoding) == 0 || res.TransferEncoding[0] != "chunked" {
		t.Fatalf("status %d, transfer-encoding %v; want 200 chunked", res.StatusCode, res.TransferEncoding)
	}
	br := bufio.NewReader(res.Body)
	first, err := br.ReadString('\n')
	if err != nil || first != "first\n" {
		t.Fatalf("first line %q, %v", first, err)
	}
	t1 := time.Since(start)
	second, err := br.ReadString('\n')
	if err != nil || second != "second\n" {
		t.Fatalf("second line %q, %v", second, err)
	}
	t2 := time.Since(start)
	if rest, err := io.ReadAll(br); err != nil || len(rest) != 0 {
		t.Fatalf("after the second chunk: %q, %v", rest, err)
	}
	// The second chunk is made 200 ms after the first: if the first had
	// waited for it, both would arrive together.
	if gap := t2 - t1; gap < 100*time.Millisecond {
		t.Fatalf("first chunk at %v, second at %v: the first was held back until the second existed", t1, t2)
	}
}

// TestStreamedResponseErrorAbortsResponse: a stream that errors mid-way
// cuts the response off (no clean end of the chunked body), and is logged.
func TestStreamedResponseErrorAbortsResponse(t *testing.T) {
	logs := &lineLog{}
	n, base := testNode(t, func(c *Config) { roomyCPU(c); c.Logger = slog.New(logs) })
	deploy(t, n, "broken", scriptSrc(t, bytesJS+`
export default { fetch() {
  const body = new ReadableStream({
    start(c) {
      c.enqueue(bytes("partial\n"));
      setTimeout(() => c.error(new RangeError("the producer broke")), 20);
    },
  });
  return new Response(body);
} };`))
	res, err := http.Get(base + "/")
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err == nil {
		t.Fatalf("the body ended cleanly (%q); a failed stream must abort the response", b)
	}
	if string(b) != "partial\n" {
		t.Fatalf("got %q before the abort, want the first chunk", b)
	}
	logs.waitFor(t, "the producer broke")
}

// TestStreamedResponseClientDisconnectCancels: when the client goes away,
// the handler's stream is cancelled (its cancel() runs) and the runtime is
// freed for other requests.
func TestStreamedResponseClientDisconnectCancels(t *testing.T) {
	logs := &lineLog{}
	n, base := testNode(t, func(c *Config) { roomyCPU(c); c.Logger = slog.New(logs) })
	deploy(t, n, "ticker", scriptSrc(t, bytesJS+`
export default { fetch(req) {
  if (new URL(req.url).pathname === "/ping") return new Response("pong");
  let timer;
  const body = new ReadableStream({
    start(c) {
      timer = setInterval(() => c.enqueue(bytes("tick\n")), 10);
    },
    cancel(reason) {
      clearInterval(timer);
      console.log("cancelled: " + reason.message);
    },
  });
  return new Response(body);
} };`))
	conn, err := net.Dial("tcp", strings.TrimPrefix(base, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	fmt.Fprintf(conn, "GET / HTTP/1.1\r\nHost: x\r\n\r\n")
	br := bufio.NewReader(conn)
	for {
		line, err := br.ReadString('\n')
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(line, "tick") {
			break
		}
	}
	conn.Close()
	logs.waitFor(t, "cancelled: the client disconnected")
	if r := send(t, "GET", base+"/ping", ""); r.body != "pong" {
		t.Fatalf("after the disconnect: %d %q", r.status, r.body)
	}
}

// TestStreamedResponseBackpressure: a producer that could fill memory is
// only pulled as fast as the client reads.
func TestStreamedResponseBackpressure(t *testing.T) {
	logs := &lineLog{}
	n, base := testNode(t, func(c *Config) { roomyCPU(c); c.Logger = slog.New(logs) })
	deploy(t, n, "firehose", scriptSrc(t, `
export default { fetch() {
  let produced = 0;
  const body = new ReadableStream({
    pull(c) {
      produced++;
      c.enqueue(new Uint8Array(64 * 1024));
    },
    cancel() {
      console.log("produced " + produced);
    },
  });
  return new Response(body);
} };`))
	conn, err := net.Dial("tcp", strings.TrimPrefix(base, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	fmt.Fprintf(conn, "GET / HTTP/1.1\r\nHost: x\r\n\r\n")
	buf := make([]byte, 1024)
	if _, err := io.ReadFull(conn, buf); err != nil {
		t.Fatal(err)
	}
	// Stall: the server's writes fill the socket buffers, then it stops
	// asking the stream for more.
	time.Sleep(300 * time.Millisecond)
	conn.Close()
	line := logs.waitFor(t, "produced ")
	var produced int
	fmt.Sscanf(line[strings.Index(line, "produced "):], "produced %d", &produced)
	// Socket buffers on loopback hold a few MiB; without backpressure the
	// producer would have made gigabytes in 300 ms.
	if produced < 1 || produced > 512 {
		t.Fatalf("the producer made %d chunks of 64 KiB while the client read 1 KiB", produced)
	}
}

// TestStreamingRequestBody: a large upload is read by the handler as it
// arrives, not buffered whole first: the handler answers (a streamed
// response) after the first piece, while the client has not sent the rest.
func TestStreamingRequestBody(t *testing.T) {
	n, base := testNode(t, roomyCPU)
	deploy(t, n, "upload", scriptSrc(t, bytesJS+`
export default { async fetch(req) {
  const reader = req.body.getReader();
  const first = await reader.read();
  let count = first.value.length;
  let sum = 0;
  for (const b of first.value) sum = (sum + b) % 65521;
  const body = new ReadableStream({
    async start(c) {
      c.enqueue(bytes("first " + (count > 0) + "\n"));
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        count += value.length;
        for (let i = 0; i < value.length; i += 4096) sum = (sum + value[i]) % 65521;
      }
      c.enqueue(bytes("count " + count + "\n"));
      c.close();
    },
  });
  return new Response(body);
} };`))
	// A raw connection: net/http's client stops sending a body once the
	// response has begun.
	conn, err := net.Dial("tcp", strings.TrimPrefix(base, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	fmt.Fprintf(conn, "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n")
	piece := make([]byte, 256<<10)
	for i := range piece {
		piece[i] = byte(i)
	}
	writePiece := func() {
		fmt.Fprintf(conn, "%x\r\n", len(piece))
		if _, err := conn.Write(piece); err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(conn, "\r\n")
	}
	writePiece()
	_ = conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	br := bufio.NewReader(conn)
	res, err := http.ReadResponse(br, nil)
	if err != nil {
		t.Fatalf("no response while the upload was still open (the server waited for the whole body?): %v", err)
	}
	defer res.Body.Close()
	body := bufio.NewReader(res.Body)
	line, err := body.ReadString('\n')
	if err != nil || line != "first true\n" {
		t.Fatalf("first line %q, %v", line, err)
	}
	const total = 16 << 20
	for sent := len(piece); sent < total; sent += len(piece) {
		writePiece()
	}
	fmt.Fprintf(conn, "0\r\n\r\n")
	line, err = body.ReadString('\n')
	if err != nil || line != fmt.Sprintf("count %d\n", total) {
		t.Fatalf("last line %q, %v", line, err)
	}
}

// TestStreamingRequestBodyHashed: a handler hashes an upload with
// crypto.subtle after reading it chunk by chunk; the digest matches.
func TestStreamingRequestBodyHashed(t *testing.T) {
	n, base := testNode(t, roomyCPU)
	deploy(t, n, "hash", scriptSrc(t, `
export default { async fetch(req) {
  const parts = [];
  let n = 0;
  for await (const chunk of req.body) { parts.push(chunk); n += chunk.length; }
  const all = new Uint8Array(n);
  let off = 0;
  for (const p of parts) { all.set(p, off); off += p.length; }
  const d = new Uint8Array(await crypto.subtle.digest("SHA-256", all));
  return new Response(Array.from(d, (b) => b.toString(16).padStart(2, "0")).join("") + " " + parts.length);
} };`))
	data := make([]byte, 3<<20+17)
	for i := range data {
		data[i] = byte(i * 7)
	}
	r := send(t, "PUT", base+"/", string(data))
	sum := sha256.Sum256(data)
	fields := strings.Fields(r.body)
	if r.status != 200 || len(fields) != 2 || fields[0] != hex.EncodeToString(sum[:]) {
		t.Fatalf("got %d %q, want the SHA-256 %x", r.status, r.body, sum)
	}
	if fields[1] == "1" {
		t.Fatalf("the body arrived in one chunk: it was buffered, not streamed")
	}
}

// TestRequestBodyLimit: a body over the limit gets 413, whether its length
// is declared (refused before the handler runs) or it streams in chunked
// (counted as it arrives).
func TestRequestBodyLimit(t *testing.T) {
	n, base := testNode(t, func(c *Config) { roomyCPU(c); c.MaxBodySize = 1 << 20 })
	deploy(t, n, "limit", scriptSrc(t, `
export default { async fetch(req) { return new Response("read " + (await req.text()).length); } };`))
	// Raw connections: a client still sending when the server answers 413
	// and closes may see a reset instead of the answer, so each request
	// sends exactly what the server reads before it refuses.
	status := func(head string, body []byte) int { return rawStatus(t, base, head, body) }
	// A declared length over the limit is refused before the handler runs
	// (fasthttp reads the first 8 KiB of a body before calling it).
	if st := status(fmt.Sprintf("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: %d\r\n\r\n", 2<<20), bytes.Repeat([]byte("x"), 8<<10)); st != 413 {
		t.Fatalf("declared length: got %d, want 413", st)
	}
	// Chunked: no length up front; the limit is counted as bytes arrive.
	over := (1 << 20) + 1
	chunk := append([]byte(fmt.Sprintf("%x\r\n", over)), bytes.Repeat([]byte("x"), over)...)
	chunk = append(chunk, "\r\n"...)
	if st := status("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n", chunk); st != 413 {
		t.Fatalf("chunked: got %d, want 413", st)
	}
	// Under the limit, both ways work.
	if r := send(t, "POST", base+"/", strings.Repeat("y", 100<<10)); r.status != 200 || r.body != fmt.Sprintf("read %d", 100<<10) {
		t.Fatalf("small body: %d %q", r.status, r.body)
	}
	req, _ := http.NewRequest("POST", base+"/", io.MultiReader(strings.NewReader(strings.Repeat("z", 300<<10))))
	req.ContentLength = -1
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != 200 || string(b) != fmt.Sprintf("read %d", 300<<10) {
		t.Fatalf("chunked small body: %d %q", res.StatusCode, b)
	}
}

// TestEchoStreamedRequestBody: the request body piped straight into the
// response (new Response(request.body)) streams through.
func TestEchoStreamedRequestBody(t *testing.T) {
	n, base := testNode(t, roomyCPU)
	deploy(t, n, "echo", scriptSrc(t, `
export default { fetch(req) { return new Response(req.body); } };`))
	data := strings.Repeat("0123456789abcdef", 64<<10) // 1 MiB
	r := send(t, "POST", base+"/", data)
	if r.status != 200 || r.body != data {
		t.Fatalf("got %d and %d bytes, want the %d bytes sent", r.status, len(r.body), len(data))
	}
}

// roomyCPU lifts the CPU limit: these tests move megabytes through JS,
// which under -race takes far longer than the default 50 ms.
func roomyCPU(c *Config) { c.Pool.Limits.CPUTime = 20 * time.Second }

// lineLog collects log lines (message and error/console text) for tests
// to wait on.
type lineLog struct {
	mu    sync.Mutex
	lines []string
}

func (l *lineLog) Enabled(context.Context, slog.Level) bool { return true }
func (l *lineLog) WithAttrs([]slog.Attr) slog.Handler       { return l }
func (l *lineLog) WithGroup(string) slog.Handler            { return l }
func (l *lineLog) Handle(_ context.Context, r slog.Record) error {
	line := r.Message
	r.Attrs(func(a slog.Attr) bool {
		if a.Key == "error" {
			line += ": " + a.Value.String()
		}
		return true
	})
	l.mu.Lock()
	l.lines = append(l.lines, line)
	l.mu.Unlock()
	return nil
}

// waitFor waits up to 10 s for a line containing s and returns it.
func (l *lineLog) waitFor(t *testing.T, s string) string {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		l.mu.Lock()
		for _, line := range l.lines {
			if strings.Contains(line, s) {
				l.mu.Unlock()
				return line
			}
		}
		l.mu.Unlock()
		time.Sleep(10 * time.Millisecond)
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	t.Fatalf("no log line contains %q; got:\n%s", s, strings.Join(l.lines, "\n"))
	return ""
}

// TestFormUploadOverHTTP: a multipart upload (streamed in: it is over the
// buffering threshold) read with request.formData(), and a FormData
// response parsed by Go's multipart reader.
func TestFormUploadOverHTTP(t *testing.T) {
	n, base := testNode(t, roomyCPU)
	deploy(t, n, "forms", scriptSrc(t, `
export default { async fetch(req) {
  if (req.method === "POST") {
    const form = await req.formData();
    const file = form.get("upload");
    const bytes = await file.bytes();
    let sum = 0;
    for (const b of bytes) sum = (sum + b) % 65521;
    return Response.json({ title: form.get("title"), name: file.name, type: file.type, size: file.size, sum });
  }
  const fd = new FormData();
  fd.append("greeting", "héllo");
  fd.append("file", new File(["file body"], "a.txt", { type: "text/plain" }));
  return new Response(fd);
} };`))
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	_ = mw.WriteField("title", "a picture")
	fw, _ := mw.CreateFormFile("upload", "pic.png")
	data := make([]byte, 300<<10)
	sum := 0
	for i := range data {
		data[i] = byte(i * 31)
		sum = (sum + int(data[i])) % 65521
	}
	_, _ = fw.Write(data)
	_ = mw.Close()
	res, err := http.Post(base+"/", mw.FormDataContentType(), &body)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(res.Body)
	res.Body.Close()
	want := fmt.Sprintf(`{"title":"a picture","name":"pic.png","type":"application/octet-stream","size":%d,"sum":%d}`, len(data), sum)
	if res.StatusCode != 200 || string(b) != want {
		t.Fatalf("got %d %s\nwant %s", res.StatusCode, b, want)
	}

	res, err = http.Get(base + "/")
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	mt, params, err := mime.ParseMediaType(res.Header.Get("Content-Type"))
	if err != nil || mt != "multipart/form-data" {
		t.Fatalf("content type %q", res.Header.Get("Content-Type"))
	}
	form, err := multipart.NewReader(res.Body, params["boundary"]).ReadForm(1 << 20)
	if err != nil {
		t.Fatal(err)
	}
	if form.Value["greeting"][0] != "héllo" || form.File["file"][0].Filename != "a.txt" || form.File["file"][0].Size != 9 {
		t.Fatalf("form %+v files %+v", form.Value, form.File)
	}
}

// TestAnswerWhileUploadStalls: the handler answers while a read of the
// request body is still waiting on a stalled client; the answer goes out at
// once (the pending read is cut off) and the server keeps serving.
func TestAnswerWhileUploadStalls(t *testing.T) {
	n, base := testNode(t, roomyCPU)
	deploy(t, n, "early", scriptSrc(t, `
export default { async fetch(req) {
  if (req.method === "GET") return new Response("alive");
  const reader = req.body.getReader();
  let got = 0;
  while (got < 100 * 1024) got += (await reader.read()).value.length;
  reader.read().catch(() => {}); // waits on the client, which stalls
  await new Promise((r) => setTimeout(r, 100)); // the read is surely blocked by now
  return new Response("first piece " + got);
} };`))
	conn, err := net.Dial("tcp", strings.TrimPrefix(base, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	fmt.Fprintf(conn, "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n%x\r\n%s\r\n", 100<<10, bytes.Repeat([]byte("u"), 100<<10))
	start := time.Now()
	_ = conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	res, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatalf("no answer while the upload stalled: %v", err)
	}
	b, _ := io.ReadAll(res.Body)
	if res.StatusCode != 200 || !strings.HasPrefix(string(b), "first piece ") {
		t.Fatalf("got %d %q", res.StatusCode, b)
	}
	if took := time.Since(start); took > 5*time.Second {
		t.Fatalf("the answer took %v: it waited for the stalled upload", took)
	}
	if r := send(t, "GET", base+"/", ""); r.body != "alive" {
		t.Fatalf("afterwards: %d %q", r.status, r.body)
	}
}

// TestStreamingExample drives examples/streaming: lines arrive spaced out,
// and an upload comes back gzipped.
func TestStreamingExample(t *testing.T) {
	n, base := testNode(t, roomyCPU)
	deploy(t, n, "streaming", script(t, "../examples/streaming/index.js"))
	res, err := http.Get(base + "/")
	if err != nil {
		t.Fatal(err)
	}
	br := bufio.NewReader(res.Body)
	var times []time.Time
	for i := 1; i <= 5; i++ {
		line, err := br.ReadString('\n')
		if err != nil || line != fmt.Sprintf("line %d of 5\n", i) {
			t.Fatalf("line %d: %q, %v", i, line, err)
		}
		times = append(times, time.Now())
	}
	res.Body.Close()
	if gap := times[4].Sub(times[0]); gap < 500*time.Millisecond {
		t.Fatalf("five lines made 200 ms apart arrived within %v", gap)
	}
	data := bytes.Repeat([]byte("compress me please "), 20000)
	res, err = http.Post(base+"/gzip", "application/octet-stream", bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	zr, err := gzip.NewReader(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	back, err := io.ReadAll(zr)
	if err != nil || !bytes.Equal(back, data) {
		t.Fatalf("gunzipped %d bytes (%v), want the %d sent", len(back), err, len(data))
	}
}
