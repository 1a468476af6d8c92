package meta

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"runtime"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
)

// Postgres is the Store several origins share: one PostgreSQL database,
// reached through pgx's database/sql driver, so that it runs the very
// queries SQLite runs (db). Writers on different origins take turns per
// asset by row locks (lockKeys, getAsset's FOR UPDATE) in READ COMMITTED
// transactions (derived images, made at once, only share a key-share lock
// on theirs: PutDerived); a transaction PostgreSQL aborts as a deadlock is
// run again. Records of derived images commit without waiting for the disk
// (synchronous_commit off for that transaction only).
type Postgres struct {
	db
}

// poolSize bounds each origin's connections to PostgreSQL.
func poolSize() int { return max(8, 4*runtime.GOMAXPROCS(0)) }

// OpenPostgres connects to the database at connString (a postgres:// URL
// or key=value settings), checks that it answers, and migrates it.
// password, when not empty, replaces the one connString gives.
func OpenPostgres(ctx context.Context, connString, password string) (*Postgres, error) {
	cfg, err := pgx.ParseConfig(connString)
	if err != nil {
		return nil, fmt.Errorf("meta: postgres: %w", err)
	}
	if password != "" {
		cfg.Password = password
	}
	if cfg.ConnectTimeout == 0 {
		cfg.ConnectTimeout = 10 * time.Second
	}
	w := stdlib.OpenDB(*cfg)
	w.SetMaxOpenConns(poolSize())
	w.SetMaxIdleConns(poolSize())
	w.SetConnMaxIdleTime(5 * time.Minute)
	if err := w.PingContext(ctx); err != nil {
		w.Close()
		return nil, fmt.Errorf("meta: postgres: %w", err)
	}
	if err := migratePostgres(ctx, w); err != nil {
		w.Close()
		return nil, err
	}
	d := dialect{postgres: true}
	s := &Postgres{db{w: w, r: pool{DB: w, d: d}, d: d}}
	if err := s.backfillTokens(ctx); err != nil {
		w.Close()
		return nil, err
	}
	return s, nil
}

// Close closes the pool.
func (s *Postgres) Close() error { return s.w.Close() }

// migrationLock is the advisory lock the migrations run under (any
// constant: "mediacdn" in ASCII).
const migrationLock = 0x6d6564696163646e

// migratePostgres brings the schema up to date in one transaction, under
// an advisory lock: origins starting together wait for the first, then
// find nothing left to do. schema_version holds how many of
// pgMigrations have run.
func migratePostgres(ctx context.Context, w *sql.DB) error {
	tx, err := w.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("meta: migrate: %w", err)
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock($1)`, int64(migrationLock)); err != nil {
		return fmt.Errorf("meta: migrate: lock: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_version (version BIGINT NOT NULL)`); err != nil {
		return fmt.Errorf("meta: migrate: %w", err)
	}
	var have int
	err = tx.QueryRowContext(ctx, `SELECT version FROM schema_version`).Scan(&have)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		if _, err := tx.ExecContext(ctx, `INSERT INTO schema_version (version) VALUES (0)`); err != nil {
			return fmt.Errorf("meta: migrate: %w", err)
		}
	case err != nil:
		return fmt.Errorf("meta: schema version: %w", err)
	}
	if have > len(pgMigrations) {
		return fmt.Errorf("meta: database schema %d is newer than this binary (%d)", have, len(pgMigrations))
	}
	for i := have; i < len(pgMigrations); i++ {
		if _, err := tx.ExecContext(ctx, pgMigrations[i]); err != nil {
			return fmt.Errorf("meta: migration %d: %w", i+1, err)
		}
	}
	if _, err := tx.ExecContext(ctx, `UPDATE schema_version SET version = $1`, len(pgMigrations)); err != nil {
		return fmt.Errorf("meta: migrate: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("meta: migrate: %w", err)
	}
	return nil
}

