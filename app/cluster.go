package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"sync"

	"github.com/mediacdn/mediacdn/config"
	"github.com/mediacdn/mediacdn/internal/localsrv"
	"github.com/mediacdn/mediacdn/purge"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// ClusterOptions describe an installation run in one process, all on
// loopback ports: NATS (one embedded server, or a cluster of them), some
// origins and some edges, each edge filling from every origin. Tests,
// mediacdn bench and mediacdn cluster use it.
type ClusterOptions struct {
	// Dir holds the origins' data directories, JetStream's stores and the
	// local stores' files. Required.
	Dir string
	// Origins is how many origins to run. Zero means 1. More than one
	// share MetadataURL and BlobsURL (or LocalStores): required then.
	Origins int
	// Edges is how many edges to run. Zero means 1. Each edge's origins
	// lists every origin.
	Edges int
	// EdgeListens are the edges' addresses, by index; an edge past its
	// end listens on edge.listen of the file (127.0.0.1:0: a free port).
	EdgeListens []string
	// NATSServers is how many NATS servers to run. Zero or 1: one lone
	// embedded server (nats.embedded of the file, as dev runs it). More:
	// a JetStream cluster of them (purge.StartCluster, stores in
	// Dir/nats), the purge stream replicated on up to three, and every
	// client given every server's URL.
	NATSServers int
	// MetadataURL and BlobsURL are every origin's origin.metadata_url and
	// origin.blobs_url. Empty: each origin has SQLite and a blob folder in
	// its data directory, which one origin alone can use. An S3 store's
	// credentials come from the environment, as for any origin
	// (MEDIACDN_ORIGIN_S3_ACCESS_KEY_ID and _SECRET_ACCESS_KEY).
	MetadataURL string
	BlobsURL    config.BlobsURL
	// LocalStores starts PostgreSQL and versitygw (internal/localsrv) in
	// Dir/postgres and Dir/s3, and sets MetadataURL (database mediacdn)
	// and BlobsURL (bucket mediacdn) to them; Close stops them. versitygw
	// takes the S3 credentials of the environment, which must be set (the
	// origins read them there). When the process runs as root, PostgreSQL
	// runs as the user nobody, who must be able to reach Dir.
	LocalStores bool
	// Clouds are the clouds served. Nil means demo/demo_key/demo_secret.
	Clouds config.Clouds
	// Partitionable routes each edge's NATS connection through a proxy
	// that Partition can cut. One NATS server only.
	Partitionable bool
	// Configure adjusts the file configuration before start (the origins'
	// settings are then copied for each origin, with its data directory).
	Configure func(*File)
	// Log receives the parts' logs. Nil discards them.
	Log *slog.Logger
	// Progress, when set, is told in a line as each part is up (what
	// mediacdn cluster prints while it starts).
	Progress func(line string)
}

// Cluster is a running in-process installation.
type Cluster struct {
	// File is the configuration every part runs (each origin with its own
	// data directory).
	File *File
	// NATSURLs are the NATS servers' client URLs; NATSURL the first.
	NATSURL  string
	NATSURLs []string
	// OriginURLs are the origins' API and delivery URLs (http://host:port);
	// OriginURL the first.
	OriginURL  string
	OriginURLs []string
	EdgeURLs   []string
	// OriginMetricsURLs and EdgeMetricsURLs are the metrics listeners
	// (http://host:port; "" for a part whose metrics_listen Configure
	// emptied); OriginMetricsURL the first origin's.
	OriginMetricsURL  string
	OriginMetricsURLs []string
	EdgeMetricsURLs   []string
	// EdgeIDs name the edges in purge heartbeats.
	EdgeIDs []string
	// MetadataURL and BlobsURL are the stores the origins share, "" when
	// each has its own in its data directory.
	MetadataURL string
	BlobsURL    config.BlobsURL

	services    []service
	nats        *natsService   // the lone embedded server, or nil
	natsCluster *purge.Cluster // the NATS cluster, or nil
	origins     []*onceService
	edges       []*edgeService
	proxies     []*tcpProxy
	pg          *localsrv.PostgresServer
	s3          *localsrv.S3Server
	failed      chan error // a part that stopped serving on its own
	log         *slog.Logger
}

// Failed receives an error when a part stops serving on its own (a
// listener that fails).
func (c *Cluster) Failed() <-chan error { return c.failed }

