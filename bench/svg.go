package bench

import (
	"bytes"
	"fmt"
	"html"
	"math"
	"slices"
	"strconv"
)

// Charts are drawn as plain SVG: a plot has two axes, line series,
// optional bars (histograms) and reference lines, and a legend.

const (
	svgW, svgH                     = 760, 440
	padL, padR, padT, padB float64 = 72, 24, 44, 56
)

// point is one (x, y) in data units.
type point struct{ X, Y float64 }

// series is a named line.
type series struct {
	Name   string
	Points []point
}

// ref is a reference line at a data value, horizontal (on y) or vertical
// (on x).
type ref struct {
	At    float64
	Label string
}

// barBin is one bar from X0 to X1, Count high, in palette colour
// Colour.
type barBin struct {
	X0, X1, Count float64
	Colour        int
}

// tick is an axis mark.
type tick struct {
	At    float64
	Label string
}

// axis maps data values to [0, 1] along a side of the plot.
type axis struct {
	Label    string
	Min, Max float64
	Log      bool // log10 scale
	Nines    bool // quantile scale: -log10(1-q), 0 to Max nines
	Ticks    []tick
}

// pos maps v to [0, 1].
func (a axis) pos(v float64) float64 {
	f := func(x float64) float64 { return x }
	switch {
	case a.Log:
		f = func(x float64) float64 { return math.Log10(math.Max(x, 1e-12)) }
	case a.Nines:
		f = func(q float64) float64 { return -math.Log10(math.Max(1-q, math.Pow(10, -a.Max))) }
		return min(max(f(v)/a.Max, 0), 1)
	}
	lo, hi := f(a.Min), f(a.Max)
	if hi == lo {
		return 0
	}
	return min(max((f(v)-lo)/(hi-lo), 0), 1)
}

// plot is one chart.
type plot struct {
	Title  string
	X, Y   axis
	Lines  []series
	Bars   []barBin
	HRefs  []ref
	VRefs  []ref
	Legend []string // extra legend lines (no colour)
	// Pairs draws series two by two in one colour, the second dashed
	// (a measurement beside its baseline).
	Pairs bool
}

// style is series i's colour and dash pattern.
func (p *plot) style(i int) (colour, dash string) {
	if !p.Pairs {
		return palette(i), ""
	}
	if i%2 == 1 {
		dash = ` stroke-dasharray="7 4"`
	}
	return palette(i / 2), dash
}

// palette colours series in order.
func palette(i int) string {
	c := []string{"#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#17becf"}
	return c[i%len(c)]
}

// svg renders the plot.
func (p *plot) svg() []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="0 0 %d %d" font-family="sans-serif" font-size="12">`+"\n",
		svgW, svgH, svgW, svgH)
	fmt.Fprintf(&b, `<rect width="%d" height="%d" fill="white"/>`+"\n", svgW, svgH)
	fmt.Fprintf(&b, `<text x="%g" y="24" font-size="15" font-weight="bold">%s</text>`+"\n", padL, esc(p.Title))
	p.axes(&b)
	p.bars(&b)
	for _, r := range p.HRefs {
		y := p.py(r.At)
		fmt.Fprintf(&b, `<line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" stroke="#555" stroke-dasharray="6 4"/>`+"\n", padL, y, svgW-padR, y)
		fmt.Fprintf(&b, `<text x="%.1f" y="%.1f" text-anchor="end" fill="#555">%s</text>`+"\n", svgW-padR-4, y-4, esc(r.Label))
	}
	for i, r := range p.VRefs {
		x := p.px(r.At)
		fmt.Fprintf(&b, `<line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" stroke="#555" stroke-dasharray="4 3"/>`+"\n", x, padT, x, svgH-padB)
		fmt.Fprintf(&b, `<text x="%.1f" y="%.1f" fill="#555">%s</text>`+"\n", x+3, padT+14+float64(i)*14, esc(r.Label))
	}
	for i, s := range p.Lines {
		colour, dash := p.style(i)
		p.line(&b, s, colour, dash)
	}
	p.legend(&b)
	b.WriteString("</svg>\n")
	return b.Bytes()
}

