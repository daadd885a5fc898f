package main

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/edgefn/edgefn/cluster"
	"github.com/edgefn/edgefn/edge"
	"github.com/edgefn/edgefn/isolate"
	"github.com/edgefn/edgefn/kv"
)

func init() {
	register(&command{
		name:    "serve",
		usage:   "edgefn serve [--config FILE] [--listen :8080] [--admin 127.0.0.1:9080] [--data DIR] [--node-name N] [--gossip ADDR --join ADDR...]",
		summary: "run a production node (many deployments, admin API, KV, cluster)",
		long: `Settings come from the TOML file (--config), then EDGEFN_* environment variables, then flags.
The admin API needs a bearer token: set admin.tokens (SHA-256 hashes, from
` + "`edgefn token hash`" + `) or EDGEFN_ADMIN_TOKEN; with neither, the first start makes one,
prints it once, and keeps only its hash in the data directory.`,
		run: runServe,
	})
	register(&command{
		name:    "token",
		usage:   "edgefn token new | hash",
		summary: "make an admin token, or hash one (read from stdin) for admin.tokens",
		run:     runToken,
	})
}

// stringList is a repeatable (or comma-separated) flag.
type stringList []string

func (s *stringList) String() string { return strings.Join(*s, ",") }
func (s *stringList) Set(v string) error {
	*s = append(*s, splitList(v)...)
	return nil
}

func runServe(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	c := commands["serve"]
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	configPath := fs.String("config", "", "TOML configuration file")
	var join stringList
	fs.Var(&join, "join", "address of a cluster member to join (repeatable)")
	flagStr := map[string]*string{
		"node-name":        fs.String("node-name", "", "this node's name (default: the host name)"),
		"data":             fs.String("data", "", "data directory (default ./edgefn-data)"),
		"memory-limit":     fs.String("memory-limit", "", `Go soft memory limit, such as "256MiB" ("off": none; default 96MiB; GOMEMLIMIT wins)`),
		"kv-durability":    fs.String("kv-durability", "", `"fsync" to fsync every KV write before acknowledging it (survives a machine crash; see docs/BENCHMARKS.md for the cost)`),
		"pprof":            fs.String("pprof", "", "serve Go's pprof profiles on this address (for profiling edgefn itself; never public)"),
		"region":           fs.String("region", "", "region label shown in cluster members"),
		"listen":           fs.String("listen", "", "public HTTP address (default :8080)"),
		"admin":            fs.String("admin", "", "admin API address (default 127.0.0.1:9080)"),
		"base-domain":      fs.String("base-domain", "", "serve each deployment at NAME.<base-domain>"),
		"gossip":           fs.String("gossip", "", "cluster gossip address (host:port); empty: no cluster"),
		"advertise":        fs.String("advertise", "", "address peers reach this node's gossip at"),
		"cluster-key-file": fs.String("cluster-key-file", "", "file holding the cluster key (see edgefn cluster keygen)"),
		"tls-cert":         fs.String("tls-cert", "", "certificate file for the public listener"),
		"tls-key":          fs.String("tls-key", "", "key file for the public listener"),
		"log-level":        fs.String("log-level", "", "debug, info, warn or error"),
		"log-format":       fs.String("log-format", "", "json or text"),
	}
	insecure := fs.Bool("insecure", false, "run the cluster without encryption (tests on a private network only)")
	testFaults := fs.Bool("test-faults", false, "testing only: enable the network fault layer, driven at POST /v1/cluster/faults")
	testClock := fs.Duration("test-clock-offset", 0, "testing only (with --test-faults): run this node's clock ahead by this much")
	token := fs.String("token", "", "an admin token (plain; hashed at start); default $EDGEFN_ADMIN_TOKEN")
	pos, code, ok := parseFlags(fs, c, args, stderr)
	if !ok {
		return code
	}
	if len(pos) != 0 {
		fmt.Fprintf(stderr, "edgefn serve: unexpected argument %q\nusage: %s\n", pos[0], c.usage)
		return exitUsage
	}
	cfg, err := loadNodeConfig(*configPath)
	if err != nil {
		fmt.Fprintf(stderr, "edgefn serve: %v\n", err)
		return exitUsage
	}
	if err := cfg.applyEnv(os.Getenv); err != nil {
		fmt.Fprintf(stderr, "edgefn serve: %v\n", err)
		return exitUsage
	}
	set := func(name string, dst *string) {
		if v := *flagStr[name]; v != "" {
			*dst = v
		}
	}
	set("node-name", &cfg.Node.Name)
	set("data", &cfg.Node.Data)
	set("region", &cfg.Node.Region)
	set("listen", &cfg.HTTP.Listen)
	set("admin", &cfg.Admin.Listen)
	set("base-domain", &cfg.HTTP.BaseDomain)
	set("gossip", &cfg.Cluster.Gossip)
	set("advertise", &cfg.Cluster.Advertise)
	set("cluster-key-file", &cfg.Cluster.KeyFile)
	set("tls-cert", &cfg.HTTP.TLSCert)
	set("tls-key", &cfg.HTTP.TLSKey)
	set("log-level", &cfg.Log.Level)
	set("log-format", &cfg.Log.Format)
	set("kv-durability", &cfg.KV.Durability)
	set("memory-limit", &cfg.Node.MemoryLimit)
	if len(join) > 0 {
		cfg.Cluster.Join = join
	}
	if *insecure {
		cfg.Cluster.Insecure = true
	}
	if *testClock != 0 && !*testFaults {
		fmt.Fprintln(stderr, "edgefn serve: --test-clock-offset needs --test-faults")
		return exitUsage
	}
	cfg.testFaults, cfg.testClock = *testFaults, *testClock
	if err := cfg.validate(); err != nil {
		fmt.Fprintf(stderr, "edgefn serve: %v\n", err)
		return exitUsage
	}
	log, err := newLogger(stderr, cfg.Log.Level, cfg.Log.Format)
	if err != nil {
		fmt.Fprintf(stderr, "edgefn serve: %v\n", err)
		return exitUsage
	}
	log = log.With("node", cfg.Node.Name)
	memLimit, _ := parseMemoryLimit(cfg.Node.MemoryLimit) // validated above
	tuneGC(memLimit)
	if addr := *flagStr["pprof"]; addr != "" {
		if err := startPprof(addr, log); err != nil {
			fmt.Fprintf(stderr, "edgefn serve: --pprof: %v\n", err)
			return exitUsage
		}
	}
	isolate.SetGuardLogger(log.With("component", "isolate"))
	if err := serve(ctx, cfg, *token, log, stderr); err != nil {
		fmt.Fprintf(stderr, "edgefn serve: %v\n", err)
		return exitError
	}
	return exitOK
}

