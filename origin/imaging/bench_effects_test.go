//go:build cgo

package imaging

import (
	"context"
	"testing"
	"time"

	"github.com/mediacdn/mediacdn/delivery"
	"github.com/mediacdn/mediacdn/internal/testkit"
)

// Effects after the standard fill (c_fill 300x200 on LadyBird.jpg, as
// BenchmarkTransform's fill300x200-jpeg), beside the plain fill, with the
// same two workers and two clients:
//
//	go test -run '^$' -bench 'Effects' -cpu 2 -count 3 ./origin/imaging
func BenchmarkEffects(b *testing.B) {
	src := testkit.Read(b, "LadyBird.jpg")
	p := newProcessor(b, Config{Workers: 2, Queue: 64})
	defer p.Close()
	for _, op := range []struct{ name, tx string }{
		{"fill", "c_fill,h_200,w_300,q_80"},
		{"fill-brightness", "c_fill,h_200,w_300,q_80/e_brightness:30"},
		{"fill-improve", "c_fill,h_200,w_300,q_80/e_improve"},
		{"fill-pixelate-region", "c_fill,h_200,w_300,q_80/e_pixelate_region,h_80,w_120,x_90,y_60"},
		{"fill-vibrance", "c_fill,h_200,w_300,q_80/e_vibrance:50"},
	} {
		req := Request{Transformation: mustParse(b, op.tx), Format: delivery.JPG}
		b.Run(op.name, func(b *testing.B) {
			measure(b, func() error {
				_, err := p.Transform(context.Background(), src, req)
				return err
			})
		})
	}
}

// The cost budget's estimates of the effects against their time on the
// whole 2560x1600 photo (as BenchmarkCostModel):
//
//	go test -run '^$' -bench EffectCosts -benchtime 3x ./origin/imaging
func BenchmarkEffectCosts(b *testing.B) {
	p := newProcessor(b, Config{Workers: 1, Timeout: 5 * time.Minute, MaxCost: -1})
	photo := testkit.Read(b, "Aqua.jpg")
	for _, tx := range []string{
		"f_jpg", "e_brightness", "e_contrast:40", "e_gamma:50", "e_saturation", "e_hue", "e_vibrance",
		"e_auto_brightness", "e_auto_contrast", "e_auto_color", "e_improve", "e_unsharp_mask",
		"e_unsharp_mask:1000", "e_pixelate", "e_pixelate:4", "e_pixelate_region", "e_blur_region",
		"e_blur_region:2000", "e_vignette", "e_trim", "e_colorize:50,co_red", "e_tint",
		"e_replace_color:blue", "e_replace_color:blue:50:red", "e_make_transparent",
		"e_gradient_fade", "e_shadow", "e_shadow:100", "e_outline", "e_outline:outer:100", "e_outline:inner:20:400",
		"e_blackwhite",
	} {
		b.Run(tx, func(b *testing.B) {
			est := estimateOf(b, p, photo, tx, delivery.JPG)
			for b.Loop() {
				do(b, p, photo, tx, delivery.JPG)
			}
			took := b.Elapsed() / time.Duration(b.N)
			b.ReportMetric(float64(est.Microseconds())/1000, "estimate-ms")
			b.ReportMetric(est.Seconds()/took.Seconds(), "estimate/time")
		})
	}
}
