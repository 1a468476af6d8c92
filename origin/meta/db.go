package meta

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
)

// db is the store both SQLite and Postgres are: every method of Store is
// written once, in SQL both engines run, through database/sql. Where they
// differ, the dialect says how (placeholders, row locks, relaxed commits,
// which errors are worth a retry).
type db struct {
	w *sql.DB // write transactions (SQLite: its one connection)
	r pool    // reads (SQLite: a read-only pool; PostgreSQL: the same pool as w)
	d dialect

	backup backupPolicy
}

// dialect is what differs between the engines.
type dialect struct {
	// postgres: $n placeholders, row locks, retries of deadlocks.
	postgres bool
}

// bind rewrites the ? placeholders the queries are written with into
// PostgreSQL's $1, $2... (none of the queries has a ? in a literal, but
// quoted text is skipped all the same).
func (d dialect) bind(q string) string {
	if !d.postgres || !strings.Contains(q, "?") {
		return q
	}
	var b strings.Builder
	b.Grow(len(q) + 16)
	n, quoted := 0, false
	for i := 0; i < len(q); i++ {
		c := q[i]
		switch {
		case c == '\'':
			quoted = !quoted
		case c == '?' && !quoted:
			n++
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(n))
			continue
		}
		b.WriteByte(c)
	}
	return b.String()
}

// forUpdate ends a SELECT of rows a write transaction is about to change:
// PostgreSQL locks them until the commit, so that writers on several
// origins take turns (SQLite has one writer: nothing to lock).
func (d dialect) forUpdate() string {
	if d.postgres {
		return ` FOR UPDATE`
	}
	return ``
}

// forKeyShare ends a SELECT of rows a transaction only needs to stay
// there (rows others refer to): on PostgreSQL they cannot be deleted
// until the commit, while they can still be updated.
func (d dialect) forKeyShare() string {
	if d.postgres {
		return ` FOR KEY SHARE`
	}
	return ``
}

// counterShard completes a counter's name with its shard (addCounter):
// on PostgreSQL ".<k>", k the connection's server process modulo
// counterShards, so that transactions on different connections seldom
// add to the same row.
func (d dialect) counterShard() string {
	if d.postgres {
		return ` || '.' || CAST(pg_backend_pid() % ` + strconv.Itoa(counterShards) + ` AS TEXT)`
	}
	return ``
}

// contains is a condition: the column contains the text of the next
// parameter.
func (d dialect) contains(column string) string {
	if d.postgres {
		return `strpos(` + column + `, ?) > 0`
	}
	return `instr(` + column + `, ?) > 0`
}

// prefixEnd is the bound a listing by prefix stops before: PostgreSQL
// takes text that is valid UTF-8 only, so the bound moves the last
// character, not the last byte (the same order: UTF-8 sorts by code point
// in the "C" collation the columns use).
func (d dialect) prefixEnd(prefix string) (string, bool) {
	if d.postgres {
		return prefixEndRunes(prefix)
	}
	return prefixEnd(prefix)
}

// now is the database's clock as SQL, in unix nanoseconds: the one clock
// every origin of a shared database reads, so that a lease expires at the
// same moment for all of them whatever their own clocks say. (SQLite's
// has a millisecond's resolution.)
func (d dialect) now() string {
	if d.postgres {
		return `CAST(EXTRACT(EPOCH FROM clock_timestamp()) * 1000000000 AS BIGINT)`
	}
	return `CAST((julianday('now') - 2440587.5) * 86400000000000 AS INTEGER)`
}

// retryable reports an error after which the whole transaction may be run
// again: PostgreSQL's serialisation failures and deadlocks.
func (d dialect) retryable(err error) bool {
	var pe *pgconn.PgError
	return d.postgres && errors.As(err, &pe) && (pe.Code == "40001" || pe.Code == "40P01")
}

// uniqueViolation reports an insert or update that a unique index refused.
func uniqueViolation(err error) bool {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return pe.Code == "23505"
	}
	return sqliteUniqueViolation(err)
}

// pool runs queries outside transactions.
type pool struct {
	*sql.DB
	d dialect
}

func (p pool) ExecContext(ctx context.Context, q string, args ...any) (sql.Result, error) {
	return p.DB.ExecContext(ctx, p.d.bind(q), args...)
}

func (p pool) QueryContext(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	return p.DB.QueryContext(ctx, p.d.bind(q), args...)
}

