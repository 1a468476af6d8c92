package origin

import (
	"context"
	"log/slog"
	"time"

	"github.com/mediacdn/mediacdn/origin/meta"
)

// sharedCounter counts Admin API calls in the metadata store, so that a
// cloud's hourly limit holds over every origin sharing it: one upsert
// (meta's AddCount, named "admin:<cloud>", the window the hour) adds the
// call and returns the count. The origin uses it on PostgreSQL; on SQLite
// (one origin) calls are counted in memory, as before.
//
// A count that fails (the database unreachable) lets the call through
// with the count read as 0: the limit guards the service's capacity, and
// the call itself then fails on the same database if it is down.
type sharedCounter struct {
	store meta.CountStore
	log   *slog.Logger
}

// sharedCountTimeout bounds one count.
const sharedCountTimeout = 5 * time.Second

func (c sharedCounter) add(cloud string, hour time.Time, n int64) int64 {
	ctx, cancel := context.WithTimeout(context.Background(), sharedCountTimeout)
	defer cancel()
	used, err := c.store.AddCount(ctx, "admin:"+cloud, hour, n)
	if err != nil {
		c.log.Warn("admin rate limit not counted", "cloud", cloud, "err", err)
		return 0
	}
	return used
}

// adminCounter is the Admin API's rate counter for a metadata store:
// shared on a store other origins may use, in memory on SQLite.
func adminCounter(m meta.Store, log *slog.Logger) rateCounter {
	if _, ok := m.(*meta.SQLite); ok {
		return nil
	}
	return sharedCounter{store: m, log: log}
}
