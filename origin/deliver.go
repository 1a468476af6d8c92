package origin

import (
	"bytes"
	"errors"
	"mime"
	"net/http"
	"path"
	"strconv"
	"strings"
	"time"

	"github.com/mediacdn/mediacdn/config"
	"github.com/mediacdn/mediacdn/delivery"
	"github.com/mediacdn/mediacdn/origin/blob"
	"github.com/mediacdn/mediacdn/origin/meta"
)

// delivered is what a delivery request resolved to.
type delivered struct {
	body         []byte // in memory (derived, or small originals)
	blobKey      string // or a blob to stream (originals)
	contentType  string
	etag         string
	modified     time.Time
	version      int64
	defaultImage string
	attachment   string // fl_attachment's file name (deliver_attachment.go)
	// access is what edges must check before serving the answer from
	// their cache (deliver_access.go); nil for anyone.
	access *delivery.Access
	// width, height and size describe a derived image (for eager answers).
	width, height int
	size          int64
}

// serveDelivery answers GET and HEAD of a delivery URL: an original, or a
// derived image made (once) and stored.
func (s *Server) serveDelivery(w http.ResponseWriter, r *http.Request) {
	switch r.Method {
	case http.MethodGet, http.MethodHead:
	case http.MethodOptions:
		deliveryOptions(w, r) // deliver_cors.go
		return
	default:
		w.Header().Set("Allow", delivery.AllowedMethods)
		s.deliveryFail(w, delivery.Errorf(http.StatusMethodNotAllowed, "Method not allowed"))
		return
	}
	u, cl, err := s.parseDelivery(r)
	if err != nil {
		s.deliveryFail(w, err)
		return
	}
	if u.IsSearch() {
		s.serveSearchURL(w, r, &u, cl) // deliver_search.go
		return
	}
	acceptClientHints(w.Header(), cl)
	d, err := s.resolve(r, &u, cl)
	if err != nil {
		if u.Type == delivery.Authenticated && !u.Signed() {
			// A 404 edges cache is for token holders too
			// (deliver_access.go).
			w.Header().Set(delivery.HeaderAccess, (&delivery.Access{}).String())
		}
		s.deliveryFail(w, err)
		return
	}
	s.writeDelivered(w, r, &u, d)
}

// parseDelivery parses the request URI in path form, or in host form when
// the Host is a cloud's private-CDN name.
func (s *Server) parseDelivery(r *http.Request) (delivery.URL, config.Cloud, error) {
	var u delivery.URL
	var err error
	if cloud, ok := s.hosts.Cloud(r.Host); ok {
		u, err = delivery.ParseHost(cloud, r.RequestURI)
	} else {
		u, err = delivery.Parse(r.RequestURI)
	}
	if err != nil {
		var de *delivery.Error
		if errors.As(err, &de) {
			return u, config.Cloud{}, delivery.Errorf(de.Status, "%s", de.Message)
		}
		return u, config.Cloud{}, delivery.Errorf(http.StatusBadRequest, "Invalid URL")
	}
	cl, ok := s.clouds[u.Cloud]
	if !ok {
		return u, cl, delivery.Errorf(http.StatusNotFound, "Unknown cloud_name %s", u.Cloud)
	}
	return u, cl, nil
}

// hostMap maps the clouds' private-CDN hosts to their clouds, matched as
// edges match them (delivery.HostMap).
func hostMap(clouds config.Clouds) (delivery.HostMap, error) {
	hosts := map[string]string{}
	for name, cl := range clouds {
		for _, h := range cl.Hosts {
			hosts[h] = name
		}
	}
	return delivery.NewHostMap(hosts)
}

