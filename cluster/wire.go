package cluster

import (
	"bufio"
	"crypto/aes"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"time"
)

// The replication stream. A connection to a peer's gossip port that starts
// with replMagic is ours (memberlist's streams start with a message type
// below 16, or 244 for a label). Then:
//
//	client -> server  magic, version, nonce_c[32], name, flags
//	server -> client  version, nonce_s[32], name, flags, HMAC(auth, "server" nonce_c nonce_s name_s name_c)
//	client -> server  HMAC(auth, "client" nonce_c nonce_s name_c name_s)
//
// where auth is derived from the cluster key: a peer without the key can
// produce neither MAC. Both sides then derive one AES-256-GCM key per
// direction from the key and both nonces, and every message travels as a
// frame: a 4-byte length, then the sealed message, its nonce the frame's
// number in that direction. A replayed, reordered, altered or truncated
// frame fails to open and ends the connection.
const (
	replMagic    = 0xE7
	wireVersion  = 1
	nonceSize    = 32
	macSize      = sha256.Size
	flagPullOnly = 1
	// maxName bounds a node name on the wire.
	maxName = 255
)

// Sentinel errors callers and tests branch on.
var (
	// ErrAuth: the peer does not hold the cluster key (or is not an
	// edgefn node).
	ErrAuth = errors.New("cluster: peer failed authentication (a different cluster key?)")
	// ErrMessage: a message is malformed, truncated or over its limits.
	ErrMessage = errors.New("cluster: malformed replication message")
	// ErrNameTaken: a live member already uses this node's name.
	ErrNameTaken = errors.New("cluster: node name already taken by a live member")
	// ErrClosed: the node is closed.
	ErrClosed = errors.New("cluster: closed")
	// ErrPullOnly: the peer is resyncing pull-only and serves no data yet.
	ErrPullOnly = errors.New("cluster: peer is resyncing (pull-only)")
)

// keys derived from the cluster key, one per use.
type keys struct {
	gossip []byte // memberlist's keyring (32 bytes)
	auth   []byte // replication handshake and frame keys
}

func deriveKeys(clusterKey []byte) (keys, error) {
	secret := clusterKey
	if len(secret) == 0 {
		// Insecure mode: a fixed key, so that one code path serves both.
		// It authenticates nothing.
		secret = []byte("edgefn insecure cluster")
	}
	g, err := hkdf.Key(sha256.New, secret, nil, "edgefn gossip v1", 32)
	if err != nil {
		return keys{}, err
	}
	a, err := hkdf.Key(sha256.New, secret, nil, "edgefn replication v1", 32)
	if err != nil {
		return keys{}, err
	}
	return keys{gossip: g, auth: a}, nil
}

func mac(key []byte, role string, parts ...[]byte) []byte {
	h := hmac.New(sha256.New, key)
	h.Write([]byte(role))
	for _, p := range parts {
		var l [2]byte
		binary.BigEndian.PutUint16(l[:], uint16(len(p)))
		h.Write(l[:])
		h.Write(p)
	}
	return h.Sum(nil)
}

// peerHello is what one side says of itself in the handshake.
type peerHello struct {
	name     string
	pullOnly bool
}

// conn is an authenticated, sealed replication connection.
type conn struct {
	c        net.Conn
	r        *bufio.Reader
	peer     peerHello
	send     cipher.AEAD
	recv     cipher.AEAD
	sendN    uint64
	recvN    uint64
	maxFrame int
	hdr      [4]byte
	buf      []byte
}

func aead(key []byte) (cipher.AEAD, error) {
	b, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	return cipher.NewGCM(b)
}

func sessionKeys(auth, nc, ns []byte) (c2s, s2c cipher.AEAD, err error) {
	k1, err := hkdf.Key(sha256.New, auth, append(append([]byte{}, nc...), ns...), "client to server", 32)
	if err != nil {
		return nil, nil, err
	}
	k2, err := hkdf.Key(sha256.New, auth, append(append([]byte{}, nc...), ns...), "server to client", 32)
	if err != nil {
		return nil, nil, err
	}
	if c2s, err = aead(k1); err != nil {
		return nil, nil, err
	}
	s2c, err = aead(k2)
	return c2s, s2c, err
}

