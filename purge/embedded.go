package purge

import (
	"errors"
	"fmt"
	"log/slog"
	"net"
	"path/filepath"
	"strconv"

	"github.com/nats-io/nats-server/v2/server"
)

// EmbeddedServer is a NATS server with JetStream running in this process.
type EmbeddedServer struct {
	srv *server.Server
}

// StartEmbedded starts a NATS server as cfg says, with JetStream storing in
// cfg.StoreDir (or dataDir/nats), and waits until it accepts connections.
func StartEmbedded(cfg Embedded, dataDir string, log *slog.Logger) (*EmbeddedServer, error) {
	host, portText, err := net.SplitHostPort(cfg.Listen)
	if err != nil {
		return nil, fmt.Errorf("nats: embedded.listen: %w", err)
	}
	port, err := strconv.Atoi(portText)
	if err != nil {
		return nil, fmt.Errorf("nats: embedded.listen: bad port %q", portText)
	}
	if port == 0 {
		port = server.RANDOM_PORT
	}
	store := cfg.StoreDir
	if store == "" {
		store = filepath.Join(dataDir, "nats")
	}
	opts := &server.Options{
		ServerName: "mediacdn-embedded",
		Host:       host,
		Port:       port,
		JetStream:  true,
		StoreDir:   store,
		NoSigs:     true,
		NoLog:      true,
	}
	srv, err := server.NewServer(opts)
	if err != nil {
		return nil, fmt.Errorf("nats: embedded server: %w", err)
	}
	srv.Start()
	if !srv.ReadyForConnections(cfg.ReadyTimeout) {
		srv.Shutdown()
		return nil, errors.New("nats: embedded server did not become ready (is " + cfg.Listen + " in use?)")
	}
	log.Info("embedded NATS server started", "url", srv.ClientURL(), "store", store)
	return &EmbeddedServer{srv: srv}, nil
}

// ClientURL is the URL clients connect to.
func (e *EmbeddedServer) ClientURL() string { return e.srv.ClientURL() }

// Shutdown stops the server and waits for it.
func (e *EmbeddedServer) Shutdown() {
	e.srv.Shutdown()
	e.srv.WaitForShutdown()
}
