package meta

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// MetadataFieldStore keeps a cloud's structured metadata fields (the Admin
// API's metadata_fields): typed fields whose values assets carry in
// Asset.Metadata. The store knows a field's external ID, type, label and
// place in the cloud's order; the rest of its definition (mandatory,
// default value, validation, datasource) is the origin's, kept as JSON.
// A deleted field stays as a tombstone: its external ID cannot be used
// again (as Cloudinary's), and its values leave every asset's index rows.
type MetadataFieldStore interface {
	// MetadataFields lists a cloud's fields in their order.
	MetadataFields(ctx context.Context, cloud string) ([]MetadataField, error)
	// MetadataField finds one field; ErrNotFound when there is none (or it
	// was deleted).
	MetadataField(ctx context.Context, cloud, externalID string) (*MetadataField, error)
	// CreateMetadataField adds a field last in the cloud's order; ErrExists
	// when the external ID is, or was, a field's; ErrFull when the cloud
	// has limit fields already.
	CreateMetadataField(ctx context.Context, f *MetadataField, limit int) error
	// UpdateMetadataField applies fn to a field in a transaction (its
	// label and definition are written back; its type and external ID are
	// kept); ErrNotFound when there is none.
	UpdateMetadataField(ctx context.Context, cloud, externalID string, fn func(*MetadataField) error) (*MetadataField, error)
	// DeleteMetadataField deletes a field and the index rows of its values
	// (MetadataValuesTable, and the words of a string field's in
	// asset_tokens); ErrNotFound when there is none.
	DeleteMetadataField(ctx context.Context, cloud, externalID string) error
	// OrderMetadataFields gives the cloud's fields named in externalIDs
	// the positions 1, 2... in that order (the caller names them all).
	OrderMetadataFields(ctx context.Context, cloud string, externalIDs []string, now time.Time) error
}

// ErrFull is the answer to adding past a bound.
var ErrFull = errors.New("meta: limit reached")

// MetadataField is one structured metadata field.
type MetadataField struct {
	Cloud      string
	ExternalID string
	// Type is string, integer, date, enum or set (MetadataType*).
	Type  string
	Label string
	// Definition is the rest of the field as JSON, the origin's to read.
	Definition string
	// Position is the field's place in the cloud's order (set by the
	// store).
	Position  int64
	CreatedAt time.Time
	UpdatedAt time.Time
}

const metadataFieldColumns = `cloud, external_id, type, label, definition, position, created_at, updated_at`

// metadataFieldsSchema is the fields' table and the index rows of the
// assets' values (metadata_values.go): migration 14 of SQLite and 8 of
// PostgreSQL (collate is PostgreSQL's COLLATE "C", "" for SQLite; boolean
// is BOOLEAN or INTEGER, false its false).
func metadataFieldsSchema(collate, boolean, false_ string) string {
	return `CREATE TABLE metadata_fields (
		cloud       TEXT` + collate + ` NOT NULL,
		external_id TEXT` + collate + ` NOT NULL,
		type        TEXT NOT NULL,
		label       TEXT NOT NULL,
		definition  TEXT NOT NULL,
		position    BIGINT NOT NULL,
		created_at  BIGINT NOT NULL,
		updated_at  BIGINT NOT NULL,
		deleted     ` + boolean + ` NOT NULL DEFAULT ` + false_ + `,
		PRIMARY KEY (cloud, external_id)
	);
	CREATE TABLE ` + MetadataValuesTable + ` (
		asset         BIGINT NOT NULL REFERENCES assets (id) ON DELETE CASCADE,
		cloud         TEXT` + collate + ` NOT NULL,
		resource_type TEXT` + collate + ` NOT NULL,
		field         TEXT` + collate + ` NOT NULL,
		value         TEXT` + collate + ` NOT NULL,
		` + MetadataStringColumn + `  TEXT` + collate + `,
		` + MetadataNumberColumn + `  BIGINT,
		` + MetadataDateColumn + ` TEXT` + collate + `,
		PRIMARY KEY (asset, field, value)
	);
	CREATE INDEX asset_metadata_string ON ` + MetadataValuesTable + ` (cloud, field, ` + MetadataStringColumn + `, asset);
	CREATE INDEX asset_metadata_number ON ` + MetadataValuesTable + ` (cloud, field, ` + MetadataNumberColumn + `, asset);
	CREATE INDEX asset_metadata_date ON ` + MetadataValuesTable + ` (cloud, field, ` + MetadataDateColumn + `, asset);`
}

func scanMetadataField(r rowScanner) (*MetadataField, error) {
	var f MetadataField
	var created, updated int64
	err := r.Scan(&f.Cloud, &f.ExternalID, &f.Type, &f.Label, &f.Definition, &f.Position, &created, &updated)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("meta: scan metadata field: %w", err)
	}
	f.CreatedAt, f.UpdatedAt = time.Unix(0, created).UTC(), time.Unix(0, updated).UTC()
	return &f, nil
}

