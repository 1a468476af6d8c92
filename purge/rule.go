package purge

import (
	"errors"
	"fmt"
	"time"

	"github.com/mediacdn/mediacdn/config"
	"github.com/mediacdn/mediacdn/delivery"
)

// Kind says what a rule selects.
type Kind string

// Rule kinds.
const (
	// KindAsset selects the URLs of one asset (cloud, resource type, type,
	// public ID) within Scope, as the cloud's Mode says.
	KindAsset Kind = "asset"
	// KindPrefix selects the URLs of every asset whose public ID starts
	// with PublicID (Cloudinary's delete by prefix; an empty prefix is
	// delete_all_resources of a resource type and type), within Scope and
	// Mode. A zero Resource or Type matches any.
	KindPrefix Kind = "prefix"
	// KindNamed selects every URL of the cloud whose transformation uses
	// the named transformation Named (t_<name>, also inside t_a.b lists),
	// whatever the mode.
	KindNamed Kind = "named"
	// KindFlush selects every URL of the cloud (every cloud when Cloud is
	// empty): a generation bump.
	KindFlush Kind = "flush"
	// KindCreated selects only the cached 404s of one asset (any URL), so
	// that a new upload is visible at once.
	KindCreated Kind = "created"
)

// Scope says which of an asset's URLs an asset or prefix rule selects.
type Scope string

// Scopes.
const (
	// ScopeAll selects every URL (the zero value means the same).
	ScopeAll Scope = "all"
	// ScopeDerived selects only URLs with a transformation (keep_original).
	ScopeDerived Scope = "derived"
	// ScopeTransformations selects only URLs whose transformation is one of
	// Rule.Transformations, compared in canonical spelling.
	ScopeTransformations Scope = "transformations"
)

// Mode is a cloud's invalidation setting, carried by each rule so that an
// edge needs no cloud configuration to match it.
type Mode struct {
	// Invalidation is config.Global (or empty) or config.Legacy.
	Invalidation config.Invalidation
	// VersionedURLs is legacy mode's "invalidate versioned URLs" setting.
	VersionedURLs bool
}

// ModeOf returns a cloud's mode.
func ModeOf(c config.Cloud) Mode {
	return Mode{Invalidation: c.Mode(), VersionedURLs: c.InvalidateVersionedURLs}
}

// Legacy reports whether m is legacy URL-based invalidation.
func (m Mode) Legacy() bool { return m.Invalidation == config.Legacy }

// Rule is one invalidation: data that says which cached responses it
// covers. Rules are built by the origin, published on the purge stream and
// matched by every edge (Matches, Index).
type Rule struct {
	// ID is the invalidation id the API reports; Publish sets a fresh one
	// when empty. It also deduplicates retried publishes.
	ID string
	// Seq is the rule's stream sequence once stored (set by Publish and by
	// the subscriber); the index orders rules by it. Not on the wire.
	Seq uint64
	// Kind says what the rule selects.
	Kind Kind
	// Cloud is the cloud name; empty only for a flush of every cloud.
	Cloud string
	// Resource and Type identify the asset (KindAsset, KindCreated); for
	// KindPrefix their zero values match any.
	Resource delivery.ResourceType
	Type     delivery.DeliveryType
	// PublicID is the asset's public ID, or the prefix for KindPrefix.
	PublicID string
	// Scope narrows asset and prefix rules; empty means ScopeAll.
	Scope Scope
	// Transformations are the transformations ScopeTransformations
	// selects, in any spelling.
	Transformations []string
	// Named is the named transformation of KindNamed, without "t_".
	Named string
	// Mode is the cloud's invalidation setting when the rule was built.
	Mode Mode
	// LatestVersion is the asset's latest version before the operation:
	// legacy mode with VersionedURLs selects URLs with that version. Zero
	// means unknown, and then every versioned URL is selected.
	LatestVersion uint64
	// Time is when the origin built the rule. Informational.
	Time time.Time

	// canon holds Transformations in canonical spelling once prepare has
	// run (the index does so before sharing the rule).
	canon []string
}

