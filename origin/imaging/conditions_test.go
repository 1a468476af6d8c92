//go:build cgo

package imaging

import (
	"context"
	"image/color"
	"net/http"
	"testing"

	"github.com/mediacdn/mediacdn/delivery"
	"github.com/mediacdn/mediacdn/internal/testkit"
)

// tryAsset runs one transform of an asset with tags and context.
func tryAsset(t *testing.T, p *Processor, src []byte, tx string, tags []string, ctx map[string]string) (Result, error) {
	t.Helper()
	tr, err := delivery.ParseTransformation(tx)
	if err != nil {
		t.Fatalf("parse %q: %v", tx, err)
	}
	return p.Transform(context.Background(), src, Request{Transformation: tr, Format: delivery.PNG, Tags: tags, Context: ctx})
}

// isGrey reports whether sampled pixels have equal channels (coffee.png has
// none such).
func isGrey(t *testing.T, r Result) bool {
	t.Helper()
	img := decode(t, r)
	for _, pt := range [][2]int{{r.Width / 2, r.Height / 2}, {r.Width / 3, r.Height / 4}, {r.Width - 5, r.Height - 5}} {
		if c := px(img, pt[0], pt[1]); c.R != c.G || c.G != c.B {
			return false
		}
	}
	return true
}

// "Pad if portrait": a portrait input is padded to 500x500 (white bars
// left and right), a landscape one comes back as it was.
func TestConditionPadsPortraitOnly(t *testing.T) {
	p := newProcessor(t, Config{})
	landscape := testkit.Read(t, "coffee.png") // 600x400
	portrait := do(t, p, landscape, "c_crop,h_400,w_200", delivery.PNG).Body
	const tx = "if_ar_lt_1.0/c_pad,h_500,w_500/if_end"

	res := do(t, p, landscape, tx, delivery.PNG)
	if res.Width != 600 || res.Height != 400 {
		t.Fatalf("landscape: %dx%d, want 600x400 untouched", res.Width, res.Height)
	}
	if d := colourDistance(decodeFile(t, landscape), decode(t, res)); d != 0 {
		t.Errorf("landscape pixels changed by %.0f", d)
	}

	res = do(t, p, portrait, tx, delivery.JPG)
	if res.Width != 500 || res.Height != 500 {
		t.Fatalf("portrait: %dx%d, want 500x500", res.Width, res.Height)
	}
	img := decode(t, res)
	white := color.NRGBA{255, 255, 255, 255}
	for _, pt := range [][2]int{{5, 250}, {494, 250}, {60, 10}} {
		if c := px(img, pt[0], pt[1]); !near(c, white, 8) {
			t.Errorf("portrait padding at %v: %v, want white", pt, c)
		}
	}
	image := 0
	for y := 0; y < 500; y++ {
		if !near(px(img, 250, y), white, 40) {
			image++
		}
	}
	if image < 250 {
		t.Errorf("the centre column has %d pixels of the image, want most of its 500", image)
	}
}

// if_else: the other branch runs when the condition does not hold, and
// the one-component form applies to its own component only.
func TestConditionElse(t *testing.T) {
	p := newProcessor(t, Config{})
	large := testkit.Read(t, "coffee.png") // iw 600
	small := do(t, p, large, "c_crop,h_300,w_300", delivery.PNG).Body
	const tx = "if_iw_lte_400/c_fill,h_120,w_240/if_else/c_fill,h_240,w_400/if_end"
	for _, c := range []struct {
		src  []byte
		w, h int
	}{{large, 400, 240}, {small, 240, 120}} {
		if res := do(t, p, c.src, tx, delivery.PNG); res.Width != c.w || res.Height != c.h {
			t.Errorf("%s: %dx%d, want %dx%d", tx, res.Width, res.Height, c.w, c.h)
		}
	}
	if res := do(t, p, large, "if_w_gt_500,w_100/e_grayscale", delivery.PNG); res.Width != 100 || !isGrey(t, res) {
		t.Errorf("one-component if: %dx%d grey %v, want 100 wide and grey", res.Width, res.Height, isGrey(t, res))
	}
	if res := do(t, p, large, "if_w_gt_900,w_100/if_else,w_200/e_grayscale", delivery.PNG); res.Width != 200 || !isGrey(t, res) {
		t.Errorf("one-component if with else: %dx%d, want 200 wide and grey", res.Width, res.Height)
	}
}

