package origin

// The Cloudinary parameters of each Admin API method (paramspec.go says
// what the lists mean). Sources: Cloudinary's Admin API reference, the Go
// SDK's admin param structs (paramspec_admin_test.go walks all of them) and
// the Node SDK's api.js. Parameters in the path (resource type, type,
// public ID, tag, asset ID) are not listed.

// listFlagNames are what every listing takes besides its selection.
var listFlagNames = []string{"max_results", "next_cursor", "direction", "tags", "context", "moderations", "metadata", "fields"}

// deleteOptionNames are what every bulk deletion takes besides its selection
// (clear_backups is ours: the Media Library's "clear backed-up versions").
var deleteOptionNames = []string{"keep_original", "invalidate", "transformations", "next_cursor", "clear_backups"}

// Admin API methods.
var (
	noParamsSpec = methodParams{}

	listSpec = methodParams{
		implemented: append([]string{"prefix", "public_ids", "start_at"}, listFlagNames...),
	}
	listByTagSpec        = methodParams{implemented: listFlagNames}
	listByContextSpec    = methodParams{implemented: append([]string{"key", "value"}, listFlagNames...)}
	listByModerationSpec = methodParams{implemented: listFlagNames}
	listByFolderSpec     = methodParams{implemented: append([]string{"asset_folder"}, listFlagNames...)}
	// By IDs: no paging or order.
	listByAssetIDsSpec = methodParams{implemented: []string{"asset_ids", "tags", "context", "moderations", "metadata", "fields"}}

	detailsSpec = methodParams{
		implemented: []string{"colors", "exif", "faces", "image_metadata", "media_metadata", "phash", "pages",
			"coordinates", "max_results", "derived_next_cursor", "related", "related_next_cursor", "versions", "fields"},
		refused: []string{"quality_analysis", "accessibility_analysis", "cinemagraph_analysis",
			"related_complementary", "related_complementary_next_cursor"},
	}

	updateSpec = methodParams{
		implemented: []string{"tags", "context", "metadata", "face_coordinates", "custom_coordinates",
			"moderation_status", "display_name", "asset_folder", "access_mode"},
		// Add-ons, notifications, access control and the rest this server
		// does not have.
		refused: []string{"unique_display_name", "raw_convert", "ocr", "categorization", "detection",
			"similarity_search", "visual_search", "auto_tagging", "background_removal", "quality_override",
			"notification_url", "admin_context", "access_control", "clear_invalid", "headers", "regions",
			"auto_transcription"},
	}

	updateAccessModeSpec = methodParams{
		implemented: []string{"access_mode", "public_ids", "prefix", "tag", "next_cursor"},
	}

	deleteSpec           = methodParams{implemented: append([]string{"public_ids", "prefix", "all"}, deleteOptionNames...)}
	deleteByTagSpec      = methodParams{implemented: deleteOptionNames}
	deleteByAssetIDsSpec = methodParams{implemented: append([]string{"asset_ids"}, deleteOptionNames...)}
	deleteDerivedSpec    = methodParams{implemented: []string{"derived_resource_ids", "invalidate"}}

	restoreSpec           = methodParams{implemented: []string{"public_ids", "versions", "invalidate"}}
	restoreByAssetIDsSpec = methodParams{implemented: []string{"asset_ids", "versions", "invalidate"}}
	deleteBackupsSpec     = methodParams{implemented: []string{"version_ids"}}
	relateSpec            = methodParams{implemented: []string{"assets_to_relate"}}
	unrelateSpec          = methodParams{implemented: []string{"assets_to_unrelate"}}

	tagsListSpec = methodParams{implemented: []string{"prefix", "max_results", "next_cursor"}}

	// GET transformations lists them, or with transformation gets one.
	transformationGetSpec    = methodParams{implemented: []string{"transformation", "named", "max_results", "next_cursor"}}
	transformationCreateSpec = methodParams{implemented: []string{"name", "transformation", "allowed_for_strict"}}
	transformationUpdateSpec = methodParams{implemented: []string{"transformation", "allowed_for_strict", "unsafe_update"}}
	transformationDeleteSpec = methodParams{implemented: []string{"transformation"}}
)