// serve runs a node until ctx ends.
func serve(ctx context.Context, cfg nodeConfig, plainToken string, log *slog.Logger, stderr io.Writer) error {
	if err := os.MkdirAll(cfg.Node.Data, 0o700); err != nil {
		return fmt.Errorf("data directory: %w", err)
	}
	kcfg := kv.DefaultConfig()
	kcfg.Dir = filepath.Join(cfg.Node.Data, "kv")
	kcfg.NodeID = cfg.Node.Name
	kcfg.Durability = kv.Durability(cfg.KV.Durability)
	kcfg.Logger = log
	if cfg.testClock != 0 {
		kcfg.Now = func() time.Time { return time.Now().Add(cfg.testClock) }
	}
	if cfg.testFaults {
		// The fault harness checks expiry within a run.
		kcfg.MinTTL, kcfg.ExpireEvery = time.Second, 2*time.Second
	}
	store, err := kv.Open(kcfg)
	if err != nil {
		return err
	}
	defer store.Close()
	kvs := edge.NewKVStore(store)

	ncfg := edgeConfig(cfg)
	ncfg.Logger = log
	ncfg.KV = kvs
	node, err := edge.NewNode(ncfg)
	if err != nil {
		return err
	}
	node.SetNodeName(cfg.Node.Name)
	platform := edge.NewPlatform(node, kvs)
	platform.SetMembership(soloMembership(cfg.Node.Name))
	acfg := edge.AdminConfig{TokenHashes: nil, Logger: log, TLSCert: cfg.Admin.TLSCert, TLSKey: cfg.Admin.TLSKey}
	var member *cluster.Node
	if cfg.Cluster.Gossip != "" {
		if member, err = joinCluster(cfg, store, log, &acfg); err != nil {
			return err
		}
		platform.SetMembership(member)
		node.Registry().MustRegister(edge.ClusterCollector(member))
		defer func() {
			// SIGTERM: after the requests in flight, leave gracefully so the
			// others see this node left, not failed.
			if err := member.Leave(10 * time.Second); err != nil {
				log.Warn("leaving the cluster", "error", err)
			}
		}()
	}

	material, err := secretsMaterial(cfg)
	if err != nil {
		return err
	}
	if err := platform.SetSecretsKey(material); err != nil {
		return err
	}
	hashes, err := adminTokens(cfg, plainToken, stderr)
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", cfg.Admin.Listen)
	if err != nil {
		return fmt.Errorf("admin listener %s: %w", cfg.Admin.Listen, err)
	}
	allowed := append([]string{cfg.Node.Name}, cfg.Admin.AllowedHosts...)
	if host, err := os.Hostname(); err == nil {
		allowed = append(allowed, host)
	}
	acfg.Listener, acfg.TokenHashes, acfg.AllowedHosts = ln, hashes, allowed
	admin, err := edge.NewAdmin(acfg, platform)
	if err != nil {
		return err
	}
	log.Info("edgefn node starting", "http", cfg.HTTP.Listen, "admin", ln.Addr().String(), "data", cfg.Node.Data)

	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var wg sync.WaitGroup
	wg.Add(3)
	go func() { defer wg.Done(); platform.Run(ctx) }()
	go func() { defer wg.Done(); returnIdleMemory(ctx, 5*time.Second, idleSlack, log.With("component", "gc")) }()
	adminErr := make(chan error, 1)
	go func() { defer wg.Done(); adminErr <- admin.Serve(ctx) }()
	err = node.Serve(ctx)
	cancel()
	wg.Wait()
	if aerr := <-adminErr; err == nil {
		err = aerr
	}
	log.Info("edgefn node stopped")
	return err
}

