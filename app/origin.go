package app

import (
	"context"
	"fmt"
	"strings"
)

// Origin runs an origin: storage, the Upload and Admin APIs, transforms and
// delivery for edges, publishing purges to NATS.
func Origin(ctx context.Context, args []string, io *IO) error {
	fs := newFlags("origin", "origin [flags]", io)
	cfgPath := fs.String("config", "", "YAML configuration `file` (default: built-in defaults)")
	listen := fs.String("listen", "", "API and delivery address (default 127.0.0.1:8081)")
	metricsListen := fs.String("metrics-listen", "", "metrics address, GET /metrics (default: origin.metrics_listen of the file)")
	data := fs.String("data", "", "data `directory` (default ./data)")
	natsURLs := fs.String("nats", "", "comma-separated NATS `urls` (default: from the file)")
	pprofAddr := fs.String("pprof", "", "serve Go's profiler on this `address` (off by default)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	f, err := roleFile(*cfgPath, io)
	if err != nil {
		return err
	}
	setIf(&f.Origin.Listen, *listen)
	setIf(&f.Origin.MetricsListen, *metricsListen)
	setIf(&f.Origin.DataDir, *data)
	if *natsURLs != "" {
		f.NATS.URLs = strings.Split(*natsURLs, ",")
		f.NATS.Embedded.Enabled = false
	}
	if err := f.Validate(RoleOrigin); err != nil {
		return fmt.Errorf("configuration: %w", err)
	}
	log := f.Log.Logger(io.Stderr)
	failed := make(chan error, 4)
	var services []service
	ns, natsCfg := embeddedNATS(f, f.Origin.DataDir, log)
	if ns != nil {
		services = append(services, ns)
	}
	o, err := newOrigin(f, log, failed, natsCfg)
	if err != nil {
		return err
	}
	services = append(services, o)
	return runServices(ctx, log, failed, nil, withPprof(services, *pprofAddr, log, failed)...)
}

// roleFile loads -config, or the built-in dev defaults without one.
func roleFile(path string, io *IO) (*File, error) {
	if path == "" {
		return ParseFile(io.DevConfig)
	}
	return LoadFile(path)
}
