package origin

import (
	"context"
	"errors"
	"maps"
	"slices"

	"github.com/mediacdn/mediacdn/delivery"
	"github.com/mediacdn/mediacdn/origin/api"
	"github.com/mediacdn/mediacdn/origin/meta"
)

// maxPublicIDsPerCall bounds the public_ids of a tags or context call;
// maxTagOperations bounds public_ids times tags of a tags call (Cloudinary's
// limit of 1,000 operations per call).
const (
	maxPublicIDsPerCall = 1000
	maxTagOperations    = 1000
)

type idsResult struct {
	PublicIDs []string `json:"public_ids"`
}

// tags serves POST /<rt>/tags: command add, remove, replace, remove_all
// or set_exclusive, tag (comma-separated for several), public_ids, type.
func (c *call) tags(rt string, p *api.Params) {
	cmd := p.Get("command")
	tags := api.Dedupe(p.List("tag"))
	switch cmd {
	case "add", "remove", "replace", "set_exclusive":
		if len(tags) == 0 {
			c.fail(api.BadRequest("Missing required parameter - tag"))
			return
		}
	case "remove_all":
	case "":
		c.fail(api.BadRequest("Missing required parameter - command"))
		return
	default:
		c.fail(api.BadRequest("Invalid command - %s (must be add, remove, replace, remove_all or set_exclusive)", api.Clip(cmd)))
		return
	}
	if err := api.CheckTags(tags); err != nil {
		c.fail(err)
		return
	}
	if cmd == "set_exclusive" {
		c.setExclusive(rt, p, tags)
		return
	}
	var prev meta.Asset
	ctx, err := c.withWebhook(p, notifyTags, tagsBody(&prev)) // its notification_url and triggers, in Update's transaction
	if err != nil {
		c.fail(err)
		return
	}
	done, ok := c.updateEach(ctx, rt, p, max(len(tags), 1), &prev, func(a *meta.Asset) error {
		switch cmd {
		case "add":
			a.Tags = api.AddTags(a.Tags, tags)
		case "remove":
			a.Tags = api.RemoveTags(a.Tags, tags)
		case "replace":
			a.Tags = tags
		case "remove_all":
			a.Tags = nil
		}
		return api.CheckTags(a.Tags)
	})
	if ok {
		c.ok(idsResult{PublicIDs: nonNil(done)})
	}
}

// setExclusive gives the tags to the assets of public_ids and removes
// them from every other asset of the resource type, whatever its delivery
// type, in one transaction of the store: a failure changes nothing. Each
// asset whose tags changed notifies resource_tags_changed, written in
// that transaction.
func (c *call) setExclusive(rt string, p *api.Params, tags []string) {
	ids, err := targetIDs(p, len(tags))
	if err != nil {
		c.fail(err)
		return
	}
	typ, err := typeParam(p, "type")
	if err != nil {
		c.fail(err)
		return
	}
	w, err := c.webhookTargets(p, notifyTags)
	if err != nil {
		c.fail(err)
		return
	}
	now := c.s.now().UTC()
	q := meta.ExclusiveTags{Cloud: c.cloud, ResourceType: uploadRT(rt, p),
		Type: typ, PublicIDs: ids, Tags: tags, Check: api.CheckTags, Time: now}
	if w != nil {
		q.Notify = func(r meta.Retagged, before []string) ([]*meta.Notification, error) {
			prev := &meta.Asset{Tags: before}
			a := &meta.Asset{Key: r.Key, AssetID: r.AssetID, Tags: r.Tags}
			head, tail := w.frame()
			return w.notifications(r.Type.String()+"/"+r.PublicID, tagsBody(prev)(a, head, tail))
		}
	}
	res, err := c.s.meta.SetExclusiveTags(c.ctx(), q)
	if err != nil {
		c.fail(delivery.AsError(err))
		return
	}
	for _, r := range slices.Concat(res.Tagged, res.Untagged) {
		c.s.events.Emit(c.ctx(), Event{Kind: EventMetadataChanged, Asset: r.Key, OldVersion: r.Version,
			NewVersion: r.Version, Time: now})
	}
	done := make([]string, 0, len(res.Tagged))
	for _, r := range res.Tagged {
		done = append(done, r.PublicID)
	}
	c.ok(idsResult{PublicIDs: done})
}

