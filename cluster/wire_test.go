package cluster

import (
	"bufio"
	"bytes"
	"errors"
	"log/slog"
	"net"
	"strings"
	"sync"
	"testing"
	"time"
)

func pipePair(t testing.TB, kc, ks []byte) (*conn, *conn, error, error) {
	a, b := net.Pipe()
	t.Cleanup(func() { a.Close(); b.Close() })
	kc1, _ := deriveKeys(kc)
	ks1, _ := deriveKeys(ks)
	var sc *conn
	var serr error
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		r := bufio.NewReader(b)
		if m, err := r.ReadByte(); err != nil || m != replMagic {
			serr = errors.New("no magic")
			b.Close()
			return
		}
		sc, serr = serverHandshake(b, r, ks1.auth, peerHello{name: "server"}, 1<<20, 2*time.Second)
		if serr != nil {
			b.Close()
		}
	}()
	cc, cerr := clientHandshake(a, kc1.auth, peerHello{name: "client", pullOnly: true}, 1<<20, 2*time.Second)
	if cerr != nil {
		a.Close()
	}
	wg.Wait()
	return cc, sc, cerr, serr
}

func TestHandshakeAndFrames(t *testing.T) {
	key := bytes.Repeat([]byte{1}, 32)
	cc, sc, cerr, serr := pipePair(t, key, key)
	if cerr != nil || serr != nil {
		t.Fatalf("handshake: %v / %v", cerr, serr)
	}
	if cc.peer.name != "server" || sc.peer.name != "client" || !sc.peer.pullOnly || cc.peer.pullOnly {
		t.Fatalf("hellos: %+v %+v", cc.peer, sc.peer)
	}
	go func() {
		cc.write([]byte("one"), time.Second)
		cc.write([]byte("two"), time.Second)
	}()
	for _, want := range []string{"one", "two"} {
		got, err := sc.read(time.Second, time.Second)
		if err != nil || string(got) != want {
			t.Fatalf("frame: %q %v", got, err)
		}
	}
	if err := cc.write(make([]byte, 2<<20), time.Second); !errors.Is(err, ErrMessage) {
		t.Fatalf("an oversized message was sent: %v", err)
	}
}

func TestHandshakeWrongKey(t *testing.T) {
	_, _, cerr, serr := pipePair(t, bytes.Repeat([]byte{1}, 32), bytes.Repeat([]byte{2}, 32))
	if !errors.Is(cerr, ErrAuth) {
		t.Fatalf("client with the wrong key: %v", cerr)
	}
	if serr == nil {
		t.Fatal("the server accepted a client with the wrong key")
	}
}

// A replayed frame (the same bytes twice) fails to open: each direction's
// frames are numbered.
func TestReplayedFrameRefused(t *testing.T) {
	key := bytes.Repeat([]byte{1}, 32)
	a, b := net.Pipe()
	defer a.Close()
	defer b.Close()
	k, _ := deriveKeys(key)
	c2s, _, _ := sessionKeys(k.auth, make([]byte, 32), make([]byte, 32))
	sender := &conn{c: a, r: bufio.NewReader(a), send: c2s, recv: c2s, maxFrame: 1 << 20}
	var frame bytes.Buffer
	rec := &recordConn{Conn: a, w: &frame}
	sender.c = rec
	sender.write([]byte("x"), time.Second)
	recv := &conn{c: b, r: bufio.NewReader(bytes.NewReader(append(frame.Bytes(), frame.Bytes()...))), send: c2s, recv: c2s, maxFrame: 1 << 20}
	if m, err := recv.read(time.Second, time.Second); err != nil || string(m) != "x" {
		t.Fatalf("first: %q %v", m, err)
	}
	if _, err := recv.read(time.Second, time.Second); !errors.Is(err, ErrMessage) {
		t.Fatalf("a replayed frame opened: %v", err)
	}
}

type recordConn struct {
	net.Conn
	w *bytes.Buffer
}

func (c *recordConn) Write(b []byte) (int, error) { return c.w.Write(b) }

type syncBuf struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuf) Write(p []byte) (int, error) { s.mu.Lock(); defer s.mu.Unlock(); return s.b.Write(p) }
func (s *syncBuf) String() string              { s.mu.Lock(); defer s.mu.Unlock(); return s.b.String() }

