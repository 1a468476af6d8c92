package origin

import "slices"

// The Upload API's parameter policy: for each action routeUpload serves
// (uploadRoute pairs each with its handler), the Cloudinary parameters
// the server acts on and those it refuses with "Parameter <name> is not
// supported by this server" (api_paramspec.go). docs/upload-api.md describes
// each parameter; upload_paramspec_test.go checks that every parameter the
// official SDKs send for a method is in one list or the other, and that
// each refusal happens before anything is decoded, fetched or stored.

// uploadSpec is the upload method's policy; the other methods' follow,
// one function each.
func uploadSpec() methodParams {
	return signedParams(methodParams{implemented: uploadImplemented(), refused: uploadRefused()})
}

// uploadImplemented are the upload method's Cloudinary parameters that
// this server acts on.
func uploadImplemented() []string {
	return []string{
		"file", "resource_type", "type", "public_id", "public_id_prefix", "folder", "asset_folder",
		"display_name", "use_filename", "unique_filename", "use_filename_as_display_name",
		"use_asset_folder_as_public_id_prefix", "filename_override", "discard_original_filename",
		"overwrite", "tags", "context", "transformation", "format", "allowed_formats", "eager",
		"invalidate", "return_delete_token", "moderation", "backup", "access_mode",
		"colors", "phash", "image_metadata", "media_metadata", "exif",
	}
}

// explicitSpec refuses what upload refuses and, since it would change
// nothing here, what only an upload does (the file, naming, conversion,
// storage): upload's implemented parameters that explicit does not
// implement.
func explicitSpec() methodParams {
	m := methodParams{
		implemented: []string{
			"public_id", "resource_type", "type", "tags", "context", "eager", "invalidate", "moderation",
			"display_name", "asset_folder", "access_mode", "colors", "phash", "image_metadata", "media_metadata",
			"exif",
		},
		refused: uploadRefused(),
	}
	for _, name := range uploadImplemented() {
		if !slices.Contains(m.implemented, name) {
			m.refused = append(m.refused, name)
		}
	}
	return signedParams(m)
}

func renameSpec() methodParams {
	return signedParams(methodParams{
		implemented: []string{"from_public_id", "to_public_id", "resource_type", "type", "to_type",
			"overwrite", "invalidate"},
		refused: []string{"context", "metadata", "notification_url"},
	})
}

func destroySpec() methodParams {
	return signedParams(methodParams{
		implemented: []string{"public_id", "resource_type", "type", "invalidate"},
		refused:     []string{"notification_url", "callback"},
	})
}

func tagsSpec() methodParams {
	return signedParams(methodParams{implemented: []string{"command", "tag", "public_ids", "resource_type", "type"}})
}

func contextSpec() methodParams {
	return signedParams(methodParams{implemented: []string{"command", "context", "public_ids", "resource_type", "type"}})
}

func textSpec() methodParams {
	return signedParams(methodParams{
		implemented: []string{"text", "public_id", "font_family", "font_size", "font_color", "font_weight",
			"font_style", "background", "opacity", "text_decoration"},
		refused: []string{"text_align", "line_spacing", "font_hinting", "font_antialiasing"},
	})
}

// deleteByTokenSpec: the token is the only credential.
func deleteByTokenSpec() methodParams { return methodParams{implemented: []string{"token"}} }

// signedParams adds the parameters that authenticate a call (api_auth.go).
func signedParams(m methodParams) methodParams {
	m.implemented = append(m.implemented, "api_key", "timestamp", "signature", "signature_algorithm")
	return m
}

// uploadRefused are the upload method's Cloudinary parameters that this
// server does not implement yet: notifications and callbacks, asynchronous
// processing, structured metadata, access control lists, upload presets, face
// detection and coordinates, responsive breakpoints, add-ons and AI
// analyses. Later issues move them to the implemented list as they land.
func uploadRefused() []string {
	return []string{
		"notification_url", "eager_notification_url", "callback", "on_success", "eval",
		"async", "eager_async",
		"metadata", "clear_invalid",
		"access_control",
		"upload_preset",
		"faces", "face_coordinates", "custom_coordinates", "regions",
		"responsive_breakpoints",
		"unique_display_name", "public_ids", "proxy", "headers",
		"raw_convert", "categorization", "auto_tagging", "detection", "ocr", "background_removal",
		"visual_search", "similarity_search",
		"quality_analysis", "quality_override", "accessibility_analysis", "cinemagraph_analysis",
		"auto_chaptering", "auto_transcription", "auto_video_details",
	}
}
