package imaging

import (
	"context"
	"os"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/h2non/bimg"
	"github.com/mediacdn/mediacdn/delivery"
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
	src := readCorpus(b, "LadyBird.jpg")
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
	src := readCorpus(b, "LadyBird.jpg")
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
	src := readCorpus(b, "LadyBird.jpg")
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
