package imaging

import "math"

// saliency is a saliency map (vips_crop.c: each pixel's CIELAB distance
// from the image's mean colour) of w × h cells over an image of iw × ih
// pixels. The salient cells are those above twice the mean saliency (and
// above 1, a difference barely visible), each weighing its saliency.
type saliency struct {
	w, h   int
	v      []float32
	iw, ih int
}

// weights is each cell's weight: its saliency where salient, else 0.
func (s *saliency) weights() []float64 {
	sum := 0.0
	for _, v := range s.v {
		sum += float64(v)
	}
	thresh := math.Max(2*sum/float64(len(s.v)), 1)
	out := make([]float64, len(s.v))
	for i, v := range s.v {
		if float64(v) > thresh {
			out[i] = float64(v)
		}
	}
	return out
}

// region is the salient region in image pixels: the box that holds the
// middle 96% of the salient weight across and down; the whole image when
// nothing stands out.
func (s *saliency) region() rect { return s.within(rect{w: s.iw, h: s.ih}) }

// within is the salient region of the part b of the image (image pixels),
// as region; b itself when nothing in it stands out.
func (s *saliency) within(b rect) rect {
	wt := s.weights()
	fx, fy := float64(s.iw)/float64(s.w), float64(s.ih)/float64(s.h)
	cx0, cy0 := clamp(int(float64(b.x)/fx), 0, s.w-1), clamp(int(float64(b.y)/fy), 0, s.h-1)
	cx1 := clamp(int(math.Ceil(float64(b.x+b.w)/fx)), cx0+1, s.w)
	cy1 := clamp(int(math.Ceil(float64(b.y+b.h)/fy)), cy0+1, s.h)
	col, row := make([]float64, s.w), make([]float64, s.h)
	total := 0.0
	for y := cy0; y < cy1; y++ {
		for x := cx0; x < cx1; x++ {
			v := wt[y*s.w+x]
			col[x] += v
			row[y] += v
			total += v
		}
	}
	if total == 0 {
		return b
	}
	x0, x1 := span(col, total, 0.02)
	y0, y1 := span(row, total, 0.02)
	left := clamp(int(math.Floor(float64(x0)*fx)), 0, s.iw-1)
	top := clamp(int(math.Floor(float64(y0)*fy)), 0, s.ih-1)
	right := clamp(int(math.Ceil(float64(x1+1)*fx)), left+1, s.iw)
	bottom := clamp(int(math.Ceil(float64(y1+1)*fy)), top+1, s.ih)
	return rect{left, top, right - left, bottom - top}
}

// span is where the middle (1 - 2 trim) of the weight of v lies: the first
// and last index past trim of the total from each end.
func span(v []float64, total, trim float64) (lo, hi int) {
	acc := 0.0
	for lo = 0; lo < len(v)-1; lo++ {
		if acc += v[lo]; acc > total*trim {
			break
		}
	}
	acc = 0
	for hi = len(v) - 1; hi > lo; hi-- {
		if acc += v[hi]; acc > total*trim {
			break
		}
	}
	return lo, hi
}

// place is where a bw × bh box (image pixels) holds the most salient
// weight, in image pixels; among equals, the one nearest the centre of
// the salient region.
func (s *saliency) place(bw, bh int) (int, int) {
	r := s.region()
	wt := s.weights()
	fx, fy := float64(s.iw)/float64(s.w), float64(s.ih)/float64(s.h)
	cw := clamp(int(math.Round(float64(bw)/fx)), 1, s.w)
	ch := clamp(int(math.Round(float64(bh)/fy)), 1, s.h)
	// Prefix sums: sum[y][x] is the weight above and left of (x, y).
	stride := s.w + 1
	sum := make([]float64, stride*(s.h+1))
	for y := 0; y < s.h; y++ {
		for x := 0; x < s.w; x++ {
			sum[(y+1)*stride+x+1] = wt[y*s.w+x] + sum[y*stride+x+1] + sum[(y+1)*stride+x] - sum[y*stride+x]
		}
	}
	rcx, rcy := (float64(r.x)+float64(r.w)/2)/fx, (float64(r.y)+float64(r.h)/2)/fy
	best, bestD, bx, by := -1.0, 0.0, 0, 0
	for y := 0; y+ch <= s.h; y++ {
		for x := 0; x+cw <= s.w; x++ {
			v := sum[(y+ch)*stride+x+cw] - sum[y*stride+x+cw] - sum[(y+ch)*stride+x] + sum[y*stride+x]
			dx, dy := float64(x)+float64(cw)/2-rcx, float64(y)+float64(ch)/2-rcy
			d := dx*dx + dy*dy
			if v > best*(1+1e-9) || v >= best*(1-1e-9) && d < bestD {
				best, bestD, bx, by = v, d, x, y
			}
		}
	}
	// The box's centre, from the cells back to the image.
	x := int(math.Round((float64(bx)+float64(cw)/2)*fx - float64(bw)/2))
	y := int(math.Round((float64(by)+float64(ch)/2)*fy - float64(bh)/2))
	return clamp(x, 0, s.iw-bw), clamp(y, 0, s.ih-bh)
}
