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