// joinCluster starts this node's cluster membership and replication over
// the store, and gives the admin API its view of them.
func joinCluster(cfg nodeConfig, store *kv.Store, log *slog.Logger, acfg *edge.AdminConfig) (*cluster.Node, error) {
	c := cluster.DefaultConfig()
	c.Name = cfg.Node.Name
	c.BindAddr = cfg.Cluster.Gossip
	c.AdvertiseAddr = cfg.Cluster.Advertise
	c.Join = cfg.Cluster.Join
	c.Insecure = cfg.Cluster.Insecure
	c.Profile = cfg.Cluster.Profile
	c.Replica = edge.ClusterReplica(store)
	c.Logger = log
	c.StateDir = cfg.Node.Data
	c.Meta = cluster.Meta{HTTP: cfg.HTTP.Listen, Admin: cfg.Admin.Listen, Region: cfg.Node.Region, Version: buildVersion()}
	if cfg.Cluster.KeyFile != "" {
		key, err := readClusterKey(cfg.Cluster.KeyFile)
		if err != nil {
			return nil, err
		}
		c.Key = key
	}
	if d := cfg.Cluster.AntiEntropyMs; d > 0 {
		c.AntiEntropyInterval = time.Duration(d) * time.Millisecond
	}
	if d := cfg.Cluster.TombstoneGraceH; d > 0 {
		c.TombstoneGrace = time.Duration(d * float64(time.Hour))
	}
	if cfg.testFaults {
		c.Faults = cluster.NewFaults(uint64(time.Now().UnixNano()))
		c.ReconnectInterval = time.Second
		c.TombstoneMinAge = 5 * time.Second
		c.Now = func() time.Time { return time.Now().Add(cfg.testClock) }
		acfg.Faults = c.Faults
		log.Warn("the network fault layer is on (--test-faults): for testing only")
	}
	if cfg.Cluster.Insecure {
		log.Warn("the cluster runs without encryption or authentication (--insecure)")
	}
	n, err := cluster.Join(c)
	if err != nil {
		return nil, err
	}
	acfg.Cluster = n
	acfg.Ready = n.Ready
	return n, nil
}

// edgeConfig maps the HTTP and limits settings onto the node's config.
func edgeConfig(cfg nodeConfig) edge.Config {
	ncfg := edge.DefaultConfig()
	ncfg.Listen = cfg.HTTP.Listen
	ncfg.BaseDomain = cfg.HTTP.BaseDomain
	ncfg.MaxBodySize = cfg.HTTP.MaxBodyMB << 20
	ncfg.MaxConns = cfg.HTTP.MaxConns
	ncfg.MaxConnsPerIP = cfg.HTTP.MaxConnsPerIP
	if ncfg.MaxConnsPerIP == 0 {
		ncfg.MaxConnsPerIP = -1 // the file's 0 means no limit
	}
	ncfg.MaxHeaderBytes = cfg.HTTP.MaxHeaderBytes
	ncfg.MaxHeaderCount = cfg.HTTP.MaxHeaders
	ncfg.MaxURIBytes = cfg.HTTP.MaxURIBytes
	ncfg.ReadTimeout, ncfg.WriteTimeout, ncfg.IdleTimeout = cfg.HTTP.ReadTimeout, cfg.HTTP.WriteTimeout, cfg.HTTP.IdleTimeout
	ncfg.HalfClose = cfg.HTTP.HalfClose
	ncfg.Pool.Limits.MaxResponseSize = int64(cfg.Limits.ResponseMB) << 20
	ncfg.Pool.OverrunShare = cfg.Limits.OverrunShare
	if ncfg.Pool.OverrunShare == 0 {
		ncfg.Pool.OverrunShare = -1 // the file's 0 means off
	}
	ncfg.Pool.OverrunBurst = time.Duration(cfg.Limits.OverrunBurstMs) * time.Millisecond
	ncfg.AccessLog = cfg.HTTP.AccessLog == nil || *cfg.HTTP.AccessLog
	ncfg.TLSCert, ncfg.TLSKey = cfg.HTTP.TLSCert, cfg.HTTP.TLSKey
	ncfg.TrustedProxies, _ = parsePrefixes(cfg.HTTP.TrustedProxies) // checked by validate
	ncfg.Pool.Limits.CPUTime = time.Duration(cfg.Limits.CPUMs) * time.Millisecond
	ncfg.Pool.Limits.WallTime = time.Duration(cfg.Limits.WallMs) * time.Millisecond
	ncfg.Pool.Limits.MemoryLimit = int64(cfg.Limits.MemoryMB) << 20
	ncfg.Pool.MinIdle = 0 // idle deployments cost no runtimes; the first request warms one
	ncfg.Pool.UserAgent = "edgefn/" + buildVersion()
	return ncfg
}

