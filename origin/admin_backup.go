package origin

import (
	"errors"
	"net/http"
	"strconv"

	"github.com/mediacdn/mediacdn/delivery"
	"github.com/mediacdn/mediacdn/origin/api"
	"github.com/mediacdn/mediacdn/origin/blob"
	"github.com/mediacdn/mediacdn/origin/meta"
)

// restoreJSON is one restored asset, or why it was not.
type restoreJSON struct {
	*resourceJSON
	Error string `json:"error,omitempty"`
}

// maxRestoreIDs bounds public_ids (asset_ids) per restore call.
const maxRestoreIDs = 100

// restore serves POST /resources/<rt>/<type>/restore: public_ids, and
// optionally versions (version IDs or version numbers, one per public ID)
// to restore; the newest backed-up version otherwise. The restored file
// becomes the asset's new version; the current one, if any, is backed up.
func (c *call) restore(rt delivery.ResourceType, typ delivery.DeliveryType, p *api.Params) {
	ids := p.List("public_ids")
	c.restoreEach(ids, p, func(id string) ([]meta.Backup, *meta.Asset, error) {
		k := meta.Key{Cloud: c.cloud, ResourceType: rt, Type: typ, PublicID: id}
		backups, err := c.s.meta.Backups(c.ctx(), k)
		if err != nil {
			return nil, nil, err
		}
		cur, err := c.s.meta.Asset(c.ctx(), k)
		if isNotFound(err) {
			err = nil
		}
		return backups, cur, err
	})
}

// restoreByAssetIDs serves POST /resources/restore with asset_ids.
func (c *call) restoreByAssetIDs(p *api.Params) {
	ids := p.List("asset_ids")
	c.restoreEach(ids, p, func(id string) ([]meta.Backup, *meta.Asset, error) {
		backups, err := c.s.meta.BackupsByAssetID(c.ctx(), c.cloud, id)
		if err != nil {
			return nil, nil, err
		}
		cur, err := c.s.meta.AssetByID(c.ctx(), c.cloud, id)
		if isNotFound(err) {
			err = nil
		}
		return backups, cur, err
	})
}

// restoreEach restores each ID with the backups find gives, answering a
// map from ID to the restored asset or an error.
func (c *call) restoreEach(ids []string, p *api.Params, find func(string) ([]meta.Backup, *meta.Asset, error)) {
	switch {
	case len(ids) == 0:
		c.fail(api.BadRequest("Missing required parameter - public_ids"))
		return
	case len(ids) > maxRestoreIDs:
		c.fail(api.BadRequest("Too many IDs - at most %d per call", maxRestoreIDs))
		return
	}
	versions := p.List("versions")
	invalidate, err := p.Bool("invalidate", false)
	if err != nil {
		c.fail(err)
		return
	}
	out := map[string]restoreJSON{}
	for i, id := range ids {
		want := ""
		if i < len(versions) {
			want = versions[i]
		}
		backups, cur, err := find(id)
		if err != nil {
			c.fail(delivery.Internal(err))
			return
		}
		a, err := c.restoreOne(backups, cur, want, invalidate)
		var ae *delivery.Error
		if errors.As(err, &ae) && ae.Status < 500 {
			out[id] = restoreJSON{Error: ae.Message}
			continue
		}
		if err != nil {
			c.fail(err)
			return
		}
		j := c.resource(a, include{tags: true, context: true})
		out[id] = restoreJSON{resourceJSON: &j}
	}
	c.ok(out)
}

