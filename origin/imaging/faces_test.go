//go:build cgo

package imaging

import (
	"bytes"
	"context"
	"image"
	"image/color"
	"image/draw"
	"image/png"
	"net/http"
	"testing"

	"github.com/mediacdn/mediacdn/delivery"
	"github.com/mediacdn/mediacdn/internal/testkit"
)

// astronautFace is where OpenCV's cascade finds the face in the corpus
// portrait astronaut.png (512 × 512), checked by TestDetectFaces.
var astronautFace = [4]int{175, 66, 96, 96}

var (
	green   = color.NRGBA{0, 200, 0, 255}
	magenta = color.NRGBA{255, 0, 255, 255}
)

// paddedAstronaut is astronaut.png with pad pixels of flat green on its
// left, so that its face is far off-centre, and an 8 × 8 magenta marker
// just outside each corner of the face box: a crop holds the whole box
// when it shows all four markers. It returns the PNG and the face box
// (in the padded image).
func paddedAstronaut(t testing.TB, pad int) ([]byte, image.Rectangle) {
	t.Helper()
	src, err := png.Decode(bytes.NewReader(testkit.Read(t, "astronaut.png")))
	if err != nil {
		t.Fatal(err)
	}
	b := src.Bounds()
	canvas := image.NewNRGBA(image.Rect(0, 0, pad+b.Dx(), b.Dy()))
	draw.Draw(canvas, image.Rect(0, 0, pad, b.Dy()), image.NewUniform(green), image.Point{}, draw.Src)
	draw.Draw(canvas, image.Rect(pad, 0, pad+b.Dx(), b.Dy()), src, b.Min, draw.Src)
	f := astronautFace
	face := image.Rect(pad+f[0], f[1], pad+f[0]+f[2], f[1]+f[3])
	for _, c := range []image.Point{
		{face.Min.X - 10, face.Min.Y - 10}, {face.Max.X + 2, face.Min.Y - 10},
		{face.Min.X - 10, face.Max.Y + 2}, {face.Max.X + 2, face.Max.Y + 2},
	} {
		draw.Draw(canvas, image.Rect(c.X, c.Y, c.X+8, c.Y+8), image.NewUniform(magenta), image.Point{}, draw.Src)
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, canvas); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes(), face
}

// markers counts the magenta blobs of img (8-connected) and returns
// their bounding box.
func markers(img image.Image) (int, image.Rectangle) {
	b := img.Bounds()
	isMarker := func(x, y int) bool {
		c := px(img, x, y)
		return c.R >= 170 && c.B >= 170 && c.G <= 100
	}
	seen := make([]bool, b.Dx()*b.Dy())
	var box image.Rectangle
	blobs := 0
	for y := 0; y < b.Dy(); y++ {
		for x := 0; x < b.Dx(); x++ {
			if seen[y*b.Dx()+x] || !isMarker(x, y) {
				continue
			}
			blobs++
			stack := []image.Point{{x, y}}
			seen[y*b.Dx()+x] = true
			for len(stack) > 0 {
				p := stack[len(stack)-1]
				stack = stack[:len(stack)-1]
				box = box.Union(image.Rect(p.X, p.Y, p.X+1, p.Y+1))
				for dy := -1; dy <= 1; dy++ {
					for dx := -1; dx <= 1; dx++ {
						q := image.Point{p.X + dx, p.Y + dy}
						if q.X < 0 || q.Y < 0 || q.X >= b.Dx() || q.Y >= b.Dy() || seen[q.Y*b.Dx()+q.X] || !isMarker(q.X, q.Y) {
							continue
						}
						seen[q.Y*b.Dx()+q.X] = true
						stack = append(stack, q)
					}
				}
			}
		}
	}
	return blobs, box
}

// greenShare is the fraction of img's pixels that are the padding green.
func greenShare(img image.Image) float64 {
	b := img.Bounds()
	k := 0
	for y := 0; y < b.Dy(); y++ {
		for x := 0; x < b.Dx(); x++ {
			if near(px(img, x, y), green, 12) {
				k++
			}
		}
	}
	return float64(k) / float64(b.Dx()*b.Dy())
}

