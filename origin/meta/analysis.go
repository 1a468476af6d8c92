package meta

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

// AnalysisStore keeps what was computed from an asset version's original
// (colours, perceptual hash, embedded metadata), opaque to the store. It
// goes with the asset.
type AnalysisStore interface {
	// Analysis returns the data stored for the asset's version; ErrNotFound
	// when there is none (or the asset is gone).
	Analysis(ctx context.Context, k Key, version int64) ([]byte, error)
	// PutAnalysis stores it; ErrNotFound when the asset is gone.
	PutAnalysis(ctx context.Context, k Key, version int64, data []byte) error
}

// Analysis reads a stored analysis.
func (s *db) Analysis(ctx context.Context, k Key, version int64) ([]byte, error) {
	var data string
	err := s.r.QueryRowContext(ctx, `SELECT n.data FROM analyses n JOIN assets a ON a.id = n.asset
		WHERE a.cloud = ? AND a.resource_type = ? AND a.type = ? AND a.public_id = ? AND n.version = ?`,
		k.Cloud, k.ResourceType, k.Type, k.PublicID, version).Scan(&data)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("meta: analysis: %w", err)
	}
	return []byte(data), nil
}

// PutAnalysis stores an analysis, dropping those of other versions.
func (s *db) PutAnalysis(ctx context.Context, k Key, version int64, data []byte) error {
	return s.tx(ctx, func(tx *txn) error {
		_, id, err := getAsset(ctx, tx, k)
		if err != nil {
			return err
		}
		return setAnalysis(ctx, tx, id, version, data)
	})
}

// setAnalysis drops the analyses of the asset's other versions and, when
// data is not nil, stores version's.
func setAnalysis(ctx context.Context, tx *txn, asset, version int64, data []byte) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM analyses WHERE asset = ? AND version != ?`, asset, version); err != nil {
		return fmt.Errorf("meta: analysis: %w", err)
	}
	if data == nil {
		return nil
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO analyses (asset, version, data) VALUES (?, ?, ?)
		ON CONFLICT (asset, version) DO UPDATE SET data = excluded.data`, asset, version, string(data))
	if err != nil {
		return fmt.Errorf("meta: analysis: %w", err)
	}
	return nil
}
