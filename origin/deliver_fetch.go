package origin

import (
	"context"
	"crypto/md5"
	"encoding/hex"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/mediacdn/mediacdn/config"
	"github.com/mediacdn/mediacdn/delivery"
	"github.com/mediacdn/mediacdn/origin/api"
	"github.com/mediacdn/mediacdn/origin/meta"
	"github.com/mediacdn/mediacdn/origin/remote"
)

// Fetch delivery: /<cloud>/image/fetch/<transformation>/<remote URL>
// serves a remote image, transformed like an uploaded one. The first
// request downloads it (once, however many ask at the same time) and
// stores it as an asset of type "fetch" whose public ID is the URL, so
// that derived images, the Admin API and purges treat it like any other.
// A copy older than fetchRefresh is served at once while one background
// request asks the remote again; the copy is replaced (and purged) only
// when the bytes changed, and a failed refresh is retried after
// fetchRetry. A cloud allows hosts in fetch_domains, redirects included;
// addresses are checked as for uploads from URLs.

const (
	// fetchRefresh is how long a fetched copy is served before the remote
	// is asked again.
	fetchRefresh = 7 * 24 * time.Hour
	// fetchRetry spaces the attempts when a refresh fails.
	fetchRetry = time.Hour
)

// fetched returns the stored copy of the URL's remote image, downloading
// it when there is none, and refreshing it in the background when it is
// older than fetchRefresh. signed tells whether the request is signed (a
// signed URL, whose signature was checked already, or an API call): under
// fetch_signed_only it must be.
func (s *Server) fetched(ctx context.Context, u *delivery.URL, cl config.Cloud, signed bool) (*meta.Asset, error) {
	remote, err := fetchTarget(u)
	if err != nil {
		return nil, err
	}
	if cl.FetchSignedOnly && !signed {
		return nil, delivery.Errorf(http.StatusUnauthorized, "Missing URL signature - fetch URLs of cloud %s must be signed", u.Cloud)
	}
	if !cl.FetchAllowed(remote.Hostname()) {
		return nil, delivery.Errorf(http.StatusForbidden, "Fetch from %s is not allowed for cloud %s", api.Clip(remote.Hostname()), u.Cloud)
	}
	key := meta.Key{Cloud: u.Cloud, ResourceType: delivery.Image, Type: delivery.Fetch, PublicID: u.PublicID}
	flight := "fetch\x00" + u.Cloud + "\x00" + u.PublicID
	a, err := s.meta.Asset(ctx, key)
	switch {
	case err == nil:
		if s.now().Sub(a.UpdatedAt) >= fetchRefresh {
			s.refreshInBackground(flight, key, remote.String(), cl)
		}
		return a, nil
	case !errors.Is(err, meta.ErrNotFound):
		return nil, delivery.Internal(err)
	}
	ch := s.flights.DoChan(flight, func() (any, error) {
		if a, err := s.meta.Asset(ctx, key); err == nil { // a flight that just ended stored it
			return a, nil
		}
		if !s.takeFetchSlot() {
			return nil, fetchBusy()
		}
		defer s.releaseFetchSlot()
		return s.download(context.WithoutCancel(ctx), key, remote.String(), nil, cl.FetchAllowed, true)
	})
	select {
	case <-ctx.Done():
		return nil, delivery.Errorf(http.StatusGatewayTimeout, "Fetch of %s not finished", api.Clip(u.PublicID))
	case r := <-ch:
		if r.Err != nil {
			return nil, r.Err
		}
		return r.Val.(*meta.Asset), nil
	}
}

// fetchRefreshLease is how long an origin holds the lease of a fetched
// copy's refresh: longer than the refresh may take (its timeout), so it
// is never renewed; it is released when the refresh ends, and expires if
// its origin dies meanwhile.
const fetchRefreshLease = 3 * time.Minute

