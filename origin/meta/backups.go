package meta

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"time"
)

// BackupStore keeps the originals of deleted and overwritten versions for
// clouds that back up, so that they can be restored.
type BackupStore interface {
	// SetBackupPolicy says which clouds back up; nil means none. It takes
	// effect for every later write. Call it before serving.
	SetBackupPolicy(backup func(cloud string) bool)
	// Backups lists an asset's backed-up versions, newest first.
	Backups(ctx context.Context, k Key) ([]Backup, error)
	// BackupsByAssetID lists the backed-up versions kept under an asset ID.
	BackupsByAssetID(ctx context.Context, cloud, assetID string) ([]Backup, error)
	// DeleteBackups deletes backed-up versions of an asset ID by version
	// ID (all of them when versionIDs is empty) and returns their blobs,
	// which the caller deletes.
	DeleteBackups(ctx context.Context, cloud, assetID string, versionIDs []string) ([]Backup, error)
}

// Backup is a backed-up version of an asset: its file and what described
// it when it was current.
type Backup struct {
	ID int64
	Key
	AssetID       string
	Version       int64
	VersionID     string
	Format        string
	Bytes         int64
	Width, Height int
	Pages         int
	ETag          string
	Blob          string
	AccessMode    string       // the asset's when this version stopped being current
	AccessControl []AccessRule // the asset's then too
	CreatedAt     time.Time    // when this version was uploaded
	BackedUpAt    time.Time    // when it stopped being current
}

// backupPolicy is the SQLite store's backup setting.
//
// Locking: mu guards fn; writers read it once per transaction.
type backupPolicy struct {
	mu sync.RWMutex
	fn func(cloud string) bool
}

func (p *backupPolicy) on(cloud string) bool {
	p.mu.RLock()
	defer p.mu.RUnlock()
	return p.fn != nil && p.fn(cloud)
}

// SetBackupPolicy sets which clouds back up.
func (s *db) SetBackupPolicy(backup func(cloud string) bool) {
	s.backup.mu.Lock()
	defer s.backup.mu.Unlock()
	s.backup.fn = backup
}

// BackedUp says whether the asset's original is kept as a backup when it
// stops being current: by its own upload's backup parameter, else by its
// cloud's setting, cloud.
func (a *Asset) BackedUp(cloud bool) bool {
	if a.Backup != nil {
		return *a.Backup
	}
	return cloud
}

// retire handles the original of a version that stops being current:
// kept as a backup when the version's own setting says so, or, without
// one, when the cloud backs up; else reported as an orphan.
func (s *db) retire(ctx context.Context, tx *txn, a *Asset, res *PutResult) error {
	if !a.BackedUp(s.backup.on(a.Cloud)) {
		res.Orphans = append(res.Orphans, a.Blob)
		return nil
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO backups (cloud, resource_type, type, public_id, asset_id,
		version, version_id, format, bytes, width, height, pages, etag, blob, access_mode, created_at, backed_up_at,
		access_control)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		a.Cloud, a.ResourceType, a.Type, a.PublicID, a.AssetID, a.Version, a.VersionID, a.Format,
		a.Bytes, a.Width, a.Height, a.Pages, a.ETag, a.Blob, accessMode(a.AccessMode), a.CreatedAt.UnixNano(),
		time.Now().UnixNano(), accessControlText(a.AccessControl))
	if err != nil {
		return fmt.Errorf("meta: backup: %w", err)
	}
	return nil
}

const backupColumns = `id, cloud, resource_type, type, public_id, asset_id, version, version_id, format,
	bytes, width, height, pages, etag, blob, access_mode, created_at, backed_up_at, access_control`

func scanBackups(rows *sql.Rows, err error) ([]Backup, error) {
	if err != nil {
		return nil, fmt.Errorf("meta: backups: %w", err)
	}
	defer rows.Close()
	var out []Backup
	for rows.Next() {
		var b Backup
		var created, backed int64
		var control string
		if err := rows.Scan(&b.ID, &b.Cloud, &b.ResourceType, &b.Type, &b.PublicID, &b.AssetID, &b.Version,
			&b.VersionID, &b.Format, &b.Bytes, &b.Width, &b.Height, &b.Pages, &b.ETag, &b.Blob,
			&b.AccessMode, &created, &backed, &control); err != nil {
			return nil, fmt.Errorf("meta: backups: %w", err)
		}
		if err := json.Unmarshal([]byte(control), &b.AccessControl); err != nil {
			return nil, fmt.Errorf("meta: backup %d: %w", b.ID, err)
		}
		b.CreatedAt, b.BackedUpAt = time.Unix(0, created).UTC(), time.Unix(0, backed).UTC()
		out = append(out, b)
	}
	return out, rows.Err()
}

// Backups lists an asset's backups.
func (s *db) Backups(ctx context.Context, k Key) ([]Backup, error) {
	return scanBackups(s.r.QueryContext(ctx, `SELECT `+backupColumns+` FROM backups
		WHERE cloud = ? AND resource_type = ? AND type = ? AND public_id = ?
		ORDER BY version DESC, id DESC`, k.Cloud, k.ResourceType, k.Type, k.PublicID))
}

// BackupsByAssetID lists backups by asset ID.
func (s *db) BackupsByAssetID(ctx context.Context, cloud, assetID string) ([]Backup, error) {
	return scanBackups(s.r.QueryContext(ctx, `SELECT `+backupColumns+` FROM backups
		WHERE cloud = ? AND asset_id = ? ORDER BY version DESC, id DESC`, cloud, assetID))
}

// DeleteBackups deletes backups by version ID.
func (s *db) DeleteBackups(ctx context.Context, cloud, assetID string, versionIDs []string) ([]Backup, error) {
	var out []Backup
	err := s.tx(ctx, func(tx *txn) error {
		all, err := scanBackups(tx.QueryContext(ctx, `SELECT `+backupColumns+` FROM backups
			WHERE cloud = ? AND asset_id = ? ORDER BY version DESC, id DESC`+tx.d.forUpdate(), cloud, assetID))
		if err != nil {
			return err
		}
		want := map[string]bool{}
		for _, v := range versionIDs {
			want[v] = true
		}
		out = nil
		for _, b := range all {
			if len(want) > 0 && !want[b.VersionID] {
				continue
			}
			if _, err := tx.ExecContext(ctx, `DELETE FROM backups WHERE id = ?`, b.ID); err != nil {
				return fmt.Errorf("meta: delete backup: %w", err)
			}
			out = append(out, b)
		}
		if len(out) == 0 {
			return ErrNotFound
		}
		return nil
	})
	if errors.Is(err, ErrNotFound) {
		return nil, ErrNotFound
	}
	return out, err
}

// clearBackups deletes every backup of a key and returns the blobs.
func clearBackups(ctx context.Context, tx *txn, k Key) ([]string, error) {
	all, err := scanBackups(tx.QueryContext(ctx, `SELECT `+backupColumns+` FROM backups
		WHERE cloud = ? AND resource_type = ? AND type = ? AND public_id = ?`+tx.d.forUpdate(),
		k.Cloud, k.ResourceType, k.Type, k.PublicID))
	if err != nil {
		return nil, err
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM backups WHERE cloud = ? AND resource_type = ? AND type = ?
		AND public_id = ?`, k.Cloud, k.ResourceType, k.Type, k.PublicID); err != nil {
		return nil, fmt.Errorf("meta: clear backups: %w", err)
	}
	blobs := make([]string, len(all))
	for i, b := range all {
		blobs[i] = b.Blob
	}
	return blobs, nil
}
