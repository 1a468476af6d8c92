package imaging

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"net/http"

	"github.com/mediacdn/mediacdn/delivery"
)

// PDF writes JPEG files as the pages of a PDF (the Upload API's multi with
// format pdf), one image a page, each page the image's size in pixels at
// 72 dpi. The JPEGs are embedded as they are (DCTDecode): nothing is
// decoded but their headers.
func PDF(pages [][]byte) ([]byte, error) {
	if len(pages) == 0 {
		return nil, invalidValue("page", "no page")
	}
	var b bytes.Buffer
	var offsets []int
	obj := func(body string, stream []byte) {
		offsets = append(offsets, b.Len())
		fmt.Fprintf(&b, "%d 0 obj\n%s", len(offsets), body)
		if stream != nil {
			b.WriteString("\nstream\n")
			b.Write(stream)
			b.WriteString("\nendstream")
		}
		b.WriteString("\nendobj\n")
	}
	b.WriteString("%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
	kids := ""
	for i := range pages {
		kids += fmt.Sprintf("%d 0 R ", 3+3*i)
	}
	obj("<< /Type /Catalog /Pages 2 0 R >>", nil)
	obj(fmt.Sprintf("<< /Type /Pages /Kids [%s] /Count %d >>", kids, len(pages)), nil)
	for i, jpg := range pages {
		cfg, err := jpeg.DecodeConfig(bytes.NewReader(jpg))
		if err != nil {
			return nil, invalidImage(err)
		}
		cs, err := pdfColorSpace(cfg)
		if err != nil {
			return nil, err
		}
		content, img := 4+3*i, 5+3*i
		draw := fmt.Sprintf("q %d 0 0 %d 0 0 cm /Im0 Do Q", cfg.Width, cfg.Height)
		obj(fmt.Sprintf("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 %d %d] /Resources << /XObject << /Im0 %d 0 R >> >> /Contents %d 0 R >>",
			cfg.Width, cfg.Height, img, content), nil)
		obj(fmt.Sprintf("<< /Length %d >>", len(draw)), []byte(draw))
		obj(fmt.Sprintf("<< /Type /XObject /Subtype /Image /Width %d /Height %d /ColorSpace %s /BitsPerComponent 8 /Filter /DCTDecode /Length %d >>",
			cfg.Width, cfg.Height, cs, len(jpg)), jpg)
	}
	xref := b.Len()
	fmt.Fprintf(&b, "xref\n0 %d\n0000000000 65535 f \n", len(offsets)+1)
	for _, o := range offsets {
		fmt.Fprintf(&b, "%010d 00000 n \n", o)
	}
	fmt.Fprintf(&b, "trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n", len(offsets)+1, xref)
	return b.Bytes(), nil
}

// pdfColorSpace is the PDF colour space of a JPEG's pixels.
func pdfColorSpace(cfg image.Config) (string, error) {
	switch cfg.ColorModel {
	case color.GrayModel:
		return "/DeviceGray", nil
	case color.YCbCrModel, color.RGBAModel:
		return "/DeviceRGB", nil
	case color.CMYKModel:
		return "/DeviceCMYK /Decode [1 0 1 0 1 0 1 0]", nil
	}
	return "", &delivery.Error{Status: http.StatusBadRequest, Message: "Invalid image file"}
}
