package meta

import (
	"cmp"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
)

const assetColumns = `id, cloud, resource_type, type, public_id, asset_id, version, version_id, format,
	bytes, width, height, pages, etag, blob, created_at, updated_at, tags, context, metadata,
	moderation_status, original_filename, asset_folder, display_name, eager, moderation_kind, coordinates,
	access_mode, backup, access_control`

type rowScanner interface{ Scan(dest ...any) error }

// scanAsset reads one row of assetColumns.
func scanAsset(r rowScanner) (*Asset, int64, error) {
	var a Asset
	var id, created, updated int64
	var tags, ctxJSON, md, eager, coords, control string
	var backup sql.NullBool
	err := r.Scan(&id, &a.Cloud, &a.ResourceType, &a.Type, &a.PublicID, &a.AssetID, &a.Version,
		&a.VersionID, &a.Format, &a.Bytes, &a.Width, &a.Height, &a.Pages, &a.ETag, &a.Blob,
		&created, &updated, &tags, &ctxJSON, &md, &a.ModerationStatus, &a.OriginalFilename,
		&a.AssetFolder, &a.DisplayName, &eager, &a.ModerationKind, &coords, &a.AccessMode, &backup, &control)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, 0, ErrNotFound
	}
	if err != nil {
		return nil, 0, fmt.Errorf("meta: scan asset: %w", err)
	}
	a.Seq = id
	if backup.Valid {
		a.Backup = &backup.Bool
	}
	a.CreatedAt = time.Unix(0, created).UTC()
	a.UpdatedAt = time.Unix(0, updated).UTC()
	for _, f := range []struct {
		s   string
		dst any
	}{{tags, &a.Tags}, {ctxJSON, &a.Context}, {eager, &a.Eager}, {coords, &a.Coordinates},
		{control, &a.AccessControl}} {
		if err := json.Unmarshal([]byte(f.s), f.dst); err != nil {
			return nil, 0, fmt.Errorf("meta: decode asset %d: %w", id, err)
		}
	}
	dec := json.NewDecoder(strings.NewReader(md)) // integers stay json.Number
	dec.UseNumber()
	if err := dec.Decode(&a.Metadata); err != nil {
		return nil, 0, fmt.Errorf("meta: decode asset %d metadata: %w", id, err)
	}
	return &a, id, nil
}

func jsonText(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

// Asset reads one asset.
func (s *db) Asset(ctx context.Context, k Key) (*Asset, error) {
	a, _, err := scanAsset(s.r.QueryRowContext(ctx, `SELECT `+assetColumns+` FROM assets
		WHERE cloud = ? AND resource_type = ? AND type = ? AND public_id = ?`,
		k.Cloud, k.ResourceType, k.Type, k.PublicID))
	return a, err
}

// getAsset reads an asset in a write transaction, locking its row on
// PostgreSQL until the commit. Every writer that changes an asset's
// version or deletes it reads it here first: the FOR UPDATE lock is what
// makes PutDerived's key-share lock wait for it.
func getAsset(ctx context.Context, tx *txn, k Key) (*Asset, int64, error) {
	return scanAsset(tx.QueryRowContext(ctx, `SELECT `+assetColumns+` FROM assets
		WHERE cloud = ? AND resource_type = ? AND type = ? AND public_id = ?`+tx.d.forUpdate(),
		k.Cloud, k.ResourceType, k.Type, k.PublicID))
}

// lockKeys makes the transaction the only writer of the keys until it
// commits, whether or not an asset is there: on PostgreSQL it locks their
// rows of versions (creating them if need be), in one order so that two
// transactions locking the same keys never wait for each other in a
// circle. A writer that creates, replaces or renames an asset locks its
// key first, then reads it; SQLite has one writer and needs nothing.
func lockKeys(ctx context.Context, tx *txn, keys ...Key) error {
	if !tx.d.postgres {
		return nil
	}
	slices.SortFunc(keys, func(a, b Key) int {
		return cmp.Or(cmp.Compare(a.Cloud, b.Cloud), cmp.Compare(a.ResourceType.String(), b.ResourceType.String()),
			cmp.Compare(a.Type.String(), b.Type.String()), cmp.Compare(a.PublicID, b.PublicID))
	})
	for _, k := range keys {
		_, err := tx.ExecContext(ctx, `INSERT INTO versions (cloud, resource_type, type, public_id, last_version)
			VALUES (?, ?, ?, ?, 0)
			ON CONFLICT (cloud, resource_type, type, public_id) DO UPDATE SET last_version = versions.last_version`,
			k.Cloud, k.ResourceType, k.Type, k.PublicID)
		if err != nil {
			return fmt.Errorf("meta: lock key: %w", err)
		}
	}
	return nil
}

// nextVersion returns max(now, the key's last version + 1) and records it.
func nextVersion(ctx context.Context, tx *txn, k Key, now int64) (int64, error) {
	var last int64
	err := tx.QueryRowContext(ctx, `SELECT last_version FROM versions
		WHERE cloud = ? AND resource_type = ? AND type = ? AND public_id = ?`,
		k.Cloud, k.ResourceType, k.Type, k.PublicID).Scan(&last)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return 0, fmt.Errorf("meta: version: %w", err)
	}
	v := max(now, last+1)
	if err := recordVersion(ctx, tx, k, v); err != nil {
		return 0, err
	}
	return v, nil
}

