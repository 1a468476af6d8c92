package origin

import (
	"encoding/json"
	"strconv"

	"github.com/mediacdn/mediacdn/delivery"
	"github.com/mediacdn/mediacdn/origin/meta"
)

// resourceJSON is an asset as Admin API listings show it, field for field
// (the Go SDK's api.BriefAssetResult decodes it). Optional parts appear
// when the listing asks for them (tags, context, metadata, moderations).
type resourceJSON struct {
	AssetID          string             `json:"asset_id"`
	PublicID         string             `json:"public_id"`
	Format           string             `json:"format,omitempty"`
	Version          int64              `json:"version"`
	ResourceType     string             `json:"resource_type"`
	Type             string             `json:"type"`
	CreatedAt        string             `json:"created_at"`
	Bytes            int64              `json:"bytes"`
	Width            int                `json:"width,omitempty"`
	Height           int                `json:"height,omitempty"`
	Backup           bool               `json:"backup,omitempty"`
	AccessMode       string             `json:"access_mode"`
	AccessControl    []accessRuleJSON   `json:"access_control,omitempty"`
	URL              string             `json:"url"`
	SecureURL        string             `json:"secure_url"`
	AssetFolder      string             `json:"asset_folder"`
	DisplayName      string             `json:"display_name"`
	Tags             *[]string          `json:"tags,omitempty"`
	Context          *contextJSON       `json:"context,omitempty"`
	Metadata         *metadataValueJSON `json:"metadata,omitempty"`
	ModerationStatus string             `json:"moderation_status,omitempty"`
	Moderation       []moderationJSON   `json:"moderation,omitempty"`
}

// metadataValueJSON is an asset's structured metadata values by field
// (metadata_values.go).
type metadataValueJSON = map[string]any

// moderationJSON is one moderation of an asset.
type moderationJSON struct {
	Kind   string `json:"kind"`
	Status string `json:"status"`
}

// include says which optional parts a listing shows.
type include struct {
	tags, context, metadata, moderations bool
}

// resource builds an asset's listing entry.
func (c *call) resource(a *meta.Asset, inc include) resourceJSON {
	j := resourceJSON{
		AssetID: a.AssetID, PublicID: a.PublicID, Version: a.Version, ResourceType: a.ResourceType.String(),
		Type: a.Type.String(), CreatedAt: timeJSON(a.CreatedAt), Bytes: a.Bytes, Width: a.Width, Height: a.Height,
		Backup: a.BackedUp(c.cl.Backup), AccessMode: accessModeOf(a), AssetFolder: a.AssetFolder, DisplayName: a.DisplayName,
		AccessControl: accessControlJSON(a.AccessControl),
	}
	if a.ResourceType != delivery.Raw {
		j.Format = a.Format
	}
	j.URL, j.SecureURL = c.assetURLs(a, "", a.Format)
	if inc.tags {
		tags := nonNil(a.Tags)
		j.Tags = &tags
	}
	if inc.context && len(a.Context) > 0 {
		j.Context = &contextJSON{Custom: a.Context}
	}
	if inc.metadata {
		md := c.visibleMetadata(a)
		j.Metadata = &md
	}
	if inc.moderations && a.ModerationStatus != "" {
		j.ModerationStatus = a.ModerationStatus
		j.Moderation = []moderationJSON{{Kind: a.ModerationKind, Status: a.ModerationStatus}}
	}
	return j
}

// listJSON is a listing's answer: Resources holds []resourceJSON, or the
// entries cut down to the fields asked for.
type listJSON struct {
	Resources  any    `json:"resources"`
	NextCursor string `json:"next_cursor,omitempty"`
	TotalCount *int64 `json:"total_count,omitempty"`
}

// listAnswer encodes assets for a listing; with fields, each entry has
// only the fields named (onlyFields).
func (c *call) listAnswer(assets []*meta.Asset, inc include, fields []string, next string) (listJSON, error) {
	if len(fields) > 0 {
		inc = fieldsInclude(fields)
	}
	full := make([]resourceJSON, len(assets))
	for i, a := range assets {
		full[i] = c.resource(a, inc)
	}
	if len(fields) == 0 {
		return listJSON{Resources: full, NextCursor: next}, nil
	}
	cut := make([]json.RawMessage, len(full))
	for i := range full {
		var err error
		if cut[i], err = onlyFields(full[i], assets[i], fields); err != nil {
			return listJSON{}, err
		}
	}
	return listJSON{Resources: cut, NextCursor: next}, nil
}

// derivedJSON is a derived resource in an asset's details.
type derivedJSON struct {
	Transformation string `json:"transformation"`
	Format         string `json:"format"`
	Bytes          int64  `json:"bytes"`
	// Width and Height are the derived image's (our extension; absent
	// when not known).
	Width     int    `json:"width,omitempty"`
	Height    int    `json:"height,omitempty"`
	ID        string `json:"id"`
	URL       string `json:"url"`
	SecureURL string `json:"secure_url"`
}

// derivedID is a derived resource's public ID.
func derivedID(id int64) string { return strconv.FormatInt(id, 10) }

// parseDerivedID reads one; false when it is not one.
func parseDerivedID(s string) (int64, bool) {
	n, err := strconv.ParseInt(s, 10, 64)
	return n, err == nil && n > 0
}

// derived describes a derived resource of a.
func (c *call) derived(a *meta.Asset, d meta.Derived) derivedJSON {
	format := d.Format
	u, su := c.assetURLs(a, d.Transformation, format)
	return derivedJSON{Transformation: d.Transformation, Format: format, Bytes: d.Bytes, Width: d.Width, Height: d.Height,
		ID: derivedID(d.ID), URL: u, SecureURL: su}
}
