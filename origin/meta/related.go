package meta

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// RelationStore relates assets to each other, both ways.
type RelationStore interface {
	// Relate relates the asset at from with each of to (both ways) and
	// returns one outcome per element of to, in order.
	Relate(ctx context.Context, from AssetRef, to []AssetRef) ([]RelateOutcome, error)
	// Unrelate removes such relations (both ways).
	Unrelate(ctx context.Context, from AssetRef, to []AssetRef) ([]RelateOutcome, error)
	// Related lists the assets related to k with Seq above after, by Seq,
	// at most limit+1 (one more says another page follows).
	Related(ctx context.Context, k Key, after int64, limit int) ([]*Asset, error)
}

// AssetRef names an asset by key or, when AssetID is set, by asset ID
// within Key.Cloud.
type AssetRef struct {
	Key
	AssetID string
}

// RelateOutcome is what happened to one relation.
type RelateOutcome int

// Relation outcomes.
const (
	RelationDone          RelateOutcome = iota // done
	RelationUnchanged                          // already related (Relate) or not related (Unrelate)
	RelationTargetMissing                      // no such asset
	RelationToSelf                             // an asset cannot be related to itself
)

// resolveRef finds an asset's row id.
func resolveRef(ctx context.Context, tx *txn, r AssetRef) (int64, error) {
	var id int64
	var err error
	if r.AssetID != "" {
		err = tx.QueryRowContext(ctx, `SELECT id FROM assets WHERE asset_id = ? AND cloud = ?`+tx.d.forKeyShare(), r.AssetID, r.Cloud).Scan(&id)
	} else {
		err = tx.QueryRowContext(ctx, `SELECT id FROM assets WHERE cloud = ? AND resource_type = ? AND type = ?
			AND public_id = ?`+tx.d.forKeyShare(), r.Cloud, r.ResourceType, r.Type, r.PublicID).Scan(&id)
	}
	if errors.Is(err, sql.ErrNoRows) {
		return 0, ErrNotFound
	}
	if err != nil {
		return 0, fmt.Errorf("meta: resolve asset: %w", err)
	}
	return id, nil
}

// relate runs fn for each target in one transaction; ErrNotFound when the
// source does not exist.
func (s *db) relate(ctx context.Context, from AssetRef, to []AssetRef,
	fn func(tx *txn, a, b int64) (RelateOutcome, error)) ([]RelateOutcome, error) {
	var out []RelateOutcome
	err := s.tx(ctx, func(tx *txn) error {
		out = make([]RelateOutcome, len(to))
		a, err := resolveRef(ctx, tx, from)
		if err != nil {
			return err
		}
		for i, r := range to {
			b, err := resolveRef(ctx, tx, r)
			switch {
			case errors.Is(err, ErrNotFound):
				out[i] = RelationTargetMissing
				continue
			case err != nil:
				return err
			case a == b:
				out[i] = RelationToSelf
				continue
			}
			if out[i], err = fn(tx, a, b); err != nil {
				return err
			}
		}
		return nil
	})
	return out, err
}

// Relate relates assets both ways.
func (s *db) Relate(ctx context.Context, from AssetRef, to []AssetRef) ([]RelateOutcome, error) {
	now := time.Now().UnixNano()
	return s.relate(ctx, from, to, func(tx *txn, a, b int64) (RelateOutcome, error) {
		r, err := tx.ExecContext(ctx, `INSERT INTO related (a, b, created_at) VALUES (?, ?, ?), (?, ?, ?)
			ON CONFLICT DO NOTHING`,
			a, b, now, b, a, now)
		if err != nil {
			return 0, fmt.Errorf("meta: relate: %w", err)
		}
		if n, _ := r.RowsAffected(); n == 0 {
			return RelationUnchanged, nil
		}
		return RelationDone, nil
	})
}

// Unrelate removes relations both ways.
func (s *db) Unrelate(ctx context.Context, from AssetRef, to []AssetRef) ([]RelateOutcome, error) {
	return s.relate(ctx, from, to, func(tx *txn, a, b int64) (RelateOutcome, error) {
		r, err := tx.ExecContext(ctx, `DELETE FROM related WHERE (a = ? AND b = ?) OR (a = ? AND b = ?)`, a, b, b, a)
		if err != nil {
			return 0, fmt.Errorf("meta: unrelate: %w", err)
		}
		if n, _ := r.RowsAffected(); n == 0 {
			return RelationUnchanged, nil
		}
		return RelationDone, nil
	})
}

// Related lists related assets.
func (s *db) Related(ctx context.Context, k Key, after int64, limit int) ([]*Asset, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT `+prefixed("o.", assetColumns)+`
		FROM assets a JOIN related r ON r.a = a.id JOIN assets o ON o.id = r.b
		WHERE a.cloud = ? AND a.resource_type = ? AND a.type = ? AND a.public_id = ? AND o.id > ?
		ORDER BY o.id LIMIT ?`, k.Cloud, k.ResourceType, k.Type, k.PublicID, after, limit+1)
	if err != nil {
		return nil, fmt.Errorf("meta: related: %w", err)
	}
	defer rows.Close()
	var out []*Asset
	for rows.Next() {
		a, _, err := scanAsset(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, rows.Err()
}
