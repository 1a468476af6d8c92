//go:build cgo

package imaging

import (
	"bytes"
	"context"
	"errors"
	"image/color"
	"testing"

	"github.com/mediacdn/mediacdn/delivery"
	"github.com/mediacdn/mediacdn/internal/testkit"
)

// Verify accepts whole images of every format and refuses truncated ones
// (Probe, a header check, accepts them all) with 400 Invalid image file.
func TestVerify(t *testing.T) {
	p := newProcessor(t, Config{})
	jpg := testkit.Read(t, "Aqua.jpg")
	png := testkit.Read(t, "coffee.png")
	webp := do(t, p, png, "w_300", delivery.WebP).Body
	gif := do(t, p, png, "w_300", delivery.GIF).Body
	heic := testkit.Read(t, "rocket.heic")
	avif := do(t, p, png, "w_300", delivery.AVIF).Body
	whole := map[string][]byte{"jpeg": jpg, "png": png, "alpha png": testkit.Read(t, "logo.png"),
		"webp": webp, "gif": gif, "animated gif": animatedGIF(t, color.RGBA{255, 0, 0, 255}, color.RGBA{0, 255, 0, 255}), "heic": heic, "avif": avif,
		"jpeg with trailing bytes": append(bytes.Clone(jpg), "trailer"...),
		"png with trailing bytes":  append(bytes.Clone(png), "trailer"...)}
	for name, b := range whole {
		if err := p.Verify(context.Background(), b); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
	flipped := bytes.Clone(jpg)
	for i := len(flipped) / 3; i < len(flipped)/3+4000; i += 7 {
		flipped[i] ^= 0x55
	}
	broken := map[string][]byte{
		"jpeg cut in its scan":        jpg[:len(jpg)*2/3],
		"jpeg without its end marker": jpg[:len(jpg)-2],
		"jpeg with corrupt scan data": flipped,
		"png cut in its pixels":       png[:len(png)*2/3],
		"png without IEND":            png[:len(png)-12],
		"webp cut in its pixels":      webp[:len(webp)*2/3],
		"gif cut in its pixels":       gif[:len(gif)*2/3],
		"heic cut in its pixels":      heic[:len(heic)*3/4],
		"avif cut in its pixels":      avif[:len(avif)*3/4],
	}
	for name, b := range broken {
		if _, err := p.Probe(b); err != nil {
			t.Logf("%s: Probe refuses it already: %v", name, err)
		}
		wantErrorNamed(t, name, p.Verify(context.Background(), b), 400, "Invalid image file")
	}
	if s := p.Stats(); s.Busy != 0 {
		t.Errorf("stats after Verify: %+v", s)
	}
}

// wantErrorNamed is wantError that names the case and goes on.
func wantErrorNamed(t *testing.T, name string, err error, status int, msg string) {
	t.Helper()
	var e *delivery.Error
	if !errors.As(err, &e) || e.Status != status || e.Message != msg {
		t.Errorf("%s: got %v, want %d %s", name, err, status, msg)
	}
}

// Verify stops when its context ends (here before it starts).
func TestVerifyStops(t *testing.T) {
	p := newProcessor(t, Config{})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	wantError(t, p.Verify(ctx, testkit.Read(t, "Aqua.jpg")), 503, "Image transformation canceled")
}