// restoreOne makes a backed-up version current again: its file is copied
// to a new blob and put as a new version. backups are the asset's, newest
// first.
func (c *call) restoreOne(backups []meta.Backup, cur *meta.Asset, want string, invalidate bool) (*meta.Asset, error) {
	b, err := pickBackup(backups, want)
	if err != nil {
		return nil, err
	}
	if cur != nil && cur.ETag == b.ETag && want == "" {
		return cur, nil // the newest backup is what is current already
	}
	data, err := blob.ReadAll(c.s.blobs, b.Blob)
	if err != nil {
		return nil, delivery.Internal(err)
	}
	key, err := c.s.writeBlob(data)
	if err != nil {
		return nil, delivery.Internal(err)
	}
	now := c.s.now().UTC()
	a := &meta.Asset{Key: b.Key, AssetID: b.AssetID, VersionID: meta.RandomHex(16), Format: b.Format, Bytes: b.Bytes,
		Width: b.Width, Height: b.Height, Pages: b.Pages, ETag: b.ETag, Blob: key, CreatedAt: now, UpdatedAt: now,
		DisplayName: b.PublicID[lastSlash(b.PublicID)+1:]}
	if cur != nil {
		// The asset keeps what describes it, its access mode included (as
		// an overwrite does: Put).
		a.Key, a.Tags, a.Context, a.Metadata = cur.Key, cur.Tags, cur.Context, cur.Metadata
		a.AssetFolder, a.DisplayName, a.OriginalFilename = cur.AssetFolder, cur.DisplayName, cur.OriginalFilename
	} else {
		// A deleted asset comes back with the access mode it had when it
		// was deleted (the newest backup's), whichever version is restored.
		a.AccessMode, a.AccessControl = backups[0].AccessMode, backups[0].AccessControl
	}
	res, err := c.s.meta.Put(c.ctx(), a, true)
	if err != nil {
		c.s.deleteBlobs(key)
		return nil, delivery.Internal(err)
	}
	c.s.deleteBlobs(res.Orphans...)
	ev := Event{Kind: EventCreated, Asset: a.Key, NewVersion: a.Version, Time: now}
	if res.Prev != nil {
		ev.Kind, ev.OldVersion, ev.Invalidate = EventOverwritten, res.Prev.Version, invalidate
		// An asset uploaded since the restore looked is overwritten with
		// the mode restored: authenticated restricts it, as on upload.
		ev.Restricted = (a.AccessMode == meta.AccessAuthenticated || len(a.AccessControl) > 0) && cur == nil
	}
	if _, err := c.s.events.Emit(c.ctx(), ev); err != nil {
		return nil, delivery.Errorf(http.StatusServiceUnavailable,
			"The asset was restored but its invalidation could not be published - retry the request")
	}
	return a, nil
}

// pickBackup finds the backup a restore asks for: by version ID or number,
// else the newest.
func pickBackup(backups []meta.Backup, want string) (meta.Backup, error) {
	if len(backups) == 0 {
		return meta.Backup{}, delivery.Errorf(http.StatusNotFound, "No backup found")
	}
	if want == "" {
		return backups[0], nil
	}
	for _, b := range backups {
		if b.VersionID == want || strconv.FormatInt(b.Version, 10) == want {
			return b, nil
		}
	}
	return meta.Backup{}, delivery.Errorf(http.StatusNotFound, "No backup found for version %s", api.Clip(want))
}

func lastSlash(s string) int {
	for i := len(s) - 1; i >= 0; i-- {
		if s[i] == '/' {
			return i
		}
	}
	return -1
}

// deleteBackups serves DELETE /resources/backup/<asset_id>: version_ids
// (all backed-up versions when none are given).
func (c *call) deleteBackups(assetID string, p *api.Params) {
	gone, err := c.s.meta.DeleteBackups(c.ctx(), c.cloud, assetID, p.List("version_ids"))
	if isNotFound(err) {
		c.fail(delivery.Errorf(http.StatusNotFound, "No backup found - %s", api.Clip(assetID)))
		return
	}
	if err != nil {
		c.fail(delivery.Internal(err))
		return
	}
	blobs := make([]string, len(gone))
	ids := make([]string, len(gone))
	for i, b := range gone {
		blobs[i], ids[i] = b.Blob, b.VersionID
	}
	c.s.deleteBlobs(blobs...)
	c.ok(map[string]any{"asset_id": assetID, "deleted_version_ids": ids})
}
