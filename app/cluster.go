package app

import (
	"context"
	"fmt"
	"log/slog"
	"path/filepath"
	"strconv"

	"github.com/mediacdn/mediacdn/config"
	"github.com/mediacdn/mediacdn/purge"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// ClusterOptions describe an installation run in one process: an embedded
// NATS server, one origin and some edges, all on loopback ports. Tests and
// mediacdn bench use it.
type ClusterOptions struct {
	// Dir holds the origin's data and JetStream. Required.
	Dir string
	// Edges is how many edges to run. Zero means 1.
	Edges int
	// Clouds are the clouds served. Nil means demo/demo_key/demo_secret.
	Clouds config.Clouds
	// Partitionable routes each edge's NATS connection through a proxy
	// that Partition can cut.
	Partitionable bool
	// Configure adjusts the file configuration before start.
	Configure func(*File)
	// Log receives the parts' logs. Nil discards them.
	Log *slog.Logger
}

// Cluster is a running in-process installation.
type Cluster struct {
	File      *File
	NATSURL   string
	OriginURL string
	EdgeURLs  []string
	// OriginMetricsURL and EdgeMetricsURLs are the metrics listeners
	// (http://host:port; "" for a part whose metrics_listen Configure
	// emptied).
	OriginMetricsURL string
	EdgeMetricsURLs  []string
	// EdgeIDs name the edges in purge heartbeats.
	EdgeIDs []string

	services []service
	nats     *natsService
	edges    []*edgeService
	proxies  []*tcpProxy
	log      *slog.Logger
}

// StartCluster starts NATS, the origin and the edges.
func StartCluster(ctx context.Context, o ClusterOptions) (*Cluster, error) {
	if o.Edges == 0 {
		o.Edges = 1
	}
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	if o.Clouds == nil {
		o.Clouds = config.Clouds{"demo": {APIKey: "demo_key", APISecret: "demo_secret"}}
	}
	f := &File{Clouds: o.Clouds}
	f.NATS.Embedded = purge.Embedded{Enabled: true, Listen: "127.0.0.1:0", StoreDir: filepath.Join(o.Dir, "nats")}
	f.Origin.Listen, f.Origin.DataDir = "127.0.0.1:0", filepath.Join(o.Dir, "origin")
	f.Edge.Listen = "127.0.0.1:0"
	f.Origin.MetricsListen, f.Edge.MetricsListen = "127.0.0.1:0", "127.0.0.1:0"
	if o.Configure != nil {
		o.Configure(f)
	}
	f.finish()
	if err := f.Validate(RoleDev); err != nil {
		return nil, err
	}
	c := &Cluster{File: f, log: o.Log}
	c.nats = &natsService{cfg: f.NATS.Embedded, dataDir: o.Dir, log: o.Log}
	if err := c.start(ctx, c.nats); err != nil {
		return nil, err
	}
	c.NATSURL = c.nats.URL()
	natsCfg := c.nats.clientConfig(f.NATS)
	failed := make(chan error, 16)
	og, err := newOrigin(f, o.Log, failed, natsCfg)
	if err != nil {
		c.Close()
		return nil, err
	}
	if err := c.start(ctx, og); err != nil {
		c.Close()
		return nil, err
	}
	c.OriginURL = "http://" + og.(interface{ Addr() string }).Addr()
	c.OriginMetricsURL = httpURL(og.(interface{ MetricsAddr() string }).MetricsAddr())
	f.Edge.Origins = []string{c.OriginURL}
	for i := 0; i < o.Edges; i++ {
		cfg := natsCfg
		if o.Partitionable {
			p, err := newTCPProxy(hostPort(c.NATSURL))
			if err != nil {
				c.Close()
				return nil, err
			}
			c.proxies = append(c.proxies, p)
			cfg = func() purge.Config {
				n := f.NATS
				n.URLs = []string{"nats://" + p.addr()}
				return n
			}
		}
		id := "edge-" + strconv.Itoa(i)
		e := newEdgeService(f, id, o.Log, failed, cfg)
		if err := c.start(ctx, e); err != nil {
			c.Close()
			return nil, err
		}
		c.edges = append(c.edges, e)
		c.EdgeURLs = append(c.EdgeURLs, "http://"+e.Addr())
		c.EdgeMetricsURLs = append(c.EdgeMetricsURLs, httpURL(e.MetricsAddr()))
		c.EdgeIDs = append(c.EdgeIDs, id)
	}
	return c, nil
}

func (c *Cluster) start(ctx context.Context, s service) error {
	if err := s.Start(ctx); err != nil {
		return fmt.Errorf("%s: %w", s.Name(), err)
	}
	c.services = append(c.services, s)
	return nil
}

// httpURL is http://addr, or "" for no address.
func httpURL(addr string) string {
	if addr == "" {
		return ""
	}
	return "http://" + addr
}

func hostPort(natsURL string) string {
	if len(natsURL) > len("nats://") && natsURL[:len("nats://")] == "nats://" {
		return natsURL[len("nats://"):]
	}
	return natsURL
}

// Partition cuts (or heals) edge i's connection to NATS.
func (c *Cluster) Partition(i int, cut bool) {
	c.proxies[i].setCut(cut)
}

// EdgeState is edge i's purge subscriber state.
func (c *Cluster) EdgeState(i int) purge.State { return c.edges[i].sub.State() }

// PurgeStream drops every stored purge rule, as a too-short max age or an
// operator would: edges that missed some must notice and flush.
func (c *Cluster) PurgeStream(ctx context.Context) error {
	nc, err := nats.Connect(c.NATSURL)
	if err != nil {
		return err
	}
	defer nc.Close()
	js, err := jetstream.New(nc)
	if err != nil {
		return err
	}
	s, err := js.Stream(ctx, c.File.NATS.StreamName())
	if err != nil {
		return err
	}
	return s.Purge(ctx)
}

// Close stops everything, edges first.
func (c *Cluster) Close() error {
	ctx, cancel := context.WithTimeout(context.Background(), shutdownTimeout)
	defer cancel()
	for i := len(c.services) - 1; i >= 0; i-- {
		c.services[i].Close(ctx)
	}
	for _, p := range c.proxies {
		p.close()
	}
	return nil
}
