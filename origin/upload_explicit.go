package origin

import (
	"errors"
	"net/http"

	"github.com/mediacdn/mediacdn/delivery"
	"github.com/mediacdn/mediacdn/origin/api"
	"github.com/mediacdn/mediacdn/origin/meta"
)

// explicit serves POST /<rt>/explicit: updates an uploaded asset's tags,
// context, display name, asset folder, moderation and eager
// transformations, answers the analyses asked for, and can invalidate it.
func (c *call) explicit(rt string, p *api.Params) {
	id := p.Get("public_id")
	if id == "" {
		c.fail(api.BadRequest("Missing required parameter - public_id"))
		return
	}
	if err := c.applyPreset(p, explicitSpec().Implemented); err != nil {
		c.fail(err)
		return
	}
	o, err := parseUploadOptions(p)
	if err == nil {
		err = c.checkFolderParams(p)
	}
	if err != nil {
		c.fail(err)
		return
	}
	md, err := c.metadataEdit(p) // merged into the asset's values (metadata_values.go)
	if err != nil {
		c.fail(err)
		return
	}
	key := meta.Key{Cloud: c.cloud, ResourceType: uploadRT(rt, p), Type: o.typ, PublicID: id}
	ctx, err := c.withWebhook(p, notifyUpload, c.uploadBody) // its notification_url, in Update's transaction
	if err != nil {
		c.fail(err)
		return
	}
	ctx, batch := c.withEagerJob(ctx, p, o) // eager_async's job, in Update's transaction
	made, answer, eager, bps, err := c.explicitBefore(key, o)
	if err != nil {
		c.fail(err)
		return
	}
	before := o.analyse.any() || len(o.eagerNow()) > 0 || len(o.breakpoints) > 0
	a, err := c.s.meta.Update(ctx, key, func(a *meta.Asset) error {
		if before && a.Version != made {
			return changedMeanwhile(id)
		}
		o.applyExplicit(a)
		if md != nil {
			md.apply(a)
		}
		a.UpdatedAt = c.s.now().UTC()
		return nil
	})
	if errors.Is(err, meta.ErrNotFound) {
		c.fail(api.NotFound(id))
		return
	}
	if err != nil {
		c.fail(delivery.AsError(c.jobQueueFull(err)))
		return
	}
	c.s.webhooks.wake()
	c.s.jobs.wake()
	inv, err := c.s.events.Emit(c.ctx(), Event{Kind: EventMetadataChanged, Asset: key, OldVersion: a.Version,
		NewVersion: a.Version, Invalidate: o.invalidate, Restricted: o.changesAccess(), Time: a.UpdatedAt})
	if err != nil {
		c.fail(delivery.Errorf(http.StatusServiceUnavailable, "The invalidation could not be published - retry the request"))
		return
	}
	j := c.assetResponse(a)
	j.Invalidation = c.report(p, inv)
	j.Eager = c.eagerAnswer(a, eager)
	if batch != "" {
		j.Eager = c.eagerAsyncAnswer(a, o.eager, batch)
	}
	j.ResponsiveBreakpoints = c.recordBreakpoints(a, bps)
	j.analysisJSON = answer
	c.ok(j)
}

// explicitBefore makes the analyses, eager images and responsive
// breakpoints asked for before anything changes, so that a failure (the
// processor busy or timing out) changes nothing; the change then applies
// only to the version they were made of (made).
func (c *call) explicitBefore(key meta.Key, o *uploadOptions) (made int64, answer analysisJSON, eager []eagerImage, bps []madeBreakpoints, err error) {
	if !o.analyse.any() && len(o.eagerNow()) == 0 && len(o.breakpoints) == 0 {
		return 0, answer, nil, nil, nil
	}
	cur, err := c.asset(key)
	if err != nil {
		return 0, answer, nil, nil, err
	}
	if len(o.eagerNow()) > 0 && cur.ResourceType != delivery.Image {
		return 0, answer, nil, nil, eagerNotForKind(cur.ResourceType)
	}
	if len(o.breakpoints) > 0 {
		if cur.ResourceType != delivery.Image {
			return 0, answer, nil, nil, api.BadRequest("Parameter responsive_breakpoints is not supported by this server for %s files", cur.ResourceType)
		}
		if bps, err = c.originalBreakpoints(cur, o); err != nil {
			return 0, answer, nil, nil, err
		}
	}
	if o.analyse.any() {
		if answer, err = c.analysisFor(cur, o.analyse); err != nil {
			return 0, answer, nil, nil, err
		}
	}
	if eager, err = c.eagerOf(cur, o.eagerNow()); err != nil {
		return 0, answer, nil, nil, err
	}
	return cur.Version, answer, eager, bps, nil
}

// applyExplicit sets on a what an explicit call gave.
func (o *uploadOptions) applyExplicit(a *meta.Asset) {
	if o.accessMode != "" {
		a.AccessMode = o.accessMode
	}
	if o.accessControlGiven {
		a.AccessControl = o.accessControl
	}
	if o.tagsGiven {
		a.Tags = o.tags
	}
	if o.contextGiven {
		a.Context = o.context
	}
	if o.eagerGiven {
		a.Eager = api.AddTags(a.Eager, o.eager)
	}
	if o.facesGiven {
		a.Coordinates.Faces = o.coords.Faces
	}
	if o.customGiven {
		a.Coordinates.Custom = o.coords.Custom
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
}

// originalBreakpoints makes the responsive breakpoints of a's stored
// original, copied into the spool (the blob store may be remote) and
// mapped for the image processor as an upload's file is.
func (c *call) originalBreakpoints(a *meta.Asset, o *uploadOptions) ([]madeBreakpoints, error) {
	src, err := c.s.newUpfile()
	if err != nil {
		return nil, delivery.Internal(err)
	}
	defer src.close()
	if err := copyBlob(src, c.s, a.Blob, make([]byte, 256<<10)); err != nil {
		return nil, delivery.Internal(err)
	}
	return c.makeBreakpoints(src, a.Format, o)
}
