package origin

import (
	"net/http"
	"strconv"
	"sync"
	"time"
)

// adminState is the Admin API's state in a Server.
type adminState struct {
	limits *rateLimiter
}

func newAdminState() *adminState {
	return &adminState{limits: &rateLimiter{windows: map[string]rateWindow{}}}
}

// Rate-limit headers of every Admin API response (Cloudinary's names).
const (
	headerRateLimit     = "X-FeatureRateLimit-Limit"
	headerRateRemaining = "X-FeatureRateLimit-Remaining"
	headerRateReset     = "X-FeatureRateLimit-Reset"
)

// rateLimiter counts Admin API calls per cloud in fixed windows of one
// clock hour (UTC), as Cloudinary's hourly limit does.
//
// Locking: mu guards windows.
type rateLimiter struct {
	mu      sync.Mutex
	windows map[string]rateWindow
}

// rateWindow is one cloud's count in the current hour.
type rateWindow struct {
	hour time.Time // start of the hour counted
	used int
}

// writeHeaders sets the X-FeatureRateLimit-* headers. With take, it counts
// the call first and reports false (nothing counted) when the cloud has
// used its limit this hour.
func (l *rateLimiter) writeHeaders(w http.ResponseWriter, cloud string, limit int, now time.Time, take bool) bool {
	hour := now.UTC().Truncate(time.Hour)
	l.mu.Lock()
	win := l.windows[cloud]
	if !win.hour.Equal(hour) {
		win = rateWindow{hour: hour}
	}
	allowed := win.used < limit
	if take && allowed {
		win.used++
	}
	l.windows[cloud] = win
	used := win.used
	l.mu.Unlock()
	h := w.Header()
	h.Set(headerRateLimit, strconv.Itoa(limit))
	h.Set(headerRateRemaining, strconv.Itoa(max(limit-used, 0)))
	h.Set(headerRateReset, hour.Add(time.Hour).Format(http.TimeFormat))
	return allowed
}

// untilReset is the time left in the current hour.
func (l *rateLimiter) untilReset(now time.Time) time.Duration {
	return now.UTC().Truncate(time.Hour).Add(time.Hour).Sub(now)
}
