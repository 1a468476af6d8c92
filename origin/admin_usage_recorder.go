package origin

import (
	"context"
	"time"

	"github.com/mediacdn/mediacdn/origin/meta"
)

// usageRecordEvery is how often the usage recorder writes every cloud's
// figures of the day.
const usageRecordEvery = time.Hour

// usageRecorder writes each cloud's usage figures as the day's row
// (meta.UsageHistoryStore), and what live edges report serving, when the
// origin starts and then every usageRecordEvery: the only writer of the
// usage history (a read of today's usage counts it live and writes
// nothing). The last write of a day is the day's figures. At start it
// also records when the store first saw each cloud (GET config's
// created_at).
type usageRecorder struct {
	s *Server
	worker
}

func newUsageRecorder(s *Server) *usageRecorder { return &usageRecorder{s: s, worker: newWorker()} }

func (u *usageRecorder) start() { u.worker.start(usageRecordEvery, 0, u.record, nil) }

// close stops the recorder and waits for a write in progress.
func (u *usageRecorder) close() { u.worker.close(nil) }

// record writes every cloud's figures of the day.
func (u *usageRecorder) record() {
	for _, cloud := range u.s.clouds.Names() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		if _, err := u.s.meta.CloudCreated(ctx, cloud, u.s.now().UTC()); err != nil {
			u.s.log.Error("usage: cloud created", "cloud", cloud, "err", err)
		}
		if err := u.s.recordUsage(ctx, cloud); err != nil {
			u.s.log.Error("usage: record", "cloud", cloud, "err", err)
		}
		cancel()
	}
}

// recordUsage records what live edges report serving, then counts a
// cloud's figures now and records them as today's (UTC).
func (s *Server) recordUsage(ctx context.Context, cloud string) error {
	now := s.now().UTC()
	if err := s.meta.RecordServed(ctx, s.liveServed()); err != nil {
		return err
	}
	f, err := s.usageNow(ctx, cloud, now, nil)
	if err != nil {
		return err
	}
	return s.meta.RecordDailyUsage(ctx, cloud, f, now)
}

// usageNow counts a cloud's figures as of now (their day is now's, UTC),
// with the counters of live edges as if recorded, and writes nothing.
func (s *Server) usageNow(ctx context.Context, cloud string, now time.Time, live []meta.Served) (meta.DailyUsage, error) {
	u, err := s.meta.Usage(ctx, cloud)
	if err != nil {
		return meta.DailyUsage{}, err
	}
	requests, bytes, err := s.meta.Served(ctx, live)
	if err != nil {
		return meta.DailyUsage{}, err
	}
	return meta.DailyUsage{Day: now.UTC().Format("2006-01-02"), Transformations: u.Transformations,
		Objects: u.Assets + u.Derived, Bandwidth: bytes, Storage: u.AssetBytes + u.DerivedBytes + u.BackupBytes,
		Requests: requests, Resources: u.Assets, DerivedResources: u.Derived}, nil
}

// liveServed is what live edges report serving (their heartbeats; none
// without a purger).
func (s *Server) liveServed() []meta.Served {
	if s.purger == nil {
		return nil
	}
	var served []meta.Served
	for _, e := range s.purger.tracker.Edges() {
		if !e.Served.Started.IsZero() {
			served = append(served, meta.Served{Edge: e.ID, Started: e.Served.Started,
				Requests: e.Served.Requests, Bytes: e.Served.Bytes})
		}
	}
	return served
}
