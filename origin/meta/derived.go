package meta

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

const derivedColumns = `d.id, d.version, d.transformation, d.format, d.variant, d.bytes, d.width, d.height, d.etag, d.blob, d.created_at`

func scanDerived(r rowScanner) (*Derived, error) {
	var d Derived
	var created int64
	err := r.Scan(&d.ID, &d.Version, &d.Transformation, &d.Format, &d.Variant, &d.Bytes, &d.Width, &d.Height,
		&d.ETag, &d.Blob, &created)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("meta: scan derived: %w", err)
	}
	d.CreatedAt = time.Unix(0, created).UTC()
	return &d, nil
}

// Derived finds one derived resource of the asset's current version.
func (s *db) Derived(ctx context.Context, k Key, dk DerivedKey) (*Derived, error) {
	// The asset is a subquery, not a join: this join form cost 33 µs a
	// lookup (SQLite re-planned it at every step), the subquery 6 µs.
	return scanDerived(s.r.QueryRowContext(ctx, `SELECT `+derivedColumns+` FROM derived d
		WHERE d.asset = (SELECT id FROM assets WHERE cloud = ? AND resource_type = ? AND type = ? AND public_id = ? AND version = ?)
		AND d.version = ? AND d.transformation = ? AND d.format = ? AND d.variant = ?`,
		k.Cloud, k.ResourceType, k.Type, k.PublicID, dk.Version, dk.Version, dk.Transformation, dk.Format, dk.Variant))
}

// PutDerived records a derived resource if its asset version is current.
// The commit does not wait for the disk (txRelaxed): a derived image lost
// in a crash is made again on its next request.
func (s *db) PutDerived(ctx context.Context, k Key, d *Derived) (*Derived, PutResult, error) {
	var res PutResult
	var out *Derived
	err := s.txRelaxed(ctx, func(tx *txn) error {
		res, out = PutResult{}, nil // from scratch if run again
		a, id, err := getAsset(ctx, tx, k)
		if err != nil {
			return err
		}
		if a.Version != d.Version {
			return ErrStale
		}
		existing, err := scanDerived(tx.QueryRowContext(ctx, `SELECT `+derivedColumns+` FROM derived d
			WHERE d.asset = ? AND d.version = ? AND d.transformation = ? AND d.format = ? AND d.variant = ?`,
			id, d.Version, d.Transformation, d.Format, d.Variant))
		if err == nil {
			out = existing
			res.Orphans = append(res.Orphans, d.Blob)
			return nil
		}
		if !errors.Is(err, ErrNotFound) {
			return err
		}
		cp := *d
		err = tx.QueryRowContext(ctx, `INSERT INTO derived (asset, version, transformation, format, variant,
			bytes, width, height, etag, blob, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
			id, d.Version, d.Transformation, d.Format, d.Variant, d.Bytes, d.Width, d.Height, d.ETag, d.Blob,
			d.CreatedAt.UnixNano()).Scan(&cp.ID)
		if err != nil {
			return fmt.Errorf("meta: insert derived: %w", err)
		}
		out = &cp
		if err := noteUsed(ctx, tx, k.Cloud, d.Transformation, d.CreatedAt); err != nil {
			return err
		}
		return addCounter(ctx, tx, k.Cloud, counterTransformations, 1)
	})
	return out, res, err
}

// ListDerived lists an asset's derived resources.
func (s *db) ListDerived(ctx context.Context, k Key) ([]Derived, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT `+derivedColumns+`
		FROM derived d JOIN assets a ON a.id = d.asset
		WHERE a.cloud = ? AND a.resource_type = ? AND a.type = ? AND a.public_id = ?
		ORDER BY d.id`, k.Cloud, k.ResourceType, k.Type, k.PublicID)
	return scanDerivedRows(rows, err)
}

// scanDerivedRows reads a query's derived rows.
func scanDerivedRows(rows *sql.Rows, err error) ([]Derived, error) {
	if err != nil {
		return nil, fmt.Errorf("meta: list derived: %w", err)
	}
	defer rows.Close()
	var out []Derived
	for rows.Next() {
		d, err := scanDerived(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, *d)
	}
	return out, rows.Err()
}

// derivedBlobs returns the blobs of an asset's derived resources, all or
// only those of versions other than keep (keep < 0: all).
func derivedBlobs(ctx context.Context, tx *txn, asset int64, keep int64) ([]string, error) {
	rows, err := tx.QueryContext(ctx, `SELECT blob FROM derived WHERE asset = ? AND version != ?`, asset, keep)
	if err != nil {
		return nil, fmt.Errorf("meta: derived blobs: %w", err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var b string
		if err := rows.Scan(&b); err != nil {
			return nil, err
		}
		out = append(out, b)
	}
	return out, rows.Err()
}

// dropDerived deletes an asset's derived resources of versions other
// than keep (keep < 0: all) and returns their blobs.
func dropDerived(ctx context.Context, tx *txn, asset, keep int64) ([]string, error) {
	blobs, err := derivedBlobs(ctx, tx, asset, keep)
	if err != nil {
		return nil, err
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM derived WHERE asset = ? AND version != ?`, asset, keep); err != nil {
		return nil, fmt.Errorf("meta: drop derived: %w", err)
	}
	return blobs, nil
}
