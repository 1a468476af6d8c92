package origin

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/mediacdn/mediacdn/config"
	"github.com/mediacdn/mediacdn/delivery"
	"github.com/mediacdn/mediacdn/origin/api"
	"github.com/mediacdn/mediacdn/origin/meta"
)

// Auto-upload: an image delivery URL of type upload whose asset is
// missing and whose public ID is in a mapped folder (admin_mappings.go)
// is fetched from the mapping's template followed by the rest of the
// public ID and its extension ("wiki/a/b.jpg" with wiki mapped to
// "https://img.test/pics/" asks for "https://img.test/pics/a/b.jpg"),
// stored as an upload asset at the public ID, then served like any other.
// It is fetched once however many ask at the same time: once per origin
// (flights), and once across origins sharing the metadata store (a lease
// named after the asset, the others waiting for the asset it stores).
// The download is the fetch delivery type's (deliver_fetch.go): the
// template's host is allowed, redirects elsewhere only to fetch_domains,
// and every address is checked against allow_networks. Later requests
// serve the stored asset; it is never refreshed (as Cloudinary's).

const (
	// autoUploadTimeout bounds one auto-upload, waiting for another
	// origin's included; shorter than fetchRefreshLease, the lease's TTL.
	autoUploadTimeout = 2 * time.Minute
	// autoUploadPoll spaces the looks of an origin waiting for another's
	// auto-upload.
	autoUploadPoll = 100 * time.Millisecond
)

// autoUploaded returns the asset a mapped folder's template gives the
// URL's public ID, fetching and storing it; meta.ErrNotFound when no
// mapped folder holds the public ID.
func (s *Server) autoUploaded(ctx context.Context, u *delivery.URL, cl config.Cloud) (*meta.Asset, error) {
	m, err := s.meta.MappingFor(ctx, u.Cloud, u.PublicID)
	if errors.Is(err, meta.ErrNotFound) {
		return nil, err
	}
	if err != nil {
		return nil, delivery.Internal(err)
	}
	rawURL, host, err := mappedTarget(m, u)
	if err != nil {
		return nil, err
	}
	allowed := func(h string) bool {
		return strings.EqualFold(strings.TrimSuffix(h, "."), host) || cl.FetchAllowed(h)
	}
	key := meta.Key{Cloud: u.Cloud, ResourceType: delivery.Image, Type: delivery.Upload, PublicID: u.PublicID}
	ch := s.flights.DoChan("mapped\x00"+u.Cloud+"\x00"+u.PublicID, func() (any, error) {
		actx, cancel := context.WithTimeout(context.WithoutCancel(ctx), autoUploadTimeout)
		defer cancel()
		return s.autoUpload(actx, key, rawURL, allowed)
	})
	select {
	case <-ctx.Done():
		return nil, delivery.Errorf(http.StatusGatewayTimeout, "Auto-upload of %s not finished", api.Clip(u.PublicID))
	case r := <-ch:
		if r.Err != nil {
			return nil, r.Err
		}
		return r.Val.(*meta.Asset), nil
	}
}

// autoUpload stores rawURL at key under the key's lease, unless another
// origin, holding it, stores it first.
func (s *Server) autoUpload(ctx context.Context, key meta.Key, rawURL string, allowed func(string) bool) (*meta.Asset, error) {
	lease := "automap:" + key.Cloud + "/" + key.PublicID
	for {
		a, err := s.meta.Asset(ctx, key)
		if err == nil {
			return a, nil // stored by a flight that just ended, or by another origin
		}
		if !errors.Is(err, meta.ErrNotFound) {
			return nil, delivery.Internal(err)
		}
		got, err := s.meta.TakeLease(ctx, lease, s.holder, s.fetchLeaseTTL)
		if err != nil {
			return nil, delivery.Internal(err)
		}
		if got {
			break
		}
		select {
		case <-ctx.Done():
			return nil, delivery.Errorf(http.StatusGatewayTimeout, "Auto-upload of %s not finished", api.Clip(key.PublicID))
		case <-time.After(autoUploadPoll):
		}
	}
	defer s.meta.ReleaseLease(context.WithoutCancel(ctx), lease, s.holder)
	// The lease may have been released by an origin that stored it
	// between the look and the take.
	if a, err := s.meta.Asset(ctx, key); err == nil {
		return a, nil
	}
	if !s.takeFetchSlot() {
		return nil, fetchBusy()
	}
	defer s.releaseFetchSlot()
	a, err := s.download(ctx, key, rawURL, nil, allowed, false)
	if err != nil {
		return nil, autoUploadErr(err, key.PublicID)
	}
	return a, nil
}

// mappedTarget is the remote URL of a public ID in mapping m's folder:
// the template, then the rest of the public ID (each segment escaped) and
// the URL's extension; and the template's host.
func mappedTarget(m *meta.UploadMapping, u *delivery.URL) (string, string, error) {
	rest := strings.Split(strings.TrimPrefix(u.PublicID, m.Folder+"/"), "/")
	for i, seg := range rest {
		rest[i] = url.PathEscape(seg)
	}
	raw := m.Template + strings.Join(rest, "/")
	if u.Ext != "" {
		raw += "." + url.PathEscape(u.Ext)
	}
	t, err := url.Parse(raw)
	if err != nil || (t.Scheme != "http" && t.Scheme != "https") || t.Hostname() == "" {
		return "", "", delivery.Errorf(http.StatusBadRequest, "Invalid upload mapping template for folder %s", api.Clip(m.Folder))
	}
	return raw, strings.ToLower(strings.TrimSuffix(t.Hostname(), ".")), nil
}

// autoUploadErr names the auto-upload in a failed download's message
// (fetchDeliveryErr: 404 when the remote has no such file, 502 when it
// failed or could not be reached, 504 on a timeout, 403 when refused).
func autoUploadErr(err error, publicID string) error {
	var de *delivery.Error
	if !errors.As(err, &de) || de.Status == http.StatusInternalServerError {
		return err
	}
	return (&delivery.Error{Status: de.Status, RetryAfter: de.RetryAfter,
		Message: "Auto-upload of " + api.Clip(publicID) + " failed - " + de.Message}).Because(de.Unwrap())
}
