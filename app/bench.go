package app

import (
	"context"
	"errors"
)

// Bench runs load tests and side-by-side comparisons.
func Bench(_ context.Context, args []string, io *IO) error {
	fs := newFlags("bench", "bench [flags] [scenario...]", io)
	if err := fs.Parse(args); err != nil {
		return err
	}
	return errors.New("bench is not in this build yet")
}
