package origin

import (
	"strings"

	"github.com/mediacdn/mediacdn/delivery"
	"github.com/mediacdn/mediacdn/origin/api"
	"github.com/mediacdn/mediacdn/origin/imaging"
	"github.com/mediacdn/mediacdn/origin/meta"
)

// An upload's file can be changed before it is stored: the transformation
// parameter (an incoming transformation) and the format parameter turn an
// image into the original the asset keeps, as Cloudinary does. The format
// parameter is applied last: it wins over an f_ of the transformation. The
// stored bytes, and the width, height, format, bytes and etag the response
// and the asset report, are those of the result.

// incomingPlan says what to do to an upload's file before storing it.
type incomingPlan struct {
	tx     string // the transformation parameter, "" for none
	format string // the format to convert to, "" to keep the file's
	// tags and context are the upload's, which conditions read.
	tags    []string
	context map[string]string
}

// planIncoming decides the incoming transformation and conversion of an
// upload of kind: allowed_formats refuses a file in another format, unless
// format is given, in which case only such files are converted and files
// already in an allowed format are stored as they are (Cloudinary's
// allowed_formats with format).
func planIncoming(o *uploadOptions, kind fileKind) (incomingPlan, error) {
	plan := incomingPlan{tx: o.transformation, format: o.format}
	if len(o.allowedFormats) > 0 && kind.rt != delivery.Raw {
		if formatAllowed(kind, o.allowedFormats) {
			plan.format = ""
		} else if o.format == "" {
			return plan, api.BadRequest("Image format %s not allowed - allowed formats are %s", kind.format,
				strings.Join(o.allowedFormats, ", "))
		}
	}
	if plan.tx == "" && sameFormat(plan.format, kind.format) {
		plan.format = "" // already in it: stored as it is
	}
	if kind.rt != delivery.Image {
		switch {
		case plan.tx != "":
			return plan, api.BadRequest("Parameter transformation is not supported by this server for %s files", kind.rt)
		case plan.format != "":
			return plan, api.BadRequest("Parameter format is not supported by this server for %s files", kind.rt)
		}
	}
	return plan, nil
}

// formatAllowed reports whether the file's format is in allowed.
func formatAllowed(kind fileKind, allowed []string) bool {
	for _, a := range allowed {
		if sameFormat(a, kind.format) {
			return true
		}
	}
	return false
}

// sameFormat reports whether two format names name the same known format
// (jpg, jpeg and JPG do).
func sameFormat(a, b string) bool {
	fa, ok := delivery.ParseFormat(a)
	fb, ok2 := delivery.ParseFormat(b)
	return ok && ok2 && fa == fb
}

// applyIncoming runs the plan on an image and returns the result, in a
// new file (src is closed then), and what it is. Named transformations
// expand as in delivery URLs.
func (c *call) applyIncoming(src *upfile, kind fileKind, plan incomingPlan) (*upfile, fileKind, error) {
	if plan.tx == "" && plan.format == "" {
		return src, kind, nil
	}
	var tr delivery.Transformation
	if plan.tx != "" {
		parsed, err := delivery.ParseTransformation(plan.tx)
		if err != nil {
			return src, kind, api.BadRequest("Invalid transformation %s - %s", api.Clip(plan.tx), err.Error())
		}
		if tr, _, err = c.s.expand(c.ctx(), c.cloud, parsed, 0); err != nil {
			return src, kind, delivery.AsError(err)
		}
	}
	f := delivery.FormatNone
	if plan.format != "" {
		var ok bool
		if f, ok = delivery.ParseFormat(plan.format); !ok {
			return src, kind, api.BadRequest("Invalid format - %s", api.Clip(plan.format))
		}
	}
	if f == delivery.FormatNone {
		f = wantedFormat(tr, f) // the transformation's last f_, if any
	}
	m, err := src.mapped()
	if err != nil {
		return src, kind, err
	}
	layers, err := c.s.layerAssets(c.ctx(), &deriveRequest{key: meta.Key{Cloud: c.cloud}, tr: tr, signed: true, cloud: c.cl})
	if err != nil {
		return src, kind, err
	}
	res, err := c.s.images.TransformMapped(c.ctx(), m, imaging.Request{Transformation: tr, Format: f, Layers: layers,
		Tags: plan.tags, Context: plan.context})
	if err != nil {
		return src, kind, delivery.AsError(err)
	}
	out := fileKind{rt: delivery.Image, format: res.Format.String(), width: res.Width, height: res.Height, pages: 1}
	if info, err := c.s.images.Probe(res.Body); err == nil {
		out.pages = max(info.Pages, 1)
	}
	result, err := c.s.upfileOf(res.Body, src.Name)
	if err != nil {
		return src, kind, delivery.Internal(err)
	}
	src.close()
	return result, out, nil
}
