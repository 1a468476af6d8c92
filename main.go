// Command mediacdn is a self-hosted, Cloudinary-compatible media CDN: one
// binary for the all-in-one dev setup, origins, edges, purges and benchmarks.
package main

import (
	"context"
	_ "embed"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/mediacdn/mediacdn/app"
)

//go:embed configs/dev.yaml
var devConfig []byte

// version is set at build time: -ldflags "-X main.version=v1.2.3".
var version string

var commands = []app.Command{
	{Name: "dev", Summary: "run NATS, an origin and an edge in one process (the local default)", Run: app.Dev},
	{Name: "origin", Summary: "run an origin: storage, Upload and Admin API, transforms", Run: app.Origin},
	{Name: "edge", Summary: "run an edge: delivery from memory, fills from origins, purges", Run: app.Edge},
	{Name: "cluster", Summary: "run a many-machine installation on this machine: NATS cluster, PostgreSQL, S3, origins, edges", Run: app.RunCluster},
	{Name: "purge", Summary: "ask an origin to invalidate assets, prefixes, transformations or a cloud", Run: app.Purge},
	{Name: "bench", Summary: "run load tests and side-by-side comparisons", Run: app.Bench},
	{Name: "check-config", Summary: "validate a configuration file", Run: app.CheckConfig},
	{Name: "fsck", Summary: "check a stopped origin's storage: orphaned blobs, rows whose blob is missing", Run: app.Fsck},
	{Name: "version", Summary: "print the version", Run: app.Version},
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:])
	stop()
	os.Exit(code)
}

func run(ctx context.Context, args []string) int {
	io := &app.IO{Stdout: os.Stdout, Stderr: os.Stderr, DevConfig: devConfig, Version: version}
	if len(args) == 0 || args[0] == "-h" || args[0] == "-help" || args[0] == "--help" || args[0] == "help" {
		usage()
		if len(args) == 0 {
			return 2
		}
		return 0
	}
	for _, c := range commands {
		if c.Name != args[0] {
			continue
		}
		err := c.Run(ctx, args[1:], io)
		switch {
		case err == nil:
			return 0
		case errors.Is(err, flag.ErrHelp):
			return 0
		case app.IsUsage(err):
			fmt.Fprintln(os.Stderr, "mediacdn "+c.Name+":", err)
			return 2
		}
		fmt.Fprintln(os.Stderr, "mediacdn "+c.Name+":", err)
		return 1
	}
	fmt.Fprintf(os.Stderr, "mediacdn: unknown command %q\n\n", args[0])
	usage()
	return 2
}

func usage() {
	fmt.Fprintln(os.Stderr, "Usage: mediacdn <command> [flags]\n\nCommands:")
	for _, c := range commands {
		fmt.Fprintf(os.Stderr, "  %-13s %s\n", c.Name, c.Summary)
	}
	fmt.Fprintln(os.Stderr, "\nRun mediacdn <command> -h for a command's flags.")
}
