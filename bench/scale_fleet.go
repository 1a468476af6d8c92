package bench

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"syscall"
	"time"

	"github.com/mediacdn/mediacdn/config"
	"github.com/mediacdn/mediacdn/internal/localsrv"
)

// sharedStores are a PostgreSQL server and an S3 server (versitygw) on
// the scratch directory, for origins to share (internal/localsrv, as
// mediacdn cluster starts them).
type sharedStores struct {
	pg          *localsrv.PostgresServer
	s3          *localsrv.S3Server
	MetadataURL string
	BlobsURL    string
	// Env gives origins the S3 credentials.
	Env []string
}

// startSharedStores starts PostgreSQL (database mediacdn) and versitygw
// (bucket mediacdn) with fresh credentials.
func startSharedStores(ctx context.Context, dir string) (*sharedStores, error) {
	secret := make([]byte, 12)
	rand.Read(secret)
	id, key := "bench", hex.EncodeToString(secret)
	s3dir := filepath.Join(dir, "s3")
	if err := os.MkdirAll(s3dir, 0o755); err != nil {
		return nil, err
	}
	s3, err := localsrv.StartS3(ctx, localsrv.S3Options{Dir: s3dir, AccessKey: id, SecretKey: key, Bucket: "mediacdn"})
	if err != nil {
		return nil, missingHint(err)
	}
	pg, err := localsrv.StartPostgres(ctx, "") // a temporary directory of its own, reachable by its unprivileged user
	if err != nil {
		s3.Stop()
		return nil, missingHint(err)
	}
	s := &sharedStores{pg: pg, s3: s3}
	if err := pg.CreateDatabase(ctx, "mediacdn"); err != nil {
		s.close()
		return nil, err
	}
	s.MetadataURL = pg.URL("mediacdn")
	s.BlobsURL = "s3://" + s3.Bucket + "/assets?endpoint=" + s3.Endpoint + "&region=" + s3.Region + "&path_style=true"
	s.Env = []string{config.EnvS3AccessKeyID + "=" + id, config.EnvS3SecretAccessKey + "=" + key}
	return s, nil
}

// missingHint completes a missing server program's error with how to
// install it.
func missingHint(err error) error {
	var m *localsrv.MissingError
	if errors.As(err, &m) {
		return fmt.Errorf("%w (`make servers` installs PostgreSQL and versitygw)", err)
	}
	return err
}

// groupPIDs are the stores' processes, found by their ports: PostgreSQL
// with its backends, and the S3 server.
func (s *sharedStores) groupPIDs() (postgres, versitygw []int) {
	if p := pidListening(s.pg.Port); p != 0 {
		postgres = processTree(p)
	}
	if p := pidListening(portOf(s.s3.Endpoint)); p != 0 {
		versitygw = []int{p}
	}
	return postgres, versitygw
}

func (s *sharedStores) close() {
	s.s3.Stop()
	s.pg.Stop()
}

// fleet is a spawned installation with several origins: the first runs
// the embedded NATS server the others and the edges connect to; all share
// the stores (or, with none, the one origin keeps SQLite and files in its
// data directory).
type fleet struct {
	*cluster
	origins []*fleetOrigin
	stores  *sharedStores
	// procs is each origin's GOMAXPROCS (0: Go's default).
	procs int
}

// fleetOrigin is one origin process.
type fleetOrigin struct {
	URL     string
	Metrics string
	ch      *child
	killed  bool
}

// fleetSpec says what startFleet starts.
type fleetSpec struct {
	Origins int
	Edges   int
	Stores  *sharedStores // nil: SQLite and files, one origin only
	// Gate, when set, returns the URL edges use for an origin instead of
	// its own (a gate in front of it) and its closer.
	Gate func(i int, originURL string) (string, func(), error)
}

