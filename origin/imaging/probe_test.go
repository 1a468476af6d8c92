//go:build cgo

package imaging

import (
	"errors"
	"log/slog"
	"testing"

	"github.com/mediacdn/mediacdn/delivery"
	"github.com/mediacdn/mediacdn/internal/testkit"
)

func newProcessor(t testing.TB, cfg Config) *Processor {
	t.Helper()
	p, err := New(cfg, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(p.Close)
	return p
}

func TestProbeCorpus(t *testing.T) {
	p := newProcessor(t, Config{})
	for _, c := range []struct {
		name  string
		f     delivery.Format
		w, h  int
		alpha bool
	}{
		{"LadyBird.jpg", delivery.JPG, 2560, 1600, false},
		{"Storm.jpg", delivery.JPG, 1920, 1280, false},
		{"logo.png", delivery.PNG, 500, 500, true},
		{"chelsea.png", delivery.PNG, 451, 300, false},
	} {
		info, err := p.Probe(testkit.Read(t, c.name))
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if info.Format != c.f || info.Width != c.w || info.Height != c.h || info.Alpha != c.alpha {
			t.Errorf("%s: %+v", c.name, info)
		}
	}
}

func TestProbeRejects(t *testing.T) {
	p := newProcessor(t, Config{MaxInputPixels: 1_000_000})
	jpg := testkit.Read(t, "LadyBird.jpg")
	for _, c := range []struct {
		name string
		b    []byte
		msg  string
	}{
		{"empty", nil, "Invalid image file"},
		{"text", []byte("hello, this is not an image at all"), "Invalid image file"},
		{"truncated", jpg[:200], "Invalid image file"},
		{"too many pixels", jpg, "Image is too large - 2560x1600 is more than the limit of 1000000 pixels"},
	} {
		_, err := p.Probe(c.b)
		var e *delivery.Error
		if !errors.As(err, &e) || e.Status != 400 || e.Message != c.msg {
			t.Errorf("%s: %v, want 400 %q", c.name, err, c.msg)
		}
	}
}

// Probe reports pages, AVIF vs HEIC, and upright sizes.
func TestProbeMore(t *testing.T) {
	p := newProcessor(t, Config{})
	src := testkit.Read(t, "rocket.jpg")
	for _, c := range []struct {
		f     delivery.Format
		alpha bool
	}{{delivery.AVIF, false}, {delivery.WebP, false}, {delivery.GIF, false}, {delivery.PNG, false}} {
		res := do(t, p, src, "w_64", c.f)
		info, err := p.Probe(res.Body)
		if err != nil || info.Format != c.f || info.Width != 64 || info.Pages != 1 {
			t.Errorf("%v: %+v %v", c.f, info, err)
		}
	}
	info, err := p.Probe(craftPNGHeader(3000, 2000))
	if err != nil || info.Width != 3000 || info.Height != 2000 {
		t.Errorf("crafted header: %+v %v", info, err)
	}
	_, err = p.Probe(craftPNGHeader(100000, 100000))
	wantError(t, err, 400, "Image is too large - 100000x100000 is more than the limit of 50000000 pixels")
}

func TestStats(t *testing.T) {
	p := newProcessor(t, Config{Workers: 3, Queue: 7})
	s := p.Stats()
	if s.Workers != 3 || s.QueueCapacity != 7 || s.Busy != 0 || s.Queued != 0 {
		t.Errorf("before work: %+v", s)
	}
	do(t, p, testkit.Read(t, "rocket.jpg"), "w_10", delivery.JPG)
	if s := p.Stats(); s.Busy != 0 || s.VipsMemoryHighwater <= 0 {
		t.Errorf("after work: %+v", s)
	}
}
