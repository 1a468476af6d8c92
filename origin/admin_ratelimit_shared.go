package origin

import (
	"context"
	"time"

	"github.com/mediacdn/mediacdn/origin/api"
	"github.com/mediacdn/mediacdn/origin/meta"
)

// sharedCounter is the Admin API's rate counter (api.Counter) in the
// metadata store, so that a cloud's hourly limit holds over every origin
// sharing it: one upsert (meta's AddCount, named "admin:<cloud>", the
// window the hour) adds the call and returns the count. A count the
// store refuses fails the call (500), as the call would fail on the same
// store.
type sharedCounter struct {
	store meta.CountStore
}

// AddCount implements api.Counter.
func (c sharedCounter) AddCount(ctx context.Context, cloud string, hour time.Time, n int) (int, error) {
	used, err := c.store.AddCount(ctx, "admin:"+cloud, hour, int64(n))
	return int(used), err
}

// adminCounter is the Admin API's rate counter for a metadata store:
// shared on PostgreSQL, where other origins may count too; nil (in memory,
// as before) on SQLite, which one origin has alone.
func adminCounter(m meta.Store) api.Counter {
	if _, ok := m.(*meta.SQLite); ok {
		return nil
	}
	return sharedCounter{store: m}
}
