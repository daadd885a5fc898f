package main

import (
	"errors"
	"fmt"
	"math"
	"net/netip"
	"os"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/BurntSushi/toml"

	"github.com/edgefn/edgefn/edge"
)

// nodeConfig is `edgefn serve`'s configuration: defaults, then the TOML
// file (--config), then EDGEFN_* environment variables, then flags.
type nodeConfig struct {
	Node struct {
		Name   string `toml:"name"`
		Data   string `toml:"data"`
		Region string `toml:"region"`
		// MemoryLimit is the Go soft memory limit ("256MiB", "1GiB"; "off":
		// none but 70% of the machine's memory; empty: the default, 96MiB
		// or 70% of the machine's or cgroup's memory if less). GOMEMLIMIT,
		// when set, wins. See tuneGC.
		MemoryLimit string `toml:"memory_limit"`
	} `toml:"node"`
	HTTP struct {
		Listen     string `toml:"listen"`
		BaseDomain string `toml:"base_domain"`
		TLSCert    string `toml:"tls_cert"`
		TLSKey     string `toml:"tls_key"`
		MaxBodyMB  int    `toml:"max_body_mb"`
		AccessLog  *bool  `toml:"access_log"`
		// TrustedProxies are reverse proxies (addresses or CIDRs) whose
		// X-Forwarded-For names the client.
		TrustedProxies []string `toml:"trusted_proxies"`
		// Front-door limits (see edge.Config for what each bounds).
		MaxConns       int           `toml:"max_conns"`
		MaxConnsPerIP  int           `toml:"max_conns_per_ip"` // 0: no limit
		MaxHeaderBytes int           `toml:"max_header_bytes"`
		MaxHeaders     int           `toml:"max_headers"`
		MaxURIBytes    int           `toml:"max_uri_bytes"`
		ReadTimeout    time.Duration `toml:"read_timeout"`
		WriteTimeout   time.Duration `toml:"write_timeout"`
		IdleTimeout    time.Duration `toml:"idle_timeout"`
		// HalfClose answers a client that shuts down its writing side after
		// its request instead of taking it as gone (edge.Config.HalfClose).
		HalfClose bool `toml:"half_close"`
	} `toml:"http"`
	Admin struct {
		Listen  string   `toml:"listen"`
		Tokens  []string `toml:"tokens"` // SHA-256 hashes, hex (edgefn token hash prints one)
		TLSCert string   `toml:"tls_cert"`
		TLSKey  string   `toml:"tls_key"`
		// AllowedHosts are host names a plain-HTTP admin API answers to
		// besides IP addresses, localhost and this machine's names.
		AllowedHosts []string `toml:"allowed_hosts"`
	} `toml:"admin"`
	Cluster struct {
		Gossip    string   `toml:"gossip"`
		Advertise string   `toml:"advertise"`
		Join      []string `toml:"join"`
		KeyFile   string   `toml:"key_file"`
		Insecure  bool     `toml:"insecure"`
		Profile   string   `toml:"profile"` // "lan", "wan" or "local"
		// AntiEntropyMs is how often peers compare digests (default 5000).
		AntiEntropyMs int `toml:"anti_entropy_ms"`
		// TombstoneGraceH is how long tombstones wait for a member that has
		// not synced, in hours (default 72).
		TombstoneGraceH float64 `toml:"tombstone_grace_hours"`
	} `toml:"cluster"`
	Limits struct {
		CPUMs      int `toml:"cpu_ms"`
		WallMs     int `toml:"wall_ms"`
		MemoryMB   int `toml:"memory_mb"`
		ResponseMB int `toml:"response_mb"`
		// Throttling of deployments whose requests keep breaking limits
		// (isolate.PoolConfig.OverrunShare, OverrunBurst); share 0: off.
		OverrunShare   float64 `toml:"overrun_share"`
		OverrunBurstMs int     `toml:"overrun_burst_ms"`
	} `toml:"limits"`
	KV struct {
		Durability string `toml:"durability"`
	} `toml:"kv"`
	Log struct {
		Level  string `toml:"level"`
		Format string `toml:"format"`
	} `toml:"log"`

	// Set by flags only, for the fault harness.
	testFaults bool
	testClock  time.Duration
}

