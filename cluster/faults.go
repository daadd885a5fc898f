package cluster

import (
	"errors"
	"math/rand/v2"
	"net"
	"sync"
	"time"

	"github.com/hashicorp/memberlist"
)

// Faults injects network faults at the transport seams: memberlist's
// packets and streams, and the replication stream's pushes. It exists for
// tests only: a Node uses it when Config.Faults is set, which only tests
// and the fault harness do (edgefn serve sets it only under its test flag).
//
// Peers are named by the host of their gossip address (nodes under test
// each get their own 127.0.0.x, and dial from it, so inbound traffic can be
// told apart too).
type Faults struct {
	mu      sync.Mutex
	rng     *rand.Rand
	rules   FaultRules
	blocked map[string]bool
	paused  bool
	resumed chan struct{} // closed on Resume
	held    *heldPacket
}

// FaultRules are the probabilistic faults, each applied to every message
// independently.
type FaultRules struct {
	// Drop is the probability that a gossip packet or a push is lost (the
	// sender believes it went).
	Drop float64 `json:"drop"`
	// Duplicate is the probability that it is delivered twice.
	Duplicate float64 `json:"duplicate"`
	// Reorder is the probability that it is held back and delivered after
	// the next one.
	Reorder float64 `json:"reorder"`
	// Delay is the largest extra delay (uniform from zero) of each packet,
	// push, and replication stream write.
	Delay time.Duration `json:"delay"`
}

type heldPacket struct {
	send func()
	t    *time.Timer
}

// ErrPartitioned is what a dial or write across an injected partition gets.
var ErrPartitioned = errors.New("cluster: fault layer: partitioned")

// NewFaults makes a fault layer with no faults on, its random choices
// drawn from seed.
func NewFaults(seed uint64) *Faults {
	return &Faults{rng: rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15)), blocked: map[string]bool{}, resumed: make(chan struct{})}
}

// Set replaces the probabilistic rules.
func (f *Faults) Set(r FaultRules) {
	f.mu.Lock()
	f.rules = r
	f.mu.Unlock()
}

// Rules returns the probabilistic rules in force.
func (f *Faults) Rules() FaultRules {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.rules
}

// Partition cuts this node off from the peers at these hosts (or
// host:port addresses), both ways.
func (f *Faults) Partition(peers ...string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, p := range peers {
		f.blocked[hostOf(p)] = true
	}
}

// Heal removes every partition.
func (f *Faults) Heal() {
	f.mu.Lock()
	f.blocked = map[string]bool{}
	f.mu.Unlock()
}

// Partitioned lists the hosts cut off.
func (f *Faults) Partitioned() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := make([]string, 0, len(f.blocked))
	for h := range f.blocked {
		out = append(out, h)
	}
	return out
}

// Pause stops all of this node's traffic, as if the process froze: packets
// are lost, stream writes and dials wait for Resume.
func (f *Faults) Pause() {
	f.mu.Lock()
	if !f.paused {
		f.paused = true
		f.resumed = make(chan struct{})
	}
	f.mu.Unlock()
}

// Resume ends a Pause.
func (f *Faults) Resume() {
	f.mu.Lock()
	if f.paused {
		f.paused = false
		close(f.resumed)
	}
	f.mu.Unlock()
}

func hostOf(addr string) string {
	if h, _, err := net.SplitHostPort(addr); err == nil {
		return h
	}
	return addr
}

func (f *Faults) isBlocked(addr string) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.blocked[hostOf(addr)]
}

// waitResumed blocks while paused (up to limit); false if still paused.
func (f *Faults) waitResumed(limit time.Duration) bool {
	f.mu.Lock()
	paused, ch := f.paused, f.resumed
	f.mu.Unlock()
	if !paused {
		return true
	}
	select {
	case <-ch:
		return true
	case <-time.After(limit):
		return false
	}
}

// fate is what happens to one message.
type fate struct {
	drop, dup, hold bool
	delay           time.Duration
}

func (f *Faults) draw() fate {
	f.mu.Lock()
	defer f.mu.Unlock()
	r := f.rules
	var out fate
	out.drop = r.Drop > 0 && f.rng.Float64() < r.Drop
	out.dup = r.Duplicate > 0 && f.rng.Float64() < r.Duplicate
	out.hold = r.Reorder > 0 && f.rng.Float64() < r.Reorder
	if r.Delay > 0 {
		out.delay = time.Duration(f.rng.Int64N(int64(r.Delay) + 1))
	}
	return out
}

func (f *Faults) streamDelay() time.Duration {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.rules.Delay <= 0 {
		return 0
	}
	return time.Duration(f.rng.Int64N(int64(f.rules.Delay) + 1))
}

