package app

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/mediacdn/mediacdn/config"
	"github.com/mediacdn/mediacdn/internal/localsrv"
)

// RunCluster is mediacdn cluster: a whole many-machine installation on
// one machine, for users to try and for benchmarks. In one process
// (StartCluster): a JetStream cluster of embedded NATS servers,
// PostgreSQL and versitygw (S3) as child processes, origins sharing them
// and edges filling from every origin, all on loopback ports. It prints
// every address and the CLOUDINARY_URL, and on Ctrl-C or SIGTERM stops
// everything and removes its temporary directory.
func RunCluster(ctx context.Context, args []string, io *IO) error {
	begun := time.Now()
	fs := newFlags("cluster", "cluster [flags]", io)
	origins := fs.Int("origins", 2, "how many origins (sharing PostgreSQL and S3)")
	edges := fs.Int("edges", 3, "how many edges (each fills from every origin)")
	natsServers := fs.Int("nats", 3, "how many NATS servers (clustered when more than 1; the purge stream replicated on up to 3)")
	data := fs.String("data", "", "keep everything in this `directory`, to start again where it stopped (default: a temporary directory, removed on exit)")
	logLevel := fs.String("log-level", "warn", "the parts' log level on stderr: debug, info, warn or error")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() != 0 {
		fs.Usage()
		return usageError("cluster takes no arguments")
	}
	for _, n := range []struct {
		flag string
		v    int
	}{{"-origins", *origins}, {"-edges", *edges}, {"-nats", *natsServers}} {
		if n.v < 1 {
			return usageError("%s must be at least 1, got %d", n.flag, n.v)
		}
	}
	logCfg := config.Log{Level: *logLevel}
	if err := logCfg.Validate(); err != nil {
		return usageError("-log-level: %v", err)
	}
	dir, temporary := *data, *data == ""
	var err error
	if temporary {
		dir, err = os.MkdirTemp("", "mediacdn-cluster-")
	} else {
		err = os.MkdirAll(dir, 0o755)
	}
	if err != nil {
		return err
	}
	if temporary {
		defer os.RemoveAll(dir)
		// As root, PostgreSQL runs as the user nobody, who must reach it.
		if err := os.Chmod(dir, 0o755); err != nil {
			return err
		}
	}
	if err := clusterS3Credentials(dir, temporary); err != nil {
		return err
	}
	edgeListens := make([]string, *edges)
	for i := range edgeListens {
		if edgeListens[i], err = localsrv.FreePort(); err != nil {
			return err
		}
	}
	out := io.Stdout
	fmt.Fprintf(out, "mediacdn cluster: starting %d NATS servers, PostgreSQL, versitygw (S3), %d origins and %d edges in %s\n",
		*natsServers, *origins, *edges, dir)
	c, err := StartCluster(ctx, ClusterOptions{
		Dir: dir, Origins: *origins, Edges: *edges, NATSServers: *natsServers, LocalStores: true,
		EdgeListens: edgeListens,
		Configure: func(f *File) {
			f.Origin.DeliveryURL = "http://" + edgeListens[0]
			f.Origin.SecureDeliveryURL = f.Origin.DeliveryURL
		},
		Log:      logCfg.Logger(io.Stderr),
		Progress: func(line string) { fmt.Fprintf(out, "  up: %s\n", line) },
	})
	if err != nil {
		var missing *localsrv.MissingError
		if errors.As(err, &missing) {
			return fmt.Errorf("%w: run `make servers` in mediacdn's checkout, which installs it (or `make cluster`, which also runs this)", err)
		}
		return err
	}
	defer c.Close()
	for _, e := range c.EdgeURLs {
		if err := waitReady(ctx, e+"/readyz", c.log); err != nil {
			return nil // stopped while starting
		}
	}
	b := clusterBanner{c: c, dir: dir, temporary: temporary, ready: time.Since(begun)}
	b.write(out)
	select {
	case <-ctx.Done():
		fmt.Fprintln(out, "mediacdn cluster: stopping")
		return nil
	case err := <-c.Failed():
		return err
	}
}

