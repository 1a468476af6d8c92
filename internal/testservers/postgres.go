package testservers

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/mediacdn/mediacdn/internal/localsrv"
)

// Postgres is a database of its own for one test, on the PostgreSQL
// server the test binary started.
type Postgres struct {
	// URL reaches the database: postgres://mediacdn@127.0.0.1:<port>/<db>?sslmode=disable.
	URL      string
	Host     string
	Port     int
	User     string
	Database string
	// Server is the server the database is on (to make more databases).
	Server *PostgresServer
}

// PostgresServer is a PostgreSQL server on a temporary directory and a
// free loopback port (localsrv.PostgresServer: tuned for tests, an ICU
// en-US default collation, run as the user nobody when the tests run as
// root), making a database per test.
type PostgresServer struct {
	*localsrv.PostgresServer

	mu  sync.Mutex
	dbs int
}

// shared is the one server of a test binary, started by the first
// StartPostgres and stopped by StopPostgres (from TestMain).
var shared struct {
	once sync.Once
	srv  *PostgresServer
	err  error
}

// StartPostgres gives the test a new, empty database on the test binary's
// PostgreSQL server, starting the server on first use; the database is
// dropped when the test ends. A package that calls it stops the server
// from its TestMain:
//
//	func TestMain(m *testing.M) { os.Exit(testservers.RunPostgres(m)) }
//
// Without PostgreSQL's binaries it fails the test, naming `make test-deps`.
func StartPostgres(t testing.TB) Postgres {
	t.Helper()
	shared.once.Do(func() { shared.srv, shared.err = NewPostgresServer() })
	if shared.err != nil {
		t.Fatal(shared.err)
	}
	return shared.srv.Database(t)
}

// RunPostgres runs m and then stops the server StartPostgres started, if
// any; its result is the exit code.
func RunPostgres(m *testing.M) int {
	code := m.Run()
	StopPostgres()
	return code
}

// StopPostgres stops the server StartPostgres started, if any.
func StopPostgres() {
	if shared.srv != nil {
		shared.srv.Stop()
	}
}

// PostgresBin finds the directory of Debian's PostgreSQL binaries
// (localsrv.PostgresBin); without them the error names `make test-deps`.
func PostgresBin() (string, error) {
	bin, err := localsrv.PostgresBin()
	return bin, wrap(err)
}

// wrap prefixes an error of localsrv with testservers and completes a
// missing program's with how to install it.
func wrap(err error) error {
	var missing *localsrv.MissingError
	switch {
	case err == nil:
		return nil
	case errors.As(err, &missing) && missing.Program == "PostgreSQL":
		return fmt.Errorf("testservers: %w: run `make test-deps`, which installs Debian's postgresql package", err)
	case errors.As(err, &missing):
		return fmt.Errorf("testservers: %w: run `make test-deps`, which installs it", err)
	}
	return fmt.Errorf("testservers: %w", err)
}

// NewPostgresServer runs initdb on a new temporary directory and starts
// the server on a free loopback port, returning once it accepts
// connections. Stop it with Stop, which removes the directory. The server
// process is killed if the test binary dies first.
func NewPostgresServer() (*PostgresServer, error) {
	s, err := localsrv.StartPostgres(context.Background(), "")
	if err != nil {
		return nil, wrap(err)
	}
	return &PostgresServer{PostgresServer: s}, nil
}

// Database creates a new, empty database for the test, dropped (with any
// connection still open to it) when the test ends.
func (s *PostgresServer) Database(t testing.TB) Postgres {
	t.Helper()
	s.mu.Lock()
	s.dbs++
	name := fmt.Sprintf("test_%d", s.dbs)
	s.mu.Unlock()
	if err := s.exec(`CREATE DATABASE ` + name); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := s.exec(`DROP DATABASE ` + name + ` WITH (FORCE)`); err != nil {
			t.Error(err)
		}
	})
	return Postgres{URL: s.URL(name), Host: s.Host, Port: s.Port, User: s.User, Database: name, Server: s}
}

// exec runs one statement on the server's postgres database.
func (s *PostgresServer) exec(stmt string) error {
	cfg, err := pgx.ParseConfig(s.URL("postgres"))
	if err != nil {
		return err
	}
	db := stdlib.OpenDB(*cfg)
	defer db.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if _, err := db.ExecContext(ctx, stmt); err != nil {
		return fmt.Errorf("testservers: %s: %w", stmt, err)
	}
	return nil
}

// Open opens the database with database/sql (pgx's driver), closed when
// the test ends.
func (p Postgres) Open(t testing.TB) *sql.DB {
	t.Helper()
	cfg, err := pgx.ParseConfig(p.URL)
	if err != nil {
		t.Fatal(err)
	}
	db := stdlib.OpenDB(*cfg)
	t.Cleanup(func() { db.Close() })
	return db
}

// Exec runs statements on the database as the superuser, failing the
// test on an error.
func (p Postgres) Exec(t testing.TB, stmts ...string) {
	t.Helper()
	db := p.Open(t)
	for _, stmt := range stmts {
		if _, err := db.Exec(stmt); err != nil {
			t.Fatalf("%s: %v", stmt, err)
		}
	}
}
