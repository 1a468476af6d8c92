package api

import (
	"context"
	"errors"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/mediacdn/mediacdn/delivery"
)

// Two limiters on one Counter (two origins on one store) share a cloud's
// hourly limit: the third call of a limit of 2 is refused with 420 on
// either, its Retry-After at the hour's end; the next hour starts afresh,
// and another cloud counts apart.
func TestRateLimiterSharesItsCounter(t *testing.T) {
	ctx := context.Background()
	counter := NewMemoryCounter()
	a, b := NewRateLimiter(counter), NewRateLimiter(counter)
	now := time.Date(2030, 1, 2, 10, 59, 30, 0, time.UTC)
	take := func(l *RateLimiter, cloud string, now time.Time) (string, error) {
		w := httptest.NewRecorder()
		err := l.Take(ctx, w, cloud, 2, now)
		return w.Header().Get("X-FeatureRateLimit-Remaining"), err
	}
	for i, l := range []*RateLimiter{a, b} {
		if rem, err := take(l, "c", now); err != nil || rem != []string{"1", "0"}[i] {
			t.Fatalf("call %d: remaining %q, %v", i+1, rem, err)
		}
	}
	rem, err := take(a, "c", now)
	var de *delivery.Error
	if !errors.As(err, &de) || de.Status != 420 || de.Message != "Rate Limit Exceeded" || de.RetryAfter != 30*time.Second || rem != "0" {
		t.Fatalf("third call: remaining %q, %v", rem, err)
	}
	if rem, err := take(b, "other", now); err != nil || rem != "1" {
		t.Fatalf("another cloud: remaining %q, %v", rem, err)
	}
	if rem, err := take(b, "c", now.Add(time.Minute)); err != nil || rem != "1" {
		t.Fatalf("next hour: remaining %q, %v", rem, err)
	}
	w := httptest.NewRecorder()
	a.Show(ctx, w, "c", 2, now.Add(time.Minute))
	if w.Header().Get("X-FeatureRateLimit-Remaining") != "1" || w.Header().Get("X-FeatureRateLimit-Reset") != "Wed, 02 Jan 2030 12:00:00 GMT" {
		t.Fatalf("Show counted or misreported: %v", w.Header())
	}
}
