package testservers

import (
	"context"
	"os"
	"strings"
	"syscall"
	"testing"

	"github.com/mediacdn/mediacdn/internal/localsrv"
)

func TestMain(m *testing.M) { os.Exit(RunPostgres(m)) }

// A test gets a database of its own on a server that runs unprivileged,
// with a linguistic default collation.
func TestStartPostgres(t *testing.T) {
	a, b := StartPostgres(t), StartPostgres(t)
	if a.URL == b.URL || a.Port != b.Port {
		t.Fatalf("two tests' databases: %s and %s", a.URL, b.URL)
	}
	db := a.Open(t)
	var who, collation string
	var super bool
	err := db.QueryRowContext(context.Background(), `SELECT current_user, (SELECT datlocprovider::text || ':' || coalesce(daticulocale, '')
		FROM pg_database WHERE datname = current_database()), (SELECT rolsuper FROM pg_roles WHERE rolname = current_user)`).
		Scan(&who, &collation, &super)
	if err != nil || who != "mediacdn" || collation != "i:en-US" || !super {
		t.Fatalf("user %q collation %q superuser %v: %v", who, collation, super, err)
	}
	if os.Geteuid() == 0 {
		st, err := os.Stat(a.Server.DataDir())
		if err != nil {
			t.Fatal(err)
		}
		if uid := st.Sys().(*syscall.Stat_t).Uid; uid == 0 {
			t.Fatalf("data directory owned by root")
		}
	}
}

// Without PostgreSQL's binaries the error says how to get them.
func TestPostgresBinMissing(t *testing.T) {
	err := wrap(&localsrv.MissingError{Program: "PostgreSQL", Looked: "no initdb"})
	if err == nil || !strings.Contains(err.Error(), "testservers: PostgreSQL is not installed (no initdb): "+
		"run `make test-deps`, which installs Debian's postgresql package") {
		t.Fatalf("error %v, want one naming make test-deps", err)
	}
}
