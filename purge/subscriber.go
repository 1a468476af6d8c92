package purge

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/mediacdn/mediacdn/metrics"
)

// SubscriberOptions say who an edge is and what it serves.
type SubscriberOptions struct {
	// EdgeID names the edge in heartbeats; required and unique per edge.
	EdgeID string
	// Clouds are the clouds the edge serves: rules of other clouds are
	// skipped, and a gap in the stream flushes these. Empty means every
	// cloud.
	Clouds []string
	// Log receives the subscriber's logs. Nil means slog.Default().
	Log *slog.Logger
	// Served, when set, reports what the edge has served; heartbeats carry
	// it (purge/heartbeat.go). It must be safe to call from any goroutine.
	Served func() Served
}

// State is a subscriber's state, for a readiness endpoint.
type State struct {
	// CaughtUp is false when the edge could not confirm, within
	// Config.CaughtUpBound, that it has applied every stored rule: it must
	// then revalidate unversioned entries with the origin.
	CaughtUp bool
	// Reason says why CaughtUp is false.
	Reason string
	// Applied is the last applied stream sequence.
	Applied uint64
	// StreamLast is the stream's last sequence at the newest check.
	StreamLast uint64
	// Confirmed is when the edge was last confirmed caught up (zero if
	// never).
	Confirmed time.Time
	// Flushes counts the flushes caused by rules lost from the stream.
	Flushes uint64
	// LastFlush says why the last of them happened ("" for none): the
	// stream replaced, or the sequences it no longer holds.
	LastFlush string
	// Restarts counts the consumer restarts the watchdog asked for (a
	// replaced stream, a stalled consumer).
	Restarts uint64
	// Connected reports the NATS connection's state.
	Connected bool
}

// Subscriber applies the purge stream to an edge's Index, in order and
// with nothing lost: it consumes from the last applied sequence, resumes
// after reconnects, flushes its clouds when the stream no longer holds the
// rules it missed, reports whether it is caught up, and sends heartbeats
// with its applied sequence.
type Subscriber struct {
	cfg    Config
	opts   SubscriberOptions
	nc     *nats.Conn
	js     jetstream.JetStream
	ix     *Index
	log    *slog.Logger
	served map[string]bool // nil: every cloud; immutable
	cu     *catchup

	applyMu sync.Mutex
	// base, guarded by applyMu: index sequence = base + stream sequence
	// (non-zero only after the stream was replaced).
	base uint64
	// created, guarded by applyMu: the stream's creation time, to notice
	// a replaced stream.
	created time.Time

	// recent remembers when the newest rules were applied; delay is the
	// stored → applied histogram of every rule applied.
	recent applies
	delay  *metrics.Histogram

	flushes   atomic.Uint64
	lastFlush atomic.Pointer[string] // why the last flush happened (State.LastFlush)
	restarts  atomic.Uint64
	kick      chan struct{} // a heartbeat is due (buffered 1)
	restart   chan struct{} // the consumer must be recreated (buffered 1)
	checkNow  chan struct{} // a session has subscribed: check at once (buffered 1)

	notifyMu sync.Mutex
	// notify, guarded by notifyMu: closed and replaced after each apply.
	notify chan struct{}

	startOnce sync.Once
	cancel    context.CancelFunc // set by Start
	wg        sync.WaitGroup
}