// w and h are the current image's after the components before; iw and ih
// the input's.
func TestConditionCurrentSize(t *testing.T) {
	p := newProcessor(t, Config{})
	src := testkit.Read(t, "coffee.png")
	for _, c := range []struct {
		tx   string
		grey bool
	}{
		{"c_scale,w_300/if_w_lt_400/e_grayscale/if_end", true},
		{"c_scale,w_300/if_iw_lt_400/e_grayscale/if_end", false},
		{"if_w_lt_400/e_grayscale/if_end", false},
		{"a_90/if_ar_lt_1/e_grayscale/if_end", true},
		{"c_pad,h_600,w_600/if_ar_eq_1_and_h_eq_600/e_grayscale/if_end", true},
		{"bo_50px_solid_red/if_w_eq_700/e_grayscale/if_end", true},
		{"c_crop,w_0.5/if_w_eq_300_and_ih_eq_400/e_grayscale/if_end", true},
		{"if_pc_eq_1/e_grayscale/if_end", true},
	} {
		if res := do(t, p, src, c.tx, delivery.PNG); isGrey(t, res) != c.grey {
			t.Errorf("%s: grey %v, want %v", c.tx, !c.grey, c.grey)
		}
	}
}

// Tags and context come from the request; !x!_in_tags applies only to a
// tagged asset.
func TestConditionTagsAndContext(t *testing.T) {
	p := newProcessor(t, Config{})
	src := testkit.Read(t, "coffee.png")
	for _, c := range []struct {
		tx   string
		tags []string
		ctx  map[string]string
		grey bool
	}{
		{"if_!sale!_in_tags/e_grayscale/if_end", []string{"new", "sale"}, nil, true},
		{"if_!sale!_in_tags/e_grayscale/if_end", []string{"new"}, nil, false},
		{"if_!sale!_nin_tags/e_grayscale/if_end", nil, nil, true},
		{"if_!sale:new!_in_tags/e_grayscale/if_end", []string{"sale"}, nil, false},
		{"if_ctx:!mode!_eq_!bw!/e_grayscale/if_end", nil, map[string]string{"mode": "bw"}, true},
		{"if_ctx:!mode!_eq_!bw!/e_grayscale/if_end", nil, map[string]string{"mode": "colour"}, false},
		{"if_ctx:!mode!_eq_!!/e_grayscale/if_end", nil, nil, true},
	} {
		res, err := tryAsset(t, p, src, c.tx, c.tags, c.ctx)
		if err != nil {
			t.Fatalf("%s: %v", c.tx, err)
		}
		if isGrey(t, res) != c.grey {
			t.Errorf("%s with tags %v, context %v: grey %v, want %v", c.tx, c.tags, c.ctx, !c.grey, c.grey)
		}
	}
}

// Variables and arithmetic set sizes; the results are checked as literal
// values are.
func TestVariablesAndArithmetic(t *testing.T) {
	p := newProcessor(t, Config{})
	src := testkit.Read(t, "coffee.png") // 600x400
	for _, c := range []struct {
		tx   string
		w, h int
	}{
		{"$w_200/w_$w_mul_2", 400, 267},
		{"w_iw_div_2", 300, 200},
		{"c_crop,h_ih_div_2,w_iw_div_3", 200, 200},
		{"$a_100,$b_$a_mul_2/c_fill,h_$a,w_$b_add_$a", 300, 100},
		{"c_scale,w_300/c_crop,h_h_div_2,w_w_sub_100", 200, 100},
		{"$s_0.5/w_$s", 300, 200},                     // a fraction, as w_0.5
		{"w_iw_mul_2_add_ih_mul_2_div_10", 1280, 853}, // (600×2) + (400×2÷10)
		{"$side_100/if_w_gt_$side/c_fill,h_$side,w_$side/if_end", 100, 100},
	} {
		if res := do(t, p, src, c.tx, delivery.PNG); res.Width != c.w || res.Height != c.h {
			t.Errorf("%s: %dx%d, want %dx%d", c.tx, res.Width, res.Height, c.w, c.h)
		}
	}
	// A variable defined in a branch that does not run stays undefined.
	_, err := try(t, p, src, "if_w_lt_1/$w_10/if_end/w_$w", delivery.PNG)
	wantError(t, err, http.StatusBadRequest, "Undefined variable $w in expression $w")
}

func TestConditionErrors(t *testing.T) {
	p := newProcessor(t, Config{})
	src := testkit.Read(t, "coffee.png")
	for _, c := range []struct{ tx, msg string }{
		{"w_iw_div_0", "Division by zero in expression iw_div_0"},
		{"$w_100,w_$w_sub_1000", "Invalid width in transformation: -900 (from w_$w_sub_1000)"},
		{"o_iw", "Invalid opacity in transformation: 600 (from o_iw)"},
		{"w_iw_pow_10", "Expression iw_pow_10 is out of range"},
		{"$w_!abc!/w_$w", "Expression w_$w is not a number"},
		{"if_md:!sku!_eq_!a!/e_blur/if_end", "Structured metadata (md) is not supported: md:!sku!_eq_!a!"},
		{"if_w_gt_1/f_png/if_end", "f_png inside a condition is not supported"},
		{"l_logo/if_w_gt_1/w_10/if_end/fl_layer_apply", "Conditions inside a layer are not supported: if_w_gt_1"},
		{"l_logo/w_w_div_2/fl_layer_apply", "w inside a layer is not supported"},
		{"l_logo,w_iw_div_2/fl_layer_apply", "iw inside a layer is not supported"},
		{"$v_!x!/l_$v", "Variables are not supported in l_$v"},
		{"fn_wasm:blur.wasm", "Unsupported transformation parameter: fn_wasm:blur.wasm"},
	} {
		_, err := try(t, p, src, c.tx, delivery.PNG)
		wantError(t, err, http.StatusBadRequest, c.msg)
	}
}

