package purge

import (
	"context"
	"fmt"
	"github.com/mediacdn/mediacdn/internal/testkit"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/mediacdn/mediacdn/delivery"
)

// startTestCluster starts three clustered NATS servers and stops them when the
// test ends.
func startTestCluster(t testing.TB) *Cluster {
	t.Helper()
	cl, err := StartCluster(3, t.TempDir(), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(cl.Close)
	return cl
}

// clusterConfig is testConfig on the cluster's servers, the first one
// first, with the stream replicated on all three.
func clusterConfig(cl *Cluster, first int) Config {
	urls := cl.URLs()
	cfg := testConfig(append(urls[first:], urls[:first]...)...)
	cfg.Stream.Replicas = 3
	return cfg
}

// streamInfo asks the cluster, through nc's server, about the purge stream.
func streamInfo(t testing.TB, js jetstream.JetStream, cfg Config) (*jetstream.StreamInfo, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	s, err := js.Stream(ctx, cfg.StreamName())
	if err != nil {
		return nil, err
	}
	return s.CachedInfo(), nil
}

// waitStreamHealthy polls until the purge stream has a leader and every
// replica of want (server names) is current, and returns the leader.
func waitStreamHealthy(t testing.TB, js jetstream.JetStream, cfg Config, want ...string) string {
	t.Helper()
	var leader string
	testkit.Eventually(t, 30*time.Second, "stream with a leader and current replicas "+fmt.Sprint(want), func() bool {
		info, err := streamInfo(t, js, cfg)
		if err != nil || info.Cluster == nil || info.Cluster.Leader == "" {
			return false
		}
		current := []string{info.Cluster.Leader}
		for _, p := range info.Cluster.Replicas {
			if p.Current && !p.Offline {
				current = append(current, p.Name)
			}
		}
		for _, w := range want {
			if !slices.Contains(current, w) {
				return false
			}
		}
		leader = info.Cluster.Leader
		return true
	})
	return leader
}

// serverIndex is the index in cl of the server named name.
func serverIndex(t testing.TB, cl *Cluster, name string) int {
	t.Helper()
	for i := 0; i < cl.Len(); i++ {
		if s := cl.Server(i); s != nil && s.Name() == name {
			return i
		}
	}
	t.Fatalf("no running server %q", name)
	return -1
}

func names(cl *Cluster, skip int) []string {
	var n []string
	for i := 0; i < cl.Len(); i++ {
		if s := cl.Server(i); s != nil && i != skip {
			n = append(n, s.Name())
		}
	}
	return n
}

func stormPath(i int) string { return fmt.Sprintf("storm/%d", i) }

// storm publishes rules first…first+n-1 from 8 publishers as fast as
// acknowledgements allow, calling mid once a third are acknowledged, and
// returns the acknowledged sequences by rule number. A failed publish
// fails the test: Publish retries what a dead server did not acknowledge.
func storm(t *testing.T, pub *Publisher, first, n int, mid func()) map[int]uint64 {
	t.Helper()
	var (
		mu    sync.Mutex
		acked = map[int]uint64{}
		once  sync.Once
		wg    sync.WaitGroup
		next  = make(chan int)
	)
	for w := 0; w < 8; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
				seq, err := pub.Publish(ctx, NewAsset("demo", Mode{}, delivery.Image, delivery.Upload, stormPath(i), 0))
				cancel()
				if err != nil {
					t.Errorf("rule %d not published: %v", i, err)
					continue
				}
				mu.Lock()
				acked[i] = seq
				done := len(acked)
				mu.Unlock()
				if done >= n/3 && mid != nil {
					once.Do(mid)
				}
			}
		}()
	}
	for i := first; i < first+n; i++ {
		next <- i
	}
	close(next)
	wg.Wait()
	return acked
}

