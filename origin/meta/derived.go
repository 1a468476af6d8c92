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
//
// Derived images of one asset made at once, on one origin or several, do
// not wait for each other: the row goes in with INSERT … ON CONFLICT DO
// NOTHING on the derived table's unique key (asset, version,
// transformation, format, variant), and the loser of a race between twins
// finds the winner's row and is told its blob is an orphan. The insert
// reads its asset in the same statement, only at the version the image was
// made from, under a key-share lock on PostgreSQL: derived inserts share
// it, while every writer that changes an asset's version or deletes it
// locks the row FOR UPDATE first (getAsset), so the two take turns. An
// insert that comes second finds the new version (PostgreSQL re-reads a
// row it waited for) and inserts nothing (ErrStale); a writer that comes
// second sees the committed derived row and drops it with the others. No
// derived row of a version that is gone is left behind. (SQLite has one
// writer: its transactions never interleave.)
func (s *db) PutDerived(ctx context.Context, k Key, d *Derived) (*Derived, PutResult, error) {
	var res PutResult
	var out *Derived
	err := s.txRelaxed(ctx, func(tx *txn) error {
		res, out = PutResult{}, nil // from scratch if run again
		cp := *d
		// The values are cast: PostgreSQL does not type a parameter
		// in a SELECT list by the column it goes into.
		err := tx.QueryRowContext(ctx, `INSERT INTO derived (asset, version, transformation, format, variant,
			bytes, width, height, etag, blob, created_at)
			SELECT a.id, a.version, CAST(? AS TEXT), CAST(? AS TEXT), CAST(? AS TEXT), CAST(? AS BIGINT),
				CAST(? AS BIGINT), CAST(? AS BIGINT), CAST(? AS TEXT), CAST(? AS TEXT), CAST(? AS BIGINT)
			FROM assets a
			WHERE a.cloud = ? AND a.resource_type = ? AND a.type = ? AND a.public_id = ? AND a.version = ?`+tx.d.forKeyShare()+`
			ON CONFLICT (asset, version, transformation, format, variant) DO NOTHING
			RETURNING id`,
			d.Transformation, d.Format, d.Variant, d.Bytes, d.Width, d.Height, d.ETag, d.Blob, d.CreatedAt.UnixNano(),
			k.Cloud, k.ResourceType, k.Type, k.PublicID, d.Version).Scan(&cp.ID)
		if errors.Is(err, sql.ErrNoRows) {
			return derivedTwin(ctx, tx, k, d, &out, &res)
		}
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

// derivedTwin answers an insert of a derived resource that inserted
// nothing: either its twin is there (made at once elsewhere: d's blob is an
// orphan), or its asset is gone (ErrNotFound) or at another version
// (ErrStale).
func derivedTwin(ctx context.Context, tx *txn, k Key, d *Derived, out **Derived, res *PutResult) error {
	twin, err := scanDerived(tx.QueryRowContext(ctx, `SELECT `+derivedColumns+` FROM derived d
		WHERE d.asset = (SELECT id FROM assets WHERE cloud = ? AND resource_type = ? AND type = ? AND public_id = ? AND version = ?)
		AND d.version = ? AND d.transformation = ? AND d.format = ? AND d.variant = ?`,
		k.Cloud, k.ResourceType, k.Type, k.PublicID, d.Version, d.Version, d.Transformation, d.Format, d.Variant))
	if err == nil {
		*out = twin
		res.Orphans = append(res.Orphans, d.Blob)
		return nil
	}
	if !errors.Is(err, ErrNotFound) {
		return err
	}
	var version int64
	err = tx.QueryRowContext(ctx, `SELECT version FROM assets WHERE cloud = ? AND resource_type = ? AND type = ? AND public_id = ?`,
		k.Cloud, k.ResourceType, k.Type, k.PublicID).Scan(&version)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return ErrNotFound
	case err != nil:
		return fmt.Errorf("meta: derived: %w", err)
	}
	return ErrStale
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
