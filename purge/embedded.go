package purge

import (
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/url"
	"path/filepath"
	"strconv"

	"github.com/nats-io/nats-server/v2/server"

	"github.com/mediacdn/mediacdn/config"
)

// EmbeddedServer is a NATS server with JetStream running in this process,
// alone or one of a cluster (Embedded.Cluster).
type EmbeddedServer struct {
	srv *server.Server
}

// StartEmbedded starts a NATS server as cfg says, with JetStream storing in
// cfg.StoreDir (or dataDir/nats), and waits until it accepts connections
// (and, in a cluster, connections from the other servers). A clustered
// server serves JetStream once the cluster has elected its leader, which
// needs a majority of the servers of cfg.Cluster.Routes.
func StartEmbedded(cfg Embedded, dataDir string, log *slog.Logger) (*EmbeddedServer, error) {
	opts, err := serverOptions(cfg, dataDir)
	if err != nil {
		return nil, err
	}
	srv, err := server.NewServer(opts)
	if err != nil {
		return nil, fmt.Errorf("nats: embedded server: %w", err)
	}
	srv.Start()
	if !srv.ReadyForConnections(cfg.ReadyTimeout) {
		srv.Shutdown()
		in := cfg.Listen
		if cfg.Clustered() {
			in += " or " + cfg.Cluster.Listen
		}
		return nil, errors.New("nats: embedded server did not become ready (is " + in + " in use?)")
	}
	attrs := []any{"url", srv.ClientURL(), "store", opts.StoreDir}
	if cfg.Clustered() {
		attrs = append(attrs, "server", opts.ServerName, "cluster", opts.Cluster.Name,
			"cluster_listen", srv.ClusterAddr().String(), "routes", len(opts.Routes))
	}
	log.Info("embedded NATS server started", attrs...)
	return &EmbeddedServer{srv: srv}, nil
}

// serverOptions are the nats-server options of cfg: JetStream on, and in a
// cluster the server name, cluster name, cluster address and routes that
// JetStream clustering needs (it needs no domain).
func serverOptions(cfg Embedded, dataDir string) (*server.Options, error) {
	c := Config{Embedded: cfg}
	c.ApplyDefaults()
	c.Embedded.Enabled = true
	if err := c.Embedded.validate(); err != nil {
		return nil, fmt.Errorf("nats: %w", config.Prefix("embedded", err))
	}
	cfg = c.Embedded
	host, port, err := listenAddr(cfg.Listen)
	if err != nil {
		return nil, fmt.Errorf("nats: embedded.listen: %w", err)
	}
	store := cfg.StoreDir
	if store == "" {
		store = filepath.Join(dataDir, "nats")
	}
	opts := &server.Options{
		ServerName: DefaultServerName,
		Host:       host,
		Port:       port,
		JetStream:  true,
		StoreDir:   store,
		NoSigs:     true,
		NoLog:      true,
	}
	if cfg.ServerName != "" {
		opts.ServerName = cfg.ServerName
	}
	if !cfg.Clustered() {
		return opts, nil
	}
	opts.Cluster.Name = cfg.Cluster.Name
	if opts.Cluster.Host, opts.Cluster.Port, err = listenAddr(cfg.Cluster.Listen); err != nil {
		return nil, fmt.Errorf("nats: embedded.cluster.listen: %w", err)
	}
	for _, r := range cfg.Cluster.Routes {
		u, err := url.Parse(r)
		if err != nil {
			return nil, fmt.Errorf("nats: embedded.cluster.routes: %w", err)
		}
		opts.Routes = append(opts.Routes, u)
	}
	return opts, nil
}

// listenAddr splits host:port, port 0 meaning a free port.
func listenAddr(addr string) (string, int, error) {
	host, portText, err := net.SplitHostPort(addr)
	if err != nil {
		return "", 0, err
	}
	port, err := strconv.Atoi(portText)
	if err != nil {
		return "", 0, fmt.Errorf("bad port %q", portText)
	}
	if port == 0 {
		port = server.RANDOM_PORT
	}
	return host, port, nil
}

// ClientURL is the URL clients connect to.
func (e *EmbeddedServer) ClientURL() string { return e.srv.ClientURL() }

// Name is the server's name (Embedded.ServerName).
func (e *EmbeddedServer) Name() string { return e.srv.Name() }

// RouteURL is the nats-route:// URL other servers of its cluster connect
// to, "" when the server is not clustered.
func (e *EmbeddedServer) RouteURL() string {
	a := e.srv.ClusterAddr()
	if a == nil {
		return ""
	}
	return "nats-route://" + a.String()
}

// JetStreamReady reports whether the server's JetStream can serve: alone,
// once enabled; in a cluster, once it knows the cluster's leader and is
// current with it.
func (e *EmbeddedServer) JetStreamReady() bool {
	if !e.srv.JetStreamEnabled() {
		return false
	}
	if !e.srv.JetStreamIsClustered() {
		return true
	}
	return e.srv.JetStreamIsCurrent()
}

// Shutdown stops the server and waits for it. A clustered server hands
// the leadership it holds over to the others first.
func (e *EmbeddedServer) Shutdown() {
	e.srv.Shutdown()
	e.srv.WaitForShutdown()
}
