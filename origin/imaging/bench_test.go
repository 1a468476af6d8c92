//go:build cgo

package imaging

import (
	"context"
	"errors"
	"os"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/h2non/bimg"
	"github.com/mediacdn/mediacdn/delivery"
	"github.com/mediacdn/mediacdn/internal/testkit"
)

// The three operations of the throughput target, on LadyBird.jpg
// (2560x1600): each runs through Processor.Transform with two workers and
// two client goroutines, and as a plain bimg loop with bimg's defaults (the
// floor). Run with -cpu 2, e.g.
//
//	go test -run '^$' -bench 'Transform|Bimg' -cpu 2 -count 5 ./origin/imaging
//
// Each reports ops/s and cpu-ms/op (process CPU time from getrusage, all
// threads, divided by operations).
var benchOps = []struct {
	name string
	tx   string
	f    delivery.Format
	bimg bimg.Options
}{
	{"fill300x200-jpeg", "c_fill,h_200,w_300,q_80", delivery.JPG,
		bimg.Options{Width: 300, Height: 200, Crop: true, Quality: 80, Type: bimg.JPEG}},
	{"fill300x200-webp", "c_fill,h_200,w_300,q_80", delivery.WebP,
		bimg.Options{Width: 300, Height: 200, Crop: true, Quality: 80, Type: bimg.WEBP}},
	// bimg given both sides without Crop pads to the box; c_fit of a
	// 2560x1600 image into 800x800 is 800x500, the width alone in bimg.
	{"fit800x800-jpeg", "c_fit,h_800,w_800,q_80", delivery.JPG,
		bimg.Options{Width: 800, Quality: 80, Type: bimg.JPEG}},
}

func BenchmarkTransform(b *testing.B) {
	src := testkit.Read(b, "LadyBird.jpg")
	p := newProcessor(b, Config{Workers: 2, Queue: 64})
	defer p.Close()
	for _, op := range benchOps {
		tr, err := delivery.ParseTransformation(op.tx)
		if err != nil {
			b.Fatal(err)
		}
		req := Request{Transformation: tr, Format: op.f}
		b.Run(op.name, func(b *testing.B) {
			measure(b, func() error {
				_, err := p.Transform(context.Background(), src, req)
				return err
			})
		})
	}
}

func BenchmarkBimg(b *testing.B) {
	src := testkit.Read(b, "LadyBird.jpg")
	for _, op := range benchOps {
		b.Run(op.name, func(b *testing.B) {
			measure(b, func() error {
				_, err := bimg.NewImage(src).Process(op.bimg)
				return err
			})
		})
	}
}

// measure runs op from GOMAXPROCS goroutines and reports throughput and
// CPU time per operation.
func measure(b *testing.B, op func() error) {
	b.ReportAllocs()
	cpu0 := cpuTime()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if err := op(); err != nil {
				b.Error(err)
				return
			}
		}
	})
	b.StopTimer()
	cpu := cpuTime() - cpu0
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "ops/s")
	b.ReportMetric(float64(cpu.Microseconds())/1000/float64(b.N), "cpu-ms/op")
}

// cpuTime is the process's user + system CPU time so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkPeakRSS runs b.N transforms (the three operations in turn, two
// at a time) and reports the process's peak resident set (VmHWM) in MiB,
// reset first through /proc/self/clear_refs where the kernel allows it.
// The target is under 150 MiB over 10,000 transforms:
//
//	go test -run '^$' -bench PeakRSS -benchtime 10000x -cpu 2 ./origin/imaging
func BenchmarkPeakRSS(b *testing.B) {
	src := testkit.Read(b, "LadyBird.jpg")
	p := newProcessor(b, Config{Workers: 2, Queue: 64})
	defer p.Close()
	reqs := make([]Request, len(benchOps))
	for i, op := range benchOps {
		tr, err := delivery.ParseTransformation(op.tx)
		if err != nil {
			b.Fatal(err)
		}
		reqs[i] = Request{Transformation: tr, Format: op.f}
	}
	_ = os.WriteFile("/proc/self/clear_refs", []byte("5"), 0)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for i := 0; pb.Next(); i++ {
			if _, err := p.Transform(context.Background(), src, reqs[i%len(reqs)]); err != nil {
				b.Error(err)
				return
			}
		}
	})
	b.StopTimer()
	b.ReportMetric(float64(procStatusKiB(b, "VmHWM"))/1024, "peak-RSS-MiB")
	b.ReportMetric(float64(procStatusKiB(b, "VmRSS"))/1024, "end-RSS-MiB")
}

