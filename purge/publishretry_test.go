package purge

import (
	"context"
	"github.com/mediacdn/mediacdn/internal/testkit"
	"strings"
	"testing"
	"time"
)

// A publish whose acknowledgement does not come (the origin is cut off from
// NATS) is retried with the same message id until it is stored: Publish
// returns its sequence, and the stream holds the rule once.
func TestPublishRetriesUntilStored(t *testing.T) {
	t.Parallel()
	srv := startServer(t, t.TempDir(), 0)
	direct := newPublisher(t, testConfig(srv.ClientURL()))
	px := newProxy(t, srv.ClientURL())
	cfg := testConfig(px.URL())
	cfg.ReconnectMaxWait = 100 * time.Millisecond
	nc := connect(t, cfg, "origin")
	pub, err := NewPublisher(context.Background(), nc, cfg)
	if err != nil {
		t.Fatal(err)
	}

	px.cut()
	testkit.Eventually(t, 5*time.Second, "origin disconnected", func() bool { return !nc.IsConnected() })
	type result struct {
		seq uint64
		err error
	}
	done := make(chan result, 1)
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		seq, err := pub.Publish(ctx, NewNamed("demo", "thumb"))
		done <- result{seq, err}
	}()
	testkit.Eventually(t, 10*time.Second, "a publish attempt retried", func() bool { return pub.Retries() > 0 })
	px.restore()
	r := <-done
	if r.err != nil {
		t.Fatalf("publish after the network healed: %v", r.err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if last, err := direct.LastSeq(ctx); err != nil || last != r.seq || r.seq != 1 {
		t.Errorf("stream last sequence %d (%v); Publish returned %d: want both 1 (stored once)", last, err, r.seq)
	}
}

// A stream replicated three times needs a cluster: a lone server's refusal
// names the setting.
func TestStreamReplicasNeedACluster(t *testing.T) {
	t.Parallel()
	srv := startServer(t, t.TempDir(), 0)
	cfg := testConfig(srv.ClientURL())
	cfg.Stream.Replicas = 3
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_, err := NewPublisher(ctx, connect(t, cfg, "origin"), cfg)
	if err == nil || !strings.Contains(err.Error(), "3 replicas (stream.replicas") {
		t.Errorf("R3 stream on a lone server: %v", err)
	}
}