// FuzzResolve transforms a small image with arbitrary conditional and
// variable transformations: each answers an image or a 400, never a
// crash or a 5xx (a layer it names and the test does not give is a
// 404; division by zero, huge powers, deep chains...).
func FuzzResolve(f *testing.F) {
	for _, s := range []string{
		"if_ar_lt_1.0/c_pad,h_50,w_50/if_end", "$w_20/w_$w_mul_2", "w_iw_div_0", "w_iw_pow_100",
		"if_w_gt_10_and_h_lt_100_or_ar_eq_3:2,w_10/if_else,w_20/if_end", "c_crop,h_ih_div_2,w_iw_sub_1",
		"a_$a,$a_10", "$a_45/a_$a/if_w_gt_ih/e_grayscale/if_end", "x_w_mod_7,y_h_div_3,c_crop,w_10,h_10",
		"o_iw_sub_90", "if_!a!_in_tags/w_10/if_end", "if_ctx:!k!_eq_!!/w_10/if_end", "$v_!x!/w_$v",
	} {
		f.Add(s)
	}
	p := newProcessor(f, Config{MaxInputPixels: 4_000_000, MaxOutputPixels: 4_000_000})
	src := smallJPEG(f, 96, 64)
	f.Fuzz(func(t *testing.T, tx string) {
		tr, err := delivery.ParseTransformation(tx)
		if err != nil {
			return
		}
		_, err = p.Transform(t.Context(), src, Request{Transformation: tr, Format: delivery.PNG, Tags: []string{"a"}})
		if e, ok := err.(*delivery.Error); err != nil && (!ok || e.Status != 400 && e.Status != 404) {
			t.Fatalf("%q: %v (%T), want a 400 or 404 (a layer not given)", tx, err, err)
		}
	})
}

// A variable sizes a layer as the literal would.
func TestVariableInLayer(t *testing.T) {
	p := newProcessor(t, Config{})
	src := testkit.Read(t, "coffee.png")
	layers := map[string][]byte{"logo": testkit.Read(t, "logo.png")}
	run := func(tx string) Result {
		tr, err := delivery.ParseTransformation(tx)
		if err != nil {
			t.Fatal(err)
		}
		res, err := p.Transform(context.Background(), src, Request{Transformation: tr, Format: delivery.PNG, Layers: layers})
		if err != nil {
			t.Fatalf("%s: %v", tx, err)
		}
		return res
	}
	want := decode(t, run("l_logo,w_100/fl_layer_apply,g_north_west"))
	got := decode(t, run("$lw_50/l_logo,w_$lw_mul_2/fl_layer_apply,g_north_west"))
	if d := colourDistance(want, got); d != 0 {
		t.Errorf("w_$lw_mul_2 in a layer differs from w_100 by %.0f", d)
	}
	if d := colourDistance(want, decode(t, run("l_logo,w_200/fl_layer_apply,g_north_west"))); d == 0 {
		t.Error("the comparison cannot fail: w_200 looks like w_100")
	}
}

// BenchmarkConditionOverhead compares a fill with the same fill inside a
// condition (a second header read and the resolution).
func BenchmarkConditionOverhead(b *testing.B) {
	p := newProcessor(b, Config{})
	src := testkit.Read(b, "LadyBird.jpg")
	for _, tx := range []string{"c_fill,h_500,w_800", "if_ar_gt_1/c_fill,h_500,w_800/if_end", "$w_800/c_fill,h_500,w_$w"} {
		tr := mustParse(b, tx)
		b.Run(tx, func(b *testing.B) {
			for b.Loop() {
				if _, err := p.Transform(context.Background(), src, Request{Transformation: tr, Format: delivery.JPG}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// fc is counted once per transformation, however many conditions and
// expressions read it: each count may be a face detection.
func TestResolveCountsFacesOnce(t *testing.T) {
	tr, err := delivery.ParseTransformation("if_fc_gt_0/e_grayscale/if_end/if_fc_gt_1/e_negate/if_end/$n_fc/w_$n_mul_100")
	if err != nil {
		t.Fatal(err)
	}
	calls := 0
	count := func() (int, error) { calls++; return 2, nil }
	out, err := resolve(Request{Transformation: tr}, Info{Width: 400, Height: 300, Pages: 1}, count)
	if err != nil {
		t.Fatal(err)
	}
	if calls != 1 {
		t.Errorf("fc read 3 times: %d face counts", calls)
	}
	if got := out.String(); got != "e_grayscale/e_negate/w_200" {
		t.Errorf("resolved %q", got)
	}
}