func (p pool) QueryRowContext(ctx context.Context, q string, args ...any) *sql.Row {
	return p.DB.QueryRowContext(ctx, p.d.bind(q), args...)
}

// writes runs single statements on the write pool, outside transactions
// (each statement is its own): SQLite's one writer connection, or
// PostgreSQL's pool.
func (s *db) writes() pool { return pool{DB: s.w, d: s.d} }

// txn is a write transaction.
type txn struct {
	*sql.Tx
	d dialect
}

func (t *txn) ExecContext(ctx context.Context, q string, args ...any) (sql.Result, error) {
	return t.Tx.ExecContext(ctx, t.d.bind(q), args...)
}

func (t *txn) QueryContext(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	return t.Tx.QueryContext(ctx, t.d.bind(q), args...)
}

func (t *txn) QueryRowContext(ctx context.Context, q string, args ...any) *sql.Row {
	return t.Tx.QueryRowContext(ctx, t.d.bind(q), args...)
}

// maxAttempts bounds the runs of a transaction that PostgreSQL aborted as
// a deadlock or serialisation failure.
const maxAttempts = 5

// tx runs fn in a write transaction.
func (s *db) tx(ctx context.Context, fn func(*txn) error) error {
	return s.run(ctx, false, fn)
}

// txRelaxed runs fn in a write transaction committed without waiting for
// the disk, for records of things that can be made again (derived
// images). The database stays consistent either way; a crash may lose the
// last such commits.
func (s *db) txRelaxed(ctx context.Context, fn func(*txn) error) error {
	return s.run(ctx, true, fn)
}

// run runs fn in a transaction, again (a bounded number of times, after a
// short random pause) when PostgreSQL aborted it as a deadlock or a
// serialisation failure. fn must start from scratch each time: whatever
// it collects goes in variables it resets.
func (s *db) run(ctx context.Context, relaxed bool, fn func(*txn) error) error {
	for attempt := 1; ; attempt++ {
		var err error
		if relaxed && !s.d.postgres {
			err = s.sqliteRelaxed(ctx, fn)
		} else {
			err = inTx(ctx, s.w, s.d, relaxed, fn)
		}
		if err == nil || attempt == maxAttempts || !s.d.retryable(err) {
			return err
		}
		pause := time.Duration(attempt) * time.Duration(1+rand.IntN(5)) * time.Millisecond
		select {
		case <-ctx.Done():
			return err
		case <-time.After(pause):
		}
	}
}

// inTx runs fn in a transaction begun on db (the pool or one connection
// of it), committing if fn succeeds and rolling back if not. An error a
// unique index raised also matches ErrExists.
func inTx(ctx context.Context, db interface {
	BeginTx(context.Context, *sql.TxOptions) (*sql.Tx, error)
}, d dialect, relaxed bool, fn func(*txn) error) error {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("meta: begin: %w", err)
	}
	t := &txn{Tx: tx, d: d}
	if relaxed && d.postgres {
		if _, err := tx.ExecContext(ctx, `SET LOCAL synchronous_commit TO OFF`); err != nil {
			tx.Rollback()
			return fmt.Errorf("meta: relax: %w", err)
		}
	}
	if err := fn(t); err != nil {
		tx.Rollback()
		if uniqueViolation(err) && !errors.Is(err, ErrExists) {
			return fmt.Errorf("%w: %w", ErrExists, err)
		}
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("meta: commit: %w", err)
	}
	return nil
}

// suffix is the last n characters of a text column.
func (d dialect) suffix(column string, n int) string {
	if d.postgres {
		return `right(` + column + `, ` + strconv.Itoa(n) + `)`
	}
	return `substr(` + column + `, -` + strconv.Itoa(n) + `)`
}

// assetsOf joins the assets whose ids the column of the table before it
// gives, in that order: each row leads to its asset by primary key. SQLite
// keeps the tables of a CROSS JOIN in order; PostgreSQL may not, and would
// rather read every asset of a format than look a thousand up, so its
// assets come from a LATERAL subquery (kept apart by OFFSET 0), read for
// each row.
func (d dialect) assetsOf(column string) string {
	if d.postgres {
		return `CROSS JOIN LATERAL (SELECT * FROM assets WHERE id = ` + column + ` OFFSET 0) a`
	}
	return `CROSS JOIN assets a`
}
