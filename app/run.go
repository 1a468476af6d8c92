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

// runServices starts services in order, runs started (when not nil) in the
// background once they all have, waits for ctx to end or a service to
// fail, then closes them in reverse order. started's context ends, and
// started has returned, before the services close.
func runServices(ctx context.Context, log *slog.Logger, failed <-chan error, started func(context.Context), services ...service) error {
	running := make([]service, 0, len(services))
	closeAll := func() {
		cctx, cancel := context.WithTimeout(context.Background(), shutdownTimeout)
		defer cancel()
		for i := len(running) - 1; i >= 0; i-- {
			if err := running[i].Close(cctx); err != nil {
				log.Error("shutdown", "service", running[i].Name(), "err", err)
			}
		}
	}
	for _, s := range services {
		if err := s.Start(ctx); err != nil {
			closeAll()
			return fmt.Errorf("%s: %w", s.Name(), err)
		}
		running = append(running, s)
	}
	sctx, stopStarted := context.WithCancel(ctx)
	defer stopStarted()
	startedDone := make(chan struct{})
	go func() {
		defer close(startedDone)
		if started != nil {
			started(sctx)
		}
	}()
	var err error
	select {
	case <-ctx.Done():
		log.Info("shutting down")
	case err = <-failed:
		log.Error("service failed", "err", err)
	}
	stopStarted()
	<-startedDone
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