// procStatusKiB reads a "Name:   123 kB" line of /proc/self/status.
func procStatusKiB(tb testing.TB, name string) int64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		tb.Skip("no /proc/self/status")
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, name+":"); ok {
			n, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			return n
		}
	}
	return 0
}

// BenchmarkVerify is the cost of Verify, the whole-file check of an
// upload, on a 2560x1600 photo as JPEG and as PNG, next to Probe's header
// check that runs before it:
//
//	go test -run '^$' -bench Verify -cpu 2 -count 5 ./origin/imaging
func BenchmarkVerify(b *testing.B) {
	jpg := testkit.Read(b, "LadyBird.jpg")
	p := newProcessor(b, Config{Workers: 2, Queue: 64})
	res, err := p.Transform(context.Background(), jpg, Request{Format: delivery.PNG})
	if err != nil {
		b.Fatal(err)
	}
	png := res.Body
	for _, c := range []struct {
		name string
		op   func() error
	}{
		{"jpeg-2560x1600", func() error { return p.Verify(context.Background(), jpg) }},
		{"png-2560x1600", func() error { return p.Verify(context.Background(), png) }},
		{"probe-jpeg-2560x1600", func() error { _, err := p.Probe(jpg); return err }},
	} {
		b.Run(c.name, func(b *testing.B) { measure(b, c.op) })
	}
}

// BenchmarkKilledTransform runs issue 15's blur chain after an upscale to
// 40 megapixels (a minute of work) with a 2s timeout, one at a time, and
// reports how long after the deadline the transform returned (its slot
// free), and the process's resident memory before the first, at its peak
// and after the last:
//
//	go test -run '^$' -bench KilledTransform -benchtime 5x ./origin/imaging
func BenchmarkKilledTransform(b *testing.B) {
	const timeout = 2 * time.Second
	p := newProcessor(b, Config{Workers: 1, Timeout: timeout, MaxCost: -1, ReleaseInterval: -1})
	src := testkit.Read(b, "Aqua.jpg")
	tr, err := delivery.ParseTransformation(hostileChain)
	if err != nil {
		b.Fatal(err)
	}
	if _, err := p.Transform(context.Background(), src, Request{Transformation: mustParse(b, "w_100"), Format: delivery.JPG}); err != nil {
		b.Fatal(err)
	}
	before := procStatusKiB(b, "VmRSS")
	_ = os.WriteFile("/proc/self/clear_refs", []byte("5"), 0)
	var late, worst time.Duration
	b.ResetTimer()
	for range b.N {
		start := time.Now()
		_, err := p.Transform(context.Background(), src, Request{Transformation: tr, Format: delivery.JPG})
		var e *delivery.Error
		if !errors.As(err, &e) || e.Status != 504 {
			b.Fatalf("got %v, want 504", err)
		}
		l := time.Since(start) - timeout
		late += l
		worst = max(worst, l)
	}
	b.StopTimer()
	b.ReportMetric(float64(late.Milliseconds())/float64(b.N), "ms-past-deadline")
	b.ReportMetric(float64(worst.Milliseconds()), "max-ms-past-deadline")
	b.ReportMetric(float64(before)/1024, "RSS-before-MiB")
	b.ReportMetric(float64(procStatusKiB(b, "VmHWM"))/1024, "peak-RSS-MiB")
	b.ReportMetric(float64(procStatusKiB(b, "VmRSS"))/1024, "RSS-after-MiB")
}

