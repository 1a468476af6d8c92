package config

import (
	"strings"
	"testing"
)

// origin.metadata_url takes SQLite and PostgreSQL URLs, empty for the
// default; a wrong one is refused saying what is wanted, never showing
// the password.
func TestCheckMetadataURL(t *testing.T) {
	for _, ok := range []string{"", "sqlite:///var/lib/mediacdn/meta.db", "sqlite:data/meta.db",
		"postgres://mediacdn@db.internal:5432/mediacdn?sslmode=verify-full", "postgresql://u:pw@10.0.0.5/meta"} {
		if err := CheckMetadataURL(ok); err != nil {
			t.Errorf("%q: %v", ok, err)
		}
	}
	for bad, want := range map[string]string{
		"mysql://u@h/db":                  "want a sqlite:// or postgres:// URL",
		"/var/lib/meta.db":                "want a sqlite:// or postgres:// URL",
		"sqlite://host/meta.db":           "want sqlite:///absolute/path/meta.db",
		"sqlite:":                         "want sqlite:///absolute/path/meta.db",
		"sqlite:///var/meta.db?mode=ro":   "want sqlite:///absolute/path/meta.db",
		"postgres:///db":                  "want postgres://user@host:5432/database",
		"postgres://u:secret@host":        "name one database",
		"postgres://u:secret@host/a/b":    "name one database",
		"postgres://u:secret@host:x/db":   "not a URL",
		"postgres://u:secret@host:5432/%": "not a URL",
	} {
		err := CheckMetadataURL(bad)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: %v, want %q", bad, err, want)
		} else if strings.Contains(err.Error(), "secret") {
			t.Errorf("%q: the error shows the password: %v", bad, err)
		}
	}
}

func TestMetadataURLDefault(t *testing.T) {
	for raw, want := range map[string]string{
		"":                "sqlite:///srv/data/meta.db",
		"postgres://h/db": "postgres://h/db",
		"sqlite:other.db": "sqlite:other.db",
	} {
		if got := MetadataURL(raw, "/srv/data"); got != want {
			t.Errorf("MetadataURL(%q) = %q, want %q", raw, got, want)
		}
	}
	if got := MetadataURL("", "./data"); got != "sqlite:data/meta.db" {
		t.Errorf("relative data_dir: %q", got)
	}
}
