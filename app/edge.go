package app

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"runtime"
	"runtime/debug"
	"strings"
	"sync/atomic"
	"time"

	"github.com/mediacdn/mediacdn/config"
	"github.com/mediacdn/mediacdn/edge"
	"github.com/mediacdn/mediacdn/purge"
)

// Edge runs an edge: delivery from memory, fills from the origins, purges
// from NATS.
func Edge(ctx context.Context, args []string, io *IO) error {
	fs := newFlags("edge", "edge [flags]", io)
	cfgPath := fs.String("config", "", "YAML configuration `file` (default: built-in defaults)")
	listen := fs.String("listen", "", "delivery address (default 127.0.0.1:8080)")
	metricsListen := fs.String("metrics-listen", "", "metrics address, GET /metrics (default: edge.metrics_listen of the file)")
	origins := fs.String("origin", "", "comma-separated origin base `urls` (default http://127.0.0.1:8081)")
	natsURLs := fs.String("nats", "", "comma-separated NATS `urls` (default: from the file)")
	id := fs.String("id", "", "edge `id` in purge heartbeats (default hostname:port)")
	pprofAddr := fs.String("pprof", "", "serve Go's profiler on this `address` (off by default)")
	procs := fs.Int("procs", -1, "OS threads running Go code at once, GOMAXPROCS (default: from the file, else one per CPU)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	f, err := roleFile(*cfgPath, io)
	if err != nil {
		return err
	}
	setIf(&f.Edge.Listen, *listen)
	setIf(&f.Edge.MetricsListen, *metricsListen)
	if *origins != "" {
		f.Edge.Origins = strings.Split(*origins, ",")
	}
	if *natsURLs != "" {
		f.NATS.URLs = strings.Split(*natsURLs, ",")
		f.NATS.Embedded.Enabled = false
	}
	if *procs != -1 {
		f.Edge.Procs = *procs // Validate refuses a negative count
	}
	if err := f.Validate(RoleEdge); err != nil {
		return fmt.Errorf("configuration: %w", err)
	}
	log := f.Log.Logger(io.Stderr)
	if n := f.Edge.Procs; n > 0 {
		// Process-wide: only an edge process sets it (dev shares its
		// process with the origin). It wins over a GOMAXPROCS variable; on
		// return the runtime's own choice comes back (or the variable's).
		prev := runtime.GOMAXPROCS(n)
		defer func() {
			if os.Getenv("GOMAXPROCS") == "" {
				runtime.SetDefaultGOMAXPROCS()
			} else {
				runtime.GOMAXPROCS(prev)
			}
		}()
		log.Info("edge procs", "gomaxprocs", n)
	}
	failed := make(chan error, 4)
	var services []service
	ns, natsCfg := embeddedNATS(f, "./data", log)
	if ns != nil {
		services = append(services, ns)
	}
	services = append(services, newEdgeService(f, *id, log, failed, natsCfg))
	return runServices(ctx, log, failed, nil, withPprof(services, *pprofAddr, log, failed)...)
}

// edgeService runs an edge with its purge subscriber.
type edgeService struct {
	// extraMemory is added to the edge's memory limit for what else runs
	// in the process (the origin, in dev).
	extraMemory int64
	f           *File
	nats        func() purge.Config
	id          string
	log         *slog.Logger
	failed      chan<- error
	srv         *edge.Server
	sub         *purge.Subscriber
	ix          *purge.Index
	closeN      func()
}

func newEdgeService(f *File, id string, log *slog.Logger, failed chan<- error, natsCfg func() purge.Config) *edgeService {
	return &edgeService{f: f, nats: natsCfg, id: id, log: log, failed: failed}
}

func (e *edgeService) Name() string { return "edge" }

// Start connects to NATS (retrying in the background if it is down),
// starts the purge subscriber and binds the edge.
func (e *edgeService) Start(ctx context.Context) error {
	cfg := e.f.Edge
	cfg.Clouds = e.f.Clouds.Names()
	cfg.Hosts = map[string]string{}
	cfg.AuthTokenKeys = map[string]string{}
	for name, cl := range e.f.Clouds {
		for _, h := range cl.Hosts {
			cfg.Hosts[h] = name
		}
		if cl.AuthTokenKey != "" {
			cfg.AuthTokenKeys[name] = cl.AuthTokenKey
		}
	}
	cfg.ApplyDefaults()
	if cfg.MemoryLimit > 0 {
		limit := cfg.MemoryLimit + config.Size(e.extraMemory)
		debug.SetMemoryLimit(int64(limit))
		// Without its reason, a bare number in the log puzzles newcomers.
		attrs := []any{"limit", limit, "edge.memory_limit", cfg.MemoryLimit}
		if e.extraMemory > 0 {
			attrs = append(attrs, "plus_for_origin_uploads", config.Size(e.extraMemory))
		}
		e.log.Info("Go memory limit set (the garbage collector works harder near it, so evicted cache entries are freed)", attrs...)
	}
	e.ix = purge.NewIndex(purge.IndexConfig{Retention: cfg.LongestTTL()})
	id := e.id
	if id == "" {
		host, _ := os.Hostname()
		id = host + "-" + cfg.Listen
	}
	natsCfg := e.nats()
	nc, err := purge.Connect(natsCfg, "mediacdn-edge-"+id)
	if err != nil {
		return err
	}
	e.closeN = nc.Close
	// Heartbeats report what this edge served (for the origin's /usage);
	// the server exists only once the subscriber does.
	var served atomic.Pointer[edge.Server]
	started := time.Now()
	report := func() purge.Served {
		sv := purge.Served{Started: started}
		if srv := served.Load(); srv != nil {
			sv.Requests, sv.Bytes = srv.Served()
		}
		return sv
	}
	sub, err := purge.NewSubscriber(nc, e.ix, natsCfg, purge.SubscriberOptions{EdgeID: id, Clouds: cfg.Clouds,
		Log: e.log, Served: report})
	if err != nil {
		nc.Close()
		return err
	}
	e.sub = sub
	sub.Start(context.WithoutCancel(ctx))
	srv, err := edge.New(cfg, edge.Deps{Log: e.log, Purges: e.ix, Sync: sub})
	if err != nil {
		sub.Close()
		nc.Close()
		return err
	}
	if err := srv.Listen(); err != nil {
		sub.Close()
		nc.Close()
		return err
	}
	served.Store(srv)
	e.srv = srv
	go func() {
		if err := srv.Serve(); err != nil {
			e.failed <- fmt.Errorf("edge: %w", err)
		}
	}()
	e.log.Info("edge listening", "addr", srv.Addr(), "origins", cfg.Origins, "id", id)
	if a := srv.MetricsAddr(); a != "" {
		e.log.Info("edge metrics listening", "addr", a)
	} else {
		e.log.Info("edge metrics off (edge.metrics_listen is empty)")
	}
	return nil
}

// Addr is the bound address.
func (e *edgeService) Addr() string { return e.srv.Addr() }

// MetricsAddr is the metrics listener's bound address, "" without one.
func (e *edgeService) MetricsAddr() string { return e.srv.MetricsAddr() }

// Close stops the edge, then the subscriber and the connection.
func (e *edgeService) Close(ctx context.Context) error {
	var err error
	if e.srv != nil {
		sctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		err = e.srv.Shutdown(sctx)
		cancel()
	}
	if e.sub != nil {
		e.sub.Close()
	}
	if e.closeN != nil {
		e.closeN()
	}
	return err
}
