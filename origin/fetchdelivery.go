package origin

import (
	"context"
	"crypto/md5"
	"encoding/hex"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/mediacdn/mediacdn/config"
	"github.com/mediacdn/mediacdn/delivery"
	"github.com/mediacdn/mediacdn/origin/meta"
)

// Fetch delivery: /<cloud>/image/fetch/<transformation>/<remote URL>
// serves a remote image, transformed like an uploaded one. The first
// request downloads it (once, however many ask at the same time) and
// stores it as an asset of type "fetch" whose public ID is the URL, so
// that derived images, the Admin API and purges treat it like any other;
// a copy older than fetchRefresh is downloaded again, and replaced (and
// purged) only when its bytes changed. A cloud allows hosts in
// fetch_domains; addresses are checked as for uploads from URLs.

// fetchRefresh is how long a fetched copy is served before the remote is
// asked again.
const fetchRefresh = 7 * 24 * time.Hour

// fetched returns the stored copy of the URL's remote image, downloading
// it when there is none or it is older than fetchRefresh. When a refresh
// fails, the stored copy is served.
func (s *Server) fetched(ctx context.Context, u *delivery.URL, cl config.Cloud) (*meta.Asset, error) {
	remote, err := fetchTarget(u)
	if err != nil {
		return nil, err
	}
	if !cl.FetchAllowed(remote.Hostname()) {
		return nil, deliveryErr(http.StatusForbidden, "Fetch from %s is not allowed for cloud %s", clip(remote.Hostname()), u.Cloud)
	}
	key := meta.Key{Cloud: u.Cloud, ResourceType: "image", Type: "fetch", PublicID: u.PublicID}
	fresh := func() (*meta.Asset, bool, error) {
		a, err := s.meta.Asset(ctx, key)
		if errors.Is(err, meta.ErrNotFound) {
			return nil, false, nil
		}
		if err != nil {
			return nil, false, internal(err)
		}
		return a, s.now().Sub(a.UpdatedAt) < fetchRefresh, nil
	}
	if a, ok, err := fresh(); ok || err != nil {
		return a, err
	}
	v, err, _ := s.flights.Do("fetch\x00"+u.Cloud+"\x00"+u.PublicID, func() (any, error) {
		a, ok, err := fresh() // a flight that just ended stored it
		if ok || err != nil {
			return a, err
		}
		return s.download(context.WithoutCancel(ctx), key, remote.String(), a)
	})
	if err != nil {
		return nil, err
	}
	return v.(*meta.Asset), nil
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
		return nil, deliveryErr(http.StatusBadRequest, "Invalid fetch URL - %s", clip(u.PublicID))
	}
	return remote, nil
}

// download fetches rawURL and stores it at key; prev is the stored copy
// being refreshed, nil for the first download.
func (s *Server) download(ctx context.Context, key meta.Key, rawURL string, prev *meta.Asset) (*meta.Asset, error) {
	data, name, err := s.fetch.get(ctx, rawURL)
	if err != nil {
		if prev != nil {
			s.log.Warn("fetch refresh failed; serving the stored copy", "url", clip(rawURL), "err", err)
			return prev, nil
		}
		var ae *APIError
		if errors.As(err, &ae) && ae.Status == http.StatusBadRequest {
			return nil, deliveryErr(http.StatusNotFound, "%s", ae.Message)
		}
		return nil, deliveryErr(asAPIError(err).Status, "%s", asAPIError(err).Message)
	}
	info, err := s.images.Probe(data)
	if err != nil {
		return nil, deliveryErr(http.StatusBadRequest, "Invalid image file - %s", clip(rawURL))
	}
	sum := md5.Sum(data)
	etag := hex.EncodeToString(sum[:])
	now := s.now().UTC()
	if prev != nil && prev.ETag == etag {
		return s.meta.Update(ctx, key, func(a *meta.Asset) error { a.UpdatedAt = now; return nil })
	}
	blobKey, err := s.writeBlob(data)
	if err != nil {
		return nil, internal(err)
	}
	display := strings.TrimSuffix(name, "."+info.Format.String())
	a := &meta.Asset{Key: key, AssetID: randomHex(16), VersionID: randomHex(16), Format: info.Format.String(),
		Bytes: int64(len(data)), Width: info.Width, Height: info.Height, Pages: max(info.Pages, 1),
		ETag: etag, Blob: blobKey, CreatedAt: now, UpdatedAt: now, OriginalFilename: display, DisplayName: display}
	res, err := s.meta.Put(ctx, a, true)
	if err != nil {
		s.deleteBlobs(blobKey)
		return nil, internal(err)
	}
	s.deleteBlobs(res.Orphans...)
	ev := Event{Kind: EventCreated, Asset: key, NewVersion: a.Version, Time: now}
	if res.Prev != nil {
		// The remote image changed: cached copies and derived images of
		// the old one must go.
		ev.Kind, ev.OldVersion, ev.Invalidate = EventOverwritten, res.Prev.Version, true
	}
	if _, err := s.events.Emit(ctx, ev); err != nil {
		s.log.Warn("fetched image stored but its event was not published", "url", clip(rawURL), "err", err)
	}
	return a, nil
}