func appendName(b []byte, s string) []byte { return append(append(b, byte(len(s))), s...) }

func readName(r io.Reader) (string, error) {
	var l [1]byte
	if _, err := io.ReadFull(r, l[:]); err != nil {
		return "", err
	}
	b := make([]byte, l[0])
	if _, err := io.ReadFull(r, b); err != nil {
		return "", err
	}
	return string(b), nil
}

func helloFlags(h peerHello) byte {
	if h.pullOnly {
		return flagPullOnly
	}
	return 0
}

// clientHandshake runs the client side on a fresh connection (the magic
// byte not yet sent).
func clientHandshake(c net.Conn, auth []byte, self peerHello, maxFrame int, timeout time.Duration) (*conn, error) {
	_ = c.SetDeadline(time.Now().Add(timeout))
	defer c.SetDeadline(time.Time{})
	nc := make([]byte, nonceSize)
	_, _ = rand.Read(nc)
	hello := []byte{replMagic, wireVersion}
	hello = append(hello, nc...)
	hello = appendName(hello, self.name)
	hello = append(hello, helloFlags(self))
	if _, err := c.Write(hello); err != nil {
		return nil, fmt.Errorf("cluster: handshake: %w", err)
	}
	r := bufio.NewReaderSize(c, 64<<10)
	var v [1]byte
	if _, err := io.ReadFull(r, v[:]); err != nil {
		return nil, fmt.Errorf("cluster: handshake: %w", err)
	}
	if v[0] != wireVersion {
		return nil, fmt.Errorf("%w: peer speaks replication version %d, this node %d", ErrMessage, v[0], wireVersion)
	}
	ns := make([]byte, nonceSize)
	if _, err := io.ReadFull(r, ns); err != nil {
		return nil, fmt.Errorf("cluster: handshake: %w", err)
	}
	name, err := readName(r)
	if err != nil {
		return nil, fmt.Errorf("cluster: handshake: %w", err)
	}
	var rest [1 + macSize]byte
	if _, err := io.ReadFull(r, rest[:]); err != nil {
		return nil, fmt.Errorf("cluster: handshake: %w", err)
	}
	if !hmac.Equal(rest[1:], mac(auth, "server", nc, ns, []byte(name), []byte(self.name))) {
		return nil, ErrAuth
	}
	if _, err := c.Write(mac(auth, "client", nc, ns, []byte(self.name), []byte(name))); err != nil {
		return nil, fmt.Errorf("cluster: handshake: %w", err)
	}
	c2s, s2c, err := sessionKeys(auth, nc, ns)
	if err != nil {
		return nil, err
	}
	return &conn{c: c, r: r, peer: peerHello{name: name, pullOnly: rest[0]&flagPullOnly != 0}, send: c2s, recv: s2c, maxFrame: maxFrame}, nil
}

