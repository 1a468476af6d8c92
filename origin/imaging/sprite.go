//go:build cgo

package imaging

import (
	"bytes"
	"context"
	"image"
	"image/color"
	"image/draw"
	"image/jpeg" // tiles may be JPEG, and the sprite
	"image/png"

	"github.com/mediacdn/mediacdn/delivery"
)

// Sprite stacks images (PNG or JPEG files) top to bottom, left-aligned, into
// one PNG or JPEG (format; the Upload API's sprite: a JPEG's background,
// where narrower images leave it bare, is white), within
// MaxOutputDimension and MaxOutputPixels, in a slot of the pool and within
// its deadline: it answers the file and each image's place in it, in order.
func (p *Processor) Sprite(ctx context.Context, images [][]byte, format delivery.Format) (Result, []Tile, error) {
	if format != delivery.PNG && format != delivery.JPG {
		return Result{}, nil, invalidValue("format", format.String())
	}
	var tiles []Tile
	work := func(ctx context.Context) (Result, error) {
		res, t, err := p.sprite(ctx, images, format)
		tiles = t
		return res, err
	}
	res, err := p.run(ctx, work, nil)
	p.logFailure(err)
	return res, tiles, err
}

// spriteJPEGQuality is a JPEG sprite's quality.
const spriteJPEGQuality = 90

// sprite runs in a pool slot (pool.do).
func (p *Processor) sprite(ctx context.Context, images [][]byte, format delivery.Format) (Result, []Tile, error) {
	if len(images) == 0 {
		return Result{}, nil, invalidValue("sprite", "no image")
	}
	tiles := make([]Tile, len(images))
	w, h := 0, 0
	for i, b := range images {
		cfg, _, err := image.DecodeConfig(bytes.NewReader(b))
		if err != nil {
			return Result{}, nil, invalidImage(err)
		}
		tiles[i] = Tile{X: 0, Y: h, Width: cfg.Width, Height: cfg.Height}
		w, h = max(w, cfg.Width), h+cfg.Height
		if h > p.cfg.MaxOutputDimension || w > p.cfg.MaxOutputDimension || int64(w)*int64(h) > p.cfg.MaxOutputPixels {
			return Result{}, nil, outputTooLarge(w, h, p.cfg.MaxOutputDimension, p.cfg.MaxOutputPixels)
		}
	}
	canvas := image.NewNRGBA(image.Rect(0, 0, w, h))
	op := draw.Src
	if format == delivery.JPG {
		draw.Draw(canvas, canvas.Bounds(), image.NewUniform(color.White), image.Point{}, draw.Src)
		op = draw.Over
	}
	for i, b := range images {
		if err := ctx.Err(); err != nil {
			return Result{}, nil, stopError(ctx, err)
		}
		im, _, err := image.Decode(bytes.NewReader(b))
		if err != nil {
			return Result{}, nil, invalidImage(err)
		}
		t := tiles[i]
		draw.Draw(canvas, image.Rect(t.X, t.Y, t.X+t.Width, t.Y+t.Height), im, im.Bounds().Min, op)
	}
	var out bytes.Buffer
	var err error
	if format == delivery.JPG {
		err = jpeg.Encode(&out, canvas, &jpeg.Options{Quality: spriteJPEGQuality})
	} else {
		err = (&png.Encoder{CompressionLevel: png.BestSpeed}).Encode(&out, canvas)
	}
	if err != nil {
		return Result{}, nil, internalError(err)
	}
	return Result{Body: out.Bytes(), Format: format, Width: w, Height: h}, tiles, nil
}
