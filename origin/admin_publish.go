package origin

import (
	"context"
	"net/http"

	"github.com/mediacdn/mediacdn/delivery"
	"github.com/mediacdn/mediacdn/origin/api"
	"github.com/mediacdn/mediacdn/origin/meta"
)

// maxPublishPerCall bounds the assets one publish_resources call moves:
// public_ids, or one page of a prefix or tag.
const maxPublishPerCall = 100

// publishFailedJSON is one asset, or requested public ID, a
// publish_resources call did not publish.
type publishFailedJSON struct {
	PublicID string `json:"public_id"`
	Type     string `json:"type,omitempty"`
	Error    string `json:"error"`
}

// publishQuery reads a publish_resources call: the assets (exactly one of
// public_ids, prefix and tag), their type (authenticated or private; both
// when not given), overwrite and where the last call stopped
// (next_cursor).
func (c *call) publishQuery(rt delivery.ResourceType, p *api.Params) (meta.PublishQuery, error) {
	sel := meta.Selection{Cloud: c.cloud, ResourceType: rt, PublicIDs: api.Dedupe(p.List("public_ids")), Tag: p.Get("tag")}
	if prefix := p.Get("prefix"); prefix != "" {
		sel.Prefixes = []string{prefix}
	}
	err := exactlyOne(selector{"public_ids", len(sel.PublicIDs) > 0}, selector{"prefix", len(sel.Prefixes) > 0},
		selector{"tag", sel.Tag != ""})
	switch {
	case err != nil:
		return meta.PublishQuery{}, err
	case len(sel.PublicIDs) > maxPublishPerCall:
		return meta.PublishQuery{}, api.BadRequest("Too many public_ids - at most %d per call", maxPublishPerCall)
	}
	switch t := p.Get("type"); t {
	case "":
		sel.Types = []delivery.DeliveryType{delivery.Authenticated, delivery.Private}
	case delivery.Authenticated.String():
		sel.Type = delivery.Authenticated
	case delivery.Private.String():
		sel.Type = delivery.Private
	default:
		return meta.PublishQuery{}, api.BadRequest("Invalid type - %s (must be authenticated or private)", api.Clip(t))
	}
	overwrite, err := p.Bool("overwrite", false)
	if err != nil {
		return meta.PublishQuery{}, err
	}
	cur, err := api.DecodeCursor(p.Get("next_cursor"), "publish")
	if err != nil {
		return meta.PublishQuery{}, err
	}
	q := meta.PublishQuery{Selection: sel, Limit: maxPublishPerCall, Overwrite: overwrite, FixedFolders: c.fixedFolders()}
	if cur != nil {
		q.After = cur.Seq
	}
	return q, nil
}

// publishResources serves POST /resources/<rt>/publish_resources: the
// assets given by exactly one of public_ids (at most 100), prefix or tag,
// of type (authenticated or private; both when not given), become upload
// assets under the same public IDs: each a rename to type upload
// (upload_rename.go), with its rules (overwrite, default false: an upload
// asset already there is not replaced and the asset is reported in
// failed), its rename notification and its purges (the old URLs when
// invalidate). A prefix or tag selecting more than 100 assets is done in
// pages: the answer has next_cursor. A call is one transaction: on an
// error nothing of it is published.
func (c *call) publishResources(rt delivery.ResourceType, p *api.Params) {
	q, err := c.publishQuery(rt, p)
	if err != nil {
		c.fail(err)
		return
	}
	invalidate, err := p.Bool("invalidate", false)
	if err != nil {
		c.fail(err)
		return
	}
	ctx, err := c.withMovedWebhook(p)
	if err != nil {
		c.fail(err)
		return
	}
	res, err := c.s.meta.Publish(ctx, q)
	if err != nil {
		c.fail(delivery.Internal(err))
		return
	}
	c.s.deleteBlobs(res.Orphans...)
	c.s.webhooks.wake()
	out := struct {
		Published    []resourceJSON      `json:"published"`
		Failed       []publishFailedJSON `json:"failed"`
		NextCursor   string              `json:"next_cursor,omitempty"`
		Invalidation *InvalidationStatus `json:"invalidation,omitempty"`
	}{Published: []resourceJSON{}, Failed: []publishFailedJSON{}}
	if res.Next != 0 {
		out.NextCursor = api.Cursor{Kind: "publish", Seq: res.Next}.Encode()
	}
	now := c.s.now()
	var events []Event
	for _, pa := range res.Assets {
		switch {
		case !pa.Found:
			out.Failed = append(out.Failed, publishFailedJSON{PublicID: pa.From.PublicID, Type: typeName(pa.From.Type),
				Error: "not_found"})
		case pa.Exists:
			out.Failed = append(out.Failed, publishFailedJSON{PublicID: pa.From.PublicID, Type: typeName(pa.From.Type),
				Error: "Resource already exists - " + api.Clip(pa.From.PublicID)})
		default:
			out.Published = append(out.Published, c.resource(pa.Asset, include{}))
			ev := Event{Kind: EventRenamed, Asset: pa.From, To: pa.Asset.Key, OldVersion: pa.OldVersion,
				NewVersion: pa.Asset.Version, Invalidate: invalidate, Time: now}
			if pa.Replaced != nil {
				ev.ReplacedVersion = pa.Replaced.Version
			}
			events = append(events, ev)
		}
	}
	// One Emit for the call, as update_access_mode does: one invalidation
	// to report covering up to 100 assets.
	inv, err := c.s.events.Emit(c.ctx(), events...)
	if err != nil {
		c.fail(delivery.Errorf(http.StatusServiceUnavailable,
			"The assets were published but their invalidation could not be published - retry the request"))
		return
	}
	out.Invalidation = c.report(p, inv)
	c.ok(out)
}

// typeName is a type's name, "" for none.
func typeName(t delivery.DeliveryType) string {
	if t == delivery.TypeNone {
		return ""
	}
	return t.String()
}

// withMovedWebhook is withWebhook for publish_resources: a rename
// notification of each asset it moves, from its own old key.
func (c *call) withMovedWebhook(p *api.Params) (context.Context, error) {
	w, err := c.webhookTargets(p, notifyRename)
	if err != nil || w == nil {
		return c.ctx(), err
	}
	return meta.WithNotifyMoved(c.ctx(), func(from meta.Key, a *meta.Asset) ([]*meta.Notification, error) {
		head, tail := w.frame()
		return w.notifications(a.PublicID, renameBody(from)(a, head, tail))
	}), nil
}
