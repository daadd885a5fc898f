package cluster

import (
	"errors"
	"fmt"
	"log/slog"
	"net"
	"strconv"
	"time"
)

// Config configures a Node. Start from DefaultConfig.
type Config struct {
	// Name is this node's name, unique in the cluster. Required.
	Name string
	// BindAddr is the gossip address, host:port: memberlist's UDP and TCP,
	// and the replication stream on the same TCP port. Port 0 picks one
	// (tests). Default "0.0.0.0:7946".
	BindAddr string
	// AdvertiseAddr is the host:port peers reach this node at; default the
	// bind address (or, when that is unspecified, a private address of the
	// host, as memberlist picks it).
	AdvertiseAddr string
	// Join lists members (host:port) to join at start and to retry while
	// none is reachable.
	Join []string
	// Key is the cluster key (at least 32 bytes): gossip encryption and the
	// replication handshake are derived from it. Required unless Insecure.
	Key []byte
	// Insecure runs without a key: gossip in the clear, replication
	// unauthenticated. Only for tests and private networks.
	Insecure bool
	// Profile tunes failure detection: "lan" (default), "wan" (slower
	// probes, longer timeouts: members across regions) or "local" (one
	// machine: tests).
	Profile string
	// Meta is published to the other members.
	Meta Meta
	// Replica is the store replicated. Required.
	Replica Replica
	// Logger receives the cluster's logs. Nil discards them.
	Logger *slog.Logger
	// StateDir keeps the node's replication state (which peers synced how
	// far, when this node last synced): needed to collect tombstones
	// safely and to know, after a restart, whether it must rejoin
	// pull-only. Empty keeps it in memory (tests).
	StateDir string
	// AntiEntropyInterval is how often each peer pair compares digests.
	// Default 5s (it grows slowly with the cluster beyond 128 members).
	AntiEntropyInterval time.Duration
	// TombstoneGrace is how long a tombstone is kept when some member has
	// not synced past it; a node that has not synced for longer rejoins
	// pull-only. Default 72h.
	TombstoneGrace time.Duration
	// TombstoneMinAge keeps every tombstone at least this long, even once
	// all members have it. Default 1m.
	TombstoneMinAge time.Duration
	// ReconnectInterval is how often the node tries to rejoin seeds and
	// recently failed members it cannot see: after a partition heals, this
	// bounds how soon the two sides find each other. Default 2s.
	ReconnectInterval time.Duration
	// BatchBytes is the target size of a push or anti-entropy batch.
	// Default 1 MiB.
	BatchBytes int
	// MaxFrame is the largest replication frame sent or accepted. It must
	// hold the largest record the store accepts. Default 64 MiB.
	MaxFrame int
	// MaxClockSkew is how far ahead of this node a peer's clock may run
	// before the node warns that the peer's records are being refused.
	// Informational: the store enforces its own bound. Default 30s.
	MaxClockSkew time.Duration
	// Faults injects network faults (tests only; nil in production).
	Faults *Faults
	// Now is the wall clock (tests). Default time.Now.
	Now func() time.Time
}

// Meta is what a node publishes of itself to the other members.
type Meta struct {
	HTTP    string `json:"h,omitempty"` // public HTTP address
	Admin   string `json:"a,omitempty"` // admin API address
	Region  string `json:"r,omitempty"`
	Version string `json:"v,omitempty"` // edgefn version
}

// DefaultConfig returns the defaults; Name, Replica and Key (or Insecure)
// must still be set.
func DefaultConfig() Config {
	return Config{
		BindAddr:            "0.0.0.0:7946",
		Profile:             "lan",
		AntiEntropyInterval: 5 * time.Second,
		TombstoneGrace:      72 * time.Hour,
		TombstoneMinAge:     time.Minute,
		ReconnectInterval:   2 * time.Second,
		BatchBytes:          1 << 20,
		MaxFrame:            64 << 20,
		MaxClockSkew:        30 * time.Second,
	}
}

func (c *Config) fill() {
	d := DefaultConfig()
	if c.BindAddr == "" {
		c.BindAddr = d.BindAddr
	}
	if c.Profile == "" {
		c.Profile = d.Profile
	}
	if c.AntiEntropyInterval == 0 {
		c.AntiEntropyInterval = d.AntiEntropyInterval
	}
	if c.TombstoneGrace == 0 {
		c.TombstoneGrace = d.TombstoneGrace
	}
	if c.TombstoneMinAge == 0 {
		c.TombstoneMinAge = d.TombstoneMinAge
	}
	if c.ReconnectInterval == 0 {
		c.ReconnectInterval = d.ReconnectInterval
	}
	if c.BatchBytes == 0 {
		c.BatchBytes = d.BatchBytes
	}
	if c.MaxFrame == 0 {
		c.MaxFrame = d.MaxFrame
	}
	if c.MaxClockSkew == 0 {
		c.MaxClockSkew = d.MaxClockSkew
	}
	if c.Now == nil {
		c.Now = time.Now
	}
}

func splitAddr(field, addr string) (string, int, error) {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return "", 0, fmt.Errorf("cluster: config: %s %q: want host:port", field, addr)
	}
	p, err := strconv.Atoi(port)
	if err != nil || p < 0 || p > 65535 {
		return "", 0, fmt.Errorf("cluster: config: %s %q: bad port", field, addr)
	}
	return host, p, nil
}

func (c *Config) validate() error {
	switch {
	case c.Name == "" || len(c.Name) > maxName:
		return fmt.Errorf("cluster: config: Name %q must be 1-%d bytes", c.Name, maxName)
	case c.Replica == nil:
		return errors.New("cluster: config: Replica is required")
	case len(c.Key) == 0 && !c.Insecure:
		return errors.New("cluster: config: Key is required (a cluster key; see edgefn cluster keygen), unless Insecure")
	case len(c.Key) > 0 && len(c.Key) < 32:
		return fmt.Errorf("cluster: config: Key is %d bytes; it must be at least 32", len(c.Key))
	case c.Profile != "lan" && c.Profile != "wan" && c.Profile != "local":
		return fmt.Errorf("cluster: config: Profile %q: use lan, wan or local", c.Profile)
	case c.AntiEntropyInterval <= 0 || c.ReconnectInterval <= 0:
		return errors.New("cluster: config: AntiEntropyInterval and ReconnectInterval must be positive")
	case c.TombstoneGrace < c.TombstoneMinAge || c.TombstoneMinAge < 0:
		return fmt.Errorf("cluster: config: TombstoneGrace %v must be at least TombstoneMinAge %v", c.TombstoneGrace, c.TombstoneMinAge)
	case c.BatchBytes < 1<<10 || c.MaxFrame < c.BatchBytes+1<<10:
		return fmt.Errorf("cluster: config: BatchBytes %d (at least 1 KiB) must fit in MaxFrame %d", c.BatchBytes, c.MaxFrame)
	}
	if _, _, err := splitAddr("BindAddr", c.BindAddr); err != nil {
		return err
	}
	if c.AdvertiseAddr != "" {
		if _, _, err := splitAddr("AdvertiseAddr", c.AdvertiseAddr); err != nil {
			return err
		}
	}
	return nil
}
