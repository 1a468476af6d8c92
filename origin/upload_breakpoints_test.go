package origin_test

import (
	"context"
	"strings"
	"testing"

	"github.com/cloudinary/cloudinary-go/v2/api/uploader"
	"github.com/mediacdn/mediacdn/internal/testkit"
)

// responsive_breakpoints on upload, through the Go SDK: the widest
// breakpoint is max_width (or the image's width), the narrowest min_width,
// at most max_images, widest first, each URL delivering an image of its
// width and bytes; with create_derived they are derived resources served
// without a transform.
func TestUploadResponsiveBreakpoints(t *testing.T) {
	o := startOrigin(t, nil)
	ctx := context.Background()
	yes, no := true, false
	res, err := o.Cld.Upload.Upload(ctx, testkit.Path(t, "LadyBird.jpg"), uploader.UploadParams{PublicID: "bp",
		ResponsiveBreakpoints: uploader.ResponsiveBreakpointsParams{
			{CreateDerived: &yes, MinWidth: 200, MaxWidth: 1000, BytesStep: 20000, MaxImages: 5},
			{CreateDerived: &no, Transformation: "c_fill,ar_1,g_center", MinWidth: 100, MaxWidth: 400, BytesStep: 5000, MaxImages: 3, Format: "webp"},
		}})
	if msg := sdkFailure(err, res); msg != "" {
		t.Fatal(msg)
	}
	if len(res.ResponsiveBreakpoints) != 2 {
		t.Fatalf("breakpoint sets: %+v", res.ResponsiveBreakpoints)
	}
	first, second := res.ResponsiveBreakpoints[0], res.ResponsiveBreakpoints[1]
	bps := first.Breakpoints
	if first.Transformation != "" || len(bps) < 3 || len(bps) > 5 || bps[0].Width != 1000 || bps[len(bps)-1].Width != 200 {
		t.Fatalf("first set: %+v", first)
	}
	before := o.Server.Transforms()
	for i, bp := range bps {
		if i > 0 && (bp.Width >= bps[i-1].Width || bp.Bytes >= bps[i-1].Bytes) {
			t.Fatalf("not widest first, or bytes not falling: %+v", bps)
		}
		a := testkit.Get(t, o.URL+cdnPath(bp.SecureURL))
		if info := probe(t, a.Body); a.Status != 200 || info.Width != bp.Width || info.Height != bp.Height || len(a.Body) != bp.Bytes {
			t.Fatalf("breakpoint %+v delivered %d %+v, %d bytes", bp, a.Status, info, len(a.Body))
		}
	}
	if n := o.Server.Transforms(); n != before {
		t.Fatalf("create_derived breakpoints were made again on delivery: %d transforms", n-before)
	}
	sq := second.Breakpoints
	if second.Transformation != "c_fill,ar_1,g_center" || len(sq) < 2 || len(sq) > 3 || sq[0].Width != 400 ||
		sq[0].Height != 400 || sq[len(sq)-1].Width != 100 {
		t.Fatalf("second set: %+v", second)
	}
	a := testkit.Get(t, o.URL+cdnPath(sq[0].SecureURL))
	if info := probe(t, a.Body); a.Status != 200 || info.Format.String() != "webp" || info.Width != 400 {
		t.Fatalf("second set's widest: %d %+v (%s)", a.Status, info, sq[0].SecureURL)
	}
	// A small image: its own width is the widest, and the only one when
	// min_width is above it.
	res, err = o.Cld.Upload.Upload(ctx, testkit.Path(t, "rocket.jpg"), uploader.UploadParams{PublicID: "small",
		ResponsiveBreakpoints: uploader.ResponsiveBreakpointsParams{{CreateDerived: &no, MinWidth: 5000, MaxWidth: 9000}}})
	if msg := sdkFailure(err, res); msg != "" || len(res.ResponsiveBreakpoints) != 1 ||
		len(res.ResponsiveBreakpoints[0].Breakpoints) != 1 || res.ResponsiveBreakpoints[0].Breakpoints[0].Width != res.Width {
		t.Fatalf("small image: %s %+v", msg, res)
	}
	for raw, want := range map[string]string{
		`{"max_images":0}`:                  "Invalid responsive_breakpoints - max_images must be between 1 and 50",
		`{"min_width":500,"max_width":100}`: "Invalid responsive_breakpoints - min_width must be at least 1 and at most max_width",
		`nope`:                              "Invalid responsive_breakpoints - a JSON object or array of objects",
		`{"transformation":"w_abc"}`:        "Invalid responsive_breakpoints transformation w_abc - Invalid width in transformation: abc",
	} {
		ct, body := form(t, [][2]string{{"public_id", "bad"}, {"responsive_breakpoints", raw}}, "r.jpg", testkit.Read(t, "rocket.jpg"))
		if status, resp := post(t, o.URL+"/v1_1/demo/image/upload", ct, body, true); status != 400 || errorMessage(t, resp) != want {
			t.Errorf("%s: %d %s", raw, status, resp)
		}
	}
}

