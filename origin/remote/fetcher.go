package remote

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
)

// Options configure a Fetcher.
type Options struct {
	// Timeout bounds one download, redirects included.
	Timeout time.Duration
	// MaxRedirects is how many redirects are followed.
	MaxRedirects int
	// AllowNetworks are CIDRs that may be fetched although internal;
	// entries that do not parse are ignored.
	AllowNetworks []string
	// MaxSize is the largest body accepted, in bytes.
	MaxSize int64
}

// Fetcher downloads remote files through a client whose dialler refuses
// internal addresses.
type Fetcher struct {
	client  *http.Client
	maxSize int64
}

// errForbiddenAddr is the dialler's refusal; errHostNotAllowed refuses a
// redirect to a host the caller's check rejects.
var (
	errForbiddenAddr  = errors.New("address not allowed")
	errHostNotAllowed = errors.New("redirect host not allowed")
)

// hostCheckKey carries GetTo's host check to the redirect policy.
type hostCheckKey struct{}

// New makes a Fetcher.
func New(o Options) *Fetcher {
	var allow []netip.Prefix
	for _, n := range o.AllowNetworks {
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
		ResponseHeaderTimeout: o.Timeout,
		MaxIdleConns:          16,
		IdleConnTimeout:       30 * time.Second,
	}
	maxRedirects := o.MaxRedirects
	return &Fetcher{
		maxSize: o.MaxSize,
		client: &http.Client{
			Transport: transport,
			Timeout:   o.Timeout,
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

// GetTo downloads rawURL into w as it arrives, at most MaxSize bytes, and
// returns the URL's base name. allowHost, when not nil, must accept every
// host a redirect leads to. Failures are *Error, but for a failure to
// write to w (returned as it is).
func (f *Fetcher) GetTo(ctx context.Context, rawURL string, allowHost func(string) bool, w io.Writer) (string, error) {
	u, err := url.Parse(rawURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return "", &Error{Why: BadURL, Reason: "invalid URL"}
	}
	fail := func(why Failure, reason string) error { return &Error{Why: why, Reason: reason} }
	if allowHost != nil {
		ctx = context.WithValue(ctx, hostCheckKey{}, allowHost)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return "", fail(Refused, "invalid URL")
	}
	req.Header.Set("User-Agent", "mediacdn-fetch/1")
	resp, err := f.client.Do(req)
	if err != nil {
		return "", doErr(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		why := Unavailable
		if resp.StatusCode == http.StatusNotFound || resp.StatusCode == http.StatusGone {
			why = NotFound
		}
		return "", fail(why, fmt.Sprintf("%d %s", resp.StatusCode, http.StatusText(resp.StatusCode)))
	}
	if resp.ContentLength > f.maxSize {
		return "", &Error{Why: TooLarge, Reason: "too large", Size: resp.ContentLength}
	}
	n, err := io.Copy(w, &bodyReader{r: io.LimitReader(resp.Body, f.maxSize+1)})
	var be *bodyError
	switch {
	case errors.As(err, &be) && (isTimeout(be.err) || errors.Is(be.err, context.DeadlineExceeded)):
		return "", fail(Timeout, "timeout")
	case errors.As(err, &be):
		return "", fail(Unavailable, "read failed")
	case err != nil:
		return "", err
	case n > f.maxSize:
		return "", &Error{Why: TooLarge, Reason: "too large", Size: n}
	}
	return path.Base(u.Path), nil
}

// doErr is the *Error of a request the client could not do: refused
// (a forbidden address, or a redirect to a host not allowed), a timeout,
// or no connection.
func doErr(err error) error {
	switch {
	case errors.Is(err, errForbiddenAddr):
		return &Error{Why: Refused, Reason: "address not allowed"}
	case errors.Is(err, errHostNotAllowed):
		return &Error{Why: Refused, Reason: "redirect to a host not allowed"}
	case errors.Is(err, context.DeadlineExceeded) || isTimeout(err):
		return &Error{Why: Timeout, Reason: "timeout"}
	}
	return &Error{Why: Unavailable, Reason: "could not connect"}
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

// bodyReader marks the errors of the response body (bodyError), to tell
// them from the errors of the writer io.Copy writes to.
type bodyReader struct{ r io.Reader }

type bodyError struct{ err error }

func (e *bodyError) Error() string { return e.err.Error() }

func (r *bodyReader) Read(p []byte) (int, error) {
	n, err := r.r.Read(p)
	if err != nil && err != io.EOF {
		err = &bodyError{err}
	}
	return n, err
}
