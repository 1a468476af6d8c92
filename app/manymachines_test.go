package app

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/cloudinary/cloudinary-go/v2"
	"github.com/cloudinary/cloudinary-go/v2/api"
	cldadmin "github.com/cloudinary/cloudinary-go/v2/api/admin"
	"github.com/cloudinary/cloudinary-go/v2/api/uploader"
	"github.com/mediacdn/mediacdn/config"
	"github.com/mediacdn/mediacdn/internal/testkit"
	natsserver "github.com/nats-io/nats-server/v2/server"
)

// Issue 17's installation, in one process: two origins sharing
// PostgreSQL and an S3 bucket, a three-server NATS cluster (the purge
// stream replicated three times) and three edges filling from both
// origins. The official Go SDK drives it, its calls alternating between
// the origins: an upload on A is delivered, byte for byte, by every edge
// and described by B; an overwrite with invalidate on B reaches every
// edge; a destroy with invalidate on A makes every edge answer 404.
//
// The cloud invalidates as Cloudinary does (legacy): an overwrite
// invalidates the URLs without a version, so the old versioned URL an
// edge cached keeps the old bytes, as on Cloudinary's CDN.
func TestManyMachinesSDK(t *testing.T) {
	stores := startSharedStores(t)
	clouds := config.Clouds{"demo": {APIKey: "demo_key", APISecret: "demo_secret", Invalidation: config.Legacy}}
	c := startCaughtUp(t, ClusterOptions{Origins: 2, NATSServers: 3, Edges: 3, Clouds: clouds,
		MetadataURL: stores.metadataURL, BlobsURL: stores.blobsURL})
	if len(c.OriginURLs) != 2 || len(c.NATSURLs) != 3 || len(c.EdgeURLs) != 3 || c.File.NATS.Stream.Replicas != 3 {
		t.Fatalf("%d origins, %d NATS servers (stream replicas %d), %d edges", len(c.OriginURLs), len(c.NATSURLs),
			c.File.NATS.Stream.Replicas, len(c.EdgeURLs))
	}
	a, b := sdkFor(t, c.OriginURLs[0]), sdkFor(t, c.OriginURLs[1])
	ctx := context.Background()
	rocket, aqua := testkit.Read(t, "rocket.jpg"), testkit.Read(t, "Aqua.jpg")
	const unversioned, derived = "/demo/image/upload/pic.jpg", "/demo/image/upload/c_fill,h_50,w_50/pic.jpg"

	up, err := a.Upload.Upload(ctx, testkit.Path(t, "rocket.jpg"), uploader.UploadParams{PublicID: "pic"})
	if msg := sdkError(err, up); msg != "" {
		t.Fatalf("upload on origin A: %s", msg)
	}
	asset, err := b.Admin.Asset(ctx, cldadmin.AssetParams{PublicID: "pic"})
	if msg := sdkError(err, asset); msg != "" || asset.Version != up.Version || asset.Bytes != len(rocket) {
		t.Fatalf("origin B's details of origin A's upload: %s %+v", msg, asset)
	}
	versioned := "/demo/image/upload/v" + strconv.Itoa(up.Version) + "/pic.jpg"
	for _, e := range c.EdgeURLs {
		for _, p := range []string{unversioned, versioned} {
			if g := testkit.Get(t, e+p); g.Status != 200 || !bytes.Equal(g.Body, rocket) {
				t.Fatalf("%s%s: %v, want the uploaded bytes", e, p, g)
			}
			if g := testkit.Get(t, e+p); g.Header.Get("Cache-Status") != "mediacdn; hit" || !bytes.Equal(g.Body, rocket) {
				t.Fatalf("%s%s not cached: %v", e, p, g)
			}
		}
	}

	over, err := b.Upload.Upload(ctx, testkit.Path(t, "Aqua.jpg"), uploader.UploadParams{PublicID: "pic",
		Overwrite: api.Bool(true), Invalidate: api.Bool(true)})
	if msg := sdkError(err, over); msg != "" || !over.Overwritten || over.Version == up.Version {
		t.Fatalf("overwrite on origin B: %s %+v", msg, over)
	}
	for _, e := range c.EdgeURLs {
		testkit.CheckFor(t, testkit.Timeout, func() error {
			if g := testkit.Get(t, e+unversioned); g.Status != 200 || !bytes.Equal(g.Body, aqua) {
				return fmt.Errorf("%s%s after the overwrite: %v, want the new bytes", e, unversioned, g)
			}
			return nil
		})
		if g := testkit.Get(t, e+versioned); g.Status != 200 || !bytes.Equal(g.Body, rocket) {
			t.Errorf("%s%s (the old version) after the overwrite: %v, want the old bytes", e, versioned, g)
		}
		g := testkit.Get(t, e+derived)
		if g.Status != 200 || g.Header.Get("Content-Type") != "image/jpeg" {
			t.Fatalf("%s%s: %v", e, derived, g)
		}
		if g := testkit.Get(t, e+derived); g.Header.Get("Cache-Status") != "mediacdn; hit" {
			t.Fatalf("%s%s not cached: %v", e, derived, g)
		}
	}

	del, err := a.Upload.Destroy(ctx, uploader.DestroyParams{PublicID: "pic", Invalidate: api.Bool(true)})
	if msg := sdkError(err, del); msg != "" || del.Result != "ok" {
		t.Fatalf("destroy on origin A: %s %+v", msg, del)
	}
	for _, e := range c.EdgeURLs {
		for _, p := range []string{unversioned, derived} {
			testkit.CheckFor(t, testkit.Timeout, func() error {
				if g := testkit.Get(t, e+p); g.Status != 404 {
					return fmt.Errorf("%s%s after the destroy: %v, want 404", e, p, g)
				}
				return nil
			})
		}
	}
	if gone, err := b.Admin.Asset(ctx, cldadmin.AssetParams{PublicID: "pic"}); sdkError(err, gone) == "" {
		t.Errorf("origin B still describes the asset origin A destroyed: %+v", gone)
	}
}