func defaultNodeConfig() nodeConfig {
	var c nodeConfig
	host, _ := os.Hostname()
	c.Node.Name = strings.ToLower(strings.Split(host, ".")[0])
	c.Node.Data = "./edgefn-data"
	c.HTTP.Listen = ":8080"
	c.HTTP.MaxBodyMB = 100
	def := edge.DefaultConfig()
	c.Limits.OverrunShare = def.Pool.OverrunShare
	c.Limits.OverrunBurstMs = int(def.Pool.OverrunBurst / time.Millisecond)
	c.HTTP.MaxConns = def.MaxConns
	c.HTTP.MaxConnsPerIP = def.MaxConnsPerIP
	c.HTTP.MaxHeaderBytes = def.MaxHeaderBytes
	c.HTTP.MaxHeaders = def.MaxHeaderCount
	c.HTTP.MaxURIBytes = def.MaxURIBytes
	c.HTTP.ReadTimeout = def.ReadTimeout
	c.HTTP.WriteTimeout = def.WriteTimeout
	c.HTTP.IdleTimeout = def.IdleTimeout
	c.Admin.Listen = "127.0.0.1:9080"
	c.Cluster.Profile = "lan"
	c.Log.Level = "info"
	c.Log.Format = "json"
	return c
}

// tomlTypeErrRe picks the line, key and message out of the toml package's
// type-mismatch errors, which carry no structured position.
var tomlTypeErrRe = regexp.MustCompile(`^toml: line (\d+) \(last key "([^"]*)"\): (.*)$`)

var nodeNameRe = regexp.MustCompile(`^[a-z0-9]([a-z0-9.-]{0,61}[a-z0-9])?$`)

// loadNodeConfig reads the file (if any) over the defaults, refusing
// unknown keys with their line.
func loadNodeConfig(path string) (nodeConfig, error) {
	c := defaultNodeConfig()
	if path == "" {
		return c, nil
	}
	src, err := os.ReadFile(path)
	if err != nil {
		return c, fmt.Errorf("config %s: %w", path, err)
	}
	return parseNodeConfig(path, src)
}

// parseNodeConfig reads TOML source over the defaults; path names it in
// errors.
func parseNodeConfig(path string, src []byte) (nodeConfig, error) {
	c := defaultNodeConfig()
	md, err := toml.Decode(string(src), &c)
	if err != nil {
		var pe toml.ParseError
		if errors.As(err, &pe) {
			return c, fmt.Errorf("config %s:%d: %s", path, pe.Position.Line, pe.Message)
		}
		if m := tomlTypeErrRe.FindStringSubmatch(err.Error()); m != nil {
			return c, fmt.Errorf("config %s:%s: %s: %s", path, m[1], m[2], m[3])
		}
		return c, fmt.Errorf("config %s: %v", path, err)
	}
	if und := md.Undecoded(); len(und) > 0 {
		return c, fmt.Errorf("config %s: unknown key %q", path, und[0].String())
	}
	return c, nil
}

// applyEnv overrides the config with EDGEFN_* variables.
func (c *nodeConfig) applyEnv(getenv func(string) string) error {
	str := func(name string, dst *string) {
		if v := getenv(name); v != "" {
			*dst = v
		}
	}
	str("EDGEFN_NODE_NAME", &c.Node.Name)
	str("EDGEFN_DATA", &c.Node.Data)
	str("EDGEFN_REGION", &c.Node.Region)
	str("EDGEFN_MEMORY_LIMIT", &c.Node.MemoryLimit)
	str("EDGEFN_LISTEN", &c.HTTP.Listen)
	str("EDGEFN_BASE_DOMAIN", &c.HTTP.BaseDomain)
	str("EDGEFN_ADMIN", &c.Admin.Listen)
	str("EDGEFN_GOSSIP", &c.Cluster.Gossip)
	str("EDGEFN_CLUSTER_KEY_FILE", &c.Cluster.KeyFile)
	str("EDGEFN_LOG_LEVEL", &c.Log.Level)
	str("EDGEFN_LOG_FORMAT", &c.Log.Format)
	str("EDGEFN_KV_DURABILITY", &c.KV.Durability)
	if v := getenv("EDGEFN_JOIN"); v != "" {
		c.Cluster.Join = splitList(v)
	}
	if v := getenv("EDGEFN_INSECURE"); v != "" {
		b, err := strconv.ParseBool(v)
		if err != nil {
			return fmt.Errorf("EDGEFN_INSECURE=%q: use true or false", v)
		}
		c.Cluster.Insecure = b
	}
	return nil
}

