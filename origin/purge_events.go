package origin

import (
	"context"
	"log/slog"
	"time"

	"github.com/mediacdn/mediacdn/origin/meta"
)

// EventKind says what happened to an asset, or to a set of them.
type EventKind string

// Event kinds.
const (
	EventCreated         EventKind = "created"
	EventOverwritten     EventKind = "overwritten"
	EventRenamed         EventKind = "renamed"
	EventDestroyed       EventKind = "destroyed"
	EventMetadataChanged EventKind = "metadata_changed"
	// EventDerivedDeleted: derived resources of the asset were deleted and
	// its original kept (keep_original or transformations in a bulk
	// deletion, DELETE /derived_resources, a deleted transformation). A
	// bulk deletion emits it for every asset it selected, also one that
	// had none left to delete, so that a call retried after a failed
	// publish still purges.
	EventDerivedDeleted EventKind = "derived_deleted"
	// EventPrefixDeleted: a bulk deletion by prefix, or of all assets (an
	// empty Prefix), of Asset's resource type and type. Each asset it
	// deleted has an event of its own; this one carries the invalidation,
	// which one rule covers.
	EventPrefixDeleted EventKind = "prefix_deleted"
	// EventTransformationDeleted: the named transformation Named was
	// deleted, with its derived resources. (Deleting an unnamed
	// transformation is an EventDerivedDeleted per asset.)
	EventTransformationDeleted EventKind = "transformation_deleted"
	// EventInvalidated: a call asked to purge URLs and changed nothing
	// there: an operator's invalidation (POST /invalidations: the asset
	// Asset, the prefix Prefix, the named transformation Named, or All),
	// or a public ID a bulk deletion named that has no asset (so that a
	// call retried after a failed publish still purges).
	EventInvalidated EventKind = "invalidated"
)

// Event is one mutation of an asset, or of a set of assets, emitted after
// it is committed.
type Event struct {
	Kind EventKind
	// Asset is the asset's key; for a rename, its old key. An event about
	// many assets sets its Cloud (and, for a prefix, its ResourceType and
	// Type) only.
	Asset meta.Key
	// To is a renamed asset's new key.
	To meta.Key
	// OldVersion is the version before the mutation (0 for a new asset);
	// NewVersion the version after (0 when destroyed).
	OldVersion, NewVersion int64
	// ReplacedVersion is, for a rename with overwrite, the version of the
	// asset that was at To and is gone now (0 when there was none).
	ReplacedVersion int64
	// Prefix is the public ID prefix of EventPrefixDeleted and of a
	// prefix's EventInvalidated.
	Prefix string
	// Derived limits the event to derived resources (the originals stay):
	// set on EventDerivedDeleted, and on a bulk deletion's events with
	// keep_original.
	Derived bool
	// Transformations are the transformations whose derived resources the
	// event concerns, as the call named them ("tx" or "tx/<format>"); none
	// means all of them. They imply Derived.
	Transformations []string
	// Named is the named transformation of EventTransformationDeleted and
	// of a named EventInvalidated, as a URL names it ("t_<name>"; an
	// operator may leave out the "t_").
	Named string
	// All is set on the EventInvalidated of every URL of Asset.Cloud.
	All bool
	// Invalidate is set when the caller asked for a CDN invalidation.
	// Deleting a transformation and an operator's invalidation always set
	// it. In a deletion by prefix, the prefix's event carries it and its
	// assets' events do not.
	Invalidate bool
	// Restricted is set when the call set who may see the asset (its
	// access_mode or access_control): its unsigned URLs, which edges may
	// have cached for anyone or for token holders only, are purged whether
	// or not the caller asked to invalidate.
	Restricted bool
	Time       time.Time
}

// Invalidation identifies a published purge; zero when none was published.
type Invalidation struct {
	ID  string `json:"id"`
	Seq uint64 `json:"sequence"`
}

// Events receives every mutation. It is the one way a purge leaves the
// origin: Emit takes the events of one call, in order, and returns once the
// invalidation they call for (one for all of them; purge_rules.go says
// which rules) is durably stored, so that an API response never reports a
// purge that could be lost.
type Events interface {
	Emit(ctx context.Context, events ...Event) (Invalidation, error)
}

// LogEvents only logs events; it publishes nothing.
type LogEvents struct{ Log *slog.Logger }

// Emit logs the events.
func (l LogEvents) Emit(_ context.Context, events ...Event) (Invalidation, error) {
	for _, e := range events {
		l.Log.Debug("asset event", "kind", e.Kind, "cloud", e.Asset.Cloud, "public_id", e.Asset.PublicID,
			"prefix", e.Prefix, "named", e.Named, "transformations", e.Transformations,
			"old_version", e.OldVersion, "new_version", e.NewVersion, "invalidate", e.Invalidate,
			"restricted", e.Restricted)
	}
	return Invalidation{}, nil
}
