package origin_test

import (
	"context"
	"encoding/json"
	"image"
	_ "image/png"
	"net/http"
	"reflect"
	"strings"
	"testing"

	"github.com/cloudinary/cloudinary-go/v2/api"
	"github.com/cloudinary/cloudinary-go/v2/api/admin"
	"github.com/cloudinary/cloudinary-go/v2/api/uploader"

	"github.com/mediacdn/mediacdn/internal/testkit"
	"github.com/mediacdn/mediacdn/origin"
)

// astronautFaces is the face OpenCV's cascade finds in the corpus
// portrait astronaut.png (origin/imaging's TestDetectFaces checks it).
var astronautFaces = [][]int{{175, 66, 96, 96}}

// TestUploadAndDetailsFaces: faces=true on upload answers the faces
// detected; the Admin API's details (through the Go SDK) answer the same,
// until face_coordinates set through the API replace them; a photo with
// no face answers an empty list.
func TestUploadAndDetailsFaces(t *testing.T) {
	o := startOrigin(t, nil)
	ct, body := form(t, [][2]string{{"public_id", "astro"}, {"faces", "true"}}, "astronaut.png", testkit.Read(t, "astronaut.png"))
	status, resp := post(t, o.URL+"/v1_1/demo/image/upload", ct, body, true)
	if status != http.StatusOK {
		t.Fatalf("upload: %d %s", status, resp)
	}
	var up struct{ Faces [][]int }
	if err := json.Unmarshal([]byte(resp), &up); err != nil || !reflect.DeepEqual(up.Faces, astronautFaces) {
		t.Fatalf("upload faces %v (%v), want %v: %s", up.Faces, err, astronautFaces, resp)
	}
	details := func(id string) [][]int {
		t.Helper()
		res, err := o.Cld.Admin.Asset(context.Background(), admin.AssetParams{PublicID: id, Faces: api.Bool(true)})
		if err != nil || res.Error.Message != "" {
			t.Fatalf("details %s: %v %v", id, err, res.Error)
		}
		return res.Faces
	}
	if got := details("astro"); !reflect.DeepEqual(got, astronautFaces) {
		t.Fatalf("details faces %v, want %v", got, astronautFaces)
	}
	if a := adminDo(t, o, "POST", "resources/image/upload/astro", "application/x-www-form-urlencoded",
		"face_coordinates=10,20,30,40"); a.status != 200 {
		t.Fatalf("update: %s", a.raw)
	}
	if got := details("astro"); !reflect.DeepEqual(got, [][]int{{10, 20, 30, 40}}) {
		t.Fatalf("details faces after face_coordinates %v", got)
	}
	uploadAs(t, o, "chelsea.png", "cat")
	if got := details("cat"); got == nil || len(got) != 0 {
		t.Fatalf("cat: faces %v, want []", got)
	}
}

// TestDeliverFaceCrop: a face crop delivered through the origin holds the
// face: c_thumb,g_face,w_100,h_100 of astronaut.png is the 192 × 192
// region around the face box (the face is 96 pixels, twice that a side)
// scaled down, and differs from the centre crop.
func TestDeliverFaceCrop(t *testing.T) {
	o := startOrigin(t, nil)
	uploadAs(t, o, "astronaut.png", "astro")
	face := testkit.Get(t, o.URL+"/demo/image/upload/c_thumb,g_face,w_100,h_100/astro.png")
	centre := testkit.Get(t, o.URL+"/demo/image/upload/c_thumb,g_center,w_100,h_100/astro.png")
	region := testkit.Get(t, o.URL+"/demo/image/upload/c_crop,h_192,w_192,x_127,y_18/c_scale,w_100,h_100/astro.png")
	for _, r := range []testkit.Answer{face, centre, region} {
		if r.Status != 200 {
			t.Fatalf("%d %s", r.Status, r.Header.Get("X-Cld-Error"))
		}
	}
	f, c, want := decodePNG(t, face.Body), decodePNG(t, centre.Body), decodePNG(t, region.Body)
	if d := diff(f, want); d > 2 {
		t.Errorf("face thumb differs from the region around the face by %.1f", d)
	}
	if d := diff(f, c); d < 10 {
		t.Errorf("face thumb is the centre crop (difference %.1f)", d)
	}
}