// startFleet starts the origins one after the other (the first one
// creates the schema), then the edges, each filling from every origin
// (edge i lists them rotated by i, so that an edge that prefers the
// first origin does not send every fill there).
func startFleet(ctx context.Context, e *env, spec fleetSpec) (f *fleet, err error) {
	if spec.Stores == nil && spec.Origins != 1 {
		return nil, errors.New("bench: SQLite and files serve one origin only")
	}
	dir, err := os.MkdirTemp(e.dir, "fleet-")
	if err != nil {
		return nil, err
	}
	c := &cluster{mode: "spawn", dir: dir}
	f = &fleet{cluster: c, stores: spec.Stores, procs: e.o.originProcs(spec.Origins)}
	defer func() {
		if err != nil {
			c.Close()
		}
	}()
	if c.natsPort, err = freePort(); err != nil {
		return nil, err
	}
	var fills []string
	for i := range spec.Origins {
		og, err := f.startOrigin(ctx, e, i)
		if err != nil {
			return nil, err
		}
		fill := og.URL
		if spec.Gate != nil {
			u, closeFn, err := spec.Gate(i, og.URL)
			if err != nil {
				return nil, err
			}
			fill = u
			c.closers = append(c.closers, closeFn)
		}
		fills = append(fills, fill)
	}
	c.OriginURL, c.originPID, c.OriginMetrics = f.origins[0].URL, f.origins[0].ch.pid(), f.origins[0].Metrics
	for i := range spec.Edges {
		rot := append(append([]string{}, fills[i%len(fills):]...), fills[:i%len(fills)]...)
		if err := startEdge(ctx, e, c, dir, i, c.natsPort, rot, c.spec); err != nil {
			return nil, err
		}
	}
	return f, nil
}

// startOrigin starts origin i: the first with the embedded NATS server.
func (f *fleet) startOrigin(ctx context.Context, e *env, i int) (*fleetOrigin, error) {
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	mport, err := freePort()
	if err != nil {
		return nil, err
	}
	name := "origin-" + strconv.Itoa(i)
	odir := filepath.Join(f.dir, name)
	cfg := fleetOriginYAML(e.o, loopbackAddr(port), loopbackAddr(mport), loopbackAddr(f.natsPort), i == 0, odir, f.stores)
	path := filepath.Join(f.dir, name+".yaml")
	if err := os.WriteFile(path, []byte(cfg), 0o600); err != nil {
		return nil, err
	}
	var env []string
	if f.stores != nil {
		env = append(env, f.stores.Env...)
	}
	if f.procs > 0 {
		env = append(env, "GOMAXPROCS="+strconv.Itoa(f.procs))
	}
	ch, err := startChildEnv(name, filepath.Join(f.dir, name+".log"), env, e.o.Binary, "origin", "-config", path)
	if err != nil {
		return nil, err
	}
	f.children = append(f.children, ch)
	og := &fleetOrigin{URL: "http://" + loopbackAddr(port), Metrics: "http://" + loopbackAddr(mport), ch: ch}
	f.origins = append(f.origins, og)
	return og, ch.waitHTTP(ctx, og.URL+"/healthz", 60*time.Second)
}

// fleetOriginYAML configures origin number i of a fleet: the bench's
// cloud, quiet logs, the embedded NATS server (the first origin) or a
// connection to it, and the shared stores when there are.
func fleetOriginYAML(o *Options, listen, metricsListen, natsAddr string, embedded bool, dir string, st *sharedStores) string {
	s := fmt.Sprintf("log: {level: warn, format: text}\nclouds:\n  %s: {api_key: %q, api_secret: %q}\n", o.Cloud, o.APIKey, o.APISecret)
	if embedded {
		s += fmt.Sprintf("nats:\n  embedded: {enabled: true, listen: %q, store_dir: %q}\n", natsAddr, filepath.Join(dir, "nats"))
	} else {
		s += fmt.Sprintf("nats:\n  urls: [%q]\n", "nats://"+natsAddr)
	}
	s += fmt.Sprintf("origin:\n  listen: %q\n  metrics_listen: %q\n  data_dir: %q\n", listen, metricsListen, dir)
	if st != nil {
		s += fmt.Sprintf("  metadata_url: %q\n  blobs_url: %q\n", st.MetadataURL, st.BlobsURL)
	}
	return s
}

// kill ends origin i with SIGKILL, as a crash would, and waits until it
// is gone.
func (f *fleet) kill(i int) error {
	og := f.origins[i]
	if err := og.ch.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		return fmt.Errorf("bench: SIGKILL %s: %w", og.ch.name, err)
	}
	<-og.ch.exited
	og.killed = true
	return nil
}

// originPIDs are the live origins' processes.
func (f *fleet) originPIDs() []int {
	var out []int
	for _, og := range f.origins {
		if !og.killed {
			out = append(out, og.ch.pid())
		}
	}
	return out
}
