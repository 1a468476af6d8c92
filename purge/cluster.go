package purge

import (
	"errors"
	"fmt"
	"log/slog"
	"net"
	"path/filepath"
	"strconv"
	"sync"
	"time"
)

// ClusterName is the cluster name of the servers StartCluster starts.
const ClusterName = "mediacdn"

// clusterReadyTimeout bounds how long StartCluster and Restart wait for
// JetStream to elect its leader.
const clusterReadyTimeout = 30 * time.Second

// Cluster is n embedded NATS servers with JetStream, clustered in this
// process on loopback ports: what `mediacdn cluster` and the tests run.
// Its methods are safe for concurrent use.
type Cluster struct {
	log  *slog.Logger
	cfgs []Embedded // immutable: server i's settings, fixed ports

	mu      sync.Mutex
	servers []*EmbeddedServer // guarded by mu; nil while stopped
}

// StartCluster starts n clustered NATS servers with JetStream (named
// nats-1…nats-n, cluster ClusterName), each storing in dir/nats-<i>, and
// returns once JetStream has elected its leader. With n 1 it starts one
// lone server. A purge stream with stream.replicas up to n can then be
// created; connect clients to URLs.
func StartCluster(n int, dir string, log *slog.Logger) (*Cluster, error) {
	if n < 1 {
		return nil, fmt.Errorf("nats: a cluster of %d servers", n)
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	var err error
	for try := 0; try < 3; try++ {
		var c *Cluster
		if c, err = startCluster(n, dir, log); err == nil {
			return c, nil
		}
		// A free port found may have been taken before the server bound it.
	}
	return nil, err
}

func startCluster(n int, dir string, log *slog.Logger) (*Cluster, error) {
	ports, err := freePorts(2 * n)
	if err != nil {
		return nil, err
	}
	c := &Cluster{log: log, servers: make([]*EmbeddedServer, n)}
	var routes []string
	for i := 0; i < n; i++ {
		routes = append(routes, "nats-route://127.0.0.1:"+strconv.Itoa(ports[n+i]))
	}
	for i := 0; i < n; i++ {
		cfg := Embedded{
			Enabled:      true,
			Listen:       "127.0.0.1:" + strconv.Itoa(ports[i]),
			StoreDir:     filepath.Join(dir, "nats-"+strconv.Itoa(i+1)),
			ReadyTimeout: 10 * time.Second,
		}
		if n > 1 {
			cfg.ServerName = "nats-" + strconv.Itoa(i+1)
			cfg.Cluster = EmbeddedCluster{Name: ClusterName, Listen: "127.0.0.1:" + strconv.Itoa(ports[n+i]), Routes: routes}
		}
		c.cfgs = append(c.cfgs, cfg)
	}
	for i := range c.cfgs {
		if err := c.Restart(i); err != nil {
			c.Close()
			return nil, err
		}
	}
	if err := c.WaitReady(clusterReadyTimeout); err != nil {
		c.Close()
		return nil, err
	}
	return c, nil
}

// freePorts returns n distinct free loopback ports.
func freePorts(n int) ([]int, error) {
	var ports []int
	for i := 0; i < n; i++ {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, fmt.Errorf("nats: find a free port: %w", err)
		}
		defer ln.Close()
		ports = append(ports, ln.Addr().(*net.TCPAddr).Port)
	}
	return ports, nil
}

// Len is the number of servers, running or stopped.
func (c *Cluster) Len() int { return len(c.cfgs) }

// URLs are the servers' client URLs (stopped ones included: a restarted
// server listens on the same address).
func (c *Cluster) URLs() []string {
	var urls []string
	for _, cfg := range c.cfgs {
		urls = append(urls, "nats://"+cfg.Listen)
	}
	return urls
}

// Config is server i's settings: what a configuration file's
// nats.embedded would say to run it.
func (c *Cluster) Config(i int) Embedded { return c.cfgs[i] }

// Server returns server i, nil while it is stopped.
func (c *Cluster) Server(i int) *EmbeddedServer {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.servers[i]
}

// Stop shuts server i down (as a crash would, for its clients: their
// connections drop); the others carry on when they keep a majority.
func (c *Cluster) Stop(i int) {
	c.mu.Lock()
	srv := c.servers[i]
	c.servers[i] = nil
	c.mu.Unlock()
	if srv != nil {
		srv.Shutdown()
	}
}

// Restart starts server i again (when stopped) on its addresses and
// store; it rejoins the cluster and catches up.
func (c *Cluster) Restart(i int) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.servers[i] != nil {
		return nil
	}
	srv, err := StartEmbedded(c.cfgs[i], "", c.log)
	if err != nil {
		return err
	}
	c.servers[i] = srv
	return nil
}

// WaitReady waits until every running server's JetStream can serve
// (EmbeddedServer.JetStreamReady), up to d.
func (c *Cluster) WaitReady(d time.Duration) error {
	deadline := time.Now().Add(d)
	tick := time.NewTicker(10 * time.Millisecond)
	defer tick.Stop()
	for {
		ready := true
		for i := range c.cfgs {
			if srv := c.Server(i); srv != nil && !srv.JetStreamReady() {
				ready = false
			}
		}
		if ready {
			return nil
		}
		if time.Now().After(deadline) {
			return errors.New("nats: the cluster's JetStream elected no leader within " + d.String())
		}
		<-tick.C
	}
}

// Close stops every server.
func (c *Cluster) Close() {
	for i := range c.cfgs {
		c.Stop(i)
	}
}