func TestDetectFaces(t *testing.T) {
	p := newProcessor(t, Config{})
	faces, err := p.DetectFaces(context.Background(), testkit.Read(t, "astronaut.png"))
	if err != nil {
		t.Fatal(err)
	}
	if len(faces) != 1 || faces[0] != astronautFace {
		t.Fatalf("astronaut.png: faces %v, want [%v]", faces, astronautFace)
	}
	padded, face := paddedAstronaut(t, 1024)
	faces, err = p.DetectFaces(context.Background(), padded)
	if err != nil {
		t.Fatal(err)
	}
	if len(faces) != 1 || !image.Rect(faces[0][0], faces[0][1], faces[0][0]+faces[0][2], faces[0][1]+faces[0][3]).Inset(-6).In(face.Inset(-12)) {
		t.Fatalf("padded astronaut: faces %v, want one near %v", faces, face)
	}
	for _, name := range []string{"chelsea.png", "rocket.jpg", "coffee.png"} {
		if faces, err := p.DetectFaces(context.Background(), testkit.Read(t, name)); err != nil || len(faces) != 0 {
			t.Errorf("%s: faces %v, %v; want none", name, faces, err)
		}
	}
}

// TestFaceThumb: c_thumb,g_face crops around the face detected in the
// full image (its four corner markers all in the thumbnail, the face
// filling a good part of it) where a centre crop shows only the padding;
// z_ zooms around it.
func TestFaceThumb(t *testing.T) {
	p := newProcessor(t, Config{})
	src, _ := paddedAstronaut(t, 1024)
	spans := map[string]int{}
	for _, tx := range []string{"c_thumb,g_face,w_100,h_100", "c_thumb,g_faces,w_100,h_100", "c_thumb,g_face,w_100,h_100,z_0.7",
		"c_fill,g_face,w_100,h_100", "c_crop,g_face,w_200,h_200", "c_lfill,g_face:center,w_300,h_300"} {
		res := do(t, p, src, tx, delivery.PNG)
		img := decode(t, res)
		n, box := markers(img)
		if n != 4 {
			t.Errorf("%s: %d of the 4 markers around the face box in the crop", tx, n)
		}
		if g := greenShare(img); g > 0.1 {
			t.Errorf("%s: %.0f%% padding green in the crop, want (next to) none", tx, 100*g)
		}
		spans[tx] = box.Dx()
	}
	if s := spans["c_thumb,g_face,w_100,h_100"]; s < 40 || s > 80 {
		t.Errorf("c_thumb,g_face: the face spans %d of 100 pixels, want about half", s)
	}
	if spans["c_thumb,g_face,w_100,h_100,z_0.7"] >= spans["c_thumb,g_face,w_100,h_100"]-5 {
		t.Errorf("z_0.7 does not zoom out: face spans %v", spans)
	}
	centre := decode(t, do(t, p, src, "c_thumb,g_center,w_100,h_100", delivery.PNG))
	if g := greenShare(centre); g < 0.9 {
		t.Errorf("centre crop: %.0f%% green, want the padding only", 100*g)
	}
}

// TestFaceGravityNoFace: with no face found, g_face crops as g_north,
// g_face:center as g_center and g_face:auto as g_auto (Cloudinary's
// fallbacks).
func TestFaceGravityNoFace(t *testing.T) {
	p := newProcessor(t, Config{})
	src := testkit.Read(t, "chelsea.png")
	for _, c := range []struct{ face, want, other string }{
		{"c_fill,g_face,w_200,h_50", "c_fill,g_north,w_200,h_50", "c_fill,g_center,w_200,h_50"},
		{"c_fill,g_faces:center,w_200,h_50", "c_fill,g_center,w_200,h_50", "c_fill,g_north,w_200,h_50"},
		{"c_thumb,g_face:center,w_200,h_50", "c_fill,g_center,w_200,h_50", "c_fill,g_north,w_200,h_50"},
		{"c_fill,g_face:auto,w_200,h_50", "c_fill,g_auto,w_200,h_50", "c_fill,g_north,w_200,h_50"},
	} {
		got := decode(t, do(t, p, src, c.face, delivery.PNG))
		want := decode(t, do(t, p, src, c.want, delivery.PNG))
		other := decode(t, do(t, p, src, c.other, delivery.PNG))
		if d := meanDiff(got, want); d > 1 {
			t.Errorf("%s differs from %s by %.1f", c.face, c.want, d)
		}
		if d := meanDiff(got, other); d < 5 {
			t.Errorf("%s is %s too (difference %.1f): the test image cannot tell them apart", c.face, c.other, d)
		}
	}
}