// px and py map data values to SVG coordinates.
func (p *plot) px(v float64) float64 { return padL + p.X.pos(v)*(svgW-padL-padR) }
func (p *plot) py(v float64) float64 { return svgH - padB - p.Y.pos(v)*(svgH-padT-padB) }

func (p *plot) axes(b *bytes.Buffer) {
	x0, x1, y0, y1 := padL, svgW-padR, svgH-padB, padT
	fmt.Fprintf(b, `<rect x="%g" y="%g" width="%g" height="%g" fill="none" stroke="#333"/>`+"\n", x0, y1, x1-x0, y0-y1)
	for _, t := range p.X.Ticks {
		x := p.px(t.At)
		fmt.Fprintf(b, `<line x1="%.1f" y1="%g" x2="%.1f" y2="%g" stroke="#ddd"/>`+"\n", x, y1, x, y0)
		fmt.Fprintf(b, `<text x="%.1f" y="%g" text-anchor="middle">%s</text>`+"\n", x, y0+16, esc(t.Label))
	}
	for _, t := range p.Y.Ticks {
		y := p.py(t.At)
		fmt.Fprintf(b, `<line x1="%g" y1="%.1f" x2="%g" y2="%.1f" stroke="#ddd"/>`+"\n", x0, y, x1, y)
		fmt.Fprintf(b, `<text x="%g" y="%.1f" text-anchor="end">%s</text>`+"\n", x0-6, y+4, esc(t.Label))
	}
	fmt.Fprintf(b, `<text x="%g" y="%d" text-anchor="middle">%s</text>`+"\n", (x0+x1)/2, svgH-14, esc(p.X.Label))
	fmt.Fprintf(b, `<text transform="translate(16 %g) rotate(-90)" text-anchor="middle">%s</text>`+"\n", (y0+y1)/2, esc(p.Y.Label))
}

func (p *plot) bars(b *bytes.Buffer) {
	for _, bin := range p.Bars {
		xa, xb := p.px(bin.X0), p.px(bin.X1)
		y := p.py(bin.Count)
		fmt.Fprintf(b, `<rect x="%.1f" y="%.1f" width="%.1f" height="%.1f" fill="%s" fill-opacity="0.75"/>`+"\n",
			xa, y, math.Max(xb-xa-1, 0.5), svgH-padB-y, palette(bin.Colour))
	}
}

func (p *plot) line(b *bytes.Buffer, s series, colour, dash string) {
	if len(s.Points) == 0 {
		return
	}
	b.WriteString(`<polyline fill="none" stroke-width="2" stroke="` + colour + `"` + dash + ` points="`)
	for i, pt := range s.Points {
		if i > 0 {
			b.WriteByte(' ')
		}
		fmt.Fprintf(b, "%.1f,%.1f", p.px(pt.X), p.py(pt.Y))
	}
	b.WriteString(`"/>` + "\n")
}

func (p *plot) legend(b *bytes.Buffer) {
	y := padT + 16
	for i, s := range p.Lines {
		colour, dash := p.style(i)
		fmt.Fprintf(b, `<line x1="%g" y1="%g" x2="%g" y2="%g" stroke-width="3" stroke="%s"%s/>`+"\n", padL+10, y-4, padL+26, y-4, colour, dash)
		fmt.Fprintf(b, `<text x="%g" y="%g">%s</text>`+"\n", padL+30, y, esc(s.Name))
		y += 16
	}
	for _, l := range p.Legend {
		fmt.Fprintf(b, `<text x="%g" y="%g" fill="#333">%s</text>`+"\n", padL+10, y, esc(l))
		y += 16
	}
}

func esc(s string) string { return html.EscapeString(s) }

