package origin

import (
	"context"
	"log/slog"
	"time"

	"github.com/mediacdn/mediacdn/origin/meta"
)

// EventKind says what happened to an asset.
type EventKind string

// Event kinds.
const (
	EventCreated         EventKind = "created"
	EventOverwritten     EventKind = "overwritten"
	EventRenamed         EventKind = "renamed"
	EventDestroyed       EventKind = "destroyed"
	EventMetadataChanged EventKind = "metadata_changed"
)

// Event is one mutation of an asset, emitted after it is committed.
type Event struct {
	Kind EventKind
	// Asset is the asset's key; for a rename, its old key.
	Asset meta.Key
	// To is a renamed asset's new key.
	To meta.Key
	// OldVersion is the version before the mutation (0 for a new asset);
	// NewVersion the version after (0 when destroyed).
	OldVersion, NewVersion int64
	// ReplacedVersion is, for a rename with overwrite, the version of the
	// asset that was at To and is gone now (0 when there was none).
	ReplacedVersion int64
	// Invalidate is set when the caller asked for a CDN invalidation.
	Invalidate bool
	// Restricted is set when the call set the asset's access mode to
	// authenticated: its unsigned URLs, which edges may have cached, stop
	// being public and are purged whether or not the caller asked to
	// invalidate.
	Restricted bool
	Time       time.Time
}

// Invalidation identifies a published purge; zero when none was published.
type Invalidation struct {
	ID  string `json:"id"`
	Seq uint64 `json:"sequence"`
}

// Events receives every mutation. It is the one place purges are published
// from: Emit takes the events of one call, in order, and returns once the
// invalidation they call for (one for all of them) is durably stored, so
// that an API response never reports a purge that could be lost.
type Events interface {
	Emit(ctx context.Context, events ...Event) (Invalidation, error)
}

// LogEvents only logs events; it publishes nothing.
type LogEvents struct{ Log *slog.Logger }

// Emit logs the events.
func (l LogEvents) Emit(_ context.Context, events ...Event) (Invalidation, error) {
	for _, e := range events {
		l.Log.Debug("asset event", "kind", e.Kind, "cloud", e.Asset.Cloud, "public_id", e.Asset.PublicID,
			"old_version", e.OldVersion, "new_version", e.NewVersion, "invalidate", e.Invalidate,
			"restricted", e.Restricted)
	}
	return Invalidation{}, nil
}
