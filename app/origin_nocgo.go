//go:build !cgo

package app

import (
	"errors"
	"log/slog"

	"github.com/mediacdn/mediacdn/purge"
)

// newOrigin is unavailable without cgo: the origin needs libvips and SQLite.
func newOrigin(*File, *slog.Logger, chan<- error, func() purge.Config) (service, error) {
	return nil, errors.New("this binary was built without cgo, so it can run edges only; " +
		"build with CGO_ENABLED=1 (and libvips-dev) for the origin and dev")
}