// MetadataFields implements MetadataFieldStore.
func (s *db) MetadataFields(ctx context.Context, cloud string) ([]MetadataField, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT `+metadataFieldColumns+` FROM metadata_fields
		WHERE cloud = ? AND NOT deleted ORDER BY position, external_id`, cloud)
	if err != nil {
		return nil, fmt.Errorf("meta: metadata fields: %w", err)
	}
	defer rows.Close()
	var out []MetadataField
	for rows.Next() {
		f, err := scanMetadataField(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, *f)
	}
	return out, rows.Err()
}

// MetadataField implements MetadataFieldStore.
func (s *db) MetadataField(ctx context.Context, cloud, externalID string) (*MetadataField, error) {
	return scanMetadataField(s.r.QueryRowContext(ctx, `SELECT `+metadataFieldColumns+` FROM metadata_fields
		WHERE cloud = ? AND external_id = ? AND NOT deleted`, cloud, externalID))
}

// CreateMetadataField implements MetadataFieldStore.
func (s *db) CreateMetadataField(ctx context.Context, f *MetadataField, limit int) error {
	return s.tx(ctx, func(tx *txn) error {
		var n, last int64
		// The cloud's fields are counted under a lock of its rows (PostgreSQL):
		// two origins adding at once take turns.
		rows, err := tx.QueryContext(ctx, `SELECT position, deleted FROM metadata_fields WHERE cloud = ?`+
			tx.d.forUpdate(), f.Cloud)
		if err != nil {
			return fmt.Errorf("meta: create metadata field: %w", err)
		}
		for rows.Next() {
			var pos int64
			var deleted bool
			if err := rows.Scan(&pos, &deleted); err != nil {
				rows.Close()
				return fmt.Errorf("meta: create metadata field: %w", err)
			}
			last = max(last, pos)
			if !deleted {
				n++
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return fmt.Errorf("meta: create metadata field: %w", err)
		}
		var one int
		err = tx.QueryRowContext(ctx, `SELECT 1 FROM metadata_fields WHERE cloud = ? AND external_id = ?`,
			f.Cloud, f.ExternalID).Scan(&one)
		switch {
		case err == nil:
			return ErrExists
		case !errors.Is(err, sql.ErrNoRows):
			return fmt.Errorf("meta: create metadata field: %w", err)
		case n >= int64(limit):
			return ErrFull
		}
		f.Position = last + 1
		_, err = tx.ExecContext(ctx, `INSERT INTO metadata_fields (`+metadataFieldColumns+`)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, f.Cloud, f.ExternalID, f.Type, f.Label, f.Definition, f.Position,
			f.CreatedAt.UnixNano(), f.UpdatedAt.UnixNano())
		if err != nil {
			return fmt.Errorf("meta: create metadata field: %w", err)
		}
		return nil
	})
}

// UpdateMetadataField implements MetadataFieldStore.
func (s *db) UpdateMetadataField(ctx context.Context, cloud, externalID string, fn func(*MetadataField) error) (*MetadataField, error) {
	var out *MetadataField
	err := s.tx(ctx, func(tx *txn) error {
		f, err := scanMetadataField(tx.QueryRowContext(ctx, `SELECT `+metadataFieldColumns+` FROM metadata_fields
			WHERE cloud = ? AND external_id = ? AND NOT deleted`+tx.d.forUpdate(), cloud, externalID))
		if err != nil {
			return err
		}
		keep := *f
		if err := fn(f); err != nil {
			return err
		}
		f.Cloud, f.ExternalID, f.Type, f.Position, f.CreatedAt = keep.Cloud, keep.ExternalID, keep.Type, keep.Position, keep.CreatedAt
		_, err = tx.ExecContext(ctx, `UPDATE metadata_fields SET label = ?, definition = ?, updated_at = ?
			WHERE cloud = ? AND external_id = ?`, f.Label, f.Definition, f.UpdatedAt.UnixNano(), cloud, externalID)
		if err != nil {
			return fmt.Errorf("meta: update metadata field: %w", err)
		}
		out = f
		return nil
	})
	return out, err
}

// DeleteMetadataField implements MetadataFieldStore.
func (s *db) DeleteMetadataField(ctx context.Context, cloud, externalID string) error {
	return s.tx(ctx, func(tx *txn) error {
		res, err := tx.ExecContext(ctx, `UPDATE metadata_fields SET deleted = TRUE
			WHERE cloud = ? AND external_id = ? AND NOT deleted`, cloud, externalID)
		if err != nil {
			return fmt.Errorf("meta: delete metadata field: %w", err)
		}
		if err := oneRow(res, ErrNotFound, "delete metadata field"); err != nil {
			return err
		}
		if err := deleteMetadataTokens(ctx, tx, cloud, externalID); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM `+MetadataValuesTable+` WHERE cloud = ? AND field = ?`,
			cloud, externalID); err != nil {
			return fmt.Errorf("meta: delete metadata field values: %w", err)
		}
		return nil
	})
}

// OrderMetadataFields implements MetadataFieldStore.
func (s *db) OrderMetadataFields(ctx context.Context, cloud string, externalIDs []string, now time.Time) error {
	return s.tx(ctx, func(tx *txn) error {
		for i, id := range externalIDs {
			if _, err := tx.ExecContext(ctx, `UPDATE metadata_fields SET position = ?, updated_at = ?
				WHERE cloud = ? AND external_id = ? AND NOT deleted`, i+1, now.UnixNano(), cloud, id); err != nil {
				return fmt.Errorf("meta: order metadata fields: %w", err)
			}
		}
		return nil
	})
}