func recordVersion(ctx context.Context, tx *txn, k Key, v int64) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO versions (cloud, resource_type, type, public_id, last_version)
		VALUES (?, ?, ?, ?, ?)
		ON CONFLICT (cloud, resource_type, type, public_id) DO UPDATE SET last_version = CASE WHEN excluded.last_version > versions.last_version
			THEN excluded.last_version ELSE versions.last_version END`,
		k.Cloud, k.ResourceType, k.Type, k.PublicID, v)
	if err != nil {
		return fmt.Errorf("meta: record version: %w", err)
	}
	return nil
}

// Put creates or overwrites an asset.
func (s *db) Put(ctx context.Context, a *Asset, overwrite bool) (PutResult, error) {
	var res PutResult
	given := *a
	err := s.tx(ctx, func(tx *txn) error {
		*a, res = given, PutResult{} // from scratch if run again
		if err := lockKeys(ctx, tx, a.Key); err != nil {
			return err
		}
		prev, id, err := getAsset(ctx, tx, a.Key)
		switch {
		case errors.Is(err, ErrNotFound):
			prev = nil
		case err != nil:
			return err
		case !overwrite:
			res.Prev = prev
			return ErrExists
		}
		if a.Version, err = nextVersion(ctx, tx, a.Key, a.UpdatedAt.Unix()); err != nil {
			return err
		}
		if a.AccessMode == "" && prev != nil {
			a.AccessMode = prev.AccessMode // an overwrite keeps the mode unless it sets one
		}
		a.AccessMode = accessMode(a.AccessMode)
		if a.AccessControl == nil && prev != nil {
			a.AccessControl = prev.AccessControl // kept too, unless set
		}
		if err := uniqueDisplayName(ctx, tx, a, id); err != nil {
			return err
		}
		if prev == nil {
			if a.AssetID == "" {
				return errors.New("meta: a new asset needs an AssetID")
			}
			id, err = insertAsset(ctx, tx, a)
		} else {
			a.AssetID = prev.AssetID // an asset keeps its id across overwrites
			if a.CreatedAt.IsZero() {
				a.CreatedAt = prev.CreatedAt
			}
			err = updateAsset(ctx, tx, id, a)
			if err == nil && prev.Blob != a.Blob {
				err = s.retire(ctx, tx, prev, &res)
			}
			if err == nil {
				var stale []string
				stale, err = dropDerived(ctx, tx, id, a.Version)
				res.Orphans = append(res.Orphans, stale...)
			}
		}
		if err != nil {
			return err
		}
		a.Seq = id
		res.Prev = prev
		if a.Analysis != nil || prev != nil {
			if err := setAnalysis(ctx, tx, id, a.Version, a.Analysis); err != nil {
				return err
			}
		}
		if err := setIndexes(ctx, tx, id, a); err != nil {
			return err
		}
		return s.notify(ctx, tx, a)
	})
	return res, err
}

func insertAsset(ctx context.Context, tx *txn, a *Asset) (int64, error) {
	var id int64
	err := tx.QueryRowContext(ctx, `INSERT INTO assets (cloud, resource_type, type, public_id, asset_id,
		version, version_id, format, bytes, width, height, pages, etag, blob, created_at, updated_at,
		tags, context, metadata, moderation_status, original_filename, asset_folder, display_name, eager,
		moderation_kind, coordinates, access_mode, backup, access_control)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		RETURNING id`,
		a.Cloud, a.ResourceType, a.Type, a.PublicID, a.AssetID, a.Version, a.VersionID, a.Format,
		a.Bytes, a.Width, a.Height, a.Pages, a.ETag, a.Blob, a.CreatedAt.UnixNano(), a.UpdatedAt.UnixNano(),
		jsonText(nonNilTags(a.Tags)), jsonText(nonNilMap(a.Context)), jsonText(nonNilValues(a.Metadata)),
		a.ModerationStatus, a.OriginalFilename, a.AssetFolder, a.DisplayName, jsonText(nonNilTags(a.Eager)),
		a.ModerationKind, jsonText(a.Coordinates), accessMode(a.AccessMode), nullBool(a.Backup),
		accessControlText(a.AccessControl)).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("meta: insert asset: %w", err)
	}
	return id, nil
}

func updateAsset(ctx context.Context, tx *txn, id int64, a *Asset) error {
	_, err := tx.ExecContext(ctx, `UPDATE assets SET cloud = ?, resource_type = ?, type = ?, public_id = ?,
		asset_id = ?, version = ?, version_id = ?, format = ?, bytes = ?, width = ?, height = ?, pages = ?,
		etag = ?, blob = ?, created_at = ?, updated_at = ?, tags = ?, context = ?, metadata = ?,
		moderation_status = ?, original_filename = ?, asset_folder = ?, display_name = ?, eager = ?,
		moderation_kind = ?, coordinates = ?, access_mode = ?, backup = ?, access_control = ?
		WHERE id = ?`,
		a.Cloud, a.ResourceType, a.Type, a.PublicID, a.AssetID, a.Version, a.VersionID, a.Format,
		a.Bytes, a.Width, a.Height, a.Pages, a.ETag, a.Blob, a.CreatedAt.UnixNano(), a.UpdatedAt.UnixNano(),
		jsonText(nonNilTags(a.Tags)), jsonText(nonNilMap(a.Context)), jsonText(nonNilValues(a.Metadata)),
		a.ModerationStatus, a.OriginalFilename, a.AssetFolder, a.DisplayName, jsonText(nonNilTags(a.Eager)),
		a.ModerationKind, jsonText(a.Coordinates), accessMode(a.AccessMode), nullBool(a.Backup),
		accessControlText(a.AccessControl), id)
	if err != nil {
		return fmt.Errorf("meta: update asset: %w", err)
	}
	return nil
}

func setTags(ctx context.Context, tx *txn, id int64, a *Asset) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM asset_tags WHERE asset = ?`, id); err != nil {
		return fmt.Errorf("meta: tags: %w", err)
	}
	for _, t := range a.Tags {
		if _, err := tx.ExecContext(ctx, `INSERT INTO asset_tags (asset, cloud, resource_type, tag)
			VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING`, id, a.Cloud, a.ResourceType, t); err != nil {
			return fmt.Errorf("meta: tags: %w", err)
		}
	}
	return nil
}

