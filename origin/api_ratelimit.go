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

// newAdminState counts Admin API calls with counter (nil: in memory, for
// this process alone).
func newAdminState(counter rateCounter) *adminState {
	if counter == nil {
		counter = &memoryCounter{windows: map[string]rateWindow{}}
	}
	return &adminState{limits: &rateLimiter{counter: counter}}
}

// Rate-limit headers of every Admin API response (Cloudinary's names).
const (
	headerRateLimit     = "X-FeatureRateLimit-Limit"
	headerRateRemaining = "X-FeatureRateLimit-Remaining"
	headerRateReset     = "X-FeatureRateLimit-Reset"
)

// rateLimiter counts Admin API calls per cloud in fixed windows of one
// clock hour (UTC), as Cloudinary's hourly limit does.
type rateLimiter struct {
	counter rateCounter
}

// rateCounter counts a cloud's calls in an hour: add adds n (0 reads) and
// returns the count after it.
type rateCounter interface {
	add(cloud string, hour time.Time, n int64) int64
}

// memoryCounter is a rateCounter of one process.
//
// Locking: mu guards windows.
type memoryCounter struct {
	mu      sync.Mutex
	windows map[string]rateWindow
}

// rateWindow is one cloud's count in the current hour.
type rateWindow struct {
	hour time.Time // start of the hour counted
	used int64
}

func (m *memoryCounter) add(cloud string, hour time.Time, n int64) int64 {
	m.mu.Lock()
	defer m.mu.Unlock()
	win := m.windows[cloud]
	if !win.hour.Equal(hour) {
		win = rateWindow{hour: hour}
	}
	win.used += n
	m.windows[cloud] = win
	return win.used
}

// writeHeaders sets the X-FeatureRateLimit-* headers. With take, it counts
// the call first and reports false when that is past the cloud's limit
// this hour (the refused call counts, and leaves 0 remaining).
func (l *rateLimiter) writeHeaders(w http.ResponseWriter, cloud string, limit int, now time.Time, take bool) bool {
	hour := now.UTC().Truncate(time.Hour)
	var n int64
	if take {
		n = 1
	}
	used := l.counter.add(cloud, hour, n)
	h := w.Header()
	h.Set(headerRateLimit, strconv.Itoa(limit))
	h.Set(headerRateRemaining, strconv.FormatInt(max(int64(limit)-used, 0), 10))
	h.Set(headerRateReset, hour.Add(time.Hour).Format(http.TimeFormat))
	return used <= int64(limit)
}

// untilReset is the time left in the current hour.
func (l *rateLimiter) untilReset(now time.Time) time.Duration {
	return now.UTC().Truncate(time.Hour).Add(time.Hour).Sub(now)
}