// NewSubscriber returns a subscriber that applies the stream to ix over
// nc. Start starts it.
func NewSubscriber(nc *nats.Conn, ix *Index, cfg Config, opts SubscriberOptions) (*Subscriber, error) {
	if opts.EdgeID == "" {
		return nil, errors.New("purge: subscriber needs an edge id")
	}
	cfg.ApplyDefaults()
	js, err := jetstream.New(nc)
	if err != nil {
		return nil, fmt.Errorf("nats: jetstream: %w", err)
	}
	s := &Subscriber{
		cfg: cfg, opts: opts, nc: nc, js: js, ix: ix,
		log:      opts.Log,
		cu:       newCatchup(cfg.CaughtUpBound),
		kick:     make(chan struct{}, 1),
		restart:  make(chan struct{}, 1),
		checkNow: make(chan struct{}, 1),
		notify:   make(chan struct{}),
		delay:    newApplyDelayHistogram(),
	}
	if s.log == nil {
		s.log = slog.Default()
	}
	s.log = s.log.With("component", "purge", "edge", opts.EdgeID)
	if len(opts.Clouds) > 0 {
		s.served = map[string]bool{}
		for _, c := range opts.Clouds {
			s.served[c] = true
		}
	}
	return s, nil
}

// Start starts consuming in the background and returns at once: an edge
// must not wait for NATS to serve (it is "not caught up" until it has
// confirmed). Call Close to stop.
func (s *Subscriber) Start(ctx context.Context) {
	s.startOnce.Do(func() {
		ctx, s.cancel = context.WithCancel(ctx)
		s.wg.Add(3)
		go func() { defer s.wg.Done(); s.run(ctx) }()
		go func() { defer s.wg.Done(); s.watch(ctx) }()
		go func() { defer s.wg.Done(); s.heartbeats(ctx) }()
	})
}

// Close stops the subscriber and waits for its goroutines. It does not
// close the connection.
func (s *Subscriber) Close() {
	s.startOnce.Do(func() {})
	if s.cancel != nil {
		s.cancel()
	}
	s.wg.Wait()
}

// CaughtUp reports whether the edge has confirmed, within the bound, that
// it has applied every stored rule. Cheap enough for the hit path.
func (s *Subscriber) CaughtUp() bool { return s.cu.caughtUp() }

// Applied returns the last applied stream sequence.
func (s *Subscriber) Applied() uint64 {
	s.applyMu.Lock()
	defer s.applyMu.Unlock()
	return s.applied()
}

// applied is Applied with s.applyMu held.
func (s *Subscriber) applied() uint64 { return s.ix.Seq() - s.base }

// State returns the subscriber's state.
func (s *Subscriber) State() State {
	st := State{Applied: s.Applied(), Flushes: s.flushes.Load(), Restarts: s.restarts.Load(), Connected: s.nc.IsConnected()}
	if why := s.lastFlush.Load(); why != nil {
		st.LastFlush = *why
	}
	s.cu.state(&st)
	return st
}

// Applies returns when the newest rules above stream sequence seq were
// applied (up to the last 1,024 applied), oldest first.
func (s *Subscriber) Applies(seq uint64) []Apply { return s.recent.since(seq) }

// ApplyDelay is the histogram of the delays between the stream storing a
// rule and this edge applying it (seconds; the two clocks may differ
// across machines).
func (s *Subscriber) ApplyDelay() *metrics.Histogram { return s.delay }

// WaitApplied returns once the stream sequence seq is applied, or with the
// context's error.
func (s *Subscriber) WaitApplied(ctx context.Context, seq uint64) error {
	for {
		s.notifyMu.Lock()
		ch := s.notify
		s.notifyMu.Unlock()
		if s.Applied() >= seq {
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-ch:
		}
	}
}

// run keeps a consuming session going until ctx ends or the connection is
// closed.
func (s *Subscriber) run(ctx context.Context) {
	for {
		err := s.session(ctx)
		if ctx.Err() != nil {
			return
		}
		if s.nc.IsClosed() {
			s.log.Warn("purge subscriber stopped: NATS connection closed")
			return
		}
		s.cu.failed(err)
		s.log.Warn("purge subscription interrupted; resuming", "err", err, "applied", s.Applied())
		t := time.NewTimer(s.cfg.ReconnectWait)
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-t.C:
		}
	}
}

var errRestart = errors.New("purge: consumer restarted")

