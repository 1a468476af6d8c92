package meta

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// AccessModeStore changes the access mode of assets in bulk.
type AccessModeStore interface {
	// SetAccessMode sets the access mode of the assets q selects (by
	// public IDs, prefixes or tag), at most q.Limit of them, in one
	// transaction. Selections by prefix or tag continue after q.After and
	// report Next when more remain.
	SetAccessMode(ctx context.Context, q AccessModeQuery) (AccessModeResult, error)
}

// AccessModeQuery is one bulk access mode change.
type AccessModeQuery struct {
	// Selection uses PublicIDs, Prefixes or Tag (with Type).
	Selection
	// Mode is AccessPublic or AccessAuthenticated.
	Mode string
	// After is the Seq a previous call stopped at (0: from the start).
	After int64
	// Limit bounds the assets handled; at least 1.
	Limit int
	// Time is the assets' new updated_at.
	Time time.Time
}

// AccessModeChange is what a bulk access mode change did to one asset.
type AccessModeChange struct {
	Key
	// Found is false for a requested public ID with no asset.
	Found bool
	// Version is the asset's version (unchanged).
	Version int64
	// Prev is the asset's access mode before the change.
	Prev string
}

// AccessModeResult is what SetAccessMode did.
type AccessModeResult struct {
	// Assets in request order for public IDs (with the ones not found),
	// else in Seq order.
	Assets []AccessModeChange
	// Next is the Seq to continue after; 0 when nothing remains.
	Next int64
}

// SetAccessMode changes access modes in bulk.
func (s *db) SetAccessMode(ctx context.Context, q AccessModeQuery) (AccessModeResult, error) {
	if q.Limit < 1 {
		return AccessModeResult{}, fmt.Errorf("meta: access mode: limit %d", q.Limit)
	}
	if q.Mode != AccessPublic && q.Mode != AccessAuthenticated {
		return AccessModeResult{}, fmt.Errorf("meta: access mode %q", q.Mode)
	}
	var res AccessModeResult
	err := s.tx(ctx, func(tx *txn) error {
		res = AccessModeResult{}
		targets, next, err := selectTargets(ctx, tx, DeleteQuery{Selection: q.Selection, After: q.After, Limit: q.Limit})
		if err != nil {
			return err
		}
		res.Next = next
		for _, t := range targets {
			c := AccessModeChange{Key: t.key}
			if !t.found {
				res.Assets = append(res.Assets, c)
				continue
			}
			a, id, err := getAsset(ctx, tx, t.key)
			if errors.Is(err, ErrNotFound) {
				res.Assets = append(res.Assets, c)
				continue
			}
			if err != nil {
				return err
			}
			c.Found, c.Version, c.Prev = true, a.Version, a.AccessMode
			if _, err := tx.ExecContext(ctx, `UPDATE assets SET access_mode = ?, updated_at = ? WHERE id = ?`,
				q.Mode, q.Time.UnixNano(), id); err != nil {
				return fmt.Errorf("meta: access mode: %w", err)
			}
			res.Assets = append(res.Assets, c)
		}
		return nil
	})
	return res, err
}
