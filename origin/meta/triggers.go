package meta

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// TriggerStore keeps a cloud's triggers (Admin API triggers): a URL that
// receives the notification of every change of an event type, besides the
// notification_url of the call that made the change.
type TriggerStore interface {
	// Triggers lists a cloud's triggers, oldest first: those of eventType,
	// or all when it is "".
	Triggers(ctx context.Context, cloud, eventType string) ([]Trigger, error)
	// TriggerURIs lists the distinct URIs of the triggers that a change of
	// eventType notifies: its own and those of event type "all".
	TriggerURIs(ctx context.Context, cloud, eventType string) ([]string, error)
	// CreateTrigger creates t unless the cloud has a trigger with the same
	// URI and event type (ErrExists) or max triggers already (ErrTooMany).
	CreateTrigger(ctx context.Context, t *Trigger, max int) error
	// UpdateTrigger applies fn to a trigger and stores it; ErrNotFound when
	// there is none, ErrExists when another has its new URI and event type.
	UpdateTrigger(ctx context.Context, cloud, id string, fn func(*Trigger) error) (*Trigger, error)
	// DeleteTrigger deletes a trigger; ErrNotFound when there is none.
	DeleteTrigger(ctx context.Context, cloud, id string) error
}

// Trigger sends a cloud's notifications of one event type to a URI.
type Trigger struct {
	Cloud     string
	ID        string
	URI       string
	EventType string
	CreatedAt time.Time
	UpdatedAt time.Time
}

// triggersSchema is the triggers table (SQLite and PostgreSQL alike).
// Times are unix nanoseconds.
const triggersSchema = `CREATE TABLE triggers (
		cloud      TEXT NOT NULL,
		id         TEXT NOT NULL,
		uri        TEXT NOT NULL,
		event_type TEXT NOT NULL,
		created_at BIGINT NOT NULL,
		updated_at BIGINT NOT NULL,
		PRIMARY KEY (cloud, id),
		UNIQUE (cloud, uri, event_type)
	);
	CREATE INDEX triggers_event ON triggers (cloud, event_type);`

const triggerColumns = `cloud, id, uri, event_type, created_at, updated_at`

func scanTrigger(r rowScanner) (*Trigger, error) {
	var t Trigger
	var created, updated int64
	err := r.Scan(&t.Cloud, &t.ID, &t.URI, &t.EventType, &created, &updated)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("meta: scan trigger: %w", err)
	}
	t.CreatedAt, t.UpdatedAt = time.Unix(0, created).UTC(), time.Unix(0, updated).UTC()
	return &t, nil
}

// Triggers implements TriggerStore.
func (s *db) Triggers(ctx context.Context, cloud, eventType string) ([]Trigger, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT `+triggerColumns+` FROM triggers
		WHERE cloud = ? AND (? = '' OR event_type = ?) ORDER BY created_at, id`, cloud, eventType, eventType)
	if err != nil {
		return nil, fmt.Errorf("meta: triggers: %w", err)
	}
	defer rows.Close()
	var out []Trigger
	for rows.Next() {
		t, err := scanTrigger(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, *t)
	}
	return out, rows.Err()
}

// TriggerURIs implements TriggerStore.
func (s *db) TriggerURIs(ctx context.Context, cloud, eventType string) ([]string, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT uri FROM triggers WHERE cloud = ? AND event_type IN (?, 'all')
		GROUP BY uri ORDER BY MIN(created_at), uri`, cloud, eventType)
	if err != nil {
		return nil, fmt.Errorf("meta: trigger uris: %w", err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var u string
		if err := rows.Scan(&u); err != nil {
			return nil, fmt.Errorf("meta: trigger uris: %w", err)
		}
		out = append(out, u)
	}
	return out, rows.Err()
}

// CreateTrigger implements TriggerStore: the count and the insert in one
// transaction (on PostgreSQL two at once may pass the bound by one each).
func (s *db) CreateTrigger(ctx context.Context, t *Trigger, max int) error {
	return s.tx(ctx, func(tx *txn) error {
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM triggers WHERE cloud = ?`, t.Cloud).Scan(&n); err != nil {
			return fmt.Errorf("meta: create trigger: %w", err)
		}
		var id string
		err := tx.QueryRowContext(ctx, `INSERT INTO triggers (`+triggerColumns+`) VALUES (?, ?, ?, ?, ?, ?)
			ON CONFLICT DO NOTHING RETURNING id`, t.Cloud, t.ID, t.URI, t.EventType,
			t.CreatedAt.UnixNano(), t.UpdatedAt.UnixNano()).Scan(&id)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			return ErrExists
		case err != nil:
			return fmt.Errorf("meta: create trigger: %w", err)
		case n >= max:
			return ErrTooMany // rolls the insert back
		}
		return nil
	})
}

// UpdateTrigger implements TriggerStore.
func (s *db) UpdateTrigger(ctx context.Context, cloud, id string, fn func(*Trigger) error) (*Trigger, error) {
	var out *Trigger
	err := s.tx(ctx, func(tx *txn) error {
		t, err := scanTrigger(tx.QueryRowContext(ctx, `SELECT `+triggerColumns+` FROM triggers
			WHERE cloud = ? AND id = ?`+tx.d.forUpdate(), cloud, id))
		if err != nil {
			return err
		}
		if err := fn(t); err != nil {
			return err
		}
		var dup int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM triggers WHERE cloud = ? AND uri = ?
			AND event_type = ? AND id <> ?`, cloud, t.URI, t.EventType, id).Scan(&dup); err != nil {
			return fmt.Errorf("meta: update trigger: %w", err)
		}
		if dup > 0 {
			return ErrExists
		}
		_, err = tx.ExecContext(ctx, `UPDATE triggers SET uri = ?, event_type = ?, updated_at = ?
			WHERE cloud = ? AND id = ?`, t.URI, t.EventType, t.UpdatedAt.UnixNano(), cloud, id)
		if uniqueViolation(err) {
			return ErrExists
		}
		if err != nil {
			return fmt.Errorf("meta: update trigger: %w", err)
		}
		out = t
		return nil
	})
	return out, err
}

// DeleteTrigger implements TriggerStore.
func (s *db) DeleteTrigger(ctx context.Context, cloud, id string) error {
	res, err := s.writes().ExecContext(ctx, `DELETE FROM triggers WHERE cloud = ? AND id = ?`, cloud, id)
	if err != nil {
		return fmt.Errorf("meta: delete trigger: %w", err)
	}
	return oneRow(res, ErrNotFound, "delete trigger")
}
