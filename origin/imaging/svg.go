package imaging

import (
	"bytes"
	"encoding/xml"
	"math"
	"strconv"
	"strings"
)

// SVG policy: libvips' SVG loader (librsvg) is marked untrusted and is
// blocked in this process, so SVG is never rasterised. Probe accepts SVG
// (its size is read here from the root element, in Go) so that uploads can
// store it, and Transform hands an SVG back unchanged when nothing is asked
// of it; any transformation or format change of an SVG answers 400.

// svgSniffLimit bounds how much of a file is searched for the root element.
const svgSniffLimit = 64 << 10

// isSVG reports whether b looks like an SVG document: XML whose first
// element is <svg>.
func isSVG(b []byte) bool {
	t := bytes.TrimLeft(b, "\ufeff \t\r\n")
	if len(t) == 0 || t[0] != '<' {
		return false
	}
	_, ok := svgRoot(b)
	return ok
}

// svgRoot returns the root element when it is <svg>.
func svgRoot(b []byte) (xml.StartElement, bool) {
	if len(b) > svgSniffLimit {
		b = b[:svgSniffLimit]
	}
	d := xml.NewDecoder(bytes.NewReader(b))
	d.Strict = false
	d.Entity = map[string]string{} // never expand anything but the XML builtins
	for {
		tok, err := d.RawToken()
		if err != nil {
			return xml.StartElement{}, false
		}
		if se, ok := tok.(xml.StartElement); ok {
			return se, strings.EqualFold(se.Name.Local, "svg")
		}
	}
}

// svgSize reads an SVG's width and height in CSS pixels from its root
// element: width/height attributes (px, pt, pc, in, cm, mm), else the
// viewBox, else the 300×150 default of a replaced element.
func svgSize(b []byte) (w, h int, ok bool) {
	root, ok := svgRoot(b)
	if !ok {
		return 0, 0, false
	}
	var fw, fh float64
	var vw, vh float64
	for _, a := range root.Attr {
		switch a.Name.Local {
		case "width":
			fw = svgLength(a.Value)
		case "height":
			fh = svgLength(a.Value)
		case "viewBox":
			vw, vh = svgViewBox(a.Value)
		}
	}
	switch {
	case fw > 0 && fh > 0:
	case fw > 0 && vw > 0 && vh > 0:
		fh = fw * vh / vw
	case fh > 0 && vw > 0 && vh > 0:
		fw = fh * vw / vh
	case vw > 0 && vh > 0:
		fw, fh = vw, vh
	default:
		fw, fh = 300, 150
	}
	if fw > math.MaxInt32 || fh > math.MaxInt32 {
		return 0, 0, false
	}
	return int(math.Ceil(fw)), int(math.Ceil(fh)), true
}

// svgLength converts an SVG length to pixels; 0 for percentages and junk.
func svgLength(s string) float64 {
	s = strings.TrimSpace(s)
	scale := 1.0
	if len(s) > 2 {
		if u := svgUnit(s[len(s)-2:]); u > 0 {
			scale, s = u, s[:len(s)-2]
		}
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil || v <= 0 || math.IsInf(v, 0) || math.IsNaN(v) {
		return 0
	}
	return v * scale
}

// svgUnit is the size of an absolute CSS unit in pixels, 0 for others.
func svgUnit(u string) float64 {
	switch u {
	case "px":
		return 1
	case "pt":
		return 4.0 / 3
	case "pc":
		return 16
	case "in":
		return 96
	case "cm":
		return 96 / 2.54
	case "mm":
		return 96 / 25.4
	}
	return 0
}

// svgViewBox returns a viewBox's width and height.
func svgViewBox(s string) (w, h float64) {
	f := strings.FieldsFunc(s, func(r rune) bool { return r == ' ' || r == ',' || r == '\t' || r == '\n' })
	if len(f) != 4 {
		return 0, 0
	}
	w, err1 := strconv.ParseFloat(f[2], 64)
	h, err2 := strconv.ParseFloat(f[3], 64)
	if err1 != nil || err2 != nil || w <= 0 || h <= 0 {
		return 0, 0
	}
	return w, h
}
