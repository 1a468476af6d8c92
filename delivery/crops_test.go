package delivery

import "testing"

// cropSeeds are the crop, gravity, zoom and b_auto forms (crops.go) in
// whole transformations, canonical: each reads back as itself.
var cropSeeds = []string{
	"c_auto,g_auto,h_200,w_300",
	"c_auto,g_auto:subject,h_200,w_300,z_1.5",
	"ar_16:9,c_auto,g_auto:classic:thirds_0,w_400",
	"b_auto,c_fill_pad,g_auto,h_250,w_250",
	"ar_1.2,b_red,c_fill_pad,g_auto,h_250,w_250",
	"b_auto:predominant,c_auto_pad,g_auto,h_100,w_300",
	"b_auto:border_contrast,c_pad,h_250,w_250",
	"b_auto:predominant_contrast:palette_red_green_blue,c_lpad,h_250,w_250",
	"b_auto:border:palette_rgb:ff0000_00ff00,c_mpad,h_250,w_250",
	"b_auto:border_gradient_contrast:2:horizontal:palette_red_green_blue,c_pad,h_250,w_250",
	"b_auto:predominant_gradient:4:diagonal_desc,c_pad,h_250,w_250",
	"b_auto:predominant_gradient:vertical,c_pad,h_250,w_250",
	"c_crop,g_auto,h_100,w_100,z_2",
	"c_thumb,g_north_west,h_100,w_100,z_0.75",
}

func TestCropFormsRoundTrip(t *testing.T) {
	t.Parallel()
	for _, s := range cropSeeds {
		tr, err := ParseTransformation(s)
		if err != nil {
			t.Errorf("ParseTransformation(%q): %v", s, err)
			continue
		}
		if got := tr.String(); got != s {
			t.Errorf("ParseTransformation(%q).String() = %q", s, got)
		}
	}
}

func TestAutoBackground(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]AutoBackground{
		"auto":                      {},
		"auto:border":               {},
		"auto:predominant":          {Predominant: true},
		"auto:border_contrast":      {Contrast: true},
		"auto:predominant_contrast": {Predominant: true, Contrast: true},
		"auto:border_gradient":      {Gradient: true},
		"auto:predominant_gradient_contrast:4:vertical": {Predominant: true, Gradient: true, Contrast: true,
			Colors: 4, Direction: "vertical"},
		"auto:border_gradient:diagonal_asc:palette_red_blue": {Gradient: true, Direction: "diagonal_asc",
			Palette: "red_blue"},
		"auto:predominant:palette_rgb:ff0000_white": {Predominant: true, Palette: "rgb:ff0000_white"},
	} {
		c, ok := parseColor(in, true)
		if !ok {
			t.Errorf("parseColor(%q) refused", in)
			continue
		}
		got, ok := c.AutoBackground()
		if !ok || got != want {
			t.Errorf("%q: AutoBackground() = %+v, %v; want %+v", in, got, ok, want)
		}
	}
	if _, ok := (Color{Kind: ColorNamed, Text: "red"}).AutoBackground(); ok {
		t.Error("b_red read as b_auto")
	}
}

func TestAutoBackgroundPalette(t *testing.T) {
	t.Parallel()
	a, _ := parseAutoBackground("border:palette_red_rgb:00ff00_00f")
	var got []Color
	a.PaletteColors(func(c Color) { got = append(got, c) })
	if len(got) != 3 || got[0].R != 0xff || got[1].G != 0xff || got[2].B != 0xff {
		t.Errorf("palette = %+v", got)
	}
}

func TestAutoBackgroundErrors(t *testing.T) {
	t.Parallel()
	for _, in := range []string{
		"b_auto:",
		"b_auto:edge",
		"b_auto:border:2",               // colours belong to gradients
		"b_auto:predominant:horizontal", // so does a direction
		"b_auto:border_gradient:3",      // 2 or 4 colours
		"b_auto:border_gradient:2:2",    // one number
		"b_auto:border_gradient:sideways",
		"b_auto:border_gradient:vertical:2", // the number comes first
		"b_auto:border:palette_",
		"b_auto:border:palette_red_notacolour",
		"b_auto:border:palette_red:x",
	} {
		_, err := ParseTransformation(in)
		want := "Invalid background in transformation: " + in[2:]
		if err == nil || err.Error() != want {
			t.Errorf("ParseTransformation(%q) = %v, want %q", in, err, want)
		}
	}
}

func TestAutoBackgroundAllocatesNothing(t *testing.T) {
	n := testing.AllocsPerRun(100, func() {
		if _, ok := parseAutoBackground("predominant_gradient_contrast:4:vertical:palette_red_rgb:00ff00"); !ok {
			t.Fatal("refused")
		}
	})
	if n != 0 {
		t.Errorf("parseAutoBackground: %v allocations, want 0", n)
	}
}
