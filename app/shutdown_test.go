//go:build cgo

package app

import (
	"context"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/mediacdn/mediacdn/internal/testkit"
	"github.com/mediacdn/mediacdn/purge"
)

// SIGTERM (the end of the command's context, as main's signal.NotifyContext
// makes it) with a transform in flight that would run for minutes: the
// origin exits within the shutdown grace period, the transform killed and
// its request answered 503 (issue 15: it used to hang until SIGKILL).
func TestOriginShutdownKillsTransformInFlight(t *testing.T) {
	ns := startNATS(t, "127.0.0.1:0")
	f := originFile(t, ns.URL())
	im := &f.Origin.Imaging
	im.Workers, im.MaxCost, im.Timeout = 1, -1, 10*time.Minute // the budget would refuse the chain
	log := slog.New(slog.DiscardHandler)
	failed := make(chan error, 4)
	svc, err := newOrigin(f, log, failed, func() purge.Config { return f.NATS })
	if err != nil {
		t.Fatal(err)
	}
	o := svc.(*originService)
	ctx, sigterm := context.WithCancel(context.Background())
	defer sigterm()
	up := make(chan struct{})
	done := make(chan error, 1)
	go func() { done <- runServices(ctx, log, failed, func(context.Context) { close(up) }, svc) }()
	select {
	case <-up:
	case err := <-done:
		t.Fatalf("origin ended: %v", err)
	}
	api := "http://" + o.Addr()
	callAPI(t, api, "upload", map[string]string{"public_id": "sigterm/aqua"}, "Aqua.jpg")
	testkit.Eventually(t, testkit.Timeout, "the upload's analysis", func() bool { return o.srv.Analyses() == 1 && o.images.Stats().Busy == 0 })

	chain := "w_8000/" + strings.TrimSuffix(strings.Repeat("e_blur:1998/", 10), "/")
	status := make(chan int, 1)
	go func() { // not testkit.Get, which fails the test: this goroutine is not the test's
		resp, err := http.Get(api + "/demo/image/upload/" + chain + "/sigterm/aqua.jpg")
		if err != nil {
			status <- 0
			return
		}
		resp.Body.Close()
		status <- resp.StatusCode
	}()
	testkit.Eventually(t, testkit.Timeout, "the transform", func() bool { return o.srv.Transforms() == 1 && o.images.Stats().Busy == 1 })

	start := time.Now()
	sigterm()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("origin: %v", err)
		}
	case <-time.After(3 * shutdownTimeout):
		t.Fatalf("the origin still runs %v after SIGTERM", 3*shutdownTimeout)
	}
	took := time.Since(start)
	t.Logf("exited %v after SIGTERM", took.Round(time.Millisecond))
	if took > shutdownTimeout {
		t.Errorf("exited %v after SIGTERM, past the %v grace period", took, shutdownTimeout)
	}
	if s := <-status; s != http.StatusServiceUnavailable {
		t.Errorf("the transform's request got %d, want 503", s)
	}
}
