package app

import (
	"context"
	"errors"
)

// Purge asks an origin's API to invalidate assets, prefixes,
// transformations or a whole cloud.
func Purge(_ context.Context, args []string, io *IO) error {
	fs := newFlags("purge", "purge [flags] (asset <public_id> | prefix <prefix> | transformation <tx> | cloud)", io)
	if err := fs.Parse(args); err != nil {
		return err
	}
	return errors.New("purge is not in this build yet")
}
