package origin

import (
	"bytes"
	"encoding/json"
	"math"
	"sort"
	"strconv"

	"github.com/mediacdn/mediacdn/delivery"
	"github.com/mediacdn/mediacdn/origin/api"
	"github.com/mediacdn/mediacdn/origin/meta"
)

// responsive_breakpoints on upload: for each request (a JSON object, or an
// array of them), the widths at which an image's file size changes by
// about bytes_step, between min_width and max_width (the image's own width
// at most), at most max_images of them. The widest is made at once and
// the narrowest; the widths between are estimated from their sizes (a
// size grows with the area, so with the width squared) and made. Each
// breakpoint is the request's transformation followed by c_scale,w_<w>,
// in the request's format (the asset's by default). Like eager images,
// they are made from the bytes about to be stored, before anything is
// stored; with create_derived they are then kept as derived resources of
// the new version.

// Cloudinary's defaults and the bounds this server sets.
const (
	breakpointsMinWidth   = 50
	breakpointsMaxWidth   = 1000
	breakpointsBytesStep  = 20000
	breakpointsMaxImages  = 20
	breakpointsMostImages = 50 // max_images at most
	breakpointsMostSets   = 5  // requests in one upload at most
)

// breakpointSpec is one responsive_breakpoints request.
type breakpointSpec struct {
	CreateDerived  bool   `json:"create_derived"`
	Transformation string `json:"transformation"`
	MinWidth       int    `json:"min_width"`
	MaxWidth       int    `json:"max_width"`
	BytesStep      int    `json:"bytes_step"`
	MaxImages      int    `json:"max_images"`
	Format         string `json:"format"`
}

// parseBreakpoints reads the responsive_breakpoints parameter.
func parseBreakpoints(raw string) ([]breakpointSpec, error) {
	if raw == "" {
		return nil, nil
	}
	raw2 := bytes.TrimSpace([]byte(raw))
	if len(raw2) > 0 && raw2[0] == '{' {
		raw2 = append(append([]byte{'['}, raw2...), ']')
	}
	var list []json.RawMessage
	if err := json.Unmarshal(raw2, &list); err != nil {
		return nil, api.BadRequest("Invalid responsive_breakpoints - a JSON object or array of objects")
	}
	if len(list) > breakpointsMostSets {
		return nil, api.BadRequest("Invalid responsive_breakpoints - at most %d requests", breakpointsMostSets)
	}
	out := make([]breakpointSpec, 0, len(list))
	for _, item := range list {
		sp := breakpointSpec{MinWidth: breakpointsMinWidth, MaxWidth: breakpointsMaxWidth,
			BytesStep: breakpointsBytesStep, MaxImages: breakpointsMaxImages}
		dec := json.NewDecoder(bytes.NewReader(item))
		if err := dec.Decode(&sp); err != nil {
			return nil, api.BadRequest("Invalid responsive_breakpoints - %s", api.Clip(string(item)))
		}
		switch {
		case sp.MinWidth < 1 || sp.MaxWidth < sp.MinWidth:
			return nil, api.BadRequest("Invalid responsive_breakpoints - min_width must be at least 1 and at most max_width")
		case sp.BytesStep < 1:
			return nil, api.BadRequest("Invalid responsive_breakpoints - bytes_step must be positive")
		case sp.MaxImages < 1 || sp.MaxImages > breakpointsMostImages:
			return nil, api.BadRequest("Invalid responsive_breakpoints - max_images must be between 1 and %d", breakpointsMostImages)
		}
		if sp.Transformation != "" {
			if _, err := delivery.ParseTransformation(sp.Transformation); err != nil {
				return nil, api.BadRequest("Invalid responsive_breakpoints transformation %s - %s", api.Clip(sp.Transformation), err.Error())
			}
		}
		if sp.Format != "" {
			if _, ok := delivery.ParseFormat(sp.Format); !ok {
				return nil, api.BadRequest("Invalid responsive_breakpoints format - %s", api.Clip(sp.Format))
			}
		}
		out = append(out, sp)
	}
	return out, nil
}

// madeBreakpoints are one request's breakpoint images, widest first.
type madeBreakpoints struct {
	spec   breakpointSpec
	images []madeEager
}

