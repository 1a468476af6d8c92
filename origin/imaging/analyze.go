package imaging

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/draw"
	"image/png"
	"math"
	"sort"
	"strconv"

	"github.com/mediacdn/mediacdn/delivery"
)

// Analysis is what the Admin API reports about an image's pixels
// (colors=true, phash=true). It is computed on a small rendering of the
// image made by the worker pool like any transform; the arithmetic on its
// 4,096 pixels is done in Go.
type Analysis struct {
	// Colors are the image's leading colours, most frequent first: at most
	// 32 clusters of its opaque pixels, each "#RRGGBB" with its share of
	// them in percent, one decimal.
	Colors []ColorShare
	// Predominant are the shares of named colours (black, white, gray,
	// red, orange, yellow, green, teal, blue, purple, pink, brown) of at
	// least 1%, most frequent first, at most 6.
	Predominant []ColorShare
	// PHash is a 64-bit perceptual hash: the signs, against their median,
	// of the 8×8 lowest frequencies of the 2-D DCT of the 32×32 luma.
	// Similar images differ in few bits.
	PHash uint64
	// Grayscale reports that every pixel is (nearly) neutral.
	Grayscale bool
	// SemiTransparent reports that some pixel is not fully opaque.
	SemiTransparent bool
}

// ColorShare is a colour and its share in percent.
type ColorShare struct {
	Color   string
	Percent float64
}

// PHashHex formats a perceptual hash as 16 hex digits, as Cloudinary does.
func PHashHex(h uint64) string { return fmt.Sprintf("%016x", h) }

// analysisSide is the side of the rendering the analysis reads.
const analysisSide = 64

// Analyze computes an image's colours and perceptual hash from a 64×64
// rendering (the aspect ratio is not kept: areas keep their proportions,
// which is what the shares measure). Errors are those
// of Transform (400 for what is not an image this processor reads, 503 when
// the queue is full).
func (p *Processor) Analyze(ctx context.Context, src []byte) (Analysis, error) {
	return p.analyze(func(req Request) (Result, error) { return p.Transform(ctx, src, req) })
}

// analyze computes the analysis from the rendering transform makes.
func (p *Processor) analyze(transform func(Request) (Result, error)) (Analysis, error) {
	tr, err := delivery.ParseTransformation("c_scale,h_" + strconv.Itoa(analysisSide) + ",w_" + strconv.Itoa(analysisSide))
	if err != nil {
		return Analysis{}, internalError(err)
	}
	res, err := transform(Request{Transformation: tr, Format: delivery.PNG})
	if err != nil {
		return Analysis{}, err
	}
	img, err := png.Decode(bytes.NewReader(res.Body))
	if err != nil {
		return Analysis{}, internalError(fmt.Errorf("imaging: analysis rendering: %w", err))
	}
	px := image.NewNRGBA(img.Bounds())
	draw.Draw(px, px.Bounds(), img, img.Bounds().Min, draw.Src)
	return analyzePixels(px), nil
}

// analyzePixels computes the analysis of a rendering.
func analyzePixels(px *image.NRGBA) Analysis {
	var a Analysis
	var opaque []rgb
	a.Grayscale = true
	for i := 0; i+3 < len(px.Pix); i += 4 {
		c := rgb{float64(px.Pix[i]), float64(px.Pix[i+1]), float64(px.Pix[i+2])}
		alpha := px.Pix[i+3]
		if alpha < 255 {
			a.SemiTransparent = true
		}
		if alpha < 128 {
			continue
		}
		if max(c.r, c.g, c.b)-min(c.r, c.g, c.b) > 12 {
			a.Grayscale = false
		}
		opaque = append(opaque, c)
	}
	a.Colors = leadingColors(opaque, 32)
	a.Predominant = namedShares(opaque)
	a.PHash = phash(px)
	return a
}

type rgb struct{ r, g, b float64 }

func (c rgb) dist(o rgb) float64 {
	dr, dg, db := c.r-o.r, c.g-o.g, c.b-o.b
	return dr*dr + dg*dg + db*db
}

func (c rgb) hex() string {
	clamp := func(v float64) int { return int(math.Max(0, math.Min(255, math.Round(v)))) }
	return fmt.Sprintf("#%02X%02X%02X", clamp(c.r), clamp(c.g), clamp(c.b))
}

// leadingColors clusters the pixels into at most k colours (k-means,
// seeded deterministically from the most frequent 3-bit-per-channel
// buckets) and returns them by share.
func leadingColors(pixels []rgb, k int) []ColorShare {
	if len(pixels) == 0 {
		return nil
	}
	centres := seedCentres(pixels, k)
	assign := make([]int, len(pixels))
	for iter := 0; iter < 8; iter++ {
		sums := make([]rgb, len(centres))
		counts := make([]int, len(centres))
		for i, p := range pixels {
			best := nearest(p, centres)
			assign[i] = best
			sums[best].r += p.r
			sums[best].g += p.g
			sums[best].b += p.b
			counts[best]++
		}
		for j := range centres {
			if counts[j] > 0 {
				n := float64(counts[j])
				centres[j] = rgb{sums[j].r / n, sums[j].g / n, sums[j].b / n}
			}
		}
	}
	counts := make([]int, len(centres))
	for _, c := range assign {
		counts[c]++
	}
	return shares(len(pixels), len(centres), func(j int) (string, int) { return centres[j].hex(), counts[j] }, 0, k)
}

