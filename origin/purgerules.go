package origin

import (
	"github.com/mediacdn/mediacdn/config"
	"github.com/mediacdn/mediacdn/origin/meta"
	"github.com/mediacdn/mediacdn/purge"
)

// This file is where the origin builds purge rules (Purger publishes them;
// edges match them, purge/match.go).

// rulesOf are the rules an event calls for, in a cloud of the given mode:
// "created" for every asset that appears under a public ID (so edges drop
// cached 404s); when the caller asked to invalidate, the asset's URLs as
// the mode says; when the asset stopped being public, all its URLs
// (restrictedMode).
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
	}
	if e.Restricted {
		rules = append(rules, assetRule(e.Asset, restrictedMode(), 0))
	}
	return rules
}

// assetRule covers an asset's URLs as mode says; latest is its newest
// version the rule is for (0: any).
func assetRule(k meta.Key, mode purge.Mode, latest int64) *purge.Rule {
	return purge.NewAsset(k.Cloud, mode, k.ResourceType, k.Type, k.PublicID, uint64(max(latest, 0)))
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

// bulkRules are the purge rules of a bulk deletion: one prefix rule per
// prefix (an empty prefix for all), else one asset rule per asset (for
// public IDs, also those not found, so that a retried call after a failed
// publish still purges). keep_original narrows them to derived URLs,
// transformations to those transformations.
func bulkRules(cloud string, mode purge.Mode, sel meta.Selection, o deleteOptions, res meta.DeleteResult) []*purge.Rule {
	scope := func(r *purge.Rule) *purge.Rule {
		switch {
		case len(o.transformations) > 0:
			r.Scope = purge.ScopeTransformations
			for _, t := range o.transformations {
				tx, _ := splitEagerFormat(t)
				r.Transformations = append(r.Transformations, tx)
			}
		case o.keepOriginal:
			r.Scope = purge.ScopeDerived
		}
		return r
	}
	rt, typ := sel.ResourceType, sel.Type
	var rules []*purge.Rule
	switch {
	case len(sel.Prefixes) > 0:
		for _, prefix := range sel.Prefixes {
			rules = append(rules, scope(purge.NewPrefix(cloud, mode, rt, typ, prefix)))
		}
	case sel.All:
		rules = append(rules, scope(purge.NewPrefix(cloud, mode, rt, typ, "")))
	default:
		for _, d := range res.Assets {
			if !d.Found && len(sel.PublicIDs) == 0 {
				continue
			}
			rules = append(rules, scope(purge.NewAsset(cloud, mode, d.ResourceType, d.Type, d.PublicID, uint64(max(d.Version, 0)))))
		}
	}
	return rules
}

// derivedRule covers one asset's URLs with one transformation.
func derivedRule(mode purge.Mode, k meta.Key, version int64, tx string) *purge.Rule {
	r := assetRule(k, mode, version)
	r.Scope, r.Transformations = purge.ScopeTransformations, []string{tx}
	return r
}
