package meta

import (
	"context"
	"errors"
	"time"

	"github.com/mediacdn/mediacdn/delivery"
)

// Errors of the store.
var (
	ErrNotFound = errors.New("meta: not found")
	ErrExists   = errors.New("meta: already exists")
)

// Key identifies an asset. Its resource type and type are the URL's typed
// values; the store writes and reads them as their names (delivery's Value
// and Scan), so nothing parses them back.
type Key struct {
	Cloud        string
	ResourceType delivery.ResourceType // image, video or raw
	Type         delivery.DeliveryType // upload, private, authenticated or fetch
	PublicID     string
}

// Asset is one asset's current version.
type Asset struct {
	Key
	// Seq is the store's ordering key for the asset: assigned when the
	// asset is created, increasing with creation order, and kept across
	// overwrites, updates and renames (so a listing cursor stays stable).
	// Set by the store; ignored on writes.
	Seq              int64
	AssetID          string // random 32-hex id, stable across overwrites and renames
	Version          int64  // unix seconds of this version, strictly increasing per key
	VersionID        string // random 32-hex id of this version
	Format           string // jpg, png, mp4... ("" for raw files)
	Bytes            int64
	Width, Height    int
	Pages            int
	ETag             string // md5 hex of the bytes
	Blob             string // blob key of the original
	CreatedAt        time.Time
	UpdatedAt        time.Time
	Tags             []string
	Context          map[string]string
	Metadata         map[string]any
	ModerationStatus string // pending, approved or rejected ("" when never moderated)
	ModerationKind   string // the moderation queue: manual, webpurify...
	Coordinates      Coordinates
	OriginalFilename string
	AssetFolder      string
	DisplayName      string
	Eager            []string // eager transformations requested at upload or explicit
	// AccessMode is AccessPublic or AccessAuthenticated (delivered only
	// through signed URLs, whatever the type). Put stores "" as the
	// overwritten asset's mode, or AccessPublic for a new asset.
	AccessMode string
	// AccessControl limits unsigned delivery (accesscontrol.go). Put
	// stores nil as the overwritten asset's, or none for a new asset.
	AccessControl []AccessRule
	// Backup overrides the cloud's backup setting for this version (the
	// Upload API's backup parameter): true keeps its original as a backup
	// when it stops being current, false never does; nil follows the
	// cloud's setting.
	Backup *bool
	// Analysis, when set, is stored by Put as the new version's analysis
	// (AnalysisStore) in the same transaction, so that the version and what
	// was computed from it are committed together. Nothing reads it back:
	// Analysis returns it.
	Analysis []byte
}

// Access modes of an asset.
const (
	AccessPublic        = "public"
	AccessAuthenticated = "authenticated"
)

// PutResult says what Put did.
type PutResult struct {
	// Prev is the asset that was overwritten, nil for a new asset.
	Prev *Asset
	// Orphans are blob keys no row refers to any more; delete them after
	// Put returns.
	Orphans []string
}

// Coordinates are regions of an image set through the API, each x, y,
// width, height in pixels of the original.
type Coordinates struct {
	Faces  [][4]int `json:"faces,omitempty"`
	Custom [][4]int `json:"custom,omitempty"`
}

// Store is the metadata store: assets and derived resources, plus what the
// Admin API needs (listing, bulk deletion, named transformations, related
// assets, backups, analyses, usage, bulk access modes and exclusive tags)
// and what origins sharing the store coordinate by (leases, counts per
// time window, chunked uploads, the outbox of webhooks and its triggers), each a small
// interface of its own. Put, Update, Delete and Rename write the
// notifications a context made by WithNotify asks for in their
// transaction, DeleteAssets those of WithNotifyDeleted (outbox.go), Put
// and Update the job WithJob asks for (jobs.go).
type Store interface {
	Lister
	Searcher
	BulkDeleter
	TransformationStore
	RelationStore
	BackupStore
	AnalysisStore
	UsageStore
	AccessModeStore
	Publisher
	TagStore
	BlobRefStore
	Importer
	LeaseStore
	CountStore
	ChunkStore
	MappingStore
	PresetStore
	OutboxStore
	JobStore
	MetadataFieldStore
	FolderStore
	UsageHistoryStore
	TriggerStore

	// Asset returns the asset at k, or ErrNotFound.
	Asset(ctx context.Context, k Key) (*Asset, error)
	// Put creates or (with overwrite) replaces the asset at a.Key. It sets
	// a.Version to max(a.UpdatedAt in unix seconds, the key's last version
	// + 1), remembering the last version even after deletion so that a
	// version is never reused for a key. An overwritten asset keeps its
	// AssetID (and its CreatedAt when a.CreatedAt is zero). Without overwrite and
	// with an existing asset it changes nothing and returns ErrExists and
	// the existing asset as Prev.
	Put(ctx context.Context, a *Asset, overwrite bool) (PutResult, error)
	// Update changes an asset's descriptive fields (tags, context,
	// metadata, moderation, display name, eager, access mode) in one
	// transaction.
	Update(ctx context.Context, k Key, fn func(*Asset) error) (*Asset, error)
	// Delete removes the asset and its derived resources; ErrNotFound when
	// there is none.
	Delete(ctx context.Context, k Key) (PutResult, error)
	// Rename moves the asset to a new key (another public ID and/or type),
	// replacing an asset there only with overwrite (else ErrExists). The
	// version changes only if the new key has had a version as high.
	Rename(ctx context.Context, from, to Key, overwrite bool) (*Asset, PutResult, error)
	// RenameFixed is Rename for a cloud in fixed folder mode: the asset's
	// AssetFolder becomes its new public ID's folder (made if missing).
	RenameFixed(ctx context.Context, from, to Key, overwrite bool) (*Asset, PutResult, error)
	// SaveDeleteToken remembers a delete token for an asset.
	SaveDeleteToken(ctx context.Context, token string, k Key, expires time.Time) error
	// TakeDeleteToken consumes a token valid at now; ErrNotFound when it is
	// unknown, used or expired.
	TakeDeleteToken(ctx context.Context, token string, now time.Time) (Key, error)
	// Derived finds a derived resource of the asset's current version.
	Derived(ctx context.Context, k Key, d DerivedKey) (*Derived, error)
	// PutDerived records a derived resource of version d.Version of the
	// asset at k. If the asset is gone or has moved on to another version
	// meanwhile, nothing is recorded and ErrNotFound (asset gone) or
	// ErrStale (version changed) is returned: the caller deletes its blob.
	// If the same derived resource was recorded concurrently, the existing
	// one is returned and d.Blob is reported in Orphans.
	PutDerived(ctx context.Context, k Key, d *Derived) (*Derived, PutResult, error)
	// ListDerived lists an asset's derived resources, oldest first.
	ListDerived(ctx context.Context, k Key) ([]Derived, error)
	// Close releases the store.
	Close() error
}

// ErrStale is PutDerived's answer when the asset changed version.
var ErrStale = errors.New("meta: asset version changed")

// DerivedKey identifies a derived resource of an asset version.
type DerivedKey struct {
	Version        int64
	Transformation string // as in the URL, or as given for eager
	Format         string
	// Variant is the negotiated variant (f_auto/q_auto format, DPR hint),
	// "" for URLs that do not negotiate.
	Variant string
}

// Derived is a stored derived resource.
type Derived struct {
	ID int64
	DerivedKey
	Bytes         int64
	Width, Height int
	ETag          string
	Blob          string
	CreatedAt     time.Time
}
