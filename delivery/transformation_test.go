package delivery

import (
	"reflect"
	"testing"
)

func TestParseTransformationTyped(t *testing.T) {
	t.Parallel()
	tr, err := ParseTransformation("c_fill,f_auto,g_face,h_150,q_auto,w_100/e_blur:300,a_-20/r_20:0:20:0,b_rgb:ff000080,o_50")
	if err != nil {
		t.Fatal(err)
	}
	if len(tr.Components) != 3 {
		t.Fatalf("components = %d", len(tr.Components))
	}
	c := tr.Components[0]
	if c.Crop != CropFill || c.Format != FormatAuto || c.Gravity != (Gravity{Mode: GravityFace}) ||
		c.Height != (Dimension{Kind: DimPixels, Value: 150}) || c.Quality != (Quality{Auto: AutoQualityDefault}) ||
		c.Width != (Dimension{Kind: DimPixels, Value: 100}) {
		t.Errorf("component 0 = %+v", c)
	}
	if !c.Has(KeyCrop) || c.Has(KeyEffect) {
		t.Errorf("Has: crop %v effect %v", c.Has(KeyCrop), c.Has(KeyEffect))
	}
	c = tr.Components[1]
	if c.Effect != (Effect{Name: EffectBlur, Level: 300, HasLevel: true}) || c.Angle != (Angle{Degrees: -20, HasDegrees: true}) {
		t.Errorf("component 1 = %+v", c)
	}
	c = tr.Components[2]
	if c.Radius != (Radius{N: 4, V: [4]int{20, 0, 20, 0}}) || c.Opacity != 50 ||
		c.Background != (Color{Kind: ColorRGB, R: 0xff, A: 0x80, Text: "ff000080"}) {
		t.Errorf("component 2 = %+v", c)
	}
}