// sdkFor is the official Go SDK configured for the origin at api.
func sdkFor(t *testing.T, api string) *cloudinary.Cloudinary {
	t.Helper()
	cld, err := cloudinary.NewFromURL("cloudinary://demo_key:demo_secret@demo?upload_prefix=" + api + "&secure=false&analytics=false")
	if err != nil {
		t.Fatal(err)
	}
	return cld
}

// sdkError is what went wrong with an SDK call: its error, or the error
// the server answered (which the SDK puts in the result), "" for none.
func sdkError(err error, res any) string {
	if err != nil {
		return err.Error()
	}
	v := reflect.ValueOf(res)
	if !v.IsValid() || (v.Kind() == reflect.Pointer && v.IsNil()) {
		return "no result"
	}
	if msg := reflect.Indirect(v).FieldByName("Error").FieldByName("Message"); msg.IsValid() && msg.String() != "" {
		return "server answered: " + msg.String()
	}
	return ""
}

// One origin killed and one NATS server stopped: the edges fill from the
// other origin, purges flow through the other NATS servers, and the
// stopped server restarts and rejoins.
func TestClusterLosesAnOriginAndANATSServer(t *testing.T) {
	stores := startSharedStores(t)
	c := startCaughtUp(t, ClusterOptions{Origins: 2, NATSServers: 3, Edges: 2,
		MetadataURL: stores.metadataURL, BlobsURL: stores.blobsURL})
	callAPI(t, c.OriginURLs[0], "upload", map[string]string{"public_id": "pic"}, "rocket.jpg")
	c.KillOrigin(0)
	if _, err := http.Get(c.OriginURLs[0] + "/healthz"); err == nil {
		t.Fatal("a killed origin answers")
	}
	for _, e := range c.EdgeURLs {
		if g := testkit.Get(t, e+"/demo/image/upload/pic.jpg"); g.Status != 200 {
			t.Fatalf("%s: a fill with origin A killed: %v", e, g)
		}
	}
	c.StopNATS(0)
	over := callAPI(t, c.OriginURLs[1], "upload", map[string]string{"public_id": "pic", "invalidate": "true", "wait": "10000"}, "chelsea.png")
	if over.Invalidation == nil || over.Invalidation.Status != "applied" || over.Invalidation.EdgesApplied != 2 {
		t.Fatalf("overwrite with a NATS server down: %+v", over.Invalidation)
	}
	if err := c.RestartNATS(0); err != nil {
		t.Fatal(err)
	}
	d := callAPI(t, c.OriginURLs[1], "destroy", map[string]string{"public_id": "pic", "invalidate": "true", "wait": "10000"}, "")
	if d.Result != "ok" || d.Invalidation == nil || d.Invalidation.Status != "applied" || d.Invalidation.EdgesApplied != 2 {
		t.Fatalf("destroy with the NATS server back: %+v %+v", d, d.Invalidation)
	}
}