// Update applies fn to the asset in one transaction. fn may change only
// descriptive fields; identity, version and file fields are kept.
func (s *db) Update(ctx context.Context, k Key, fn func(*Asset) error) (*Asset, error) {
	var out *Asset
	err := s.tx(ctx, func(tx *txn) error {
		a, id, err := getAsset(ctx, tx, k)
		if err != nil {
			return err
		}
		keep := *a
		if err := fn(a); err != nil {
			return err
		}
		a.Key, a.AssetID, a.Version, a.VersionID, a.Blob = keep.Key, keep.AssetID, keep.Version, keep.VersionID, keep.Blob
		a.Format, a.Bytes, a.Width, a.Height, a.Pages, a.ETag = keep.Format, keep.Bytes, keep.Width, keep.Height, keep.Pages, keep.ETag
		a.CreatedAt, a.Seq, a.Backup = keep.CreatedAt, keep.Seq, keep.Backup
		if err := uniqueDisplayName(ctx, tx, a, id); err != nil {
			return err
		}
		if err := updateAsset(ctx, tx, id, a); err != nil {
			return err
		}
		out = a
		if err := setIndexes(ctx, tx, id, a); err != nil {
			return err
		}
		return s.notify(ctx, tx, a)
	})
	return out, err
}

// Delete removes an asset.
func (s *db) Delete(ctx context.Context, k Key) (PutResult, error) {
	var res PutResult
	err := s.tx(ctx, func(tx *txn) error {
		res = PutResult{} // from scratch if run again
		a, id, err := getAsset(ctx, tx, k)
		if err != nil {
			return err
		}
		derived, err := dropDerived(ctx, tx, id, -1)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM assets WHERE id = ?`, id); err != nil {
			return fmt.Errorf("meta: delete asset: %w", err)
		}
		res.Prev = a
		res.Orphans = append(res.Orphans, derived...)
		if err := s.retire(ctx, tx, a, &res); err != nil {
			return err
		}
		return s.notify(ctx, tx, a)
	})
	return res, err
}

// Rename moves an asset to another key.
func (s *db) Rename(ctx context.Context, from, to Key, overwrite bool) (*Asset, PutResult, error) {
	return s.rename(ctx, from, to, overwrite, false)
}

// RenameFixed moves an asset to another key and its asset folder to the
// new public ID's folder.
func (s *db) RenameFixed(ctx context.Context, from, to Key, overwrite bool) (*Asset, PutResult, error) {
	return s.rename(ctx, from, to, overwrite, true)
}

// rename moves an asset; fixedFolder makes its asset folder its new public
// ID's folder.
func (s *db) rename(ctx context.Context, from, to Key, overwrite, fixedFolder bool) (*Asset, PutResult, error) {
	var res PutResult
	var out *Asset
	err := s.tx(ctx, func(tx *txn) error {
		res = PutResult{} // from scratch if run again
		var err error
		out, err = s.renameIn(ctx, tx, from, to, overwrite, fixedFolder, &res)
		return err
	})
	return out, res, err
}

// renameIn moves an asset in tx (Rename's and Publish's one path): the
// asset at to, if any, is replaced when overwrite (recorded in res) else
// the move fails with ErrExists; the asset's version moves past any the
// new key had. It writes the notifications the context asks for.
func (s *db) renameIn(ctx context.Context, tx *txn, from, to Key, overwrite, fixedFolder bool, res *PutResult) (*Asset, error) {
	if err := lockKeys(ctx, tx, from, to); err != nil {
		return nil, err
	}
	a, id, err := getAsset(ctx, tx, from)
	if err != nil {
		return nil, err
	}
	if from == to {
		return a, nil
	}
	existing, existingID, err := getAsset(ctx, tx, to)
	switch {
	case errors.Is(err, ErrNotFound):
	case err != nil:
		return nil, err
	case !overwrite:
		res.Prev = existing
		return nil, ErrExists
	default:
		derived, err := dropDerived(ctx, tx, existingID, -1)
		if err != nil {
			return nil, err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM assets WHERE id = ?`, existingID); err != nil {
			return nil, fmt.Errorf("meta: rename: %w", err)
		}
		res.Prev = existing
		res.Orphans = append(res.Orphans, derived...)
		if err := s.retire(ctx, tx, existing, res); err != nil {
			return nil, err
		}
	}
	// A version is never reused for a key: if the new key once had a
	// version as high as this one, move past it.
	var last int64
	err = tx.QueryRowContext(ctx, `SELECT last_version FROM versions
		WHERE cloud = ? AND resource_type = ? AND type = ? AND public_id = ?`,
		to.Cloud, to.ResourceType, to.Type, to.PublicID).Scan(&last)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("meta: rename: %w", err)
	}
	if last >= a.Version {
		a.Version = last + 1
	}
	if err := recordVersion(ctx, tx, to, a.Version); err != nil {
		return nil, err
	}
	a.Key = to
	if fixedFolder {
		a.AssetFolder = folderParent(to.PublicID)
	}
	if err := updateAsset(ctx, tx, id, a); err != nil {
		return nil, err
	}
	if err := setIndexes(ctx, tx, id, a); err != nil {
		return nil, err
	}
	return a, s.notify(ctx, tx, a)
}

