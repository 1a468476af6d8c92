package meta

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

// PresetStore keeps a cloud's upload presets (Admin API upload_presets):
// named sets of upload parameters an upload applies with upload_preset,
// the only way to upload without a signature.
type PresetStore interface {
	// UploadPresets lists a page of presets by name, after after, at most
	// limit.
	UploadPresets(ctx context.Context, cloud, after string, limit int) ([]UploadPreset, error)
	// UploadPreset finds one; ErrNotFound when there is none.
	UploadPreset(ctx context.Context, cloud, name string) (*UploadPreset, error)
	// CreateUploadPreset creates a preset; ErrExists when one has the name.
	CreateUploadPreset(ctx context.Context, p *UploadPreset) error
	// UpdateUploadPreset applies fn to a preset in a transaction;
	// ErrNotFound when there is none.
	UpdateUploadPreset(ctx context.Context, cloud, name string, fn func(*UploadPreset) error) error
	// DeleteUploadPreset deletes a preset; ErrNotFound when there is none.
	DeleteUploadPreset(ctx context.Context, cloud, name string) error
}

// UploadPreset is a named set of upload parameters.
type UploadPreset struct {
	Cloud string
	Name  string
	// Unsigned presets may be named by uploads without a signature.
	Unsigned bool
	// DisallowPublicID refuses public_id from an unsigned upload's caller.
	DisallowPublicID bool
	// Live marks a live-broadcast preset (Cloudinary's live streaming
	// input, which this server does not have): kept and answered; an upload
	// through it is an upload as any other.
	Live bool
	// Settings are upload parameters as the Upload API receives them
	// (name to value, booleans as "true" or "false").
	Settings  map[string]string
	CreatedAt time.Time
	UpdatedAt time.Time
}

const presetColumns = `cloud, name, unsigned, disallow_public_id, live, settings, created_at, updated_at`

func scanPreset(r rowScanner) (*UploadPreset, error) {
	var p UploadPreset
	var settings string
	var created, updated int64
	err := r.Scan(&p.Cloud, &p.Name, &p.Unsigned, &p.DisallowPublicID, &p.Live, &settings, &created, &updated)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("meta: scan upload preset: %w", err)
	}
	if err := json.Unmarshal([]byte(settings), &p.Settings); err != nil {
		return nil, fmt.Errorf("meta: upload preset %s settings: %w", p.Name, err)
	}
	if p.Settings == nil {
		p.Settings = map[string]string{}
	}
	p.CreatedAt, p.UpdatedAt = time.Unix(0, created).UTC(), time.Unix(0, updated).UTC()
	return &p, nil
}

func presetSettings(p *UploadPreset) (string, error) {
	m := p.Settings
	if m == nil {
		m = map[string]string{}
	}
	b, err := json.Marshal(m)
	if err != nil {
		return "", fmt.Errorf("meta: upload preset settings: %w", err)
	}
	return string(b), nil
}

// UploadPresets lists presets by name.
func (s *db) UploadPresets(ctx context.Context, cloud, after string, limit int) ([]UploadPreset, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT `+presetColumns+` FROM upload_presets
		WHERE cloud = ? AND name > ? ORDER BY name LIMIT ?`, cloud, after, limit)
	if err != nil {
		return nil, fmt.Errorf("meta: upload presets: %w", err)
	}
	defer rows.Close()
	var out []UploadPreset
	for rows.Next() {
		p, err := scanPreset(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, *p)
	}
	return out, rows.Err()
}

// UploadPreset finds one preset.
func (s *db) UploadPreset(ctx context.Context, cloud, name string) (*UploadPreset, error) {
	return scanPreset(s.r.QueryRowContext(ctx, `SELECT `+presetColumns+` FROM upload_presets
		WHERE cloud = ? AND name = ?`, cloud, name))
}

// CreateUploadPreset creates a preset: one statement, so that of two
// origins creating the same name at once one gets ErrExists.
func (s *db) CreateUploadPreset(ctx context.Context, p *UploadPreset) error {
	settings, err := presetSettings(p)
	if err != nil {
		return err
	}
	return s.tx(ctx, func(tx *txn) error {
		var name string
		err := tx.QueryRowContext(ctx, `INSERT INTO upload_presets (`+presetColumns+`)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (cloud, name) DO NOTHING RETURNING name`,
			p.Cloud, p.Name, p.Unsigned, p.DisallowPublicID, p.Live, settings,
			p.CreatedAt.UnixNano(), p.UpdatedAt.UnixNano()).Scan(&name)
		if errors.Is(err, sql.ErrNoRows) {
			return ErrExists
		}
		if err != nil {
			return fmt.Errorf("meta: create upload preset: %w", err)
		}
		return nil
	})
}

// UpdateUploadPreset changes a preset.
func (s *db) UpdateUploadPreset(ctx context.Context, cloud, name string, fn func(*UploadPreset) error) error {
	return s.tx(ctx, func(tx *txn) error {
		p, err := scanPreset(tx.QueryRowContext(ctx, `SELECT `+presetColumns+` FROM upload_presets
			WHERE cloud = ? AND name = ?`+tx.d.forUpdate(), cloud, name))
		if err != nil {
			return err
		}
		if err := fn(p); err != nil {
			return err
		}
		settings, err := presetSettings(p)
		if err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `UPDATE upload_presets SET unsigned = ?, disallow_public_id = ?,
			live = ?, settings = ?, updated_at = ? WHERE cloud = ? AND name = ?`,
			p.Unsigned, p.DisallowPublicID, p.Live, settings, p.UpdatedAt.UnixNano(), cloud, name)
		if err != nil {
			return fmt.Errorf("meta: update upload preset: %w", err)
		}
		return nil
	})
}

// DeleteUploadPreset deletes a preset.
func (s *db) DeleteUploadPreset(ctx context.Context, cloud, name string) error {
	return s.tx(ctx, func(tx *txn) error {
		r, err := tx.ExecContext(ctx, `DELETE FROM upload_presets WHERE cloud = ? AND name = ?`, cloud, name)
		if err != nil {
			return fmt.Errorf("meta: delete upload preset: %w", err)
		}
		return oneRow(r, ErrNotFound, "delete upload preset")
	})
}

// presetsSchema is the upload_presets table of SQLite and (with
// collate, "C" for a bytewise order of names) of PostgreSQL.
func presetsSchema(collate string) string {
	return `CREATE TABLE upload_presets (
		cloud              TEXT ` + collate + ` NOT NULL,
		name               TEXT ` + collate + ` NOT NULL,
		unsigned           BOOLEAN NOT NULL,
		disallow_public_id BOOLEAN NOT NULL,
		settings           TEXT NOT NULL,
		created_at         BIGINT NOT NULL,
		updated_at         BIGINT NOT NULL,
		PRIMARY KEY (cloud, name)
	);`
}

// presetsLive adds the live attribute, migration 12 of SQLite and 6 of
// PostgreSQL.
const presetsLive = `ALTER TABLE upload_presets ADD COLUMN live BOOLEAN NOT NULL DEFAULT false;`
