package meta

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/mediacdn/mediacdn/config"
)

// urlKey is the configuration key Open's URL comes from; its errors name it.
const urlKey = "origin.metadata_url"

// Open opens the store rawURL names (the origin's metadata_url):
//
//   - sqlite:///path/to/meta.db (or sqlite:relative/meta.db): the SQLite
//     file, created and migrated if need be;
//   - postgres://user@host:5432/db?sslmode=... (or postgresql://): a
//     PostgreSQL database, migrated if need be; password, when not empty
//     (MEDIACDN_ORIGIN_METADATA_PASSWORD), replaces the URL's.
//
// A URL of another form, a server that cannot be reached, a refused login
// or a database that is not there fail with an error naming
// origin.metadata_url and saying which, never the password.
func Open(ctx context.Context, rawURL, password string) (Store, error) {
	loc, err := config.ParseMetadataURL(rawURL)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", urlKey, err)
	}
	if loc.Scheme == "sqlite" {
		s, err := OpenSQLite(loc.Path)
		if err != nil {
			return nil, fmt.Errorf("%s: SQLite database %s: %w", urlKey, loc.Path, err)
		}
		return s, nil
	}
	cfg, err := pgx.ParseConfig(rawURL)
	if err != nil {
		return nil, fmt.Errorf("%s: %v", urlKey, redacted(err))
	}
	s, err := OpenPostgres(ctx, rawURL, password)
	if err != nil {
		return nil, fmt.Errorf("%s: %s", urlKey, pgOpenError(cfg, err))
	}
	return s, nil
}

// pgOpenError says why PostgreSQL could not be opened, for the operator.
func pgOpenError(cfg *pgx.ConnConfig, err error) string {
	at := fmt.Sprintf("PostgreSQL at %s:%d (user %q, database %q)", cfg.Host, cfg.Port, cfg.User, cfg.Database)
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		switch {
		case pe.Code == "28P01" || pe.Code == "28000":
			return fmt.Sprintf("%s refused the login (%s): check the user, and the password in the URL or in MEDIACDN_ORIGIN_METADATA_PASSWORD", at, pe.Message)
		case pe.Code == "3D000":
			return fmt.Sprintf("%s: the database does not exist (%s): create it first", at, pe.Message)
		case strings.HasPrefix(pe.Code, "42"):
			return fmt.Sprintf("%s: migrating the schema failed (%s): the user needs to create tables in the database", at, pe.Message)
		}
		return fmt.Sprintf("%s: %s", at, pe.Message)
	}
	var ce *pgconn.ConnectError
	if errors.As(err, &ce) {
		return fmt.Sprintf("cannot reach %s: %v", at, errors.Unwrap(ce))
	}
	return fmt.Sprintf("%s: %v", at, err)
}

// redacted is a URL parse error without the URL (which may hold a
// password).
func redacted(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	var pe *pgconn.ParseConfigError
	if errors.As(err, &pe) {
		// "cannot parse `<the URL>`: why": only why.
		msg := pe.Error()
		if i := strings.Index(msg, "`: "); i >= 0 {
			msg = msg[i+3:]
		}
		return errors.New("invalid connection settings: " + msg)
	}
	return err
}
