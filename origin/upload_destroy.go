package origin

import (
	"context"
	"errors"
	"net/http"

	"github.com/mediacdn/mediacdn/delivery"
	"github.com/mediacdn/mediacdn/origin/api"
	"github.com/mediacdn/mediacdn/origin/meta"
)

// uploadRT maps the Upload API path's resource type (image, video, raw or
// auto) to a stored one; auto (which only upload detects) means the
// resource_type parameter when it names one, else image.
func uploadRT(rt string, p *api.Params) delivery.ResourceType {
	if rt == "auto" {
		rt = p.Get("resource_type")
	}
	if r, ok := delivery.ParseResourceType(rt); ok {
		return r
	}
	return delivery.Image
}

// typeParam reads a stored type parameter (type, to_type): upload when
// absent.
func typeParam(p *api.Params, key string) (delivery.DeliveryType, error) {
	t := p.Get(key)
	if t == "" {
		return delivery.Upload, nil
	}
	if typ, ok := delivery.ParseDeliveryType(t); ok && isStoredType(typ) {
		return typ, nil
	}
	return delivery.TypeNone, api.BadRequest("Invalid %s - %s", key, api.Clip(t))
}

// destroy serves POST /<rt>/destroy: {"result":"ok"}, or {"result":"not
// found"} with status 200, as Cloudinary answers. type may also be multi
// or sprite (a sprite image's CSS and JSON are deleted with it).
func (c *call) destroy(rt string, p *api.Params) {
	id := p.Get("public_id")
	if id == "" {
		c.fail(api.BadRequest("Missing required parameter - public_id"))
		return
	}
	typ, err := typeParam(p, "type")
	if t, ok := delivery.ParseDeliveryType(p.Get("type")); ok && isMadeType(t) {
		typ, err = t, nil // a multi's or sprite's result
	}
	if err != nil {
		c.fail(err)
		return
	}
	invalidate, err := p.Bool("invalidate", false)
	if err != nil {
		c.fail(err)
		return
	}
	key := meta.Key{Cloud: c.cloud, ResourceType: uploadRT(rt, p), Type: typ, PublicID: id}
	ctx, err := c.withWebhook(p, notifyDelete, deleteBody) // its notification_url, in Delete's transaction
	if err != nil {
		c.fail(err)
		return
	}
	inv, found, err := c.s.destroy(ctx, c, key, invalidate)
	if err == nil && found && key.Type == delivery.Sprite && key.ResourceType == delivery.Image {
		err = c.destroySpriteFiles(key, invalidate)
	}
	if err != nil {
		c.fail(err)
		return
	}
	if !found {
		c.ok(map[string]string{"result": "not found"})
		return
	}
	c.ok(struct {
		Result       string              `json:"result"`
		Invalidation *InvalidationStatus `json:"invalidation,omitempty"`
	}{"ok", c.report(p, inv)})
}

// destroySpriteFiles deletes the CSS and JSON (raw assets of type
// sprite) of the sprite image at key, as destroying a sprite does at
// Cloudinary; they notify nothing of their own.
func (c *call) destroySpriteFiles(key meta.Key, invalidate bool) error {
	for _, ext := range []string{"css", "json"} {
		k := meta.Key{Cloud: key.Cloud, ResourceType: delivery.Raw, Type: delivery.Sprite, PublicID: key.PublicID + "." + ext}
		if _, _, err := c.s.destroy(c.ctx(), c, k, invalidate); err != nil {
			return err
		}
	}
	return nil
}

// destroy deletes an asset and its blobs and emits the event; ctx is
// the call's, with its webhook (withWebhook).
func (s *Server) destroy(ctx context.Context, c *call, key meta.Key, invalidate bool) (Invalidation, bool, error) {
	res, err := s.meta.Delete(ctx, key)
	if errors.Is(err, meta.ErrNotFound) {
		return Invalidation{}, false, nil
	}
	if err != nil {
		return Invalidation{}, false, delivery.Internal(err)
	}
	s.deleteBlobs(res.Orphans...)
	s.webhooks.wake()
	inv, err := s.events.Emit(c.ctx(), Event{Kind: EventDestroyed, Asset: key, OldVersion: res.Prev.Version,
		Invalidate: invalidate, Time: s.now()})
	if err != nil {
		return Invalidation{}, true, delivery.Errorf(http.StatusServiceUnavailable,
			"The asset was deleted but its invalidation could not be published - retry the request")
	}
	return inv, true, nil
}

// deleteByToken serves POST /v1_1/<cloud>/delete_by_token: unsigned, with a
// token from an upload's return_delete_token, valid 10 minutes, once. It
// notifies the cloud's delete triggers as destroy does.
func (c *call) deleteByToken(_ string, p *api.Params) {
	token := p.Get("token")
	if token == "" {
		c.fail(api.BadRequest("Missing required parameter - token"))
		return
	}
	ctx, err := c.withWebhook(p, notifyDelete, deleteBody) // the cloud's delete triggers, in Delete's transaction
	if err != nil {
		c.fail(err)
		return
	}
	key, err := c.s.meta.TakeDeleteToken(c.ctx(), token, c.s.now())
	if errors.Is(err, meta.ErrNotFound) || err == nil && key.Cloud != c.cloud {
		c.fail(delivery.Errorf(http.StatusUnauthorized, "Stale or invalid delete token"))
		return
	}
	if err != nil {
		c.fail(delivery.Internal(err))
		return
	}
	if _, _, err := c.s.destroy(ctx, c, key, false); err != nil {
		c.fail(err)
		return
	}
	c.ok(map[string]string{"result": "ok"})
}
