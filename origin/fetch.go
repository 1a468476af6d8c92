package origin

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"path"
	"syscall"
	"time"

	"github.com/mediacdn/mediacdn/delivery"
)

// fetcher downloads upload sources from remote http(s) URLs, refusing
// internal addresses (server-side request forgery): the check runs on the
// address actually dialled, so DNS tricks and redirects cannot get around it.
type fetcher struct {
	client  *http.Client
	maxSize int64
}

// errForbiddenAddr is the dialler's refusal; errHostNotAllowed refuses a
// redirect to a host the caller's check rejects.
var (
	errForbiddenAddr  = errors.New("address not allowed")
	errHostNotAllowed = errors.New("redirect to a host not allowed")
)

// hostCheckKey carries get's host check to the redirect policy.
type hostCheckKey struct{}

// fetchFailure says why a fetch failed, for callers that answer each
// differently (fetch delivery URLs); an upload answers every one as 400.
type fetchFailure int

const (
	fetchUnavailable fetchFailure = iota // could not connect, timeout, an error status
	fetchNotFound                        // the remote answered 404 or 410
	fetchRefused                         // an address or redirect host not allowed
	fetchTooLarge                        // over the size limit
	fetchTimeout                         // the remote did not answer in time
)

// fetchError is a failed fetch: the upload API's answer (400) and why.
type fetchError struct {
	pub *delivery.Error
	why fetchFailure
}

func (e *fetchError) Error() string { return e.pub.Message }
func (e *fetchError) Unwrap() error { return e.pub }

func newFetcher(cfg Fetch, maxSize int64) *fetcher {
	var allow []netip.Prefix
	for _, n := range cfg.AllowNetworks {
		if p, err := netip.ParsePrefix(n); err == nil {
			allow = append(allow, p.Masked())
		}
	}
	dialer := &net.Dialer{
		Timeout: 10 * time.Second,
		Control: func(_, address string, _ syscall.RawConn) error {
			ap, err := netip.ParseAddrPort(address)
			if err != nil {
				return errForbiddenAddr
			}
			if !allowedAddr(ap.Addr().Unmap(), allow) {
				return errForbiddenAddr
			}
			return nil
		},
	}
	transport := &http.Transport{
		Proxy:                 nil, // a proxy would dial on our behalf, past the check
		DialContext:           dialer.DialContext,
		TLSHandshakeTimeout:   10 * time.Second,
		ResponseHeaderTimeout: cfg.Timeout,
		MaxIdleConns:          16,
		IdleConnTimeout:       30 * time.Second,
	}
	maxRedirects := cfg.MaxRedirects
	return &fetcher{
		maxSize: maxSize,
		client: &http.Client{
			Transport: transport,
			Timeout:   cfg.Timeout,
			CheckRedirect: func(req *http.Request, via []*http.Request) error {
				if len(via) > maxRedirects {
					return errors.New("too many redirects")
				}
				if req.URL.Scheme != "http" && req.URL.Scheme != "https" {
					return errors.New("redirect to a non-http URL")
				}
				if allow, ok := req.Context().Value(hostCheckKey{}).(func(string) bool); ok && !allow(req.URL.Hostname()) {
					return errHostNotAllowed
				}
				return nil
			},
		},
	}
}

// allowedAddr refuses loopback, private, link-local, multicast, unspecified
// and other special-purpose addresses unless a configured network allows them.
func allowedAddr(a netip.Addr, allow []netip.Prefix) bool {
	for _, p := range allow {
		if p.Contains(a) {
			return true
		}
	}
	if a.IsLoopback() || a.IsPrivate() || a.IsLinkLocalUnicast() || a.IsLinkLocalMulticast() ||
		a.IsInterfaceLocalMulticast() || a.IsMulticast() || a.IsUnspecified() {
		return false
	}
	for _, p := range specialNets {
		if p.Contains(a) {
			return false
		}
	}
	return true
}

// specialNets are further ranges no fetch should reach.
var specialNets = []netip.Prefix{
	netip.MustParsePrefix("0.0.0.0/8"),
	netip.MustParsePrefix("100.64.0.0/10"), // carrier-grade NAT
	netip.MustParsePrefix("192.0.0.0/24"),
	netip.MustParsePrefix("198.18.0.0/15"),
	netip.MustParsePrefix("240.0.0.0/4"),
	netip.MustParsePrefix("64:ff9b::/96"), // NAT64 can reach IPv4 internals
}

// getTo downloads rawURL into w as it arrives, at most maxSize bytes, and
// returns the URL's base name. allowHost, when not nil, must accept every
// host a redirect leads to. Failures are *fetchError, but for a failure to
// write to w (internal).
func (f *fetcher) getTo(ctx context.Context, rawURL string, allowHost func(string) bool, w io.Writer) (string, error) {
	u, err := url.Parse(rawURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return "", &fetchError{badRequest("Invalid URL for file - %s", clip(rawURL)), fetchRefused}
	}
	fail := func(why fetchFailure, reason string) error {
		return &fetchError{badRequest("Error in loading %s - %s", clip(rawURL), reason), why}
	}
	if allowHost != nil {
		ctx = context.WithValue(ctx, hostCheckKey{}, allowHost)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return "", fail(fetchRefused, "invalid URL")
	}
	req.Header.Set("User-Agent", "mediacdn-fetch/1")
	resp, err := f.client.Do(req)
	if err != nil {
		switch {
		case errors.Is(err, errForbiddenAddr):
			return "", fail(fetchRefused, "address not allowed")
		case errors.Is(err, errHostNotAllowed):
			return "", fail(fetchRefused, "redirect to a host not allowed")
		case errors.Is(err, context.DeadlineExceeded) || isTimeout(err):
			return "", fail(fetchTimeout, "timeout")
		}
		return "", fail(fetchUnavailable, "could not connect")
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		why := fetchUnavailable
		if resp.StatusCode == http.StatusNotFound || resp.StatusCode == http.StatusGone {
			why = fetchNotFound
		}
		return "", fail(why, fmt.Sprintf("%d %s", resp.StatusCode, http.StatusText(resp.StatusCode)))
	}
	if resp.ContentLength > f.maxSize {
		return "", &fetchError{fileTooLarge(resp.ContentLength, f.maxSize), fetchTooLarge}
	}
	n, err := io.Copy(w, &sourceReader{r: io.LimitReader(resp.Body, f.maxSize+1)})
	var se *sourceError
	switch {
	case errors.As(err, &se) && (isTimeout(se.err) || errors.Is(se.err, context.DeadlineExceeded)):
		return "", fail(fetchTimeout, "timeout")
	case errors.As(err, &se):
		return "", fail(fetchUnavailable, "read failed")
	case err != nil:
		return "", internal(fmt.Errorf("storing a fetched file: %w", err))
	case n > f.maxSize:
		return "", &fetchError{fileTooLarge(n, f.maxSize), fetchTooLarge}
	}
	return path.Base(u.Path), nil
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}
