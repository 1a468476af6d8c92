package origin

import (
	"context"
	"errors"
	"net/http"

	"github.com/mediacdn/mediacdn/delivery"
	"github.com/mediacdn/mediacdn/origin/api"
	"github.com/mediacdn/mediacdn/origin/meta"
)

// renameKeys reads what a rename moves and where: from_public_id and type,
// to_public_id and to_type (type when not given).
func (c *call) renameKeys(rt string, p *api.Params) (from, to meta.Key, err error) {
	fromID, toID := p.Get("from_public_id"), p.Get("to_public_id")
	switch {
	case fromID == "":
		return from, to, api.BadRequest("Missing required parameter - from_public_id")
	case toID == "":
		return from, to, api.BadRequest("Missing required parameter - to_public_id")
	}
	if err := api.CheckPublicID(toID); err != nil {
		return from, to, err
	}
	typ, err := typeParam(p, "type")
	if err != nil {
		return from, to, err
	}
	toType := typ
	if p.Get("to_type") != "" {
		if toType, err = typeParam(p, "to_type"); err != nil {
			return from, to, err
		}
	}
	rtName := uploadRT(rt, p)
	return meta.Key{Cloud: c.cloud, ResourceType: rtName, Type: typ, PublicID: fromID},
		meta.Key{Cloud: c.cloud, ResourceType: rtName, Type: toType, PublicID: toID}, nil
}

// rename serves POST /<rt>/rename: from_public_id, to_public_id, type,
// to_type, overwrite (default false), invalidate; context and metadata
// (default false) put the asset's context and structured metadata in the
// answer, as Cloudinary's, which leaves them out otherwise.
func (c *call) rename(rt string, p *api.Params) {
	fromKey, toKey, err := c.renameKeys(rt, p)
	if err != nil {
		c.fail(err)
		return
	}
	var overwrite, invalidate, withContext, withMetadata bool
	for _, b := range []struct {
		name string
		v    *bool
	}{{"overwrite", &overwrite}, {"invalidate", &invalidate}, {"context", &withContext}, {"metadata", &withMetadata}} {
		if *b.v, err = p.Bool(b.name, false); err != nil {
			c.fail(err)
			return
		}
	}
	ctx, err := c.withWebhook(p, notifyRename, renameBody(fromKey)) // its notification_url, in Rename's transaction
	if err != nil {
		c.fail(err)
		return
	}
	a, inv, err := c.renameAsset(ctx, fromKey, toKey, overwrite, invalidate)
	if err != nil {
		c.fail(err)
		return
	}
	j := c.assetResponse(a)
	if !withContext {
		j.Context = nil
	}
	if !withMetadata {
		j.Metadata = nil
	}
	if fromKey != toKey {
		j.Invalidation = c.report(p, inv)
	}
	c.ok(j)
}

// renameAsset moves an asset to another key (in a cloud of fixed folder
// mode its asset folder follows the public ID) and emits the purge of its
// old URLs. Its errors are the public answers.
func (c *call) renameAsset(ctx context.Context, fromKey, toKey meta.Key, overwrite, invalidate bool) (*meta.Asset, Invalidation, error) {
	old, err := c.asset(fromKey)
	if err != nil {
		return nil, Invalidation{}, err
	}
	rename := c.s.meta.Rename
	if c.fixedFolders() {
		rename = c.s.meta.RenameFixed
	}
	a, res, err := rename(ctx, fromKey, toKey, overwrite)
	switch {
	case errors.Is(err, meta.ErrNotFound):
		return nil, Invalidation{}, api.NotFound(fromKey.PublicID)
	case errors.Is(err, meta.ErrExists):
		return nil, Invalidation{}, api.BadRequest("Resource already exists - %s", api.Clip(toKey.PublicID))
	case err != nil:
		return nil, Invalidation{}, delivery.Internal(err)
	}
	c.s.deleteBlobs(res.Orphans...)
	c.s.webhooks.wake()
	if fromKey == toKey {
		return a, Invalidation{}, nil
	}
	ev := Event{Kind: EventRenamed, Asset: fromKey, To: toKey, OldVersion: old.Version, NewVersion: a.Version,
		Invalidate: invalidate, Time: c.s.now()}
	if res.Prev != nil {
		ev.ReplacedVersion = res.Prev.Version
	}
	inv, err := c.s.events.Emit(c.ctx(), ev)
	if err != nil {
		return nil, Invalidation{}, delivery.Errorf(http.StatusServiceUnavailable,
			"The asset was renamed but its invalidation could not be published - retry the request")
	}
	return a, inv, nil
}
