package meta

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/mediacdn/mediacdn/delivery"
)

// BulkDeleter deletes assets and derived resources in bulk.
type BulkDeleter interface {
	// DeleteAssets deletes the assets q selects (or, with KeepOriginal,
	// only their derived resources), at most q.Limit of them, in one
	// transaction. Selections by prefix, tag or all continue after q.After
	// and report Next when more remain.
	DeleteAssets(ctx context.Context, q DeleteQuery) (DeleteResult, error)
	// DeleteDerived deletes derived resources of a cloud by ID. IDs that
	// are unknown, or belong to another cloud, are reported as not found.
	DeleteDerived(ctx context.Context, cloud string, ids []int64) (DeleteDerivedResult, error)
	// ListDerivedAfter lists an asset's derived resources with an ID above
	// after, by ID, at most limit+1 of them (one more tells a page follows).
	ListDerivedAfter(ctx context.Context, k Key, after int64, limit int) ([]Derived, error)
}

// Selection says which assets of a cloud a bulk operation covers. Exactly
// one of PublicIDs, AssetIDs, Prefixes, Tag and All is used (in that order
// of precedence).
type Selection struct {
	Cloud        string
	ResourceType delivery.ResourceType // required except with AssetIDs
	Type         delivery.DeliveryType // required with PublicIDs, Prefixes and All; any (TypeNone) with Tag
	// Types, with Prefixes or Tag, selects any of these types instead of Type.
	Types     []delivery.DeliveryType
	PublicIDs []string
	AssetIDs  []string
	Prefixes  []string
	Tag       string
	All       bool
}

// DeleteQuery is one bulk deletion call.
type DeleteQuery struct {
	Selection
	// After is the Seq a previous call stopped at (0: from the start).
	After int64
	// Limit bounds the assets handled; at least 1.
	Limit int
	// KeepOriginal deletes derived resources only.
	KeepOriginal bool
	// Derived selects which derived resources go; nil means all.
	Derived func(*Derived) bool
	// ClearBackups also deletes the assets' backed-up versions.
	ClearBackups bool
}

// DeletedAsset is what a bulk deletion did to one asset.
type DeletedAsset struct {
	Key
	AssetID string
	// Version is the asset's version before the deletion (0 if not found).
	Version int64
	Found   bool
	// Original is 1 when the original was deleted.
	Original int
	// Derived counts the derived resources deleted.
	Derived int
	// Transformations are the derived resources' transformations deleted.
	Transformations []string
	// AssetFolder and DisplayName are the asset's (when found).
	AssetFolder, DisplayName string
}

// DeleteResult is what DeleteAssets did.
type DeleteResult struct {
	// Assets in request order for IDs (with the ones not found), else in
	// Seq order.
	Assets []DeletedAsset
	// Orphans are blobs no row refers to any more: delete them afterwards.
	Orphans []string
	// Next is the Seq to continue after; 0 when nothing remains.
	Next int64
}

// DeleteDerivedResult is what DeleteDerived did.
type DeleteDerivedResult struct {
	// Deleted maps each ID found to its asset and transformation.
	Deleted map[int64]DerivedOwner
	Orphans []string
}

// DerivedOwner names a derived resource's asset.
type DerivedOwner struct {
	Key
	Version        int64 // the asset's current version
	Transformation string
	Format         string
}

// DeleteAssets deletes in bulk.
func (s *db) DeleteAssets(ctx context.Context, q DeleteQuery) (DeleteResult, error) {
	if q.Limit < 1 {
		return DeleteResult{}, fmt.Errorf("meta: delete: limit %d", q.Limit)
	}
	var res DeleteResult
	err := s.tx(ctx, func(tx *txn) error {
		res = DeleteResult{}
		targets, next, err := selectTargets(ctx, tx, q)
		if err != nil {
			return err
		}
		res.Next = next
		for _, t := range targets {
			d, err := s.deleteOne(ctx, tx, t, q, &res)
			if err != nil {
				return err
			}
			res.Assets = append(res.Assets, d)
		}
		return s.notifyDeleted(ctx, tx, res.Assets)
	})
	return res, err
}

// target is an asset a deletion selected, or a requested ID not found.
type target struct {
	key     Key
	assetID string
	found   bool
}