// typedCases: one transformation value per row and the field it sets.
var typedCases = []struct {
	tx    string
	check func(c *Component) bool
}{
	{"w_0.5", func(c *Component) bool { return c.Width == Dimension{Kind: DimRelative, Value: 0.5} }},
	{"w_1.0", func(c *Component) bool { return c.Width == Dimension{Kind: DimRelative, Value: 1} }},
	{"w_1.5", func(c *Component) bool { return c.Width == Dimension{Kind: DimPixels, Value: 1.5} }},
	{"w_auto", func(c *Component) bool { return c.Width == Dimension{Kind: DimAuto} }},
	{"w_auto:100:400", func(c *Component) bool { return c.Width == Dimension{Kind: DimAuto, Expr: "100:400"} }},
	{"w_iw_div_2", func(c *Component) bool { return c.Width == Dimension{Kind: DimExpr, Expr: "iw_div_2"} }},
	{"h_initial_height_mul_0.5", func(c *Component) bool {
		return c.Height == Dimension{Kind: DimExpr, Expr: "initial_height_mul_0.5"}
	}},
	{"w_$width", func(c *Component) bool { return c.Width == Dimension{Kind: DimExpr, Expr: "$width"} }},
	{"ar_16:9", func(c *Component) bool { return c.AspectRatio == AspectRatio{16, 9} && c.AspectRatio.Ratio() == 16.0/9 }},
	{"ar_1.5", func(c *Component) bool { return c.AspectRatio == AspectRatio{Num: 1.5} && c.AspectRatio.Ratio() == 1.5 }},
	{"c_scale", func(c *Component) bool { return c.Crop == CropScale }},
	{"c_fit", func(c *Component) bool { return c.Crop == CropFit }},
	{"c_limit", func(c *Component) bool { return c.Crop == CropLimit }},
	{"c_mfit", func(c *Component) bool { return c.Crop == CropMFit }},
	{"c_lfill", func(c *Component) bool { return c.Crop == CropLFill }},
	{"c_fill_pad", func(c *Component) bool { return c.Crop == CropFillPad }},
	{"c_pad", func(c *Component) bool { return c.Crop == CropPad }},
	{"c_lpad", func(c *Component) bool { return c.Crop == CropLPad }},
	{"c_mpad", func(c *Component) bool { return c.Crop == CropMPad }},
	{"c_crop", func(c *Component) bool { return c.Crop == CropCrop }},
	{"c_thumb", func(c *Component) bool { return c.Crop == CropThumb }},
	{"c_imagga_scale", func(c *Component) bool { return c.Crop == CropImaggaScale }},
	{"g_north_west", func(c *Component) bool { return c.Gravity.Mode == GravityNorthWest && c.Gravity.Mode.Compass() }},
	{"g_xy_center", func(c *Component) bool { return c.Gravity.Mode == GravityXYCenter && !c.Gravity.Mode.Compass() }},
	{"g_auto:subject", func(c *Component) bool { return c.Gravity == Gravity{Mode: GravityAuto, Param: "subject"} }},
	{"g_faces:center", func(c *Component) bool { return c.Gravity == Gravity{Mode: GravityFaces, Param: "center"} }},
	{"c_thumb,g_face:auto,z_1.5", func(c *Component) bool {
		return c.Crop == CropThumb && c.Gravity == Gravity{Mode: GravityFace, Param: "auto"} && c.Zoom == 1.5
	}},
	{"q_80", func(c *Component) bool { return c.Quality == Quality{Value: 80} }},
	{"q_80:420", func(c *Component) bool { return c.Quality == Quality{Value: 80, Chroma: 420} }},
	{"q_auto:best", func(c *Component) bool { return c.Quality == Quality{Auto: AutoQualityBest} }},
	{"q_auto:good", func(c *Component) bool { return c.Quality == Quality{Auto: AutoQualityGood} }},
	{"q_auto:eco", func(c *Component) bool { return c.Quality == Quality{Auto: AutoQualityEco} }},
	{"q_auto:low", func(c *Component) bool { return c.Quality == Quality{Auto: AutoQualityLow} }},
	{"q_jpegmini", func(c *Component) bool { return c.Quality == Quality{JPEGMini: true} }},
	{"f_webp", func(c *Component) bool { return c.Format == WebP }},
	{"f_jpeg", func(c *Component) bool { return c.Format == JPG }},
	{"f_avif", func(c *Component) bool { return c.Format == AVIF }},
	{"dpr_2", func(c *Component) bool { return c.DPR == DPR{Value: 2} }},
	{"dpr_1.5", func(c *Component) bool { return c.DPR == DPR{Value: 1.5} }},
	{"dpr_auto", func(c *Component) bool { return c.DPR == DPR{Auto: true} }},
	{"e_grayscale", func(c *Component) bool { return c.Effect == Effect{Name: EffectGrayscale} }},
	{"e_sepia:50", func(c *Component) bool { return c.Effect == Effect{Name: EffectSepia, Level: 50, HasLevel: true} }},
	{"e_sharpen", func(c *Component) bool { return c.Effect == Effect{Name: EffectSharpen} }},
	{"e_negate", func(c *Component) bool { return c.Effect == Effect{Name: EffectNegate} }},
	{"e_brightness:-20", func(c *Component) bool { return c.Effect == Effect{Name: EffectBrightness, Level: -20, HasLevel: true} }},
	{"e_auto_brightness:50", func(c *Component) bool {
		return c.Effect == Effect{Name: EffectAutoBrightness, Level: 50, HasLevel: true}
	}},
	{"e_auto_color", func(c *Component) bool { return c.Effect == Effect{Name: EffectAutoColor} }},
	{"e_pixelate_region:20", func(c *Component) bool {
		return c.Effect == Effect{Name: EffectPixelateRegion, Level: 20, HasLevel: true}
	}},
	{"e_blur_region:500", func(c *Component) bool { return c.Effect == Effect{Name: EffectBlurRegion, Level: 500, HasLevel: true} }},
	{"e_blur_faces:800", func(c *Component) bool { return c.Effect == Effect{Name: EffectBlurFaces, Level: 800, HasLevel: true} }},
	{"e_pixelate_faces:9", func(c *Component) bool {
		return c.Effect == Effect{Name: EffectPixelateFaces, Level: 9, HasLevel: true}
	}},
	{"e_improve:indoor:50", func(c *Component) bool { return c.Effect == Effect{Name: EffectImprove, Args: "indoor:50"} }},
	{"e_art:incognito", func(c *Component) bool { return c.Effect == Effect{Name: EffectArt, Args: "incognito"} }},
	{"r_max", func(c *Component) bool { return c.Radius == Radius{Max: true} }},
	{"r_20", func(c *Component) bool { return c.Radius == Radius{N: 1, V: [4]int{20}} }},
	{"a_90.hflip", func(c *Component) bool { return c.Angle == Angle{Degrees: 90, HasDegrees: true, Modes: AngleHFlip} }},
	{"a_vflip", func(c *Component) bool { return c.Angle == Angle{Modes: AngleVFlip} }},
	{"a_auto_right", func(c *Component) bool { return c.Angle == Angle{Modes: AngleAutoRight} }},
	{"b_red", func(c *Component) bool { return c.Background == Color{Kind: ColorNamed, R: 0xff, A: 0xff, Text: "red"} }},
	{"b_transparent", func(c *Component) bool { return c.Background == Color{Kind: ColorNamed, Text: "transparent"} }},
	{"b_rgb:0f0", func(c *Component) bool { return c.Background == Color{Kind: ColorRGB, G: 0xff, A: 0xff, Text: "0f0"} }},
	{"b_auto:border", func(c *Component) bool { return c.Background == Color{Kind: ColorAuto, Text: "border"} }},
	{"b_blurred:400:15", func(c *Component) bool { return c.Background == Color{Kind: ColorBlurred, Text: "400:15"} }},
	{"bo_4px_solid_black", func(c *Component) bool {
		return c.Border == Border{Width: 4, Color: Color{Kind: ColorNamed, A: 0xff, Text: "black"}}
	}},
	{"bo_5px_solid_rgb:ff0000", func(c *Component) bool {
		return c.Border == Border{Width: 5, Color: Color{Kind: ColorRGB, R: 0xff, A: 0xff, Text: "ff0000"}}
	}},
	{"o_0", func(c *Component) bool { return c.Opacity == 0 && c.Has(KeyOpacity) }},
	{"x_10,y_-5", func(c *Component) bool { return c.X == Coord{Value: 10} && c.Y == Coord{Value: -5} }},
	{"x_0.5", func(c *Component) bool { return c.X == Coord{Value: 0.5, Relative: true} }},
	{"z_1.5", func(c *Component) bool { return c.Zoom == 1.5 }},
	{"fl_progressive", func(c *Component) bool { return c.Flags.Has(FlagProgressive) && !c.Flags.Has(FlagLossy) }},
	{"fl_strip_profile.keep_iptc", func(c *Component) bool { return c.Flags.Set == FlagStripProfile|FlagKeepIPTC }},
	{"fl_attachment:my_file", func(c *Component) bool { return c.Flags == Flags{Set: FlagAttachment, AttachmentName: "my_file"} }},
	{"fl_progressive:semi", func(c *Component) bool { return c.Flags == Flags{Set: FlagProgressive, ProgressiveMode: "semi"} }},
	{"pg_-1", func(c *Component) bool { return c.Page == "-1" }},
	{"t_small_fill", func(c *Component) bool { return c.Named == "small_fill" }},
	{"t_a.b", func(c *Component) bool { return c.Named == "a.b" }},
	{"pg_2", func(c *Component) bool { return c.Page == "2" }},
	{"pg_2-4", func(c *Component) bool { return c.Page == "2-4" }},
	{"pg_2;4", func(c *Component) bool { return c.Page == "2;4" }},
	{"pg_name:record_cover", func(c *Component) bool { return c.Page == "name:record_cover" }},
	{"d_avatar.png", func(c *Component) bool { return c.DefaultImage == "avatar.png" }},
	{"l_text:Arial_20:Hello%20World", func(c *Component) bool {
		return reflect.DeepEqual(c.Other, []Param{{Key: KeyOverlay, Name: "l", Value: "text:Arial_20:Hello%20World"}})
	}},
	{"if_w_gt_100,$foo_10,w_50", func(c *Component) bool {
		return reflect.DeepEqual(c.Other, []Param{{Key: KeyIf, Name: "if", Value: "w_gt_100"}, {Key: KeyVariable, Name: "$foo", Value: "10"}}) &&
			c.Width.Value == 50
	}},
	{"w_100,w_200", func(c *Component) bool { return c.Width.Value == 200 }},
}

