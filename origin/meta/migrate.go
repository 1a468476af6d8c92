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
	// 3: the Admin API: listing orders (by creation sequence, by public ID),
	// context and moderation queries, coordinates, related assets, backups,
	// named and used transformations, image analyses, usage counters and
	// what edges served.
	`ALTER TABLE assets ADD COLUMN moderation_kind TEXT NOT NULL DEFAULT '';
	ALTER TABLE assets ADD COLUMN coordinates TEXT NOT NULL DEFAULT '{}';
	CREATE INDEX assets_seq ON assets (cloud, resource_type, type, id);
	CREATE INDEX assets_rt_seq ON assets (cloud, resource_type, id);
	CREATE INDEX assets_rt_public_id ON assets (cloud, resource_type, public_id, type);
	CREATE INDEX assets_moderation ON assets (cloud, resource_type, moderation_kind, moderation_status, id);
	CREATE INDEX asset_tags_seq ON asset_tags (cloud, resource_type, tag, asset);
	CREATE TABLE asset_context (
		asset INTEGER NOT NULL REFERENCES assets (id) ON DELETE CASCADE,
		cloud TEXT NOT NULL,
		resource_type TEXT NOT NULL,
		key TEXT NOT NULL,
		value TEXT NOT NULL,
		PRIMARY KEY (asset, key)
	);
	CREATE INDEX asset_context_kv ON asset_context (cloud, resource_type, key, value, asset);
	CREATE INDEX asset_context_k ON asset_context (cloud, resource_type, key, asset);
	INSERT INTO asset_context (asset, cloud, resource_type, key, value)
		SELECT a.id, a.cloud, a.resource_type, j.key, CAST(j.value AS TEXT) FROM assets a, json_each(a.context) j;
	CREATE INDEX derived_asset ON derived (asset, id);
	CREATE TABLE related (
		a INTEGER NOT NULL REFERENCES assets (id) ON DELETE CASCADE,
		b INTEGER NOT NULL REFERENCES assets (id) ON DELETE CASCADE,
		created_at INTEGER NOT NULL,
		PRIMARY KEY (a, b)
	);
	CREATE INDEX related_b ON related (b);
	CREATE TABLE backups (
		id            INTEGER PRIMARY KEY,
		cloud         TEXT NOT NULL,
		resource_type TEXT NOT NULL,
		type          TEXT NOT NULL,
		public_id     TEXT NOT NULL,
		asset_id      TEXT NOT NULL,
		version       INTEGER NOT NULL,
		version_id    TEXT NOT NULL,
		format        TEXT NOT NULL,
		bytes         INTEGER NOT NULL,
		width         INTEGER NOT NULL,
		height        INTEGER NOT NULL,
		pages         INTEGER NOT NULL,
		etag          TEXT NOT NULL,
		blob          TEXT NOT NULL,
		created_at    INTEGER NOT NULL,
		backed_up_at  INTEGER NOT NULL
	);
	CREATE INDEX backups_key ON backups (cloud, resource_type, type, public_id, version);
	CREATE INDEX backups_asset_id ON backups (cloud, asset_id);
	CREATE TABLE transformations (
		cloud              TEXT NOT NULL,
		named              INTEGER NOT NULL,
		name               TEXT NOT NULL,
		transformation     TEXT NOT NULL,
		canonical          TEXT NOT NULL,
		allowed_for_strict INTEGER NOT NULL,
		used               INTEGER NOT NULL,
		created_at         INTEGER NOT NULL,
		updated_at         INTEGER NOT NULL,
		deleted            INTEGER NOT NULL DEFAULT 0,
		PRIMARY KEY (cloud, named, name)
	);
	CREATE INDEX transformations_list ON transformations (cloud, deleted, name);
	CREATE INDEX transformations_canonical ON transformations (cloud, canonical);
	INSERT OR IGNORE INTO transformations (cloud, named, name, transformation, canonical, allowed_for_strict,
		used, created_at, updated_at)
		SELECT DISTINCT a.cloud, 0, d.transformation, d.transformation, '', 0, 1, 0, 0
		FROM derived d JOIN assets a ON a.id = d.asset;
	CREATE TABLE analyses (
		asset   INTEGER NOT NULL REFERENCES assets (id) ON DELETE CASCADE,
		version INTEGER NOT NULL,
		data    TEXT NOT NULL,
		PRIMARY KEY (asset, version)
	);
	CREATE TABLE counters (
		cloud TEXT NOT NULL,
		name  TEXT NOT NULL,
		value INTEGER NOT NULL,
		PRIMARY KEY (cloud, name)
	);
	CREATE TABLE served (
		edge       TEXT NOT NULL,
		started    INTEGER NOT NULL,
		requests   INTEGER NOT NULL,
		bytes      INTEGER NOT NULL,
		updated_at INTEGER NOT NULL,
		PRIMARY KEY (edge, started)
	);`,
	// 4: derived IDs are never reused (AUTOINCREMENT): an ID the Admin API
	// handed out must not come to name another derived file after its own
	// was deleted.
	`CREATE TABLE derived_v4 (
		id             INTEGER PRIMARY KEY AUTOINCREMENT,
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
	INSERT INTO derived_v4 (id, asset, version, transformation, format, variant, bytes, width, height, etag, blob, created_at)
		SELECT id, asset, version, transformation, format, variant, bytes, width, height, etag, blob, created_at FROM derived
		WHERE asset IN (SELECT id FROM assets);
	DROP TABLE derived;
	ALTER TABLE derived_v4 RENAME TO derived;
	CREATE INDEX derived_transformation ON derived (transformation);
	CREATE INDEX derived_asset ON derived (asset, id);`,
	// 5: an asset's access mode (public or authenticated: delivered only
	// through signed URLs), set on upload, explicit and the Admin API.
	`ALTER TABLE assets ADD COLUMN access_mode TEXT NOT NULL DEFAULT 'public';`,
	// 6: a version's own backup setting (the upload's backup parameter);
	// NULL follows the cloud's.
	`ALTER TABLE assets ADD COLUMN backup INTEGER;`,
	// 7: a backed-up version's access mode, which a restore of a deleted
	// asset gives back (backups made before it count as public).
	`ALTER TABLE backups ADD COLUMN access_mode TEXT NOT NULL DEFAULT 'public';`,
	// 8: what several origins share besides assets: leases on work done
	// once, counts per time window (rate limits), chunks of chunked
	// uploads and the refusals of chunked uploads.
	sharedSchema,
	// 9: upload mappings (folder to template URL prefix).
	uploadMappingsSchema(""),
	// 10: upload presets (presets.go).
	presetsSchema(""),
	// 11: the outbox of webhooks (outbox.go).
	outboxSchema(`id INTEGER PRIMARY KEY AUTOINCREMENT`),
	// 12: an upload preset's live attribute (presets.go).
	presetsLive,
	// 13: background jobs (jobs.go).
	jobsSchema(`id INTEGER PRIMARY KEY AUTOINCREMENT`),
	// 14: structured metadata fields and the index of the assets' values
	// (metadata_fields.go, metadata_values.go).
	metadataFieldsSchema("", "INTEGER", "0"),
	// 15: an asset's access_control (accesscontrol.go), JSON.
	accessControlSchema,
	// 16: folders (folders.go).
	foldersSchema("", "instr", "lower(hex(randomblob(16)))"),
	// 17: usage figures per day, and when a cloud was first seen
	// (usage_daily.go).
	usageHistorySchema(""),
	// 18: triggers, the notifications of a cloud's event types (triggers.go).
	triggersSchema,
	// 19: the Search API's indexes (search.go).
	searchIndexes,
	// 20: folders' names and the Search Folders API's indexes
	// (folders_search.go).
	folderSearchSchema(""),
	// 21: display names by asset folder (display_names.go).
	displayNameIndex,
	// 22: the words of assets' text fields, for the Search API's : and
	// free text (search_tokens.go).
	tokensSchema("", " WITHOUT ROWID"),
	// 23: the words of string metadata values too: the backfill of the
	// words starts over (search_tokens.go).
	tokensMetadataBackfill,
}

