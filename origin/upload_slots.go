package origin

import (
	"fmt"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/mediacdn/mediacdn/delivery"
)

// uploadRetryAfter is the Retry-After of a request refused for the
// uploads in progress: they end in seconds, not in an hour.
const uploadRetryAfter = time.Second

// uploadSlots bounds the Upload API requests in progress (Config.Uploads):
// over all, per cloud and per client address. A count that falls to zero
// is deleted, so the maps hold only what is in progress.
//
// Locking: mu guards total, clouds and clients.
type uploadSlots struct {
	cfg     Uploads
	mu      sync.Mutex
	total   int
	clouds  map[string]int
	clients map[string]int
}

func newUploadSlots(cfg Uploads) *uploadSlots {
	return &uploadSlots{cfg: cfg, clouds: map[string]int{}, clients: map[string]int{}}
}

// acquire takes a slot for a request of cloud from client, or answers
// 420 with Retry-After when a bound is reached. release gives it back.
func (u *uploadSlots) acquire(cloud, client string) (release func(), err *delivery.Error) {
	u.mu.Lock()
	defer u.mu.Unlock()
	var what string
	var limit int
	switch {
	case u.total >= u.cfg.MaxInFlight:
		what, limit = "Upload API requests in progress", u.cfg.MaxInFlight
	case u.clouds[cloud] >= u.cfg.PerCloud:
		what, limit = "Upload API requests in progress for this cloud", u.cfg.PerCloud
	case u.cfg.PerClient >= 0 && u.clients[client] >= u.cfg.PerClient:
		what, limit = "Upload API requests in progress from one address", u.cfg.PerClient
	}
	if what != "" {
		return nil, &delivery.Error{Status: 420, RetryAfter: uploadRetryAfter,
			Message: fmt.Sprintf("Rate Limit Exceeded. Limit of %d %s reached. Try again later", limit, what)}
	}
	u.total++
	u.clouds[cloud]++
	u.clients[client]++
	var once sync.Once
	return func() { once.Do(func() { u.release(cloud, client) }) }, nil
}

func (u *uploadSlots) release(cloud, client string) {
	u.mu.Lock()
	defer u.mu.Unlock()
	u.total--
	if u.clouds[cloud]--; u.clouds[cloud] <= 0 {
		delete(u.clouds, cloud)
	}
	if u.clients[client]--; u.clients[client] <= 0 {
		delete(u.clients, client)
	}
}

// inProgress is how many requests hold a slot.
func (u *uploadSlots) inProgress() int {
	u.mu.Lock()
	defer u.mu.Unlock()
	return u.total
}

// clientAddr is the address a request came from (without its port): the
// client, or the proxy in front of the origin.
func clientAddr(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}
