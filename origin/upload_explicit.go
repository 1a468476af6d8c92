package origin

import (
	"errors"
	"net/http"

	"github.com/mediacdn/mediacdn/delivery"
	"github.com/mediacdn/mediacdn/origin/meta"
)

// explicit serves POST /<rt>/explicit: updates an uploaded asset's tags,
// context, display name, asset folder, moderation and eager
// transformations, answers the analyses asked for, and can invalidate it.
func (c *call) explicit(rt string, p *Params) {
	id := p.Get("public_id")
	if id == "" {
		c.fail(badRequest("Missing required parameter - public_id"))
		return
	}
	o, err := parseUploadOptions(p)
	if err != nil {
		c.fail(err)
		return
	}
	key := meta.Key{Cloud: c.cloud, ResourceType: uploadRT(rt, p), Type: o.typ, PublicID: id}
	// The analyses and eager images asked for are made before anything
	// changes, so that a failure (the processor busy or timing out)
	// changes nothing; the change then applies only to the version they
	// were made of.
	var made int64
	var answer analysisJSON
	var eager []eagerImage
	before := o.analyse.any() || len(o.eager) > 0
	if before {
		cur, err := c.asset(key)
		if err != nil {
			c.fail(err)
			return
		}
		if len(o.eager) > 0 && cur.ResourceType != delivery.Image {
			c.fail(eagerNotForKind(cur.ResourceType))
			return
		}
		if o.analyse.any() {
			an, err := c.s.analysis(c.ctx(), cur)
			if err != nil {
				c.fail(err)
				return
			}
			answer = an.answer(o.analyse)
		}
		if eager, err = c.eagerOf(cur, o.eager); err != nil {
			c.fail(err)
			return
		}
		made = cur.Version
	}
	a, err := c.s.meta.Update(c.ctx(), key, func(a *meta.Asset) error {
		if before && a.Version != made {
			return changedMeanwhile(id)
		}
		if o.accessMode != "" {
			a.AccessMode = o.accessMode
		}
		if o.tagsGiven {
			a.Tags = o.tags
		}
		if o.contextGiven {
			a.Context = o.context
		}
		if o.eagerGiven {
			a.Eager = addTags(a.Eager, o.eager)
		}
		if o.displayNameGiven {
			a.DisplayName = o.displayName
		}
		if o.assetFolderGiven {
			a.AssetFolder = o.assetFolder
		}
		if o.moderation != "" { // (re)queued for a decision
			a.ModerationKind, a.ModerationStatus = o.moderation, "pending"
		}
		a.UpdatedAt = c.s.now().UTC()
		return nil
	})
	if errors.Is(err, meta.ErrNotFound) {
		c.fail(notFound(id))
		return
	}
	if err != nil {
		c.fail(delivery.AsError(err))
		return
	}
	inv, err := c.s.events.Emit(c.ctx(), Event{Kind: EventMetadataChanged, Asset: key, OldVersion: a.Version,
		NewVersion: a.Version, Invalidate: o.invalidate, Restricted: o.accessMode == meta.AccessAuthenticated, Time: a.UpdatedAt})
	if err != nil {
		c.fail(delivery.Errorf(http.StatusServiceUnavailable, "The invalidation could not be published - retry the request"))
		return
	}
	j := c.assetResponse(a)
	j.Invalidation = c.report(p, inv)
	j.Eager = c.eagerAnswer(a, eager)
	j.analysisJSON = answer
	c.ok(j)
}
