package localsrv

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/jackc/pgx/v5"
)

// A server on a directory of the caller's keeps its databases through a
// restart on the same directory (initdb runs once), and Stop leaves the
// directory; a server on a temporary directory removes it.
func TestPostgresOnADirectory(t *testing.T) {
	ctx := context.Background()
	tmp := t.TempDir()
	dir := filepath.Join(tmp, "pg")
	if os.Geteuid() == 0 { // nobody runs the server: it must reach dir
		os.Chmod(tmp, 0o755)
		os.Chmod(filepath.Dir(tmp), 0o755)
	}
	s, err := StartPostgres(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.CreateDatabase(ctx, "kept"); err != nil {
		t.Fatal(err)
	}
	execSQL(t, s, "kept", `CREATE TABLE t (v int); INSERT INTO t VALUES (42)`)
	s.Stop()
	s.Stop() // a second Stop does nothing
	if _, err := os.Stat(filepath.Join(dir, "data", "PG_VERSION")); err != nil {
		t.Fatalf("Stop removed the caller's directory: %v", err)
	}
	s, err = StartPostgres(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Stop()
	if err := s.CreateDatabase(ctx, "kept"); err != nil {
		t.Fatalf("CreateDatabase of an existing database: %v", err)
	}
	conn, err := pgx.Connect(ctx, s.URL("kept"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	var v int
	if err := conn.QueryRow(ctx, `SELECT v FROM t`).Scan(&v); err != nil || v != 42 {
		t.Fatalf("after a restart: %d, %v", v, err)
	}

	own, err := StartPostgres(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	own.Stop()
	if _, err := os.Stat(own.dir); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("the temporary directory is left: %v", err)
	}
}

func execSQL(t *testing.T, s *PostgresServer, db, sql string) {
	t.Helper()
	conn, err := pgx.Connect(context.Background(), s.URL(db))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	if _, err := conn.Exec(context.Background(), sql); err != nil {
		t.Fatal(err)
	}
}

// Without PostgreSQL's binaries the error is a MissingError.
func TestPostgresBinMissing(t *testing.T) {
	t.Setenv("PATH", t.TempDir())
	_, err := postgresBinUnder(t.TempDir())
	var missing *MissingError
	if !errors.As(err, &missing) || missing.Program != "PostgreSQL" {
		t.Fatalf("error %v, want a MissingError", err)
	}
}
