//go:build cgo

package imaging

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mediacdn/mediacdn/delivery"
	"github.com/mediacdn/mediacdn/internal/testkit"
)

// Everything valid in Cloudinary that is not implemented answers 400
// naming the parameter; nothing is silently ignored.
func TestUnsupportedParameters(t *testing.T) {
	p := newProcessor(t, Config{})
	src := testkit.Read(t, "rocket.jpg")
	for _, tx := range []string{
		"co_red", "t_thumb",
		"c_imagga_crop", "c_imagga_scale", "c_auto,g_north,h_10,w_10", "c_auto_pad,g_face,h_10,w_10",
		"e_art:incognito", "e_noise", "e_cartoonify", "e_oil_paint",
		"g_ocr_text", "g_custom:adv_face", "g_body", "g_face:eyes",
		"w_auto",
		"b_auto,c_fill,h_10,w_10", "b_auto:predominant_gradient,c_pad,h_10,w_10", "b_blurred", "b_gen_fill",
		"a_auto_right", "a_auto_left",
		"q_jpegmini", "pg_name:cover",
		"fl_lossy", "fl_getinfo", "fl_png8", "fl_layer_apply", "fl_keep_attribution",
		"c_scale,w_100,z_2", "f_jp2", "f_pdf", "cs_srgb", "fn_wasm:blur",
	} {
		_, err := try(t, p, src, tx, delivery.JPG)
		var e *delivery.Error
		if !errors.As(err, &e) || e.Status != 400 || !strings.HasPrefix(e.Message, "Unsupported transformation parameter: ") {
			t.Errorf("%s: %v, want 400 Unsupported", tx, err)
			continue
		}
		key, _, _ := strings.Cut(tx, "_")
		if got := strings.TrimPrefix(e.Message, "Unsupported transformation parameter: "); !strings.HasPrefix(got, key+"_") && !strings.HasPrefix(got, "z_") {
			t.Errorf("%s: message names %q", tx, got)
		}
	}
	// Flags that only concern the HTTP response are the caller's; d_ is the
	// caller's fallback: they are accepted.
	for _, tx := range []string{"fl_attachment", "fl_attachment:name", "fl_immutable_cache", "d_avatar.png", "a_exif", "fl_force_strip", "fl_preserve_transparency",
		"fl_awebp", "fl_animated", "dl_100", "e_loop", "dn_300"} {
		if _, err := try(t, p, src, tx, delivery.JPG); err != nil {
			t.Errorf("%s: %v", tx, err)
		}
	}
}

// Bad input gets a clear 4xx, and the processor keeps serving.
func TestBadInput(t *testing.T) {
	p := newProcessor(t, Config{})
	jpg, pngFile := testkit.Read(t, "LadyBird.jpg"), testkit.Read(t, "coffee.png")
	bmp := append([]byte("BM"), make([]byte, 60)...)
	for _, c := range []struct {
		name string
		src  []byte
		msg  string
	}{
		{"zero bytes", nil, "Invalid image file"},
		{"truncated JPEG", jpg[:len(jpg)/2], "Invalid image file"},
		{"JPEG header only", jpg[:200], "Invalid image file"},
		{"truncated PNG", pngFile[:len(pngFile)/2], "Invalid image file"},
		{"PNG declaring 100000x100000", craftPNGHeader(100000, 100000),
			"Image is too large - 100000x100000 is more than the limit of 50000000 pixels"},
		{"text file", []byte("hello, this is a text file and not an image\n"), "Invalid image file"},
		{"BM and zeros (no BMP header)", bmp, "Invalid image file"},
		{"PDF", []byte("%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"), "Invalid image file"},
		{"JPEG magic then garbage", append([]byte{0xff, 0xd8, 0xff, 0xe0}, []byte(strings.Repeat("garbage ", 20))...), "Invalid image file"},
	} {
		for _, tx := range []string{"", "c_fill,w_100,h_100"} {
			_, err := try(t, p, c.src, tx, delivery.JPG)
			var e *delivery.Error
			if !errors.As(err, &e) || e.Status != 400 || e.Message != c.msg {
				t.Errorf("%s %q: %v, want 400 %q", c.name, tx, err, c.msg)
			}
		}
		if _, err := p.Probe(c.src); err == nil && c.name != "truncated JPEG" && c.name != "truncated PNG" {
			t.Errorf("%s: Probe accepted it", c.name)
		}
		if res := do(t, p, jpg, "w_50", delivery.JPG); res.Width != 50 {
			t.Fatalf("after %s: %dx%d", c.name, res.Width, res.Height)
		}
	}
}

