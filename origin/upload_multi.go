package origin

import (
	"strconv"
	"strings"

	"github.com/mediacdn/mediacdn/delivery"
	"github.com/mediacdn/mediacdn/origin/api"
	"github.com/mediacdn/mediacdn/origin/imaging"
	"github.com/mediacdn/mediacdn/origin/meta"
)

// multi (the SDKs' Multi, multi): the images with a tag, in public ID
// order (or of urls: upload_made_urls.go), joined into one animated GIF
// or WebP (each a frame, the size of the first, others filled to it) or
// one PDF (each a page), each made by the call's transformation first. The result is stored as the image asset
// of type multi whose public ID is the tag, overwriting (and purging) the
// one before; /image/multi/<tag>.<format> delivers it. Bounded by the
// image processor's max_frames (frames or pages), its output pixels and
// its deadline per frame and for the join.

func multiSpec() api.MethodParams {
	return signedParams(api.MethodParams{
		Implemented: []string{"tag", "urls", "format", "transformation", "resource_type", "mode", "notification_url", "async"},
	})
}

// multiDelay is a frame's time on screen without dl_ in the
// transformation, in milliseconds.
const multiDelay = 100

// multi serves POST /image/multi.
func (c *call) multi(rt string, p *api.Params) {
	tag, urls, download, w, done := c.taggedCall(rt, p, notifyMulti, "Multi makes images: use /image/multi")
	if done {
		return
	}
	tx, txFormat := takeParam(p.Get("transformation"), "f_")
	tx, dl := takeParam(tx, "dl_")
	format := strings.ToLower(p.Get("format"))
	if format == "" {
		format = txFormat
	}
	if format == "" {
		format = "gif"
	}
	f, ok := delivery.ParseFormat(format)
	if !ok || (f != delivery.GIF && f != delivery.WebP && f != delivery.PDF) {
		c.fail(api.BadRequest("Invalid format - %s (multi makes gif, webp or pdf)", api.Clip(format)))
		return
	}
	delay := multiDelay
	if dl != "" {
		var err error
		if delay, err = strconv.Atoi(dl); err != nil || delay < 0 || delay > 65535 {
			c.fail(api.BadRequest("Invalid delay - %s", api.Clip(dl)))
			return
		}
	}
	assets, err := c.sourceImages(c.ctx(), tag, urls, c.s.images.Config().MaxFrames)
	if err != nil {
		c.fail(err)
		return
	}
	var res imaging.Result
	if f == delivery.PDF {
		res, err = c.multiPDF(assets, tx)
	} else {
		res, err = c.multiAnimation(assets, tx, delay, f)
	}
	if err != nil {
		c.fail(err)
		return
	}
	if download {
		c.download(tag, f, res.Body)
		return
	}
	kind := fileKind{rt: delivery.Image, format: f.String(), width: res.Width, height: res.Height, pages: len(assets)}
	ctx := withMadeWebhook(c.ctx(), w, func(a *meta.Asset) any { return c.multiAnswer(a) }) // in the Put's transaction
	a, prev, err := c.storeMade(ctx, meta.Key{Cloud: c.cloud, ResourceType: delivery.Image, Type: delivery.Multi, PublicID: tag}, res.Body, kind)
	if err != nil {
		c.fail(err)
		return
	}
	c.s.webhooks.wake()
	if err := c.madeEvent(c.ctx(), a, prev); err != nil {
		c.fail(err)
		return
	}
	c.ok(c.multiAnswer(a))
}

// multiAnswer is multi's answer of its stored result a.
func (c *call) multiAnswer(a *meta.Asset) multiJSON {
	url, secure := c.assetURLs(a, "", a.Format)
	return multiJSON{URL: url, SecureURL: secure, AssetID: a.AssetID, PublicID: a.PublicID, Version: a.Version,
		Format: a.Format, Width: a.Width, Height: a.Height, Pages: a.Pages, Bytes: a.Bytes}
}

// multiJSON is multi's answer (the Go SDK's MultiResult, and the asset's
// format, size and pages).
type multiJSON struct {
	URL       string `json:"url"`
	SecureURL string `json:"secure_url"`
	AssetID   string `json:"asset_id"`
	PublicID  string `json:"public_id"`
	Version   int64  `json:"version"`
	Format    string `json:"format"`
	Width     int    `json:"width"`
	Height    int    `json:"height"`
	Pages     int    `json:"pages"`
	Bytes     int64  `json:"bytes"`
}

// multiAnimation makes each frame as a PNG, the first by tx, the others by
// tx and filled to the first's size, and joins them.
func (c *call) multiAnimation(assets []*meta.Asset, tx string, delay int, f delivery.Format) (imaging.Result, error) {
	first, err := c.frameOf(c.ctx(), assets[0], tx, "png")
	if err != nil {
		return imaging.Result{}, err
	}
	w, h, err := frameSize(first)
	if err != nil {
		return imaging.Result{}, err
	}
	fill := "c_fill,h_" + strconv.Itoa(h) + ",w_" + strconv.Itoa(w)
	if tx != "" {
		fill = tx + "/" + fill
	}
	frames := [][]byte{first}
	for _, a := range assets[1:] {
		fr, err := c.frameOf(c.ctx(), a, fill, "png")
		if err != nil {
			return imaging.Result{}, err
		}
		frames = append(frames, fr)
	}
	return c.s.images.Animate(c.ctx(), frames, delay, f)
}

// multiPDF makes each page as a JPEG by tx, and writes them as a PDF.
func (c *call) multiPDF(assets []*meta.Asset, tx string) (imaging.Result, error) {
	pages := make([][]byte, 0, len(assets))
	var w, h int
	for i, a := range assets {
		pg, err := c.frameOf(c.ctx(), a, tx, "jpg")
		if err != nil {
			return imaging.Result{}, err
		}
		if i == 0 {
			if w, h, err = frameSize(pg); err != nil {
				return imaging.Result{}, err
			}
		}
		pages = append(pages, pg)
	}
	body, err := imaging.PDF(pages)
	if err != nil {
		return imaging.Result{}, delivery.AsError(err)
	}
	return imaging.Result{Body: body, Format: delivery.PDF, Width: w, Height: h}, nil
}
