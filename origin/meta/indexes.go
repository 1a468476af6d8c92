package meta

import (
	"context"
	"fmt"
	"time"
)

// setIndexes rewrites the rows that let assets be found by tag, by
// context key and value, by the words of their text fields
// (search_tokens.go) and by structured metadata, and makes its folder
// (folders.go). It runs in every transaction that writes an asset.
func setIndexes(ctx context.Context, tx *txn, id int64, a *Asset) error {
	if err := setTags(ctx, tx, id, a); err != nil {
		return err
	}
	if a.AssetFolder != "" {
		now := a.UpdatedAt
		if now.IsZero() {
			now = time.Now()
		}
		if _, err := ensureFolders(ctx, tx, a.Cloud, a.AssetFolder, now); err != nil {
			return err
		}
	}
	if err := setContext(ctx, tx, id, a); err != nil {
		return err
	}
	var types map[string]string // the cloud's metadata fields, for an asset with values
	if len(a.Metadata) > 0 {
		var err error
		if types, err = metadataTypes(ctx, tx, a.Cloud); err != nil {
			return err
		}
	}
	if err := setTokens(ctx, tx, id, a, types); err != nil {
		return err
	}
	return setMetadata(ctx, tx, id, a, types)
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
