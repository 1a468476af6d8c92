package origin

import (
	"context"
	"time"

	"github.com/mediacdn/mediacdn/delivery"
	"github.com/mediacdn/mediacdn/origin/api"
	"github.com/mediacdn/mediacdn/origin/imaging"
	"github.com/mediacdn/mediacdn/origin/meta"
)

// Eager transformations ("tx" or "tx/format"; the asset's own format when
// none is given) are made before the call changes anything, so that one
// that fails (a timeout, a busy processor, a bad parameter) refuses the
// call with nothing stored or changed:
//   - an upload makes them from the bytes it is about to store, and
//     records them as derived resources of the new version once that is
//     committed (makeEagerFrom, recordEager);
//   - explicit makes them for the asset's current version, as delivery
//     would (eagerOf), before it changes the asset's metadata.
//
// Callers refuse eager transformations of other resource types first
// (eagerNotForKind). With eager_async they are made in the background
// instead (upload_eager_async.go).

// eagerSpec is one eager entry, parsed and expanded.
type eagerSpec struct {
	tx     string                  // as written: the derived resource's transformation
	format delivery.Format         // the output format
	tr     delivery.Transformation // named transformations expanded
}

// eagerSpecs parses and expands a call's eager entries for an asset of
// format assetFormat.
func (s *Server) eagerSpecs(ctx context.Context, cloud string, eager []string, assetFormat string) ([]eagerSpec, error) {
	out := make([]eagerSpec, 0, len(eager))
	for _, e := range eager {
		tx, format := splitEagerFormat(e)
		if format == "" {
			format = assetFormat
		}
		f, _ := delivery.ParseFormat(format)
		tr, err := delivery.ParseTransformation(tx)
		if err != nil {
			return nil, api.BadRequest("Invalid eager transformation %s - %s", api.Clip(e), err.Error())
		}
		expanded, _, err := s.expand(ctx, cloud, tr, 0)
		if err != nil {
			return nil, delivery.AsError(err)
		}
		out = append(out, eagerSpec{tx: tx, format: f, tr: expanded})
	}
	return out, nil
}

// madeEager is an eager image made before the version it belongs to is
// committed.
type madeEager struct {
	eagerSpec
	res imaging.Result
}

// makeEagerFrom makes an upload's eager images (o.eager, conditions
// reading o's tags and context) from src, the image (of format
// assetFormat) it is about to store. Nothing is stored.
func (c *call) makeEagerFrom(src *upfile, assetFormat string, o *uploadOptions) ([]madeEager, error) {
	eager := o.eagerNow()
	if len(eager) == 0 {
		return nil, nil
	}
	m, err := src.mapped()
	if err != nil {
		return nil, err
	}
	specs, err := c.s.eagerSpecs(c.ctx(), c.cloud, eager, assetFormat)
	if err != nil {
		return nil, err
	}
	out := make([]madeEager, 0, len(specs))
	for _, sp := range specs {
		made, err := c.makeOneEager(m, sp, o)
		if err != nil {
			return nil, err
		}
		out = append(out, made)
	}
	return out, nil
}

// makeOneEager makes one eager image from the mapped image m.
func (c *call) makeOneEager(m *imaging.Mapped, sp eagerSpec, o *uploadOptions) (madeEager, error) {
	layers, err := c.s.layerAssets(c.ctx(), &deriveRequest{key: meta.Key{Cloud: c.cloud}, tr: sp.tr, signed: true, cloud: c.cl})
	if err != nil {
		return madeEager{}, err
	}
	res, err := c.s.timedTransform(func() (imaging.Result, error) {
		return c.s.images.TransformMapped(c.ctx(), m, imaging.Request{Transformation: sp.tr,
			Format: wantedFormat(sp.tr, sp.format), Layers: layers, Tags: o.tags, Context: o.context,
			Faces: o.coords.Faces, Custom: o.coords.Custom})
	})
	if err != nil {
		return madeEager{}, err
	}
	return madeEager{eagerSpec: sp, res: res}, nil
}

// eagerImage is an eager image stored as a derived resource, as an
// answer describes it.
type eagerImage struct {
	tx            string
	format        delivery.Format
	width, height int
	size          int64
}

// recordEager records eager images made before a's version was committed
// as derived resources of that version. A recording that fails is logged,
// not answered: the upload is committed, and the image is made again on
// its first request.
func (c *call) recordEager(a *meta.Asset, made []madeEager) []eagerImage {
	out := make([]eagerImage, 0, len(made))
	for _, m := range made {
		d := &meta.Derived{DerivedKey: meta.DerivedKey{Version: a.Version, Transformation: m.tx,
			Format: m.format.String()}, Bytes: int64(len(m.res.Body)), Width: m.res.Width, Height: m.res.Height,
			ETag: md5Hex(m.res.Body), CreatedAt: c.s.now().UTC()}
		c.s.storeDerived(context.WithoutCancel(c.ctx()), a.Key, d, m.res.Body)
		out = append(out, eagerImage{tx: m.tx, format: m.format, width: d.Width, height: d.Height, size: d.Bytes})
	}
	return out
}

// eagerOf makes (or finds) a call's eager images for a's current version,
// as derived resources.
func (c *call) eagerOf(a *meta.Asset, eager []string) ([]eagerImage, error) {
	specs, err := c.s.eagerSpecs(c.ctx(), c.cloud, eager, a.Format)
	if err != nil {
		return nil, err
	}
	out := make([]eagerImage, 0, len(specs))
	for _, sp := range specs {
		req := &deriveRequest{key: a.Key, tr: sp.tr, format: wantedFormat(sp.tr, sp.format), signed: true, cloud: c.cl,
			dk: meta.DerivedKey{Version: a.Version, Transformation: sp.tx, Format: sp.format.String()}}
		d, err := c.s.findOrMake(c.ctx(), req, a)
		if err != nil {
			return nil, err
		}
		out = append(out, eagerImage{tx: sp.tx, format: sp.format, width: d.width, height: d.height, size: d.size})
	}
	return out, nil
}

// eagerAnswer describes a's eager images in an Upload API answer, with
// URLs as a is delivered now (signed when its access mode says so).
func (c *call) eagerAnswer(a *meta.Asset, images []eagerImage) []eagerJSON {
	if len(images) == 0 {
		return nil
	}
	out := make([]eagerJSON, len(images))
	for i, e := range images {
		url, secure := c.assetURLs(a, e.tx, e.format.String())
		out[i] = eagerJSON{Transformation: e.tx, Width: e.width, Height: e.height, Bytes: e.size,
			Format: e.format.String(), URL: url, SecureURL: secure}
	}
	return out
}

// timedTransform runs one transform, counting it and its duration (and a
// failure) in the metrics.
func (s *Server) timedTransform(run func() (imaging.Result, error)) (imaging.Result, error) {
	s.transforms.Add(1)
	start := time.Now()
	res, err := run()
	s.m.transformTime.Observe(time.Since(start))
	if err != nil {
		s.m.transformErrors.Add(1)
	}
	return res, err
}