func splitList(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// validate names the first bad field.
func (c *nodeConfig) validate() error {
	switch {
	case !nodeNameRe.MatchString(c.Node.Name):
		return fmt.Errorf("node.name %q: 1-63 lower-case letters, digits, dots or dashes", c.Node.Name)
	case c.Node.Data == "":
		return errors.New("node.data: a data directory is required")
	case memoryLimitErr(c.Node.MemoryLimit) != nil:
		return fmt.Errorf("node.memory_limit %q: %v", c.Node.MemoryLimit, memoryLimitErr(c.Node.MemoryLimit))
	case c.HTTP.Listen == "":
		return errors.New("http.listen is required")
	case c.Admin.Listen == "":
		return errors.New("admin.listen is required")
	case (c.HTTP.TLSCert == "") != (c.HTTP.TLSKey == ""):
		return errors.New("http.tls_cert and http.tls_key go together")
	case (c.Admin.TLSCert == "") != (c.Admin.TLSKey == ""):
		return errors.New("admin.tls_cert and admin.tls_key go together")
	case c.HTTP.MaxBodyMB < 1 || c.HTTP.MaxBodyMB > 4096:
		return fmt.Errorf("http.max_body_mb %d is outside 1-4096", c.HTTP.MaxBodyMB)
	case c.HTTP.MaxConns < 1:
		return fmt.Errorf("http.max_conns %d must be at least 1", c.HTTP.MaxConns)
	case c.HTTP.MaxConnsPerIP < 0:
		return fmt.Errorf("http.max_conns_per_ip %d is negative (0 means no limit)", c.HTTP.MaxConnsPerIP)
	case c.HTTP.MaxHeaderBytes < 1024 || c.HTTP.MaxHeaderBytes > 1<<20:
		return fmt.Errorf("http.max_header_bytes %d is outside 1024-1048576", c.HTTP.MaxHeaderBytes)
	case c.HTTP.MaxHeaders < 1 || c.HTTP.MaxHeaders > 10000:
		return fmt.Errorf("http.max_headers %d is outside 1-10000", c.HTTP.MaxHeaders)
	case c.HTTP.MaxURIBytes < 1 || c.HTTP.MaxURIBytes > c.HTTP.MaxHeaderBytes:
		return fmt.Errorf("http.max_uri_bytes %d must be between 1 and http.max_header_bytes (%d)", c.HTTP.MaxURIBytes, c.HTTP.MaxHeaderBytes)
	case c.HTTP.ReadTimeout < 100*time.Millisecond || c.HTTP.WriteTimeout < 100*time.Millisecond || c.HTTP.IdleTimeout < 100*time.Millisecond:
		return fmt.Errorf("http.read_timeout, write_timeout and idle_timeout must be durations of at least 100ms, written as strings such as \"30s\" (got %v, %v, %v)",
			c.HTTP.ReadTimeout, c.HTTP.WriteTimeout, c.HTTP.IdleTimeout)
	case c.Limits.CPUMs < 0 || c.Limits.CPUMs > 300000:
		return fmt.Errorf("limits.cpu_ms %d is outside 1-300000 (0: the default, 50)", c.Limits.CPUMs)
	case c.Limits.WallMs < 0 || c.Limits.WallMs > 15*60*1000:
		return fmt.Errorf("limits.wall_ms %d is outside 1-900000 (0: the default, 30000)", c.Limits.WallMs)
	case c.Limits.MemoryMB < 0 || (c.Limits.MemoryMB > 0 && c.Limits.MemoryMB < 8) || c.Limits.MemoryMB > 4096:
		return fmt.Errorf("limits.memory_mb %d is outside 8-4096 (0: the default, 128)", c.Limits.MemoryMB)
	case c.Limits.ResponseMB < 0 || c.Limits.ResponseMB > 65536:
		return fmt.Errorf("limits.response_mb %d is outside 1-65536", c.Limits.ResponseMB)
	case c.Limits.OverrunShare < 0 || c.Limits.OverrunShare > 1:
		return fmt.Errorf("limits.overrun_share %v is outside 0-1 (a share of one core; 0 turns throttling off)", c.Limits.OverrunShare)
	case c.Limits.OverrunBurstMs < 1 || c.Limits.OverrunBurstMs > 600000:
		return fmt.Errorf("limits.overrun_burst_ms %d is outside 1-600000", c.Limits.OverrunBurstMs)
	case c.Cluster.Profile != "lan" && c.Cluster.Profile != "wan" && c.Cluster.Profile != "local":
		return fmt.Errorf("cluster.profile %q: use lan, wan, or local (one machine, for tests)", c.Cluster.Profile)
	case c.Cluster.AntiEntropyMs < 0 || (c.Cluster.AntiEntropyMs > 0 && c.Cluster.AntiEntropyMs < 100):
		return fmt.Errorf("cluster.anti_entropy_ms %d: at least 100", c.Cluster.AntiEntropyMs)
	case c.Cluster.TombstoneGraceH < 0:
		return fmt.Errorf("cluster.tombstone_grace_hours %v is negative", c.Cluster.TombstoneGraceH)
	case len(c.Cluster.Join) > 0 && c.Cluster.Gossip == "":
		return errors.New("cluster.join needs cluster.gossip (--gossip ADDR): the address this node gossips on")
	case c.KV.Durability != "" && c.KV.Durability != "process" && c.KV.Durability != "fsync":
		return fmt.Errorf("kv.durability %q: use \"process\" (the default: an acknowledged write survives kill -9) or \"fsync\" (it survives a machine crash)", c.KV.Durability)
	case c.Cluster.Gossip != "" && c.Cluster.KeyFile == "" && !c.Cluster.Insecure:
		return errors.New("cluster: a cluster key is required (cluster.key_file or --cluster-key-file; make one with `edgefn cluster keygen`), or pass --insecure to run without encryption")
	}
	if _, err := parsePrefixes(c.HTTP.TrustedProxies); err != nil {
		return fmt.Errorf("http.trusted_proxies: %w", err)
	}
	for _, h := range c.Admin.Tokens {
		if len(strings.TrimPrefix(h, "sha256:")) != 64 {
			return fmt.Errorf("admin.tokens: %q is not a SHA-256 hash (make one with `edgefn token hash`)", h)
		}
	}
	return nil
}

// parsePrefixes reads addresses ("10.0.0.1") and CIDRs ("10.0.0.0/8").
func parsePrefixes(list []string) ([]netip.Prefix, error) {
	out := make([]netip.Prefix, 0, len(list))
	for _, s := range list {
		if p, err := netip.ParsePrefix(s); err == nil {
			out = append(out, p.Masked())
			continue
		}
		a, err := netip.ParseAddr(s)
		if err != nil {
			return nil, fmt.Errorf("%q is neither an address nor a CIDR", s)
		}
		out = append(out, netip.PrefixFrom(a.Unmap(), a.Unmap().BitLen()))
	}
	return out, nil
}

// minMemoryLimit is the smallest memory_limit accepted: below it the
// collector would run all the time on an idle node.
const minMemoryLimit = 32 << 20

// parseMemoryLimit reads node.memory_limit: "" is 0 (the default), "off"
// is -1 (no limit but the machine's), else bytes with an optional unit
// (B, KiB, MiB, GiB, TiB, as GOMEMLIMIT takes them).
func parseMemoryLimit(s string) (int64, error) {
	switch s {
	case "":
		return 0, nil
	case "off":
		return -1, nil
	}
	num := strings.TrimRight(s, "BKMGTi")
	unit := s[len(num):]
	mult, ok := map[string]int64{"": 1, "B": 1, "KiB": 1 << 10, "MiB": 1 << 20, "GiB": 1 << 30, "TiB": 1 << 40}[unit]
	if !ok {
		return 0, fmt.Errorf("unit %q: use B, KiB, MiB, GiB or TiB (such as \"256MiB\"), or \"off\"", unit)
	}
	n, err := strconv.ParseInt(strings.TrimSpace(num), 10, 64)
	if err != nil || n < 0 || n > math.MaxInt64/mult {
		return 0, fmt.Errorf("not a size: write a whole number and a unit, such as \"256MiB\", or \"off\"")
	}
	if n*mult < minMemoryLimit {
		return 0, fmt.Errorf("%d bytes is below the minimum of 32MiB", n*mult)
	}
	return n * mult, nil
}

func memoryLimitErr(s string) error {
	_, err := parseMemoryLimit(s)
	return err
}
