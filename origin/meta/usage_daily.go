package meta

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// UsageHistoryStore keeps a cloud's usage figures per day, and when the
// store first saw the cloud (GET config's created_at).
type UsageHistoryStore interface {
	// RecordDailyUsage writes a cloud's figures of a day (replacing those
	// recorded earlier that day).
	RecordDailyUsage(ctx context.Context, cloud string, u DailyUsage, now time.Time) error
	// DailyUsage returns a cloud's figures of a day (yyyy-mm-dd, UTC);
	// ErrNotFound when none were recorded.
	DailyUsage(ctx context.Context, cloud, day string) (*DailyUsage, error)
	// CloudCreated returns when the store first saw the cloud, recording
	// now when it never had.
	CloudCreated(ctx context.Context, cloud string, now time.Time) (time.Time, error)
}

// DailyUsage is a cloud's usage figures as of one day (UTC).
type DailyUsage struct {
	Day              string // yyyy-mm-dd
	Transformations  int64
	Objects          int64
	Bandwidth        int64
	Storage          int64
	Requests         int64
	Resources        int64
	DerivedResources int64
	UpdatedAt        time.Time
}

// RecordDailyUsage upserts a day's row.
func (s *db) RecordDailyUsage(ctx context.Context, cloud string, u DailyUsage, now time.Time) error {
	return s.tx(ctx, func(tx *txn) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO usage_daily (cloud, day, transformations, objects, bandwidth,
			storage, requests, resources, derived_resources, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (cloud, day) DO UPDATE SET transformations = excluded.transformations,
			objects = excluded.objects, bandwidth = excluded.bandwidth, storage = excluded.storage,
			requests = excluded.requests, resources = excluded.resources,
			derived_resources = excluded.derived_resources, updated_at = excluded.updated_at`,
			cloud, u.Day, u.Transformations, u.Objects, u.Bandwidth, u.Storage, u.Requests, u.Resources,
			u.DerivedResources, now.UnixNano())
		if err != nil {
			return fmt.Errorf("meta: record daily usage: %w", err)
		}
		return nil
	})
}

// DailyUsage reads a day's row.
func (s *db) DailyUsage(ctx context.Context, cloud, day string) (*DailyUsage, error) {
	u := DailyUsage{Day: day}
	var updated int64
	err := s.r.QueryRowContext(ctx, `SELECT transformations, objects, bandwidth, storage, requests, resources,
		derived_resources, updated_at FROM usage_daily WHERE cloud = ? AND day = ?`, cloud, day).
		Scan(&u.Transformations, &u.Objects, &u.Bandwidth, &u.Storage, &u.Requests, &u.Resources,
			&u.DerivedResources, &updated)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("meta: daily usage: %w", err)
	}
	u.UpdatedAt = time.Unix(0, updated).UTC()
	return &u, nil
}

// CloudCreated reads, or first records, when the cloud was first seen.
func (s *db) CloudCreated(ctx context.Context, cloud string, now time.Time) (time.Time, error) {
	var created int64
	err := s.tx(ctx, func(tx *txn) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO clouds (cloud, created_at) VALUES (?, ?)
			ON CONFLICT (cloud) DO NOTHING`, cloud, now.UnixNano()); err != nil {
			return fmt.Errorf("meta: cloud: %w", err)
		}
		if err := tx.QueryRowContext(ctx, `SELECT created_at FROM clouds WHERE cloud = ?`, cloud).Scan(&created); err != nil {
			return fmt.Errorf("meta: cloud: %w", err)
		}
		return nil
	})
	if err != nil {
		return time.Time{}, err
	}
	return time.Unix(0, created).UTC(), nil
}

// usageHistorySchema is the daily usage figures and the clouds' first
// sighting, the same SQL on SQLite and PostgreSQL (collate is PostgreSQL's
// COLLATE "C", "" for SQLite). Times are unix nanoseconds.
func usageHistorySchema(collate string) string {
	return `CREATE TABLE usage_daily (
		cloud             TEXT ` + collate + ` NOT NULL,
		day               TEXT ` + collate + ` NOT NULL,
		transformations   BIGINT NOT NULL,
		objects           BIGINT NOT NULL,
		bandwidth         BIGINT NOT NULL,
		storage           BIGINT NOT NULL,
		requests          BIGINT NOT NULL,
		resources         BIGINT NOT NULL,
		derived_resources BIGINT NOT NULL,
		updated_at        BIGINT NOT NULL,
		PRIMARY KEY (cloud, day)
	);
	CREATE TABLE clouds (
		cloud      TEXT ` + collate + ` PRIMARY KEY,
		created_at BIGINT NOT NULL
	);`
}