// NewAsset returns a rule for every URL of one asset (in Scope all).
func NewAsset(cloud string, mode Mode, rt delivery.ResourceType, typ delivery.DeliveryType, publicID string, latest uint64) *Rule {
	return &Rule{Kind: KindAsset, Cloud: cloud, Mode: mode, Resource: rt, Type: typ,
		PublicID: publicID, LatestVersion: latest, Scope: ScopeAll}
}

// NewPrefix returns a rule for the assets whose public IDs start with
// prefix; rt and typ may be zero to match any.
func NewPrefix(cloud string, mode Mode, rt delivery.ResourceType, typ delivery.DeliveryType, prefix string) *Rule {
	return &Rule{Kind: KindPrefix, Cloud: cloud, Mode: mode, Resource: rt, Type: typ,
		PublicID: prefix, Scope: ScopeAll}
}

// NewNamed returns a rule for every URL of the cloud that uses the named
// transformation name (without "t_").
func NewNamed(cloud, name string) *Rule {
	return &Rule{Kind: KindNamed, Cloud: cloud, Named: name}
}

// NewFlush returns a rule for every URL of the cloud (of every cloud when
// cloud is empty).
func NewFlush(cloud string) *Rule { return &Rule{Kind: KindFlush, Cloud: cloud} }

// NewCreated returns a rule that clears the cached 404s of one asset.
func NewCreated(cloud string, rt delivery.ResourceType, typ delivery.DeliveryType, publicID string) *Rule {
	return &Rule{Kind: KindCreated, Cloud: cloud, Resource: rt, Type: typ, PublicID: publicID}
}

// Errors of Rule.Validate and DecodeRule.
var (
	ErrInvalidRule = errors.New("purge: invalid rule")
	ErrWireVersion = errors.New("purge: unsupported rule wire version")
)

// Validate checks that the rule is complete for its kind.
func (r *Rule) Validate() error {
	if err := r.validateKind(); err != nil {
		return fmt.Errorf("%w: %s", ErrInvalidRule, err)
	}
	return nil
}

func (r *Rule) validateKind() error {
	if r.Cloud == "" && r.Kind != KindFlush {
		return errors.New("cloud is required")
	}
	switch r.Kind {
	case KindAsset, KindCreated:
		if r.Resource == delivery.ResourceNone || r.Type == delivery.TypeNone || r.PublicID == "" {
			return errors.New("resource type, type and public ID are required")
		}
	case KindNamed:
		if r.Named == "" {
			return errors.New("a named-transformation rule needs a name")
		}
	case KindPrefix, KindFlush:
		// An empty prefix (every asset of the resource type and type) and a
		// zero resource type or type (any) are allowed.
	default:
		return fmt.Errorf("unknown kind %q", r.Kind)
	}
	return r.validateScope()
}

func (r *Rule) validateScope() error {
	switch r.Scope {
	case "", ScopeAll, ScopeDerived:
	case ScopeTransformations:
		if len(r.Transformations) == 0 {
			return errors.New("scope transformations needs transformations")
		}
	default:
		return fmt.Errorf("unknown scope %q", r.Scope)
	}
	switch r.Mode.Invalidation {
	case "", config.Global, config.Legacy:
		return nil
	}
	return fmt.Errorf("unknown invalidation mode %q", r.Mode.Invalidation)
}

// prepare computes the canonical spellings of Transformations. It must run
// before the rule is shared between goroutines.
func (r *Rule) prepare() {
	if r.Scope != ScopeTransformations || r.canon != nil {
		return
	}
	r.canon = canonicalAll(r.Transformations)
}

// canonicalAll returns the canonical spelling of each transformation (the
// text itself when it does not parse).
func canonicalAll(txs []string) []string {
	out := make([]string, len(txs))
	for i, tx := range txs {
		out[i] = canonical(tx)
	}
	return out
}

func canonical(tx string) string {
	t, err := delivery.ParseTransformation(tx)
	if err != nil {
		return tx
	}
	return t.String()
}
