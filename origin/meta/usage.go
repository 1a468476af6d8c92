package meta

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// UsageStore reports what a cloud uses and records what edges served.
type UsageStore interface {
	// Usage counts a cloud's assets, derived resources and stored bytes.
	Usage(ctx context.Context, cloud string) (Usage, error)
	// RecordServed records edges' served counters (each is cumulative for
	// one edge since it started; a lower value than recorded is ignored).
	RecordServed(ctx context.Context, served []Served) error
	// Served sums every edge's served counters, over every start. The
	// counters of live (edges' current runs, as their heartbeats report
	// them) count as if recorded, without writing them.
	Served(ctx context.Context, live []Served) (requests, bytes int64, err error)
}

// Usage is a cloud's current use.
type Usage struct {
	Assets       int64
	AssetBytes   int64
	Derived      int64
	DerivedBytes int64
	Backups      int64
	BackupBytes  int64
	// Transformations counts derived resources ever made.
	Transformations int64
}

// Served is what one edge has served since it started.
type Served struct {
	Edge     string
	Started  time.Time
	Requests int64
	Bytes    int64
}

// counterTransformations counts derived resources made, per cloud.
const counterTransformations = "transformations"

// addCounter adds n to a counter of the cloud. Every derived record adds
// to one, so on PostgreSQL a counter is kept in shards, rows named
// "<name>.<k>" with k the connection's server process modulo
// counterShards, which the readers sum: with one row, derived inserts of
// every asset of a cloud, on every origin, queued for its lock from their
// update to their commit. (SQLite has one writer: one row, "<name>".)
func addCounter(ctx context.Context, tx *txn, cloud, name string, n int64) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO counters (cloud, name, value) VALUES (?, CAST(? AS TEXT)`+tx.d.counterShard()+`, ?)
		ON CONFLICT (cloud, name) DO UPDATE SET value = counters.value + excluded.value`, cloud, name, n)
	if err != nil {
		return fmt.Errorf("meta: counter: %w", err)
	}
	return nil
}

// counterShards is how many rows a counter is kept in on PostgreSQL.
const counterShards = 64

// counterRows is a condition on the counters table: the rows of the
// counter name (its shards included).
const counterRows = `(name = ? OR name LIKE ? || '.%')`

// Usage counts a cloud's use.
func (s *db) Usage(ctx context.Context, cloud string) (Usage, error) {
	var u Usage
	queries := []struct {
		q    string
		args []any
		dst  []any
		what string
	}{
		{`SELECT count(*), CAST(coalesce(sum(bytes), 0) AS BIGINT) FROM assets WHERE cloud = ?`, []any{cloud},
			[]any{&u.Assets, &u.AssetBytes}, "assets"},
		{`SELECT count(*), CAST(coalesce(sum(d.bytes), 0) AS BIGINT) FROM derived d JOIN assets a ON a.id = d.asset WHERE a.cloud = ?`,
			[]any{cloud}, []any{&u.Derived, &u.DerivedBytes}, "derived"},
		{`SELECT count(*), CAST(coalesce(sum(bytes), 0) AS BIGINT) FROM backups WHERE cloud = ?`, []any{cloud},
			[]any{&u.Backups, &u.BackupBytes}, "backups"},
		{`SELECT CAST(coalesce(sum(value), 0) AS BIGINT) FROM counters WHERE cloud = ? AND ` + counterRows,
			[]any{cloud, counterTransformations, counterTransformations}, []any{&u.Transformations}, "counters"},
	}
	for _, q := range queries {
		if err := s.r.QueryRowContext(ctx, q.q, q.args...).Scan(q.dst...); err != nil {
			return Usage{}, fmt.Errorf("meta: usage %s: %w", q.what, err)
		}
	}
	return u, nil
}

// RecordServed upserts edges' counters, keeping the highest.
func (s *db) RecordServed(ctx context.Context, served []Served) error {
	if len(served) == 0 {
		return nil
	}
	return s.tx(ctx, func(tx *txn) error {
		for _, sv := range served {
			_, err := tx.ExecContext(ctx, `INSERT INTO served (edge, started, requests, bytes, updated_at)
				VALUES (?, ?, ?, ?, ?)
				ON CONFLICT (edge, started) DO UPDATE SET
				requests = CASE WHEN excluded.requests > served.requests THEN excluded.requests ELSE served.requests END,
				bytes = CASE WHEN excluded.bytes > served.bytes THEN excluded.bytes ELSE served.bytes END,
				updated_at = excluded.updated_at`,
				sv.Edge, sv.Started.UnixNano(), sv.Requests, sv.Bytes, time.Now().UnixNano())
			if err != nil {
				return fmt.Errorf("meta: record served: %w", err)
			}
		}
		return nil
	})
}

// Served sums the recorded counters, each of live counted at the higher
// of its value and the one recorded (as RecordServed keeps it).
func (s *db) Served(ctx context.Context, live []Served) (int64, int64, error) {
	var req, bytes int64
	err := s.r.QueryRowContext(ctx, `SELECT CAST(coalesce(sum(requests), 0) AS BIGINT), CAST(coalesce(sum(bytes), 0) AS BIGINT) FROM served`).
		Scan(&req, &bytes)
	if err != nil {
		return 0, 0, fmt.Errorf("meta: served: %w", err)
	}
	for _, sv := range live {
		var r, b int64
		err := s.r.QueryRowContext(ctx, `SELECT requests, bytes FROM served WHERE edge = ? AND started = ?`,
			sv.Edge, sv.Started.UnixNano()).Scan(&r, &b)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return 0, 0, fmt.Errorf("meta: served: %w", err)
		}
		req += max(sv.Requests-r, 0)
		bytes += max(sv.Bytes-b, 0)
	}
	return req, bytes, nil
}
