package bench

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image"
	gifpalette "image/color/palette"
	"image/draw"
	"image/gif"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"time"

	"github.com/valyala/fasthttp"
)

// The animated operation of issue 18: a GIF of 30 frames of 480x270 to
// w_240, over HTTP from the origin beside libvips' own `vips thumbnail`
// CLI on the same file in the same run (Debian's libvips-tools, which
// `make bench-deps` installs).
const (
	animFrames, animWidth, animHeight = 30, 480, 270
	animOpName                        = "anim-gif30-w240"
	// targetAnimCPU is issue 18's target: the origin's CPU per animated
	// transform within 1.2× that of `vips thumbnail`.
	targetAnimCPU = 1.2
)

// animData is the animated operation's figures.
type animData struct {
	HTTP opResult `json:"http"`
	// VipsCPUms is `vips thumbnail`'s CPU per run, less a run on a 2x2
	// one-frame GIF (VipsStartCPUms: process start and libvips' start-up).
	VipsCPUms      float64 `json:"vips_thumbnail_cpu_ms_per_op"`
	VipsStartCPUms float64 `json:"vips_start_cpu_ms"`
	VipsRuns       int     `json:"vips_runs"`
	VipsErr        string  `json:"vips_error,omitempty"`
	// OriginPeakRSSMiB is the origin's peak RSS after the animated
	// transforms (the transform report's own figure is taken before them).
	OriginPeakRSSMiB float64 `json:"origin_peak_rss_mib"`
}

// animatedGIF is the benchmark's animated GIF, made from a PNG photo (the
// corpus's astronaut.png, public domain): frames of 480x270, the window
// shifted two pixels right and one down per frame, in the web-safe
// palette, delays cycling 40, 50, 60 ms (origin/imaging's tests make
// the same file).
func animatedGIF(pngData []byte) ([]byte, error) {
	src, err := png.Decode(bytes.NewReader(pngData))
	if err != nil {
		return nil, err
	}
	rgba := image.NewRGBA(src.Bounds())
	draw.Draw(rgba, rgba.Bounds(), src, src.Bounds().Min, draw.Src)
	q := func(v uint8) int { return (int(v) + 25) / 51 }
	g := &gif.GIF{LoopCount: 3}
	for i := range animFrames {
		f := image.NewPaletted(image.Rect(0, 0, animWidth, animHeight), gifpalette.WebSafe)
		for y := range animHeight {
			for x := range animWidth {
				o := rgba.PixOffset((x+2*i)%rgba.Rect.Dx(), (y+i)%rgba.Rect.Dy())
				f.Pix[y*f.Stride+x] = uint8(q(rgba.Pix[o])*36 + q(rgba.Pix[o+1])*6 + q(rgba.Pix[o+2]))
			}
		}
		g.Image = append(g.Image, f)
		g.Delay = append(g.Delay, 4+i%3)
	}
	var b bytes.Buffer
	if err := gif.EncodeAll(&b, g); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// runAnim measures the animated operation: n transforms over HTTP, then n
// runs of `vips thumbnail` on the same file.
func runAnim(ctx context.Context, e *env, c *cluster, hc *fasthttp.HostClient, run string, n int, deadline time.Time) (*animData, error) {
	astro, err := findPhoto(e.photos, "astronaut.png")
	if err != nil {
		return nil, err
	}
	file, err := animatedGIF(astro.Data)
	if err != nil {
		return nil, err
	}
	const id = "bench/anim30"
	if _, err := newAPIClient(c.OriginURL, e.o).upload(ctx, id, "anim30.gif", file, nil); err != nil {
		return nil, err
	}
	d := &animData{VipsRuns: n}
	d.HTTP = transformHTTP(ctx, e, c, hc, transformOp{Name: animOpName, Tr: "w_240", Ext: "gif"}, id, run, n, deadline)
	d.VipsCPUms, d.VipsStartCPUms, err = vipsThumbnailCPU(ctx, file, n)
	if err != nil {
		d.VipsErr = err.Error()
	}
	return d, nil
}

// vipsThumbnailCPU runs `vips thumbnail in.gif[n=-1] out.gif 240` n times
// (all frames, as the origin keeps them) and returns its CPU per run, less
// the start-up CPU measured on a 2x2 one-frame GIF, and that start-up.
func vipsThumbnailCPU(ctx context.Context, file []byte, n int) (net, start float64, err error) {
	bin, err := exec.LookPath("vips")
	if err != nil {
		return 0, 0, errors.New("vips not found (`make bench-deps` installs libvips-tools)")
	}
	dir, err := os.MkdirTemp("", "mediacdn-bench-anim-")
	if err != nil {
		return 0, 0, err
	}
	defer os.RemoveAll(dir)
	in, tiny := filepath.Join(dir, "in.gif"), filepath.Join(dir, "tiny.gif")
	var b bytes.Buffer
	if err := gif.Encode(&b, image.NewPaletted(image.Rect(0, 0, 2, 2), gifpalette.WebSafe), nil); err != nil {
		return 0, 0, err
	}
	if err := os.WriteFile(in, file, 0o600); err != nil {
		return 0, 0, err
	}
	if err := os.WriteFile(tiny, b.Bytes(), 0o600); err != nil {
		return 0, 0, err
	}
	cpu := func(src, size string) (time.Duration, error) {
		var total time.Duration
		for range n {
			cmd := exec.CommandContext(ctx, bin, "thumbnail", src+"[n=-1]", filepath.Join(dir, "out.gif"), size)
			if out, err := cmd.CombinedOutput(); err != nil {
				return 0, fmt.Errorf("vips thumbnail: %w: %s", err, tail(string(out), 400))
			}
			total += cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()
		}
		return total / time.Duration(max(n, 1)), nil
	}
	whole, err := cpu(in, "240")
	if err != nil {
		return 0, 0, err
	}
	base, err := cpu(tiny, "1")
	if err != nil {
		return 0, 0, err
	}
	return ms(whole - base), ms(base), nil
}

// animTable is the animated operation beside `vips thumbnail`, and its check.
func animTable(d *animData) (Table, Check) {
	t := Table{Title: fmt.Sprintf("Animated GIF (%d frames of %dx%d) → w_240 GIF, %d runs each: origin over HTTP beside libvips' `vips thumbnail` CLI",
		animFrames, animWidth, animHeight, d.VipsRuns),
		Header: []string{"path", "req/s", "p50 ms", "CPU ms/op", "CPU vs vips thumbnail", "output KB", "errors"}}
	h := d.HTTP
	t.Rows = append(t.Rows,
		[]string{"origin over HTTP", f2(h.RPS), f2(quantileOf(h.Percentiles, 0.5)), orNA(h.CPUms, f2), ratioOrNA(h.CPUms, d.VipsCPUms),
			f1(float64(h.OutBytes) / 1000), fmt.Sprint(h.Errors)},
		[]string{fmt.Sprintf("vips thumbnail (CPU less its start-up of %.1f ms)", d.VipsStartCPUms), "", "", orNA(d.VipsCPUms, f2), "1×", "", ""})
	r := 0.0
	if h.CPUms > 0 && d.VipsCPUms > 0 {
		r = h.CPUms / d.VipsCPUms
	}
	if d.OriginPeakRSSMiB > 0 {
		t.Title += fmt.Sprintf("; origin peak RSS after them %.0f MiB", d.OriginPeakRSSMiB)
	}
	got := x(r)
	if d.VipsErr != "" {
		got = d.VipsErr
	}
	return t, check("animated GIF CPU against vips thumbnail", got, fmt.Sprintf("<= %.1f×", targetAnimCPU), r > 0 && r <= targetAnimCPU)
}
