package meta

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/mediacdn/mediacdn/internal/testservers"
)

// The contract suite runs on both stores: SQLite on a temporary file, and
// PostgreSQL on a database of its own on the server this test binary
// starts (testservers.StartPostgres), stopped at the end.
func TestMain(m *testing.M) { os.Exit(testservers.RunPostgres(m)) }

// forEachStore runs test on a new, empty store of each kind.
func forEachStore(t *testing.T, test func(t *testing.T, s Store)) {
	t.Helper()
	forEachReopened(t, func(t *testing.T, open func() Store) {
		s := open()
		t.Cleanup(func() { s.Close() })
		test(t, s)
	})
}

// forEachReopened runs test with a function that opens a store of each
// kind, each call on the same database (the caller closes what it opens).
func forEachReopened(t *testing.T, test func(t *testing.T, open func() Store)) {
	t.Helper()
	t.Run("sqlite", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "meta.db")
		test(t, func() Store {
			t.Helper()
			s, err := OpenSQLite(path)
			if err != nil {
				t.Fatal(err)
			}
			return s
		})
	})
	t.Run("postgres", func(t *testing.T) {
		pg := testservers.StartPostgres(t)
		test(t, func() Store {
			t.Helper()
			return openPostgres(t, pg.URL)
		})
	})
}

// openPostgres opens the database at url (the caller closes it).
func openPostgres(t testing.TB, url string) *Postgres {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	s, err := OpenPostgres(ctx, url, "")
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// rawDB is the SQL store under a Store, to look at its tables.
func rawDB(s Store) *db {
	switch s := s.(type) {
	case *SQLite:
		return &s.db
	case *Postgres:
		return &s.db
	}
	panic("not a SQL store")
}
