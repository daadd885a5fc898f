package main

import (
	"errors"
	"fmt"
	"os"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/BurntSushi/toml"
)

// nodeConfig is `edgefn serve`'s configuration: defaults, then the TOML
// file (--config), then EDGEFN_* environment variables, then flags.
type nodeConfig struct {
	Node struct {
		Name   string `toml:"name"`
		Data   string `toml:"data"`
		Region string `toml:"region"`
	} `toml:"node"`
	HTTP struct {
		Listen     string `toml:"listen"`
		BaseDomain string `toml:"base_domain"`
		TLSCert    string `toml:"tls_cert"`
		TLSKey     string `toml:"tls_key"`
		MaxBodyMB  int    `toml:"max_body_mb"`
		AccessLog  *bool  `toml:"access_log"`
	} `toml:"http"`
	Admin struct {
		Listen  string   `toml:"listen"`
		Tokens  []string `toml:"tokens"` // SHA-256 hashes, hex (edgefn token hash prints one)
		TLSCert string   `toml:"tls_cert"`
		TLSKey  string   `toml:"tls_key"`
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
		CPUMs    int `toml:"cpu_ms"`
		WallMs   int `toml:"wall_ms"`
		MemoryMB int `toml:"memory_mb"`
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
	c.Admin.Listen = "127.0.0.1:9080"
	c.Cluster.Profile = "lan"
	c.Log.Level = "info"
	c.Log.Format = "json"
	return c
}

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
	md, err := toml.Decode(string(src), &c)
	if err != nil {
		var pe toml.ParseError
		if errors.As(err, &pe) {
			return c, fmt.Errorf("config %s:%d: %s", path, pe.Position.Line, pe.Message)
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
	str("EDGEFN_LISTEN", &c.HTTP.Listen)
	str("EDGEFN_BASE_DOMAIN", &c.HTTP.BaseDomain)
	str("EDGEFN_ADMIN", &c.Admin.Listen)
	str("EDGEFN_GOSSIP", &c.Cluster.Gossip)
	str("EDGEFN_CLUSTER_KEY_FILE", &c.Cluster.KeyFile)
	str("EDGEFN_LOG_LEVEL", &c.Log.Level)
	str("EDGEFN_LOG_FORMAT", &c.Log.Format)
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
	case c.Cluster.Profile != "lan" && c.Cluster.Profile != "wan" && c.Cluster.Profile != "local":
		return fmt.Errorf("cluster.profile %q: use lan, wan, or local (one machine, for tests)", c.Cluster.Profile)
	case c.Cluster.AntiEntropyMs < 0 || (c.Cluster.AntiEntropyMs > 0 && c.Cluster.AntiEntropyMs < 100):
		return fmt.Errorf("cluster.anti_entropy_ms %d: at least 100", c.Cluster.AntiEntropyMs)
	case c.Cluster.TombstoneGraceH < 0:
		return fmt.Errorf("cluster.tombstone_grace_hours %v is negative", c.Cluster.TombstoneGraceH)
	case len(c.Cluster.Join) > 0 && c.Cluster.Gossip == "":
		return errors.New("cluster.join needs cluster.gossip (--gossip ADDR): the address this node gossips on")
	case c.KV.Durability != "" && c.KV.Durability != "fsync":
		return fmt.Errorf("kv.durability %q: use \"\" (process crash safe) or \"fsync\" (machine crash safe)", c.KV.Durability)
	case c.Cluster.Gossip != "" && c.Cluster.KeyFile == "" && !c.Cluster.Insecure:
		return errors.New("cluster: a cluster key is required (cluster.key_file or --cluster-key-file; make one with `edgefn cluster keygen`), or pass --insecure to run without encryption")
	}
	for _, h := range c.Admin.Tokens {
		if len(strings.TrimPrefix(h, "sha256:")) != 64 {
			return fmt.Errorf("admin.tokens: %q is not a SHA-256 hash (make one with `edgefn token hash`)", h)
		}
	}
	return nil
}
