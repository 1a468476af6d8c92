//go:build cgo

package imaging

/*
#include "vips.h"
*/
import "C"

import (
	"context"
	"html"
	"net/http"
	"strconv"
	"strings"
	"unicode/utf8"
	"unsafe"

	"github.com/mediacdn/mediacdn/delivery"
)

// Text limits.
const (
	maxTextBytes = 1000
	maxFontSize  = 500
)

// maxTextPixels bounds the estimated size of a text image (a glyph is about
// half the font size wide and 1.5 times as high) before it is rendered.
const maxTextPixels = 50_000_000

// textStyle is a TextRequest checked and resolved.
type textStyle struct {
	markup, font string
	fg, bg       delivery.Color
}

// Text renders r as a PNG.
func (p *Processor) Text(ctx context.Context, r TextRequest) (Result, error) {
	st, err := newTextStyle(r)
	if err != nil {
		return Result{}, err
	}
	work := func(ctx context.Context) (Result, error) {
		if err := ctx.Err(); err != nil {
			return Result{}, stopError(ctx, err)
		}
		return p.renderText(ctx, st)
	}
	res, err := p.run(ctx, work, nil)
	p.logFailure(err)
	return res, err
}

func badText(msg string) *delivery.Error {
	return &delivery.Error{Status: http.StatusBadRequest, Message: msg}
}

// newTextStyle checks r and builds the Pango markup and font description.
func newTextStyle(r TextRequest) (textStyle, error) {
	if strings.TrimSpace(r.Text) == "" {
		return textStyle{}, badText("Missing required parameter - text")
	}
	if len(r.Text) > maxTextBytes {
		return textStyle{}, badText("Text is too long - the limit is " + strconv.Itoa(maxTextBytes) + " bytes")
	}
	size := r.FontSize
	if size == 0 {
		size = 12
	}
	if size < 1 || size > maxFontSize {
		return textStyle{}, badText("Invalid font_size: " + strconv.Itoa(r.FontSize))
	}
	if glyphs := utf8.RuneCountInString(r.Text); float64(glyphs)*float64(size*size)*0.75 > float64(maxTextPixels) {
		return textStyle{}, badText("Text image too large - reduce the text or the font_size")
	}
	opacity := r.Opacity
	if opacity == 0 {
		opacity = 100
	}
	if opacity < 0 || opacity > 100 {
		return textStyle{}, badText("Invalid opacity: " + strconv.Itoa(r.Opacity))
	}
	fg, err := textColor("font_color", r.FontColor, "black")
	if err != nil {
		return textStyle{}, err
	}
	bg, err := textColor("background", r.Background, "transparent")
	if err != nil {
		return textStyle{}, err
	}
	fg.A = uint8(int(fg.A) * opacity / 100)
	font, err := fontDescription(r, size)
	if err != nil {
		return textStyle{}, err
	}
	markup, err := textMarkup(r)
	if err != nil {
		return textStyle{}, err
	}
	return textStyle{markup: markup, font: font, fg: fg, bg: bg}, nil
}

// fontDescription is a Pango font description: "Family Bold Italic 12".
func fontDescription(r TextRequest, size int) (string, error) {
	family := strings.TrimSpace(r.FontFamily)
	if family == "" {
		family = "Arial"
	}
	for _, c := range family {
		if !(c == ' ' || c == '-' || c == '_' || c >= '0' && c <= '9' || c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z') {
			return "", badText("Invalid font_family: " + family)
		}
	}
	d := family
	switch r.FontWeight {
	case "", "normal":
	case "bold":
		d += " Bold"
	default:
		return "", badText("Invalid font_weight: " + r.FontWeight)
	}
	switch r.FontStyle {
	case "", "normal":
	case "italic":
		d += " Italic"
	default:
		return "", badText("Invalid font_style: " + r.FontStyle)
	}
	return d + " " + strconv.Itoa(size), nil
}

// textMarkup escapes the text for Pango and adds the decoration.
func textMarkup(r TextRequest) (string, error) {
	text := html.EscapeString(r.Text)
	switch r.TextDecoration {
	case "", "none":
		return text, nil
	case "underline":
		return `<u>` + text + `</u>`, nil
	}
	return "", badText("Invalid text_decoration: " + r.TextDecoration)
}

// textColor parses a colour as the text API takes it: a name, #hex or
// rgb:hex.
func textColor(param, s, def string) (delivery.Color, error) {
	v := strings.TrimSpace(s)
	if v == "" {
		v = def
	}
	if strings.HasPrefix(v, "#") {
		v = "rgb:" + v[1:]
	}
	t, err := delivery.ParseTransformation("b_" + strings.ToLower(v))
	if err != nil || len(t.Components) != 1 {
		return delivery.Color{}, badText("Invalid " + param + ": " + s)
	}
	c := t.Components[0].Background
	if c.Kind != delivery.ColorNamed && c.Kind != delivery.ColorRGB {
		return delivery.Color{}, badText("Invalid " + param + ": " + s)
	}
	return c, nil
}

// renderText runs in a pool slot (pool.do).
func (p *Processor) renderText(ctx context.Context, st textStyle) (Result, error) {
	pl := newPipeline(ctx, &p.cfg, output{enc: encPNG, alpha: alphaAlways})
	defer pl.close()
	markup, font := C.CString(st.markup), C.CString(st.font)
	defer C.free(unsafe.Pointer(markup))
	defer C.free(unsafe.Pointer(font))
	fr, fg, fb, fa := rgba(st.fg)
	br, bg, bb, ba := rgba(st.bg)
	var out *C.VipsImage
	if C.mc_text(&out, markup, font, fr, fg, fb, fa, br, bg, bb, ba) != 0 {
		return Result{}, internalError(failed("text"))
	}
	pl.set(out)
	var none plan
	return pl.finish(&none)
}
