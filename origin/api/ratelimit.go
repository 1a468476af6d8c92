package api

import (
	"context"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/mediacdn/mediacdn/delivery"
)

// Rate-limit headers of every Admin API response (Cloudinary's names).
const (
	headerRateLimit     = "X-FeatureRateLimit-Limit"
	headerRateRemaining = "X-FeatureRateLimit-Remaining"
	headerRateReset     = "X-FeatureRateLimit-Reset"
)

// A Counter counts calls per key in fixed windows: the rate limit's store.
// MemoryCounter is the one process's; a store shared by several origins
// makes the limit theirs together.
type Counter interface {
	// AddCount adds n to key's count in the window that starts at window
	// and returns the count after it (n = 0 reads it). A window's count
	// starts at 0.
	AddCount(ctx context.Context, key string, window time.Time, n int) (int, error)
}

// RateLimiter is the Admin API's hourly limit per cloud, counted in fixed
// windows of one clock hour (UTC) as Cloudinary's is, and answered with
// Cloudinary's X-FeatureRateLimit-* headers and 420.
type RateLimiter struct {
	counter Counter
}

// NewRateLimiter counts calls in c; nil is a new MemoryCounter.
func NewRateLimiter(c Counter) *RateLimiter {
	if c == nil {
		c = NewMemoryCounter()
	}
	return &RateLimiter{counter: c}
}

// Take counts one call of cloud, limited to limit an hour, and sets the
// rate-limit headers. Past the limit it answers 420 Rate Limit Exceeded,
// with Retry-After at the hour's end.
func (l *RateLimiter) Take(ctx context.Context, w http.ResponseWriter, cloud string, limit int, now time.Time) error {
	used, err := l.count(ctx, w, cloud, limit, now, 1)
	if err != nil {
		return err
	}
	if used > limit {
		return &delivery.Error{Status: 420, Message: "Rate Limit Exceeded", RetryAfter: untilReset(now)}
	}
	return nil
}

// Show sets the rate-limit headers without counting a call (a call refused
// before it counts).
func (l *RateLimiter) Show(ctx context.Context, w http.ResponseWriter, cloud string, limit int, now time.Time) {
	l.count(ctx, w, cloud, limit, now, 0)
}

// count adds n calls and sets the headers; used is the count after.
func (l *RateLimiter) count(ctx context.Context, w http.ResponseWriter, cloud string, limit int, now time.Time, n int) (used int, err error) {
	hour := now.UTC().Truncate(time.Hour)
	used, err = l.counter.AddCount(ctx, cloud, hour, n)
	if err != nil {
		return 0, delivery.Internal(err)
	}
	h := w.Header()
	h.Set(headerRateLimit, strconv.Itoa(limit))
	h.Set(headerRateRemaining, strconv.Itoa(max(limit-used, 0)))
	h.Set(headerRateReset, hour.Add(time.Hour).Format(http.TimeFormat))
	return used, nil
}

// untilReset is the time left in the current hour.
func untilReset(now time.Time) time.Duration {
	return now.UTC().Truncate(time.Hour).Add(time.Hour).Sub(now)
}

// MemoryCounter is a Counter in memory, for one process: a key's count in
// its latest window, an earlier window's dropped.
//
// Locking: mu guards windows.
type MemoryCounter struct {
	mu      sync.Mutex
	windows map[string]window
}

// window is one key's count in one window.
type window struct {
	start time.Time
	n     int
}

// NewMemoryCounter makes an empty MemoryCounter.
func NewMemoryCounter() *MemoryCounter { return &MemoryCounter{windows: map[string]window{}} }

// AddCount implements Counter.
func (c *MemoryCounter) AddCount(_ context.Context, key string, start time.Time, n int) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	win := c.windows[key]
	if !win.start.Equal(start) {
		win = window{start: start}
	}
	win.n += n
	c.windows[key] = win
	return win.n, nil
}