// linearAxis spans lo..hi with round ticks (steps of 1, 2 or 5 × 10^k).
func linearAxis(label string, lo, hi float64) axis {
	if hi <= lo {
		hi = lo + 1
	}
	raw := (hi - lo) / 6
	mag := math.Pow(10, math.Floor(math.Log10(raw)))
	step := mag
	for _, m := range []float64{1, 2, 5, 10} {
		if m*mag >= raw {
			step = m * mag
			break
		}
	}
	a := axis{Label: label, Min: math.Floor(lo/step) * step, Max: math.Ceil(hi/step) * step}
	for v := a.Min; v <= a.Max+step/2 && len(a.Ticks) < 50; v += step {
		a.Ticks = append(a.Ticks, tick{At: v, Label: num(v)})
	}
	return a
}

// logAxis spans lo..hi (both > 0) on a log scale with ticks at 1, 2 and 5
// × 10^k.
func logAxis(label string, lo, hi float64) axis {
	lo, hi = math.Max(lo, 1e-6), math.Max(hi, 1e-6)
	if hi <= lo {
		hi = lo * 10
	}
	a := axis{Label: label, Log: true, Min: math.Pow(10, math.Floor(math.Log10(lo))), Max: math.Pow(10, math.Ceil(math.Log10(hi)))}
	for d := a.Min; d <= a.Max*1.0001 && len(a.Ticks) < 60; d *= 10 {
		for _, m := range []float64{1, 2, 5} {
			if v := d * m; v <= a.Max*1.0001 {
				a.Ticks = append(a.Ticks, tick{At: v, Label: num(v)})
			}
		}
	}
	return a
}

// ninesAxis is a quantile axis up to 1 - 10^-nines, with ticks at 0, 50%,
// 90%, 99%, ...: a CDF's tail gets as much room as its body.
func ninesAxis(label string, nines int) axis {
	a := axis{Label: label, Nines: true, Max: float64(nines)}
	a.Ticks = []tick{{0, "0%"}, {0.5, "50%"}}
	for i := 1; i <= nines; i++ {
		q := 1 - math.Pow(10, -float64(i))
		a.Ticks = append(a.Ticks, tick{q, strconv.FormatFloat(q*100, 'f', max(i-2, 0), 64) + "%"})
	}
	return a
}

// num formats a tick value briefly.
func num(v float64) string {
	switch {
	case v == 0:
		return "0"
	case math.Abs(v) >= 1e6:
		return strconv.FormatFloat(v/1e6, 'f', -1, 64) + "M"
	case math.Abs(v) >= 1e4:
		return strconv.FormatFloat(v/1e3, 'f', -1, 64) + "k"
	}
	return strconv.FormatFloat(v, 'g', 4, 64)
}

// cdfChart draws latency distributions: latency on a log x axis, the
// cumulative fraction on a nines y axis.
func cdfChart(title string, dists map[string][]Percentile, order []string) []byte {
	return cdfPlot(title, dists, order).svg()
}

// cdfPairsChart is cdfChart with series in pairs: each measurement beside
// its baseline, dashed, in the same colour.
func cdfPairsChart(title string, dists map[string][]Percentile, order []string) []byte {
	p := cdfPlot(title, dists, order)
	p.Pairs = true
	return p.svg()
}

func cdfPlot(title string, dists map[string][]Percentile, order []string) *plot {
	lo, hi := math.Inf(1), 0.0
	for _, ps := range dists {
		for _, p := range ps {
			if p.Ms > 0 {
				lo, hi = math.Min(lo, p.Ms), math.Max(hi, p.Ms)
			}
		}
	}
	if math.IsInf(lo, 1) {
		lo, hi = 0.01, 1
	}
	p := &plot{Title: title, X: logAxis("latency (ms, log scale)", lo, hi), Y: ninesAxis("requests at or below", 4)}
	for _, name := range order {
		s := series{Name: name}
		for _, pt := range dists[name] {
			if pt.Ms > 0 {
				s.Points = append(s.Points, point{pt.Ms, math.Min(pt.Q, 0.9999)})
			}
		}
		p.Lines = append(p.Lines, s)
	}
	return p
}

