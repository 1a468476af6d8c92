package bench

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// cluster is the origin and edges a scenario loads: child processes of
// the mediacdn binary (the default, so that /proc shows each server's own
// CPU and memory), servers inside the bench process, or running servers
// given by URL.
type cluster struct {
	OriginURL string
	EdgeURLs  []string
	// OriginMetrics and EdgeMetrics are the servers' metrics listeners
	// (http://host:port), "" where unknown (metrics.go).
	OriginMetrics string
	EdgeMetrics   []string
	// originPID and edgePIDs are the processes to measure; 0 when unknown
	// (a remote-looking URL) and the bench's own pid in-process.
	originPID int
	edgePIDs  []int
	// mode is spawn, inproc or url.
	mode      string
	children  []*child // spawned: the origin first, then the edges
	closers   []func()
	closeOnce sync.Once
	// dir holds a spawned cluster's configuration, logs and data;
	// originArgs start its origin (again, after a crash).
	dir        string
	originArgs []string
	restarts   int
	// natsPort, fill and spec start more edges (addEdges): the embedded
	// NATS server's port, the URL edges fill from, the cluster's spec.
	natsPort int
	fill     string
	spec     clusterSpec
}

// clusterSpec says what a scenario needs.
type clusterSpec struct {
	Edges     int   // edges to run; 0 runs an origin only
	CacheSize int64 // each edge's cache budget in bytes; 0 means the default
	// TransformQueue bounds the origin's transform queue; 0 means its default.
	TransformQueue int
	// ImagingTimeout and UploadsPerClient set a spawned origin's
	// imaging.timeout and uploads.per_client; 0 means their defaults.
	ImagingTimeout   time.Duration
	UploadsPerClient int
	// Wrk says that wrk loads the edges, so that they get the cores it
	// leaves (Options.EdgeProcs).
	Wrk bool
	// EdgeProcs is the edges' edge.procs unless -edge-procs sets it; 0
	// leaves it to Options.EdgeProcs' default.
	EdgeProcs int
	// Interpose, when set, returns the URL edges fill from instead of the
	// origin's (a counting proxy in front of it) and its closer. Only
	// spawned clusters use it.
	Interpose func(originURL string) (string, func(), error)
}

// measurable reports whether CPU and memory figures of the servers are
// their own (not the bench's process).
func (c *cluster) measurable() bool { return c.mode != "inproc" }

// Close stops what the bench started, edges first, and removes a spawned
// cluster's data; later calls do nothing.
func (c *cluster) Close() {
	c.closeOnce.Do(func() {
		for i := len(c.children) - 1; i >= 0; i-- {
			c.children[i].stop()
		}
		for i := len(c.closers) - 1; i >= 0; i-- {
			c.closers[i]()
		}
		if c.dir != "" {
			os.RemoveAll(c.dir)
		}
	})
}

// startCluster provides the servers spec asks for, once every edge says
// it is ready (an origin reachable, the purge stream caught up: before
// that an edge does not trust unversioned entries).
func startCluster(ctx context.Context, e *env, spec clusterSpec) (*cluster, error) {
	o := e.o
	var c *cluster
	var err error
	switch {
	case o.OriginURL != "":
		c, err = urlCluster(o, spec)
	case o.Servers == ServersInProcess:
		c, err = inProcessCluster(ctx, e, spec)
	default:
		c, err = spawnCluster(ctx, e, spec)
	}
	if err != nil {
		return nil, err
	}
	for _, u := range c.EdgeURLs {
		if err := waitReady(ctx, u+"/readyz", 60*time.Second); err != nil {
			c.Close()
			return nil, err
		}
	}
	return c, nil
}

// urlCluster uses running servers; their pids are found by port.
func urlCluster(o *Options, spec clusterSpec) (*cluster, error) {
	if len(o.EdgeURLs) < spec.Edges {
		return nil, fmt.Errorf("bench: this scenario needs %d edge URLs (-edge), got %d", spec.Edges, len(o.EdgeURLs))
	}
	c := &cluster{mode: "url", OriginURL: o.OriginURL, originPID: pidListening(portOf(o.OriginURL)),
		OriginMetrics: o.OriginMetrics}
	for i, u := range o.EdgeURLs[:spec.Edges] {
		c.EdgeURLs = append(c.EdgeURLs, u)
		c.edgePIDs = append(c.edgePIDs, pidListening(portOf(u)))
		m := ""
		if i < len(o.EdgeMetrics) {
			m = o.EdgeMetrics[i]
		}
		c.EdgeMetrics = append(c.EdgeMetrics, m)
	}
	return c, nil
}

