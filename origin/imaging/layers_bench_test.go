//go:build cgo

package imaging

import (
	"context"
	"image"
	"image/color"
	"testing"

	"github.com/mediacdn/mediacdn/delivery"
	"github.com/mediacdn/mediacdn/internal/testkit"
)

// The watermark of the target (within 1.3× the CPU of the plain
// fill): LadyBird.jpg filled to 800x500 with and without a 400x200 PNG
// logo with alpha scaled to 200 wide at south_east, and with a text
// caption. Run with -cpu 2, e.g.
//
//	go test -run '^$' -bench Layers -cpu 2 -count 5 ./origin/imaging
func BenchmarkLayers(b *testing.B) {
	src := testkit.Read(b, "LadyBird.jpg")
	hole := image.Rect(0, 100, 200, 200) // a quarter of the logo transparent
	layers := map[string][]byte{"logo": solidPNG(b, 400, 200, color.NRGBA{200, 30, 30, 255}, &hole)}
	p := newProcessor(b, Config{Workers: 2, Queue: 64})
	for _, op := range []struct{ name, tx string }{
		{"fill800x500-jpeg", "c_fill,h_500,w_800"},
		{"watermark-jpeg", "c_fill,h_500,w_800/l_logo,w_200/fl_layer_apply,g_south_east"},
		{"caption-jpeg", "c_fill,h_500,w_800/l_text:Arial_40_bold:Summer%20sale,co_white/fl_layer_apply,g_south,y_20"},
	} {
		tr, err := delivery.ParseTransformation(op.tx)
		if err != nil {
			b.Fatal(err)
		}
		req := Request{Transformation: tr, Format: delivery.JPG, Layers: layers}
		b.Run(op.name, func(b *testing.B) {
			measure(b, func() error {
				_, err := p.Transform(context.Background(), src, req)
				return err
			})
		})
	}
}