// session opens the stream, decides where to resume, and consumes until
// ctx ends, the consumer fails, or the watchdog asks for a restart.
//
// The consumer is the edge's own: ephemeral, in memory, on one server,
// starting after the last applied rule. Every step that needs the servers
// is bounded by cfg.CaughtUpBound, so that a server or leader lost in a
// NATS cluster costs a retry on another, not a long wait; and any error
// the consumer reports (a missed heartbeat: its server died; a
// reconnection; a deleted consumer) or a message delivered out of order
// ends the session, the next one resuming from the last applied rule. The
// rules a session delivers are therefore contiguous: a skipped stream
// sequence means the stream lost rules (handle flushes).
func (s *Subscriber) session(ctx context.Context) error {
	select {
	case <-s.restart: // a restart asked for while no session ran
	default:
	}
	octx, cancel := context.WithTimeout(ctx, s.cfg.CaughtUpBound)
	defer cancel()
	st, err := openStream(octx, s.js, s.cfg)
	if err != nil {
		return err
	}
	if leaderless(st.CachedInfo()) {
		return errNoLeader
	}
	start := s.resume(st.CachedInfo())
	hb := min(max(s.cfg.CaughtUpBound/2, 500*time.Millisecond), 5*time.Second)
	cons, err := s.js.CreateConsumer(octx, s.cfg.StreamName(), jetstream.ConsumerConfig{
		Description:       "mediacdn edge " + s.opts.EdgeID,
		DeliverPolicy:     jetstream.DeliverByStartSequencePolicy,
		OptStartSeq:       start,
		AckPolicy:         jetstream.AckNonePolicy,
		FilterSubject:     s.cfg.RuleSubjects(),
		InactiveThreshold: max(10*hb, time.Minute),
		Replicas:          1,
		MemoryStorage:     true,
	})
	if err != nil {
		return fmt.Errorf("nats: create consumer: %w", err)
	}
	defer s.deleteConsumer(cons.CachedInfo().Name)
	failed := make(chan error, 1)
	fail := func(err error) {
		select {
		case failed <- err:
		default:
		}
	}
	var stopped atomic.Bool
	var delivered uint64 // the consumer's sequence; the handler runs on one goroutine
	cc, err := cons.Consume(func(msg jetstream.Msg) {
		if stopped.Load() {
			return
		}
		md, err := msg.Metadata()
		if err != nil {
			s.log.Warn("purge message without metadata", "err", err)
			return
		}
		if md.Sequence.Consumer != delivered+1 {
			stopped.Store(true)
			fail(fmt.Errorf("nats: delivery %d after %d", md.Sequence.Consumer, delivered))
			return
		}
		delivered = md.Sequence.Consumer
		s.handle(msg.Subject(), msg.Data(), md.Sequence.Stream, md.Timestamp)
	}, jetstream.PullHeartbeat(hb), jetstream.PullExpiry(max(4*hb, 10*time.Second)),
		jetstream.ConsumeErrHandler(func(_ jetstream.ConsumeContext, err error) {
			s.log.Debug("purge consumer", "err", err)
			fail(err)
		}))
	if err != nil {
		return fmt.Errorf("nats: consume: %w", err)
	}
	defer func() {
		stopped.Store(true)
		cc.Stop()
	}()
	s.log.Debug("purge subscription started", "from", start)
	s.cu.started()
	select {
	case s.checkNow <- struct{}{}:
	default:
	}
	select {
	case <-ctx.Done():
		return ctx.Err()
	case err := <-failed:
		return fmt.Errorf("nats: consumer: %w", err)
	case <-cc.Closed():
		return errors.New("nats: consumer closed")
	case <-s.restart:
		return errRestart
	}
}

// deleteConsumer deletes a session's consumer in the background (the
// server also drops it once it has been inactive for a while).
func (s *Subscriber) deleteConsumer(name string) {
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		ctx, cancel := context.WithTimeout(context.Background(), s.cfg.CaughtUpBound)
		defer cancel()
		_ = s.js.DeleteConsumer(ctx, s.cfg.StreamName(), name)
	}()
}

