package origin

import (
	"encoding/json"
	"strings"

	"github.com/mediacdn/mediacdn/origin/meta"
)

// fields (on listings and details) cuts each answer down to public_id,
// asset_id, folder and the fields it names, empty ones included, as
// Cloudinary does.

// fieldsInclude is what a listing with fields includes: the fields named
// decide, whatever the tags, context, metadata and moderations flags say.
func fieldsInclude(fields []string) include {
	return include{tags: named(fields, "tags"), context: named(fields, "context"),
		metadata: named(fields, "metadata"), moderations: named(fields, "moderation", "moderation_status")}
}

// named reports whether fields names any of names.
func named(fields []string, names ...string) bool {
	for _, f := range fields {
		for _, n := range names {
			if f == n {
				return true
			}
		}
	}
	return false
}

// emptyField is the value of a field that a full answer leaves out when it
// is empty, for when fields names it: every field named is answered, empty
// ones included (tags [], context {}), as Cloudinary does. False for a name
// that is no such field.
func emptyField(name string) (json.RawMessage, bool) {
	switch name {
	case "tags", "moderation":
		return json.RawMessage(`[]`), true
	case "context", "metadata":
		return json.RawMessage(`{}`), true
	case "moderation_status", "format", "original_filename":
		return json.RawMessage(`""`), true
	case "width", "height", "pages":
		return json.RawMessage(`0`), true
	case "backup":
		return json.RawMessage(`false`), true
	}
	return nil, false
}

// onlyFields encodes v (an asset's listing entry or details) with only
// public_id, asset_id and folder (the public ID's folder: what Cloudinary
// always answers with fields) and the fields named, empty ones included.
// Names that are no field of v are left out.
func onlyFields(v any, a *meta.Asset, fields []string) (json.RawMessage, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	var all map[string]json.RawMessage
	if err := json.Unmarshal(b, &all); err != nil {
		return nil, err
	}
	folder, _ := json.Marshal(folderOf(a.PublicID))
	out := map[string]json.RawMessage{"public_id": all["public_id"], "asset_id": all["asset_id"], "folder": folder}
	for _, f := range fields {
		if val, ok := all[f]; ok {
			out[f] = val
		} else if val, ok := emptyField(f); ok {
			out[f] = val
		}
	}
	return json.Marshal(out)
}

// folderOf is the folder part of a public ID ("" at the root).
func folderOf(publicID string) string {
	if i := strings.LastIndexByte(publicID, '/'); i >= 0 {
		return publicID[:i]
	}
	return ""
}