// cdnPath is the path of a URL an answer gives (on the test's cdn.test).
func cdnPath(u string) string { return strings.TrimPrefix(u, "https://cdn.test") }

// TestExplicitResponsiveBreakpoints: explicit makes the breakpoints of the
// stored original (as the Go SDK's own suite asks: two requests, a_90 and
// a_45), each delivered at its stated width; with create_derived they are
// recorded, so delivery makes nothing again; a raw asset is refused.
func TestExplicitResponsiveBreakpoints(t *testing.T) {
	o := startOrigin(t, nil)
	ctx := context.Background()
	uploadAs(t, o, "LadyBird.jpg", "bp")
	yes, no := true, false
	res, err := o.Cld.Upload.Explicit(ctx, uploader.ExplicitParams{PublicID: "bp", Type: "upload",
		ResponsiveBreakpoints: uploader.ResponsiveBreakpointsParams{
			{CreateDerived: &yes, Transformation: "a_90", MaxWidth: 600, MaxImages: 3},
			{CreateDerived: &no, Transformation: "a_45", MaxWidth: 300, MaxImages: 1},
		}})
	if msg := sdkFailure(err, res); msg != "" {
		t.Fatal(msg)
	}
	if len(res.ResponsiveBreakpoints) != 2 || res.ResponsiveBreakpoints[0].Transformation != "a_90" ||
		res.ResponsiveBreakpoints[1].Transformation != "a_45" {
		t.Fatalf("breakpoint sets: %+v", res.ResponsiveBreakpoints)
	}
	first := res.ResponsiveBreakpoints[0].Breakpoints
	if len(first) < 2 || first[0].Width != 600 {
		t.Fatalf("a_90 set: %+v", first)
	}
	before := o.Server.Transforms()
	for _, bp := range first {
		a := testkit.Get(t, o.URL+cdnPath(bp.SecureURL))
		if info := probe(t, a.Body); a.Status != 200 || info.Width != bp.Width || info.Height != bp.Height || len(a.Body) != bp.Bytes {
			t.Fatalf("breakpoint %+v delivered %d %+v, %d bytes", bp, a.Status, info, len(a.Body))
		}
		if bp.Height <= bp.Width { // LadyBird is landscape: a_90 stands it up
			t.Fatalf("a_90 breakpoint %dx%d is not portrait", bp.Width, bp.Height)
		}
	}
	if n := o.Server.Transforms(); n != before {
		t.Fatalf("create_derived breakpoints were made again on delivery: %d transforms", n-before)
	}
	if second := res.ResponsiveBreakpoints[1].Breakpoints; len(second) != 1 || second[0].Width != 300 {
		t.Fatalf("a_45 set: %+v", second)
	}
	raw, err := o.Cld.Upload.Upload(ctx, testkit.Path(t, "rocket.jpg"), uploader.UploadParams{PublicID: "notes.txt", ResourceType: "raw"})
	if msg := sdkFailure(err, raw); msg != "" {
		t.Fatal(msg)
	}
	bad, err := o.Cld.Upload.Explicit(ctx, uploader.ExplicitParams{PublicID: "notes.txt", Type: "upload", ResourceType: "raw",
		ResponsiveBreakpoints: uploader.ResponsiveBreakpointsParams{{MaxImages: 1}}})
	if err != nil || bad.Error.Message != "Parameter responsive_breakpoints is not supported by this server for raw files" {
		t.Fatalf("raw: %+v %v", bad.Error, err)
	}
}