// meanDiff is the mean absolute difference of two same-sized images' RGB.
func meanDiff(a, b image.Image) float64 {
	ab, bb := a.Bounds(), b.Bounds()
	if ab.Dx() != bb.Dx() || ab.Dy() != bb.Dy() {
		return 255
	}
	var sum float64
	for y := 0; y < ab.Dy(); y++ {
		for x := 0; x < ab.Dx(); x++ {
			p, q := px(a, x, y), px(b, x, y)
			sum += float64(abs(int(p.R)-int(q.R)) + abs(int(p.G)-int(q.G)) + abs(int(p.B)-int(q.B)))
		}
	}
	return sum / float64(3*ab.Dx()*ab.Dy())
}

// variance is the variance of the green channel over r.
func variance(img image.Image, r image.Rectangle) float64 {
	var sum, sq float64
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			v := float64(px(img, x, y).G)
			sum += v
			sq += v * v
		}
	}
	n := float64(r.Dx() * r.Dy())
	return sq/n - (sum/n)*(sum/n)
}

// TestFaceEffects: e_blur_faces and e_pixelate_faces lower the variance
// inside the face box and leave the rest of the image as it was.
func TestFaceEffects(t *testing.T) {
	p := newProcessor(t, Config{})
	src := testkit.Read(t, "astronaut.png")
	orig := decode(t, do(t, p, src, "a_0", delivery.PNG))
	f := astronautFace
	face := image.Rect(f[0], f[1], f[0]+f[2], f[1]+f[3])
	below := image.Rect(0, face.Max.Y+10, 512, 512)
	for _, tx := range []string{"e_blur_faces", "e_blur_faces:2000", "e_pixelate_faces:12"} {
		img := decode(t, do(t, p, src, tx, delivery.PNG))
		if v0, v1 := variance(orig, face.Inset(4)), variance(img, face.Inset(4)); v1 > 0.8*v0 {
			t.Errorf("%s: variance inside the face %.0f, was %.0f: want it lower", tx, v1, v0)
		}
		if e0, e1 := edges(subImage(orig, face.Inset(4))), edges(subImage(img, face.Inset(4))); e1 > e0/2 {
			t.Errorf("%s: edges inside the face %.1f, were %.1f: want them at least halved", tx, e1, e0)
		}
		if d := meanDiff(subImage(orig, below), subImage(img, below)); d > 0.5 {
			t.Errorf("%s: the image below the face changed by %.2f", tx, d)
		}
	}
	if v1, v2 := variance(decode(t, do(t, p, src, "e_blur_faces:100", delivery.PNG)), face.Inset(4)),
		variance(decode(t, do(t, p, src, "e_blur_faces:2000", delivery.PNG)), face.Inset(4)); v2 >= v1 {
		t.Errorf("e_blur_faces:2000 variance %.0f not below e_blur_faces:100's %.0f", v2, v1)
	}
}

func subImage(img image.Image, r image.Rectangle) image.Image {
	return img.(interface {
		SubImage(image.Rectangle) image.Image
	}).SubImage(r)
}

// TestFacesUnavailable: without a cascade, face gravities, face effects
// and DetectFaces answer 400 "face detection unavailable", never a
// silent fallback.
func TestFacesUnavailable(t *testing.T) {
	for _, cascade := range []string{"/nonexistent/cascade.xml", "none", testkit.Path(t, "logo.png")} {
		p := newProcessor(t, Config{FaceCascade: cascade})
		src := testkit.Read(t, "astronaut.png")
		for _, tx := range []string{"c_thumb,g_face,w_100,h_100", "c_fill,g_faces:center,w_100,h_50", "e_blur_faces", "e_pixelate_faces"} {
			_, err := try(t, p, src, tx, delivery.PNG)
			wantError(t, err, http.StatusBadRequest, "face detection unavailable")
		}
		_, err := p.DetectFaces(context.Background(), src)
		wantError(t, err, http.StatusBadRequest, "face detection unavailable")
		// Modes that do not crop by gravity detect nothing.
		for _, tx := range []string{"c_fill,g_center,w_100,h_100", "c_pad,g_face,w_100,h_50", "c_scale,g_faces,w_100"} {
			do(t, p, src, tx, delivery.PNG)
		}
	}
}

// withCoords runs tx with the asset's stored face and custom coordinates.
func withCoords(t testing.TB, p *Processor, src []byte, tx string, faces, custom [][4]int) image.Image {
	t.Helper()
	tr, err := delivery.ParseTransformation(tx)
	if err != nil {
		t.Fatal(err)
	}
	res, err := p.Transform(context.Background(), src, Request{Transformation: tr, Format: delivery.PNG, Faces: faces, Custom: custom})
	if err != nil {
		t.Fatalf("%s: %v", tx, err)
	}
	return decode(t, res)
}

