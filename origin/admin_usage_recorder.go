package origin

import (
	"context"
	"time"

	"github.com/mediacdn/mediacdn/origin/meta"
)

// usageRecordEvery is how often the usage recorder writes every cloud's
// figures of the day (besides each read of today's usage).
const usageRecordEvery = time.Hour

// usageRecorder writes each cloud's usage figures as the day's row
// (meta.UsageHistoryStore) when the origin starts and then every
// usageRecordEvery, so that a past day has figures even when nobody read
// its usage that day. The last write of a day is the day's figures. At
// start it also records when the store first saw each cloud (GET
// config's created_at).
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
		if _, err := u.s.recordUsage(ctx, cloud); err != nil {
			u.s.log.Error("usage: record", "cloud", cloud, "err", err)
		}
		cancel()
	}
}

// recordUsage counts a cloud's figures now and records them as today's
// (UTC).
func (s *Server) recordUsage(ctx context.Context, cloud string) (meta.DailyUsage, error) {
	now := s.now().UTC()
	u, err := s.meta.Usage(ctx, cloud)
	if err != nil {
		return meta.DailyUsage{}, err
	}
	requests, bytes, err := s.servedByEdges(ctx)
	if err != nil {
		return meta.DailyUsage{}, err
	}
	f := meta.DailyUsage{Day: now.Format("2006-01-02"), Transformations: u.Transformations,
		Objects: u.Assets + u.Derived, Bandwidth: bytes, Storage: u.AssetBytes + u.DerivedBytes + u.BackupBytes,
		Requests: requests, Resources: u.Assets, DerivedResources: u.Derived}
	return f, s.meta.RecordDailyUsage(ctx, cloud, f, now)
}

// servedByEdges records what live edges report serving (their heartbeats)
// and returns the total over every edge run recorded.
func (s *Server) servedByEdges(ctx context.Context) (int64, int64, error) {
	if s.purger != nil {
		var served []meta.Served
		for _, e := range s.purger.tracker.Edges() {
			if !e.Served.Started.IsZero() {
				served = append(served, meta.Served{Edge: e.ID, Started: e.Served.Started,
					Requests: e.Served.Requests, Bytes: e.Served.Bytes})
			}
		}
		if err := s.meta.RecordServed(ctx, served); err != nil {
			return 0, 0, err
		}
	}
	return s.meta.Served(ctx)
}