// resolve finds or makes the bytes for a URL.
func (s *Server) resolve(r *http.Request, u *delivery.URL, cl config.Cloud) (*delivered, error) {
	switch {
	case u.Type == delivery.Upload || u.Type == delivery.Private || u.Type == delivery.Authenticated:
	case u.Type == delivery.Fetch && u.Resource == delivery.Image:
	case (u.Type == delivery.Multi || u.Type == delivery.Sprite) && u.Resource == delivery.Image: // upload_multi.go, upload_sprite.go
	default:
		return nil, delivery.Errorf(http.StatusBadRequest, "Unsupported delivery type - %s", u.Type)
	}
	if err := checkURLSignature(u, cl); err != nil {
		return nil, err
	}
	if err := s.checkAuthenticatedURL(r, u, cl); err != nil { // deliver_access.go
		return nil, err
	}
	var a *meta.Asset
	var err error
	if u.Type == delivery.Fetch {
		a, err = s.fetched(r.Context(), u, cl, u.Signed()) // deliver_fetch.go
	} else {
		key := meta.Key{Cloud: u.Cloud, ResourceType: u.Resource, Type: u.Type, PublicID: u.PublicID}
		if k, ok := spriteFileKey(u); ok {
			if u.Transformation != "" {
				return nil, delivery.Errorf(http.StatusBadRequest, "Transformations are not supported for a sprite's %s", u.Format)
			}
			key = k
		}
		a, err = s.meta.Asset(r.Context(), key)
		if errors.Is(err, meta.ErrNotFound) && u.Type == delivery.Upload && u.Resource == delivery.Image {
			a, err = s.autoUploaded(r.Context(), u, cl) // deliver_mapped.go
		}
	}
	fallback := ""
	if errors.Is(err, meta.ErrNotFound) || isDeliveryStatus(err, http.StatusNotFound) {
		a, fallback, err = s.defaultImage(r, u, err)
	}
	if err != nil {
		return nil, err
	}
	access, err := s.gate(r, u, cl, a) // deliver_access.go
	if err != nil {
		return nil, err
	}
	if isOriginal(u, a) {
		if u.Type == delivery.Private && !u.Signed() {
			return nil, delivery.Errorf(http.StatusUnauthorized, "Missing URL signature - private originals need a signed URL")
		}
		d := s.original(a, u)
		d.defaultImage, d.access = fallback, access
		return d, nil
	}
	if u.Resource != delivery.Image {
		return nil, delivery.Errorf(http.StatusBadRequest, "Transformations are not supported for %s files", u.Resource)
	}
	d, err := s.derive(r, u, cl, a)
	if err != nil {
		return nil, err
	}
	d.defaultImage, d.access = fallback, access
	return d, nil
}

// checkURLSignature verifies a URL's signature. An unsigned URL needs a
// token where the type or the asset asks for one (deliver_access.go).
func checkURLSignature(u *delivery.URL, cl config.Cloud) error {
	if u.Signed() && !u.VerifySignature(cl.APISecret) {
		return delivery.Errorf(http.StatusUnauthorized, "Invalid URL signature")
	}
	return nil
}

// defaultImage serves d_<id> when the asset is missing.
func (s *Server) defaultImage(r *http.Request, u *delivery.URL, cause error) (*meta.Asset, string, error) {
	var notFound error = delivery.Errorf(http.StatusNotFound, "Resource not found - %s", u.PublicID)
	if isDeliveryStatus(cause, http.StatusNotFound) {
		notFound = cause // a fetch's own reason
	}
	if u.Transformation == "" || u.Resource != delivery.Image {
		return nil, "", notFound
	}
	tr, err := delivery.ParseTransformation(u.Transformation)
	if err != nil {
		return nil, "", notFound
	}
	for _, c := range tr.Components {
		if !c.Has(delivery.KeyDefaultImage) {
			continue
		}
		id := strings.ReplaceAll(c.DefaultImage, ":", "/")
		id = strings.TrimSuffix(id, path.Ext(id))
		a, err := s.meta.Asset(r.Context(), meta.Key{Cloud: u.Cloud, ResourceType: delivery.Image, Type: delivery.Upload, PublicID: id})
		if err == nil {
			return a, id, nil
		}
		if !errors.Is(err, meta.ErrNotFound) {
			return nil, "", err
		}
	}
	return nil, "", notFound
}

// isDeliveryStatus reports whether err is a delivery error with this
// status.
func isDeliveryStatus(err error, status int) bool {
	var de *delivery.Error
	return errors.As(err, &de) && de.Status == status
}

// isOriginal reports whether a URL asks for the stored file as is: no
// transformation and no (or the same) format.
func isOriginal(u *delivery.URL, a *meta.Asset) bool {
	if u.Transformation != "" {
		return false
	}
	if u.Resource == delivery.Raw || a.ResourceType == delivery.Raw || u.Format == delivery.FormatNone {
		return true // a raw file (also a sprite's CSS or JSON, upload_sprite.go) is as stored
	}
	f, _ := delivery.ParseFormat(a.Format)
	return f == u.Format
}

