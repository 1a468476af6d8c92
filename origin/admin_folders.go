package origin

import (
	"errors"
	"net/http"
	"strings"

	"github.com/mediacdn/mediacdn/delivery"
	"github.com/mediacdn/mediacdn/origin/api"
	"github.com/mediacdn/mediacdn/origin/meta"
)

// The Admin API's folders (docs/admin-api.md, "Folders"): rows of their
// own in the metadata store (meta.FolderStore), made when an asset lands in
// one and by create, listed even when empty.
//
//	GET    folders                 root folders (max_results, next_cursor)
//	GET    folders/<path>          sub-folders (max_results, next_cursor)
//	POST   folders/<path>          create (ancestors too)
//	PUT    folders/<path>          rename to to_folder
//	DELETE folders/<path>          delete an empty folder and its sub-folders
//	GET|POST folders/search        the Search Folders API (admin_folders_search.go)

// maxFolderRename bounds the assets a rename in fixed folder mode renames
// (each through the rename path, each purged): a folder with more is
// refused.
const maxFolderRename = 1000

// folderJSON is a folder in the answers, as the Go SDK's FolderResult.
type folderJSON struct {
	Name       string `json:"name"`
	Path       string `json:"path"`
	ExternalID string `json:"external_id"`
}

func folderOut(f meta.Folder) folderJSON {
	return folderJSON{Name: f.Name(), Path: f.Path, ExternalID: f.ExternalID}
}

// folderRoutes routes /folders/<path>.
func (c *call) folderRoutes(tail string) adminRoutes {
	path := strings.Trim(tail, "/")
	if path == "" {
		return adminRoutes{http.MethodGet: {folderListSpec(), func(p *api.Params) { c.listFolders("", p) }}}
	}
	if path == "search" { // a root folder named search is renamed or deleted, not listed or made
		return adminRoutes{
			http.MethodGet:    {folderSearchSpec(), c.searchFolders},
			http.MethodPost:   {folderSearchSpec(), c.searchFolders},
			http.MethodPut:    {folderRenameSpec(), func(p *api.Params) { c.renameFolder(path, p) }},
			http.MethodDelete: {folderDeleteSpec(), func(p *api.Params) { c.deleteFolder(path) }},
		}
	}
	return adminRoutes{
		http.MethodGet:    {folderListSpec(), func(p *api.Params) { c.listFolders(path, p) }},
		http.MethodPost:   {folderCreateSpec(), func(p *api.Params) { c.createFolder(path) }},
		http.MethodPut:    {folderRenameSpec(), func(p *api.Params) { c.renameFolder(path, p) }},
		http.MethodDelete: {folderDeleteSpec(), func(p *api.Params) { c.deleteFolder(path) }},
	}
}

// folderNotFound is Cloudinary's answer for a missing folder.
func folderNotFound(path string) error {
	return delivery.Errorf(http.StatusNotFound, "Can't find folder with path %s", api.Clip(path))
}

// listFolders serves GET folders (parent "") and folders/<parent>.
func (c *call) listFolders(parent string, p *api.Params) {
	max, err := maxResults(p, defaultMaxResults, maxMaxResults)
	if err != nil {
		c.fail(err)
		return
	}
	cur, err := api.DecodeCursor(p.Get("next_cursor"), "folders")
	if err != nil {
		c.fail(err)
		return
	}
	if parent != "" {
		if _, err := c.s.meta.Folder(c.ctx(), c.cloud, parent); errors.Is(err, meta.ErrNotFound) {
			c.fail(folderNotFound(parent))
			return
		} else if err != nil {
			c.fail(delivery.Internal(err))
			return
		}
	}
	after := ""
	if cur != nil {
		after = cur.Name
	}
	list, total, err := c.s.meta.Folders(c.ctx(), c.cloud, parent, after, max+1)
	if err != nil {
		c.fail(delivery.Internal(err))
		return
	}
	out := struct {
		Folders    []folderJSON `json:"folders"`
		NextCursor string       `json:"next_cursor,omitempty"`
		TotalCount int          `json:"total_count"`
	}{Folders: []folderJSON{}, TotalCount: total}
	if len(list) > max {
		list = list[:max]
		out.NextCursor = api.Cursor{Kind: "folders", Name: list[max-1].Path}.Encode()
	}
	for _, f := range list {
		out.Folders = append(out.Folders, folderOut(f))
	}
	c.ok(out)
}

// createFolder serves POST folders/<path>.
func (c *call) createFolder(path string) {
	if err := api.CheckFolder(path); err != nil {
		c.fail(err)
		return
	}
	f, _, err := c.s.meta.CreateFolder(c.ctx(), c.cloud, path, c.s.now().UTC())
	if err != nil {
		c.fail(delivery.Internal(err))
		return
	}
	j := folderOut(f)
	c.ok(struct {
		Success bool `json:"success"`
		folderJSON
	}{true, j})
}

