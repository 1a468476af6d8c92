package purge

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/mediacdn/mediacdn/internal/testkit"
)

// An edge's heartbeats carry what it served; the tracker keeps the latest.
func TestHeartbeatCarriesServed(t *testing.T) {
	t.Parallel()
	srv := startServer(t, t.TempDir(), 0)
	cfg := testConfig(srv.ClientURL())
	tr, err := NewTracker(connect(t, cfg, "tracker"), cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer tr.Close()
	started := time.Unix(1_800_000_000, 0).UTC()
	var requests atomic.Int64
	sub, err := NewSubscriber(connect(t, cfg, "e1"), NewIndex(IndexConfig{}), cfg, SubscriberOptions{EdgeID: "e1",
		Log: discard, Served: func() Served {
			return Served{Started: started, Requests: requests.Load(), Bytes: 10 * requests.Load()}
		}})
	if err != nil {
		t.Fatal(err)
	}
	sub.Start(context.Background())
	t.Cleanup(sub.Close)
	requests.Store(7)
	testkit.Eventually(t, testkit.Timeout, "the tracker to hear 7 requests", func() bool {
		e := tr.Edges()
		return len(e) == 1 && e[0].Served.Requests == 7 && e[0].Served.Bytes == 70 && e[0].Served.Started.Equal(started)
	})
	// An edge that does not report leaves Served zero.
	tr.Observe(Heartbeat{Edge: "old", Applied: 1})
	for _, e := range tr.Edges() {
		if e.ID == "old" && !e.Served.Started.IsZero() {
			t.Fatalf("served without a report: %+v", e)
		}
	}
}

// WaitFor waits for the edges it names, not for every live edge: an edge
// that lags does not hold it up unless named, and it ends with its context.
func TestTrackerWaitFor(t *testing.T) {
	t.Parallel()
	srv := startServer(t, t.TempDir(), 0)
	cfg := testConfig(srv.ClientURL())
	tr, err := NewTracker(connect(t, cfg, "tracker"), cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer tr.Close()
	cancelled, cancel := context.WithCancel(context.Background())
	cancel()
	tr.Observe(Heartbeat{Edge: "behind", Applied: 1})
	done := make(chan error, 1)
	go func() { done <- tr.WaitFor(context.Background(), []string{"a", "b"}, 5) }()
	tr.Observe(Heartbeat{Edge: "a", Applied: 5})
	tr.Observe(Heartbeat{Edge: "b", Applied: 4})
	if err := tr.WaitFor(cancelled, []string{"a", "b"}, 5); err != context.Canceled {
		t.Fatalf("WaitFor with b at 4 of 5: %v, want it to wait", err)
	}
	tr.Observe(Heartbeat{Edge: "b", Applied: 6})
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if err := tr.WaitFor(cancelled, []string{"a", "b"}, 5); err != nil {
		t.Errorf("WaitFor for edges already there: %v", err)
	}
	if err := tr.WaitFor(cancelled, []string{"a", "unknown"}, 5); err != context.Canceled {
		t.Errorf("WaitFor for an edge never heard: %v", err)
	}
}
