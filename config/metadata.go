package config

import (
	"fmt"
	"net/url"
	"path/filepath"
	"strings"
)

// origin.metadata_url says where an origin keeps its metadata:
//
//   - empty (the default): the SQLite file <data_dir>/meta.db, as one
//     origin alone;
//   - sqlite:///path/to/meta.db (or sqlite:relative/path/meta.db): a SQLite
//     file elsewhere;
//   - postgres://user@host:5432/db?sslmode=verify-full (or postgresql://):
//     a PostgreSQL database, which any number of origins share. Its
//     password comes from EnvMetadataPassword, else from the URL.
//
// The origin's Config holds it as MetadataURL (yaml metadata_url);
// CheckMetadataURL validates it, ParseMetadataURL says which store it
// names and MetadataURL resolves the default.

// EnvMetadataPassword is the environment variable with the password of a
// postgres:// metadata_url; set, it wins over the URL's.
const EnvMetadataPassword = EnvPrefix + "ORIGIN_METADATA_PASSWORD"

// MetadataLocation is a parsed metadata URL: Scheme "sqlite" with the
// file's Path, or "postgres" (whose URL goes to the driver whole).
type MetadataLocation struct {
	Scheme string
	Path   string
}

// CheckMetadataURL checks the form of origin.metadata_url (not whether
// the database can be reached: opening it says so). Its errors never show
// the password.
func CheckMetadataURL(raw string) error {
	if raw == "" {
		return nil
	}
	_, err := ParseMetadataURL(raw)
	return err
}

// ParseMetadataURL checks a metadata URL as CheckMetadataURL does, and
// says which store it names; an empty one is refused (MetadataURL
// resolves the default).
func ParseMetadataURL(raw string) (MetadataLocation, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return MetadataLocation{}, fmt.Errorf("not a URL: want sqlite:///path/to/meta.db or postgres://user@host:5432/db")
	}
	switch u.Scheme {
	case "sqlite":
		path := u.Path
		if u.Opaque != "" {
			path = u.Opaque
		}
		if u.Host != "" || path == "" || u.RawQuery != "" {
			return MetadataLocation{}, fmt.Errorf("%q: want sqlite:///absolute/path/meta.db or sqlite:relative/path/meta.db", u.Redacted())
		}
		return MetadataLocation{Scheme: "sqlite", Path: path}, nil
	case "postgres", "postgresql":
		if u.Opaque != "" || u.Hostname() == "" {
			return MetadataLocation{}, fmt.Errorf("%q: want postgres://user@host:5432/database?sslmode=verify-full", u.Redacted())
		}
		if db := strings.TrimPrefix(u.Path, "/"); db == "" || strings.Contains(db, "/") {
			return MetadataLocation{}, fmt.Errorf("%q: name one database, postgres://user@host:5432/database", u.Redacted())
		}
		return MetadataLocation{Scheme: "postgres"}, nil
	}
	return MetadataLocation{}, fmt.Errorf("%q: want a sqlite:// or postgres:// URL", u.Redacted())
}

// MetadataURL is the metadata URL an origin opens: raw, or when raw is
// empty the SQLite file meta.db in dataDir.
func MetadataURL(raw, dataDir string) string {
	if raw != "" {
		return raw
	}
	path := filepath.Join(dataDir, "meta.db")
	if filepath.IsAbs(path) {
		return "sqlite://" + path
	}
	return "sqlite:" + path
}