// context serves POST /<rt>/context: command add (merge), remove (the
// keys named in context) or remove_all, with public_ids and type.
func (c *call) context(rt string, p *api.Params) {
	cmd := p.Get("command")
	ctx, err := api.ParseContext(p.Get("context"))
	if err != nil {
		c.fail(err)
		return
	}
	switch cmd {
	case "add", "remove":
		if len(ctx) == 0 {
			c.fail(api.BadRequest("Missing required parameter - context"))
			return
		}
	case "remove_all":
	case "":
		c.fail(api.BadRequest("Missing required parameter - command"))
		return
	default:
		c.fail(api.BadRequest("Invalid command - %s (must be add, remove or remove_all)", api.Clip(cmd)))
		return
	}
	var prev meta.Asset
	wctx, err := c.withWebhook(p, notifyContext, contextBody(&prev)) // its notification_url and triggers, in Update's transaction
	if err != nil {
		c.fail(err)
		return
	}
	done, ok := c.updateEach(wctx, rt, p, 1, &prev, func(a *meta.Asset) error {
		switch cmd {
		case "add":
			if a.Context == nil {
				a.Context = map[string]string{}
			}
			maps.Copy(a.Context, ctx)
		case "remove":
			for k := range ctx {
				delete(a.Context, k)
			}
		case "remove_all":
			a.Context = nil
		}
		if len(a.Context) > api.MaxContextKeys {
			return api.BadRequest("Too many context keys - at most %d", api.MaxContextKeys)
		}
		return nil
	})
	if ok {
		c.ok(idsResult{PublicIDs: nonNil(done)})
	}
}

// targetIDs reads the public IDs a tags or context call changes
// (public_ids, else public_id) and checks how many: at most
// maxPublicIDsPerCall, and at most maxTagOperations operations when each
// ID takes perID of them (a tags call's tags).
func targetIDs(p *api.Params, perID int) ([]string, error) {
	ids := p.List("public_ids")
	if len(ids) == 0 {
		ids = p.List("public_id")
	}
	switch {
	case len(ids) == 0:
		return nil, api.BadRequest("Missing required parameter - public_ids")
	case len(ids) > maxPublicIDsPerCall:
		return nil, api.BadRequest("Too many public_ids - at most %d", maxPublicIDsPerCall)
	case len(ids)*perID > maxTagOperations:
		return nil, api.BadRequest("Too many tag operations - public_ids times tags is %d, at most %d",
			len(ids)*perID, maxTagOperations)
	}
	return ids, nil
}

// updateEach applies fn to every asset of public_ids (perID operations
// each: targetIDs), each in a transaction of the store under ctx (which
// may write its notification: withWebhook) with prev set to the asset as
// it was, and returns the public IDs of those that exist; false when it
// failed (and answered the error).
func (c *call) updateEach(ctx context.Context, rt string, p *api.Params, perID int, prev *meta.Asset, fn func(*meta.Asset) error) ([]string, bool) {
	ids, err := targetIDs(p, perID)
	if err != nil {
		c.fail(err)
		return nil, false
	}
	typ, err := typeParam(p, "type")
	if err != nil {
		c.fail(err)
		return nil, false
	}
	var done []string
	for _, id := range ids {
		key := meta.Key{Cloud: c.cloud, ResourceType: uploadRT(rt, p), Type: typ, PublicID: id}
		a, err := c.s.meta.Update(ctx, key, func(a *meta.Asset) error {
			*prev = *a
			prev.Tags, prev.Context = slices.Clone(a.Tags), maps.Clone(a.Context)
			a.UpdatedAt = c.s.now().UTC()
			return fn(a)
		})
		if errors.Is(err, meta.ErrNotFound) {
			continue
		}
		if err != nil {
			c.fail(delivery.AsError(err))
			return done, false
		}
		c.s.events.Emit(c.ctx(), Event{Kind: EventMetadataChanged, Asset: key, OldVersion: a.Version,
			NewVersion: a.Version, Time: a.UpdatedAt})
		done = append(done, id)
	}
	if len(done) > 0 {
		c.s.webhooks.wake()
	}
	return done, true
}