// selectTargets resolves the selection to asset keys: IDs in request
// order, pages in Seq order with the position of the next page.
func selectTargets(ctx context.Context, tx *txn, q DeleteQuery) ([]target, int64, error) {
	sel := q.Selection
	switch {
	case len(sel.PublicIDs) > 0:
		out := make([]target, 0, len(sel.PublicIDs))
		for _, id := range sel.PublicIDs {
			k := Key{Cloud: sel.Cloud, ResourceType: sel.ResourceType, Type: sel.Type, PublicID: id}
			_, _, err := getAsset(ctx, tx, k)
			if err != nil && !errors.Is(err, ErrNotFound) {
				return nil, 0, err
			}
			out = append(out, target{key: k, found: err == nil})
		}
		return out, 0, nil
	case len(sel.AssetIDs) > 0:
		out := make([]target, 0, len(sel.AssetIDs))
		for _, id := range sel.AssetIDs {
			a, _, err := scanAsset(tx.QueryRowContext(ctx, `SELECT `+assetColumns+` FROM assets
				WHERE asset_id = ? AND cloud = ?`+tx.d.forUpdate(), id, sel.Cloud))
			if err != nil && !errors.Is(err, ErrNotFound) {
				return nil, 0, err
			}
			t := target{assetID: id, found: err == nil}
			if a != nil {
				t.key = a.Key
			}
			out = append(out, t)
		}
		return out, 0, nil
	}
	return selectPage(ctx, tx, q)
}

// selectPage selects up to q.Limit assets after q.After, by Seq.
func selectPage(ctx context.Context, tx *txn, q DeleteQuery) ([]target, int64, error) {
	sel := q.Selection
	query := `SELECT a.id, a.resource_type, a.type, a.public_id FROM assets a`
	where := []string{`a.cloud = ?`, `a.resource_type = ?`, `a.id > ?`}
	args := []any{sel.Cloud, sel.ResourceType, q.After}
	switch {
	case len(sel.Prefixes) > 0:
		where, args = typeWhere(where, args, sel)
		var ors []string
		for _, p := range sel.Prefixes {
			if end, ok := tx.d.prefixEnd(p); ok {
				ors = append(ors, `(a.public_id >= ? AND a.public_id < ?)`)
				args = append(args, p, end)
			} else {
				ors = append(ors, `a.public_id >= ?`)
				args = append(args, p)
			}
		}
		where = append(where, `(`+strings.Join(ors, ` OR `)+`)`)
	case sel.Tag != "":
		query += ` JOIN asset_tags t ON t.asset = a.id AND t.cloud = a.cloud AND t.resource_type = a.resource_type`
		where = append(where, `t.tag = ?`)
		args = append(args, sel.Tag)
		if sel.Type != delivery.TypeNone || len(sel.Types) > 0 {
			where, args = typeWhere(where, args, sel)
		}
	case sel.All:
		where = append(where, `a.type = ?`)
		args = append(args, sel.Type)
	default:
		return nil, 0, errors.New("meta: delete: empty selection")
	}
	query += ` WHERE ` + strings.Join(where, ` AND `) + ` ORDER BY a.id LIMIT ?`
	args = append(args, q.Limit+1)
	rows, err := tx.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, 0, fmt.Errorf("meta: delete: select: %w", err)
	}
	defer rows.Close()
	var out []target
	var seqs []int64
	for rows.Next() {
		var seq int64
		t := target{key: Key{Cloud: sel.Cloud}, found: true}
		if err := rows.Scan(&seq, &t.key.ResourceType, &t.key.Type, &t.key.PublicID); err != nil {
			return nil, 0, fmt.Errorf("meta: delete: select: %w", err)
		}
		out = append(out, t)
		seqs = append(seqs, seq)
	}
	if err := rows.Err(); err != nil {
		return nil, 0, fmt.Errorf("meta: delete: select: %w", err)
	}
	if len(out) > q.Limit {
		return out[:q.Limit], seqs[q.Limit-1], nil
	}
	return out, 0, nil
}

// typeWhere adds the condition on a page's type: sel.Types when given,
// else sel.Type.
func typeWhere(where []string, args []any, sel Selection) ([]string, []any) {
	if len(sel.Types) == 0 {
		return append(where, `a.type = ?`), append(args, sel.Type)
	}
	marks := make([]string, len(sel.Types))
	for i, t := range sel.Types {
		marks[i] = "?"
		args = append(args, t)
	}
	return append(where, `a.type IN (`+strings.Join(marks, ", ")+`)`), args
}

