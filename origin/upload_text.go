package origin

import (
	"bytes"
	"strconv"

	"github.com/mediacdn/mediacdn/delivery"
	"github.com/mediacdn/mediacdn/origin/api"
	"github.com/mediacdn/mediacdn/origin/imaging"
)

// text serves POST /image/text: an image of a text string (seed 003),
// stored as a PNG asset and answered like an upload.
func (c *call) text(rt string, p *api.Params) {
	if rt != "image" && rt != "auto" {
		c.fail(api.BadRequest("Text images are images: use /image/text"))
		return
	}
	txt := p.Get("text")
	if txt == "" {
		c.fail(api.BadRequest("Missing required parameter - text"))
		return
	}
	size, err := p.Int("font_size", 12)
	if err != nil {
		c.fail(err)
		return
	}
	opacity, err := p.Int("opacity", 100)
	if err != nil {
		c.fail(err)
		return
	}
	res, err := c.s.images.Text(c.ctx(), imaging.TextRequest{
		Text: txt, FontFamily: p.Get("font_family"), FontSize: size, FontColor: p.Get("font_color"),
		Background: p.Get("background"), FontWeight: p.Get("font_weight"), FontStyle: p.Get("font_style"),
		TextDecoration: p.Get("text_decoration"), Opacity: opacity,
	})
	if err != nil {
		c.fail(err)
		return
	}
	o, err := parseUploadOptions(p)
	if err != nil {
		c.fail(err)
		return
	}
	kind := fileKind{rt: delivery.Image, format: res.Format.String(), width: res.Width, height: res.Height, pages: 1}
	id, _, err := choosePublicID(o, kind, "text")
	if err != nil {
		c.fail(err)
		return
	}
	a, err := c.storeNew(bytes.NewReader(res.Body), kind, id, "text", o)
	if err != nil {
		c.fail(err)
		return
	}
	a.Context = mergeContext(a.Context, map[string]string{"text": txt, "font_size": strconv.Itoa(size)})
	c.commitUpload(a, nil, nil, nil, o, p)
}

func mergeContext(a, b map[string]string) map[string]string {
	out := make(map[string]string, len(a)+len(b))
	for k, v := range b {
		out[k] = v
	}
	for k, v := range a {
		out[k] = v
	}
	return out
}