func TestParseTransformationValues(t *testing.T) {
	t.Parallel()
	for _, c := range typedCases {
		tr, err := ParseTransformation(c.tx)
		if err != nil {
			t.Errorf("%s: %v", c.tx, err)
			continue
		}
		if len(tr.Components) != 1 || !c.check(&tr.Components[0]) {
			t.Errorf("%s: got %+v", c.tx, tr.Components)
		}
		// Every typed value reads back from its canonical form.
		again, err := ParseTransformation(tr.String())
		if err != nil || !reflect.DeepEqual(again, tr) {
			t.Errorf("%s: canonical %q reads back as %+v, %v", c.tx, tr.String(), again, err)
		}
	}
}

func TestTransformationCanonicalOrder(t *testing.T) {
	t.Parallel()
	// The Node SDK's order: if, variables, then parameters sorted by key.
	for in, want := range map[string]string{
		"w_100,h_150,c_fill,g_face,q_auto,f_auto": "c_fill,f_auto,g_face,h_150,q_auto,w_100",
		"w_50,$foo_10,if_w_gt_100":                "if_w_gt_100,$foo_10,w_50",
		"w_100,h_100,c_pad":                       "c_pad,h_100,w_100",
		"w_230,h_168,c_fit/e_grayscale":           "c_fit,h_168,w_230/e_grayscale",
		"bo_4px_solid_rgb:000,b_white,o_20":       "b_white,bo_4px_solid_rgb:000,o_20",
		"fl_lossy.progressive,a_hflip.90":         "a_90.hflip,fl_progressive.lossy",
		"w_1.0,x_0.50,dpr_2.0":                    "dpr_2,w_1.0,x_0.5",
	} {
		tr, err := ParseTransformation(in)
		if err != nil {
			t.Fatalf("%s: %v", in, err)
		}
		if got := tr.String(); got != want {
			t.Errorf("%s: String() = %q, want %q", in, got, want)
		}
	}
}