type soloMembership string

func (s soloMembership) Self() string    { return string(s) }
func (s soloMembership) Alive() []string { return []string{string(s)} }

// secretsMaterial is the key secrets are sealed under: the cluster key
// (every node must open every secret), or a random key kept in the data
// directory of a node without a cluster.
func secretsMaterial(cfg nodeConfig) ([]byte, error) {
	if cfg.Cluster.KeyFile != "" {
		return readClusterKey(cfg.Cluster.KeyFile)
	}
	path := filepath.Join(cfg.Node.Data, "secrets.key")
	if b, err := os.ReadFile(path); err == nil {
		if len(b) < 32 {
			return nil, fmt.Errorf("%s is too short to be a secrets key", path)
		}
		return b, nil
	} else if !errors.Is(err, os.ErrNotExist) {
		return nil, err
	}
	key := make([]byte, 32)
	if _, err := rand.Read(key); err != nil {
		return nil, err
	}
	if err := os.WriteFile(path, key, 0o600); err != nil {
		return nil, fmt.Errorf("writing %s: %w", path, err)
	}
	return key, nil
}

// readClusterKey reads a cluster key file (hex or raw, at least 32 bytes).
func readClusterKey(path string) ([]byte, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("cluster key: %w", err)
	}
	s := strings.TrimSpace(string(b))
	if k, err := hex.DecodeString(s); err == nil && len(k) >= 32 {
		return k, nil
	}
	if len(b) >= 32 {
		return b, nil
	}
	return nil, fmt.Errorf("cluster key %s: want at least 32 bytes (64 hex digits); make one with `edgefn cluster keygen`", path)
}

// adminTokens gathers the admin token hashes: the config's, the plain token
// given by flag or EDGEFN_ADMIN_TOKEN, or a new token made at first start.
func adminTokens(cfg nodeConfig, plain string, stderr io.Writer) ([]string, error) {
	hashes := append([]string(nil), cfg.Admin.Tokens...)
	if plain == "" {
		plain = os.Getenv("EDGEFN_ADMIN_TOKEN")
	}
	if plain != "" {
		hashes = append(hashes, edge.HashToken(plain))
	}
	path := filepath.Join(cfg.Node.Data, "admin-token.sha256")
	if b, err := os.ReadFile(path); err == nil {
		hashes = append(hashes, strings.TrimSpace(string(b)))
	}
	if len(hashes) > 0 {
		return hashes, nil
	}
	tok := newToken()
	if err := os.WriteFile(path, []byte(edge.HashToken(tok)+"\n"), 0o600); err != nil {
		return nil, fmt.Errorf("writing %s: %w", path, err)
	}
	fmt.Fprintf(stderr, "edgefn: made an admin token for this node; it is shown only now:\n\n  %s\n\nUse it with --token or EDGEFN_TOKEN. Its hash is in %s.\n\n", tok, path)
	return []string{edge.HashToken(tok)}, nil
}

func newToken() string {
	b := make([]byte, 24)
	_, _ = rand.Read(b)
	return "efn_" + hex.EncodeToString(b)
}

func runToken(_ context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) != 1 {
		fmt.Fprintf(stderr, "usage: %s\n", commands["token"].usage)
		return exitUsage
	}
	switch args[0] {
	case "new":
		tok := newToken()
		fmt.Fprintf(stdout, "token: %s\nhash:  %s\n", tok, edge.HashToken(tok))
	case "hash":
		b, err := io.ReadAll(io.LimitReader(stdin, 4096))
		if err != nil {
			return fail(stderr, "token hash", err)
		}
		tok := strings.TrimSpace(string(b))
		if tok == "" {
			fmt.Fprintln(stderr, "edgefn token hash: give the token on standard input")
			return exitUsage
		}
		sum := sha256.Sum256([]byte(tok))
		fmt.Fprintln(stdout, hex.EncodeToString(sum[:]))
	default:
		fmt.Fprintf(stderr, "usage: %s\n", commands["token"].usage)
		return exitUsage
	}
	return exitOK
}