// StartCluster starts the stores (LocalStores), NATS, the origins and the
// edges. On an error it stops what it started.
func StartCluster(ctx context.Context, o ClusterOptions) (*Cluster, error) {
	if o.Edges == 0 {
		o.Edges = 1
	}
	if o.Origins == 0 {
		o.Origins = 1
	}
	if o.NATSServers == 0 {
		o.NATSServers = 1
	}
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	if o.Progress == nil {
		o.Progress = func(string) {}
	}
	if o.Clouds == nil {
		o.Clouds = config.Clouds{"demo": {APIKey: "demo_key", APISecret: "demo_secret"}}
	}
	switch {
	case o.Origins < 0 || o.Edges < 0 || o.NATSServers < 0:
		return nil, fmt.Errorf("cluster: %d origins, %d edges, %d NATS servers", o.Origins, o.Edges, o.NATSServers)
	case o.Partitionable && o.NATSServers > 1:
		return nil, errors.New("cluster: Partitionable needs one NATS server")
	case o.LocalStores && (o.MetadataURL != "" || o.BlobsURL != ""):
		return nil, errors.New("cluster: LocalStores or MetadataURL and BlobsURL, not both")
	case o.Origins > 1 && !o.LocalStores && (o.MetadataURL == "" || o.BlobsURL == ""):
		return nil, fmt.Errorf("cluster: %d origins share their stores: set MetadataURL and BlobsURL, or LocalStores", o.Origins)
	}
	c := &Cluster{log: o.Log, MetadataURL: o.MetadataURL, BlobsURL: o.BlobsURL, failed: make(chan error, 16)}
	if err := c.startStores(ctx, o); err != nil {
		c.Close()
		return nil, err
	}
	f := &File{Clouds: o.Clouds}
	if o.NATSServers == 1 {
		f.NATS.Embedded = purge.Embedded{Enabled: true, Listen: "127.0.0.1:0", StoreDir: filepath.Join(o.Dir, "nats")}
	} else {
		nc, err := purge.StartCluster(o.NATSServers, filepath.Join(o.Dir, "nats"), o.Log)
		if err != nil {
			c.Close()
			return nil, err
		}
		c.natsCluster = nc
		c.NATSURLs = nc.URLs()
		f.NATS.URLs = nc.URLs()
		f.NATS.Stream.Replicas = min(o.NATSServers, 3)
		o.Progress(fmt.Sprintf("NATS: %d clustered servers, the purge stream replicated %d times", o.NATSServers, f.NATS.Stream.Replicas))
	}
	f.Origin.Listen, f.Origin.DataDir = "127.0.0.1:0", filepath.Join(o.Dir, "origin")
	f.Origin.MetadataURL, f.Origin.BlobsURL = c.MetadataURL, c.BlobsURL
	f.Edge.Listen = "127.0.0.1:0"
	f.Origin.MetricsListen, f.Edge.MetricsListen = "127.0.0.1:0", "127.0.0.1:0"
	if o.Configure != nil {
		o.Configure(f)
	}
	f.finish()
	if err := f.Validate(RoleDev); err != nil {
		c.Close()
		return nil, err
	}
	c.File = f
	natsCfg := func() purge.Config { return f.NATS }
	if c.natsCluster == nil {
		c.nats = &natsService{cfg: f.NATS.Embedded, dataDir: o.Dir, log: o.Log}
		if err := c.start(ctx, c.nats); err != nil {
			c.Close()
			return nil, err
		}
		c.NATSURLs = []string{c.nats.URL()}
		natsCfg = c.nats.clientConfig(f.NATS)
		o.Progress("NATS: one embedded server")
	}
	c.NATSURL = c.NATSURLs[0]
	failed := c.failed
	for i := 0; i < o.Origins; i++ {
		of := f
		if o.Origins > 1 {
			copied := *f
			copied.Origin.DataDir = f.Origin.DataDir + "-" + strconv.Itoa(i+1)
			of = &copied
		}
		og, err := newOrigin(of, o.Log, failed, natsCfg)
		if err != nil {
			c.Close()
			return nil, err
		}
		once := &onceService{service: og}
		if err := c.start(ctx, once); err != nil {
			c.Close()
			return nil, err
		}
		c.origins = append(c.origins, once)
		url := "http://" + og.(interface{ Addr() string }).Addr()
		c.OriginURLs = append(c.OriginURLs, url)
		c.OriginMetricsURLs = append(c.OriginMetricsURLs, httpURL(og.(interface{ MetricsAddr() string }).MetricsAddr()))
		o.Progress(fmt.Sprintf("origin %d: %s", i+1, url))
	}
	c.OriginURL, c.OriginMetricsURL = c.OriginURLs[0], c.OriginMetricsURLs[0]
	f.Edge.Origins = c.OriginURLs
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
		ef := f
		if i < len(o.EdgeListens) {
			copied := *f
			copied.Edge.Listen = o.EdgeListens[i]
			ef = &copied
		}
		e := newEdgeService(ef, id, o.Log, failed, cfg)
		if err := c.start(ctx, e); err != nil {
			c.Close()
			return nil, err
		}
		c.edges = append(c.edges, e)
		c.EdgeURLs = append(c.EdgeURLs, "http://"+e.Addr())
		c.EdgeMetricsURLs = append(c.EdgeMetricsURLs, httpURL(e.MetricsAddr()))
		c.EdgeIDs = append(c.EdgeIDs, id)
		o.Progress(fmt.Sprintf("edge %d: http://%s", i+1, e.Addr()))
	}
	return c, nil
}

