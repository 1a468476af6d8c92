package origin

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"time"

	"github.com/nats-io/nats.go"

	"github.com/mediacdn/mediacdn/config"
	"github.com/mediacdn/mediacdn/purge"
)

// Purger turns asset events into purge rules (purge_rules.go) and publishes
// them over JetStream; it is the origin's Events when NATS is configured.
// Emit returns only once the stream has stored every rule.
type Purger struct {
	nc      *nats.Conn
	cfg     purge.Config
	tracker *purge.Tracker
	ledger  *purge.Ledger
	clouds  config.Clouds
	log     *slog.Logger

	mu  sync.Mutex       // guards pub
	pub *purge.Publisher // made by Start, else on first use (NATS was down at start)
}

// NewPurger publishes on nc and follows edge heartbeats.
func NewPurger(nc *nats.Conn, cfg purge.Config, clouds config.Clouds, log *slog.Logger) (*Purger, error) {
	tr, err := purge.NewTracker(nc, cfg)
	if err != nil {
		return nil, err
	}
	return &Purger{nc: nc, cfg: cfg, tracker: tr, ledger: purge.NewLedger(100_000), clouds: clouds, log: log}, nil
}

// Close stops following heartbeats.
func (p *Purger) Close() error { return p.tracker.Close() }

// startTimeout bounds creating the purge stream in Start.
const startTimeout = 10 * time.Second

// Start makes the publisher, which creates the purge stream (or updates it
// to this origin's settings), as the origin starts: the stream then exists
// before any edge of the same process subscribes. A failure is only
// logged: the origin starts anyway, and the first purge (or an edge that
// subscribes first) creates the stream.
func (p *Purger) Start(ctx context.Context) {
	if !p.nc.IsConnected() {
		p.log.Warn("NATS not reachable yet: the purge stream will be created by the first purge or edge")
		return
	}
	ctx, cancel := context.WithTimeout(ctx, startTimeout)
	defer cancel()
	if _, err := p.publisher(ctx); err != nil {
		p.log.Warn("purge stream not created yet: the first purge or edge will create it", "err", err)
	}
}

// publisher returns the publisher, creating the stream on first use.
func (p *Purger) publisher(ctx context.Context) (*purge.Publisher, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.pub == nil {
		pub, err := purge.NewPublisher(ctx, p.nc, p.cfg)
		if err != nil {
			return nil, err
		}
		p.pub = pub
	}
	return p.pub, nil
}

// Emit publishes the rules that the events of one call need (rulesOf) as
// one invalidation: one id, returned once every rule is stored.
func (p *Purger) Emit(ctx context.Context, events ...Event) (Invalidation, error) {
	if len(events) == 0 {
		return Invalidation{}, nil
	}
	var rules []*purge.Rule
	needed := false
	for _, e := range events {
		rules = append(rules, rulesOf(e, purge.ModeOf(p.clouds[e.Asset.Cloud]))...)
		needed = needed || e.Invalidate || e.Restricted
	}
	inv, err := p.publish(ctx, rules...)
	if !needed {
		// "created" rules are housekeeping: if NATS is down, edges keep a
		// cached 404 until it expires (edge.negative_ttl); the upload stands.
		if err != nil {
			p.log.Warn("created rule not published; cached 404s expire on their own",
				"public_id", events[0].Asset.PublicID, "events", len(events), "err", err)
		}
		return Invalidation{}, nil
	}
	return inv, err
}

// publish stores rules in the stream, in order, and returns the
// invalidation: the first rule's id and the last rule's sequence (edges
// apply in order, so the last one applied means all are).
func (p *Purger) publish(ctx context.Context, rules ...*purge.Rule) (Invalidation, error) {
	var inv Invalidation
	for _, r := range rules {
		if inv.ID == "" {
			if r.ID == "" {
				r.ID = purge.NewID()
			}
			inv.ID = r.ID
		}
		pub, err := p.publisher(ctx)
		if err != nil {
			p.log.Error("purge stream unavailable", "err", err)
			return Invalidation{}, err
		}
		seq, err := pub.Publish(ctx, r)
		if err != nil {
			p.log.Error("purge not published", "kind", r.Kind, "cloud", r.Cloud, "public_id", r.PublicID, "err", err)
			return Invalidation{}, err
		}
		inv.Seq = seq
	}
	if inv.ID != "" {
		p.ledger.Record(inv.ID, inv.Seq)
	}
	return inv, nil
}

// InvalidationStatus says how far an invalidation has reached.
type InvalidationStatus struct {
	ID           string `json:"id"`
	Sequence     uint64 `json:"sequence"`
	Status       string `json:"status"` // applied (by every live edge) or pending
	EdgesApplied int    `json:"edges_applied"`
	EdgesLive    int    `json:"edges_live"`
}

// Status reports an invalidation by id; false when the id is unknown.
func (p *Purger) Status(id string) (InvalidationStatus, bool) {
	seq, ok := p.ledger.Seq(id)
	if !ok {
		return InvalidationStatus{}, false
	}
	return p.status(Invalidation{ID: id, Seq: seq}), true
}

func (p *Purger) status(inv Invalidation) InvalidationStatus {
	st := InvalidationStatus{ID: inv.ID, Sequence: inv.Seq, Status: "applied"}
	st.EdgesApplied, st.EdgesLive = p.tracker.Count(inv.Seq)
	if st.EdgesApplied < st.EdgesLive {
		st.Status = "pending"
	}
	return st
}

// Wait waits up to d for every live edge to apply inv, then reports.
func (p *Purger) Wait(ctx context.Context, inv Invalidation, d time.Duration) InvalidationStatus {
	if d > 0 {
		wctx, cancel := context.WithTimeout(ctx, d)
		err := p.tracker.Wait(wctx, inv.Seq)
		cancel()
		if err != nil && !errors.Is(err, context.DeadlineExceeded) && !errors.Is(err, context.Canceled) {
			p.log.Warn("waiting for edges", "err", err)
		}
	}
	return p.status(inv)
}