// searchIndexes is migration 19 of SQLite and 13 of PostgreSQL: what the
// Search API's common forms need across resource types (sorting by
// creation, upload or public ID; tags, context, format, asset folder —
// the folders' listings and emptiness checks use that one too), so that
// none of them reads every asset of a cloud.
const searchIndexes = `CREATE INDEX assets_search_created ON assets (cloud, created_at, id);
	CREATE INDEX assets_search_uploaded ON assets (cloud, version, id);
	CREATE INDEX assets_search_public_id ON assets (cloud, public_id, id);
	CREATE INDEX assets_search_format ON assets (cloud, format, created_at, id);
	CREATE INDEX assets_search_asset_folder ON assets (cloud, asset_folder, created_at, id);
	CREATE INDEX asset_tags_search ON asset_tags (cloud, tag, asset);
	CREATE INDEX asset_context_search ON asset_context (cloud, key, value, asset);`

// sharedSchema is migration 8 of SQLite and 2 of PostgreSQL (the same
// SQL: BIGINT is INTEGER to SQLite). Times are unix nanoseconds.
const sharedSchema = `CREATE TABLE leases (
		name    TEXT PRIMARY KEY,
		holder  TEXT NOT NULL,
		expires BIGINT NOT NULL
	);
	CREATE TABLE window_counts (
		name         TEXT NOT NULL,
		window_start BIGINT NOT NULL,
		n            BIGINT NOT NULL,
		PRIMARY KEY (name, window_start)
	);
	CREATE TABLE chunks (
		cloud       TEXT NOT NULL,
		upload_id   TEXT NOT NULL,
		range_start BIGINT NOT NULL,
		range_end   BIGINT NOT NULL,
		total       BIGINT NOT NULL,
		blob        TEXT NOT NULL,
		created_at  BIGINT NOT NULL,
		PRIMARY KEY (cloud, upload_id, range_start)
	);
	CREATE INDEX chunks_created ON chunks (created_at);
	CREATE TABLE chunk_refusals (
		cloud      TEXT NOT NULL,
		upload_id  TEXT NOT NULL,
		status     BIGINT NOT NULL,
		message    TEXT NOT NULL,
		expires_at BIGINT NOT NULL,
		PRIMARY KEY (cloud, upload_id)
	);
	CREATE INDEX chunk_refusals_expires ON chunk_refusals (expires_at);`

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

// uploadMappingsSchema is migration 9 of SQLite and 3 of PostgreSQL: a
// cloud's upload mappings, by folder (listed in byte order: collate is
// PostgreSQL's COLLATE "C", "" for SQLite). Times are unix nanoseconds.
func uploadMappingsSchema(collate string) string {
	return `CREATE TABLE upload_mappings (
		cloud      TEXT` + collate + ` NOT NULL,
		folder     TEXT` + collate + ` NOT NULL,
		template   TEXT NOT NULL,
		created_at BIGINT NOT NULL,
		updated_at BIGINT NOT NULL,
		PRIMARY KEY (cloud, folder)
	);`
}
