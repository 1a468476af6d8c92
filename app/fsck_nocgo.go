//go:build !cgo

package app

import (
	"context"
	"errors"
)

// fsckDir is unavailable without cgo: the origin's storage needs SQLite.
func fsckDir(context.Context, string, bool, *IO) error {
	return errors.New("this binary was built without cgo, so it can run edges only; " +
		"build with CGO_ENABLED=1 (and libvips-dev) for fsck")
}
