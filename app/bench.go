package app

import (
	"context"
	"errors"
	"strings"

	"github.com/mediacdn/mediacdn/bench"
	"github.com/mediacdn/mediacdn/config"
)

// Bench runs load tests and side-by-side comparisons (package bench) and
// writes their reports.
func Bench(ctx context.Context, args []string, io *IO) error {
	fs := newFlags("bench", "bench [flags] [scenario ...]\n\nScenarios (default all, in this order): "+
		"hit compare transform purge coalesce storm soak chaos\n(chaos: issue 15's hostile cases; it fails the run when "+
		"one fails, and needs its servers as processes).\nReports, JSON and SVG charts go to -out.", io)
	o := bench.DefineFlags(fs)
	if err := fs.Parse(args); err != nil {
		return err
	}
	o.Scenarios = fs.Args()
	o.Command = bench.CommandLine(fs)
	err := bench.Run(ctx, *o, bench.Deps{StartInProcess: startInProcess}, io.Stdout, io.Stderr)
	if errors.Is(err, bench.ErrUsage) {
		return usageError("%s", strings.TrimPrefix(err.Error(), bench.ErrUsage.Error()+": "))
	}
	return err
}

// startInProcess runs an origin and edges inside this process for
// mediacdn bench -servers inproc.
func startInProcess(ctx context.Context, s bench.InProcessSpec) (bench.Endpoints, func(), error) {
	c, err := StartCluster(ctx, ClusterOptions{
		Dir:    s.Dir,
		Edges:  s.Edges,
		Clouds: config.Clouds{s.Cloud: {APIKey: s.APIKey, APISecret: s.APISecret}},
		Configure: func(f *File) {
			if s.CacheSize > 0 {
				f.Edge.CacheSize = config.Size(s.CacheSize)
			}
			if s.TransformQueue > 0 {
				f.Origin.Imaging.Queue = s.TransformQueue
			}
		},
	})
	if err != nil {
		return bench.Endpoints{}, nil, err
	}
	return bench.Endpoints{OriginURL: c.OriginURL, EdgeURLs: c.EdgeURLs,
		OriginMetrics: c.OriginMetricsURL, EdgeMetrics: c.EdgeMetricsURLs}, func() { c.Close() }, nil
}