// TestFacesUnavailableThroughOrigin: without a face cascade, faces=true
// on upload and face gravities answer 400 "face detection unavailable";
// details say why faces lists only the coordinates set through the API.
func TestFacesUnavailableThroughOrigin(t *testing.T) {
	o := startOrigin(t, func(c *origin.Config) { c.Imaging.FaceCascade = "none" })
	ct, body := form(t, [][2]string{{"public_id", "astro"}, {"faces", "true"}}, "astronaut.png", testkit.Read(t, "astronaut.png"))
	if status, resp := post(t, o.URL+"/v1_1/demo/image/upload", ct, body, true); status != 400 ||
		!strings.Contains(resp, "face detection unavailable") {
		t.Fatalf("upload faces=true: %d %s", status, resp)
	}
	uploadAs(t, o, "astronaut.png", "astro")
	r := testkit.Get(t, o.URL+"/demo/image/upload/c_thumb,g_face,w_100,h_100/astro.png")
	if r.Status != 400 || r.Header.Get("X-Cld-Error") != "face detection unavailable" {
		t.Fatalf("g_face: %d %q", r.Status, r.Header.Get("X-Cld-Error"))
	}
	a := adminGet(t, o, "resources/image/upload/astro?faces=true")
	if f, _ := a.body["faces"].([]any); a.status != 200 || f == nil || len(f) != 0 ||
		!strings.Contains(a.body["face_detection"].(string), "unavailable") {
		t.Fatalf("details: %s", a.raw)
	}
}

func decodePNG(t testing.TB, b []byte) image.Image {
	t.Helper()
	img, _, err := image.Decode(strings.NewReader(string(b)))
	if err != nil {
		t.Fatal(err)
	}
	return img
}

// diff is the mean absolute difference of two images' RGB, 255 when their
// sizes differ.
func diff(a, b image.Image) float64 {
	if a.Bounds() != b.Bounds() {
		return 255
	}
	var sum float64
	r := a.Bounds()
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			p1, p2, p3, _ := a.At(x, y).RGBA()
			q1, q2, q3, _ := b.At(x, y).RGBA()
			sum += float64(absDiff(p1, q1)+absDiff(p2, q2)+absDiff(p3, q3)) / 257
		}
	}
	return sum / float64(3*r.Dx()*r.Dy())
}

func absDiff(a, b uint32) uint32 {
	if a > b {
		return a - b
	}
	return b - a
}

// TestUploadCoordinates: face_coordinates and custom_coordinates given on
// upload (through the Go SDK) are stored: details list the faces given, and
// g_face and g_custom crop around them, on a server without a face cascade
// (so nothing is detected); explicit replaces them.
func TestUploadCoordinates(t *testing.T) {
	o := startOrigin(t, func(c *origin.Config) { c.Imaging.FaceCascade = "none" })
	ctx := context.Background()
	res, err := o.Cld.Upload.Upload(ctx, testkit.Path(t, "astronaut.png"), uploader.UploadParams{PublicID: "astro",
		FaceCoordinates: api.Coordinates{{300, 300, 100, 100}}, CustomCoordinates: api.Coordinates{{0, 0, 128, 128}}})
	if msg := sdkFailure(err, res); msg != "" {
		t.Fatalf("upload: %s", msg)
	}
	a, err := o.Cld.Admin.Asset(ctx, admin.AssetParams{PublicID: "astro", Faces: api.Bool(true)})
	if err != nil || a.Error.Message != "" || !reflect.DeepEqual(a.Faces, [][]int{{300, 300, 100, 100}}) {
		t.Fatalf("details: faces %v (%v %v)", a.Faces, err, a.Error)
	}
	same := func(tx, region string) {
		t.Helper()
		got, want := testkit.Get(t, o.URL+"/demo/image/upload/"+tx+"/astro.png"), testkit.Get(t, o.URL+"/demo/image/upload/"+region+"/astro.png")
		if got.Status != 200 || want.Status != 200 {
			t.Fatalf("%s: %d %q; %s: %d", tx, got.Status, got.Header.Get("X-Cld-Error"), region, want.Status)
		}
		if d := diff(decodePNG(t, got.Body), decodePNG(t, want.Body)); d > 1 {
			t.Errorf("%s differs from %s by %.1f", tx, region, d)
		}
	}
	same("c_crop,g_face", "c_crop,h_100,w_100,x_300,y_300")
	same("c_crop,g_custom,h_128,w_128", "c_crop,h_128,w_128,x_0,y_0")
	ex, err := o.Cld.Upload.Explicit(ctx, uploader.ExplicitParams{PublicID: "astro", Type: "upload",
		FaceCoordinates: api.Coordinates{{50, 60, 70, 80}}})
	if msg := sdkFailure(err, ex); msg != "" {
		t.Fatalf("explicit: %s", msg)
	}
	same("c_crop,g_face/c_scale,w_1.0", "c_crop,h_80,w_70,x_50,y_60/c_scale,w_1.0")
	// faces=true beside face_coordinates answers them: nothing is
	// detected (this server could not), on upload as on explicit.
	ct, body := form(t, [][2]string{{"public_id", "given"}, {"faces", "true"}, {"face_coordinates", "1,2,3,4"}},
		"astronaut.png", testkit.Read(t, "astronaut.png"))
	status, resp := post(t, o.URL+"/v1_1/demo/image/upload", ct, body, true)
	var up struct{ Faces [][]int }
	if err := json.Unmarshal([]byte(resp), &up); status != http.StatusOK || err != nil || !reflect.DeepEqual(up.Faces, [][]int{{1, 2, 3, 4}}) {
		t.Errorf("upload with faces=true and face_coordinates: %d %s", status, resp)
	}
	ct, body = form(t, [][2]string{{"public_id", "given"}, {"type", "upload"}, {"faces", "true"}}, "", nil)
	status, resp = post(t, o.URL+"/v1_1/demo/image/explicit", ct, body, true)
	if err := json.Unmarshal([]byte(resp), &up); status != http.StatusOK || err != nil || !reflect.DeepEqual(up.Faces, [][]int{{1, 2, 3, 4}}) {
		t.Errorf("explicit with faces=true: %d %s", status, resp)
	}
}