func TestParseTransformationErrors(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"w_abc":        "Invalid width in transformation: abc",
		"w_100/sample": "Invalid transformation component - sample",
		"w_100,":       "Invalid transformation component - w_100,",
		"zz_1":         "Invalid transformation component - zz_1",
		"l_a/b":        "Invalid transformation component - b",
	} {
		_, err := ParseTransformation(in)
		if err == nil || err.Error() != want {
			t.Errorf("ParseTransformation(%q) = %v, want %q", in, err, want)
		}
	}
	if tr, err := ParseTransformation(""); err != nil || len(tr.Components) != 0 {
		t.Errorf("empty transformation: %+v, %v", tr, err)
	}
}

func TestNamedColorsSorted(t *testing.T) {
	t.Parallel()
	for i := 1; i < len(namedColors); i++ {
		if namedColors[i-1].name >= namedColors[i].name {
			t.Fatalf("namedColors not sorted at %q, %q", namedColors[i-1].name, namedColors[i].name)
		}
	}
	for _, n := range []string{"aliceblue", "red", "transparent", "yellowgreen"} {
		if _, ok := parseColor(n, false); !ok {
			t.Errorf("colour %q not found", n)
		}
	}
}

func TestFormats(t *testing.T) {
	t.Parallel()
	for f := JPG; f < formatCount; f++ {
		got, ok := ParseFormat(f.String())
		if !ok || got != f {
			t.Errorf("ParseFormat(%q) = %v, %v", f.String(), got, ok)
		}
	}
	for in, want := range map[string]Format{"JPEG": JPG, "jpe": JPG, "tif": TIFF, "heif": HEIC, "WebP": WebP} {
		if got, ok := ParseFormat(in); !ok || got != want {
			t.Errorf("ParseFormat(%q) = %v", in, got)
		}
	}
	for _, bad := range []string{"", "auto", "jpgsz280", "exe"} {
		if _, ok := ParseFormat(bad); ok {
			t.Errorf("ParseFormat(%q) accepted", bad)
		}
	}
	if JPG.ContentType() != "image/jpeg" || WebP.ContentType() != "image/webp" || FormatNone.ContentType() != "application/octet-stream" {
		t.Error("content types")
	}
	if !AVIF.IsImage() || AVIF.IsVideo() || !MP4.IsVideo() || JSON.IsVideo() {
		t.Error("format kinds")
	}
}

func TestComponentWithout(t *testing.T) {
	t.Parallel()
	tr, _ := ParseTransformation("t_thumb,w_100,l_logo")
	c := tr.Components[0].Without(KeyNamed).Without(KeyOverlay)
	if c.Has(KeyNamed) || !c.Has(KeyWidth) || len(c.Other) != 0 || (Transformation{[]Component{c}}).String() != "w_100" {
		t.Fatalf("Without: %+v", c)
	}
	if !tr.Components[0].Has(KeyNamed) || len(tr.Components[0].Other) != 1 {
		t.Fatal("Without changed the original")
	}
}