// refreshInBackground asks the remote again for a stale copy, once at a
// time per URL: in this process (refreshing) and across the origins
// sharing the metadata store (a lease named after the URL, taken before
// the copy is read again). Close waits for it.
func (s *Server) refreshInBackground(flight string, key meta.Key, rawURL string, cl config.Cloud) {
	if _, busy := s.refreshing.LoadOrStore(flight, true); busy {
		return
	}
	if !s.takeFetchSlot() { // a later request of the stale copy asks again
		s.refreshing.Delete(flight)
		return
	}
	ticket := s.recording.start()
	go func() {
		defer s.recording.done(ticket)
		defer s.releaseFetchSlot()
		defer s.refreshing.Delete(flight)
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		defer cancel()
		lease := "fetch:" + key.Cloud + "/" + key.PublicID
		got, err := s.meta.TakeLease(ctx, lease, s.holder, s.fetchLeaseTTL)
		if err != nil {
			s.log.Warn("fetch refresh not started", "url", api.Clip(rawURL), "err", err)
		}
		if !got {
			return // another origin refreshes it
		}
		defer s.meta.ReleaseLease(context.WithoutCancel(ctx), lease, s.holder)
		prev, err := s.meta.Asset(ctx, key)
		if err != nil || s.now().Sub(prev.UpdatedAt) < fetchRefresh {
			return // gone, or refreshed meanwhile
		}
		if _, err := s.download(ctx, key, rawURL, prev, cl.FetchAllowed, true); err != nil {
			s.log.Warn("fetch refresh failed", "url", api.Clip(rawURL), "err", err)
		}
	}()
}

// fetchTarget is the remote URL of a fetch delivery URL: the public ID
// unescaped once (so that the Node SDK's "a%20b.jpg%3Fv%3D2" asks for
// "a%20b.jpg?v=2"), then parsed and escaped again.
func fetchTarget(u *delivery.URL) (*url.URL, error) {
	raw := u.PublicID
	for _, scheme := range []string{"http:/", "https:/"} {
		// A proxy on the way may have merged the URL's "//" into "/".
		if strings.HasPrefix(raw, scheme) && !strings.HasPrefix(raw, scheme+"/") {
			raw = scheme + "/" + raw[len(scheme):]
		}
	}
	remote, err := url.Parse(raw)
	if err != nil || (remote.Scheme != "http" && remote.Scheme != "https") || remote.Hostname() == "" || remote.User != nil {
		return nil, delivery.Errorf(http.StatusBadRequest, "Invalid fetch URL - %s", api.Clip(u.PublicID))
	}
	return remote, nil
}

// fetchBusyRetry is the Retry-After of a fetch URL refused because too
// many downloads are in progress.
const fetchBusyRetry = time.Second

// fetchBusy is the 503 of a download refused because all the
// Fetch.MaxInFlight slots are taken.
func fetchBusy() error {
	return &delivery.Error{Status: http.StatusServiceUnavailable, RetryAfter: fetchBusyRetry,
		Message: "Too many fetches in progress - try again later"}
}

// takeFetchSlot takes one of the Fetch.MaxInFlight download slots, or
// reports false when none is free.
func (s *Server) takeFetchSlot() bool {
	select {
	case s.fetching <- struct{}{}:
		return true
	default:
		return false
	}
}

func (s *Server) releaseFetchSlot() { <-s.fetching }