// An authenticated peer that sends malformed messages is refused, nothing
// of them applied, and the node keeps serving.
func TestMalformedMessagesRefused(t *testing.T) {
	repl := newMemReplica()
	logs := &syncBuf{}
	cfg := DefaultConfig()
	cfg.Name, cfg.BindAddr, cfg.Key, cfg.Profile, cfg.Replica = "n1", "127.0.0.40:0", bytes.Repeat([]byte{3}, 32), "local", repl
	cfg.Logger = slog.New(slog.NewTextHandler(logs, nil))
	n, err := Join(cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer n.Close()
	good := memRecord("ns", "k1", 1<<20, "n2", false)
	push := encodePush([]Record{good, memRecord("ns", "k2", 1<<20, "n2", false)})
	for name, msg := range map[string][]byte{
		"truncated push":        push[:len(push)-3],
		"bad record in a batch": append(encodePush([]Record{good})[:5], append([]byte{0, 0, 0, 3}, "bad"...)...),
		"unknown type":          {99, 1, 2},
		"pull of bucket 300":    {msgPull, 2, 'n', 's', 0, 1, 1, 44},
		"summary with a body":   {msgSummary, 1},
	} {
		c, err := n.dial(n.Addr(), "n1")
		if err != nil {
			t.Fatal(err)
		}
		if err := c.write(msg, time.Second); err != nil {
			t.Fatal(err)
		}
		reply, _ := c.read(5*time.Second, 5*time.Second)
		if _, err := expect(reply, msgPushAck); err == nil {
			t.Fatalf("%s: accepted", name)
		}
		if _, err := c.read(5*time.Second, 5*time.Second); err == nil {
			t.Fatalf("%s: the connection stayed open", name)
		}
		c.Close()
		if repl.Seq() != 0 {
			t.Fatalf("%s: something was applied", name)
		}
	}
	if !strings.Contains(logs.String(), "refused a replication message") {
		t.Fatalf("refusals not logged:\n%s", logs)
	}
	// Still serving: a good push applies.
	c, err := n.dial(n.Addr(), "n1")
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if err := n.pushRecords(c, []Record{good}, "n1"); err != nil {
		t.Fatal(err)
	}
	if repl.Seq() != 1 {
		t.Fatal("a good push after the garbage was not applied")
	}
}

func TestMessagesRoundTrip(t *testing.T) {
	s := summary{seq: 7, horizon: 9, roots: map[string][16]byte{"a": {1}, "b": {2}}}
	got, err := decodeSummary(encodeSummary(s)[1:])
	if err != nil || got.seq != 7 || got.horizon != 9 || got.roots["b"] != [16]byte{2} || len(got.roots) != 2 {
		t.Fatalf("summary: %+v %v", got, err)
	}
	ns, b, err := decodePull(encodePull("ns", []int{0, 255})[1:])
	if err != nil || ns != "ns" || len(b) != 2 || b[1] != 255 {
		t.Fatalf("pull: %q %v %v", ns, b, err)
	}
	var dg Digest
	dg[3][4] = 5
	if got, err := decodeDigest(encodeDigest(&dg)[1:]); err != nil || got != dg {
		t.Fatal("digest")
	}
	m := newMemReplica()
	recs := []Record{memRecord("ns", "k", 5, "n", true)}
	d := decoder{b: encodeRecords(recs, true)[2:]}
	out, err := decodeRecords(&d, m.Decode)
	if err != nil || d.done("x") != nil || len(out) != 1 || !out[0].Tombstone {
		t.Fatalf("records: %+v %v", out, err)
	}
}

func FuzzDecodeSummary(f *testing.F) {
	f.Add(encodeSummary(summary{seq: 1, roots: map[string][16]byte{"ns": {1}}})[1:])
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, b []byte) {
		s, err := decodeSummary(b)
		if err == nil {
			if again, err := decodeSummary(encodeSummary(s)[1:]); err != nil || len(again.roots) != len(s.roots) {
				t.Fatalf("re-encoding a decoded summary: %v", err)
			}
		}
	})
}

func FuzzDecodePull(f *testing.F) {
	f.Add(encodePull("ns", []int{1, 2, 3})[1:])
	f.Fuzz(func(t *testing.T, b []byte) {
		ns, buckets, err := decodePull(b)
		if err != nil {
			return
		}
		for _, k := range buckets {
			if k < 0 || k >= Buckets {
				t.Fatalf("bucket %d accepted", k)
			}
		}
		if ns == "" {
			t.Fatal("empty namespace accepted")
		}
	})
}

func FuzzDecodeRecords(f *testing.F) {
	m := newMemReplica()
	f.Add(encodePush([]Record{memRecord("ns", "k", 5, "n", false)})[1:])
	f.Add([]byte{0, 0, 0, 1, 0, 0, 0, 200})
	f.Fuzz(func(t *testing.T, b []byte) {
		d := decoder{b: b}
		recs, err := decodeRecords(&d, m.Decode)
		if err == nil && d.done("x") == nil {
			if again := encodePush(recs)[1:]; !bytes.Equal(again, b) {
				t.Fatal("records do not re-encode to the same bytes")
			}
		}
	})
}

func FuzzReadFrame(f *testing.F) {
	key := bytes.Repeat([]byte{1}, 32)
	k, _ := deriveKeys(key)
	c2s, _, _ := sessionKeys(k.auth, make([]byte, 32), make([]byte, 32))
	var frame bytes.Buffer
	a0, _ := net.Pipe()
	w := &conn{c: &recordConn{Conn: a0, w: &frame}, send: c2s, maxFrame: 1 << 16}
	w.write(encodePush(nil), time.Second)
	f.Add(frame.Bytes())
	f.Add([]byte{0, 0, 0, 0})
	f.Add([]byte{0xff, 0xff, 0xff, 0xff, 1})
	f.Fuzz(func(t *testing.T, b []byte) {
		a, _ := net.Pipe()
		defer a.Close()
		c := &conn{c: a, r: bufio.NewReader(bytes.NewReader(b)), recv: c2s, maxFrame: 1 << 16}
		for i := 0; i < 4; i++ {
			if _, err := c.read(0, time.Second); err != nil {
				return
			}
		}
	})
}

func FuzzServerHandshake(f *testing.F) {
	f.Add(append(append([]byte{wireVersion}, make([]byte, 32)...), 1, 'x', 0))
	f.Add([]byte{wireVersion, 0, 0})
	k, _ := deriveKeys(bytes.Repeat([]byte{1}, 32))
	f.Fuzz(func(t *testing.T, b []byte) {
		a, p := net.Pipe()
		defer a.Close()
		defer p.Close()
		go func() {
			buf := make([]byte, 512)
			for {
				if _, err := p.Read(buf); err != nil {
					return
				}
			}
		}()
		r := bufio.NewReader(bytes.NewReader(b))
		if _, err := serverHandshake(a, r, k.auth, peerHello{name: "s"}, 1<<16, time.Second); err == nil {
			t.Fatal("a handshake without the key's MAC was accepted")
		}
	})
}