// TestStoredCoordinates: g_custom centres on the first custom_coordinates
// box (centre without any), g_custom:face falls back to detection, and
// stored face_coordinates replace detection for g_face (so they work
// without a cascade); later components detect.
func TestStoredCoordinates(t *testing.T) {
	p := newProcessor(t, Config{})
	off := newProcessor(t, Config{FaceCascade: "none"})
	src := testkit.Read(t, "astronaut.png")
	same := func(name string, got, want image.Image) {
		t.Helper()
		if d := meanDiff(got, want); d > 0.5 {
			t.Errorf("%s: differs by %.1f", name, d)
		}
	}
	custom := [][4]int{{400, 380, 60, 60}, {0, 0, 10, 10}}
	same("g_custom", withCoords(t, p, src, "c_crop,g_custom,w_100,h_100", nil, custom),
		decode(t, do(t, p, src, "c_crop,x_380,y_360,w_100,h_100", delivery.PNG)))
	same("g_custom without custom_coordinates", withCoords(t, p, src, "c_crop,g_custom,w_100,h_100", nil, nil),
		decode(t, do(t, p, src, "c_crop,g_center,w_100,h_100", delivery.PNG)))
	same("g_custom:face without custom_coordinates", withCoords(t, p, src, "c_crop,g_custom:face,w_100,h_100", nil, nil),
		decode(t, do(t, p, src, "c_crop,g_face,w_100,h_100", delivery.PNG)))
	stored := [][4]int{{10, 400, 40, 40}, {300, 420, 80, 80}}
	same("g_face with face_coordinates", withCoords(t, off, src, "c_crop,g_face,w_100,h_100", stored, nil),
		decode(t, do(t, p, src, "c_crop,x_290,y_410,w_100,h_100", delivery.PNG)))
	same("g_faces with face_coordinates", withCoords(t, off, src, "c_crop,g_faces,w_100,h_100", stored, nil),
		decode(t, do(t, p, src, "c_crop,x_145,y_400,w_100,h_100", delivery.PNG)))
	detected := decode(t, do(t, p, src, "c_crop,g_face,w_100,h_100", delivery.PNG))
	if d := meanDiff(detected, withCoords(t, p, src, "c_crop,g_face,w_100,h_100", stored, nil)); d < 5 {
		t.Errorf("face_coordinates did not replace detection (difference %.1f)", d)
	}
	_, err := p.Transform(context.Background(), src, Request{Transformation: mustParse(t, "a_hflip/c_crop,g_face,w_100,h_100"),
		Format: delivery.PNG, Faces: stored})
	if err != nil {
		t.Fatal(err)
	}
}

// TestFaceCountCondition: fc counts the faces of the input: detected
// (astronaut has one, chelsea the cat none), or the asset's stored
// face_coordinates, which work without a cascade; without either, fc
// answers 400 "face detection unavailable".
func TestFaceCountCondition(t *testing.T) {
	p := newProcessor(t, Config{})
	off := newProcessor(t, Config{FaceCascade: "none"})
	const tx = "if_fc_gt_0/e_grayscale/if_end"
	tr, err := delivery.ParseTransformation(tx)
	if err != nil {
		t.Fatal(err)
	}
	grey := func(p *Processor, photo string, faces [][4]int) bool {
		t.Helper()
		res, err := p.Transform(context.Background(), testkit.Read(t, photo), Request{Transformation: tr, Format: delivery.PNG, Faces: faces})
		if err != nil {
			t.Fatalf("%s on %s: %v", tx, photo, err)
		}
		img := decode(t, res)
		c := px(img, astronautFace[0]+astronautFace[2]/2, astronautFace[1]+astronautFace[3]/2)
		return c.R == c.G && c.G == c.B
	}
	if !grey(p, "astronaut.png", nil) {
		t.Errorf("astronaut: fc_gt_0 did not hold")
	}
	if grey(p, "chelsea.png", nil) {
		t.Errorf("chelsea: fc_gt_0 held without a face")
	}
	if !grey(off, "chelsea.png", [][4]int{{10, 10, 50, 50}}) {
		t.Errorf("stored face_coordinates: fc_gt_0 did not hold")
	}
	_, err = try(t, off, testkit.Read(t, "astronaut.png"), tx, delivery.PNG)
	wantError(t, err, http.StatusBadRequest, "face detection unavailable")
}
