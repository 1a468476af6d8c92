//go:build !cgo

package bench

import "errors"

// floorRun needs libvips, so cgo.
func floorRun([]byte, floorOp) ([]byte, error) {
	return nil, errors.New("bench: the bimg floor needs a binary built with cgo and libvips")
}