// checkApplied checks that every edge applied every acknowledged rule
// (stamp: the index sequence before the storm), without flushing, and that
// the stream stored each rule once.
func checkApplied(t *testing.T, js jetstream.JetStream, cfg Config, edges []*edge, stamps []uint64, acked map[int]uint64, total int) {
	t.Helper()
	var last uint64
	seqs := map[uint64]int{}
	for i, seq := range acked {
		last = max(last, seq)
		if j, dup := seqs[seq]; dup {
			t.Errorf("rules %d and %d acknowledged with the same sequence %d", i, j, seq)
		}
		seqs[seq] = i
	}
	for k, e := range edges {
		ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
		err := e.sub.WaitApplied(ctx, last)
		cancel()
		if err != nil {
			t.Fatalf("edge %d: sequence %d not applied (applied %d, state %+v)", k, last, e.sub.Applied(), e.sub.State())
		}
		missed := 0
		for i := range acked {
			tg := target(t, "/demo/image/upload/"+stormPath(i)+".jpg", false)
			if !e.ix.Covered(&tg, stamps[k]) {
				missed++
			}
		}
		if st := e.sub.State(); missed > 0 || st.Flushes != 0 {
			t.Errorf("edge %d: %d of %d acknowledged rules not applied, %d flushes (state %+v)", k, missed, len(acked), st.Flushes, st)
		}
	}
	info, err := streamInfo(t, js, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if info.State.Msgs != uint64(total) || info.State.LastSeq != last {
		t.Errorf("stream holds %d rules up to %d; want %d up to %d (a retried publish stored twice, or one lost)",
			info.State.Msgs, info.State.LastSeq, total, last)
	}
}

// steer reconnects nc until it is connected to url.
func steer(t testing.TB, nc *nats.Conn, url string) {
	t.Helper()
	testkit.Eventually(t, 10*time.Second, "connected to "+url, func() bool {
		if !nc.IsConnected() {
			return false
		}
		if nc.ConnectedUrl() == url {
			return true
		}
		if err := nc.ForceReconnect(); err != nil {
			t.Fatal(err)
		}
		return false
	})
}

// stormFailover runs a purge storm over a three-server cluster with the
// stream replicated three times and stops one server in the middle of it:
// the stream's leader, or a follower. The publisher and two of the three
// edges are connected to that server.
func stormFailover(t *testing.T, stopLeader bool) {
	cl := startTestCluster(t)
	cfg := clusterConfig(cl, 0)
	pnc := connect(t, cfg, "origin")
	pub, err := NewPublisher(context.Background(), pnc, cfg)
	if err != nil {
		t.Fatal(err)
	}
	js, err := jetstream.New(connect(t, cfg, "admin"))
	if err != nil {
		t.Fatal(err)
	}
	leader := waitStreamHealthy(t, js, cfg, names(cl, -1)...)
	if info, err := streamInfo(t, js, cfg); err != nil || info.Config.Replicas != 3 {
		t.Fatalf("stream replicas: %v, %v", info, err)
	}
	victim := serverIndex(t, cl, leader)
	if !stopLeader {
		victim = (victim + 1) % cl.Len()
	}
	victimURL := cl.URLs()[victim]
	var edges []*edge
	var stamps []uint64
	for k := 0; k < 3; k++ {
		e := startEdge(t, clusterConfig(cl, k), fmt.Sprint("edge-", k))
		if k < 2 {
			steer(t, e.sub.nc, victimURL)
		}
		testkit.Eventually(t, 10*time.Second, "edge caught up", caughtUp(e))
		edges = append(edges, e)
		stamps = append(stamps, e.ix.Seq())
	}
	steer(t, pnc, victimURL)
	reconnects := pnc.Stats().Reconnects

	const n = 2000
	acked := storm(t, pub, 0, n, func() {
		if info, err := streamInfo(t, js, cfg); err != nil || info.Cluster == nil || info.Cluster.Leader != leader {
			t.Errorf("stream leader mid-storm: %+v, %v; want %s still leading", info.Cluster, err, leader)
		}
		cl.Stop(victim)
	})
	if len(acked) != n {
		t.Fatalf("%d of %d rules acknowledged", len(acked), n)
	}
	if pnc.Stats().Reconnects == reconnects {
		t.Error("the publisher did not have to reconnect")
	}
	for k, e := range edges[:2] {
		if e.sub.nc.ConnectedUrl() == victimURL {
			t.Errorf("edge %d still on the stopped server", k)
		}
	}
	checkApplied(t, js, cfg, edges, stamps, acked, n)
	t.Logf("server %d stopped mid-storm; %d publish attempts retried", victim, pub.Retries())
}

// Purges keep flowing when the server leading the purge stream dies in a
// purge storm: the publisher retries what was not acknowledged (stored
// once), edges reconnect to the others and apply every rule.
func TestClusterStormSurvivesLeaderLoss(t *testing.T) { stormFailover(t, true) }

// The same when a server that follows the stream's leader dies.
func TestClusterStormSurvivesFollowerLoss(t *testing.T) { stormFailover(t, false) }

// A server stopped and restarted rejoins the cluster and catches up on
// what was stored without it: once it is current, another server can die
// and the two left (it one of them) still hold and serve every rule.
//
// It starts from a stream made with one replica, which an origin asking
// for three scales.
func TestClusterServerRejoins(t *testing.T) {
	cl := startTestCluster(t)
	cfg := clusterConfig(cl, 0)
	js, err := jetstream.New(connect(t, cfg, "admin"))
	if err != nil {
		t.Fatal(err)
	}
	one := cfg
	one.Stream.Replicas = 1
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if _, err := EnsureStream(ctx, js, one); err != nil {
		t.Fatal(err)
	}
	pub := newPublisher(t, cfg)
	waitStreamHealthy(t, js, cfg, names(cl, -1)...)
	if info, err := streamInfo(t, js, cfg); err != nil || info.Config.Replicas != 3 {
		t.Fatalf("stream not scaled to 3 replicas: %+v, %v", info.Config, err)
	}
	e := startEdge(t, clusterConfig(cl, 2), "edge")
	testkit.Eventually(t, 10*time.Second, "edge caught up", caughtUp(e))
	stamp := e.ix.Seq()

	cl.Stop(1)
	acked := storm(t, pub, 0, 200, nil)
	if err := cl.Restart(1); err != nil {
		t.Fatal(err)
	}
	waitStreamHealthy(t, js, cfg, names(cl, -1)...)
	cl.Stop(0)
	for i, seq := range storm(t, pub, 200, 200, nil) {
		acked[i] = seq
	}
	t.Logf("%d publish attempts retried", pub.Retries())
	checkApplied(t, js, cfg, []*edge{e}, []uint64{stamp}, acked, 400)
}

// When the servers refuse to scale the purge stream to stream.replicas
// (five asked of a cluster of three servers), EnsureStream keeps the
// stream's replica count and still updates its other settings, and purges
// keep flowing. (A server merely down does not make JetStream refuse: it
// places a replica on it, to be caught up when it is back.)
func TestStreamKeepsReplicasWhenScalingRefused(t *testing.T) {
	cl := startTestCluster(t)
	one := clusterConfig(cl, 0)
	one.Stream.Replicas = 1
	js, err := jetstream.New(connect(t, one, "admin"))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if _, err := EnsureStream(ctx, js, one); err != nil {
		t.Fatal(err)
	}
	waitStreamHealthy(t, js, one)
	five := clusterConfig(cl, 1)
	five.Stream.Replicas = 5
	five.Stream.MaxAge = 3 * time.Hour
	pub, err := NewPublisher(ctx, connect(t, five, "origin"), five)
	if err != nil {
		t.Fatalf("a publisher asking for 5 replicas of 3 servers: %v", err)
	}
	info, err := streamInfo(t, js, one)
	if err != nil {
		t.Fatal(err)
	}
	if c := info.Config; c.Replicas != 1 || c.MaxAge != 3*time.Hour {
		t.Errorf("stream after a refused scale: replicas %d, max age %v; want 1 and 3h (kept, updated)", c.Replicas, c.MaxAge)
	}
	e := startEdge(t, clusterConfig(cl, 2), "edge")
	testkit.Eventually(t, 10*time.Second, "edge caught up", caughtUp(e))
	waitApplied(t, e, publish(t, pub, NewFlush("demo")))
}
