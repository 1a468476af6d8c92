package origin

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/mediacdn/mediacdn/delivery"
	"github.com/mediacdn/mediacdn/origin/api"
	"github.com/mediacdn/mediacdn/origin/meta"
)

// sprite (the SDKs' GenerateSprite, generate_sprite): the images with a
// tag, in public ID order (or of urls: upload_made_urls.go), each made by
// the call's transformation, stacked top to bottom into one PNG (or JPEG: format, or f_ in the transformation
// as the Node SDK sends it), with a CSS file of one class per image
// (Cloudinary's: its background the sprite at the image's offset, its
// width and height) and a JSON file of the same rectangles. The three are
// stored under the tag as public ID, type sprite, overwriting (and
// purging) the ones before: the image as an image asset, the CSS and JSON
// as raw assets <tag>.css and <tag>.json; /image/sprite/<tag>.png (or
// .jpg), .css and .json deliver them. Bounded by the image processor's
// max_frames (images) and output limits (the sprite's size).

func spriteSpec() api.MethodParams {
	return signedParams(api.MethodParams{
		Implemented: []string{"tag", "urls", "transformation", "format", "resource_type", "mode", "notification_url", "async"},
	})
}

// spriteJSON is sprite's answer (the Go SDK's GenerateSpriteResult).
type spriteJSON struct {
	CSSURL         string                    `json:"css_url"`
	ImageURL       string                    `json:"image_url"`
	SecureCSSURL   string                    `json:"secure_css_url"`
	SecureImageURL string                    `json:"secure_image_url"`
	JSONURL        string                    `json:"json_url"`
	SecureJSONURL  string                    `json:"secure_json_url"`
	Version        int64                     `json:"version"`
	PublicID       string                    `json:"public_id"`
	ImageInfos     map[string]spriteInfoJSON `json:"image_infos"`
}

// spriteInfoJSON is one image's rectangle in the sprite.
type spriteInfoJSON struct {
	Width  int `json:"width"`
	Height int `json:"height"`
	X      int `json:"x"`
	Y      int `json:"y"`
}

// sprite serves POST /image/sprite.
func (c *call) sprite(rt string, p *api.Params) {
	tag, urls, download, w, done := c.taggedCall(rt, p, notifySprite, "Sprites are images: use /image/sprite")
	if done {
		return
	}
	tx, format := takeParam(p.Get("transformation"), "f_")
	if f := strings.ToLower(p.Get("format")); f != "" {
		format = f
	}
	var sf delivery.Format
	switch format {
	case "", "png":
		sf, format = delivery.PNG, "png"
	case "jpg", "jpeg":
		sf, format = delivery.JPG, "jpg"
	default:
		c.fail(api.BadRequest("Invalid format - %s (sprites are png or jpg)", api.Clip(format)))
		return
	}
	assets, err := c.sourceImages(c.ctx(), tag, urls, c.s.images.Config().MaxFrames)
	if err != nil {
		c.fail(err)
		return
	}
	images := make([][]byte, 0, len(assets))
	for _, a := range assets {
		b, err := c.frameOf(c.ctx(), a, tx, "png")
		if err != nil {
			c.fail(err)
			return
		}
		images = append(images, b)
	}
	res, tiles, err := c.s.images.Sprite(c.ctx(), images, sf)
	if err != nil {
		c.fail(delivery.AsError(err))
		return
	}
	if download {
		c.download(tag, sf, res.Body)
		return
	}
	key := meta.Key{Cloud: c.cloud, ResourceType: delivery.Image, Type: delivery.Sprite, PublicID: tag}
	img, prev, err := c.storeMade(c.ctx(), key, res.Body, fileKind{format: format, width: res.Width, height: res.Height, pages: 1})
	if err != nil {
		c.fail(err)
		return
	}
	j := spriteJSON{Version: img.Version, PublicID: tag, ImageInfos: make(map[string]spriteInfoJSON, len(assets))}
	j.ImageURL, j.SecureImageURL = c.assetURLs(img, "", format)
	j.CSSURL, j.SecureCSSURL = c.assetURLs(img, "", "css")
	j.JSONURL, j.SecureJSONURL = c.assetURLs(img, "", "json")
	var css strings.Builder
	for i, a := range assets {
		t := tiles[i]
		j.ImageInfos[a.PublicID] = spriteInfoJSON{Width: t.Width, Height: t.Height, X: t.X, Y: t.Y}
		fmt.Fprintf(&css, ".%s { background: url('%s') %dpx %dpx; width: %dpx; height: %dpx; }\n",
			cssClass(a.PublicID), j.SecureImageURL, -t.X, -t.Y, t.Width, t.Height)
	}
	infos, err := json.Marshal(spriteFileJSON{ImageURL: j.ImageURL, SecureImageURL: j.SecureImageURL, ImageInfos: j.ImageInfos})
	if err != nil {
		c.fail(delivery.Internal(err))
		return
	}
	for _, f := range []struct {
		ext  string
		body []byte
	}{{"css", []byte(css.String())}, {"json", infos}} {
		k := meta.Key{Cloud: c.cloud, ResourceType: delivery.Raw, Type: delivery.Sprite, PublicID: tag + "." + f.ext}
		ctx := c.ctx()
		if f.ext == "json" { // the last of the three: the notification in its transaction
			ctx = withMadeWebhook(ctx, w, func(*meta.Asset) any { return j })
		}
		if _, _, err := c.storeMade(ctx, k, f.body, fileKind{}); err != nil {
			c.fail(err)
			return
		}
	}
	// One purge, once the three are stored, for every URL under the tag
	// (the CSS and JSON are delivered as /image/sprite/<tag>.css|json).
	latest := prev
	if prev > 0 {
		latest = img.Version
	}
	c.s.webhooks.wake()
	if err := c.madeEvent(c.ctx(), img, latest); err != nil {
		c.fail(err)
		return
	}
	c.ok(j)
}

// spriteFileJSON is the sprite's JSON file.
type spriteFileJSON struct {
	ImageURL       string                    `json:"image_url"`
	SecureImageURL string                    `json:"secure_image_url"`
	ImageInfos     map[string]spriteInfoJSON `json:"image_infos"`
}

// spriteFileKey is the raw asset a sprite URL of the CSS or JSON format
// delivers; false for other URLs.
func spriteFileKey(u *delivery.URL) (meta.Key, bool) {
	if u.Type != delivery.Sprite || u.Resource != delivery.Image || (u.Format != delivery.CSS && u.Format != delivery.JSON) {
		return meta.Key{}, false
	}
	return meta.Key{Cloud: u.Cloud, ResourceType: delivery.Raw, Type: delivery.Sprite, PublicID: u.PublicID + "." + u.Format.String()}, true
}

// cssClass is a public ID as a CSS class name: the characters a class
// name cannot hold as they are (its folders' slashes, dots) escaped.
func cssClass(id string) string {
	var b strings.Builder
	for i, r := range id {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r == '_', r >= 0x80,
			r == '-' && i > 0, r >= '0' && r <= '9' && i > 0:
			b.WriteRune(r)
		case r >= '0' && r <= '9':
			fmt.Fprintf(&b, "\\%x ", r)
		default:
			b.WriteByte('\\')
			b.WriteRune(r)
		}
	}
	return b.String()
}