// startStores starts PostgreSQL and versitygw when o.LocalStores asks.
func (c *Cluster) startStores(ctx context.Context, o ClusterOptions) error {
	if !o.LocalStores {
		return nil
	}
	id, secret := os.Getenv(config.EnvS3AccessKeyID), os.Getenv(config.EnvS3SecretAccessKey)
	if id == "" || secret == "" {
		return fmt.Errorf("cluster: local stores: set %s and %s (the S3 server takes them, the origins read them there)",
			config.EnvS3AccessKeyID, config.EnvS3SecretAccessKey)
	}
	pg, err := localsrv.StartPostgres(ctx, filepath.Join(o.Dir, "postgres"))
	if err != nil {
		return fmt.Errorf("postgresql: %w", err)
	}
	c.pg = pg
	if err := pg.CreateDatabase(ctx, "mediacdn"); err != nil {
		return fmt.Errorf("postgresql: %w", err)
	}
	c.MetadataURL = pg.URL("mediacdn")
	o.Progress("PostgreSQL: " + c.MetadataURL)
	dir := filepath.Join(o.Dir, "s3")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	s3, err := localsrv.StartS3(ctx, localsrv.S3Options{Dir: dir, AccessKey: id, SecretKey: secret, Bucket: "mediacdn"})
	if err != nil {
		return fmt.Errorf("s3: %w", err)
	}
	c.s3 = s3
	c.BlobsURL = config.BlobsURL("s3://" + s3.Bucket + "/assets?endpoint=" + s3.Endpoint + "&region=" + s3.Region + "&path_style=true")
	o.Progress("S3 (versitygw): " + s3.Endpoint + ", bucket " + s3.Bucket)
	return nil
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

// StopOrigin stops origin i gracefully (requests in flight finish, as on
// SIGTERM); its edges' fills then go to the other origins. A stopped
// origin stays stopped.
func (c *Cluster) StopOrigin(i int) {
	ctx, cancel := context.WithTimeout(context.Background(), shutdownTimeout)
	defer cancel()
	c.origins[i].Close(ctx)
}

// KillOrigin stops origin i as a crash would, for its clients: every
// connection drops at once and requests in flight get no answer. (In one
// process its work in progress still ends in order: this is not a
// SIGKILL of its storage.) A killed origin stays stopped.
func (c *Cluster) KillOrigin(i int) { c.origins[i].kill() }

// StopNATS shuts NATS server i down (its clients' connections drop; with
// a cluster, the others carry on while they keep a majority).
func (c *Cluster) StopNATS(i int) {
	if c.natsCluster != nil {
		c.natsCluster.Stop(i)
		return
	}
	c.nats.Close(context.Background())
}

// RestartNATS starts NATS server i again on its address and store; it
// rejoins the cluster. A lone server (on port 0) cannot restart.
func (c *Cluster) RestartNATS(i int) error {
	if c.natsCluster == nil {
		return errors.New("cluster: one embedded NATS server does not restart (NATSServers 3 does)")
	}
	return c.natsCluster.Restart(i)
}

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

// Close stops everything, edges first, the stores last.
func (c *Cluster) Close() error {
	ctx, cancel := context.WithTimeout(context.Background(), shutdownTimeout)
	defer cancel()
	for i := len(c.services) - 1; i >= 0; i-- {
		c.services[i].Close(ctx)
	}
	for _, p := range c.proxies {
		p.close()
	}
	if c.natsCluster != nil {
		c.natsCluster.Close()
	}
	if c.s3 != nil {
		c.s3.Stop()
	}
	if c.pg != nil {
		c.pg.Stop()
	}
	return nil
}

// onceService closes (or kills) a service once: a cluster's origin may be
// stopped before the cluster closes.
type onceService struct {
	service
	once sync.Once
	err  error
}

func (s *onceService) Close(ctx context.Context) error {
	s.once.Do(func() { s.err = s.service.Close(ctx) })
	return s.err
}

// kill drops the service's connections at once (when it can), then closes
// it.
func (s *onceService) kill() {
	s.once.Do(func() {
		if k, ok := s.service.(interface{ Kill() }); ok {
			k.Kill()
		}
		ctx, cancel := context.WithTimeout(context.Background(), shutdownTimeout)
		defer cancel()
		s.err = s.service.Close(ctx)
	})
}
