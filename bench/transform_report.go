package bench

import "fmt"

// transformReport renders the origin beside the floor and the anchor.
func transformReport(o *Options, c *cluster, d transformData) *Report {
	main := Table{Title: fmt.Sprintf("LadyBird.jpg (2560x1600), %d transforms per operation, %d concurrent clients", d.PerOp, d.Clients),
		Header: []string{"operation", "path", "req/s", "p50 ms", "p99 ms", "CPU ms/op", "output KB", "req/s vs floor", "CPU vs floor", "errors"}}
	dists := map[string][]Percentile{}
	var order []string
	for i, h := range d.HTTP {
		var f opResult
		if i < len(d.Floor) {
			f = d.Floor[i]
		}
		main.Rows = append(main.Rows,
			[]string{h.Op, "origin over HTTP", f0(h.RPS), f2(quantileOf(h.Percentiles, 0.5)), f2(quantileOf(h.Percentiles, 0.99)),
				orNA(h.CPUms, f2), f1(float64(h.OutBytes) / 1000), x(ratio(h.RPS, f.RPS)), ratioOrNA(h.CPUms, f.CPUms), fmt.Sprint(h.Errors)},
			[]string{h.Op, "bimg floor", f0(f.RPS), f2(quantileOf(f.Percentiles, 0.5)), f2(quantileOf(f.Percentiles, 0.99)),
				orNA(f.CPUms, f2), f1(float64(f.OutBytes) / 1000), "1×", "1×", fmt.Sprint(f.Errors)})
		dists[h.Op+" HTTP"], dists[h.Op+" floor"] = h.Percentiles, f.Percentiles
		order = append(order, h.Op+" HTTP", h.Op+" floor")
	}
	total := int64(0)
	for _, h := range append(append(d.HTTP, d.Faces...), d.Layers...) {
		total += h.Done
	}
	anchor := Table{Title: "Beside imgproxy (anchor from issue 4, measured on a machine of this kind: 207 req/s, 8.1 ms CPU/req, " +
		"112 MiB peak RSS; a bimg loop with defaults at about 150 ops/s)",
		Header: []string{"figure", "origin", "imgproxy", "origin ÷ imgproxy"}}
	var checks []Check
	if len(d.HTTP) > 0 && len(d.Floor) > 0 {
		h, f := d.HTTP[0], d.Floor[0]
		// The machine is shared and its speed varies from run to run: the
		// floor, run beside the origin, puts both on the same scale.
		mine, theirs := ratio(h.RPS, f.RPS), float64(anchorRPS)/anchorFloorRPS
		anchor.Rows = append(anchor.Rows,
			[]string{"req/s, " + h.Op, f0(h.RPS), f0(anchorRPS), x(h.RPS / anchorRPS)},
			[]string{"req/s ÷ bimg floor of the same run, " + h.Op, x(mine), x(theirs), x(mine / theirs)},
			[]string{"CPU ms/req, " + h.Op, orNA(h.CPUms, f2), f1(anchorCPUms), ratioOrNA(h.CPUms, anchorCPUms)})
		main.Title += fmt.Sprintf("; this run's floor does %s ops/s against the anchor machine's %d", f0(f.RPS), anchorFloorRPS)
		checks = append(checks,
			check("throughput against imgproxy, each over its bimg floor ("+h.Op+")", x(mine), ">= "+x(theirs), mine >= theirs),
			check("CPU per request against imgproxy ("+h.Op+")", orNA(h.CPUms, f2)+" ms", fmt.Sprintf("<= %.1f ms", anchorCPUms),
				h.CPUms > 0 && h.CPUms <= anchorCPUms))
	}
	anchor.Rows = append(anchor.Rows, []string{fmt.Sprintf("peak RSS MiB over %d transforms", total),
		orNA(d.OriginPeakRSSMiB, f0), f0(anchorRSSMiB), ratioOrNA(d.OriginPeakRSSMiB, anchorRSSMiB)})
	r := &Report{Title: "transform: origin transforms beside the bimg floor", Data: d, Tables: []Table{main, anchor, faceTable(d)},
		Method: "A fresh origin process gets LadyBird.jpg; then each operation is requested over HTTP straight from the origin " +
			"(delivery URL parse, metadata lookup, derived-store miss, transform in the origin's worker pool, answer, and the " +
			"result recorded in the background) by concurrent keep-alive clients. Every URL carries a unique, inert d_ parameter, so each " +
			"request is a real transform. CPU per request is the origin process's utime+stime from /proc; peak RSS its VmHWM. " +
			"Right after each operation, the floor runs it as plain bimg calls (origin/imaging.Floor, bimg defaults) with as " +
			"many goroutines, in a child process of its own, measured with getrusage and VmHWM.",
		Params: []Param{param("servers", c.mode), param("transforms per side", d.PerOp*len(d.HTTP)), param("clients", d.Clients)},
		Charts: []Chart{{Name: "latency", Title: "transform: latency CDF, HTTP vs floor",
			SVG: cdfPairsChart("transform: latency CDF, origin over HTTP (solid) vs bimg floor (dashed)", dists, order)}},
	}
	r.Checks = checks
	lt, lc := layerTable(d)
	r.Tables = append(r.Tables, lt)
	r.Checks = append(r.Checks, lc...)
	if d.Anim != nil {
		t, ch := animTable(d.Anim)
		r.Tables = append(r.Tables, t)
		r.Checks = append(r.Checks, ch)
		r.Method += " The animated GIF (30 frames of 480x270 made from astronaut.png) is requested as w_240 the same way, then " +
			"converted as many times by `vips thumbnail in.gif[n=-1] out.gif 240` (libvips-tools, same libvips), whose CPU is " +
			"each process's rusage less that of the same command on a 2x2 one-frame GIF (process and libvips start-up)."
	}
	if d.OriginPeakRSSMiB > 0 {
		r.Checks = append(r.Checks, check(fmt.Sprintf("origin peak RSS over %d transforms", total),
			f0(d.OriginPeakRSSMiB)+" MiB", fmt.Sprintf("< %d MiB (origin/imaging target, 10,000 transforms)", targetRSSMiB),
			d.OriginPeakRSSMiB < targetRSSMiB))
	}
	r.Notes = append(r.Notes, fmt.Sprintf("floor process peak RSS %.0f MiB", d.FloorPeakRSSMiB),
		"the floor is bimg's own pipeline with its defaults (libvips operation cache on); a ratio above 1× means the "+
			"origin's libvips pipeline (origin/imaging, shrink-on-load) beats it, HTTP and the store included")
	if o.Transforms < 10000 {
		r.Notes = append(r.Notes, fmt.Sprintf("%d transforms per side (issue 4 asks for 10,000; `-transforms 10000` runs them, "+
			"about a minute and a half more on this machine)", d.PerOp*len(d.HTTP)))
	}
	for _, h := range append(append(append(d.HTTP, d.Floor...), d.Faces...), d.Layers...) {
		if h.FirstErr != "" {
			r.Notes = append(r.Notes, h.Op+": first error: "+h.FirstErr)
		}
	}
	return r
}
