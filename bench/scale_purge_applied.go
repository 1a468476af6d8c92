package bench

import (
	"context"
	"crypto/md5"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/valyala/fasthttp"

	"github.com/mediacdn/mediacdn/purge"
)

// The purge part's default measure, "applied": each edge records when it
// applied each rule (the moment its cache stops serving what the rule
// covers; GET /purge/applies on its metrics listener), the bench learns
// that every edge has applied a purge from the heartbeats edges send after
// applying (it subscribes to them, as the origin does), and then reads
// each edge's apply time once. Propagation is the edge's apply time minus
// the time the API answered, on the same machine's clock. Nothing polls
// the edges while a purge propagates, so the bench takes no CPU from them.
// Correctness is then checked with one GET per edge: the new bytes, never
// the old.

// appliedData is what measurePurgesApplied measures at one edge count.
type appliedData struct {
	Purges   int
	Timeouts int
	// AppliedMs per purge: API answer → the last edge applied its rule
	// (0 when every edge applied it before the answer came back).
	AppliedMs []float64
	// FirstMs per purge: API answer → the first edge applied it.
	FirstMs []float64
	// StoredMs per purge: the stream stored the rule → the last edge
	// applied it (the delivery path alone).
	StoredMs []float64
	APIMs    []float64
	// EdgeMs holds each edge's own delays, in start order.
	EdgeMs [][]float64
}

// heartbeatWatch follows the edges' heartbeats (a purge.Tracker, as the
// origin's): the last sequence each edge says it applied.
type heartbeatWatch struct {
	nc *nats.Conn
	tr *purge.Tracker
}

func watchHeartbeats(natsPort int) (*heartbeatWatch, error) {
	nc, err := nats.Connect("nats://"+loopbackAddr(natsPort), nats.Name("mediacdn-bench"))
	if err != nil {
		return nil, fmt.Errorf("bench: connect to NATS: %w", err)
	}
	tr, err := purge.NewTracker(nc, purge.Config{})
	if err != nil {
		nc.Close()
		return nil, fmt.Errorf("bench: %w", err)
	}
	return &heartbeatWatch{nc: nc, tr: tr}, nil
}

func (w *heartbeatWatch) close() { w.nc.Close() }

// wait returns once every edge of ids has said it applied seq; false
// after d.
func (w *heartbeatWatch) wait(ids []string, seq uint64, d time.Duration) bool {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	return w.tr.WaitFor(ctx, ids, seq) == nil
}

// edgeApply reads when an edge applied the rule at seq from its metrics
// listener.
func edgeApply(hc *fasthttp.HostClient, metricsURL string, seq uint64) (purge.Apply, error) {
	f, err := get(hc, metricsURL, "/purge/applies?after="+strconv.FormatUint(seq-1, 10))
	if err != nil {
		return purge.Apply{}, err
	}
	if f.Status != 200 {
		return purge.Apply{}, fmt.Errorf("bench: %s/purge/applies answered %d", metricsURL, f.Status)
	}
	var ans struct {
		Applies []purge.Apply `json:"applies"`
	}
	if err := json.Unmarshal(f.Body, &ans); err != nil {
		return purge.Apply{}, fmt.Errorf("bench: %s/purge/applies: %w", metricsURL, err)
	}
	for _, a := range ans.Applies {
		if a.Seq == seq {
			return a, nil
		}
	}
	return purge.Apply{}, fmt.Errorf("bench: %s has no apply of sequence %d", metricsURL, seq)
}

