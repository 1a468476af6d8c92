package meta

import (
	"context"
	"fmt"
)

// setIndexes rewrites the rows that let assets be found by tag, by
// context key and value and by structured metadata. It runs in every
// transaction that writes an asset.
func setIndexes(ctx context.Context, tx *txn, id int64, a *Asset) error {
	if err := setTags(ctx, tx, id, a); err != nil {
		return err
	}
	if err := setContext(ctx, tx, id, a); err != nil {
		return err
	}
	return setMetadata(ctx, tx, id, a)
}

func setContext(ctx context.Context, tx *txn, id int64, a *Asset) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM asset_context WHERE asset = ?`, id); err != nil {
		return fmt.Errorf("meta: context: %w", err)
	}
	for k, v := range a.Context {
		if _, err := tx.ExecContext(ctx, `INSERT INTO asset_context (asset, cloud, resource_type, key, value)
			VALUES (?, ?, ?, ?, ?)`, id, a.Cloud, a.ResourceType, k, v); err != nil {
			return fmt.Errorf("meta: context: %w", err)
		}
	}
	return nil
}
