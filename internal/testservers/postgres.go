package testservers

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
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
// free loopback port, its unix socket in that directory too, tuned for
// tests (fsync, synchronous_commit and full_page_writes off: a crash of
// the machine loses it, which a test does not mind; deadlocks found after
// 50 ms, not 1 s). Its default
// collation is ICU's en-US, as a production database's usually is
// linguistic, so that a query relying on byte order without saying so
// shows. When the tests run as root it runs as the unprivileged user
// nobody (PostgreSQL refuses root).
type PostgresServer struct {
	Host string
	Port int
	User string // the superuser, who logs in without a password (other roles need theirs)

	bin  string // the directory of initdb, pg_ctl and postgres
	dir  string // everything: data, socket, log
	cred *syscall.Credential
	cmd  *exec.Cmd
	done chan struct{} // closed when the server process has exited

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
// (/usr/lib/postgresql/<N>/bin, the highest N), else of initdb on PATH.
func PostgresBin() (string, error) { return postgresBinUnder("/usr/lib/postgresql") }

func postgresBinUnder(root string) (string, error) {
	dirs, _ := filepath.Glob(filepath.Join(root, "*", "bin", "initdb"))
	sort.Slice(dirs, func(i, j int) bool { return pgMajor(dirs[i]) > pgMajor(dirs[j]) })
	if len(dirs) > 0 {
		return filepath.Dir(dirs[0]), nil
	}
	if p, err := exec.LookPath("initdb"); err == nil {
		return filepath.Dir(p), nil
	}
	return "", errors.New("testservers: PostgreSQL is not installed (no /usr/lib/postgresql/<N>/bin/initdb, " +
		"no initdb on PATH): run `make test-deps`, which installs Debian's postgresql package")
}

func pgMajor(initdb string) int {
	n, _ := strconv.Atoi(filepath.Base(filepath.Dir(filepath.Dir(initdb))))
	return n
}

// NewPostgresServer runs initdb on a new temporary directory and starts
// the server on a free loopback port, returning once it accepts
// connections. Stop it with Stop. The server process is killed if the
// test binary dies first.
func NewPostgresServer() (*PostgresServer, error) {
	bin, err := PostgresBin()
	if err != nil {
		return nil, err
	}
	s := &PostgresServer{Host: "127.0.0.1", User: "mediacdn", bin: bin}
	if s.dir, err = os.MkdirTemp("", "mediacdn-pg-"); err != nil {
		return nil, fmt.Errorf("testservers: %w", err)
	}
	if os.Geteuid() == 0 {
		if s.cred, err = unprivileged(); err != nil {
			os.RemoveAll(s.dir)
			return nil, err
		}
		if err := os.Chown(s.dir, int(s.cred.Uid), int(s.cred.Gid)); err != nil {
			os.RemoveAll(s.dir)
			return nil, fmt.Errorf("testservers: %w", err)
		}
	}
	out, err := s.command("initdb", "-D", s.data(), "-U", s.User, "--auth=trust", "-E", "UTF8",
		"--locale=C.UTF-8", "--locale-provider=icu", "--icu-locale=en-US", "--no-sync", "--no-instructions").
		CombinedOutput()
	if err != nil {
		os.RemoveAll(s.dir)
		return nil, fmt.Errorf("testservers: initdb: %v\n%s", err, out)
	}
	// The superuser logs in without a password; any other role with its
	// password (to test logins).
	hba := "local all all trust\nhost all " + s.User + " 127.0.0.1/32 trust\nhost all all 127.0.0.1/32 scram-sha-256\n"
	if err := os.WriteFile(filepath.Join(s.data(), "pg_hba.conf"), []byte(hba), 0o600); err != nil {
		os.RemoveAll(s.dir)
		return nil, fmt.Errorf("testservers: %w", err)
	}
	// A port found free may be taken before the server binds it: a few
	// tries with another.
	for try := 0; ; try++ {
		if err = s.start(); err == nil {
			return s, nil
		}
		if try == 2 {
			os.RemoveAll(s.dir)
			return nil, err
		}
	}
}

func (s *PostgresServer) data() string { return filepath.Join(s.dir, "data") }

// command runs a PostgreSQL binary, as the unprivileged user when the
// tests run as root.
func (s *PostgresServer) command(name string, args ...string) *exec.Cmd {
	cmd := exec.Command(filepath.Join(s.bin, name), args...)
	cmd.Dir = s.dir
	cmd.Env = append(os.Environ(), "LC_ALL=C.UTF-8")
	if s.cred != nil {
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: s.cred}
	}
	return cmd
}

