package origin

import (
	"slices"

	"github.com/mediacdn/mediacdn/origin/api"
)

// The Upload API's parameter policy: for each action routeUpload serves
// (uploadRoute pairs each with its handler), the Cloudinary parameters
// the server acts on and those it refuses with "Parameter <name> is not
// supported by this server" (origin/api/paramspec.go). docs/upload-api.md describes
// each parameter; upload_paramspec_test.go checks that every parameter the
// official SDKs send for a method is in one list or the other, and that
// each refusal happens before anything is decoded, fetched or stored.

// uploadSpec is the upload method's policy; the other methods' follow,
// one function each.
func uploadSpec() api.MethodParams {
	return signedParams(api.MethodParams{Implemented: uploadImplemented(), Refused: uploadRefused()})
}

// uploadImplemented are the upload method's Cloudinary parameters that
// this server acts on.
func uploadImplemented() []string {
	return []string{
		"file", "resource_type", "type", "public_id", "public_id_prefix", "folder", "asset_folder",
		"display_name", "unique_display_name", "use_filename", "unique_filename", "use_filename_as_display_name",
		"use_asset_folder_as_public_id_prefix", "filename_override", "discard_original_filename",
		"overwrite", "tags", "context", "transformation", "format", "allowed_formats", "eager",
		"eager_async", "eager_notification_url", "async",
		"invalidate", "return_delete_token", "moderation", "backup", "access_mode", "access_control", "notification_url",
		"colors", "phash", "image_metadata", "media_metadata", "exif", "faces", "responsive_breakpoints",
		"face_coordinates", "custom_coordinates", "metadata",
		"upload_preset",
	}
}

// explicitSpec refuses what upload refuses and, since it would change
// nothing here, what only an upload does (the file, naming, conversion,
// storage): upload's implemented parameters that explicit does not
// implement.
func explicitSpec() api.MethodParams {
	m := api.MethodParams{
		Implemented: []string{
			"public_id", "resource_type", "type", "tags", "context", "eager", "invalidate", "moderation",
			"display_name", "asset_folder", "access_mode", "access_control", "colors", "phash", "image_metadata", "media_metadata",
			"exif", "faces", "face_coordinates", "custom_coordinates", "notification_url", "responsive_breakpoints",
			"upload_preset", "eager_async", "eager_notification_url", "metadata",
		},
		Refused: uploadRefused(),
	}
	for _, name := range uploadImplemented() {
		if !slices.Contains(m.Implemented, name) {
			m.Refused = append(m.Refused, name)
		}
	}
	return signedParams(m)
}

func renameSpec() api.MethodParams {
	return signedParams(api.MethodParams{
		Implemented: []string{"from_public_id", "to_public_id", "resource_type", "type", "to_type",
			"overwrite", "invalidate", "notification_url", "context", "metadata"},
	})
}

func destroySpec() api.MethodParams {
	return signedParams(api.MethodParams{
		Implemented: []string{"public_id", "resource_type", "type", "invalidate", "notification_url"},
		Refused:     []string{"callback"},
	})
}

func tagsSpec() api.MethodParams {
	return signedParams(api.MethodParams{Implemented: []string{"command", "tag", "public_ids", "resource_type", "type", "notification_url"}})
}

func contextSpec() api.MethodParams {
	return signedParams(api.MethodParams{Implemented: []string{"command", "context", "public_ids", "resource_type", "type", "notification_url"}})
}

func textSpec() api.MethodParams {
	return signedParams(api.MethodParams{
		Implemented: []string{"text", "public_id", "font_family", "font_size", "font_color", "font_weight",
			"font_style", "background", "opacity", "text_decoration"},
		Refused: []string{"text_align", "line_spacing", "font_hinting", "font_antialiasing"},
	})
}

// metadataSpec is the metadata method (metadata_values.go).
func metadataSpec() api.MethodParams {
	return signedParams(api.MethodParams{Implemented: []string{"metadata", "public_ids", "type", "resource_type", "clear_invalid"}})
}

// deleteByTokenSpec: the token is the only credential.
func deleteByTokenSpec() api.MethodParams { return api.MethodParams{Implemented: []string{"token"}} }

// signedParams adds the parameters that authenticate a call (origin/api/auth.go).
func signedParams(m api.MethodParams) api.MethodParams {
	m.Implemented = append(m.Implemented, "api_key", "timestamp", "signature", "signature_algorithm")
	return m
}

// uploadRefused are the upload method's Cloudinary parameters that this
// server does not implement yet: callbacks, clearing invalid metadata values,
// regions, add-ons and AI
// analyses. Later issues move them to the implemented list as they land.
func uploadRefused() []string {
	return []string{
		"callback", "on_success", "eval",
		"clear_invalid",
		"regions",
		"public_ids", "proxy", "headers",
		"raw_convert", "categorization", "auto_tagging", "detection", "ocr", "background_removal",
		"visual_search", "similarity_search",
		"quality_analysis", "quality_override", "accessibility_analysis", "cinemagraph_analysis",
		"auto_chaptering", "auto_transcription", "auto_video_details",
	}
}
