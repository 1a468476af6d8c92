package meta

import (
	"context"
	"database/sql"
	"fmt"
)

// migrations are applied in order; PRAGMA user_version records how many
// have run. Never edit one that has shipped: append a new one.
var migrations = []string{
	// 1: assets, their tag index, the per-key version high-water mark,
	// delete tokens.
	`CREATE TABLE assets (
		id                INTEGER PRIMARY KEY,
		cloud             TEXT NOT NULL,
		resource_type     TEXT NOT NULL,
		type              TEXT NOT NULL,
		public_id         TEXT NOT NULL,
		asset_id          TEXT NOT NULL UNIQUE,
		version           INTEGER NOT NULL,
		version_id        TEXT NOT NULL,
		format            TEXT NOT NULL,
		bytes             INTEGER NOT NULL,
		width             INTEGER NOT NULL,
		height            INTEGER NOT NULL,
		pages             INTEGER NOT NULL,
		etag              TEXT NOT NULL,
		blob              TEXT NOT NULL,
		created_at        INTEGER NOT NULL,
		updated_at        INTEGER NOT NULL,
		tags              TEXT NOT NULL,
		context           TEXT NOT NULL,
		metadata          TEXT NOT NULL,
		moderation_status TEXT NOT NULL,
		original_filename TEXT NOT NULL,
		asset_folder      TEXT NOT NULL,
		display_name      TEXT NOT NULL,
		eager             TEXT NOT NULL,
		UNIQUE (cloud, resource_type, type, public_id)
	);
	CREATE INDEX assets_created ON assets (cloud, resource_type, type, created_at, id);
	CREATE TABLE asset_tags (
		asset INTEGER NOT NULL REFERENCES assets (id) ON DELETE CASCADE,
		cloud TEXT NOT NULL,
		resource_type TEXT NOT NULL,
		tag TEXT NOT NULL,
		PRIMARY KEY (asset, tag)
	);
	CREATE INDEX asset_tags_tag ON asset_tags (cloud, resource_type, tag);
	CREATE TABLE versions (
		cloud         TEXT NOT NULL,
		resource_type TEXT NOT NULL,
		type          TEXT NOT NULL,
		public_id     TEXT NOT NULL,
		last_version  INTEGER NOT NULL,
		PRIMARY KEY (cloud, resource_type, type, public_id)
	);
	CREATE TABLE delete_tokens (
		token         TEXT PRIMARY KEY,
		cloud         TEXT NOT NULL,
		resource_type TEXT NOT NULL,
		type          TEXT NOT NULL,
		public_id     TEXT NOT NULL,
		expires_at    INTEGER NOT NULL
	);`,
	// 2: derived resources, keyed by the asset version they came from.
	`CREATE TABLE derived (
		id             INTEGER PRIMARY KEY,
		asset          INTEGER NOT NULL REFERENCES assets (id) ON DELETE CASCADE,
		version        INTEGER NOT NULL,
		transformation TEXT NOT NULL,
		format         TEXT NOT NULL,
		variant        TEXT NOT NULL,
		bytes          INTEGER NOT NULL,
		width          INTEGER NOT NULL,
		height         INTEGER NOT NULL,
		etag           TEXT NOT NULL,
		blob           TEXT NOT NULL,
		created_at     INTEGER NOT NULL,
		UNIQUE (asset, version, transformation, format, variant)
	);
	CREATE INDEX derived_transformation ON derived (transformation);`,
}

func migrate(ctx context.Context, db *sql.DB) error {
	var have int
	if err := db.QueryRowContext(ctx, `PRAGMA user_version`).Scan(&have); err != nil {
		return fmt.Errorf("meta: schema version: %w", err)
	}
	if have > len(migrations) {
		return fmt.Errorf("meta: database schema %d is newer than this binary (%d)", have, len(migrations))
	}
	for i := have; i < len(migrations); i++ {
		tx, err := db.BeginTx(ctx, nil)
		if err != nil {
			return fmt.Errorf("meta: migration %d: %w", i+1, err)
		}
		if _, err := tx.ExecContext(ctx, migrations[i]); err != nil {
			tx.Rollback()
			return fmt.Errorf("meta: migration %d: %w", i+1, err)
		}
		if _, err := tx.ExecContext(ctx, fmt.Sprintf(`PRAGMA user_version = %d`, i+1)); err != nil {
			tx.Rollback()
			return fmt.Errorf("meta: migration %d: %w", i+1, err)
		}
		if err := tx.Commit(); err != nil {
			return fmt.Errorf("meta: migration %d: %w", i+1, err)
		}
	}
	return nil
}
