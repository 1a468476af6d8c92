package app

import (
	"context"
	"io"
	"strings"
	"sync"
	"testing"
)

// bannerWriter is dev's stdout in BenchmarkDevReady: printed is closed on
// the write that carries the banner.
type bannerWriter struct {
	once    sync.Once
	printed chan struct{}
}

func (w *bannerWriter) Write(p []byte) (int, error) {
	if strings.Contains(string(p), "CLOUDINARY_URL") {
		w.once.Do(func() { close(w.printed) })
	}
	return len(p), nil
}

// BenchmarkDevReady is how long a fresh `mediacdn dev` (empty data
// directory, built-in configuration, free loopback ports) takes to be
// ready: ns/op is the time from the command's start to its banner, which
// it prints once the edge's /readyz answers 200. Stopping it is not
// counted.
func BenchmarkDevReady(b *testing.B) {
	yaml := devYAML(b)
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		args := []string{"-edge-listen", freeAddr(b), "-api-listen", freeAddr(b), "-nats-listen", freeAddr(b),
			"-edge-metrics-listen", freeAddr(b), "-api-metrics-listen", freeAddr(b), "-data", b.TempDir()}
		stdout := &bannerWriter{printed: make(chan struct{})}
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error, 1)
		b.StartTimer()
		go func() { done <- Dev(ctx, args, &IO{Stdout: stdout, Stderr: io.Discard, DevConfig: yaml}) }()
		select {
		case <-stdout.printed:
		case err := <-done:
			cancel()
			b.Fatalf("dev ended before its banner: %v", err)
		}
		b.StopTimer()
		cancel()
		if err := <-done; err != nil {
			b.Fatalf("dev: %v", err)
		}
		b.StartTimer()
	}
}
