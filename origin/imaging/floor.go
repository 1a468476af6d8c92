//go:build cgo

package imaging

import "github.com/h2non/bimg"

// FloorOp is one operation of the plain-bimg floor: a resize as a bare
// bimg call does it, without this package's planning, limits, worker pool
// or encoder choices.
type FloorOp struct {
	// Width and Height are the target box in pixels.
	Width, Height int
	// Crop fills the box (c_fill); false fits the image inside it (c_fit).
	Crop bool
	// Quality is the encoder quality, 1 to 100.
	Quality int
	// WebP encodes WebP; false encodes JPEG.
	WebP bool
}

// Floor runs op on src through bimg with bimg's defaults (libvips'
// operation cache included) and returns the encoded image: the floor that
// mediacdn bench sets beside Processor.Transform. It is safe for
// concurrent use.
func Floor(src []byte, op FloorOp) ([]byte, error) {
	t := bimg.JPEG
	if op.WebP {
		t = bimg.WEBP
	}
	return bimg.NewImage(src).Process(bimg.Options{
		Width: op.Width, Height: op.Height, Crop: op.Crop, Quality: op.Quality, Type: t,
	})
}
