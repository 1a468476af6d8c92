package origin

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/mediacdn/mediacdn/delivery"
	"github.com/mediacdn/mediacdn/origin/api"
	"github.com/mediacdn/mediacdn/origin/meta"
)

// Unsigned upload: an upload with upload_preset and no api_key (nor HTTP
// Basic credentials) is a public endpoint, as Cloudinary's is for
// browsers and mobile apps. It is accepted only through a preset marked
// unsigned (upload_presets.go), with the few parameters Cloudinary lets
// an unsigned caller set, and within per-cloud and per-client-address
// rates (Config.Uploads.UnsignedPerCloud, UnsignedPerClient), counted
// before its file is read. Everything else (allowed_formats, the
// incoming transformation, overwrite) comes from the preset, and the
// server's size and pixel bounds hold as for any upload.

// unsignedAllowed are the upload parameters an unsigned caller may set:
// Cloudinary's list (upload_preset, callback, public_id, folder,
// asset_folder, tags, context, metadata, face_coordinates,
// custom_coordinates, source, filename_override, manifest_transformation,
// manifest_json, template, template_vars, regions, public_id_prefix)
// less what this server refuses in every upload.
var unsignedAllowed = []string{"upload_preset", "public_id", "folder", "asset_folder", "tags", "context",
	"metadata", "face_coordinates", "custom_coordinates", "filename_override", "public_id_prefix"}

// unsignedTransport are what carries an unsigned upload rather than sets
// it: the file, the resource type the SDKs send as a field, and empty or
// stray credentials.
var unsignedTransport = []string{"file", "resource_type", "api_key", "timestamp", "signature", "signature_algorithm"}

// unsignedWindow is the window unsigned uploads are counted in.
const unsignedWindow = time.Minute

// isUnsigned reports an unsigned upload: the upload action, no HTTP Basic
// credentials, an upload preset and no api_key.
func isUnsigned(action string, basic bool, p *api.Params) bool {
	return action == "upload" && !basic && p.Get("api_key") == "" && p.Get("upload_preset") != ""
}

// checkUnsignedParams refuses an unsigned upload through a signed preset,
// or setting what an unsigned caller may not (public_id too with the
// preset's disallow_public_id), in Cloudinary's words.
func checkUnsignedParams(p *api.Params, pr *meta.UploadPreset) error {
	if !pr.Unsigned {
		return api.BadRequest("Upload preset must be whitelisted for unsigned uploads")
	}
	cloudinary := append(uploadImplemented(), uploadRefused()...)
	for _, k := range p.Names() {
		if !slices.Contains(cloudinary, k) || slices.Contains(unsignedTransport, k) {
			continue // not Cloudinary's: ignored, as by any upload
		}
		if !slices.Contains(unsignedAllowed, k) || k == "public_id" && pr.DisallowPublicID {
			return api.BadRequest("%s parameter is not allowed when using unsigned upload. Only %s upload parameters are allowed.",
				strings.ToUpper(k[:1])+k[1:], strings.Join(allowedFor(pr), ","))
		}
	}
	return nil
}

// allowedFor is unsignedAllowed as pr allows it.
func allowedFor(pr *meta.UploadPreset) []string {
	if !pr.DisallowPublicID {
		return unsignedAllowed
	}
	return slices.DeleteFunc(slices.Clone(unsignedAllowed), func(s string) bool { return s == "public_id" })
}

// takeUnsigned counts an unsigned upload against the client address's
// and the cloud's rates, once per request; past one it answers 420 Rate
// Limit Exceeded (the status of Cloudinary's rate limits) with
// Retry-After at the window's end.
func (c *call) takeUnsigned() error {
	if c.unsignedCounted {
		return nil
	}
	c.unsignedCounted = true
	cfg := c.s.cfg.Uploads
	now := c.s.now()
	window := now.Truncate(unsignedWindow)
	for _, b := range []struct {
		key, what string
		limit     int
	}{
		{"unsigned-client:" + c.cloud + ":" + clientAddr(c.r), "unsigned uploads a minute from one address", cfg.UnsignedPerClient},
		{"unsigned-cloud:" + c.cloud, "unsigned uploads a minute for this cloud", cfg.UnsignedPerCloud},
	} {
		if b.limit < 0 {
			continue
		}
		n, err := c.s.unsignedCounts.AddCount(context.WithoutCancel(c.ctx()), b.key, window, 1)
		if err != nil {
			return delivery.Internal(err)
		}
		if n > b.limit {
			return &delivery.Error{Status: 420, RetryAfter: max(window.Add(unsignedWindow).Sub(now), time.Second),
				Message: fmt.Sprintf("Rate Limit Exceeded. Limit of %d %s reached. Try again later", b.limit, b.what)}
		}
	}
	return nil
}

// unsignedCounter counts unsigned uploads where the Admin API's rate
// limit is counted: in the metadata store when origins share it, else in
// memory.
func unsignedCounter(m meta.Store) api.Counter {
	if c := adminCounter(m); c != nil {
		return c
	}
	return api.NewMemoryCounter()
}
