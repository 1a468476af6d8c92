package app

import (
	"context"
	"log/slog"
	"time"

	"github.com/mediacdn/mediacdn/purge"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// streamTimeout bounds creating the purge stream at an origin's start.
const streamTimeout = 10 * time.Second

// ensurePurgeStream creates the purge stream (or updates it to this
// origin's settings) as the origin starts, so that it exists before any
// edge of the same process subscribes. An origin whose NATS cannot be
// reached yet starts anyway: its first purge creates the stream, and an
// edge that subscribes first creates a missing one with the same settings.
func ensurePurgeStream(ctx context.Context, nc *nats.Conn, cfg purge.Config, log *slog.Logger) {
	if !nc.IsConnected() {
		log.Warn("NATS not reachable yet: the purge stream will be created by the first purge or edge")
		return
	}
	js, err := jetstream.New(nc)
	if err == nil {
		cctx, cancel := context.WithTimeout(ctx, streamTimeout)
		_, err = purge.EnsureStream(cctx, js, cfg)
		cancel()
	}
	if err != nil {
		log.Warn("purge stream not created yet: the first purge or edge will create it", "err", err)
	}
}
