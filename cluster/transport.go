package cluster

import (
	"bufio"
	"net"
	"sync"
	"time"

	"github.com/hashicorp/memberlist"
)

// muxTransport shares memberlist's TCP listener with the replication
// stream: each accepted connection's first byte says whose it is, so a
// node needs one port (TCP and UDP) for everything.
type muxTransport struct {
	memberlist.NodeAwareTransport
	repl    func(c net.Conn, r *bufio.Reader)
	streams chan net.Conn
	stop    chan struct{}
	once    sync.Once
	wg      sync.WaitGroup
}

func newMuxTransport(inner memberlist.NodeAwareTransport, repl func(net.Conn, *bufio.Reader)) *muxTransport {
	t := &muxTransport{NodeAwareTransport: inner, repl: repl, streams: make(chan net.Conn), stop: make(chan struct{})}
	t.wg.Add(1)
	go t.accept()
	return t
}

func (t *muxTransport) StreamCh() <-chan net.Conn { return t.streams }

func (t *muxTransport) accept() {
	defer t.wg.Done()
	for {
		select {
		case <-t.stop:
			return
		case c := <-t.NodeAwareTransport.StreamCh():
			t.wg.Add(1)
			go t.route(c)
		}
	}
}

// route reads a connection's first byte and hands it on.
func (t *muxTransport) route(c net.Conn) {
	defer t.wg.Done()
	r := bufio.NewReaderSize(c, 64<<10)
	_ = c.SetReadDeadline(time.Now().Add(10 * time.Second))
	b, err := r.Peek(1)
	_ = c.SetReadDeadline(time.Time{})
	if err != nil {
		c.Close()
		return
	}
	if b[0] == replMagic {
		_, _ = r.Discard(1)
		t.repl(c, r)
		return
	}
	select {
	case t.streams <- &peekedConn{Conn: c, r: r}:
	case <-t.stop:
		c.Close()
	}
}

func (t *muxTransport) Shutdown() error {
	t.once.Do(func() { close(t.stop) })
	return shutdownDraining(t.NodeAwareTransport)
}

// shutdownDraining shuts a transport down while taking what it still
// delivers: memberlist's NetTransport waits for its listeners, which block
// handing over a connection or packet nobody reads any more.
func shutdownDraining(inner memberlist.NodeAwareTransport) error {
	done := make(chan struct{})
	go func() {
		for {
			select {
			case c := <-inner.StreamCh():
				c.Close()
			case <-inner.PacketCh():
			case <-done:
				return
			}
		}
	}()
	err := inner.Shutdown()
	close(done)
	return err
}

// peekedConn reads through the buffered reader that peeked at it.
type peekedConn struct {
	net.Conn
	r *bufio.Reader
}

func (c *peekedConn) Read(b []byte) (int, error) { return c.r.Read(b) }