// deleteOne deletes one target's derived resources and (unless
// KeepOriginal) its original, recording what happened.
func (s *db) deleteOne(ctx context.Context, tx *txn, t target, q DeleteQuery, res *DeleteResult) (DeletedAsset, error) {
	d := DeletedAsset{Key: t.key, AssetID: t.assetID}
	if !t.found || t.key.PublicID == "" {
		return d, clearMissing(ctx, tx, t, q, res)
	}
	a, id, err := getAsset(ctx, tx, t.key)
	if errors.Is(err, ErrNotFound) {
		return d, clearMissing(ctx, tx, t, q, res)
	}
	if err != nil {
		return d, err
	}
	d.Found, d.Version, d.AssetID, d.AssetFolder, d.DisplayName = true, a.Version, a.AssetID, a.AssetFolder, a.DisplayName
	gone, err := dropSomeDerived(ctx, tx, id, q.Derived)
	if err != nil {
		return d, err
	}
	for _, g := range gone {
		res.Orphans = append(res.Orphans, g.Blob)
		d.Transformations = append(d.Transformations, g.Transformation)
	}
	d.Derived = len(gone)
	if q.ClearBackups {
		blobs, err := clearBackups(ctx, tx, a.Key)
		if err != nil {
			return d, err
		}
		res.Orphans = append(res.Orphans, blobs...)
	}
	if q.KeepOriginal {
		return d, nil
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM assets WHERE id = ?`, id); err != nil {
		return d, fmt.Errorf("meta: delete asset: %w", err)
	}
	d.Original = 1
	var pr PutResult
	if q.ClearBackups {
		pr.Orphans = append(pr.Orphans, a.Blob)
	} else if err := s.retire(ctx, tx, a, &pr); err != nil {
		return d, err
	}
	res.Orphans = append(res.Orphans, pr.Orphans...)
	return d, nil
}

// clearMissing clears the backups of a requested public ID whose asset is
// gone, when the deletion asks to clear backups.
func clearMissing(ctx context.Context, tx *txn, t target, q DeleteQuery, res *DeleteResult) error {
	if !q.ClearBackups || t.key.PublicID == "" {
		return nil
	}
	blobs, err := clearBackups(ctx, tx, t.key)
	res.Orphans = append(res.Orphans, blobs...)
	return err
}

// dropSomeDerived deletes the asset's derived resources that match (all
// when match is nil) and returns them.
func dropSomeDerived(ctx context.Context, tx *txn, asset int64, match func(*Derived) bool) ([]Derived, error) {
	rows, err := tx.QueryContext(ctx, `SELECT `+derivedColumns+` FROM derived d WHERE d.asset = ? ORDER BY d.id`, asset)
	if err != nil {
		return nil, fmt.Errorf("meta: derived: %w", err)
	}
	var gone []Derived
	for rows.Next() {
		d, err := scanDerived(rows)
		if err != nil {
			rows.Close()
			return nil, err
		}
		if match == nil || match(d) {
			gone = append(gone, *d)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("meta: derived: %w", err)
	}
	for _, d := range gone {
		if _, err := tx.ExecContext(ctx, `DELETE FROM derived WHERE id = ?`, d.ID); err != nil {
			return nil, fmt.Errorf("meta: drop derived: %w", err)
		}
	}
	return gone, nil
}

// DeleteDerived deletes derived resources by ID. Each is found and
// deleted by one statement, so that of two origins deleting it at once
// only one reports it.
func (s *db) DeleteDerived(ctx context.Context, cloud string, ids []int64) (DeleteDerivedResult, error) {
	var res DeleteDerivedResult
	err := s.tx(ctx, func(tx *txn) error {
		res = DeleteDerivedResult{Deleted: map[int64]DerivedOwner{}}
		for _, id := range ids {
			var o DerivedOwner
			var asset int64
			var blob string
			err := tx.QueryRowContext(ctx, `DELETE FROM derived
				WHERE id = ? AND asset IN (SELECT id FROM assets WHERE cloud = ?)
				RETURNING asset, transformation, format, blob`, id, cloud).
				Scan(&asset, &o.Transformation, &o.Format, &blob)
			if errors.Is(err, sql.ErrNoRows) {
				continue
			}
			if err != nil {
				return fmt.Errorf("meta: delete derived: %w", err)
			}
			err = tx.QueryRowContext(ctx, `SELECT resource_type, type, public_id, version FROM assets WHERE id = ?`,
				asset).Scan(&o.ResourceType, &o.Type, &o.PublicID, &o.Version)
			if err != nil {
				return fmt.Errorf("meta: delete derived: %w", err)
			}
			o.Cloud = cloud
			res.Deleted[id] = o
			res.Orphans = append(res.Orphans, blob)
		}
		return nil
	})
	return res, err
}

// ListDerivedAfter pages through an asset's derived resources.
func (s *db) ListDerivedAfter(ctx context.Context, k Key, after int64, limit int) ([]Derived, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT `+derivedColumns+`
		FROM derived d JOIN assets a ON a.id = d.asset
		WHERE a.cloud = ? AND a.resource_type = ? AND a.type = ? AND a.public_id = ? AND d.id > ?
		ORDER BY d.id LIMIT ?`, k.Cloud, k.ResourceType, k.Type, k.PublicID, after, limit+1)
	return scanDerivedRows(rows, err)
}
