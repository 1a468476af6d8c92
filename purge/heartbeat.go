package purge

import (
	"context"
	"encoding/json"
	"time"
)

// Heartbeat is what an edge reports on Config.HeartbeatSubject, JSON
// encoded: periodically (Config.HeartbeatInterval) and at once after
// applying rules.
type Heartbeat struct {
	// Edge is the edge id.
	Edge string `json:"edge"`
	// Applied is the last stream sequence the edge has applied.
	Applied uint64 `json:"applied"`
	// CaughtUp is the edge's CaughtUp.
	CaughtUp bool `json:"caught_up"`
	// Time is when the edge sent it.
	Time time.Time `json:"time"`
	// Served is what the edge has served since it started (zero when the
	// edge does not report it); the origin's usage report sums it.
	Served Served `json:"served,omitzero"`
}

// Served counts what an edge has served since it started: every delivery
// request, and the response body bytes sent. Both only grow while the edge
// runs; Started tells one run from the next.
type Served struct {
	Started  time.Time `json:"started"`
	Requests int64     `json:"requests"`
	Bytes    int64     `json:"bytes"`
}

// minHeartbeatGap spaces the heartbeats that follow applies during a
// burst of rules.
const minHeartbeatGap = 250 * time.Microsecond

// heartbeats sends a heartbeat now, every HeartbeatInterval, and after
// each apply (coalesced, at most one per minHeartbeatGap).
func (s *Subscriber) heartbeats(ctx context.Context) {
	tick := time.NewTicker(s.cfg.HeartbeatInterval)
	defer tick.Stop()
	for {
		sent := time.Now()
		s.sendHeartbeat()
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		case <-s.kick:
			if !pause(ctx, minHeartbeatGap-time.Since(sent)) {
				return
			}
		}
	}
}

// pause waits for d (nothing when d <= 0); false means ctx ended.
func pause(ctx context.Context, d time.Duration) bool {
	if d <= 0 {
		return ctx.Err() == nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}

func (s *Subscriber) sendHeartbeat() {
	hb := Heartbeat{Edge: s.opts.EdgeID, Applied: s.Applied(), CaughtUp: s.CaughtUp(), Time: time.Now()}
	if s.opts.Served != nil {
		hb.Served = s.opts.Served()
	}
	data, err := json.Marshal(hb)
	if err != nil {
		return
	}
	if err := s.nc.Publish(s.cfg.HeartbeatSubject(), data); err != nil {
		s.log.Debug("purge heartbeat not sent", "err", err)
	}
}
