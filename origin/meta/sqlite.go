package meta

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"fmt"
	"net/url"
	"runtime"

	_ "github.com/mattn/go-sqlite3" // database/sql driver "sqlite3"
)

// SQLite is the embedded Store: one file in WAL mode with synchronous=FULL,
// so a committed transaction survives a crash; only records of derived
// images, which can be made again, commit without waiting (txRelaxed).
// Writes go through one connection (SQLite has one writer); reads use a
// pool.
type SQLite struct {
	db
}

// OpenSQLite opens (creating and migrating) the database at path.
func OpenSQLite(path string) (*SQLite, error) {
	q := url.Values{}
	q.Set("_journal_mode", "WAL")
	q.Set("_synchronous", "FULL")
	q.Set("_busy_timeout", "10000")
	q.Set("_foreign_keys", "on")
	q.Set("_txlock", "immediate")
	// Each connection keeps its most recent prepared statements: parsing
	// SQL was a tenth of a derived image's metadata cost.
	q.Set("_stmt_cache_size", "64")
	w, err := sql.Open("sqlite3", "file:"+path+"?"+q.Encode())
	if err != nil {
		return nil, fmt.Errorf("meta: %w", err)
	}
	w.SetMaxOpenConns(1)
	if err := migrate(context.Background(), w); err != nil {
		w.Close()
		return nil, err
	}
	q.Set("mode", "ro")
	q.Del("_txlock")
	r, err := sql.Open("sqlite3", "file:"+path+"?"+q.Encode())
	if err != nil {
		w.Close()
		return nil, fmt.Errorf("meta: %w", err)
	}
	r.SetMaxOpenConns(2 * runtime.GOMAXPROCS(0))
	s := &SQLite{db{w: w, r: pool{DB: r}}}
	if err := s.backfillTokens(context.Background()); err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

// Close closes both pools.
func (s *SQLite) Close() error {
	err1 := s.r.Close()
	err2 := s.w.Close()
	if err1 != nil {
		return err1
	}
	return err2
}

// sqliteRelaxed runs fn in a write transaction committed with
// synchronous=NORMAL. In WAL mode the database stays consistent either
// way; a crash may lose the last such commits, until the next ordinary
// (FULL) commit syncs the log and them with it.
func (s *db) sqliteRelaxed(ctx context.Context, fn func(*txn) error) error {
	c, err := s.w.Conn(ctx)
	if err != nil {
		return fmt.Errorf("meta: %w", err)
	}
	defer c.Close()
	if _, err := c.ExecContext(ctx, "PRAGMA synchronous=NORMAL"); err != nil {
		return fmt.Errorf("meta: relax: %w", err)
	}
	defer func() {
		if _, err := c.ExecContext(context.WithoutCancel(ctx), "PRAGMA synchronous=FULL"); err != nil {
			// Never hand back a connection that would commit uploads
			// without syncing: discard it.
			_ = c.Raw(func(any) error { return driver.ErrBadConn })
		}
	}()
	return inTx(ctx, c, s.d, true, fn)
}
