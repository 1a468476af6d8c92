//go:build !cgo

package meta

// sqliteUniqueViolation is false without cgo: go-sqlite3 is then a stub
// that opens nothing (an edge-only binary), so no SQLite error exists.
func sqliteUniqueViolation(error) bool { return false }
