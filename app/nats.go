package app

import (
	"context"
	"log/slog"

	"github.com/mediacdn/mediacdn/config"
	"github.com/mediacdn/mediacdn/purge"
)

// natsService runs the embedded NATS server.
type natsService struct {
	cfg     purge.Embedded
	dataDir string
	log     *slog.Logger
	srv     *purge.EmbeddedServer
}

func (n *natsService) Name() string { return "nats" }

func (n *natsService) Start(context.Context) error {
	srv, err := purge.StartEmbedded(n.cfg, n.dataDir, n.log)
	if err != nil {
		return err
	}
	n.srv = srv
	return nil
}

func (n *natsService) Close(context.Context) error {
	if n.srv != nil {
		n.srv.Shutdown()
	}
	return nil
}

// URL is the embedded server's client URL once started.
func (n *natsService) URL() string { return n.srv.ClientURL() }

// clientConfig returns cfg pointed at this embedded server once it runs
// (its URL is known only then when it listens on port 0), unless cfg lists
// URLs: a clustered server's clients keep the list of the cluster's
// servers, to reconnect to another when one dies.
func (n *natsService) clientConfig(cfg purge.Config) func() purge.Config {
	return func() purge.Config {
		if n.srv != nil && len(cfg.URLs) == 0 {
			cfg.URLs = []string{n.srv.ClientURL()}
		}
		return cfg
	}
}

// embeddedNATS returns the embedded NATS server an origin or edge process
// runs, nil when it runs none, and the NATS settings its clients use. It
// runs one when nats.embedded.enabled is set and nats.urls is empty (the
// clients use it), or when the server is clustered (the clients use
// nats.urls when set, else this server: they learn the cluster's other
// servers from it).
func embeddedNATS(f *File, dataDir string, log *slog.Logger) (*natsService, func() purge.Config) {
	e := f.NATS.Embedded
	if !e.Enabled || len(f.NATS.URLs) > 0 && !e.Clustered() {
		return nil, func() purge.Config { return f.NATS }
	}
	ns := &natsService{cfg: e, dataDir: dataDir, log: log}
	return ns, ns.clientConfig(f.NATS)
}

// checkDevNATS refuses the settings that need several NATS servers: dev
// runs one.
func checkDevNATS(f *File) error {
	if f.NATS.Embedded.Clustered() {
		return config.Errorf("nats.embedded.cluster", "mediacdn dev runs one NATS server: remove it (mediacdn origin and edge run clustered servers)")
	}
	if f.NATS.Stream.Replicas > 1 {
		return config.Errorf("nats.stream.replicas", "mediacdn dev runs one NATS server: 1, got %d", f.NATS.Stream.Replicas)
	}
	return nil
}