// start runs the server (postgres itself, as this process's child, so
// that it dies with it: Pdeathsig) on a free port and waits until it
// answers.
func (s *PostgresServer) start() error {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return fmt.Errorf("testservers: %w", err)
	}
	s.Port = l.Addr().(*net.TCPAddr).Port
	l.Close()
	logf, err := os.Create(filepath.Join(s.dir, "postgres.log"))
	if err != nil {
		return fmt.Errorf("testservers: %w", err)
	}
	defer logf.Close()
	if s.cred != nil {
		logf.Chown(int(s.cred.Uid), int(s.cred.Gid))
	}
	cmd := s.command("postgres", "-D", s.data(), "-h", s.Host, "-p", strconv.Itoa(s.Port), "-k", s.dir,
		"-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off",
		"-c", "max_connections=200", "-c", "shared_buffers=32MB", "-c", "log_min_messages=warning",
		"-c", "deadlock_timeout=50ms")
	cmd.Stdout, cmd.Stderr = logf, logf
	if cmd.SysProcAttr == nil {
		cmd.SysProcAttr = &syscall.SysProcAttr{}
	}
	cmd.SysProcAttr.Pdeathsig = syscall.SIGKILL
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("testservers: postgres: %w", err)
	}
	s.cmd, s.done = cmd, make(chan struct{})
	go func() { cmd.Wait(); close(s.done) }()
	if err := s.waitReady(30 * time.Second); err != nil {
		cmd.Process.Kill()
		<-s.done
		log, _ := os.ReadFile(filepath.Join(s.dir, "postgres.log"))
		return fmt.Errorf("testservers: postgres on port %d: %v\n%s", s.Port, err, log)
	}
	return nil
}

// waitReady polls the server until it accepts a connection, it exits, or
// the time is up.
func (s *PostgresServer) waitReady(limit time.Duration) error {
	deadline := time.Now().Add(limit)
	for pause := time.Millisecond; ; pause = min(2*pause, 50*time.Millisecond) {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		conn, err := pgx.Connect(ctx, s.url("postgres"))
		cancel()
		if err == nil {
			conn.Close(context.Background())
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("not ready after %v: %w", limit, err)
		}
		select {
		case <-s.done:
			return errors.New("the server exited")
		case <-time.After(pause):
		}
	}
}

func (s *PostgresServer) url(db string) string {
	return fmt.Sprintf("postgres://%s@%s:%d/%s?sslmode=disable", s.User, s.Host, s.Port, db)
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
	return Postgres{URL: s.url(name), Host: s.Host, Port: s.Port, User: s.User, Database: name, Server: s}
}

// exec runs one statement on the server's postgres database.
func (s *PostgresServer) exec(stmt string) error {
	cfg, err := pgx.ParseConfig(s.url("postgres"))
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

// Stop stops the server at once (pg_ctl stop -m immediate) and removes
// its directory.
func (s *PostgresServer) Stop() {
	if s.cmd != nil {
		if out, err := s.command("pg_ctl", "stop", "-D", s.data(), "-m", "immediate", "-w").CombinedOutput(); err != nil {
			fmt.Fprintf(os.Stderr, "testservers: pg_ctl stop: %v\n%s", err, out)
			s.cmd.Process.Kill()
		}
		<-s.done
	}
	os.RemoveAll(s.dir)
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

// unprivileged is the user the server runs as when the tests run as
// root: nobody.
func unprivileged() (*syscall.Credential, error) {
	u, err := user.Lookup("nobody")
	if err != nil {
		return nil, fmt.Errorf("testservers: PostgreSQL refuses to run as root, and there is no user nobody to run it as: %w", err)
	}
	uid, err1 := strconv.ParseUint(u.Uid, 10, 32)
	gid, err2 := strconv.ParseUint(u.Gid, 10, 32)
	if err := errors.Join(err1, err2); err != nil {
		return nil, fmt.Errorf("testservers: user nobody: %w", err)
	}
	return &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid), Groups: []uint32{}}, nil
}

// String describes the server, for logs.
func (s *PostgresServer) String() string {
	return strings.TrimSuffix(s.url(""), "/?sslmode=disable")
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
