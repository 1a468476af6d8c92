package origin

import (
	"context"
	"net/http/httptest"
	"strings"

	"github.com/mediacdn/mediacdn/origin/imaging"
)

// AdminParams returns the Cloudinary parameters an Admin API method
// implements and refuses, for a method and a path after /v1_1/<cloud>/
// (admin_paramspec_test.go checks them against the SDKs').
func AdminParams(method, path string) (implemented, refused []string, err error) {
	c := &call{r: httptest.NewRequest(method, "/", nil), w: httptest.NewRecorder()}
	top, tail, _ := strings.Cut(path, "/")
	e, err := c.adminRoute(top, tail)
	return e.params.Implemented, e.params.Refused, err
}

// ImageStats is the server's image processor's load.
func (s *Server) ImageStats() imaging.Stats { return s.images.Stats() }

// FlightWaiters is how many delivery requests wait for a derived image
// being made (deliver_waiters.go).
func (s *Server) FlightWaiters() int {
	s.waiters.mu.Lock()
	defer s.waiters.mu.Unlock()
	n := 0
	for _, f := range s.waiters.m {
		n += f.n
	}
	return n
}

// RecordUsage is the usage recorder's write of a cloud's figures of the
// day (it runs at start and every usageRecordEvery).
func (s *Server) RecordUsage(ctx context.Context, cloud string) error {
	return s.recordUsage(ctx, cloud)
}
