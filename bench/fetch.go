package bench

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/valyala/fasthttp"
)

// fetched is one GET's answer.
type fetched struct {
	Status      int
	Body        []byte
	ETag        string
	CacheStatus string
	Error       string // X-Cld-Error
	RetryAfter  string
}

// get fetches base+path through hc (a client for base's host), with
// extra request headers as name, value pairs.
func get(hc *fasthttp.HostClient, base, path string, header ...string) (fetched, error) {
	req, resp := fasthttp.AcquireRequest(), fasthttp.AcquireResponse()
	defer fasthttp.ReleaseRequest(req)
	defer fasthttp.ReleaseResponse(resp)
	req.SetRequestURI(path)
	req.SetHost(strings.TrimPrefix(base, "http://"))
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	if err := hc.Do(req, resp); err != nil {
		return fetched{}, err
	}
	return fetched{
		Status:      resp.StatusCode(),
		Body:        append([]byte(nil), resp.Body()...),
		ETag:        string(resp.Header.Peek("ETag")),
		CacheStatus: string(resp.Header.Peek("Cache-Status")),
		Error:       string(resp.Header.Peek("X-Cld-Error")),
		RetryAfter:  string(resp.Header.Peek("Retry-After")),
	}, nil
}

// getRetrying is get that waits and tries again, up to 20 times, while
// the server answers 503 (a busy origin's transform queue): for warm-ups,
// which need every object made, not a measurement of refusals.
func getRetrying(ctx context.Context, hc *fasthttp.HostClient, base, path string) (fetched, error) {
	for try := 0; ; try++ {
		f, err := get(hc, base, path)
		if err != nil || f.Status != http.StatusServiceUnavailable || try == 20 {
			return f, err
		}
		wait := 100 * time.Millisecond
		if s, err := strconv.Atoi(f.RetryAfter); err == nil {
			wait = min(time.Duration(s)*time.Second, time.Second)
		}
		select {
		case <-ctx.Done():
			return f, ctx.Err()
		case <-time.After(wait):
		}
	}
}