// Input limits: file size and pixel count, from the header.
func TestInputLimits(t *testing.T) {
	p := newProcessor(t, Config{MaxInputSize: 100_000, MaxInputPixels: 1_000_000})
	_, err := try(t, p, testkit.Read(t, "LadyBird.jpg"), "w_10", delivery.JPG)
	wantError(t, err, 400, "File size too large. Got 351588. Maximum is 100000.")
	_, err = try(t, p, testkit.Read(t, "rocket.jpg")[:], "w_10", delivery.JPG) // 640x427: fine
	if err == nil {
		t.Fatal("rocket.jpg is 112 KB, over the 100 KB limit")
	}
	q := newProcessor(t, Config{MaxInputPixels: 1_000_000})
	_, err = try(t, q, testkit.Read(t, "LadyBird.jpg"), "w_10", delivery.JPG)
	wantError(t, err, 400, "Image is too large - 2560x1600 is more than the limit of 1000000 pixels")
	if _, err := try(t, q, testkit.Read(t, "rocket.jpg"), "w_10", delivery.JPG); err != nil {
		t.Errorf("rocket.jpg (273,280 pixels): %v", err)
	}
}

// SVG is never rasterised: it is handed back as is when nothing is asked,
// and refused otherwise.
func TestSVG(t *testing.T) {
	p := newProcessor(t, Config{})
	svg := []byte(`<?xml version="1.0"?><!-- logo --><svg xmlns="http://www.w3.org/2000/svg" width="120" height="3cm" viewBox="0 0 10 10"><rect width="10" height="10"/></svg>`)
	info, err := p.Probe(svg)
	if err != nil || info.Format != delivery.SVG || info.Width != 120 || info.Height != 114 {
		t.Fatalf("probe: %+v %v", info, err)
	}
	res := do(t, p, svg, "", delivery.FormatNone)
	if string(res.Body) != string(svg) || res.Format != delivery.SVG {
		t.Errorf("passthrough: %v %q", res.Format, res.Body)
	}
	for _, c := range []struct {
		tx string
		f  delivery.Format
	}{{"w_100", delivery.FormatNone}, {"", delivery.PNG}, {"e_grayscale", delivery.SVG}} {
		_, err := try(t, p, svg, c.tx, c.f)
		wantError(t, err, 400, "Transformations of SVG images are not supported")
	}
	vb := []byte(`<svg viewBox="0 0 300 200" xmlns="http://www.w3.org/2000/svg"/>`)
	if info, err := p.Probe(vb); err != nil || info.Width != 300 || info.Height != 200 {
		t.Errorf("viewBox only: %+v %v", info, err)
	}
	if _, err := p.Probe([]byte(`<html><body>not svg</body></html>`)); err == nil {
		t.Error("HTML accepted as an image")
	}
}

// blockWorkers occupies every worker of p until the returned func is
// called (or the test ends, so that a test that fails before it releases
// them ends too), and returns once they are all busy.
func blockWorkers(t *testing.T, p *Processor) (release func()) {
	t.Helper()
	gate := make(chan struct{})
	pool := p.workers()
	var wg sync.WaitGroup
	for range p.cfg.Workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, _ = pool.do(context.Background(), func(context.Context) (Result, error) {
				<-gate
				return Result{}, nil
			}, nil)
		}()
	}
	release = sync.OnceFunc(func() { close(gate); wg.Wait() })
	t.Cleanup(release)
	testkit.Eventually(t, testkit.Timeout, "every worker busy", func() bool { return p.Stats().Busy == p.cfg.Workers })
	return release
}

// Past the queue, Transform answers 503 with Retry-After at once.
func TestQueueFull(t *testing.T) {
	p := newProcessor(t, Config{Workers: 1, Queue: 1})
	src := testkit.Read(t, "rocket.jpg")
	release := blockWorkers(t, p)
	queued := make(chan error, 1)
	go func() { _, err := try(t, p, src, "w_10", delivery.JPG); queued <- err }()
	testkit.Eventually(t, testkit.Timeout, "one transform queued", func() bool { return p.Stats().Queued == 1 })
	_, err := try(t, p, src, "w_10", delivery.JPG)
	wantError(t, err, 503, "")
	var e *delivery.Error
	if errors.As(err, &e); e.RetryAfter <= 0 {
		t.Errorf("503 without RetryAfter: %+v", e)
	}
	if s := p.Stats(); s.Busy != 1 || s.Queued != 1 || s.QueueCapacity != 1 || s.Workers != 1 {
		t.Errorf("stats %+v", s)
	}
	release()
	if err := <-queued; err != nil {
		t.Errorf("queued transform: %v", err)
	}
	testkit.Eventually(t, testkit.Timeout, "every worker free", func() bool { return p.Stats().Busy == 0 })
}

