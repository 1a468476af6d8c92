//go:build cgo

package meta

import (
	"errors"

	"github.com/mattn/go-sqlite3"
)

// sqliteUniqueViolation reports SQLite refusing a row for a unique index
// or primary key.
func sqliteUniqueViolation(err error) bool {
	var se sqlite3.Error
	if errors.As(err, &se) {
		return se.ExtendedCode == sqlite3.ErrConstraintUnique || se.ExtendedCode == sqlite3.ErrConstraintPrimaryKey
	}
	return false
}
