package origin

import (
	"context"
	"crypto/md5"
	"encoding/hex"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/mediacdn/mediacdn/config"
	"github.com/mediacdn/mediacdn/delivery"
	"github.com/mediacdn/mediacdn/origin/blob"
	"github.com/mediacdn/mediacdn/origin/imaging"
	"github.com/mediacdn/mediacdn/origin/meta"
)

// deriveRequest is one derived image to find or make.
type deriveRequest struct {
	key     meta.Key
	dk      meta.DerivedKey
	tr      delivery.Transformation // expanded
	format  delivery.Format         // wanted output (FormatAuto to negotiate, FormatNone to keep)
	accept  delivery.Format
	dpr     float64
	strict  bool         // generation needs strict-transformation approval
	signed  bool         // a signed URL or an API call: authenticated layers allowed (deliver_layers.go)
	cloud   config.Cloud // the cloud's settings, for fetch layers
	allowed bool         // the transformation is allowed under strict transformations

	// autoWidth is w_auto's width (Variant.Width) when hasAutoWidth.
	autoWidth    int
	hasAutoWidth bool
}

// derive serves a derived image of a: stored if it exists, else made once
// (concurrent requests share one transform) and stored.
func (s *Server) derive(r *http.Request, u *delivery.URL, cl config.Cloud, a *meta.Asset) (*delivered, error) {
	tr, err := delivery.ParseTransformation(u.Transformation)
	if err != nil {
		return nil, delivery.Errorf(http.StatusBadRequest, "%s", err.Error())
	}
	expanded, allowed, err := s.expand(r.Context(), u.Cloud, tr, 0)
	if err != nil {
		return nil, err
	}
	req := &deriveRequest{
		key: a.Key, tr: expanded, format: wantedFormat(expanded, u.Format),
		strict: cl.StrictTransformations && !u.Signed(),
		signed: u.Signed(), cloud: cl,
		allowed: allowed || containsString(a.Eager, u.Transformation) || containsString(a.Eager, u.Transformation+"/"+u.Format.String()),
		dk:      meta.DerivedKey{Version: a.Version, Transformation: u.Transformation, Format: u.Format.String()},
	}
	if _, err := layerRefs(expanded, req.signed); err != nil {
		return nil, err
	}
	if u.Varies() {
		v, err := requestVariant(r, u)
		if err != nil {
			return nil, err
		}
		req.accept, req.dpr, req.dk.Variant = v.Format, v.DPR, storedVariant(v)
		req.autoWidth, req.hasAutoWidth = v.Width, v.AutoWidth
	}
	d, err := s.findOrMake(r.Context(), req, a)
	if err != nil {
		return nil, err
	}
	d.attachment = attachmentName(expanded, a, d.contentType)
	return d, nil
}

// requestVariant is the variant to make of a varying URL: the one an edge
// names (delivery.HeaderVariant), whatever Accept and the client hints
// say; else, for a request from anyone else (a browser, another CDN), the
// one they negotiate, as an edge would.
func requestVariant(r *http.Request, u *delivery.URL) (delivery.Variant, error) {
	h := r.Header.Get(delivery.HeaderVariant)
	if h == "" {
		return u.Variant(requestHints(r.Header)), nil
	}
	v, ok := delivery.ParseVariant(h)
	if !ok || !u.VariantFits(v) {
		return v, delivery.Errorf(http.StatusBadRequest, "Invalid %s - %s", delivery.HeaderVariant,
			delivery.Echo(h, delivery.EchoLimit))
	}
	return v, nil
}

// storedVariant is how derived rows name a variant: its text form, with
// the format neither AVIF nor WebP left out ("" rather than "std"), as
// rows recorded before the variant had a text form name it.
func storedVariant(v delivery.Variant) string {
	if v.Format != delivery.AVIF && v.Format != delivery.WebP {
		v.Negotiated = false
	}
	return v.String()
}

// wantedFormat is the last f_ of the transformation, else the URL's
// extension, else none (keep the input's format).
func wantedFormat(tr delivery.Transformation, ext delivery.Format) delivery.Format {
	for i := len(tr.Components) - 1; i >= 0; i-- {
		if tr.Components[i].Has(delivery.KeyFormat) {
			return tr.Components[i].Format
		}
	}
	return ext
}

