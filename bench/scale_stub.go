package bench

import (
	"context"
	"errors"
)

type scaleThroughputRow struct{}
type scaleFailoverData struct{}

func runScaleThroughput(ctx context.Context, e *env, d *scaleData) error        { return errors.New("todo") }
func runScaleFailover(ctx context.Context, e *env, d *scaleData) error          { return errors.New("todo") }
func scaleThroughputReport(o *Options, d *scaleData, r *Report, section string) {}
func scaleFailoverReport(o *Options, d *scaleData, r *Report, section string)   {}
