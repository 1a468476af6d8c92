package app

import (
	"context"
	"log/slog"

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
// (its URL is known only then when it listens on port 0).
func (n *natsService) clientConfig(cfg purge.Config) func() purge.Config {
	return func() purge.Config {
		if n.srv != nil {
			cfg.URLs = []string{n.srv.ClientURL()}
		}
		return cfg
	}
}
