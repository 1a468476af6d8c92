package origin

import "github.com/mediacdn/mediacdn/origin/api"

// The Cloudinary parameters of each Admin API method (origin/api/paramspec.go says
// what the lists mean); adminRoute gives each route its own. Sources:
// Cloudinary's Admin API reference, the Go SDK's admin param structs
// (admin_paramspec_test.go walks all of them) and the Node SDK's api.js.
// Parameters in the path (resource type, type, public ID, tag, asset ID)
// are not listed.

// listFlagNames are what every paged listing takes besides its selection.
func listFlagNames(more ...string) []string {
	return append(more, "max_results", "next_cursor", "direction", "tags", "context", "moderations", "metadata", "fields")
}

// deleteOptionNames are what every bulk deletion takes besides its
// selection (clear_backups is ours: the Media Library's "clear backed-up
// versions"; notification_url is Cloudinary's, though the SDKs' param
// structs lack it).
func deleteOptionNames(more ...string) []string {
	return append(more, "keep_original", "invalidate", "transformations", "next_cursor", "clear_backups", "notification_url")
}

// only is a method that implements every Cloudinary parameter it has.
func only(names ...string) api.MethodParams { return api.MethodParams{Implemented: names} }

// Listings: all or by prefix or public IDs, by tag, context, moderation
// queue, asset folder; by asset IDs (no paging or order).
func listSpec() api.MethodParams {
	return only(listFlagNames("prefix", "public_ids", "start_at")...)
}

func listByTagSpec() api.MethodParams {
	return only(listFlagNames()...)
}

func listByContextSpec() api.MethodParams {
	return only(listFlagNames("key", "value")...)
}

func listByModerationSpec() api.MethodParams {
	return only(listFlagNames()...)
}

func listByFolderSpec() api.MethodParams {
	return only(listFlagNames("asset_folder")...)
}

func listByAssetIDsSpec() api.MethodParams {
	return only("asset_ids", "tags", "context", "moderations", "metadata", "fields")
}

// detailsSpec is GET resources/<rt>/<type>/<public_id> and
// resources/<asset_id>.
func detailsSpec() api.MethodParams {
	return api.MethodParams{
		Implemented: []string{"colors", "exif", "faces", "image_metadata", "media_metadata", "phash", "pages",
			"coordinates", "max_results", "derived_next_cursor", "related", "related_next_cursor", "versions", "fields"},
		Refused: []string{"quality_analysis", "accessibility_analysis", "cinemagraph_analysis",
			"related_complementary", "related_complementary_next_cursor"},
	}
}

// updateSpec is POST resources/<rt>/<type>/<public_id>: what needs
// add-ons, access control and the rest this server does not
// have is refused.
func updateSpec() api.MethodParams {
	return api.MethodParams{
		Implemented: []string{"tags", "context", "metadata", "clear_invalid", "face_coordinates", "custom_coordinates",
			"moderation_status", "display_name", "unique_display_name", "asset_folder", "access_mode", "access_control",
			"notification_url"},
		Refused: []string{"raw_convert", "ocr", "categorization", "detection",
			"similarity_search", "visual_search", "auto_tagging", "background_removal", "quality_override",
			"admin_context", "headers", "regions",
			"auto_transcription"},
	}
}

// publishSpec is POST resources/<rt>/publish_resources (next_cursor and
// notification_url are ours, as update_access_mode's and rename's).
func publishSpec() api.MethodParams {
	return only("public_ids", "prefix", "tag", "type", "invalidate", "overwrite", "next_cursor", "notification_url")
}

func updateAccessModeSpec() api.MethodParams {
	return only("access_mode", "public_ids", "prefix", "tag", "next_cursor")
}

// Bulk deletions: by public IDs, prefix or all; by tag; by asset IDs;
// derived resources by ID.
func deleteSpec() api.MethodParams {
	return only(deleteOptionNames("public_ids", "prefix", "all")...)
}

func deleteByTagSpec() api.MethodParams {
	return only(deleteOptionNames()...)
}

func deleteByAssetIDsSpec() api.MethodParams {
	return only(deleteOptionNames("asset_ids")...)
}

func deleteDerivedSpec() api.MethodParams {
	return only("derived_resource_ids", "invalidate")
}

// Backups and related assets.
func restoreSpec() api.MethodParams {
	return only("public_ids", "versions", "invalidate")
}

func restoreByAssetIDsSpec() api.MethodParams {
	return only("asset_ids", "versions", "invalidate")
}

func deleteBackupsSpec() api.MethodParams {
	return only("version_ids")
}

func relateSpec() api.MethodParams {
	return only("assets_to_relate")
}

func unrelateSpec() api.MethodParams {
	return only("assets_to_unrelate")
}

// tagsListSpec is GET tags/<rt>.
func tagsListSpec() api.MethodParams {
	return only("prefix", "max_results", "next_cursor")
}

// Transformations: GET lists them, or with transformation gets one.
func transformationGetSpec() api.MethodParams {
	return only("transformation", "named", "max_results", "next_cursor")
}

func transformationCreateSpec() api.MethodParams {
	return only("name", "transformation", "allowed_for_strict")
}

func transformationUpdateSpec() api.MethodParams {
	return only("transformation", "allowed_for_strict", "unsafe_update")
}

func transformationDeleteSpec() api.MethodParams {
	return only("transformation")
}

// Upload mappings (admin_mappings.go).
// Folders (admin_folders.go), config and usage.
func folderListSpec() api.MethodParams { return only("max_results", "next_cursor") }

func folderCreateSpec() api.MethodParams { return only() }

func folderRenameSpec() api.MethodParams { return only("to_folder") }

func folderDeleteSpec() api.MethodParams { return only() }

func configSpec() api.MethodParams { return only("settings") }

func usageSpec() api.MethodParams { return only("date") }

func mappingGetSpec() api.MethodParams { return only("folder", "max_results", "next_cursor") }

func mappingWriteSpec() api.MethodParams { return only("folder", "template") }

func mappingDeleteSpec() api.MethodParams { return only("folder") }

// Structured metadata fields (admin_metadata_fields.go): a field's
// definition, a datasource's entries, entry IDs, an order, a search of
// the datasources.
func metadataFieldSpec() api.MethodParams {
	return only("external_id", "type", "label", "mandatory", "default_value", "validation", "datasource",
		"restrictions", "default_disabled", "allow_dynamic_list_values")
}

func datasourceSearchSpec() api.MethodParams { return only("term", "max_results") }

func datasourceSpec() api.MethodParams { return only("values") }

func entryIDsSpec() api.MethodParams { return only("external_ids") }

func orderSpec() api.MethodParams { return only("order_by", "direction") }

// Triggers (admin_triggers.go): filter, payload_template and additive
// need Cloudinary's expression language and templates, refused.
func triggerListSpec() api.MethodParams { return only("event_type") }

func triggerWriteSpec() api.MethodParams {
	return api.MethodParams{Implemented: []string{"uri", "event_type", "auth_scheme"},
		Refused: []string{"additive", "filter", "filter_language", "payload_template"}}
}

// Notifications (admin_notifications.go, a mediacdn extension).
func notificationListSpec() api.MethodParams { return only("state", "max_results", "next_cursor") }
