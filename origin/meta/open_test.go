package meta

import (
	"context"
	"fmt"
	"net"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/mediacdn/mediacdn/internal/testservers"
)

func openURL(t *testing.T, url, password string) (Store, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	s, err := Open(ctx, url, password)
	if err == nil {
		t.Cleanup(func() { s.Close() })
	}
	return s, err
}

// Open opens SQLite and PostgreSQL by URL, the password from the URL or
// given apart (MEDIACDN_ORIGIN_METADATA_PASSWORD).
func TestOpen(t *testing.T) {
	path := filepath.Join(t.TempDir(), "meta.db")
	s, err := openURL(t, "sqlite://"+path, "")
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := s.(*SQLite); !ok {
		t.Fatalf("sqlite URL opened %T", s)
	}
	put(t, s, asset("x", "b"))

	pg := testservers.StartPostgres(t)
	app := pg.Database + "_app" // roles are the server's, not the database's
	pg.Exec(t, `CREATE ROLE `+app+` LOGIN PASSWORD 'sesame'`, `GRANT ALL ON SCHEMA public TO `+app)
	url := func(userinfo string) string {
		userinfo = strings.Replace(userinfo, "app", app, 1)
		return fmt.Sprintf("postgres://%s@%s:%d/%s?sslmode=disable", userinfo, pg.Host, pg.Port, pg.Database)
	}
	s, err = openURL(t, url("app:sesame"), "")
	if err != nil {
		t.Fatalf("password in the URL: %v", err)
	}
	if _, ok := s.(*Postgres); !ok {
		t.Fatalf("postgres URL opened %T", s)
	}
	put(t, s, asset("x", "b"))
	if _, err := openURL(t, strings.Replace(url("app"), "postgres://", "postgresql://", 1), "sesame"); err != nil {
		t.Fatalf("password given apart: %v", err)
	}
	if _, err := openURL(t, url("app:wrong"), "sesame"); err != nil {
		t.Fatalf("the password given apart wins over the URL's: %v", err)
	}
}

// A wrong URL, an unreachable server, a refused login or a missing
// database fail with a message naming origin.metadata_url and saying
// which, and never the password.
func TestOpenErrors(t *testing.T) {
	pg := testservers.StartPostgres(t)
	app := pg.Database + "_app"
	pg.Exec(t, `CREATE ROLE `+app+` LOGIN PASSWORD 'sesame'`)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := l.Addr().String()
	l.Close()
	at := fmt.Sprintf("%s:%d", pg.Host, pg.Port)
	for _, c := range []struct{ url, password, want string }{
		{"mysql://u@h/db", "", `"mysql://u@h/db": want a sqlite:// or postgres:// URL`},
		{"/var/lib/meta.db", "", `"/var/lib/meta.db": want a sqlite:// or postgres:// URL`},
		{"sqlite://host/meta.db", "", "want sqlite:///absolute/path/meta.db"},
		{"sqlite:///no/such/dir/meta.db", "", "SQLite database /no/such/dir/meta.db"},
		{"postgres://app:sesame@" + closed + "/db?sslmode=disable", "", "cannot reach PostgreSQL at 127.0.0.1"},
		{"postgres://" + app + ":bad-secret@" + at + "/" + pg.Database + "?sslmode=disable", "", "refused the login"},
		{"postgres://" + app + "@" + at + "/" + pg.Database + "?sslmode=disable", "bad-secret", "refused the login"},
		{"postgres://" + pg.User + "@" + at + "/nodb?sslmode=disable", "", `database "nodb" does not exist`},
		{"postgres://" + app + ":sesame@" + at + "/" + pg.Database + "?sslmode=bogus", "", "invalid connection settings: failed to configure TLS (sslmode is invalid)"},
	} {
		_, err := openURL(t, c.url, c.password)
		if err == nil || !strings.HasPrefix(err.Error(), "origin.metadata_url: ") || !strings.Contains(err.Error(), c.want) {
			t.Errorf("Open(%q): %v; want origin.metadata_url: ... %s", c.url, err, c.want)
			continue
		}
		if strings.Contains(err.Error(), "sesame") || strings.Contains(err.Error(), "bad-secret") {
			t.Errorf("Open(%q): the error shows the password: %v", c.url, err)
		}
	}
}