// BenchmarkCostModel runs transformations of the kinds the cost budget
// weighs and reports, next to each one's time, the budget's estimate of it
// (cost.go) and their ratio: the estimate is meant to be within a factor
// of two of the time on the machine the weights were measured on, mostly
// above it.
//
//	go test -run '^$' -bench CostModel -benchtime 3x ./origin/imaging
func BenchmarkCostModel(b *testing.B) {
	p := newProcessor(b, Config{Workers: 1, Timeout: 5 * time.Minute, MaxCost: -1})
	photo := testkit.Read(b, "Aqua.jpg") // 2560x1600
	big := do(b, p, photo, "w_6000", delivery.JPG).Body
	png := do(b, p, photo, "w_2000", delivery.PNG).Body
	for _, c := range []struct {
		name string
		src  []byte
		tx   string
		f    delivery.Format
	}{
		{"jpeg", photo, "f_jpg", delivery.JPG},
		{"png", photo, "f_jpg", delivery.PNG},
		{"webp", photo, "f_jpg", delivery.WebP},
		{"avif", photo, "f_jpg", delivery.AVIF},
		{"gif", photo, "f_jpg", delivery.GIF},
		{"tiff", photo, "f_jpg", delivery.TIFF},
		{"bmp", photo, "f_jpg", delivery.BMP},
		{"heic", photo, "f_jpg", delivery.HEIC},
		{"jxl", photo, "f_jpg", delivery.JXL},
		{"ico", photo, "c_fill,w_256,h_256", delivery.ICO},
		{"png-input", png, "w_100", delivery.JPG},
		{"fill", photo, "c_fill,w_400,h_300", delivery.JPG},
		{"fill-auto", photo, "c_fill,w_400,h_300,g_auto", delivery.JPG},
		{"crop-auto", photo, "c_auto,w_400,h_300", delivery.JPG},
		{"fill-pad", photo, "c_fill_pad,g_auto,w_400,h_800", delivery.JPG},
		{"pad-b-auto", photo, "b_auto:predominant,c_pad,w_4000,h_4000", delivery.JPG},
		{"blur300", photo, "e_blur:300", delivery.JPG},
		{"blur399", photo, "e_blur:399", delivery.JPG},
		{"blur2000", photo, "e_blur:2000", delivery.JPG},
		{"sharpen", photo, "e_sharpen", delivery.JPG},
		{"sharpen1000", photo, "e_sharpen:1000", delivery.JPG},
		{"rotate45", photo, "a_45", delivery.JPG},
		{"rotate90", photo, "a_90", delivery.JPG},
		{"grayscale", photo, "e_grayscale", delivery.JPG},
		{"round-png", photo, "r_max", delivery.PNG},
		{"border", photo, "bo_10px_solid_red", delivery.JPG},
		{"upscale-8000", photo, "w_8000", delivery.JPG},
		{"pad-4000", photo, "c_pad,w_4000,h_4000", delivery.JPG},
		{"opacity-png", photo, "o_50", delivery.PNG},
		{"big-jpeg", big, "f_jpg", delivery.JPG},
		{"big-blur2000", big, "e_blur:2000", delivery.JPG},
		{"big-chain-webp", big, "w_2000/e_blur:300", delivery.WebP},
	} {
		b.Run(c.name, func(b *testing.B) {
			est := estimateOf(b, p, c.src, c.tx, c.f)
			for b.Loop() {
				do(b, p, c.src, c.tx, c.f)
			}
			took := b.Elapsed() / time.Duration(b.N)
			b.ReportMetric(float64(est.Microseconds())/1000, "estimate-ms")
			b.ReportMetric(est.Seconds()/took.Seconds(), "estimate/time")
		})
	}
}

// estimateOf is the cost budget's estimate for one transform (page 0).
func estimateOf(tb testing.TB, p *Processor, src []byte, tx string, f delivery.Format) time.Duration {
	tb.Helper()
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	defer threadDone()
	kind := sniff(src)
	pln, err := newPlan(mustParse(tb, tx), 0)
	if err != nil {
		tb.Fatal(err)
	}
	out, err := chooseOutput(f, 0, kind.format(isAVIF(src)), p.avif)
	if err != nil {
		tb.Fatal(err)
	}
	s := newSource(src, kind)
	defer s.free()
	var a arena
	defer a.release()
	_, h, err := readHeader(&a, s)
	if err != nil {
		tb.Fatal(err)
	}
	_, _, shrink, direct := p.shape(h, kind, 0, &pln)
	return estimate(&p.cfg, &pln, h, kind, 0, shrink, direct, out)
}