// makeBreakpoints makes an upload's breakpoint images (o.breakpoints)
// from src, the image (of format assetFormat) it is about to store.
func (c *call) makeBreakpoints(src *upfile, assetFormat string, o *uploadOptions) ([]madeBreakpoints, error) {
	if len(o.breakpoints) == 0 {
		return nil, nil
	}
	m, err := src.mapped()
	if err != nil {
		return nil, err
	}
	out := make([]madeBreakpoints, 0, len(o.breakpoints))
	for _, sp := range o.breakpoints {
		format := sp.Format
		if format == "" {
			format = assetFormat
		}
		at := func(crop string, w int) (madeEager, error) {
			tx := "c_" + crop + ",w_" + strconv.Itoa(w)
			if sp.Transformation != "" {
				tx = sp.Transformation + "/" + tx
			}
			specs, err := c.s.eagerSpecs(c.ctx(), c.cloud, []string{tx + "/" + format}, assetFormat)
			if err != nil {
				return madeEager{}, err
			}
			return c.makeOneEager(m, specs[0], o)
		}
		// The widest: max_width, or the (transformed) image's own width.
		top, err := at("limit", sp.MaxWidth)
		if err != nil {
			return nil, err
		}
		w := top.res.Width
		top.tx = scaledTx(sp.Transformation, w)
		images := []madeEager{top}
		minW := min(sp.MinWidth, w)
		if sp.MaxImages > 1 && minW < w {
			low, err := at("scale", minW)
			if err != nil {
				return nil, err
			}
			hi, lo := float64(len(top.res.Body)), float64(len(low.res.Body))
			step := float64(sp.BytesStep)
			n := int(math.Ceil((hi-lo)/step)) - 1 // widths between
			if n > sp.MaxImages-2 {
				n = sp.MaxImages - 2
				step = (hi - lo) / float64(n+1)
			}
			seen := map[int]bool{w: true, minW: true}
			for k := 1; k <= n; k++ {
				target := hi - float64(k)*step
				if target <= lo {
					break
				}
				fw, fm := float64(w), float64(minW)
				bw := int(math.Round(math.Sqrt(fm*fm + (fw*fw-fm*fm)*(target-lo)/(hi-lo))))
				if seen[bw] {
					continue
				}
				seen[bw] = true
				mid, err := at("scale", bw)
				if err != nil {
					return nil, err
				}
				images = append(images, mid)
			}
			images = append(images, low)
		}
		sort.SliceStable(images, func(i, j int) bool { return images[i].res.Width > images[j].res.Width })
		out = append(out, madeBreakpoints{spec: sp, images: images})
	}
	return out, nil
}

// scaledTx is a breakpoint's transformation: base, then c_scale,w_<w>.
func scaledTx(base string, w int) string {
	tx := "c_scale,w_" + strconv.Itoa(w)
	if base != "" {
		return base + "/" + tx
	}
	return tx
}

// breakpointJSON and breakpointsJSON are the responsive_breakpoints of an
// upload answer.
type breakpointJSON struct {
	Width     int    `json:"width"`
	Height    int    `json:"height"`
	Bytes     int    `json:"bytes"`
	URL       string `json:"url"`
	SecureURL string `json:"secure_url"`
}

type breakpointsJSON struct {
	Breakpoints    []breakpointJSON `json:"breakpoints"`
	Transformation string           `json:"transformation,omitempty"`
}

// recordBreakpoints keeps the breakpoint images of the requests with
// create_derived as derived resources of a's version, and describes
// them all.
func (c *call) recordBreakpoints(a *meta.Asset, made []madeBreakpoints) []breakpointsJSON {
	if len(made) == 0 {
		return nil
	}
	out := make([]breakpointsJSON, 0, len(made))
	for _, mb := range made {
		if mb.spec.CreateDerived {
			c.recordEager(a, mb.images)
		}
		set := breakpointsJSON{Transformation: mb.spec.Transformation, Breakpoints: make([]breakpointJSON, 0, len(mb.images))}
		for _, im := range mb.images {
			url, secure := c.assetURLs(a, im.tx, im.format.String())
			set.Breakpoints = append(set.Breakpoints, breakpointJSON{Width: im.res.Width, Height: im.res.Height,
				Bytes: len(im.res.Body), URL: url, SecureURL: secure})
		}
		out = append(out, set)
	}
	return out
}
