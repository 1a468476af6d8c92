package origin

import (
	"context"
	"errors"
	"net/http"

	"github.com/mediacdn/mediacdn/delivery"
	"github.com/mediacdn/mediacdn/origin/blob"
	"github.com/mediacdn/mediacdn/origin/meta"
)

// maxLayerAssets bounds the layer originals one request reads (imaging
// refuses more layers than this anyway: its own bound is the same).
const maxLayerAssets = 8

// layerRefs lists the image and fetch layers (l_, u_) of a
// transformation, each once, keyed by the value as written. Text layers
// are imaging's; a bad value answers its parse error. An authenticated layer needs a signed URL (API calls are
// signed): without one it answers 401, before any derived image is served.
func layerRefs(tr delivery.Transformation, signed bool) (map[string]delivery.Layer, error) {
	var refs map[string]delivery.Layer
	for i := range tr.Components {
		for _, p := range tr.Components[i].Other {
			if p.Key != delivery.KeyOverlay && p.Key != delivery.KeyUnderlay {
				continue
			}
			l, err := delivery.ParseLayer(p.Value)
			if err != nil {
				return nil, err
			}
			if l.Kind != delivery.LayerImage && l.Kind != delivery.LayerFetch {
				continue
			}
			if l.Type == delivery.Authenticated && !signed {
				return nil, delivery.Errorf(http.StatusUnauthorized,
					"Missing URL signature - authenticated layers need a signed URL")
			}
			if refs == nil {
				refs = make(map[string]delivery.Layer)
			}
			refs[p.Value] = l
			if len(refs) > maxLayerAssets {
				return nil, delivery.Errorf(http.StatusBadRequest, "Too many layers - the limit is %d", maxLayerAssets)
			}
		}
	}
	return refs, nil
}

// layerAssets reads the originals of the image layers of req's
// transformation, once each, for imaging (which never reads the store).
// A missing one answers 404 naming it, as Cloudinary does. A fetch layer
// is fetched as a fetch delivery URL of its remote URL would be (the
// cloud's fetch_domains, the SSRF-guarded fetcher, the stored copy and its
// refresh). Layer originals count against imaging's input limits when it
// decodes them.
func (s *Server) layerAssets(ctx context.Context, req *deriveRequest) (map[string][]byte, error) {
	refs, err := layerRefs(req.tr, req.signed)
	if err != nil || len(refs) == 0 {
		return nil, err
	}
	out := make(map[string][]byte, len(refs))
	for v, l := range refs {
		if l.Kind == delivery.LayerFetch {
			if out[v], err = s.fetchLayer(ctx, req, l.URL); err != nil {
				return nil, err
			}
			continue
		}
		key := meta.Key{Cloud: req.key.Cloud, ResourceType: delivery.Image, Type: l.Type, PublicID: l.PublicID}
		a, err := s.meta.Asset(ctx, key)
		if errors.Is(err, meta.ErrNotFound) {
			return nil, delivery.Errorf(http.StatusNotFound, "Resource not found - %s", l.PublicID)
		} else if err != nil {
			return nil, err
		}
		if a.AccessMode == meta.AccessAuthenticated && !req.signed {
			return nil, delivery.Errorf(http.StatusUnauthorized,
				"Missing URL signature - authenticated layers need a signed URL")
		}
		if len(a.AccessControl) > 0 && !req.signed {
			// The image made is stored and cached for anyone, long after
			// any anonymous window: only signed requests may use it.
			return nil, delivery.Errorf(http.StatusUnauthorized,
				"Missing URL signature - layers whose access_control limits them need a signed URL")
		}
		if out[v], err = blob.ReadAll(s.blobs, a.Blob); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// fetchLayer reads the stored copy of a fetch layer's remote image,
// downloading it first when there is none. Under fetch_signed_only the
// request itself must be signed (a signed URL or an API call).
func (s *Server) fetchLayer(ctx context.Context, req *deriveRequest, remote string) ([]byte, error) {
	u := &delivery.URL{Cloud: req.key.Cloud, Resource: delivery.Image, Type: delivery.Fetch, PublicID: remote}
	a, err := s.fetched(ctx, u, req.cloud, req.signed)
	if err != nil {
		return nil, err
	}
	return blob.ReadAll(s.blobs, a.Blob)
}