// seedCentres picks the k most populated buckets' mean colours.
func seedCentres(pixels []rgb, k int) []rgb {
	type bucket struct {
		sum rgb
		n   int
		key int
	}
	buckets := map[int]*bucket{}
	for _, p := range pixels {
		key := int(p.r)>>5<<6 | int(p.g)>>5<<3 | int(p.b)>>5
		b := buckets[key]
		if b == nil {
			b = &bucket{key: key}
			buckets[key] = b
		}
		b.sum.r, b.sum.g, b.sum.b, b.n = b.sum.r+p.r, b.sum.g+p.g, b.sum.b+p.b, b.n+1
	}
	list := make([]*bucket, 0, len(buckets))
	for _, b := range buckets {
		list = append(list, b)
	}
	sort.Slice(list, func(i, j int) bool {
		if list[i].n != list[j].n {
			return list[i].n > list[j].n
		}
		return list[i].key < list[j].key
	})
	out := make([]rgb, 0, k)
	for _, b := range list[:min(k, len(list))] {
		n := float64(b.n)
		out = append(out, rgb{b.sum.r / n, b.sum.g / n, b.sum.b / n})
	}
	return out
}

func nearest(p rgb, centres []rgb) int {
	best, bestD := 0, math.Inf(1)
	for j, c := range centres {
		if d := p.dist(c); d < bestD {
			best, bestD = j, d
		}
	}
	return best
}

// shares turns counts into percentages (one decimal), most frequent first,
// dropping those under minPercent and keeping at most limit.
func shares(total, n int, at func(int) (string, int), minPercent float64, limit int) []ColorShare {
	var out []ColorShare
	counts := map[string]int{}
	for j := 0; j < n; j++ {
		name, c := at(j)
		if c > 0 {
			counts[name] += c
		}
	}
	for name, c := range counts {
		pct := math.Round(float64(c)*1000/float64(total)) / 10
		if pct >= minPercent && pct > 0 {
			out = append(out, ColorShare{Color: name, Percent: pct})
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Percent != out[j].Percent {
			return out[i].Percent > out[j].Percent
		}
		return out[i].Color < out[j].Color
	})
	return out[:min(limit, len(out))]
}

// namedColours is the palette Predominant names (Google's colour names).
var namedColours = [...]struct {
	name string
	c    rgb
}{
	{"black", rgb{0, 0, 0}}, {"white", rgb{255, 255, 255}}, {"gray", rgb{128, 128, 128}},
	{"red", rgb{210, 30, 35}}, {"orange", rgb{245, 140, 20}}, {"yellow", rgb{245, 220, 40}},
	{"green", rgb{50, 150, 50}}, {"teal", rgb{0, 128, 128}}, {"blue", rgb{35, 80, 210}},
	{"purple", rgb{125, 50, 160}}, {"pink", rgb{245, 140, 185}}, {"brown", rgb{130, 80, 35}},
}

func namedShares(pixels []rgb) []ColorShare {
	if len(pixels) == 0 {
		return nil
	}
	var counts [len(namedColours)]int
	for _, p := range pixels {
		best, bestD := 0, math.Inf(1)
		for j, nc := range namedColours {
			if d := p.dist(nc.c); d < bestD {
				best, bestD = j, d
			}
		}
		counts[best]++
	}
	return shares(len(pixels), len(namedColours), func(j int) (string, int) { return namedColours[j].name, counts[j] }, 1, 6)
}

// phash is the DCT perceptual hash of the rendering: luma at 32×32 (2×2
// box filter), 2-D DCT-II, the 8×8 lowest frequencies against their
// median. Transparent pixels count as white.
func phash(px *image.NRGBA) uint64 {
	const n = 32
	var luma [n][n]float64
	b := px.Bounds()
	sx, sy := max(b.Dx()/n, 1), max(b.Dy()/n, 1)
	for y := 0; y < n; y++ {
		for x := 0; x < n; x++ {
			var sum float64
			for dy := 0; dy < sy; dy++ {
				for dx := 0; dx < sx; dx++ {
					o := px.PixOffset(b.Min.X+min(x*sx+dx, b.Dx()-1), b.Min.Y+min(y*sy+dy, b.Dy()-1))
					a := float64(px.Pix[o+3]) / 255
					l := 0.299*float64(px.Pix[o]) + 0.587*float64(px.Pix[o+1]) + 0.114*float64(px.Pix[o+2])
					sum += l*a + 255*(1-a)
				}
			}
			luma[y][x] = sum / float64(sx*sy)
		}
	}
	d := dct2(luma)
	var low [64]float64
	for y := 0; y < 8; y++ {
		for x := 0; x < 8; x++ {
			low[y*8+x] = d[y][x]
		}
	}
	sorted := low
	sort.Float64s(sorted[:])
	median := (sorted[31] + sorted[32]) / 2
	var h uint64
	for i, v := range low {
		if v > median {
			h |= 1 << (63 - uint(i))
		}
	}
	return h
}

// dct2 is the 2-D DCT-II of a 32×32 block, rows then columns.
func dct2(in [32][32]float64) [32][32]float64 {
	const n = 32
	var cos [n][n]float64
	for k := 0; k < n; k++ {
		for i := 0; i < n; i++ {
			cos[k][i] = math.Cos(math.Pi / n * (float64(i) + 0.5) * float64(k))
		}
	}
	var rows, out [n][n]float64
	for y := 0; y < n; y++ {
		for k := 0; k < n; k++ {
			var s float64
			for i := 0; i < n; i++ {
				s += in[y][i] * cos[k][i]
			}
			rows[y][k] = s
		}
	}
	for x := 0; x < n; x++ {
		for k := 0; k < n; k++ {
			var s float64
			for i := 0; i < n; i++ {
				s += rows[i][x] * cos[k][i]
			}
			out[k][x] = s
		}
	}
	return out
}
