//go:build cgo

package imaging

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/mediacdn/mediacdn/delivery"
	"github.com/mediacdn/mediacdn/internal/testkit"
)

// Under the default budget, chains Cloudinary users write every day go
// through on a 2560x1600 photo, and chains built to make work are refused
// with 400 before any pixel is decoded.
func TestCostBudget(t *testing.T) {
	p := newProcessor(t, Config{})
	src := testkit.Read(t, "Aqua.jpg")
	blurChain := strings.TrimSuffix(strings.Repeat("e_blur:1998/", 10), "/")
	for _, c := range []struct {
		tx string
		f  delivery.Format
	}{
		{"c_fill,w_400,h_300", delivery.WebP},
		{"c_fill,g_auto,w_400,h_300", delivery.AVIF},
		{"c_fill,w_400,h_300,dpr_2", delivery.JPG},
		{"c_scale,w_1200/q_auto", delivery.PNG},
		{"e_blur:300", delivery.JPG},
		{"e_blur:2000", delivery.JPG},
		{"e_sharpen", delivery.JPG},
		{"c_fill,w_800,h_600/e_sharpen/r_20/bo_2px_solid_black", delivery.PNG},
		{"c_pad,w_1200,h_1200,b_white/e_grayscale/a_10/o_80", delivery.WebP},
		{"c_scale,w_5000", delivery.JPG}, // a 2x upscale
		{"f_png", delivery.PNG},          // the whole photo, losslessly
		// Issue 15's chain: a blur this wide is done on a shrunk copy
		// (vips.c, mc_wide_blur), so ten of them on this photo are under
		// a second of work.
		{blurChain, delivery.JPG},
	} {
		if _, err := try(t, p, src, c.tx, c.f); err != nil {
			t.Errorf("%s (%v): %v", c.tx, c.f, err)
		}
	}
	for _, tx := range []string{
		"w_8000/" + blurChain,
		"w_7000/" + strings.TrimSuffix(strings.Repeat("e_blur:399/", 10), "/"),
		strings.Repeat("w_8000/w_100/", 8) + "w_8000",
		"w_8000/" + strings.TrimSuffix(strings.Repeat("e_sharpen:2000/", 8), "/"),
		"w_4000/e_blur:300/a_33/e_sharpen:1500/e_blur:300/a_-33/e_sharpen:1500/e_blur:300",
	} {
		_, err := try(t, p, src, tx, delivery.PNG)
		var e *delivery.Error
		if !errors.As(err, &e) || e.Status != 400 || !strings.HasPrefix(e.Message, "Transformation too expensive - ") {
			t.Errorf("%s: %v, want 400 Transformation too expensive", tx, err)
		}
	}
}

// A plan past the output limits gets the limit's own message: only the
// work before the step that the run refuses counts. A negative budget
// turns the check off.
func TestCostBudgetLimits(t *testing.T) {
	p := newProcessor(t, Config{})
	src := testkit.Read(t, "rocket.jpg")
	_, err := try(t, p, src, strings.Repeat("e_blur:1000/", 50)+"w_20000", delivery.JPG)
	wantError(t, err, 400, "Requested image size 20000x13344 exceeds the limit of 16384 pixels per side")
	tiny := newProcessor(t, Config{MaxCost: time.Millisecond})
	_, err = try(t, tiny, src, "w_1000", delivery.PNG)
	wantError(t, err, 400, "")
	if msg := errString(err); !strings.HasPrefix(msg, "Transformation too expensive - estimated work of ") ||
		!strings.HasSuffix(msg, "ms is more than the limit of 1ms") {
		t.Errorf("a 1ms budget: %q", msg)
	}
	off := newProcessor(t, Config{MaxCost: -1})
	do(t, off, src, "w_1000", delivery.PNG)
}