// Coordinates past the image given on upload are limited to its size, as
// Cloudinary (its Node SDK's suite: x and w at most the width, y and h at
// most the height, each on its own); explicit keeps them as given, as
// Cloudinary's does.
func TestUploadCoordinatesLimited(t *testing.T) {
	o := startOrigin(t, func(c *origin.Config) { c.Imaging.FaceCascade = "none" })
	ctx := context.Background()
	res, err := o.Cld.Upload.Upload(ctx, testkit.Path(t, "chelsea.png"), uploader.UploadParams{PublicID: "cat", // 451x300
		FaceCoordinates:   api.Coordinates{{120, 30, 109, 350}, {500, 320, 600, 20}},
		CustomCoordinates: api.Coordinates{{0, 0, 1000, 1000}}})
	if msg := sdkFailure(err, res); msg != "" {
		t.Fatalf("upload: %s", msg)
	}
	a, err := o.Cld.Admin.Asset(ctx, admin.AssetParams{PublicID: "cat", Faces: api.Bool(true), Coordinates: api.Bool(true)})
	if err != nil || a.Error.Message != "" || !reflect.DeepEqual(a.Faces, [][]int{{120, 30, 109, 300}, {451, 300, 451, 20}}) {
		t.Fatalf("details: faces %v (%v %v)", a.Faces, err, a.Error)
	}
	if got, _ := json.Marshal(a.Coordinates); string(got) != `{"custom":[[0,0,451,300]],"faces":[[120,30,109,300],[451,300,451,20]]}` {
		t.Errorf("coordinates: %s", got)
	}
	// The upload's answer (faces=true) says the same.
	ct, body := form(t, [][2]string{{"public_id", "given"}, {"faces", "true"}, {"face_coordinates", "120,30,109,350"}},
		"chelsea.png", testkit.Read(t, "chelsea.png"))
	status, resp := post(t, o.URL+"/v1_1/demo/image/upload", ct, body, true)
	var up struct{ Faces [][]int }
	if err := json.Unmarshal([]byte(resp), &up); status != http.StatusOK || err != nil || !reflect.DeepEqual(up.Faces, [][]int{{120, 30, 109, 300}}) {
		t.Errorf("upload with faces=true: %d %s", status, resp)
	}
	ex, err := o.Cld.Upload.Explicit(ctx, uploader.ExplicitParams{PublicID: "cat", Type: "upload",
		FaceCoordinates: api.Coordinates{{122, 32, 111, 352}}})
	if msg := sdkFailure(err, ex); msg != "" {
		t.Fatalf("explicit: %s", msg)
	}
	a, err = o.Cld.Admin.Asset(ctx, admin.AssetParams{PublicID: "cat", Faces: api.Bool(true)})
	if err != nil || !reflect.DeepEqual(a.Faces, [][]int{{122, 32, 111, 352}}) {
		t.Errorf("after explicit: faces %v (%v)", a.Faces, err)
	}
}
