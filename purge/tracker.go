package purge

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"sync"
	"time"

	"github.com/nats-io/nats.go"
)

// EdgeStatus is what the origin knows of one edge.
type EdgeStatus struct {
	ID       string
	Applied  uint64
	CaughtUp bool
	// Seen is when its last heartbeat arrived.
	Seen time.Time
	// Served is what the edge reported having served (zero if it does not).
	Served Served
}

// Tracker follows the edges' heartbeats on the origin side: which edges are
// live (heard from within Config.LiveWindow) and which sequence each has
// applied, so that the API can say how many edges have applied an
// invalidation and wait for all of them. It is safe for concurrent use.
type Tracker struct {
	window time.Duration
	now    func() time.Time
	sub    *nats.Subscription

	mu sync.Mutex
	// edges, guarded by mu: by edge id, including edges no longer live
	// (dropped after 10 windows).
	edges map[string]EdgeStatus
	// changed, guarded by mu: closed and replaced on every heartbeat.
	changed chan struct{}
}

// NewTracker subscribes to heartbeats on nc.
func NewTracker(nc *nats.Conn, cfg Config) (*Tracker, error) {
	cfg.ApplyDefaults()
	t := &Tracker{
		window: cfg.LiveWindow, now: time.Now,
		edges: map[string]EdgeStatus{}, changed: make(chan struct{}),
	}
	sub, err := nc.Subscribe(cfg.HeartbeatSubject(), t.receive)
	if err != nil {
		return nil, fmt.Errorf("nats: subscribe to heartbeats: %w", err)
	}
	t.sub = sub
	return t, nil
}

// Close stops following heartbeats.
func (t *Tracker) Close() error { return t.sub.Unsubscribe() }

func (t *Tracker) receive(m *nats.Msg) {
	var hb Heartbeat
	if err := json.Unmarshal(m.Data, &hb); err != nil || hb.Edge == "" {
		return
	}
	t.Observe(hb)
}

// Observe records a heartbeat (NewTracker's subscription calls it).
func (t *Tracker) Observe(hb Heartbeat) {
	now := t.now()
	t.mu.Lock()
	defer t.mu.Unlock()
	prev := t.edges[hb.Edge]
	applied := hb.Applied
	if hb.Applied < prev.Applied && now.Sub(prev.Seen) < t.window {
		applied = prev.Applied // a late, reordered heartbeat
	}
	t.edges[hb.Edge] = EdgeStatus{ID: hb.Edge, Applied: applied, CaughtUp: hb.CaughtUp, Seen: now, Served: hb.Served}
	for id, e := range t.edges {
		if now.Sub(e.Seen) > 10*t.window {
			delete(t.edges, id)
		}
	}
	close(t.changed)
	t.changed = make(chan struct{})
}

// Edges returns the live edges, sorted by id.
func (t *Tracker) Edges() []EdgeStatus {
	now := t.now()
	t.mu.Lock()
	defer t.mu.Unlock()
	out := make([]EdgeStatus, 0, len(t.edges))
	for _, e := range t.edges {
		if now.Sub(e.Seen) <= t.window {
			out = append(out, e)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

// Count returns how many live edges have applied sequence seq, and how
// many edges are live.
func (t *Tracker) Count(seq uint64) (applied, live int) {
	applied, live, _ = t.count(seq)
	return applied, live
}

func (t *Tracker) count(seq uint64) (applied, live int, changed chan struct{}) {
	now := t.now()
	t.mu.Lock()
	defer t.mu.Unlock()
	for _, e := range t.edges {
		if now.Sub(e.Seen) > t.window {
			continue
		}
		live++
		if e.Applied >= seq {
			applied++
		}
	}
	return applied, live, t.changed
}

// WaitFor returns nil once each edge of ids has said it applied seq,
// whatever other edges are live (Wait waits for every live edge), or the
// context's error: for a caller that knows the edges it started.
func (t *Tracker) WaitFor(ctx context.Context, ids []string, seq uint64) error {
	for {
		t.mu.Lock()
		all, changed := true, t.changed
		for _, id := range ids {
			if t.edges[id].Applied < seq {
				all = false
				break
			}
		}
		t.mu.Unlock()
		if all {
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-changed:
		}
	}
}

// Wait returns nil once every live edge has applied seq (at once when no
// edge is live: an edge that stops reporting drops out after the live
// window, and by then it has stopped trusting unversioned entries), or the
// context's error, for the API to answer "pending".
func (t *Tracker) Wait(ctx context.Context, seq uint64) error {
	tick := time.NewTicker(t.window / 4)
	defer tick.Stop()
	for {
		applied, live, changed := t.count(seq)
		if applied == live {
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-changed:
		case <-tick.C: // edges drop out as time passes
		}
	}
}
