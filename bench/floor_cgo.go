//go:build cgo

package bench

import "github.com/mediacdn/mediacdn/origin/imaging"

// floorRun is one plain-bimg operation (origin/imaging is the only
// package that may touch bimg).
func floorRun(src []byte, op floorOp) ([]byte, error) {
	return imaging.Floor(src, imaging.FloorOp{Width: op.Width, Height: op.Height, Crop: op.Crop, Quality: op.Quality, WebP: op.WebP})
}
