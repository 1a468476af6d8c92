package app

import (
	"bytes"
	"context"
	"github.com/mediacdn/mediacdn/internal/testkit"
	"log/slog"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/mediacdn/mediacdn/purge"
)

// Which embedded server an origin or edge process runs, and where its
// clients connect.
func TestEmbeddedNATSChoice(t *testing.T) {
	log := slog.New(slog.DiscardHandler)
	cluster := purge.EmbeddedCluster{Name: "c", Routes: []string{"nats-route://127.0.0.1:6222"}}
	urls := []string{"nats://10.0.0.1:4222", "nats://10.0.0.2:4222"}
	for _, tc := range []struct {
		name     string
		embedded purge.Embedded
		urls     []string
		runs     bool
	}{
		{"disabled", purge.Embedded{}, urls, false},
		{"lone, urls set: the urls win", purge.Embedded{Enabled: true}, urls, false},
		{"lone, no urls", purge.Embedded{Enabled: true}, nil, true},
		{"clustered, urls set", purge.Embedded{Enabled: true, ServerName: "a", Cluster: cluster}, urls, true},
		{"clustered, no urls", purge.Embedded{Enabled: true, ServerName: "a", Cluster: cluster}, nil, true},
	} {
		f := &File{}
		f.NATS.Embedded, f.NATS.URLs = tc.embedded, tc.urls
		ns, cfg := embeddedNATS(f, t.TempDir(), log)
		if (ns != nil) != tc.runs {
			t.Errorf("%s: runs a server: %v", tc.name, ns != nil)
		}
		if got := cfg().URLs; !slices.Equal(got, tc.urls) {
			t.Errorf("%s: clients use %v before start, want %v", tc.name, got, tc.urls)
		}
	}
}

// Three origin processes, each running a clustered embedded server (as
// `mediacdn origin` with nats.embedded.cluster does), form one JetStream
// cluster: a stream replicated three times is created and stores purges,
// and each process's clients are given every server.
func TestOriginsRunAClusteredNATS(t *testing.T) {
	dir := t.TempDir()
	cl, err := purge.StartCluster(3, dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	cl.Close() // its settings (free ports, stores) serve the processes below
	log := slog.New(slog.DiscardHandler)
	var cfg purge.Config
	for i := 0; i < 3; i++ {
		f := &File{}
		f.NATS.Embedded = cl.Config(i)
		f.NATS.URLs = cl.URLs()
		f.NATS.Stream.Replicas = 3
		f.NATS.ApplyDefaults()
		if err := f.NATS.Validate(); err != nil {
			t.Fatalf("server %d: %v", i, err)
		}
		ns, natsCfg := embeddedNATS(f, dir, log)
		if ns == nil {
			t.Fatalf("server %d: no embedded server", i)
		}
		if err := ns.Start(context.Background()); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { ns.Close(context.Background()) })
		cfg = natsCfg()
		if !slices.Equal(cfg.URLs, cl.URLs()) {
			t.Errorf("server %d: clients use %v", i, cfg.URLs)
		}
	}
	nc, err := purge.Connect(cfg, "origin")
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	var pub *purge.Publisher
	testkit.Eventually(t, testkit.Timeout, "an R3 purge stream created", func() bool {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		pub, err = purge.NewPublisher(ctx, nc, cfg)
		return err == nil
	})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if _, err := pub.Publish(ctx, purge.NewFlush("demo")); err != nil {
		t.Fatal(err)
	}
}

// dev runs one NATS server: it refuses a cluster.
func TestDevRefusesANATSCluster(t *testing.T) {
	for field, yaml := range map[string]string{
		"nats.embedded.cluster": "    server_name: a\n    cluster: {name: c, routes: [nats-route://127.0.0.1:6222]}\n",
		"nats.stream.replicas":  "  stream: {replicas: 3}\n",
	} {
		conf := strings.Replace(string(devYAML(t)), "    listen: 127.0.0.1:4222\n", "    listen: 127.0.0.1:4222\n"+yaml, 1)
		var stderr bytes.Buffer
		err := Dev(context.Background(), nil, &IO{Stdout: &stderr, Stderr: &stderr, DevConfig: []byte(conf)})
		if err == nil || !strings.Contains(err.Error(), field) {
			t.Errorf("dev with %s: %v", field, err)
		}
	}
}
