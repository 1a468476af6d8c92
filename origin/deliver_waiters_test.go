package origin_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/mediacdn/mediacdn/internal/testkit"
	"github.com/mediacdn/mediacdn/origin"
)

// getCtx GETs url with ctx and returns the status (0 when ctx ended first).
func getCtx(ctx context.Context, url string) int {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return -1
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0
	}
	resp.Body.Close()
	return resp.StatusCode
}

// A derived image being made outlives a client that leaves while another
// still waits for it, and is stopped when the last one leaves: its slot is
// free at once, not when the transform would have ended (issue 15).
func TestFlightStopsWhenNobodyWaits(t *testing.T) {
	o := startOrigin(t, func(c *origin.Config) {
		c.Imaging.Workers, c.Imaging.MaxCost, c.Imaging.Timeout = 1, -1, 10*time.Minute
	})
	uploadAs(t, o, "Aqua.jpg", "flight/aqua")
	busy := func(want int) func() error { // the upload's analysis uses a slot too
		return func() error {
			if s := o.Server.ImageStats(); s.Busy != want || o.Server.Analyses() != 1 {
				return fmt.Errorf("%d transforms running, want %d; %d analyses", s.Busy, want, o.Server.Analyses())
			}
			return nil
		}
	}
	testkit.CheckFor(t, testkit.Timeout, busy(0))
	base := o.URL + "/demo/image/upload/"

	// Two clients share one transform of a few seconds; the first leaves.
	url := base + "w_8000/e_blur:1998/flight/aqua.jpg"
	first, leave := context.WithCancel(context.Background())
	defer leave()
	second := make(chan int, 1)
	go getCtx(first, url)
	go func() { second <- getCtx(context.Background(), url) }()
	testkit.CheckFor(t, testkit.Timeout, func() error {
		if n := o.Server.FlightWaiters(); n != 2 {
			return fmt.Errorf("%d clients waiting, want 2", n)
		}
		return nil
	})
	leave()
	if status := <-second; status != 200 {
		t.Errorf("the client still waiting got %d", status)
	}
	if n := o.Server.Transforms(); n != 1 {
		t.Errorf("%d transforms, want one shared", n)
	}

	// The only client of a transform that would run for minutes leaves.
	hostile := base + "w_8000/" + strings.TrimSuffix(strings.Repeat("e_blur:1998/", 10), "/") + "/flight/aqua.jpg"
	only, gone := context.WithCancel(context.Background())
	defer gone()
	go getCtx(only, hostile)
	testkit.CheckFor(t, testkit.Timeout, func() error {
		if n := o.Server.Transforms(); n != 2 {
			return fmt.Errorf("%d transforms started, want 2", n)
		}
		return busy(1)()
	})
	gone()
	// Measured in tens of milliseconds; generous for a loaded machine, and
	// far below the ten seconds the transform takes.
	testkit.CheckFor(t, testkit.Timeout, busy(0))
	if r := testkit.Get(t, base+"c_fill,w_100,h_100/flight/aqua.jpg"); r.Status != 200 {
		t.Errorf("next transform: %d", r.Status)
	}
}