func containsString(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// findOrMake returns the stored derived image, or makes it under a
// singleflight key so that concurrent misses make one transform. The
// transform outlives any one waiting client, not all of them (deliver_waiters.go).
func (s *Server) findOrMake(ctx context.Context, req *deriveRequest, a *meta.Asset) (*delivered, error) {
	flight := strings.Join([]string{req.key.Cloud, req.key.ResourceType.String(), req.key.Type.String(), req.key.PublicID,
		strconv.FormatInt(req.dk.Version, 10), req.dk.Transformation, req.dk.Format, req.dk.Variant}, "\x00")
	if d, ok, err := s.made(ctx, flight, req); ok || err != nil {
		return d, err
	}
	if req.strict && !req.allowed {
		return nil, delivery.Errorf(http.StatusUnauthorized, "Transformation %s/ is not allowed", req.dk.Transformation)
	}
	key, fctx, leave := s.waiters.join(ctx, flight)
	defer leave()
	ch := s.flights.DoChan(key, func() (any, error) {
		// A flight that ended since the lookup above left its image in
		// pending or, recorded already, in the store.
		if d, ok, err := s.made(fctx, flight, req); ok || err != nil {
			return d, err
		}
		return s.make(fctx, flight, req, a)
	})
	select {
	case r := <-ch:
		if r.Err != nil {
			return nil, r.Err
		}
		d := *r.Val.(*delivered)
		return &d, nil
	case <-ctx.Done():
		return nil, &delivery.Error{Status: http.StatusServiceUnavailable, Message: "Image transformation canceled",
			RetryAfter: time.Second}
	}
}

// made finds a derived image already made: one still being recorded
// (checked first: it leaves pending only once recorded), then a recorded
// one, read and checked against its ETag. A recorded image whose file was
// lost or damaged (derived files are not fsynced) is dropped, to be made
// again.
func (s *Server) made(ctx context.Context, flight string, req *deriveRequest) (*delivered, bool, error) {
	if v, ok := s.pending.Load(flight); ok {
		s.m.derivedHits.Add(1)
		d := *v.(*delivered)
		return &d, true, nil
	}
	d, err := s.meta.Derived(ctx, req.key, req.dk)
	if errors.Is(err, meta.ErrNotFound) {
		return nil, false, nil
	} else if err != nil {
		return nil, false, err
	}
	body, err := blob.ReadAll(s.blobs, d.Blob)
	if err == nil && int64(len(body)) == d.Bytes && md5Hex(body) == d.ETag {
		s.m.derivedHits.Add(1)
		out := derivedResponse(d)
		out.body = body
		return out, true, nil
	}
	s.log.Warn("derived file lost or damaged; making it again", "public_id", req.key.PublicID,
		"transformation", d.Transformation, "blob", d.Blob)
	res, derr := s.meta.DeleteDerived(ctx, req.key.Cloud, []int64{d.ID})
	if derr != nil {
		return nil, false, derr
	}
	s.deleteBlobs(res.Orphans...)
	return nil, false, nil
}

// make transforms the original and answers at once; the result is recorded
// (blob and row) in the background, served from memory until then. With
// too many results waiting to be recorded, the request records its own
// before answering.
func (s *Server) make(ctx context.Context, flight string, req *deriveRequest, a *meta.Asset) (*delivered, error) {
	layers, err := s.layerAssets(ctx, req)
	if err != nil {
		return nil, err
	}
	src, err := s.blobs.Open(a.Blob)
	if err != nil {
		return nil, err
	}
	defer src.Close()
	res, err := s.timedTransform(func() (imaging.Result, error) {
		return s.images.TransformReader(ctx, src, src.Size(), imaging.Request{Transformation: req.tr,
			Format: req.format, Accept: req.accept, DPR: req.dpr, Layers: layers, Tags: a.Tags, Context: a.Context,
			AutoWidth: req.autoWidth, HasAutoWidth: req.hasAutoWidth, Faces: a.Coordinates.Faces, Custom: a.Coordinates.Custom})
	})
	if err != nil {
		return nil, err
	}
	d := &meta.Derived{DerivedKey: req.dk, Bytes: int64(len(res.Body)), Width: res.Width, Height: res.Height,
		ETag: md5Hex(res.Body), CreatedAt: s.now().UTC()}
	out := &delivered{body: res.Body, contentType: res.Format.ContentType(), etag: d.ETag,
		modified: d.CreatedAt, version: a.Version, width: res.Width, height: res.Height, size: d.Bytes}
	s.pending.Store(flight, out)
	select {
	case s.recordSlots <- struct{}{}:
		id := s.recording.start()
		go func() {
			defer s.recording.done(id)
			s.record(context.WithoutCancel(ctx), flight, req, d, res.Body)
			<-s.recordSlots
		}()
	default:
		s.record(ctx, flight, req, d, res.Body)
	}
	return out, nil
}

// record stores a derived image's blob and row, then forgets it in
// pending. An image of a version overwritten meanwhile is dropped. The
// blob is not fsynced: a derived image can always be made again, and
// made checks it against its ETag when it is read.
func (s *Server) record(ctx context.Context, flight string, req *deriveRequest, d *meta.Derived, body []byte) {
	defer s.pending.Delete(flight)
	s.storeDerived(ctx, req.key, d, body)
}

// storeDerived writes a derived image's blob (not fsynced) and its row. An
// image of a version overwritten or deleted meanwhile is dropped; a
// failure is logged: the image is made again when it is asked for.
func (s *Server) storeDerived(ctx context.Context, key meta.Key, d *meta.Derived, body []byte) {
	var err error
	if d.Blob, err = s.writeBlobUnsynced(body); err != nil {
		s.log.Error("derived image not recorded", "public_id", key.PublicID, "err", err)
		return
	}
	_, pr, err := s.meta.PutDerived(ctx, key, d)
	switch {
	case errors.Is(err, meta.ErrStale) || errors.Is(err, meta.ErrNotFound):
		s.deleteBlobs(d.Blob)
		return
	case err != nil:
		s.deleteBlobs(d.Blob)
		s.log.Error("derived image not recorded", "public_id", key.PublicID, "err", err)
		return
	}
	s.deleteBlobs(pr.Orphans...)
}

// WaitRecorded waits until every derived image made so far is recorded.
func (s *Server) WaitRecorded() { s.recording.wait() }

// Close waits for background work; the storage may be closed after it.
func (s *Server) Close() error {
	s.analyser.close()
	s.jobs.close()
	s.webhooks.close()
	s.usage.close()
	s.WaitRecorded()
	return nil
}

func md5Hex(b []byte) string {
	sum := md5.Sum(b)
	return hex.EncodeToString(sum[:])
}

func derivedResponse(d *meta.Derived) *delivered {
	f, _ := delivery.ParseFormat(d.Format)
	return &delivered{blobKey: d.Blob, contentType: formatContentType(d.Format, f), etag: d.ETag, modified: d.CreatedAt,
		version: d.Version, width: d.Width, height: d.Height, size: d.Bytes}
}

func formatContentType(name string, f delivery.Format) string {
	if name == "" {
		return "application/octet-stream"
	}
	return f.ContentType()
}
