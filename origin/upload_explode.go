package origin

import (
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/mediacdn/mediacdn/delivery"
	"github.com/mediacdn/mediacdn/origin/api"
	"github.com/mediacdn/mediacdn/origin/meta"
)

// explode (the SDKs' Explode, explode): one derived image per page of a
// multi-page image (a PDF, an animated GIF or WebP; of type upload,
// private, authenticated or multi), each its
// transformation with pg_all made pg_<n>, made through the derive path and
// recorded, so that delivery then finds every page made. The pages are
// made before the answer, one at a time (each bounded by the image
// processor's limits); the answer is Cloudinary's, status processing and a
// batch_id.

func explodeSpec() api.MethodParams {
	return signedParams(api.MethodParams{
		Implemented: []string{"public_id", "transformation", "format", "type", "resource_type", "notification_url"},
	})
}

// explodeJSON is explode's answer (the Go SDK's ExplodeResult).
type explodeJSON struct {
	Status  string `json:"status"`
	BatchID string `json:"batch_id"`
}

// explodedJSON is explode's notification, once every page is made: the
// batch and the asset, and each page as an eager image is told of.
type explodedJSON struct {
	BatchID      string      `json:"batch_id"`
	AssetID      string      `json:"asset_id"`
	PublicID     string      `json:"public_id"`
	Version      int64       `json:"version"`
	ResourceType string      `json:"resource_type"`
	Type         string      `json:"type"`
	Eager        []eagerJSON `json:"eager"`
}

// explode serves POST /image/explode.
func (c *call) explode(rt string, p *api.Params) {
	if uploadRT(rt, p) != delivery.Image {
		c.fail(api.BadRequest("Explode makes images: use /image/explode"))
		return
	}
	id := p.Get("public_id")
	if id == "" {
		c.fail(api.BadRequest("Missing required parameter - public_id"))
		return
	}
	tx := p.Get("transformation")
	if strings.Count(tx, "pg_all") != 1 || pageTokens(tx, "all") != 1 {
		c.fail(api.BadRequest("Transformation must contain exactly one pg_all - %s", api.Clip(tx)))
		return
	}
	format := strings.ToLower(p.Get("format"))
	if format == "" {
		format = "png"
	}
	if _, ok := delivery.ParseFormat(format); !ok {
		c.fail(api.BadRequest("Invalid format - %s", api.Clip(format)))
		return
	}
	typ := delivery.Multi // a multi's animation or PDF (upload_multi.go)
	if p.Get("type") != "multi" {
		var err error
		if typ, err = typeParam(p, "type"); err != nil {
			c.fail(err)
			return
		}
	}
	w, err := c.webhookTargets(p, notifyExplode)
	if err != nil {
		c.fail(err)
		return
	}
	a, err := c.s.meta.Asset(c.ctx(), meta.Key{Cloud: c.cloud, ResourceType: delivery.Image, Type: typ, PublicID: id})
	if errors.Is(err, meta.ErrNotFound) {
		c.fail(delivery.Errorf(http.StatusNotFound, "Resource not found - %s", api.Clip(id)))
		return
	} else if err != nil {
		c.fail(delivery.Internal(err))
		return
	}
	pages := make([]string, max(a.Pages, 1))
	for i := range pages {
		pages[i] = pageTransformation(tx, strconv.Itoa(i+1)) + "/" + format
	}
	specs, err := c.s.eagerSpecs(c.ctx(), c.cloud, pages, a.Format)
	if err != nil {
		c.fail(err)
		return
	}
	images := make([]eagerImage, len(specs))
	for i, sp := range specs {
		d, err := c.derivedOf(c.ctx(), a, &specs[i])
		if err != nil {
			c.fail(err)
			return
		}
		images[i] = eagerImage{tx: sp.tx, format: sp.format, width: d.width, height: d.height, size: int64(len(d.body))}
	}
	batch := meta.RandomHex(16)
	if err := notifyMade(c, w, a.AssetID, explodedJSON{BatchID: batch, AssetID: a.AssetID, PublicID: a.PublicID,
		Version: a.Version, ResourceType: a.ResourceType.String(), Type: a.Type.String(), Eager: c.eagerAnswer(a, images)}); err != nil {
		c.fail(err)
		return
	}
	c.ok(explodeJSON{Status: "processing", BatchID: batch})
}

// pageTokens counts tx's pg_<page> parameters.
func pageTokens(tx, page string) int {
	n := 0
	for _, step := range strings.Split(tx, "/") {
		for _, param := range strings.Split(step, ",") {
			if param == "pg_"+page {
				n++
			}
		}
	}
	return n
}

// pageTransformation is tx with its pg_all made pg_<page>.
func pageTransformation(tx, page string) string {
	steps := strings.Split(tx, "/")
	for i, step := range steps {
		params := strings.Split(step, ",")
		for j, param := range params {
			if param == "pg_all" {
				params[j] = "pg_" + page
			}
		}
		steps[i] = strings.Join(params, ",")
	}
	return strings.Join(steps, "/")
}
