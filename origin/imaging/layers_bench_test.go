//go:build cgo

package imaging

import (
	"context"
	"testing"

	"github.com/mediacdn/mediacdn/delivery"
	"github.com/mediacdn/mediacdn/internal/testkit"
)

// The watermark of the target (within 1.3× the CPU of the plain
// fill): LadyBird.jpg filled to 800x500 with and without the corpus's
// logo.png (500x500 RGBA, as `mediacdn bench transform` uses) scaled to 200
// wide at south_east, with the layer cache (the logo decoded and resized
// once) and without it (watermark-nocache: every request decodes it), and
// with a text caption. Run with -cpu 2, e.g.
//
//	go test -run '^$' -bench Layers -cpu 2 -count 5 ./origin/imaging
func BenchmarkLayers(b *testing.B) {
	src := testkit.Read(b, "LadyBird.jpg")
	layers := map[string][]byte{"logo": testkit.Read(b, "logo.png")}
	p := newProcessor(b, Config{Workers: 2, Queue: 64})
	off := newProcessor(b, Config{Workers: 2, Queue: 64, LayerCache: -1})
	for _, op := range []struct {
		name, tx string
		p        *Processor
	}{
		{"fill800x500-jpeg", "c_fill,h_500,w_800", p},
		{"watermark-jpeg", "c_fill,h_500,w_800/l_logo,w_200/fl_layer_apply,g_south_east", p},
		{"watermark-nocache-jpeg", "c_fill,h_500,w_800/l_logo,w_200/fl_layer_apply,g_south_east", off},
		{"caption-jpeg", "c_fill,h_500,w_800/l_text:Arial_40_bold:Summer%20sale,co_white/fl_layer_apply,g_south,y_20", p},
	} {
		tr, err := delivery.ParseTransformation(op.tx)
		if err != nil {
			b.Fatal(err)
		}
		req := Request{Transformation: tr, Format: delivery.JPG, Layers: layers}
		b.Run(op.name, func(b *testing.B) {
			measure(b, func() error {
				_, err := op.p.Transform(context.Background(), src, req)
				return err
			})
		})
	}
}