func (s *Server) original(a *meta.Asset, u *delivery.URL) *delivered {
	ct := "application/octet-stream"
	if f, ok := delivery.ParseFormat(a.Format); ok {
		ct = f.ContentType()
	}
	if a.ResourceType == delivery.Raw {
		if t := mime.TypeByExtension(path.Ext(a.PublicID)); t != "" {
			ct = t
		}
	}
	return &delivered{blobKey: a.Blob, contentType: ct, etag: a.ETag, modified: a.UpdatedAt, version: a.Version}
}

// writeDelivered writes headers and body, answering conditional and range
// requests (http.ServeContent).
func (s *Server) writeDelivered(w http.ResponseWriter, r *http.Request, u *delivery.URL, d *delivered) {
	h := w.Header()
	h.Set("Content-Type", d.contentType)
	h.Set("ETag", `"`+d.etag+`"`)
	h.Set(delivery.HeaderVersion, strconv.FormatInt(d.version, 10))
	h.Set("Access-Control-Allow-Origin", "*")
	h.Set("Timing-Allow-Origin", "*")
	h.Set("X-Content-Type-Options", "nosniff")
	switch {
	case d.defaultImage != "":
		h.Set(delivery.HeaderDefaultImage, d.defaultImage)
		h.Set("Cache-Control", maxAge(s.cfg.ErrorMaxAge, false))
	case u.HasVersion:
		h.Set("Cache-Control", maxAge(s.cfg.VersionedMaxAge, true))
	default:
		h.Set("Cache-Control", maxAge(s.cfg.UnversionedMaxAge, false))
	}
	if v := u.Vary(); v != "" {
		h.Set("Vary", v)
	}
	if d.access != nil {
		h.Set(delivery.HeaderAccess, d.access.String())
	}
	if strings.HasPrefix(d.contentType, "image/svg") {
		h.Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; sandbox")
	}
	if d.attachment != "" {
		h.Set("Content-Disposition", contentDisposition(d.attachment))
	}
	if d.body != nil {
		http.ServeContent(w, r, "", d.modified, bytes.NewReader(d.body))
		return
	}
	f, err := s.blobs.Open(d.blobKey)
	if err != nil {
		if errors.Is(err, blob.ErrNotFound) {
			s.log.Error("asset blob missing", "blob", d.blobKey, "path", r.URL.Path)
		}
		for _, k := range []string{"ETag", delivery.HeaderVersion, "Cache-Control", "Vary"} {
			h.Del(k)
		}
		s.deliveryFail(w, delivery.Errorf(http.StatusInternalServerError, "Internal error"))
		return
	}
	defer f.Close()
	http.ServeContent(w, r, "", d.modified, f)
}

func maxAge(d time.Duration, immutable bool) string {
	v := "public, max-age=" + strconv.Itoa(int(d/time.Second))
	if immutable {
		v += ", immutable"
	}
	return v
}

// deliveryFail answers a delivery error: the status, X-Cld-Error, a short
// text body; 4xx answers may be cached briefly, 5xx never. The message goes
// out through delivery.Echo, as api.WriteError's.
func (s *Server) deliveryFail(w http.ResponseWriter, err error) {
	de := delivery.AsError(err)
	switch {
	case de.Status >= 500 && de.RetryAfter > 0:
		// Shedding load (the transform queue is full, or shutting down):
		// an answer, not a failure. Logged per request as an error, a
		// storm would write thousands of lines a second.
		s.log.Debug("delivery shed", "status", de.Status, "err", err)
	case de.Status >= 500 && de.Unwrap() != nil:
		// An internal failure (its cause is for operators); delivery's
		// own 5xx answers (a fetch's remote down) carry none.
		s.log.Error("delivery failed", "err", err)
	}
	msg := delivery.Echo(de.Message, delivery.MessageLimit)
	h := w.Header()
	h.Set(delivery.HeaderError, msg)
	h.Set("Access-Control-Allow-Origin", "*")
	h.Set("Access-Control-Expose-Headers", delivery.HeaderError)
	h.Set("Content-Type", "text/plain; charset=utf-8")
	h.Set("X-Content-Type-Options", "nosniff")
	if de.RetryAfter > 0 {
		h.Set("Retry-After", delivery.RetryAfterHeader(de.RetryAfter))
	}
	if de.Status < 500 && de.RetryAfter == 0 {
		h.Set("Cache-Control", maxAge(s.cfg.ErrorMaxAge, false))
	} else { // a failure, or a refusal for a while (420 with Retry-After)
		h.Set("Cache-Control", "no-store")
	}
	w.WriteHeader(de.Status)
	w.Write([]byte(msg + "\n"))
}
