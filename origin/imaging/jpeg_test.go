//go:build cgo

package imaging

import (
	"bytes"
	"context"
	"image"
	"image/color"
	"image/jpeg"
	"testing"
	"time"

	"github.com/mediacdn/mediacdn/delivery"
	"github.com/mediacdn/mediacdn/internal/testkit"
)

// The direct JPEG decoder (jpeg.c) gives exactly the pixels of libvips'
// loader, for colour, grey, progressive, EXIF-rotated and ICC-tagged
// inputs, whatever the shrink (sizes rounded down like libvips'), and it
// is the one that ran.
func TestDirectJPEGMatchesLibvips(t *testing.T) {
	direct := newProcessor(t, Config{})
	viaVips := newProcessor(t, Config{LibvipsJPEG: true})
	grey := image.NewGray(image.Rect(0, 0, 900, 600))
	for i := range grey.Pix {
		grey.Pix[i] = uint8(i*7 + i/900*3)
	}
	var greyJPEG bytes.Buffer
	if err := jpeg.Encode(&greyJPEG, grey, &jpeg.Options{Quality: 90}); err != nil {
		t.Fatal(err)
	}
	progressive := do(t, viaVips, testkit.Read(t, "Aqua.jpg"), "fl_progressive", delivery.JPG).Body
	if !bytes.Contains(progressive, []byte{0xff, 0xc2}) {
		t.Fatal("fl_progressive made no progressive (SOF2) JPEG")
	}
	inputs := []struct {
		name string
		src  []byte
	}{
		{"LadyBird.jpg", testkit.Read(t, "LadyBird.jpg")},
		{"Storm.jpg", testkit.Read(t, "Storm.jpg")},
		{"Wood.jpg", testkit.Read(t, "Wood.jpg")},
		{"rocket.jpg (ICC profile)", testkit.Read(t, "rocket.jpg")},
		{"grey JPEG", greyJPEG.Bytes()},
		{"EXIF orientation 6", withEXIF(testkit.Read(t, "Garden.jpg"), 6, "someone")},
		{"progressive", progressive},
	}
	for _, in := range inputs {
		// Sizes relative to the input, so that each load is shrunk (by 2,
		// 4 or 8); rocket.jpg's 427 rows do not divide by them.
		for _, tx := range []string{"c_fill,w_0.12,h_0.1", "c_fit,w_0.2,h_0.2", "w_0.3,h_0.1,c_scale", "c_thumb,g_auto,w_0.2,h_0.2",
			"c_scale,w_0.25/e_grayscale", "a_ignore,w_0.15"} {
			before := direct.Stats().DirectJPEGDecodes
			got := do(t, direct, in.src, tx, delivery.PNG)
			if direct.Stats().DirectJPEGDecodes != before+1 {
				t.Fatalf("%s %s: libvips' loader decoded it", in.name, tx)
			}
			want := do(t, viaVips, in.src, tx, delivery.PNG)
			if got.Width != want.Width || got.Height != want.Height {
				t.Fatalf("%s %s: %dx%d, libvips' loader %dx%d", in.name, tx, got.Width, got.Height, want.Width, want.Height)
			}
			if x, y, a, b, same := samePixels(decode(t, got), decode(t, want)); !same {
				t.Errorf("%s %s: pixel (%d,%d) is %v, libvips' loader %v", in.name, tx, x, y, a, b)
			}
		}
	}
	if n := viaVips.Stats().DirectJPEGDecodes; n != 0 {
		t.Errorf("libvips_jpeg on: %d direct decodes", n)
	}
}

// What the direct decoder leaves to libvips' loader: loads that are not
// shrunk (they stream a few rows at a time), and metadata still follows
// the header: fl_keep_iptc keeps IPTC, EXIF is stripped.
func TestDirectJPEGScope(t *testing.T) {
	p := newProcessor(t, Config{})
	src := withIPTC(withEXIF(testkit.Read(t, "LadyBird.jpg"), 1, "Secret Photographer"), "(c) Copyright Holder")
	before := p.Stats().DirectJPEGDecodes
	if res := do(t, p, src, "c_crop,w_200,h_100", delivery.JPG); res.Width != 200 {
		t.Fatalf("crop: %dx%d", res.Width, res.Height)
	}
	if p.Stats().DirectJPEGDecodes != before {
		t.Error("an unshrunk load was decoded whole into memory")
	}
	kept := do(t, p, src, "w_300,fl_keep_iptc", delivery.JPG).Body
	if p.Stats().DirectJPEGDecodes != before+1 {
		t.Fatal("w_300 of a 2560-wide JPEG was not decoded directly")
	}
	if !bytes.Contains(kept, []byte("Copyright Holder")) || bytes.Contains(kept, []byte("Secret Photographer")) {
		t.Error("fl_keep_iptc: IPTC lost or EXIF kept")
	}
}

// A corrupt or truncated JPEG fails the direct decoder with 400 and the
// processor keeps working; one whose decode outlives the deadline fails
// with 504.
func TestDirectJPEGBadInput(t *testing.T) {
	p := newProcessor(t, Config{})
	src := testkit.Read(t, "Storm.jpg")
	flipped := bytes.Clone(src)
	for i := len(flipped) / 3; i < len(flipped)/3+4000; i += 7 {
		flipped[i] ^= 0x55
	}
	for _, c := range []struct {
		name string
		src  []byte
	}{
		{"truncated in the scan", src[:len(src)*2/3]},
		{"cut after the header", src[:2000]},
		{"corrupt entropy data", flipped},
	} {
		before := p.Stats().DirectJPEGDecodes
		_, err := try(t, p, c.src, "c_fill,w_200,h_200", delivery.JPG)
		wantError(t, err, 400, "Invalid image file")
		if p.Stats().DirectJPEGDecodes != before {
			t.Errorf("%s: counted as decoded", c.name)
		}
		if res := do(t, p, src, "w_100", delivery.JPG); res.Width != 100 {
			t.Fatalf("after %s: %dx%d", c.name, res.Width, res.Height)
		}
	}

	pln, err := newPlan(mustParse(t, "w_100"), 0)
	if err != nil {
		t.Fatal(err)
	}
	out, _ := chooseOutput(delivery.JPG, 0, delivery.JPG, false)
	ctx, cancel := context.WithDeadline(context.Background(), time.Now().Add(-time.Second))
	defer cancel()
	s := newSource(src, loaderJPEG)
	_, err = p.workers().do(context.Background(), func(context.Context) (Result, error) {
		defer s.free()
		return p.transform(ctx, s, &pln, out) // deadline already passed
	}, s.free)
	wantError(t, err, 504, "Image transformation timed out")
}

// samePixels compares two images of one size pixel by pixel.
func samePixels(a, b image.Image) (x, y int, pa, pb color.NRGBA, same bool) {
	for y := 0; y < a.Bounds().Dy(); y++ {
		for x := 0; x < a.Bounds().Dx(); x++ {
			if pa, pb := px(a, x, y), px(b, x, y); pa != pb {
				return x, y, pa, pb, false
			}
		}
	}
	return 0, 0, color.NRGBA{}, color.NRGBA{}, true
}
