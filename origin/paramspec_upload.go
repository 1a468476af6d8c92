package origin

// The Upload API's parameter policy: for each method routeUpload serves,
// the Cloudinary parameters the server acts on and those it refuses with
// "Parameter <name> is not supported by this server" (paramspec.go).
// docs/upload-api.md describes each parameter; paramspec_upload_test.go
// checks that every parameter the official SDKs send for a method is in
// one list or the other, and that each refusal happens before anything is
// read, stored or fetched.

// uploadMethodParams is the policy of one Upload API action; ok is false
// for an action the server does not route.
func uploadMethodParams(action string) (methodParams, bool) {
	var m methodParams
	switch action {
	case "upload":
		m = methodParams{
			implemented: []string{
				"file", "resource_type", "type", "public_id", "public_id_prefix", "folder", "asset_folder",
				"display_name", "use_filename", "unique_filename", "use_filename_as_display_name",
				"use_asset_folder_as_public_id_prefix", "filename_override", "discard_original_filename",
				"overwrite", "tags", "context", "transformation", "format", "allowed_formats", "eager",
				"invalidate", "return_delete_token", "moderation", "backup", "access_mode",
				"colors", "phash", "image_metadata", "media_metadata", "exif",
			},
			refused: uploadRefused(),
		}
	case "explicit":
		m = methodParams{
			implemented: []string{
				"public_id", "resource_type", "type", "tags", "context", "eager", "invalidate", "moderation",
				"display_name", "asset_folder", "access_mode", "colors", "phash", "image_metadata", "media_metadata",
				"exif",
			},
			// What only an upload does (naming, the file, its conversion
			// and storage) is refused on explicit too: it would change
			// nothing here.
			refused: append(uploadRefused(),
				"public_id_prefix", "folder", "use_filename", "unique_filename", "use_filename_as_display_name",
				"use_asset_folder_as_public_id_prefix", "filename_override", "discard_original_filename",
				"overwrite", "transformation", "format", "allowed_formats", "return_delete_token", "backup"),
		}
	case "rename":
		m = methodParams{
			implemented: []string{"from_public_id", "to_public_id", "resource_type", "type", "to_type",
				"overwrite", "invalidate"},
			refused: []string{"context", "metadata", "notification_url"},
		}
	case "destroy":
		m = methodParams{
			implemented: []string{"public_id", "resource_type", "type", "invalidate"},
			refused:     []string{"notification_url", "callback"},
		}
	case "tags":
		m = methodParams{implemented: []string{"command", "tag", "public_ids", "resource_type", "type"}}
	case "context":
		m = methodParams{implemented: []string{"command", "context", "public_ids", "resource_type", "type"}}
	case "text":
		m = methodParams{
			implemented: []string{"text", "public_id", "font_family", "font_size", "font_color", "font_weight",
				"font_style", "background", "opacity", "text_decoration"},
			refused: []string{"text_align", "line_spacing", "font_hinting", "font_antialiasing"},
		}
	case "delete_by_token":
		m = methodParams{implemented: []string{"token"}}
	default:
		return methodParams{}, false
	}
	if action != "delete_by_token" { // the parameters that authenticate a call (auth.go)
		m.implemented = append(m.implemented, "api_key", "timestamp", "signature", "signature_algorithm")
	}
	return m, true
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