// pgMigrations are PostgreSQL's schema, applied in order. Never edit one
// that has shipped: append a new one. The first is SQLite's schema after
// its migrations 1 to 7, in PostgreSQL's types: identity columns (never
// reused), BOOLEAN flags, BIGINT times in unix nanoseconds, JSON as TEXT.
// Every text a listing orders or compares by range uses the "C"
// collation: byte order, as SQLite's.
var pgMigrations = []string{
	`CREATE TABLE assets (
		id                BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
		cloud             TEXT COLLATE "C" NOT NULL,
		resource_type     TEXT COLLATE "C" NOT NULL,
		type              TEXT COLLATE "C" NOT NULL,
		public_id         TEXT COLLATE "C" NOT NULL,
		asset_id          TEXT NOT NULL UNIQUE,
		version           BIGINT NOT NULL,
		version_id        TEXT NOT NULL,
		format            TEXT NOT NULL,
		bytes             BIGINT NOT NULL,
		width             BIGINT NOT NULL,
		height            BIGINT NOT NULL,
		pages             BIGINT NOT NULL,
		etag              TEXT NOT NULL,
		blob              TEXT NOT NULL,
		created_at        BIGINT NOT NULL,
		updated_at        BIGINT NOT NULL,
		tags              TEXT NOT NULL,
		context           TEXT NOT NULL,
		metadata          TEXT NOT NULL,
		moderation_status TEXT NOT NULL,
		original_filename TEXT NOT NULL,
		asset_folder      TEXT NOT NULL,
		display_name      TEXT NOT NULL,
		eager             TEXT NOT NULL,
		moderation_kind   TEXT NOT NULL DEFAULT '',
		coordinates       TEXT NOT NULL DEFAULT '{}',
		access_mode       TEXT NOT NULL DEFAULT 'public',
		backup            BOOLEAN,
		UNIQUE (cloud, resource_type, type, public_id)
	);
	CREATE INDEX assets_created ON assets (cloud, resource_type, type, created_at, id);
	CREATE INDEX assets_seq ON assets (cloud, resource_type, type, id);
	CREATE INDEX assets_rt_seq ON assets (cloud, resource_type, id);
	CREATE INDEX assets_rt_public_id ON assets (cloud, resource_type, public_id, type);
	CREATE INDEX assets_moderation ON assets (cloud, resource_type, moderation_kind, moderation_status, id);
	CREATE TABLE asset_tags (
		asset         BIGINT NOT NULL REFERENCES assets (id) ON DELETE CASCADE,
		cloud         TEXT COLLATE "C" NOT NULL,
		resource_type TEXT COLLATE "C" NOT NULL,
		tag           TEXT COLLATE "C" NOT NULL,
		PRIMARY KEY (asset, tag)
	);
	CREATE INDEX asset_tags_tag ON asset_tags (cloud, resource_type, tag);
	CREATE INDEX asset_tags_seq ON asset_tags (cloud, resource_type, tag, asset);
	CREATE TABLE versions (
		cloud         TEXT COLLATE "C" NOT NULL,
		resource_type TEXT COLLATE "C" NOT NULL,
		type          TEXT COLLATE "C" NOT NULL,
		public_id     TEXT COLLATE "C" NOT NULL,
		last_version  BIGINT NOT NULL,
		PRIMARY KEY (cloud, resource_type, type, public_id)
	);
	CREATE TABLE delete_tokens (
		token         TEXT PRIMARY KEY,
		cloud         TEXT NOT NULL,
		resource_type TEXT NOT NULL,
		type          TEXT NOT NULL,
		public_id     TEXT NOT NULL,
		expires_at    BIGINT NOT NULL
	);
	CREATE INDEX delete_tokens_expires ON delete_tokens (expires_at);
	CREATE TABLE derived (
		id             BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
		asset          BIGINT NOT NULL REFERENCES assets (id) ON DELETE CASCADE,
		version        BIGINT NOT NULL,
		transformation TEXT COLLATE "C" NOT NULL,
		format         TEXT NOT NULL,
		variant        TEXT NOT NULL,
		bytes          BIGINT NOT NULL,
		width          BIGINT NOT NULL,
		height         BIGINT NOT NULL,
		etag           TEXT NOT NULL,
		blob           TEXT NOT NULL,
		created_at     BIGINT NOT NULL,
		UNIQUE (asset, version, transformation, format, variant)
	);
	CREATE INDEX derived_transformation ON derived (transformation);
	CREATE INDEX derived_asset ON derived (asset, id);
	CREATE TABLE asset_context (
		asset         BIGINT NOT NULL REFERENCES assets (id) ON DELETE CASCADE,
		cloud         TEXT COLLATE "C" NOT NULL,
		resource_type TEXT COLLATE "C" NOT NULL,
		key           TEXT COLLATE "C" NOT NULL,
		value         TEXT COLLATE "C" NOT NULL,
		PRIMARY KEY (asset, key)
	);
	CREATE INDEX asset_context_kv ON asset_context (cloud, resource_type, key, value, asset);
	CREATE INDEX asset_context_k ON asset_context (cloud, resource_type, key, asset);
	CREATE TABLE related (
		a          BIGINT NOT NULL REFERENCES assets (id) ON DELETE CASCADE,
		b          BIGINT NOT NULL REFERENCES assets (id) ON DELETE CASCADE,
		created_at BIGINT NOT NULL,
		PRIMARY KEY (a, b)
	);
	CREATE INDEX related_b ON related (b);
	CREATE TABLE backups (
		id            BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
		cloud         TEXT COLLATE "C" NOT NULL,
		resource_type TEXT COLLATE "C" NOT NULL,
		type          TEXT COLLATE "C" NOT NULL,
		public_id     TEXT COLLATE "C" NOT NULL,
		asset_id      TEXT NOT NULL,
		version       BIGINT NOT NULL,
		version_id    TEXT NOT NULL,
		format        TEXT NOT NULL,
		bytes         BIGINT NOT NULL,
		width         BIGINT NOT NULL,
		height        BIGINT NOT NULL,
		pages         BIGINT NOT NULL,
		etag          TEXT NOT NULL,
		blob          TEXT NOT NULL,
		created_at    BIGINT NOT NULL,
		backed_up_at  BIGINT NOT NULL,
		access_mode   TEXT NOT NULL DEFAULT 'public'
	);
	CREATE INDEX backups_key ON backups (cloud, resource_type, type, public_id, version);
	CREATE INDEX backups_asset_id ON backups (cloud, asset_id);
	CREATE TABLE transformations (
		cloud              TEXT COLLATE "C" NOT NULL,
		named              BOOLEAN NOT NULL,
		name               TEXT COLLATE "C" NOT NULL,
		transformation     TEXT NOT NULL,
		canonical          TEXT NOT NULL,
		allowed_for_strict BOOLEAN NOT NULL,
		used               BOOLEAN NOT NULL,
		created_at         BIGINT NOT NULL,
		updated_at         BIGINT NOT NULL,
		deleted            BOOLEAN NOT NULL DEFAULT FALSE,
		PRIMARY KEY (cloud, named, name)
	);
	CREATE INDEX transformations_list ON transformations (cloud, deleted, name);
	CREATE INDEX transformations_canonical ON transformations (cloud, canonical);
	CREATE TABLE analyses (
		asset   BIGINT NOT NULL REFERENCES assets (id) ON DELETE CASCADE,
		version BIGINT NOT NULL,
		data    TEXT NOT NULL,
		PRIMARY KEY (asset, version)
	);
	CREATE TABLE counters (
		cloud TEXT NOT NULL,
		name  TEXT NOT NULL,
		value BIGINT NOT NULL,
		PRIMARY KEY (cloud, name)
	);
	CREATE TABLE served (
		edge       TEXT NOT NULL,
		started    BIGINT NOT NULL,
		requests   BIGINT NOT NULL,
		bytes      BIGINT NOT NULL,
		updated_at BIGINT NOT NULL,
		PRIMARY KEY (edge, started)
	);`,
	sharedSchema,
	// 3: upload mappings.
	uploadMappingsSchema(` COLLATE "C"`),
	// 4: upload presets (presets.go).
	presetsSchema(`COLLATE "C"`),
	// 5: the outbox of webhooks (outbox.go).
	outboxSchema(`id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY`),
	// 6: an upload preset's live attribute (presets.go).
	presetsLive,
	// 7: background jobs (jobs.go).
	jobsSchema(`id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY`),
	// 8: structured metadata fields and the index of the assets' values.
	metadataFieldsSchema(` COLLATE "C"`, "BOOLEAN", "FALSE"),
	// 9: an asset's access_control (accesscontrol.go).
	accessControlSchema,
	// 10: folders (folders.go).
	foldersSchema(`COLLATE "C"`, "strpos", "md5(random()::text || cloud || path)"),
	// 11: usage figures per day, and when a cloud was first seen
	// (usage_daily.go).
	usageHistorySchema(`COLLATE "C"`),
	// 12: triggers, the notifications of a cloud's event types (triggers.go).
	triggersSchema,
	// 13: the Search API's indexes (search.go).
	searchIndexes,
	// 14: folders' names and the Search Folders API's indexes
	// (folders_search.go).
	folderSearchSchema(` COLLATE "C"`),
	// 15: display names by asset folder (display_names.go).
	displayNameIndex,
	// 16: the words of assets' text fields, for the Search API's : and
	// free text (search_tokens.go).
	tokensSchema(` COLLATE "C"`, ""),
	// 17: the words of string metadata values too: the backfill of the
	// words starts over (search_tokens.go).
	tokensMetadataBackfill,
}
