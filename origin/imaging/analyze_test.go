//go:build cgo

package imaging

import (
	"context"
	"image"
	"image/color"
	"math/bits"
	"testing"

	"github.com/mediacdn/mediacdn/delivery"
	"github.com/mediacdn/mediacdn/internal/testkit"
)

// The perceptual hash survives resizing and re-encoding and tells
// different photographs apart; colours cover the opaque pixels.
func TestAnalyzePHashAndColours(t *testing.T) {
	p := newProcessor(t, Config{})
	ctx := context.Background()
	storm := testkit.Read(t, "Storm.jpg")
	a, err := p.Analyze(ctx, storm)
	if err != nil {
		t.Fatal(err)
	}
	small := do(t, p, storm, "c_scale,w_300", delivery.WebP)
	b, err := p.Analyze(ctx, small.Body)
	if err != nil {
		t.Fatal(err)
	}
	if d := bits.OnesCount64(a.PHash ^ b.PHash); d > 6 {
		t.Errorf("resized copy differs in %d bits (%s vs %s)", d, PHashHex(a.PHash), PHashHex(b.PHash))
	}
	for _, other := range []string{"LadyBird.jpg", "Wood.jpg", "coffee.png"} {
		o, err := p.Analyze(ctx, testkit.Read(t, other))
		if err != nil {
			t.Fatal(err)
		}
		if d := bits.OnesCount64(a.PHash ^ o.PHash); d < 16 {
			t.Errorf("%s differs from Storm.jpg in only %d bits", other, d)
		}
	}
	sum := 0.0
	for i, c := range a.Colors {
		sum += c.Percent
		if i > 0 && c.Percent > a.Colors[i-1].Percent {
			t.Errorf("colours not sorted: %v", a.Colors)
		}
	}
	if len(a.Colors) == 0 || len(a.Colors) > 32 || sum < 98 || sum > 102 || a.Grayscale || a.SemiTransparent {
		t.Errorf("analysis %+v (sum %.1f)", a, sum)
	}
}

// A flat grey image is grayscale, one colour, "gray" or "white".
func TestAnalyzePixels(t *testing.T) {
	img := image.NewNRGBA(image.Rect(0, 0, 64, 64))
	for i := 0; i < len(img.Pix); i += 4 {
		img.Pix[i], img.Pix[i+1], img.Pix[i+2], img.Pix[i+3] = 128, 128, 128, 255
	}
	img.Set(0, 0, color.NRGBA{128, 128, 128, 100})
	a := analyzePixels(img)
	if !a.Grayscale || !a.SemiTransparent || len(a.Colors) != 1 || a.Colors[0].Color != "#808080" ||
		a.Colors[0].Percent != 100 || a.Predominant[0].Color != "gray" {
		t.Fatalf("%+v", a)
	}
}