// measurePurgesApplied overwrites one asset n times with invalidate=true
// and measures, from each edge's own apply times, how long after the API
// answered every edge stopped serving the old bytes; after each, one GET
// per edge must serve the new bytes.
func measurePurgesApplied(ctx context.Context, e *env, c *cluster, hb *heartbeatWatch, files [2]photo, n int, label string) (appliedData, error) {
	api := newAPIClient(c.OriginURL, e.o)
	id := "bench/purge"
	path := deliveryPath(e.o.Cloud, variant{Ext: "jpg"}, 0, id)
	d := appliedData{EdgeMs: make([][]float64, len(c.EdgeURLs))}
	clients := make([]*fasthttp.HostClient, len(c.EdgeURLs))
	metrics := make([]*fasthttp.HostClient, len(c.EdgeURLs))
	ids := make([]string, len(c.EdgeURLs))
	for i, u := range c.EdgeURLs {
		hc, err := newHostClient(u, 1, purgeWait)
		if err != nil {
			return d, err
		}
		mc, err := newHostClient(c.EdgeMetrics[i], 1, purgeWait)
		if err != nil {
			return d, err
		}
		clients[i], metrics[i], ids[i] = hc, mc, edgeName(i)
		defer hc.CloseIdleConnections()
		defer mc.CloseIdleConnections()
	}
	// The first upload (unmeasured) invalidates too, so that edges of an
	// earlier measurement drop what they hold.
	first, err := api.upload(ctx, id, files[0].File, files[0].Data, map[string]string{"invalidate": "true"})
	if err != nil {
		return d, err
	}
	if first.Invalidation == nil || first.Invalidation.Sequence == 0 {
		return d, errors.New("bench: the overwrite's answer has no invalidation sequence")
	}
	if !hb.wait(ids, first.Invalidation.Sequence, purgeWait) {
		return d, fmt.Errorf("bench: the first upload of %s was not applied by every edge within %v", path, purgeWait)
	}
	start := time.Now()
	var done, timeouts atomic.Int64 // the watch reads them from its own goroutine
	stop := e.p.watch(func() string {
		k := done.Load()
		return fmt.Sprintf("%-10s %s %5.1fs %5d/%d purges  timeouts %d", label, bar(float64(k)/float64(n)), since(start), k, n, timeouts.Load())
	})
	defer stop()
	for i := 0; i < n && ctx.Err() == nil && time.Since(start) < purgeBound; i++ {
		cur, next := files[i%2], files[(i+1)%2]
		if err := holdOnEdges(c, clients, path, cur.MD5); err != nil {
			return d, fmt.Errorf("purge %d: %w", i, err)
		}
		t0 := time.Now()
		res, err := api.upload(ctx, id, next.File, next.Data, map[string]string{"invalidate": "true"})
		if err != nil {
			return d, err
		}
		answered := time.Now()
		if res.Invalidation == nil || res.Invalidation.Sequence == 0 {
			return d, errors.New("bench: the overwrite's answer has no invalidation sequence")
		}
		seq := res.Invalidation.Sequence
		ok := hb.wait(ids, seq, purgeWait)
		done.Add(1)
		if !ok {
			timeouts.Add(1)
			continue
		}
		worst, first, stored := time.Duration(0), time.Duration(1<<62), time.Duration(0)
		for k := range c.EdgeURLs {
			a, err := edgeApply(metrics[k], c.EdgeMetrics[k], seq)
			if err != nil {
				return d, fmt.Errorf("purge %d: %w", i, err)
			}
			after := max(a.Applied.Sub(answered), 0)
			d.EdgeMs[k] = append(d.EdgeMs[k], ms(after))
			worst, first, stored = max(worst, after), min(first, after), max(stored, a.Applied.Sub(a.Stored))
		}
		// Every edge has applied the rule: one GET each must bring the new
		// bytes (a fill), never the old.
		for k, hc := range clients {
			f, err := get(hc, c.EdgeURLs[k], path)
			if err != nil {
				return d, err
			}
			switch sum := md5.Sum(f.Body); {
			case f.Status == 200 && sum == next.MD5:
			case sum == cur.MD5:
				return d, fmt.Errorf("purge %d: %s served the old bytes after applying the purge (%s)", i, c.EdgeURLs[k], f.CacheStatus)
			default:
				return d, fmt.Errorf("purge %d: %s answered %d with other bytes after the purge", i, c.EdgeURLs[k], f.Status)
			}
		}
		d.AppliedMs, d.FirstMs = append(d.AppliedMs, ms(worst)), append(d.FirstMs, ms(first))
		d.StoredMs, d.APIMs = append(d.StoredMs, ms(stored)), append(d.APIMs, ms(answered.Sub(t0)))
	}
	d.Purges, d.Timeouts = len(d.AppliedMs), int(timeouts.Load())
	if d.Purges == 0 {
		return d, errors.New("bench: no purge was applied by every edge")
	}
	return d, nil
}
