package bench

import (
	"context"
	"fmt"
	"time"

	"github.com/valyala/fasthttp"
)

// layerLogo is the image layer of the watermark operation: the corpus's
// logo.png (a 500x500 RGBA PNG), uploaded as the public ID logo.
const layerLogo = "logo.png"

// layerOps are issue 18's layer operations on LadyBird.jpg: the plain
// fill 800x500 they build on, a watermark (the logo scaled to 200 wide in
// the south-east corner) and a text caption, so that each layer's own cost
// shows beside the fill. The last component is the quality, so that the
// unique d_ transformHTTP appends lands outside the layers.
func layerOps() []transformOp {
	return []transformOp{
		{Name: "fill800x500", Tr: "c_fill,h_500,w_800/q_80", Ext: "jpg"},
		{Name: "watermark", Tr: "c_fill,h_500,w_800/l_logo,w_200/fl_layer_apply,g_south_east/q_80", Ext: "jpg"},
		{Name: "caption", Tr: "c_fill,h_500,w_800/co_white,l_text:Arial_40_bold:Summer%20sale/fl_layer_apply,g_south,y_20/q_80", Ext: "jpg"},
	}
}

// transformLayers uploads layerLogo as logo and runs layerOps on id (the
// LadyBird upload) over HTTP, n transforms each.
func transformLayers(ctx context.Context, e *env, c *cluster, hc *fasthttp.HostClient, id, run string, n int, deadline time.Time) ([]opResult, error) {
	return uploadAndRun(ctx, e, c, hc, "layer operations", layerLogo, "logo", layerOps(), id, run, n, deadline)
}

// layerTable renders the layer operations, each with its CPU over the
// plain fill's, and checks issue 18's target: the watermark within 1.3×
// the fill's CPU.
func layerTable(d transformData) (Table, []Check) {
	t := Table{Title: fmt.Sprintf("LadyBird.jpg, %d transforms per operation: layers over the fill 800x500 (no bimg floor: bimg has no layers)", d.PerOp),
		Header: []string{"operation", "req/s", "p50 ms", "p99 ms", "CPU ms/op", "CPU ÷ fill", "output KB", "errors"}}
	if len(d.Layers) == 0 {
		return t, nil
	}
	fill := d.Layers[0]
	var checks []Check
	for _, h := range d.Layers {
		t.Rows = append(t.Rows, opRow(h, []string{ratioOrNA(h.CPUms, fill.CPUms)}))
		if h.Op == "watermark" && h.CPUms > 0 && fill.CPUms > 0 {
			r := h.CPUms / fill.CPUms
			checks = append(checks, check("watermark CPU against the plain fill 800x500", x(r), "<= 1.3×", r <= 1.3))
		}
	}
	return t, checks
}