// clusterS3Credentials sets the S3 credentials the origins read
// (config.EnvS3AccessKeyID, EnvS3SecretAccessKey) and versitygw takes,
// unless the environment has them: new ones for a temporary directory;
// for a kept one, those saved in it (made on its first run), as the S3
// server's stored buckets belong to them.
func clusterS3Credentials(dir string, temporary bool) error {
	if os.Getenv(config.EnvS3AccessKeyID) != "" && os.Getenv(config.EnvS3SecretAccessKey) != "" {
		return nil
	}
	saved := filepath.Join(dir, "s3-credentials")
	var id, secret string
	if b, err := os.ReadFile(saved); err == nil && !temporary {
		id, secret, _ = strings.Cut(strings.TrimSpace(string(b)), ":")
	}
	if id == "" || secret == "" {
		id, secret = "cluster-"+randomHex(8), randomHex(20)
		if err := os.WriteFile(saved, []byte(id+":"+secret+"\n"), 0o600); err != nil {
			return err
		}
	}
	os.Setenv(config.EnvS3AccessKeyID, id)
	os.Setenv(config.EnvS3SecretAccessKey, secret)
	return nil
}

func randomHex(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// clusterBanner is what mediacdn cluster prints once every edge is ready.
type clusterBanner struct {
	c         *Cluster
	dir       string
	temporary bool
	ready     time.Duration
}

func (b clusterBanner) write(w io.Writer) {
	c := b.c
	cloud := devCloud(c.File.Clouds)
	key, secret := c.File.Clouds[cloud].APIKey, c.File.Clouds[cloud].APISecret
	kept := "kept"
	if b.temporary {
		kept = "removed on exit"
	}
	fmt.Fprintf(w, "\nmediacdn cluster is ready (in %v); data in %s (%s), Ctrl-C stops it.\n\n",
		b.ready.Round(time.Millisecond), b.dir, kept)
	row := func(name, value string) { fmt.Fprintf(w, "  %-22s%s\n", name, value) }
	for i, u := range c.NATSURLs {
		row(fmt.Sprintf("NATS %d (purges)", i+1), u)
	}
	row("PostgreSQL (metadata)", redactedURL(c.MetadataURL))
	row("S3 (blobs)", string(c.BlobsURL))
	row("S3 keys", os.Getenv(config.EnvS3AccessKeyID)+" / "+os.Getenv(config.EnvS3SecretAccessKey)+
		"   (the origins read "+config.EnvS3AccessKeyID+", "+config.EnvS3SecretAccessKey+")")
	for i, u := range c.OriginURLs {
		row(fmt.Sprintf("origin %d (API)", i+1), u+"/v1_1/"+cloud+"/")
	}
	for i, u := range c.EdgeURLs {
		row(fmt.Sprintf("edge %d (delivery)", i+1), u)
	}
	row("cloud", cloud+"   api_key "+key+"   api_secret "+secret+"   (a trial's)")
	edge := c.EdgeURLs[0]
	cldURL := cloudinaryURL(cloud, key, secret, c.OriginURLs[0], edge)
	fmt.Fprintf(w, `
Delivery base (any edge): %s/%s/image/upload/

Try (from the checkout):
  curl -u %s:%s -F file=@testdata/corpus/rocket.jpg -F public_id=rocket %s/v1_1/%s/image/upload
  then open %s/%s/image/upload/c_fill,h_200,w_300/rocket.jpg

The official SDKs read their settings from:
  export CLOUDINARY_URL='%s'

`, edge, cloud, key, secret, c.OriginURLs[len(c.OriginURLs)-1], cloud, edge, cloud, cldURL)
}

// redactedURL is raw without a password.
func redactedURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return raw
	}
	return u.Redacted()
}
