package app

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"time"
)

// IO is what a subcommand reads and writes besides its arguments.
type IO struct {
	Stdout, Stderr io.Writer
	// DevConfig is the built-in configs/dev.yaml that dev uses without -config.
	DevConfig []byte
	// Version is the binary's version.
	Version string
}

// Command is one subcommand of the binary.
type Command struct {
	Name    string
	Summary string
	Run     func(ctx context.Context, args []string, io *IO) error
}

// service is a long-running part of a subcommand: Start binds its
// listeners and returns, Close stops it within the context's deadline.
type service interface {
	Name() string
	Start(ctx context.Context) error
	Close(ctx context.Context) error
}

// shutdownTimeout bounds a graceful shutdown.
const shutdownTimeout = 10 * time.Second

// runServices starts services in order, waits for ctx to end or a service
// to fail, then closes them in reverse order.
func runServices(ctx context.Context, log *slog.Logger, failed <-chan error, services ...service) error {
	started := make([]service, 0, len(services))
	closeAll := func() {
		sctx, cancel := context.WithTimeout(context.Background(), shutdownTimeout)
		defer cancel()
		for i := len(started) - 1; i >= 0; i-- {
			if err := started[i].Close(sctx); err != nil {
				log.Error("shutdown", "service", started[i].Name(), "err", err)
			}
		}
	}
	for _, s := range services {
		if err := s.Start(ctx); err != nil {
			closeAll()
			return fmt.Errorf("%s: %w", s.Name(), err)
		}
		started = append(started, s)
	}
	var err error
	select {
	case <-ctx.Done():
		log.Info("shutting down")
	case err = <-failed:
		log.Error("service failed", "err", err)
	}
	closeAll()
	return err
}

// newFlags makes a subcommand's flag set, printing usage to stderr.
func newFlags(name, usage string, io *IO) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Stderr)
	fs.Usage = func() {
		fmt.Fprintf(io.Stderr, "Usage: mediacdn %s\n\n", usage)
		fs.PrintDefaults()
	}
	return fs
}

// errUsage marks an error in the command line (exit status 2).
var errUsage = errors.New("usage")

// IsUsage reports whether err is a command-line error.
func IsUsage(err error) bool { return errors.Is(err, errUsage) }

func usageError(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{errUsage}, args...)...)
}
