package origin

import (
	"encoding/json"
	"strings"
	"time"

	"github.com/mediacdn/mediacdn/delivery"
	"github.com/mediacdn/mediacdn/origin/api"
	"github.com/mediacdn/mediacdn/origin/meta"
)

// assetJSON is an asset as the Upload API answers it, field for field
// (cloudinary-compat.md §3; the Go SDK's UploadResult decodes it).
type assetJSON struct {
	AssetID          string         `json:"asset_id"`
	PublicID         string         `json:"public_id"`
	Version          int64          `json:"version"`
	VersionID        string         `json:"version_id"`
	Signature        string         `json:"signature"`
	Width            int            `json:"width,omitempty"`
	Height           int            `json:"height,omitempty"`
	Format           string         `json:"format,omitempty"`
	ResourceType     string         `json:"resource_type"`
	CreatedAt        string         `json:"created_at"`
	Tags             []string       `json:"tags"`
	Pages            int            `json:"pages,omitempty"`
	Bytes            int64          `json:"bytes"`
	Type             string         `json:"type"`
	ETag             string         `json:"etag"`
	Placeholder      bool           `json:"placeholder"`
	URL              string         `json:"url"`
	SecureURL        string         `json:"secure_url"`
	AccessMode       string         `json:"access_mode"`
	AssetFolder      string         `json:"asset_folder"`
	DisplayName      string         `json:"display_name"`
	Context          *contextJSON   `json:"context,omitempty"`
	Metadata         map[string]any `json:"metadata,omitempty"`
	Overwritten      bool           `json:"overwritten,omitempty"`
	Existing         bool           `json:"existing,omitempty"`
	OriginalFilename string         `json:"original_filename,omitempty"`
	Eager            []eagerJSON    `json:"eager,omitempty"`
	// ResponsiveBreakpoints: upload_breakpoints.go.
	ResponsiveBreakpoints []breakpointsJSON   `json:"responsive_breakpoints,omitempty"`
	DeleteToken           string              `json:"delete_token,omitempty"`
	APIKey                string              `json:"api_key,omitempty"`
	Invalidation          *InvalidationStatus `json:"invalidation,omitempty"`
	Moderation            []moderationJSON    `json:"moderation,omitempty"`
	// analysisJSON carries colors, phash, image_metadata and exif when
	// the call asks for them.
	analysisJSON

	// AccessControl is the asset's access_control (accesscontrol.go).
	AccessControl []accessRuleJSON `json:"access_control,omitempty"`
}

type contextJSON struct {
	Custom map[string]string `json:"custom"`
}

type eagerJSON struct {
	Transformation string `json:"transformation"`
	Width          int    `json:"width"`
	Height         int    `json:"height"`
	Bytes          int64  `json:"bytes"`
	Format         string `json:"format"`
	URL            string `json:"url"`
	SecureURL      string `json:"secure_url"`
	// Status ("processing") and BatchID describe an image eager_async
	// is making (upload_eager_async.go): it has no size yet.
	Status  string `json:"-"`
	BatchID string `json:"-"`
}

// MarshalJSON writes an image being made as Cloudinary answers
// eager_async: its transformation, status, batch ID and URLs.
func (e eagerJSON) MarshalJSON() ([]byte, error) {
	if e.Status == "" {
		type made eagerJSON
		return json.Marshal(made(e))
	}
	return json.Marshal(struct {
		Transformation string `json:"transformation"`
		Status         string `json:"status"`
		BatchID        string `json:"batch_id"`
		URL            string `json:"url"`
		SecureURL      string `json:"secure_url"`
	}{e.Transformation, e.Status, e.BatchID, e.URL, e.SecureURL})
}

// timeJSON formats a time as Cloudinary does: RFC 3339 in UTC, seconds.
func timeJSON(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05Z") }

// assetResponse builds the Upload API's view of an asset.
func (c *call) assetResponse(a *meta.Asset) assetJSON {
	j := assetJSON{
		AssetID: a.AssetID, PublicID: a.PublicID, Version: a.Version, VersionID: a.VersionID,
		Signature: api.ResponseSignature(a.PublicID, a.Version, c.cl.APISecret),
		Width:     a.Width, Height: a.Height, Format: a.Format, ResourceType: a.ResourceType.String(),
		CreatedAt: timeJSON(a.CreatedAt), Tags: nonNil(a.Tags), Pages: a.Pages, Bytes: a.Bytes,
		Type: a.Type.String(), ETag: a.ETag, AccessMode: accessModeOf(a), AssetFolder: a.AssetFolder,
		DisplayName: a.DisplayName, OriginalFilename: a.OriginalFilename, APIKey: c.cl.APIKey,
		AccessControl: accessControlJSON(a.AccessControl),
	}
	j.URL, j.SecureURL = c.assetURLs(a, "", a.Format)
	if len(a.Context) > 0 {
		j.Context = &contextJSON{Custom: a.Context}
	}
	if md := c.visibleMetadata(a); len(md) > 0 {
		j.Metadata = md
	}
	if a.ModerationKind != "" {
		j.Moderation = []moderationJSON{{Kind: a.ModerationKind, Status: a.ModerationStatus}}
	}
	return j
}

// accessModeOf is an asset's access mode as responses show it: public or
// authenticated (whatever the delivery type: Cloudinary reports an asset of
// type authenticated as public unless its access mode says otherwise).
func accessModeOf(a *meta.Asset) string {
	if a.AccessMode == "" {
		return meta.AccessPublic
	}
	return a.AccessMode
}

// assetURLs are an asset's delivery URLs (versioned; signed for private and
// authenticated assets, and assets whose access mode is authenticated) on
// the configured delivery hosts.
func (c *call) assetURLs(a *meta.Asset, transformation, format string) (string, string) {
	rt, typ := a.ResourceType, a.Type
	u := delivery.URL{Cloud: c.cloud, Resource: rt, Type: typ, Transformation: transformation,
		Version: uint64(a.Version), HasVersion: true, PublicID: a.PublicID}
	if rt != delivery.Raw {
		u.Ext = format
	}
	if typ == delivery.Private || typ == delivery.Authenticated || a.AccessMode == meta.AccessAuthenticated {
		sig := u.Sign(c.cl.APISecret, delivery.SHA1, false)
		u.Signature = strings.TrimSuffix(strings.TrimPrefix(sig, "s--"), "--")
	}
	path := u.String()
	return strings.TrimRight(c.s.cfg.DeliveryURL, "/") + path, strings.TrimRight(c.s.cfg.SecureDeliveryURL, "/") + path
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
