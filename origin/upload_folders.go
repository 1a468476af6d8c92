package origin

import (
	"context"

	"github.com/mediacdn/mediacdn/config"
	"github.com/mediacdn/mediacdn/origin/api"
	"github.com/mediacdn/mediacdn/origin/meta"
)

// A cloud's folder mode (config.Cloud.FolderMode, docs/upload-api.md)
// decides where an asset's folder comes from. In dynamic mode it is the
// asset_folder parameter (the folder parameter's value when not given),
// separate from the public ID. In fixed mode it is the public ID's folder,
// always: uploads, explicit and updates refuse asset_folder, and a rename
// moves the asset to its new public ID's folder (meta.RenameFixed).

// fixedFolders reports a cloud in fixed folder mode.
func (c *call) fixedFolders() bool { return c.cl.Folders() == config.FixedFolders }

// checkFolderParams refuses, in fixed folder mode, the parameters that set
// an asset folder apart from the public ID (generate_archive's
// target_asset_folder too).
func (c *call) checkFolderParams(p *api.Params) error {
	if !c.fixedFolders() {
		return nil
	}
	for _, k := range []string{"asset_folder", "use_asset_folder_as_public_id_prefix", "target_asset_folder"} {
		if p.Has(k) {
			return api.BadRequest("Invalid parameter %s - this cloud is in fixed folder mode, where an asset's folder is its public ID's folder", k)
		}
	}
	return nil
}

// assetFolderOf is the asset folder of a new asset with public ID id:
// given is the upload's asset folder, used in dynamic mode.
func (c *call) assetFolderOf(id, given string) string {
	if c.fixedFolders() {
		return folderOf(id)
	}
	return given
}

// withUniqueDisplayName returns ctx asking the store
// (meta.WithUniqueDisplayName), when on (the call's unique_display_name),
// to make the asset's display name unique in its asset folder: another
// asset of the folder with the name gives it "_" and 6 random lower-case
// letters and digits, as unique_filename does a public ID.
func withUniqueDisplayName(ctx context.Context, on bool) context.Context {
	if !on {
		return ctx
	}
	return meta.WithUniqueDisplayName(ctx, func() string { return api.RandomID(6) })
}
