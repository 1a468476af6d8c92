package delivery

import (
	"encoding/base64"
	"strings"
)

// LayerKind is what an l_ or u_ value names.
type LayerKind uint8

// Layer kinds.
const (
	LayerNone  LayerKind = iota
	LayerImage           // an asset: l_<public_id>, l_<type>:<public_id>, l_image:<type>:<public_id>
	LayerText            // l_text:<style>:<text>
	LayerFetch           // l_fetch:<base64url URL>
)

// Layer is an l_ (overlay) or u_ (underlay) value, parsed. The grammar keeps
// the value verbatim in Component.Other (key KeyOverlay or KeyUnderlay);
// ParseLayer types it for those who apply it.
type Layer struct {
	Kind LayerKind
	// Type is an image layer's delivery type: Upload, Private or
	// Authenticated.
	Type DeliveryType
	// PublicID is an image layer's public ID, its folders written with "/"
	// (the URL writes them with ":").
	PublicID string
	// Style is a text layer's style ("Arial_60_bold"), Text its text with
	// the SDKs' escapes decoded: %XX once, and twice where the SDKs escape
	// twice (%252C for ",", %252F for "/").
	Style, Text string
	// URL is a fetch layer's remote URL, decoded from base64url.
	URL string
}

// MaxLayerText bounds a text layer's text, in bytes once decoded.
const MaxLayerText = 1000

// ParseLayer parses an l_ or u_ value: "logo", "folder:logo",
// "private:logo", "image:authenticated:logo", "text:Arial_60:Hello%2C
// world", "fetch:aHR0cHM6Ly9...". Other resource types (video, raw,
// subtitles) are not image layers: they answer an error naming them.
func ParseLayer(v string) (Layer, error) {
	if v == "" || !isValueText(v) {
		return Layer{}, invalidParam("layer", v)
	}
	head, rest, _ := cut(v, ':')
	switch head {
	case "text":
		style, text, ok := cut(rest, ':')
		if !ok || style == "" || text == "" {
			return Layer{}, invalidParam("text layer", v)
		}
		b, ok := unescape(make([]byte, 0, len(text)), text)
		if !ok || len(b) == 0 {
			return Layer{}, invalidParam("text layer", v)
		}
		// The SDKs escape "," and "/" twice (%252C, %252F: Cloudinary
		// decodes the path, then the text), everything else once; the
		// path reaches here undecoded.
		if hasEscape(string(b)) {
			b = unescapeLenient(b)
		}
		if len(b) > MaxLayerText {
			return Layer{}, badRequest("Text layer is too long - the limit is %d bytes", MaxLayerText)
		}
		return Layer{Kind: LayerText, Style: style, Text: string(b)}, nil
	case "fetch":
		u, err := base64.URLEncoding.DecodeString(padBase64(rest))
		if err != nil || len(u) == 0 {
			return Layer{}, invalidParam("fetch layer", v)
		}
		return Layer{Kind: LayerFetch, URL: string(u)}, nil
	case "image":
		// An explicit resource type: image:<type>:<public_id>.
		t, id, ok := cut(rest, ':')
		dt, known := ParseDeliveryType(t)
		if !ok || !known {
			return Layer{}, invalidParam("layer", v)
		}
		return imageLayer(v, dt, id)
	case "video", "raw", "subtitles", "lut":
		return Layer{}, badRequest("Unsupported layer type - %s", head)
	case "upload", "private", "authenticated":
		dt, _ := ParseDeliveryType(head)
		return imageLayer(v, dt, rest)
	}
	return imageLayer(v, Upload, v)
}

// imageLayer is an asset layer of delivery type dt whose public ID is id
// with its folders written with ":".
func imageLayer(v string, dt DeliveryType, id string) (Layer, error) {
	if dt != Upload && dt != Private && dt != Authenticated {
		return Layer{}, badRequest("Unsupported layer type - %s", dt)
	}
	if id == "" || id[0] == ':' || id[len(id)-1] == ':' || strings.Contains(id, "::") || hasEscape(id) {
		return Layer{}, invalidParam("layer", v)
	}
	return Layer{Kind: LayerImage, Type: dt, PublicID: strings.ReplaceAll(id, ":", "/")}, nil
}

// padBase64 restores the padding the SDKs may leave out.
func padBase64(s string) string {
	if n := len(s) % 4; n != 0 {
		return s + strings.Repeat("=", 4-n)
	}
	return s
}

// unescapeLenient decodes the %XX escapes of b and keeps any other "%"
// (a literal one, once decoded).
func unescapeLenient(b []byte) []byte {
	out := make([]byte, 0, len(b))
	for i := 0; i < len(b); i++ {
		if b[i] == '%' && i+2 < len(b) {
			hi, ok1 := hexVal(b[i+1])
			lo, ok2 := hexVal(b[i+2])
			if ok1 && ok2 {
				out = append(out, hi<<4|lo)
				i += 2
				continue
			}
		}
		out = append(out, b[i])
	}
	return out
}