// StartCluster refuses shapes it cannot run.
func TestStartClusterRefuses(t *testing.T) {
	for _, c := range []struct {
		o    ClusterOptions
		want string
	}{
		{ClusterOptions{Origins: 2}, "set MetadataURL and BlobsURL, or LocalStores"},
		{ClusterOptions{Origins: 2, MetadataURL: "postgres://u@h/db"}, "set MetadataURL and BlobsURL"},
		{ClusterOptions{NATSServers: 3, Partitionable: true}, "Partitionable needs one NATS server"},
		{ClusterOptions{LocalStores: true, MetadataURL: "postgres://u@h/db"}, "not both"},
	} {
		c.o.Dir = t.TempDir()
		if cl, err := StartCluster(context.Background(), c.o); err == nil || !strings.Contains(err.Error(), c.want) {
			if cl != nil {
				cl.Close()
			}
			t.Errorf("%+v: %v, want %q", c.o, err, c.want)
		}
	}
}

// The files of a multi-machine installation the README shows: every
// origin's and edge's pass mediacdn check-config, and nats-server reads
// the NATS servers' as a JetStream cluster of three.
func TestManyMachinesConfigs(t *testing.T) {
	t.Setenv("MEDIACDN_CLOUDS_SHOP_API_SECRET", "a-real-secret") // configs/origin.yaml's is a placeholder
	for file, role := range map[string]Role{"../configs/origin.yaml": RoleOrigin, "../configs/edge.yaml": RoleEdge} {
		var out strings.Builder
		if err := CheckConfig(t.Context(), []string{file}, &IO{Stdout: &out, Stderr: &out}); err != nil ||
			!strings.Contains(out.String(), "valid "+string(role)) {
			t.Errorf("check-config %s: %v %s", file, err, out.String())
		}
		f, err := LoadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		if len(f.NATS.URLs) != 3 {
			t.Errorf("%s: nats.urls %v, want the three servers", file, f.NATS.URLs)
		}
		switch role {
		case RoleOrigin:
			if !strings.HasPrefix(f.Origin.MetadataURL, "postgres://") || !strings.HasPrefix(string(f.Origin.BlobsURL), "s3://") ||
				f.NATS.Stream.Replicas != 3 {
				t.Errorf("%s: metadata_url %q, blobs_url %q, stream replicas %d: not a shared origin's", file,
					f.Origin.MetadataURL, f.Origin.BlobsURL, f.NATS.Stream.Replicas)
			}
		case RoleEdge:
			if len(f.Edge.Origins) < 2 {
				t.Errorf("%s: origins %v, want several", file, f.Edge.Origins)
			}
		}
	}
	opts, err := natsserver.ProcessConfigFile("../configs/nats.conf")
	if err != nil {
		t.Fatal(err)
	}
	if !opts.JetStream || opts.ServerName == "" || opts.Cluster.Name == "" || len(opts.Routes) != 3 {
		t.Errorf("configs/nats.conf: jetstream %v, server_name %q, cluster %q, %d routes", opts.JetStream,
			opts.ServerName, opts.Cluster.Name, len(opts.Routes))
	}
}
