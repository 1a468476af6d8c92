package app

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/mediacdn/mediacdn/internal/testkit"
)

// TestEdgeProcs runs the edge command with -procs 1: while it serves,
// GOMAXPROCS is 1; once it returns, the value it found is back.
func TestEdgeProcs(t *testing.T) {
	before := runtime.GOMAXPROCS(0)
	if before < 2 {
		t.Skip("needs GOMAXPROCS of at least 2 to tell a change")
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	cfg := filepath.Join(t.TempDir(), "edge.yaml")
	if err := os.WriteFile(cfg, []byte("clouds:\n  demo: {}\nlog: {level: error}\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() {
		// NATS is not running: the edge starts anyway and keeps retrying.
		done <- Edge(ctx, []string{"-config", cfg, "-listen", addr, "-nats", "nats://127.0.0.1:1", "-procs", "1"},
			&IO{Stdout: io.Discard, Stderr: io.Discard})
	}()
	testkit.CheckFor(t, testkit.Timeout, func() error {
		select {
		case err := <-done:
			t.Fatalf("edge ended: %v", err)
		default:
		}
		// Not testkit.Get: until the edge listens, the request fails.
		res, err := http.Get("http://" + addr + "/healthz")
		if err != nil {
			return err
		}
		res.Body.Close()
		if res.StatusCode != http.StatusOK {
			return fmt.Errorf("healthz: %d", res.StatusCode)
		}
		return nil
	})
	if n := runtime.GOMAXPROCS(0); n != 1 {
		t.Fatalf("GOMAXPROCS while serving = %d, want 1", n)
	}
	cancel()
	if err := <-done; err != nil && !strings.Contains(err.Error(), "context canceled") {
		t.Fatalf("edge: %v", err)
	}
	if n := runtime.GOMAXPROCS(0); n != before {
		t.Fatalf("GOMAXPROCS after = %d, want %d back", n, before)
	}
}