// download fetches rawURL and stores it at key; prev is the stored copy
// being refreshed, nil for the first download. allowed says which hosts
// the URL and its redirects may name. The remote file goes to a
// temporary file of the spool (never to memory), its MD5 taken as it
// arrives; it is probed mapped in place and copied into a blob only when
// it differs from prev. Without overwrite, an asset stored at key
// meanwhile (by an upload) is kept and returned.
func (s *Server) download(ctx context.Context, key meta.Key, rawURL string, prev *meta.Asset, allowed func(host string) bool,
	overwrite bool) (*meta.Asset, error) {
	src, err := s.newUpfile()
	if err != nil {
		return nil, delivery.Internal(err)
	}
	defer src.close()
	h := md5.New()
	name, err := s.fetch.GetTo(ctx, rawURL, allowed, io.MultiWriter(src, h))
	if err != nil {
		if prev != nil {
			s.log.Warn("fetch refresh failed; serving the stored copy", "url", api.Clip(rawURL), "err", err)
			retryAt := s.now().Add(fetchRetry - fetchRefresh).UTC()
			if _, err := s.meta.Update(ctx, key, func(a *meta.Asset) error { a.UpdatedAt = retryAt; return nil }); err != nil {
				s.log.Warn("fetch refresh not rescheduled", "url", api.Clip(rawURL), "err", err)
			}
			return prev, nil
		}
		return nil, s.fetchDeliveryErr(err, rawURL)
	}
	m, err := src.mapped()
	if err != nil {
		return nil, delivery.Internal(err)
	}
	info, err := s.images.ProbeMapped(m)
	if err != nil {
		return nil, delivery.Errorf(http.StatusBadRequest, "Invalid image file - %s", api.Clip(rawURL))
	}
	etag := hex.EncodeToString(h.Sum(nil))
	now := s.now().UTC()
	if prev != nil && prev.ETag == etag {
		return s.meta.Update(ctx, key, func(a *meta.Asset) error { a.UpdatedAt = now; return nil })
	}
	blobKey, size, _, err := s.writeBlobFrom(src.Reader())
	if err != nil {
		return nil, delivery.Internal(err)
	}
	display := strings.TrimSuffix(name, "."+info.Format.String())
	a := &meta.Asset{Key: key, AssetID: meta.RandomHex(16), VersionID: meta.RandomHex(16), Format: info.Format.String(),
		Bytes: size, Width: info.Width, Height: info.Height, Pages: max(info.Pages, 1),
		ETag: etag, Blob: blobKey, CreatedAt: now, UpdatedAt: now, OriginalFilename: display, DisplayName: display}
	res, err := s.meta.Put(ctx, a, overwrite)
	if errors.Is(err, meta.ErrExists) && res.Prev != nil && !overwrite {
		s.deleteBlobs(blobKey)
		return res.Prev, nil
	}
	if err != nil {
		s.deleteBlobs(blobKey)
		return nil, delivery.Internal(err)
	}
	s.deleteBlobs(res.Orphans...)
	ev := Event{Kind: EventCreated, Asset: key, NewVersion: a.Version, Time: now}
	if res.Prev != nil {
		// The remote image changed: cached copies and derived images of
		// the old one must go.
		ev.Kind, ev.OldVersion, ev.Invalidate = EventOverwritten, res.Prev.Version, true
	}
	if _, err := s.events.Emit(ctx, ev); err != nil {
		s.log.Warn("fetched image stored but its event was not published", "url", api.Clip(rawURL), "err", err)
	}
	return a, nil
}

// fetchDeliveryErr answers a failed first download: 404 when the remote
// said so, 403 when a URL, address or redirect was refused, 504 on a
// timeout, 502 when the remote could not be reached or failed, 400 when
// too large; the message is the Upload API's (fetchFailed).
func (s *Server) fetchDeliveryErr(err error, rawURL string) error {
	var re *remote.Error
	if !errors.As(err, &re) {
		return s.fetchFailed(err, rawURL)
	}
	status := map[remote.Failure]int{remote.NotFound: http.StatusNotFound, remote.Refused: http.StatusForbidden,
		remote.BadURL: http.StatusForbidden, remote.Timeout: http.StatusGatewayTimeout,
		remote.Unavailable: http.StatusBadGateway, remote.TooLarge: http.StatusBadRequest}[re.Why]
	return delivery.Errorf(status, "%s", s.fetchFailed(err, rawURL).Message)
}