// serverHandshake runs the server side; the magic byte was read already.
func serverHandshake(c net.Conn, r *bufio.Reader, auth []byte, self peerHello, maxFrame int, timeout time.Duration) (*conn, error) {
	_ = c.SetDeadline(time.Now().Add(timeout))
	defer c.SetDeadline(time.Time{})
	var v [1]byte
	if _, err := io.ReadFull(r, v[:]); err != nil {
		return nil, fmt.Errorf("cluster: handshake: %w", err)
	}
	if v[0] != wireVersion {
		return nil, fmt.Errorf("%w: peer speaks replication version %d, this node %d", ErrMessage, v[0], wireVersion)
	}
	nc := make([]byte, nonceSize)
	if _, err := io.ReadFull(r, nc); err != nil {
		return nil, fmt.Errorf("cluster: handshake: %w", err)
	}
	name, err := readName(r)
	if err != nil {
		return nil, fmt.Errorf("cluster: handshake: %w", err)
	}
	var flags [1]byte
	if _, err := io.ReadFull(r, flags[:]); err != nil {
		return nil, fmt.Errorf("cluster: handshake: %w", err)
	}
	ns := make([]byte, nonceSize)
	_, _ = rand.Read(ns)
	resp := []byte{wireVersion}
	resp = append(resp, ns...)
	resp = appendName(resp, self.name)
	resp = append(resp, helloFlags(self))
	resp = append(resp, mac(auth, "server", nc, ns, []byte(self.name), []byte(name))...)
	if _, err := c.Write(resp); err != nil {
		return nil, fmt.Errorf("cluster: handshake: %w", err)
	}
	got := make([]byte, macSize)
	if _, err := io.ReadFull(r, got); err != nil {
		return nil, fmt.Errorf("cluster: handshake from %q: %w (a peer that does not hold the cluster key hangs up here)", name, err)
	}
	if !hmac.Equal(got, mac(auth, "client", nc, ns, []byte(name), []byte(self.name))) {
		return nil, fmt.Errorf("%w: %q", ErrAuth, name)
	}
	c2s, s2c, err := sessionKeys(auth, nc, ns)
	if err != nil {
		return nil, err
	}
	return &conn{c: c, r: r, peer: peerHello{name: name, pullOnly: flags[0]&flagPullOnly != 0}, send: s2c, recv: c2s, maxFrame: maxFrame}, nil
}

func frameNonce(n uint64) []byte {
	var b [12]byte
	binary.BigEndian.PutUint64(b[4:], n)
	return b[:]
}

// write seals and sends one message.
func (c *conn) write(msg []byte, timeout time.Duration) error {
	if len(msg)+c.send.Overhead() > c.maxFrame {
		return fmt.Errorf("%w: a %d-byte message exceeds the %d-byte frame limit", ErrMessage, len(msg), c.maxFrame)
	}
	out := make([]byte, 4, 4+len(msg)+c.send.Overhead())
	out = c.send.Seal(out, frameNonce(c.sendN), msg, nil)
	c.sendN++
	binary.BigEndian.PutUint32(out[:4], uint32(len(out)-4))
	_ = c.c.SetWriteDeadline(time.Now().Add(timeout))
	_, err := c.c.Write(out)
	return err
}

// read receives and opens one message. idle bounds the wait for its first
// byte (0: no bound); the rest must follow within timeout.
func (c *conn) read(idle, timeout time.Duration) ([]byte, error) {
	if idle > 0 {
		_ = c.c.SetReadDeadline(time.Now().Add(idle))
	} else {
		_ = c.c.SetReadDeadline(time.Time{})
	}
	if _, err := io.ReadFull(c.r, c.hdr[:1]); err != nil {
		return nil, err
	}
	_ = c.c.SetReadDeadline(time.Now().Add(timeout))
	if _, err := io.ReadFull(c.r, c.hdr[1:]); err != nil {
		return nil, err
	}
	n := int(binary.BigEndian.Uint32(c.hdr[:]))
	if n < c.recv.Overhead() || n > c.maxFrame {
		return nil, fmt.Errorf("%w: a frame of %d bytes (limit %d)", ErrMessage, n, c.maxFrame)
	}
	if cap(c.buf) < n {
		c.buf = make([]byte, n)
	}
	b := c.buf[:n]
	if _, err := io.ReadFull(c.r, b); err != nil {
		return nil, fmt.Errorf("%w: truncated frame: %w", ErrMessage, err)
	}
	msg, err := c.recv.Open(nil, frameNonce(c.recvN), b, nil)
	if err != nil {
		return nil, fmt.Errorf("%w: a frame failed authentication", ErrMessage)
	}
	c.recvN++
	return msg, nil
}

func (c *conn) Close() error { return c.c.Close() }