// inProcessCluster starts the servers inside this process (dev style).
func inProcessCluster(ctx context.Context, e *env, spec clusterSpec) (*cluster, error) {
	if e.deps.StartInProcess == nil {
		return nil, errors.New("bench: this build cannot start servers in-process")
	}
	dir, err := os.MkdirTemp(e.dir, "inproc-")
	if err != nil {
		return nil, err
	}
	ep, closeFn, err := e.deps.StartInProcess(ctx, InProcessSpec{Dir: dir, Edges: max(spec.Edges, 1),
		CacheSize: spec.CacheSize, TransformQueue: spec.TransformQueue,
		Cloud: e.o.Cloud, APIKey: e.o.APIKey, APISecret: e.o.APISecret})
	if err != nil {
		return nil, err
	}
	c := &cluster{mode: "inproc", OriginURL: ep.OriginURL, EdgeURLs: ep.EdgeURLs[:spec.Edges],
		OriginMetrics: ep.OriginMetrics, EdgeMetrics: ep.EdgeMetrics[:spec.Edges],
		originPID: os.Getpid(), closers: []func(){closeFn}}
	for range c.EdgeURLs {
		c.edgePIDs = append(c.edgePIDs, os.Getpid())
	}
	return c, nil
}

// spawnCluster runs `mediacdn origin` (with the embedded NATS server) and
// `mediacdn edge` processes with generated configuration files.
func spawnCluster(ctx context.Context, e *env, spec clusterSpec) (c *cluster, err error) {
	if e.o.Binary == "" {
		return nil, errors.New("bench: no mediacdn binary to start servers with")
	}
	dir, err := os.MkdirTemp(e.dir, "cluster-")
	if err != nil {
		return nil, err
	}
	c = &cluster{mode: "spawn", dir: dir, spec: spec}
	defer func() {
		if err != nil {
			c.Close()
		}
	}()
	natsPort, err := freePort()
	if err != nil {
		return nil, err
	}
	if err := startOrigin(ctx, e, c, dir, natsPort, spec); err != nil {
		return nil, err
	}
	fill := c.OriginURL
	if spec.Interpose != nil {
		u, closeFn, err := spec.Interpose(c.OriginURL)
		if err != nil {
			return nil, err
		}
		fill = u
		c.closers = append(c.closers, closeFn)
	}
	c.natsPort, c.fill = natsPort, fill
	if err := c.addEdges(ctx, e, spec.Edges); err != nil {
		return nil, err
	}
	return c, nil
}

// addEdges starts n more edges in a spawned cluster, each waited for
// until ready.
func (c *cluster) addEdges(ctx context.Context, e *env, n int) error {
	if c.mode != "spawn" {
		return errors.New("bench: only a cluster the bench started can grow")
	}
	for range n {
		if err := startEdge(ctx, e, c, c.dir, len(c.EdgeURLs), c.natsPort, []string{c.fill}, c.spec); err != nil {
			return err
		}
	}
	return nil
}

func startOrigin(ctx context.Context, e *env, c *cluster, dir string, natsPort int, spec clusterSpec) error {
	port, err := freePort()
	if err != nil {
		return err
	}
	mport, err := freePort()
	if err != nil {
		return err
	}
	cfg := originYAML(e.o, loopbackAddr(port), loopbackAddr(mport), loopbackAddr(natsPort), dir, spec)
	path := filepath.Join(dir, "origin.yaml")
	if err := os.WriteFile(path, []byte(cfg), 0o600); err != nil {
		return err
	}
	c.originArgs = []string{e.o.Binary, "origin", "-config", path}
	ch, err := startChild("origin", filepath.Join(dir, "origin.log"), c.originArgs[0], c.originArgs[1:]...)
	if err != nil {
		return err
	}
	c.children = append(c.children, ch)
	c.OriginURL, c.originPID = "http://"+loopbackAddr(port), ch.pid()
	c.OriginMetrics = "http://" + loopbackAddr(mport)
	return ch.waitHTTP(ctx, c.OriginURL+"/healthz", 60*time.Second)
}

// edgeName is the name (and -id) of the i-th edge a cluster starts: its
// heartbeats carry it.
func edgeName(i int) string { return "edge-" + strconv.Itoa(i) }

