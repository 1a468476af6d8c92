package app

import (
	"context"
	"fmt"
	"time"

	"github.com/mediacdn/mediacdn/config"
)

// Dev runs everything on one machine in one process: an embedded NATS
// server with JetStream, the origin and an edge, wired to each other.
func Dev(ctx context.Context, args []string, io *IO) error {
	begun := time.Now()
	fs := newFlags("dev", "dev [flags]", io)
	cfgPath := fs.String("config", "", "YAML configuration `file` (default: the built-in configs/dev.yaml)")
	edgeListen := fs.String("edge-listen", "", "edge (delivery) address (default 127.0.0.1:8080)")
	apiListen := fs.String("api-listen", "", "origin address: Upload and Admin API, delivery for edges (default 127.0.0.1:8081)")
	edgeMetrics := fs.String("edge-metrics-listen", "", "the edge's metrics address, GET /metrics (default 127.0.0.1:8090)")
	apiMetrics := fs.String("api-metrics-listen", "", "the origin's metrics address, GET /metrics (default 127.0.0.1:8091)")
	natsListen := fs.String("nats-listen", "", "embedded NATS address (default 127.0.0.1:4222)")
	data := fs.String("data", "", "data `directory` (default ./data)")
	pprofAddr := fs.String("pprof", "", "serve Go's profiler on this `address` (off by default)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() != 0 {
		fs.Usage()
		return usageError("dev takes no arguments")
	}
	f, err := devFile(*cfgPath, io)
	if err != nil {
		return err
	}
	setIf(&f.Edge.Listen, *edgeListen)
	setIf(&f.Origin.Listen, *apiListen)
	setIf(&f.Edge.MetricsListen, *edgeMetrics)
	setIf(&f.Origin.MetricsListen, *apiMetrics)
	setIf(&f.NATS.Embedded.Listen, *natsListen)
	setIf(&f.Origin.DataDir, *data)
	// dev wires its parts together: the edge fills from this origin, API
	// responses point at this edge, and purges go through this NATS.
	f.NATS.Embedded.Enabled = true
	f.Edge.Origins = []string{"http://" + f.Origin.Listen}
	f.Origin.DeliveryURL = "http://" + f.Edge.Listen
	f.Origin.SecureDeliveryURL = f.Origin.DeliveryURL
	if err := f.Validate(RoleDev); err != nil {
		return fmt.Errorf("configuration: %w", err)
	}
	if err := checkDevNATS(f); err != nil {
		return fmt.Errorf("configuration: %w", err)
	}
	log := f.Log.Logger(io.Stderr)
	if f.Edge.Procs > 0 {
		log.Warn("edge.procs is ignored by dev: its one process also runs the origin")
	}
	failed := make(chan error, 4)
	nats := &natsService{cfg: f.NATS.Embedded, dataDir: f.Origin.DataDir, log: log}
	natsCfg := nats.clientConfig(f.NATS)
	o, err := newOrigin(f, log, failed, natsCfg)
	if err != nil {
		return err
	}
	e := newEdgeService(f, "dev", log, failed, natsCfg)
	// The origin shares the process: room for a few uploads in memory.
	e.extraMemory = 4 * int64(f.Origin.MaxUploadSize)
	log.Info("mediacdn dev starting", "edge", f.Edge.Listen, "api", f.Origin.Listen,
		"edge_metrics", f.Edge.MetricsListen, "api_metrics", f.Origin.MetricsListen,
		"nats", f.NATS.Embedded.Listen, "data", f.Origin.DataDir, "clouds", f.Clouds.Names())
	// Once everything listens, the banner waits for the edge to be ready:
	// an origin reachable and the purge stream caught up, so that what the
	// README shows (a cached unversioned URL keeps its bytes until a purge)
	// holds from the first request.
	started := func(ctx context.Context) {
		if err := waitReady(ctx, "http://"+e.Addr()+"/readyz", log); err != nil {
			return
		}
		b := devBanner{Edge: "http://" + e.Addr(), API: "http://" + o.(interface{ Addr() string }).Addr(),
			NATS: nats.URL(), Data: f.Origin.DataDir, Ready: time.Since(begun),
			EdgeMetrics: httpURL(e.MetricsAddr()), APIMetrics: httpURL(o.(interface{ MetricsAddr() string }).MetricsAddr())}
		if a := o.(interface{ TLSAddr() string }).TLSAddr(); a != "" {
			b.APITLS = "https://" + a
		}
		b.Cloud = devCloud(f.Clouds)
		b.Key, b.Secret = f.Clouds[b.Cloud].APIKey, f.Clouds[b.Cloud].APISecret
		log.Info("mediacdn dev ready", "after", b.Ready.Round(time.Millisecond))
		b.write(io.Stdout)
	}
	return runServices(ctx, log, failed, started, withPprof([]service{nats, o, e}, *pprofAddr, log, failed)...)
}

// devCloud is the cloud the banner shows: demo, else the first by name.
func devCloud(clouds config.Clouds) string {
	if _, ok := clouds["demo"]; ok {
		return "demo"
	}
	return clouds.Names()[0]
}

func devFile(path string, io *IO) (*File, error) {
	if path == "" {
		return ParseFile(io.DevConfig)
	}
	return LoadFile(path)
}

func setIf(dst *string, v string) {
	if v != "" {
		*dst = v
	}
}