// histogramChart draws values (ms) in bins from 0 to the 99.9th
// percentile (larger values go into the last bin) with reference lines.
func histogramChart(title, xlabel string, values []float64, marks []ref) []byte {
	top := 1.0
	if len(values) > 0 {
		top = math.Max(quantile(values, 0.999), 1e-3)
	}
	const nBins = 40
	width := top / nBins
	counts := make([]float64, nBins)
	for _, v := range values {
		counts[min(int(v/width), nBins-1)]++
	}
	peak := 1.0
	p := &plot{Title: title, VRefs: marks}
	for i, c := range counts {
		p.Bars = append(p.Bars, barBin{X0: float64(i) * width, X1: float64(i+1) * width, Count: c})
		peak = math.Max(peak, c)
	}
	p.X = linearAxis(xlabel, 0, top)
	p.Y = linearAxis("count", 0, peak)
	return p.svg()
}

// timeChart draws series over time (x in seconds) with horizontal
// reference lines.
func timeChart(title, ylabel string, lines []series, refs []ref) []byte {
	xhi, yhi := 1.0, 1.0
	for _, s := range lines {
		for _, pt := range s.Points {
			xhi, yhi = math.Max(xhi, pt.X), math.Max(yhi, pt.Y)
		}
	}
	for _, r := range refs {
		yhi = math.Max(yhi, r.At*1.05)
	}
	p := &plot{Title: title, X: linearAxis("time (s)", 0, xhi), Y: linearAxis(ylabel, 0, yhi), Lines: lines, HRefs: refs}
	return p.svg()
}

// scalingChart draws figures against a count (edges, origins) on a log
// x axis with a tick at each count, with horizontal reference lines.
func scalingChart(title, xlabel, ylabel string, counts []float64, lines []series, refs []ref) []byte {
	yhi := 1.0
	for _, s := range lines {
		for _, pt := range s.Points {
			yhi = math.Max(yhi, pt.Y)
		}
	}
	for _, r := range refs {
		yhi = math.Max(yhi, r.At*1.05)
	}
	lo, hi := 1.0, 2.0
	if len(counts) > 0 {
		lo, hi = slices.Min(counts), slices.Max(counts)
	}
	if hi <= lo {
		lo, hi = lo/2, hi*2
	}
	x := axis{Label: xlabel, Log: true, Min: lo, Max: hi}
	for _, c := range counts {
		x.Ticks = append(x.Ticks, tick{At: c, Label: num(c)})
	}
	p := &plot{Title: title, X: x, Y: linearAxis(ylabel, 0, yhi), Lines: lines, HRefs: refs}
	return p.svg()
}

// groupedBarChart draws one group of bars per group name, one bar per
// series in each (values[group][series]), coloured by series.
func groupedBarChart(title, ylabel string, groups, names []string, values [][]float64) []byte {
	peak := 1.0
	p := &plot{Title: title}
	n := float64(max(len(names), 1))
	for g, row := range values {
		for k, v := range row {
			x0 := float64(g) + 0.1 + 0.8*float64(k)/n
			p.Bars = append(p.Bars, barBin{X0: x0, X1: x0 + 0.8/n, Count: v, Colour: k})
			peak = math.Max(peak, v)
		}
	}
	p.X = axis{Min: 0, Max: float64(max(len(groups), 1))}
	for g, name := range groups {
		p.X.Ticks = append(p.X.Ticks, tick{At: float64(g) + 0.5, Label: name})
	}
	p.Y = linearAxis(ylabel, 0, peak)
	for _, name := range names {
		p.Lines = append(p.Lines, series{Name: name}) // no points: a legend entry only
	}
	return p.svg()
}