// SaveDeleteToken stores a delete token.
func (s *db) SaveDeleteToken(ctx context.Context, token string, k Key, expires time.Time) error {
	return s.tx(ctx, func(tx *txn) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO delete_tokens (token, cloud, resource_type, type, public_id, expires_at)
			VALUES (?, ?, ?, ?, ?, ?)`, token, k.Cloud, k.ResourceType, k.Type, k.PublicID, expires.UnixNano())
		if err != nil {
			return fmt.Errorf("meta: save token: %w", err)
		}
		// Expired tokens are dropped on the way.
		_, err = tx.ExecContext(ctx, `DELETE FROM delete_tokens WHERE expires_at < ?`, time.Now().Add(-time.Hour).UnixNano())
		return err
	})
}

// TakeDeleteToken consumes a token: one statement finds and deletes it,
// so that of two origins taking it at once only one gets it.
func (s *db) TakeDeleteToken(ctx context.Context, token string, now time.Time) (Key, error) {
	var k Key
	var exp int64
	err := s.tx(ctx, func(tx *txn) error {
		err := tx.QueryRowContext(ctx, `DELETE FROM delete_tokens WHERE token = ?
			RETURNING cloud, resource_type, type, public_id, expires_at`, token).
			Scan(&k.Cloud, &k.ResourceType, &k.Type, &k.PublicID, &exp)
		if errors.Is(err, sql.ErrNoRows) {
			return ErrNotFound
		}
		if err != nil {
			return fmt.Errorf("meta: token: %w", err)
		}
		return nil
	})
	if err != nil {
		return Key{}, err
	}
	if now.UnixNano() > exp {
		return Key{}, ErrNotFound
	}
	return k, nil
}

// accessMode is the stored form of an access mode: "" is public.
func accessMode(m string) string {
	if m == "" {
		return AccessPublic
	}
	return m
}

// nullBool stores an optional boolean (NULL when unset).
func nullBool(b *bool) sql.NullBool {
	if b == nil {
		return sql.NullBool{}
	}
	return sql.NullBool{Bool: *b, Valid: true}
}

func nonNilTags(t []string) []string {
	if t == nil {
		return []string{}
	}
	return t
}

func nonNilMap(m map[string]string) map[string]string {
	if m == nil {
		return map[string]string{}
	}
	return m
}

func nonNilValues(m map[string]any) map[string]any {
	if m == nil {
		return map[string]any{}
	}
	return m
}
