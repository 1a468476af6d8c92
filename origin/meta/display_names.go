package meta

import (
	"context"
	"errors"
	"fmt"
)

// displayNameIndex is migration 21 of SQLite and 15 of PostgreSQL: the
// assets of an asset folder by display name, for unique display names.
const displayNameIndex = `CREATE INDEX assets_display_name ON assets (cloud, asset_folder, display_name)`

// maxDisplayNameTries bounds the suffixes tried for a unique display name.
const maxDisplayNameTries = 8

type uniqueDisplayNameKey struct{}

// WithUniqueDisplayName returns a context whose Put and Update give the
// asset a display name no other asset of its cloud's asset folder has
// (two such calls choosing the same name at once included):
// when another has it, "_" and a suffix made by suffix (a new one each
// try) are appended. An empty display name is left alone.
func WithUniqueDisplayName(ctx context.Context, suffix func() string) context.Context {
	return context.WithValue(ctx, uniqueDisplayNameKey{}, suffix)
}

// uniqueDisplayName makes a's display name unique in its asset folder
// when the context asks for it; id is a's row (0 for a new asset).
func uniqueDisplayName(ctx context.Context, tx *txn, a *Asset, id int64) error {
	suffix, _ := ctx.Value(uniqueDisplayNameKey{}).(func() string)
	if suffix == nil || a.DisplayName == "" {
		return nil
	}
	if tx.d.postgres {
		// Read committed sees what others committed, not what they are
		// writing: two calls choosing the same name wait for each other
		// (two 32-bit hashes: an unrelated name may share the lock, and wait).
		_, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock(hashtext(?), hashtext(?))`,
			a.Cloud+"/"+a.AssetFolder, a.DisplayName)
		if err != nil {
			return fmt.Errorf("meta: display name lock: %w", err)
		}
	}
	name := a.DisplayName
	for try := 0; ; try++ {
		taken, err := displayNameTaken(ctx, tx, a.Cloud, a.AssetFolder, name, id)
		switch {
		case err != nil:
			return err
		case !taken:
			a.DisplayName = name
			return nil
		case try == maxDisplayNameTries:
			return errors.New("meta: no unique display name found")
		}
		name = a.DisplayName + "_" + suffix()
	}
}

// displayNameTakenQuery counts (0 or 1) the other assets with a display
// name in an asset folder.
const displayNameTakenQuery = `SELECT count(*) FROM (SELECT 1 FROM assets
	WHERE cloud = ? AND asset_folder = ? AND display_name = ? AND id <> ? LIMIT 1) x`

// displayNameTaken reports whether an asset other than row id has the
// display name in the cloud's asset folder (assets_display_name).
func displayNameTaken(ctx context.Context, tx *txn, cloud, folder, name string, id int64) (bool, error) {
	var n int
	err := tx.QueryRowContext(ctx, displayNameTakenQuery, cloud, folder, name, id).Scan(&n)
	if err != nil {
		return false, fmt.Errorf("meta: display name: %w", err)
	}
	return n > 0, nil
}
