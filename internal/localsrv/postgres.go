package localsrv

import (
	"context"
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
	"syscall"
	"time"

	"github.com/jackc/pgx/v5"
)

// PostgresServer is a PostgreSQL server on a directory and a free
// loopback port, its unix socket in that directory too, tuned for tests
// and trials (fsync, synchronous_commit and full_page_writes off: a crash
// of the machine loses it; deadlocks found after 50 ms, not 1 s). Its
// default collation is ICU's en-US, as a production database's usually
// is linguistic, so that a query relying on byte order without saying so
// shows. When this process runs as root the server runs as the
// unprivileged user nobody (PostgreSQL refuses root). The server process
// is killed if this process dies first.
type PostgresServer struct {
	Host string // 127.0.0.1
	Port int
	User string // the superuser, mediacdn, who logs in without a password (other roles need theirs)

	bin  string // the directory of initdb, pg_ctl and postgres
	dir  string // everything: data, socket, log
	keep bool   // dir was the caller's: Stop leaves it
	cred *syscall.Credential
	cmd  *exec.Cmd
	done chan struct{} // closed when the server process has exited
}

// PostgresBin finds the directory of Debian's PostgreSQL binaries
// (/usr/lib/postgresql/<N>/bin, the highest N), else of initdb on PATH;
// without either, the error is a *MissingError.
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
	return "", &MissingError{Program: "PostgreSQL", Looked: "no " + root + "/<N>/bin/initdb, no initdb on PATH"}
}

func pgMajor(initdb string) int {
	n, _ := strconv.Atoi(filepath.Base(filepath.Dir(filepath.Dir(initdb))))
	return n
}

// StartPostgres starts a server on dir and a free loopback port, running
// initdb first unless dir already holds a database cluster (a server
// started on it before), and returns once it accepts connections, or an
// error when ctx ends first. An empty dir means a new temporary
// directory, removed by Stop; a directory the caller names is created
// when missing and kept. When this process runs as root, dir and its
// parents must be reachable by the user nobody.
func StartPostgres(ctx context.Context, dir string) (*PostgresServer, error) {
	bin, err := PostgresBin()
	if err != nil {
		return nil, err
	}
	s := &PostgresServer{Host: "127.0.0.1", User: "mediacdn", bin: bin, dir: dir, keep: dir != ""}
	if s.keep {
		err = os.MkdirAll(dir, 0o700)
	} else {
		s.dir, err = os.MkdirTemp("", "mediacdn-pg-")
	}
	if err != nil {
		return nil, err
	}
	fail := func(err error) (*PostgresServer, error) {
		if !s.keep {
			os.RemoveAll(s.dir)
		}
		return nil, err
	}
	if os.Geteuid() == 0 {
		if s.cred, err = unprivileged(); err != nil {
			return fail(err)
		}
		if err := os.Chown(s.dir, int(s.cred.Uid), int(s.cred.Gid)); err != nil {
			return fail(err)
		}
	}
	if _, err := os.Stat(filepath.Join(s.data(), "PG_VERSION")); err != nil {
		if err := s.initdb(); err != nil {
			return fail(err)
		}
	}
	// A port found free may be taken before the server binds it: a few
	// tries with another.
	for try := 0; ; try++ {
		if err = s.start(ctx); err == nil {
			return s, nil
		}
		if try == 2 || ctx.Err() != nil {
			return fail(err)
		}
	}
}

// initdb makes the database cluster in dir/data, with a superuser that
// logs in without a password and any other role with its password (to
// test logins).
func (s *PostgresServer) initdb() error {
	out, err := s.command("initdb", "-D", s.data(), "-U", s.User, "--auth=trust", "-E", "UTF8",
		"--locale=C.UTF-8", "--locale-provider=icu", "--icu-locale=en-US", "--no-sync", "--no-instructions").
		CombinedOutput()
	if err != nil {
		hint := ""
		if s.cred != nil {
			hint = " (as root, PostgreSQL runs as the user nobody, who must be able to reach " + s.dir + ")"
		}
		return fmt.Errorf("initdb%s: %v\n%s", hint, err, out)
	}
	hba := "local all all trust\nhost all " + s.User + " 127.0.0.1/32 trust\nhost all all 127.0.0.1/32 scram-sha-256\n"
	return os.WriteFile(filepath.Join(s.data(), "pg_hba.conf"), []byte(hba), 0o600)
}

