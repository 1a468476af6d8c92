//go:build !cgo

package app

import (
	"context"
	"errors"

	"github.com/mediacdn/mediacdn/origin"
)

// fsckStorage is unavailable without cgo: the origin's storage needs SQLite.
func fsckStorage(context.Context, origin.Config, fsckOptions, *IO) error {
	return errors.New("this binary was built without cgo, so it can run edges only; " +
		"build with CGO_ENABLED=1 (and libvips-dev) for fsck")
}
