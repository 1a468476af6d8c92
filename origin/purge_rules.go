package origin

import (
	"strings"

	"github.com/mediacdn/mediacdn/config"
	"github.com/mediacdn/mediacdn/origin/meta"
	"github.com/mediacdn/mediacdn/purge"
)

// This file is where the origin builds purge rules, from the events of
// one call (Purger.Emit publishes them; edges match them, purge/match.go).
// Each event calls for these, in a cloud whose invalidation mode is mode:
//
//	created                 "created" for the asset (edges drop its cached 404s)
//	overwritten, destroyed, with Invalidate: the asset's URLs as mode says, for
//	metadata_changed        the version before the change
//	renamed                 with Invalidate: the old key's URLs, and those of an asset
//	                        the rename replaced; always "created" for the new key
//	derived_deleted         with Invalidate: the asset's URLs with a transformation
//	                        (those transformations only, when named)
//	prefix_deleted          with Invalidate: the URLs of the assets under the prefix
//	                        (derived only, or those transformations, when so limited)
//	transformation_deleted  with Invalidate (always set): every URL that uses the
//	                        named transformation
//	invalidated             with Invalidate (always set): the asset's, the prefix's
//	                        or the named transformation's URLs, or every URL of the
//	                        cloud (narrowed like derived_deleted, when so limited)
//	any, when Restricted    every URL of the asset, whatever mode (restrictedMode)

// rulesOf are the rules an event calls for, in a cloud of the given mode,
// in the order they are published.
func rulesOf(e Event, mode purge.Mode) []*purge.Rule {
	var rules []*purge.Rule
	switch e.Kind {
	case EventCreated:
		rules = append(rules, createdRule(e.Asset))
	case EventOverwritten, EventDestroyed, EventMetadataChanged:
		if e.Invalidate {
			rules = append(rules, assetRule(e.Asset, mode, e.OldVersion))
		}
	case EventRenamed:
		if e.Invalidate {
			rules = append(rules, assetRule(e.Asset, mode, e.OldVersion))
			if e.ReplacedVersion > 0 {
				rules = append(rules, assetRule(e.To, mode, e.ReplacedVersion))
			}
		}
		rules = append(rules, createdRule(e.To))
	case EventDerivedDeleted:
		if e.Invalidate {
			rules = append(rules, scoped(assetRule(e.Asset, mode, e.OldVersion), e))
		}
	case EventPrefixDeleted:
		if e.Invalidate {
			rules = append(rules, scoped(prefixRule(e, mode), e))
		}
	case EventTransformationDeleted:
		if e.Invalidate {
			rules = append(rules, namedRule(e))
		}
	case EventInvalidated:
		if e.Invalidate {
			rules = append(rules, invalidationRule(e, mode))
		}
	}
	if e.Restricted {
		rules = append(rules, assetRule(e.Asset, restrictedMode(), 0))
	}
	return rules
}

// checkRules reports the first of an event's rules, in cloud cl, that is
// not complete (an operator's invalidation of "t_"), before anything is
// published.
func checkRules(e Event, cl config.Cloud) error {
	for _, r := range rulesOf(e, purge.ModeOf(cl)) {
		if err := r.Validate(); err != nil {
			return err
		}
	}
	return nil
}

// assetRule covers an asset's URLs as mode says; latest is its newest
// version the rule is for (0: any).
func assetRule(k meta.Key, mode purge.Mode, latest int64) *purge.Rule {
	return purge.NewAsset(k.Cloud, mode, k.ResourceType, k.Type, k.PublicID, uint64(max(latest, 0)))
}

// prefixRule covers the URLs of the assets under an event's prefix, of its
// resource type and type ("" prefix: all of them).
func prefixRule(e Event, mode purge.Mode) *purge.Rule {
	return purge.NewPrefix(e.Asset.Cloud, mode, e.Asset.ResourceType, e.Asset.Type, e.Prefix)
}

// namedRule covers every URL of the cloud that uses an event's named
// transformation.
func namedRule(e Event) *purge.Rule {
	return purge.NewNamed(e.Asset.Cloud, strings.TrimPrefix(e.Named, "t_"))
}

// invalidationRule is the rule of an EventInvalidated: its asset, named
// transformation, whole cloud, or else prefix.
func invalidationRule(e Event, mode purge.Mode) *purge.Rule {
	switch {
	case e.Asset.PublicID != "":
		return scoped(assetRule(e.Asset, mode, e.OldVersion), e)
	case e.Named != "":
		return namedRule(e)
	case e.All:
		return purge.NewFlush(e.Asset.Cloud)
	}
	return scoped(prefixRule(e, mode), e)
}

// scoped narrows an asset or prefix rule to what the event limits itself
// to: those transformations (in any format), or derived URLs.
func scoped(r *purge.Rule, e Event) *purge.Rule {
	switch {
	case len(e.Transformations) > 0:
		r.Scope = purge.ScopeTransformations
		for _, t := range e.Transformations {
			tx, _ := splitEagerFormat(t)
			r.Transformations = append(r.Transformations, tx)
		}
	case e.Derived:
		r.Scope = purge.ScopeDerived
	}
	return r
}

// restrictedMode is how the URLs of an asset whose access mode became
// authenticated are purged: every unsigned URL, with any transformation
// and any or no version, must stop being served from edge caches. No rule
// kind selects unsigned URLs only, so this is an asset rule in global mode,
// whatever the cloud's invalidation setting (legacy mode would leave
// versioned URLs cached): it also drops the signed URLs, which edges then
// fetch again (over-covering is allowed, under-covering never).
func restrictedMode() purge.Mode { return purge.Mode{Invalidation: config.Global} }

// createdRule tells edges that an asset appeared under a public ID.
func createdRule(k meta.Key) *purge.Rule {
	return purge.NewCreated(k.Cloud, k.ResourceType, k.Type, k.PublicID)
}