// packet decides the fate of one outgoing gossip packet, sending it (with
// send) now, later, twice, after the next one, or never.
func (f *Faults) packet(dest string, send func()) {
	if f.isBlocked(dest) {
		return
	}
	f.mu.Lock()
	paused := f.paused
	f.mu.Unlock()
	if paused {
		return
	}
	fa := f.draw()
	if fa.drop {
		return
	}
	deliver := func() {
		send()
		if fa.dup {
			send()
		}
	}
	if fa.delay > 0 {
		d := deliver
		deliver = func() { time.AfterFunc(fa.delay, d) }
	}
	f.mu.Lock()
	prev := f.held
	f.held = nil
	if fa.hold && prev == nil {
		h := &heldPacket{send: deliver}
		// Delivered after the next packet, or after a short while if none
		// comes: reordered, never lost.
		h.t = time.AfterFunc(50*time.Millisecond, func() {
			f.mu.Lock()
			mine := f.held == h
			if mine {
				f.held = nil
			}
			f.mu.Unlock()
			if mine {
				h.send()
			}
		})
		f.held = h
		f.mu.Unlock()
		return
	}
	f.mu.Unlock()
	deliver()
	if prev != nil && prev.t.Stop() {
		prev.send()
	}
}

// faultTransport wraps memberlist's transport with the fault layer.
type faultTransport struct {
	memberlist.NodeAwareTransport
	f       *Faults
	local   net.IP
	packets chan *memberlist.Packet
	streams chan net.Conn
	stop    chan struct{}
	once    sync.Once
}

func newFaultTransport(inner memberlist.NodeAwareTransport, f *Faults, local net.IP) *faultTransport {
	t := &faultTransport{NodeAwareTransport: inner, f: f, local: local,
		packets: make(chan *memberlist.Packet, 1024), streams: make(chan net.Conn), stop: make(chan struct{})}
	go t.relayPackets()
	go t.relayStreams()
	return t
}

func (t *faultTransport) relayPackets() {
	for {
		select {
		case <-t.stop:
			return
		case p := <-t.NodeAwareTransport.PacketCh():
			t.f.mu.Lock()
			drop := t.f.paused || (p.From != nil && t.f.blocked[hostOf(p.From.String())])
			t.f.mu.Unlock()
			if drop {
				continue
			}
			select {
			case t.packets <- p:
			case <-t.stop:
				return
			}
		}
	}
}

func (t *faultTransport) relayStreams() {
	for {
		select {
		case <-t.stop:
			return
		case c := <-t.NodeAwareTransport.StreamCh():
			if t.f.isBlocked(c.RemoteAddr().String()) {
				c.Close()
				continue
			}
			select {
			case t.streams <- &faultConn{Conn: c, f: t.f, peer: c.RemoteAddr().String()}:
			case <-t.stop:
				c.Close()
				return
			}
		}
	}
}

func (t *faultTransport) PacketCh() <-chan *memberlist.Packet { return t.packets }
func (t *faultTransport) StreamCh() <-chan net.Conn           { return t.streams }

func (t *faultTransport) WriteTo(b []byte, addr string) (time.Time, error) {
	return t.WriteToAddress(b, memberlist.Address{Addr: addr})
}

func (t *faultTransport) WriteToAddress(b []byte, a memberlist.Address) (time.Time, error) {
	buf := append([]byte(nil), b...)
	t.f.packet(a.Addr, func() { _, _ = t.NodeAwareTransport.WriteToAddress(buf, a) })
	return time.Now(), nil
}

func (t *faultTransport) DialTimeout(addr string, timeout time.Duration) (net.Conn, error) {
	return t.DialAddressTimeout(memberlist.Address{Addr: addr}, timeout)
}

func (t *faultTransport) DialAddressTimeout(a memberlist.Address, timeout time.Duration) (net.Conn, error) {
	return t.f.dial(a.Addr, t.local, timeout)
}

func (t *faultTransport) Shutdown() error {
	t.once.Do(func() { close(t.stop) })
	return shutdownDraining(t.NodeAwareTransport)
}

// dial connects through the fault layer, from the local address (so the
// peer can tell who dialled).
func (f *Faults) dial(addr string, local net.IP, timeout time.Duration) (net.Conn, error) {
	if !f.waitResumed(timeout) {
		return nil, ErrPartitioned
	}
	if f.isBlocked(addr) {
		return nil, ErrPartitioned
	}
	d := net.Dialer{Timeout: timeout}
	if local != nil && !local.IsUnspecified() {
		d.LocalAddr = &net.TCPAddr{IP: local}
	}
	c, err := d.Dial("tcp", addr)
	if err != nil {
		return nil, err
	}
	return &faultConn{Conn: c, f: f, peer: addr}, nil
}

// faultConn is a stream under the fault layer: writes wait out a pause,
// are delayed, and fail once the peer is partitioned away.
type faultConn struct {
	net.Conn
	f    *Faults
	peer string
}

func (c *faultConn) Write(b []byte) (int, error) {
	if !c.f.waitResumed(time.Minute) || c.f.isBlocked(c.peer) {
		c.Conn.Close()
		return 0, ErrPartitioned
	}
	if d := c.f.streamDelay(); d > 0 {
		time.Sleep(d)
	}
	return c.Conn.Write(b)
}

func (c *faultConn) Read(b []byte) (int, error) {
	n, err := c.Conn.Read(b)
	if err == nil && c.f.isBlocked(c.peer) {
		c.Conn.Close()
		return 0, ErrPartitioned
	}
	return n, err
}