// renameFolder serves PUT folders/<path>: to_folder. In dynamic folder
// mode the assets' asset folders follow in one transaction and no URL
// changes. In fixed mode each asset is renamed to the new folder through
// the rename path (atomic per asset, its old URLs purged), at most
// maxFolderRename of them, then the folders move; a rename stopped part
// way (an asset already at the new public ID) is finished by the same call
// once the conflict is gone.
func (c *call) renameFolder(from string, p *api.Params) {
	to := strings.Trim(p.Get("to_folder"), "/")
	if !p.Has("to_folder") || to == "" {
		c.fail(api.BadRequest("Missing required parameter - to_folder"))
		return
	}
	if err := api.CheckFolder(to); err != nil {
		c.fail(err)
		return
	}
	if to == from || strings.HasPrefix(to, from+"/") {
		c.fail(api.BadRequest("Can't move folder %s into itself", api.Clip(from)))
		return
	}
	fromF, err := c.s.meta.Folder(c.ctx(), c.cloud, from)
	if errors.Is(err, meta.ErrNotFound) {
		c.fail(folderNotFound(from))
		return
	} else if err != nil {
		c.fail(delivery.Internal(err))
		return
	}
	if !c.fixedFolders() {
		if _, err := c.s.meta.Folder(c.ctx(), c.cloud, to); err == nil {
			c.fail(delivery.Errorf(http.StatusConflict, "Folder %s already exists", api.Clip(to)))
			return
		} else if !errors.Is(err, meta.ErrNotFound) {
			c.fail(delivery.Internal(err))
			return
		}
	} else if err := c.renameFolderAssets(from, to); err != nil {
		c.fail(err)
		return
	}
	if err := c.s.meta.MoveFolder(c.ctx(), c.cloud, from, to, c.s.now().UTC()); errors.Is(err, meta.ErrNotFound) {
		c.fail(folderNotFound(from))
		return
	} else if errors.Is(err, meta.ErrTooMany) {
		c.fail(api.BadRequest("Folder %s has more than %d sub-folders or %d assets - rename its sub-folders first",
			api.Clip(from), meta.MaxFoldersChanged, meta.MaxAssetsMoved))
		return
	} else if err != nil {
		c.fail(delivery.Internal(err))
		return
	}
	toF, err := c.s.meta.Folder(c.ctx(), c.cloud, to)
	if err != nil {
		c.fail(delivery.Internal(err))
		return
	}
	c.ok(struct {
		From folderJSON `json:"from"`
		To   folderJSON `json:"to"`
	}{folderOut(*fromF), folderOut(*toF)})
}

// renameFolderAssets renames, in fixed folder mode, the public IDs in from
// and below it to the same place under to.
func (c *call) renameFolderAssets(from, to string) error {
	keys, err := c.s.meta.FolderAssets(c.ctx(), c.cloud, from, maxFolderRename+1)
	if err != nil {
		return delivery.Internal(err)
	}
	if len(keys) > maxFolderRename {
		return api.BadRequest("Folder %s has more than %d assets - rename its sub-folders first", api.Clip(from), maxFolderRename)
	}
	for _, k := range keys {
		rest, ok := strings.CutPrefix(k.PublicID, from+"/")
		if !ok {
			continue // stored before the cloud was in fixed mode: its folder moves, its public ID stays
		}
		toKey := k
		toKey.PublicID = to + "/" + rest
		if _, _, err := c.renameAsset(c.ctx(), k, toKey, false, true); err != nil {
			return err
		}
	}
	return nil
}

// deleteFolder serves DELETE folders/<path>: an empty folder and its empty
// sub-folders.
func (c *call) deleteFolder(path string) {
	deleted, err := c.s.meta.DeleteFolder(c.ctx(), c.cloud, path)
	switch {
	case errors.Is(err, meta.ErrNotFound):
		c.fail(folderNotFound(path))
		return
	case errors.Is(err, meta.ErrFolderNotEmpty):
		c.fail(api.BadRequest("Folder is not empty"))
		return
	case errors.Is(err, meta.ErrTooMany):
		c.fail(api.BadRequest("Folder %s has more than %d sub-folders - delete its sub-folders first",
			api.Clip(path), meta.MaxFoldersChanged))
		return
	case err != nil:
		c.fail(delivery.Internal(err))
		return
	}
	c.ok(struct {
		Deleted []string `json:"deleted"`
	}{deleted})
}
