package purge

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/mediacdn/mediacdn/delivery"
	"github.com/mediacdn/mediacdn/internal/testkit"
)

func caughtUp(e *edge) func() bool { return e.sub.CaughtUp }

func TestPublishReachesThreeSubscribers(t *testing.T) {
	t.Parallel()
	srv := startServer(t, t.TempDir(), 0)
	cfg := testConfig(srv.ClientURL())
	pub := newPublisher(t, cfg)
	tr, err := NewTracker(connect(t, cfg, "tracker"), cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer tr.Close()
	edges := []*edge{startEdge(t, cfg, "e1"), startEdge(t, cfg, "e2"), startEdge(t, cfg, "e3", "demo")}
	for _, e := range edges {
		testkit.Eventually(t, testkit.Timeout, "edge caught up", caughtUp(e))
	}
	tg := target(t, "/demo/image/upload/c_fill,w_10/v3/folder/pic.jpg", false)
	stamps := make([]uint64, len(edges))
	for i, e := range edges {
		stamps[i] = e.ix.Seq() // fills start
	}
	other := publish(t, pub, NewFlush("other"))
	seq := publish(t, pub, NewAsset("demo", Mode{}, delivery.Image, delivery.Upload, "folder/pic", 3))
	if seq != other+1 {
		t.Errorf("sequences %d then %d", other, seq)
	}
	for i, e := range edges {
		waitApplied(t, e, seq)
		if !e.ix.Covered(&tg, stamps[i]) {
			t.Errorf("edge %d: entry not covered", i)
		}
		if e.ix.Covered(&tg, e.ix.Seq()) {
			t.Errorf("edge %d: new entry covered", i)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := tr.Wait(ctx, seq); err != nil {
		t.Fatalf("tracker Wait: %v", err)
	}
	testkit.Eventually(t, testkit.Timeout, "tracker sees 3 edges", func() bool {
		applied, live := tr.Count(seq)
		return applied == 3 && live == 3
	})
	if got := len(tr.Edges()); got != 3 {
		t.Errorf("Edges() has %d", got)
	}
}

func TestPublishIsIdempotentByID(t *testing.T) {
	t.Parallel()
	srv := startServer(t, t.TempDir(), 0)
	pub := newPublisher(t, testConfig(srv.ClientURL()))
	r := NewNamed("demo", "thumb")
	r.ID = "inv-42"
	first := publish(t, pub, r)
	again := NewNamed("demo", "thumb")
	again.ID = "inv-42"
	if second := publish(t, pub, again); second != first {
		t.Errorf("republished id: sequence %d, want %d", second, first)
	}
	if _, err := pub.Publish(context.Background(), &Rule{Kind: KindAsset, Cloud: "demo"}); !errors.Is(err, ErrInvalidRule) {
		t.Errorf("invalid rule: err %v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if last, err := pub.LastSeq(ctx); err != nil || last != first {
		t.Errorf("LastSeq = %d, %v; want %d", last, err, first)
	}
}

// An edge cut off from NATS reports "not caught up" once the bound has
// passed, replays what was published meanwhile when the network heals, and
// is caught up again. The tracker stops counting it while it is silent.
func TestSubscriberCatchesUpAfterPartition(t *testing.T) {
	t.Parallel()
	srv := startServer(t, t.TempDir(), 0)
	cfg := testConfig(srv.ClientURL())
	pub := newPublisher(t, cfg)
	tr, err := NewTracker(connect(t, cfg, "tracker"), cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer tr.Close()
	px := newProxy(t, srv.ClientURL())
	e := startEdge(t, testConfig(px.URL()), "cut")
	testkit.Eventually(t, testkit.Timeout, "caught up", caughtUp(e))
	stamp := e.ix.Seq()

	px.cut()
	testkit.Eventually(t, testkit.Timeout, "not caught up after the bound", func() bool { return !e.sub.CaughtUp() })
	if st := e.sub.State(); st.CaughtUp || st.Reason == "" {
		t.Errorf("state while cut: %+v", st)
	}
	var last uint64
	for i := 0; i < 5; i++ {
		last = publish(t, pub, NewAsset("demo", Mode{}, delivery.Image, delivery.Upload, fmt.Sprint("a", i), 0))
	}
	testkit.Eventually(t, testkit.Timeout, "silent edge dropped by the tracker", func() bool {
		_, live := tr.Count(last)
		return live == 0
	})
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := tr.Wait(ctx, last); err != nil {
		t.Errorf("Wait with no live edge: %v", err)
	}

	px.restore()
	waitApplied(t, e, last)
	testkit.Eventually(t, testkit.Timeout, "caught up again", caughtUp(e))
	for i := 0; i < 5; i++ {
		tg := target(t, fmt.Sprintf("/demo/image/upload/a%d.jpg", i), false)
		if !e.ix.Covered(&tg, stamp) {
			t.Errorf("a%d not covered after catching up", i)
		}
	}
	if st := e.sub.State(); st.Flushes != 0 || st.Applied != last {
		t.Errorf("state after catching up: %+v", st)
	}
	testkit.Eventually(t, testkit.Timeout, "tracker counts the edge again", func() bool {
		applied, live := tr.Count(last)
		return applied == 1 && live == 1
	})
}

// While the edge is cut off the stream loses rules it has not applied: the
// edge flushes its clouds and goes on.
func TestSubscriberFlushesWhenStreamLostRules(t *testing.T) {
	t.Parallel()
	srv := startServer(t, t.TempDir(), 0)
	cfg := testConfig(srv.ClientURL())
	pub := newPublisher(t, cfg)
	px := newProxy(t, srv.ClientURL())
	e := startEdge(t, testConfig(px.URL()), "gap", "demo", "shop")
	testkit.Eventually(t, testkit.Timeout, "caught up", caughtUp(e))
	first := publish(t, pub, NewNamed("demo", "x"))
	waitApplied(t, e, first)
	stamp := e.ix.Seq()

	px.cut()
	for i := 0; i < 3; i++ {
		publish(t, pub, NewAsset("demo", Mode{}, delivery.Image, delivery.Upload, fmt.Sprint("lost", i), 0))
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	js, err := jetstream.New(connect(t, cfg, "admin"))
	if err != nil {
		t.Fatal(err)
	}
	s, err := js.Stream(ctx, cfg.StreamName())
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Purge(ctx); err != nil {
		t.Fatal(err)
	}
	after := publish(t, pub, NewAsset("demo", Mode{}, delivery.Image, delivery.Upload, "kept", 0))

	px.restore()
	waitApplied(t, e, after)
	testkit.Eventually(t, testkit.Timeout, "caught up again", caughtUp(e))
	if st := e.sub.State(); st.Flushes == 0 {
		t.Errorf("no flush after losing rules: %+v", st)
	}
	for _, uri := range []string{"/demo/image/upload/lost1.jpg", "/demo/image/upload/unrelated.jpg", "/shop/video/upload/x.mp4"} {
		tg := target(t, uri, false)
		if !e.ix.Covered(&tg, stamp) {
			t.Errorf("%s filled before the gap is not covered", uri)
		}
		if e.ix.Covered(&tg, e.ix.Seq()) {
			t.Errorf("%s filled after the gap is covered", uri)
		}
	}
}

// The embedded server restarts on the same store and port: the stream and
// its sequences survive, and the edge resumes where it was.
func TestSubscriberResumesAfterServerRestart(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	srv := startServer(t, dir, 0)
	port := portOf(t, srv.ClientURL())
	cfg := testConfig(srv.ClientURL())
	pub := newPublisher(t, cfg)
	e := startEdge(t, cfg, "restart")
	testkit.Eventually(t, testkit.Timeout, "caught up", caughtUp(e))
	s1 := publish(t, pub, NewFlush("demo"))
	waitApplied(t, e, s1)

	srv.Shutdown()
	testkit.Eventually(t, testkit.Timeout, "not caught up while the server is down", func() bool { return !e.sub.CaughtUp() })
	startServer(t, dir, port)

	var s2 uint64
	testkit.Eventually(t, testkit.Timeout, "publish after restart", func() bool {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		seq, err := pub.Publish(ctx, NewAsset("demo", Mode{}, delivery.Raw, delivery.Upload, "doc.pdf", 0))
		s2 = seq
		return err == nil
	})
	if s2 != s1+1 {
		t.Errorf("sequence after restart %d, want %d", s2, s1+1)
	}
	waitApplied(t, e, s2)
	testkit.Eventually(t, testkit.Timeout, "caught up after restart", caughtUp(e))
	if st := e.sub.State(); st.Flushes != 0 {
		t.Errorf("flushed across a restart that lost nothing: %+v", st)
	}
}

// A rule the edge cannot decode flushes its cloud.
func TestSubscriberFlushesOnUndecodableRule(t *testing.T) {
	t.Parallel()
	srv := startServer(t, t.TempDir(), 0)
	cfg := testConfig(srv.ClientURL())
	newPublisher(t, cfg) // creates the stream
	e := startEdge(t, cfg, "odd")
	testkit.Eventually(t, testkit.Timeout, "caught up", caughtUp(e))
	stamp := e.ix.Seq()
	js, err := jetstream.New(connect(t, cfg, "raw"))
	if err != nil {
		t.Fatal(err)
	}
	ack, err := js.Publish(context.Background(), cfg.RuleSubject("demo"), []byte(`{"v":9,"kind":"teleport"}`))
	if err != nil {
		t.Fatal(err)
	}
	waitApplied(t, e, ack.Sequence)
	tg := target(t, "/demo/image/upload/anything.jpg", false)
	if !e.ix.Covered(&tg, stamp) {
		t.Error("undecodable rule did not flush its cloud")
	}
}

// Wait answers "pending" while a live edge has not applied the sequence,
// and returns once it has.
func TestTrackerWaitPending(t *testing.T) {
	t.Parallel()
	srv := startServer(t, t.TempDir(), 0)
	cfg := testConfig(srv.ClientURL())
	cfg.LiveWindow = 3 * time.Second
	pub := newPublisher(t, cfg)
	tr, err := NewTracker(connect(t, cfg, "tracker"), cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer tr.Close()
	px := newProxy(t, srv.ClientURL())
	ecfg := testConfig(px.URL())
	ecfg.LiveWindow = cfg.LiveWindow
	e := startEdge(t, ecfg, "slow")
	testkit.Eventually(t, testkit.Timeout, "edge live", func() bool { _, live := tr.Count(0); return live == 1 })
	px.cut()
	seq := publish(t, pub, NewNamed("demo", "x"))
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if err := tr.Wait(ctx, seq); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Wait while the edge has not applied: %v, want deadline exceeded", err)
	}
	if applied, live := tr.Count(seq); applied != 0 || live != 1 {
		t.Errorf("Count = %d of %d, want 0 of 1", applied, live)
	}
	px.restore()
	ctx2, cancel2 := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel2()
	if err := tr.Wait(ctx2, seq); err != nil {
		t.Fatalf("Wait after the edge resumed: %v", err)
	}
	if e.sub.Applied() < seq {
		t.Errorf("Wait returned before the edge applied %d", seq)
	}
}

// Propagation at the transport level: from Publish (stored and
// acknowledged) to all of three subscribers having applied the rule, and
// to the origin's tracker having heard so from all of them.
func BenchmarkPropagation(b *testing.B) {
	srv := startServer(b, b.TempDir(), 0)
	cfg := testConfig(srv.ClientURL())
	cfg.HeartbeatInterval, cfg.LiveWindow = time.Second, 5*time.Second
	pub := newPublisher(b, cfg)
	tr, err := NewTracker(connect(b, cfg, "tracker"), cfg)
	if err != nil {
		b.Fatal(err)
	}
	defer tr.Close()
	edges := []*edge{startEdge(b, cfg, "b1"), startEdge(b, cfg, "b2"), startEdge(b, cfg, "b3")}
	for _, e := range edges {
		testkit.Eventually(b, testkit.Timeout, "caught up", caughtUp(e))
	}
	testkit.Eventually(b, testkit.Timeout, "tracker sees 3 edges", func() bool { _, live := tr.Count(0); return live == 3 })
	applied := make([]time.Duration, 0, b.N)
	confirmed := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		start := time.Now()
		seq := publish(b, pub, NewAsset("demo", Mode{}, delivery.Image, delivery.Upload, fmt.Sprint("bench/", i), 0))
		for _, e := range edges {
			waitApplied(b, e, seq)
		}
		applied = append(applied, time.Since(start))
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		if err := tr.Wait(ctx, seq); err != nil {
			b.Fatal(err)
		}
		cancel()
		confirmed = append(confirmed, time.Since(start))
	}
	b.StopTimer()
	b.ReportMetric(percentile(applied, 50), "p50-applied-µs")
	b.ReportMetric(percentile(applied, 99), "p99-applied-µs")
	b.ReportMetric(percentile(confirmed, 50), "p50-confirmed-µs")
	b.ReportMetric(percentile(confirmed, 99), "p99-confirmed-µs")
}

// percentile returns the p-th percentile of ds in microseconds.
func percentile(ds []time.Duration, p int) float64 {
	s := slices.Clone(ds)
	slices.Sort(s)
	i := (len(s)*p + 99) / 100
	i = min(max(i-1, 0), len(s)-1)
	return float64(s[i]) / float64(time.Microsecond)
}

// The stream is deleted and created again (sequences restart at 1): the
// edge notices, flushes, and keeps applying the new stream's rules.
func TestSubscriberSurvivesReplacedStream(t *testing.T) {
	t.Parallel()
	srv := startServer(t, t.TempDir(), 0)
	cfg := testConfig(srv.ClientURL())
	pub := newPublisher(t, cfg)
	e := startEdge(t, cfg, "replaced")
	testkit.Eventually(t, testkit.Timeout, "caught up", caughtUp(e))
	publish(t, pub, NewNamed("demo", "a"))
	waitApplied(t, e, publish(t, pub, NewNamed("demo", "b")))
	stamp := e.ix.Seq()

	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	js, err := jetstream.New(connect(t, cfg, "admin"))
	if err != nil {
		t.Fatal(err)
	}
	if err := js.DeleteStream(ctx, cfg.StreamName()); err != nil {
		t.Fatal(err)
	}
	pub = newPublisher(t, cfg)
	seq := publish(t, pub, NewAsset("demo", Mode{}, delivery.Image, delivery.Upload, "new", 0))
	if seq != 1 {
		t.Fatalf("new stream's first sequence %d", seq)
	}
	testkit.Eventually(t, testkit.Timeout, "flush after the stream was replaced", func() bool { return e.sub.State().Flushes > 0 })
	tg := target(t, "/demo/image/upload/new.jpg", false)
	if !e.ix.Covered(&tg, stamp) {
		t.Error("entry filled before the replacement not covered")
	}
	stamp = e.ix.Seq()
	next := publish(t, pub, NewAsset("demo", Mode{}, delivery.Image, delivery.Upload, "newer", 0))
	waitApplied(t, e, next)
	tg = target(t, "/demo/image/upload/newer.jpg", false)
	if !e.ix.Covered(&tg, stamp) {
		t.Error("rule of the new stream not applied")
	}
	testkit.Eventually(t, testkit.Timeout, "caught up with the new stream", caughtUp(e))
}

// The watchdog asks the stream for its last sequence while rules keep
// arriving: rules applied during that request must not look like a
// replaced stream (which restarts the consumer and holds purges back for
// ReconnectWait).
func TestWatchdogDoesNotRestartUnderSteadyPurges(t *testing.T) {
	t.Parallel()
	srv := startServer(t, t.TempDir(), 0)
	cfg := testConfig(srv.ClientURL())
	cfg.CaughtUpBound = 200 * time.Millisecond // a check every 50 ms, and server calls bounded by 200 ms: a loaded machine does not stall them
	pub := newPublisher(t, cfg)
	e := startEdge(t, cfg, "e1")
	testkit.Eventually(t, testkit.Timeout, "edge caught up", caughtUp(e))
	var seq uint64
	for i := 0; i < 1500; i++ {
		seq = publish(t, pub, NewAsset("demo", Mode{}, delivery.Image, delivery.Upload, fmt.Sprintf("p/%d", i), 3))
	}
	waitApplied(t, e, seq)
	if st := e.sub.State(); st.Restarts != 0 || st.Flushes != 0 {
		t.Fatalf("%d consumer restarts and %d flushes under steady purges", st.Restarts, st.Flushes)
	}
}

// An edge that starts before any origin, on a NATS server without the
// purge stream, creates the stream itself and is caught up as soon as it
// has subscribed: it never asks for the stream before its session opened
// it (no "stream not found"), and does not wait for the periodic check,
// here a quarter of a minute away.
func TestSubscriberOnEmptyServerIsCaughtUpAtOnce(t *testing.T) {
	t.Parallel()
	srv := startServer(t, t.TempDir(), 0)
	cfg := testConfig(srv.ClientURL())
	cfg.CaughtUpBound = time.Minute
	e := startEdge(t, cfg, "first")
	var reasons []string
	testkit.Eventually(t, 10*time.Second, "caught up before the periodic check", func() bool {
		st := e.sub.State()
		if st.Reason != "" && !slices.Contains(reasons, st.Reason) {
			reasons = append(reasons, st.Reason)
		}
		return st.CaughtUp
	})
	for _, r := range reasons {
		if strings.Contains(r, "not found") {
			t.Errorf("the edge reported %q", r)
		}
	}
	// The stream it created is the one an origin publishes to.
	pub := newPublisher(t, cfg)
	waitApplied(t, e, publish(t, pub, NewFlush("demo")))
}
