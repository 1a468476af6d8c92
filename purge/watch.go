package purge

import (
	"context"
	"errors"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// watch checks periodically (a quarter of the caught-up bound), on every
// reconnection and as soon as a session has subscribed whether the edge is
// caught up with the stream; it restarts a consumer that stalls, and trims
// the index.
func (s *Subscriber) watch(ctx context.Context) {
	status := s.nc.StatusChanged(nats.CONNECTED)
	defer s.nc.RemoveStatusListener(status)
	tick := time.NewTicker(max(s.cfg.CaughtUpBound/4, 10*time.Millisecond))
	defer tick.Stop()
	trim := time.NewTicker(time.Minute)
	defer trim.Stop()
	for {
		s.check(ctx)
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		case <-status:
		case <-s.checkNow:
		case <-trim.C:
			s.ix.Trim()
		}
	}
}

// check asks the stream for its last sequence and records the answer.
func (s *Subscriber) check(ctx context.Context) {
	at := s.cu.now()
	// What was applied before asking is what the answer must not be below:
	// rules applied while the request is out may well be above it.
	s.applyMu.Lock()
	appliedBefore, createdBefore := s.applied(), s.created
	s.applyMu.Unlock()
	if createdBefore.IsZero() {
		// No session has opened the stream yet (it creates a missing one,
		// and records why it could not): nothing to check against.
		return
	}
	cctx, cancel := context.WithTimeout(ctx, s.cfg.CaughtUpBound)
	defer cancel()
	st, err := s.js.Stream(cctx, s.cfg.StreamName())
	if err != nil {
		if ctx.Err() == nil {
			s.cu.failed(err)
		}
		return
	}
	info := st.CachedInfo()
	if leaderless(info) {
		// A replica's answer while the stream elects its leader: its last
		// sequence may be behind what the stream acknowledged.
		s.cu.failed(errNoLeader)
		return
	}
	s.applyMu.Lock()
	applied, created := s.applied(), s.created
	s.applyMu.Unlock()
	if !created.Equal(createdBefore) {
		return // a session resumed meanwhile; the next check judges it
	}
	if !info.Created.Equal(created) || info.State.LastSeq < appliedBefore {
		s.log.Warn("purge stream replaced; restarting the consumer", "applied", appliedBefore, "stream_last", info.State.LastSeq)
		s.cu.failed(errors.New("stream replaced"))
		s.requestRestart()
		return
	}
	s.cu.observed(at, info.State.LastSeq, applied)
	if s.cu.stalled(2*s.cfg.CaughtUpBound) && s.requestRestart() {
		s.log.Warn("purge consumer stalled; restarting", "applied", applied, "stream_last", info.State.LastSeq)
	}
}

var errNoLeader = errors.New("purge stream has no leader (electing one)")

// leaderless reports whether info comes from a replica of a stream in a
// NATS cluster that has no leader: the replica answers with its own state,
// which may lack rules the stream has stored.
func leaderless(info *jetstream.StreamInfo) bool {
	return info.Cluster != nil && info.Cluster.Leader == ""
}

// requestRestart asks the running session to end (run starts another);
// false when a request is pending already.
func (s *Subscriber) requestRestart() bool {
	select {
	case s.restart <- struct{}{}:
		s.restarts.Add(1)
		return true
	default:
		return false
	}
}