// startEdge starts edge i, filling from origins (in its order of
// preference).
func startEdge(ctx context.Context, e *env, c *cluster, dir string, i, natsPort int, origins []string, spec clusterSpec) error {
	port, err := freePort()
	if err != nil {
		return err
	}
	mport, err := freePort()
	if err != nil {
		return err
	}
	name := edgeName(i)
	procs := e.o.edgeProcs(spec.Wrk)
	if e.o.EdgeProcs < 0 && spec.EdgeProcs > 0 {
		procs = spec.EdgeProcs
	}
	cfg := edgeYAML(e.o.Cloud, loopbackAddr(port), loopbackAddr(mport), loopbackAddr(natsPort), origins, spec.CacheSize, procs)
	path := filepath.Join(dir, name+".yaml")
	if err := os.WriteFile(path, []byte(cfg), 0o600); err != nil {
		return err
	}
	ch, err := startChild(name, filepath.Join(dir, name+".log"), e.o.Binary, "edge", "-config", path, "-id", name)
	if err != nil {
		return err
	}
	c.children = append(c.children, ch)
	u := "http://" + loopbackAddr(port)
	c.EdgeURLs, c.edgePIDs = append(c.EdgeURLs, u), append(c.edgePIDs, ch.pid())
	c.EdgeMetrics = append(c.EdgeMetrics, "http://"+loopbackAddr(mport))
	// Ready means an origin is reachable and the purge stream caught up.
	return ch.waitHTTP(ctx, u+"/readyz", 60*time.Second)
}

// originYAML configures a bench origin: quiet logs, the bench's cloud,
// an embedded NATS server, data in the scratch directory, metrics on
// metricsListen, and the origin settings spec names.
func originYAML(o *Options, listen, metricsListen, natsListen, dir string, spec clusterSpec) string {
	s := fmt.Sprintf(`log: {level: warn, format: text}
clouds:
  %s: {api_key: %q, api_secret: %q}
nats:
  embedded: {enabled: true, listen: %q, store_dir: %q}
origin:
  listen: %q
  metrics_listen: %q
  data_dir: %q
`, o.Cloud, o.APIKey, o.APISecret, natsListen, filepath.Join(dir, "nats"), listen, metricsListen, filepath.Join(dir, "origin"))
	var imaging []string
	if spec.TransformQueue > 0 {
		imaging = append(imaging, fmt.Sprintf("queue: %d", spec.TransformQueue))
	}
	if spec.ImagingTimeout > 0 {
		imaging = append(imaging, "timeout: "+spec.ImagingTimeout.String())
	}
	if len(imaging) > 0 {
		s += "  imaging: {" + strings.Join(imaging, ", ") + "}\n"
	}
	if spec.UploadsPerClient != 0 {
		s += fmt.Sprintf("  uploads: {per_client: %d}\n", spec.UploadsPerClient)
	}
	return s
}

// killOrigin ends a spawned origin at once with SIGKILL, as a crash
// would, and waits until it is gone.
func (c *cluster) killOrigin() error {
	if c.mode != "spawn" {
		return errors.New("bench: only an origin the bench started can be killed")
	}
	ch := c.children[0]
	if err := ch.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		return fmt.Errorf("bench: SIGKILL origin: %w", err)
	}
	<-ch.exited
	return nil
}

// restartOrigin starts a killed spawned origin again with the same
// configuration: the same data directory, ports and embedded NATS server.
func (c *cluster) restartOrigin(ctx context.Context) error {
	if c.mode != "spawn" {
		return errors.New("bench: only an origin the bench started can be restarted")
	}
	c.restarts++
	log := filepath.Join(c.dir, "origin-"+strconv.Itoa(c.restarts)+".log")
	ch, err := startChild("origin", log, c.originArgs[0], c.originArgs[1:]...)
	if err != nil {
		return err
	}
	c.children[0], c.originPID = ch, ch.pid()
	return ch.waitHTTP(ctx, c.OriginURL+"/healthz", 60*time.Second)
}

// edgeYAML configures a bench edge, its metrics on metricsListen, filling
// from origins; procs is its edge.procs (0: Go's default).
func edgeYAML(cloud, listen, metricsListen, natsAddr string, origins []string, cacheSize int64, procs int) string {
	quoted := make([]string, len(origins))
	for i, o := range origins {
		quoted[i] = strconv.Quote(o)
	}
	s := fmt.Sprintf(`log: {level: warn, format: text}
clouds:
  %s: {}
nats:
  urls: [%q]
edge:
  listen: %q
  metrics_listen: %q
  origins: [%s]
`, cloud, "nats://"+natsAddr, listen, metricsListen, strings.Join(quoted, ", "))
	if cacheSize > 0 {
		s += fmt.Sprintf("  cache_size: %d\n", cacheSize)
	}
	if procs > 0 {
		s += fmt.Sprintf("  procs: %d\n", procs)
	}
	return s
}