// resume decides the stream sequence to consume from, flushing what the
// stream can no longer replay.
func (s *Subscriber) resume(info *jetstream.StreamInfo) uint64 {
	s.applyMu.Lock()
	defer s.applyMu.Unlock()
	first, last := info.State.FirstSeq, info.State.LastSeq
	known := !s.created.IsZero()
	if !known && s.ix.Seq() == 0 {
		// A new edge has nothing cached that the stream's past could
		// cover; whatever a fill stamped before now counts as covered.
		s.created = info.Created
		s.ix.Flush("", last)
		return last + 1
	}
	if last < s.applied() || known && !info.Created.Equal(s.created) {
		s.log.Warn("purge stream was replaced; flushing", "applied", s.applied(), "stream_last", last)
		why := fmt.Sprintf("stream replaced: applied %d, stream last %d, created %v (known %v)", s.applied(), last, info.Created, s.created)
		s.base = s.ix.Seq() + 1
		s.created = info.Created
		s.flushServed(s.base+last, why)
		s.cu.reset()
		return last + 1
	}
	s.created = info.Created
	if applied := s.applied(); first > applied+1 {
		s.gap(applied, first)
	}
	return s.applied() + 1
}

// gap flushes the served clouds because the stream lost the rules after
// applied and before next. s.applyMu must be held.
func (s *Subscriber) gap(applied, next uint64) {
	s.log.Warn("purge stream no longer holds missed rules; flushing", "applied", applied, "first_available", next)
	s.flushServed(s.base+next-1, fmt.Sprintf("rules lost: applied %d, next available %d", applied, next))
}

// flushServed flushes every served cloud at index sequence seq, for the
// reason why. s.applyMu must be held.
func (s *Subscriber) flushServed(seq uint64, why string) {
	s.flushes.Add(1)
	s.lastFlush.Store(&why)
	if s.served == nil {
		s.ix.Flush("", seq)
		return
	}
	for c := range s.served {
		s.ix.Flush(c, seq)
	}
}

// handle applies the rule the stream stored at sequence seq at time
// stored. A session's consumer calls it from one goroutine, in stream
// order.
func (s *Subscriber) handle(subject string, data []byte, seq uint64, stored time.Time) {
	s.applyMu.Lock()
	applied := s.applied()
	if seq <= applied {
		s.applyMu.Unlock()
		return
	}
	if seq > applied+1 {
		s.gap(applied, seq)
	}
	s.apply(subject, data, seq)
	now := time.Now()
	s.applyMu.Unlock()
	s.recent.add(Apply{Seq: seq, Stored: stored, Applied: now})
	s.delay.Observe(max(now.Sub(stored), 0))
	s.afterApply(seq)
}

// apply decodes and applies the rule stored at seq. s.applyMu must be
// held.
func (s *Subscriber) apply(subject string, data []byte, seq uint64) {
	cloud := s.cfg.cloudOf(subject)
	if s.served != nil && !s.served[cloud] {
		s.ix.Advance(s.base + seq)
		return
	}
	r, err := DecodeRule(data)
	if err == nil && r.Cloud != cloud {
		err = fmt.Errorf("rule for cloud %q on the subject of %q", r.Cloud, cloud)
	}
	if err != nil {
		s.log.Warn("undecodable purge rule; flushing its cloud", "seq", seq, "cloud", cloud, "err", err)
		r = NewFlush(cloud)
	}
	r.Seq = s.base + seq
	s.ix.Apply(r)
}

// afterApply confirms catch-up, prompts a heartbeat and wakes waiters.
func (s *Subscriber) afterApply(seq uint64) {
	s.cu.applied(seq)
	select {
	case s.kick <- struct{}{}:
	default:
	}
	s.notifyMu.Lock()
	close(s.notify)
	s.notify = make(chan struct{})
	s.notifyMu.Unlock()
}
