package imaging

import (
	"errors"
	"strconv"

	"github.com/h2non/bimg"
	"github.com/mediacdn/mediacdn/delivery"
)

// Info is what an image's header says.
type Info struct {
	Format        delivery.Format
	Width, Height int // as stored, before any EXIF orientation
	Alpha         bool
	Orientation   int // EXIF orientation, 0 when absent
}

// Probe reads an image's header without decoding its pixels and checks it
// against the limits: it answers "Invalid image file" for anything that is
// not an image libvips can read safely, and refuses images above
// MaxInputPixels.
func (p *Processor) Probe(b []byte) (Info, error) {
	if len(b) == 0 {
		return Info{}, invalidImage(errors.New("empty file"))
	}
	if int64(len(b)) > int64(p.cfg.MaxInputSize) {
		return Info{}, &Error{Status: 400, Message: "File size too large. Got " + strconv.Itoa(len(b)) +
			". Maximum is " + strconv.FormatInt(int64(p.cfg.MaxInputSize), 10) + "."}
	}
	t := bimg.DetermineImageType(b)
	f, ok := formatOf(t)
	if !ok {
		return Info{}, invalidImage(errors.New("unsupported type " + bimg.ImageTypeName(t)))
	}
	md, err := bimg.Metadata(b)
	if err != nil {
		return Info{}, invalidImage(err)
	}
	if md.Size.Width <= 0 || md.Size.Height <= 0 {
		return Info{}, invalidImage(errors.New("no dimensions"))
	}
	if int64(md.Size.Width)*int64(md.Size.Height) > p.cfg.MaxInputPixels {
		return Info{}, tooLarge(md.Size.Width, md.Size.Height, p.cfg.MaxInputPixels)
	}
	return Info{Format: f, Width: md.Size.Width, Height: md.Size.Height, Alpha: md.Alpha,
		Orientation: md.Orientation}, nil
}

// formatOf maps the loaders we accept to delivery formats. ImageMagick's
// catch-all loader is refused: it is untrusted.
func formatOf(t bimg.ImageType) (delivery.Format, bool) {
	switch t {
	case bimg.JPEG:
		return delivery.JPG, true
	case bimg.PNG:
		return delivery.PNG, true
	case bimg.WEBP:
		return delivery.WebP, true
	case bimg.GIF:
		return delivery.GIF, true
	case bimg.TIFF:
		return delivery.TIFF, true
	case bimg.AVIF:
		return delivery.AVIF, true
	case bimg.HEIF:
		return delivery.HEIC, true
	case bimg.SVG:
		return delivery.SVG, true
	case bimg.PDF:
		return delivery.PDF, true
	}
	return delivery.FormatNone, false
}
