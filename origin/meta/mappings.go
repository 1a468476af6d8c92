package meta

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
)

// MappingStore keeps a cloud's upload mappings (Cloudinary's auto-upload):
// a folder whose missing assets are fetched, on their first delivery, from
// a template URL prefix followed by the rest of the public ID.
type MappingStore interface {
	// UploadMappings lists a page of mappings by folder, after after, at
	// most limit.
	UploadMappings(ctx context.Context, cloud, after string, limit int) ([]UploadMapping, error)
	// UploadMapping finds a folder's mapping; ErrNotFound when there is
	// none.
	UploadMapping(ctx context.Context, cloud, folder string) (*UploadMapping, error)
	// CreateUploadMapping creates a mapping; ErrExists when the folder has
	// one.
	CreateUploadMapping(ctx context.Context, m *UploadMapping) error
	// UpdateUploadMapping sets a folder's template; ErrNotFound when the
	// folder has no mapping.
	UpdateUploadMapping(ctx context.Context, cloud, folder, template string, now time.Time) error
	// DeleteUploadMapping deletes a folder's mapping; ErrNotFound when
	// there is none.
	DeleteUploadMapping(ctx context.Context, cloud, folder string) error
	// MappingFor finds the mapping of the deepest folder a public ID is
	// in ("a/b" before "a" for "a/b/c"); ErrNotFound when none is mapped.
	MappingFor(ctx context.Context, cloud, publicID string) (*UploadMapping, error)
}

// UploadMapping maps a folder to a template URL prefix.
type UploadMapping struct {
	Cloud     string
	Folder    string
	Template  string
	CreatedAt time.Time
	UpdatedAt time.Time
}

const mappingColumns = `cloud, folder, template, created_at, updated_at`

func scanMapping(r rowScanner) (*UploadMapping, error) {
	var m UploadMapping
	var created, updated int64
	err := r.Scan(&m.Cloud, &m.Folder, &m.Template, &created, &updated)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("meta: scan upload mapping: %w", err)
	}
	m.CreatedAt, m.UpdatedAt = time.Unix(0, created).UTC(), time.Unix(0, updated).UTC()
	return &m, nil
}

// UploadMappings implements MappingStore.
func (s *db) UploadMappings(ctx context.Context, cloud, after string, limit int) ([]UploadMapping, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT `+mappingColumns+` FROM upload_mappings
		WHERE cloud = ? AND folder > ? ORDER BY folder LIMIT ?`, cloud, after, limit)
	if err != nil {
		return nil, fmt.Errorf("meta: upload mappings: %w", err)
	}
	defer rows.Close()
	var out []UploadMapping
	for rows.Next() {
		m, err := scanMapping(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, *m)
	}
	return out, rows.Err()
}

// UploadMapping implements MappingStore.
func (s *db) UploadMapping(ctx context.Context, cloud, folder string) (*UploadMapping, error) {
	return scanMapping(s.r.QueryRowContext(ctx, `SELECT `+mappingColumns+` FROM upload_mappings
		WHERE cloud = ? AND folder = ?`, cloud, folder))
}

// CreateUploadMapping implements MappingStore: one statement, so that of
// two origins creating it at once only one does.
func (s *db) CreateUploadMapping(ctx context.Context, m *UploadMapping) error {
	res, err := s.writes().ExecContext(ctx, `INSERT INTO upload_mappings (`+mappingColumns+`)
		VALUES (?, ?, ?, ?, ?) ON CONFLICT (cloud, folder) DO NOTHING`,
		m.Cloud, m.Folder, m.Template, m.CreatedAt.UnixNano(), m.UpdatedAt.UnixNano())
	if err != nil {
		return fmt.Errorf("meta: create upload mapping: %w", err)
	}
	return oneRow(res, ErrExists, "create upload mapping")
}

// UpdateUploadMapping implements MappingStore.
func (s *db) UpdateUploadMapping(ctx context.Context, cloud, folder, template string, now time.Time) error {
	res, err := s.writes().ExecContext(ctx, `UPDATE upload_mappings SET template = ?, updated_at = ?
		WHERE cloud = ? AND folder = ?`, template, now.UnixNano(), cloud, folder)
	if err != nil {
		return fmt.Errorf("meta: update upload mapping: %w", err)
	}
	return oneRow(res, ErrNotFound, "update upload mapping")
}

// DeleteUploadMapping implements MappingStore.
func (s *db) DeleteUploadMapping(ctx context.Context, cloud, folder string) error {
	res, err := s.writes().ExecContext(ctx, `DELETE FROM upload_mappings WHERE cloud = ? AND folder = ?`, cloud, folder)
	if err != nil {
		return fmt.Errorf("meta: delete upload mapping: %w", err)
	}
	return oneRow(res, ErrNotFound, "delete upload mapping")
}

// oneRow is nil when a statement changed a row, none otherwise.
func oneRow(res sql.Result, none error, what string) error {
	n, err := res.RowsAffected()
	if err != nil {
		return fmt.Errorf("meta: %s: %w", what, err)
	}
	if n == 0 {
		return none
	}
	return nil
}

// MappingFor implements MappingStore: the folders a public ID is in are
// looked up by key, deepest first.
func (s *db) MappingFor(ctx context.Context, cloud, publicID string) (*UploadMapping, error) {
	var folders []any
	for i := len(publicID) - 1; i > 0; i-- {
		if publicID[i] == '/' {
			folders = append(folders, publicID[:i])
		}
	}
	if len(folders) == 0 {
		return nil, ErrNotFound
	}
	args := append([]any{cloud}, folders...)
	return scanMapping(s.r.QueryRowContext(ctx, `SELECT `+mappingColumns+` FROM upload_mappings
		WHERE cloud = ? AND folder IN (?`+strings.Repeat(", ?", len(folders)-1)+`)
		ORDER BY length(folder) DESC LIMIT 1`, args...))
}
