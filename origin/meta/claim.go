package meta

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// Claims: the jobs and the outbox are queues of rows that origins claim
// under a lease. Both tables have the same claim columns (state,
// next_attempt, holder, lease_until, attempts) and the same due index
// (state, next_attempt); claimDue is their one claim statement.

// skipLocked ends the SELECT of rows to claim: on PostgreSQL rows another
// origin is claiming are passed over (SQLite has one writer).
func (d dialect) skipLocked() string {
	if d.postgres {
		return ` FOR UPDATE SKIP LOCKED`
	}
	return ``
}

// claimDue leases up to limit due pending rows of table to holder for
// lease (by the database's clock) and returns them, each read by scan from
// the columns of returning. It is one statement, so two origins claiming
// at once never get the same row. A read comes first, so that an idle
// queue costs every origin's poll no write (SQLite's one writer
// connection serves the uploads too). Errors name the table.
func claimDue[T any](ctx context.Context, s *db, table, holder string, limit int, lease time.Duration,
	returning string, scan func(*sql.Rows) (T, error)) ([]T, error) {
	now := s.d.now()
	var due int
	err := s.r.QueryRowContext(ctx, `SELECT COUNT(*) FROM (SELECT 1 FROM `+table+` WHERE state = 'pending'
		AND next_attempt <= `+now+` AND lease_until <= `+now+` LIMIT 1) d`).Scan(&due)
	if err != nil {
		return nil, fmt.Errorf("meta: %s claim: %w", table, err)
	}
	if due == 0 {
		return nil, nil
	}
	rows, err := s.writes().QueryContext(ctx, `UPDATE `+table+` SET holder = ?, lease_until = `+now+` + ?
		WHERE id IN (SELECT id FROM `+table+` WHERE state = 'pending' AND next_attempt <= `+now+`
			AND lease_until <= `+now+` ORDER BY next_attempt, id LIMIT ?`+s.d.skipLocked()+`)
		RETURNING `+returning, holder, lease.Nanoseconds(), limit)
	if err != nil {
		return nil, fmt.Errorf("meta: %s claim: %w", table, err)
	}
	defer rows.Close()
	var out []T
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, fmt.Errorf("meta: %s claim: %w", table, err)
		}
		out = append(out, v)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("meta: %s claim: %w", table, err)
	}
	return out, nil
}
