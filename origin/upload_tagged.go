package origin

import (
	"bytes"
	"context"
	"image"
	"net/http"
	"strconv"
	"strings"

	"github.com/mediacdn/mediacdn/delivery"
	"github.com/mediacdn/mediacdn/origin/api"
	"github.com/mediacdn/mediacdn/origin/meta"

	_ "image/jpeg" // frames' sizes read from their headers
	_ "image/png"
)

// The images sprite and multi are made of: the image assets (of type
// upload) with a tag, in public ID order, as Cloudinary takes them, each
// made through the derive path (and recorded as a derived image, found
// rather than made again the next time).

// taggedImages are the images with tag, at most limit of them; more
// answers 400 (too many for one sprite or animation), none answers
// Cloudinary's "no images" refusal.
func (c *call) taggedImages(ctx context.Context, tag string, limit int) ([]*meta.Asset, error) {
	q := meta.ListQuery{Cloud: c.cloud, ResourceType: delivery.Image, Type: delivery.Upload, Tag: tag,
		Order: meta.ByPublicID, Limit: limit + 1}
	page, err := c.s.meta.List(ctx, q)
	if err != nil {
		return nil, delivery.Internal(err)
	}
	switch n := len(page.Assets); {
	case n == 0:
		return nil, delivery.Errorf(http.StatusNotFound, "No images found with tag - %s", api.Clip(tag))
	case n > limit:
		return nil, api.BadRequest("Too many images with tag %s - more than the limit of %d", api.Clip(tag), limit)
	}
	return page.Assets, nil
}

// downloadable reports whether an action has the SDKs' signed download
// URLs (GET, mode=download).
func downloadable(action string) bool {
	return action == "generate_archive" || action == "multi" || action == "sprite"
}

// downloadParam reports whether the call asks for its file in the answer
// (mode=download: the Node SDK's download_multi and
// download_generated_sprite URLs) rather than stored (mode=create, the
// default).
func downloadParam(p *api.Params) (bool, error) {
	switch m := p.Get("mode"); m {
	case "", "create":
		return false, nil
	case "download":
		return true, nil
	default:
		return false, api.BadRequest("Invalid mode - %s", api.Clip(m))
	}
}

// download answers a made file as an attachment named name, nothing
// stored.
func (c *call) download(name string, f delivery.Format, body []byte) {
	h := c.w.Header()
	h.Set("Content-Type", f.ContentType())
	h.Set("Content-Disposition", `attachment; filename="`+strings.ReplaceAll(name, `"`, "")+"."+f.String()+`"`)
	h.Set("Cache-Control", "no-store")
	h.Set("Content-Length", strconv.Itoa(len(body)))
	c.w.WriteHeader(http.StatusOK)
	c.w.Write(body)
}

// taggedCall reads what multi and sprite (kind, notifyMulti or
// notifySprite) both take: an image call (wrongRT answers otherwise), run
// in the background when async (done is true then, as when it failed and
// answered), the tag or the urls (madeSource: name is the tag, or the
// public ID of what urls make), mode=download and the webhook.
func (c *call) taggedCall(rt string, p *api.Params, kind, wrongRT string) (name string, urls []string, download bool, w *webhook, done bool) {
	if uploadRT(rt, p) != delivery.Image {
		c.fail(api.BadRequest("%s", wrongRT))
		return "", nil, false, nil, true
	}
	if c.madeAsync(kind, p) { // in the background (upload_made_async.go)
		return "", nil, false, nil, true
	}
	name, urls, err := madeSource(p)
	if err == nil {
		download, err = downloadParam(p)
	}
	if err == nil {
		w, err = c.madeWebhook(p, kind, download)
	}
	if err != nil {
		c.fail(err)
		return "", nil, false, nil, true
	}
	return name, urls, download, w, false
}

// tagParam is the call's tag, required.
func tagParam(p *api.Params) (string, error) {
	tag := p.Get("tag")
	if tag == "" {
		return "", api.BadRequest("Missing required parameter - tag")
	}
	return tag, nil
}

// frameOf is asset a made by transformation tx (the asset as it is when tx
// is empty) in format, through the derive path.
func (c *call) frameOf(ctx context.Context, a *meta.Asset, tx, format string) ([]byte, error) {
	if tx == "" {
		side := strconv.Itoa(max(a.Width, a.Height, 1))
		tx = "c_limit,h_" + side + ",w_" + side // a box the image fits: itself, as it is
	}
	specs, err := c.s.eagerSpecs(ctx, c.cloud, []string{tx + "/" + format}, a.Format)
	if err != nil {
		return nil, err
	}
	d, err := c.derivedOf(ctx, a, &specs[0])
	if err != nil {
		return nil, err
	}
	return d.body, nil
}

// frameSize is an encoded frame's width and height.
func frameSize(b []byte) (int, int, error) {
	cfg, _, err := image.DecodeConfig(bytes.NewReader(b))
	if err != nil {
		return 0, 0, delivery.Internal(err)
	}
	return cfg.Width, cfg.Height, nil
}

// takeParam is tx without its <prefix><value> parameters, and the last
// one's value (the Node SDK sends multi's and sprite's format as
// f_<format>; a multi's frame delay is its dl_<ms>).
func takeParam(tx, prefix string) (string, string) {
	value := ""
	var steps []string
	for _, step := range strings.Split(tx, "/") {
		var kept []string
		for _, param := range strings.Split(step, ",") {
			if v, ok := strings.CutPrefix(param, prefix); ok {
				value = v
				continue
			}
			kept = append(kept, param)
		}
		if s := strings.Join(kept, ","); s != "" {
			steps = append(steps, s)
		}
	}
	return strings.Join(steps, "/"), value
}

// storeMade stores a made file (a multi's animation, a sprite's image, CSS
// or JSON) as the asset at key, overwriting the one before; it answers the
// asset and the overwritten one's version (0 for none). madeEvent then
// purges the URLs.
func (c *call) storeMade(ctx context.Context, key meta.Key, body []byte, kind fileKind) (*meta.Asset, int64, error) {
	o := &uploadOptions{typ: key.Type, overwrite: true, invalidate: true}
	kind.rt = key.ResourceType
	a, err := c.storeNew(bytes.NewReader(body), kind, key.PublicID, "", o)
	if err != nil {
		return nil, 0, err
	}
	res, err := c.s.meta.Put(ctx, a, true)
	if err != nil {
		c.s.deleteBlobs(a.Blob)
		return nil, 0, delivery.Internal(err)
	}
	c.s.deleteBlobs(res.Orphans...)
	if res.Prev != nil {
		return a, res.Prev.Version, nil
	}
	return a, 0, nil
}

// madeEvent purges the URLs of a made asset a (and of what is delivered
// under its key, a sprite's CSS and JSON), up to version latest (0 when
// nothing was overwritten: edges drop their cached 404s).
func (c *call) madeEvent(ctx context.Context, a *meta.Asset, latest int64) error {
	ev := Event{Kind: EventCreated, Asset: a.Key, NewVersion: a.Version, Invalidate: true, Time: a.UpdatedAt}
	if latest > 0 {
		ev.Kind, ev.OldVersion = EventOverwritten, latest
	}
	if _, err := c.s.events.Emit(ctx, ev); err != nil {
		return delivery.Errorf(http.StatusServiceUnavailable,
			"The asset was saved but its invalidation could not be published - retry the request")
	}
	return nil
}