func (s *PostgresServer) data() string { return filepath.Join(s.dir, "data") }

// DataDir is the database cluster's directory (PGDATA).
func (s *PostgresServer) DataDir() string { return s.data() }

// command runs a PostgreSQL binary, as the unprivileged user when this
// process runs as root.
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
func (s *PostgresServer) start(ctx context.Context) error {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	s.Port = l.Addr().(*net.TCPAddr).Port
	l.Close()
	logf, err := os.Create(filepath.Join(s.dir, "postgres.log"))
	if err != nil {
		return err
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
		return fmt.Errorf("postgres: %w", err)
	}
	s.cmd, s.done = cmd, make(chan struct{})
	go func() { cmd.Wait(); close(s.done) }()
	if err := s.waitReady(ctx, 30*time.Second); err != nil {
		cmd.Process.Kill()
		<-s.done
		s.cmd = nil
		log, _ := os.ReadFile(filepath.Join(s.dir, "postgres.log"))
		return fmt.Errorf("postgres on port %d: %v\n%s", s.Port, err, log)
	}
	return nil
}

// waitReady polls the server until it accepts a connection, it exits,
// ctx ends or the time is up.
func (s *PostgresServer) waitReady(ctx context.Context, limit time.Duration) error {
	deadline := time.Now().Add(limit)
	for pause := time.Millisecond; ; pause = min(2*pause, 50*time.Millisecond) {
		cctx, cancel := context.WithTimeout(ctx, time.Second)
		conn, err := pgx.Connect(cctx, s.URL("postgres"))
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
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(pause):
		}
	}
}

// URL reaches database db as the superuser:
// postgres://mediacdn@127.0.0.1:<port>/<db>?sslmode=disable.
func (s *PostgresServer) URL(db string) string {
	return fmt.Sprintf("postgres://%s@%s:%d/%s?sslmode=disable", s.User, s.Host, s.Port, db)
}

// CreateDatabase creates database name unless it exists.
func (s *PostgresServer) CreateDatabase(ctx context.Context, name string) error {
	conn, err := pgx.Connect(ctx, s.URL("postgres"))
	if err != nil {
		return err
	}
	defer conn.Close(context.Background())
	var exists bool
	if err := conn.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)`, name).Scan(&exists); err != nil {
		return err
	}
	if exists {
		return nil
	}
	_, err = conn.Exec(ctx, `CREATE DATABASE `+pgx.Identifier{name}.Sanitize())
	return err
}

// Stop stops the server and removes its temporary directory: at once
// (pg_ctl stop -m immediate) on a temporary directory; on the caller's,
// which it leaves, after a checkpoint (-m fast), as commits are not
// flushed when made (synchronous_commit off) and an immediate stop would
// lose the last ones. A second Stop does nothing.
func (s *PostgresServer) Stop() {
	if s.cmd != nil {
		mode := "immediate"
		if s.keep {
			mode = "fast"
		}
		if out, err := s.command("pg_ctl", "stop", "-D", s.data(), "-m", mode, "-w").CombinedOutput(); err != nil {
			fmt.Fprintf(os.Stderr, "localsrv: pg_ctl stop: %v\n%s", err, out)
			s.cmd.Process.Kill()
		}
		<-s.done
		s.cmd = nil
	}
	if !s.keep {
		os.RemoveAll(s.dir)
	}
}

// unprivileged is the user the server runs as when this process runs as
// root: nobody.
func unprivileged() (*syscall.Credential, error) {
	u, err := user.Lookup("nobody")
	if err != nil {
		return nil, fmt.Errorf("PostgreSQL refuses to run as root, and there is no user nobody to run it as: %w", err)
	}
	uid, err1 := strconv.ParseUint(u.Uid, 10, 32)
	gid, err2 := strconv.ParseUint(u.Gid, 10, 32)
	if err := errors.Join(err1, err2); err != nil {
		return nil, fmt.Errorf("user nobody: %w", err)
	}
	return &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid), Groups: []uint32{}}, nil
}

// String describes the server, for logs.
func (s *PostgresServer) String() string {
	return strings.TrimSuffix(s.URL(""), "/?sslmode=disable")
}