// A transform that cannot start before the timeout answers 504, and the
// queued work is skipped.
func TestTimeoutWhileQueued(t *testing.T) {
	p := newProcessor(t, Config{Workers: 1, Queue: 4, Timeout: 50 * time.Millisecond})
	release := blockWorkers(t, p)
	defer release()
	_, err := try(t, p, testkit.Read(t, "rocket.jpg"), "w_10", delivery.JPG)
	wantError(t, err, 504, "Image transformation timed out")
}

// A transform past its deadline inside libvips is killed: it fails with
// 504 and frees its worker.
func TestTimeoutKillsLibvips(t *testing.T) {
	p := newProcessor(t, Config{})
	src := testkit.Read(t, "Wood.jpg")
	pln, err := newPlan(mustParse(t, "e_blur:2000"), 0)
	if err != nil {
		t.Fatal(err)
	}
	out, _ := chooseOutput(delivery.PNG, 0, delivery.JPG, true)
	ctx, cancel := context.WithDeadline(context.Background(), time.Now().Add(-time.Second))
	defer cancel()
	s := newSource(src, loaderJPEG)
	res, err := p.workers().do(context.Background(), func(context.Context) (Result, error) {
		defer s.free()
		return p.transform(ctx, s, &pln, out) // deadline already passed
	}, s.free)
	wantError(t, err, 504, "Image transformation timed out")
	if res.Body != nil {
		t.Error("a result came back")
	}
	if _, err := try(t, p, src, "w_10", delivery.JPG); err != nil {
		t.Errorf("next transform: %v", err)
	}
}

// The caller's cancellation ends the wait with 503.
func TestCanceled(t *testing.T) {
	p := newProcessor(t, Config{Workers: 1})
	release := blockWorkers(t, p)
	defer release()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := p.Transform(ctx, testkit.Read(t, "rocket.jpg"), Request{Format: delivery.JPG})
	var e *delivery.Error
	if !errors.As(err, &e) || e.Status != 503 && e.Status != 504 {
		t.Errorf("canceled: %v", err)
	}
}

// After Close, work is refused with 503; Close is idempotent.
func TestClose(t *testing.T) {
	p := newProcessor(t, Config{})
	src := testkit.Read(t, "rocket.jpg")
	do(t, p, src, "w_10", delivery.JPG)
	p.Close()
	p.Close()
	_, err := try(t, p, src, "w_10", delivery.JPG)
	wantError(t, err, 503, "Image processing is shutting down")
	q := newProcessor(t, Config{})
	q.Close() // before any work
	_, err = try(t, q, src, "w_10", delivery.JPG)
	wantError(t, err, 503, "Image processing is shutting down")
	if _, err := q.Probe(src); err != nil {
		t.Errorf("Probe after Close: %v", err)
	}
}

// libvips keeps one error buffer per process; bimg reads it without the
// lock, so concurrent failures lose or swap messages. Here failures are
// decided by return codes, never by that text: under concurrency, every
// good input succeeds and every bad one gets the same 400.
func TestConcurrentFailuresDoNotCrossTalk(t *testing.T) {
	p := newProcessor(t, Config{Workers: 2, Queue: 64})
	good := testkit.Read(t, "rocket.jpg")
	bad := [][]byte{
		good[:len(good)/2],
		append([]byte{0xff, 0xd8, 0xff, 0xe0, 0, 16}, []byte(strings.Repeat("JFIF garbage ", 8))...),
		append(append([]byte{}, testkit.Read(t, "coffee.png")[:33]...), []byte(strings.Repeat("garbage ", 8))...),
	}
	var wg sync.WaitGroup
	errs := make(chan string, 64)
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 6 {
				if (g+i)%2 == 0 {
					if res, err := try(t, p, good, "c_fill,w_64,h_64", delivery.JPG); err != nil || res.Width != 64 {
						errs <- "good input failed: " + errString(err)
					}
					continue
				}
				_, err := try(t, p, bad[(g+i)%len(bad)], "c_fill,w_64,h_64", delivery.JPG)
				var e *delivery.Error
				if !errors.As(err, &e) || e.Status != 400 || e.Message != "Invalid image file" {
					errs <- "bad input: " + errString(err)
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
}

func errString(err error) string {
	if err == nil {
		return "<nil>"
	}
	return err.Error()
}
