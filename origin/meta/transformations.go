package meta

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
)

// TransformationStore keeps a cloud's transformations: named ones (t_<name>
// in URLs), managed through the Admin API and seeded from configuration,
// and the unnamed ones derived resources were made with (recorded by
// PutDerived).
type TransformationStore interface {
	// Transformations lists a page of transformations by name (named ones
	// as "t_<name>"), after q.After.
	Transformations(ctx context.Context, q TransformationQuery) ([]Transformation, error)
	// Transformation finds one; ErrNotFound when there is none.
	Transformation(ctx context.Context, cloud string, named bool, name string) (*Transformation, error)
	// AllowedForStrict reports whether an unnamed transformation, in
	// canonical spelling, was allowed for strict transformations.
	AllowedForStrict(ctx context.Context, cloud, canonical string) (bool, error)
	// CreateNamed creates a named transformation; ErrExists when one lives
	// under the name.
	CreateNamed(ctx context.Context, t *Transformation) error
	// SeedNamed creates a named transformation from configuration unless
	// the name has ever existed (so an API delete is not undone by a
	// restart). It reports whether it created one.
	SeedNamed(ctx context.Context, t *Transformation) (bool, error)
	// UpdateTransformation applies fn to a transformation (an unnamed one
	// is created if missing, fn seeing zero values); ErrNotFound for a
	// named one that does not exist.
	UpdateTransformation(ctx context.Context, cloud string, named bool, name string, fn func(*Transformation) error) error
	// DerivedUsing lists the derived resources made with a transformation:
	// for a named one, those whose transformation uses t_<name>; else
	// those with exactly that transformation. IDs above after, at most
	// limit+1 (one more says another page follows).
	DerivedUsing(ctx context.Context, cloud string, named bool, name string, after int64, limit int) ([]DerivedRef, error)
	// DeleteTransformation deletes a transformation and the derived
	// resources DerivedUsing finds, in one transaction: ErrTooMany (and
	// nothing deleted) when there are more than maxDerived of them,
	// ErrNotFound when neither the transformation nor derived resources
	// exist.
	DeleteTransformation(ctx context.Context, cloud string, named bool, name string, maxDerived int) ([]DerivedRef, error)
}

// ErrTooMany is DeleteTransformation's answer when too many derived
// resources would go, CreateTrigger's when the cloud has its most.
var ErrTooMany = errors.New("meta: too many derived resources")

// Transformation is a named or used transformation.
type Transformation struct {
	Cloud string
	Named bool
	// Name is the name of a named transformation (without t_), else the
	// transformation string itself.
	Name string
	// Transformation is a named transformation's definition; for an
	// unnamed one, the same as Name.
	Transformation string
	// Canonical is the canonical spelling of an unnamed transformation
	// whose strict setting was changed ("" otherwise).
	Canonical        string
	AllowedForStrict bool
	// Used says derived resources were made with it.
	Used      bool
	CreatedAt time.Time
	UpdatedAt time.Time
}

// TransformationQuery selects transformations to list.
type TransformationQuery struct {
	Cloud string
	// Named selects named (true) or unnamed (false) ones; nil means both.
	Named *bool
	// After is the listed name ("t_<name>" for named) a page starts after.
	After string
	Limit int
}

// DerivedRef is a derived resource with what its URLs need of its asset:
// the key and the access mode (an authenticated asset's URLs are signed).
type DerivedRef struct {
	Derived
	Asset      Key
	AccessMode string
}

const transformationColumns = `cloud, named, name, transformation, canonical, allowed_for_strict, used,
	created_at, updated_at`

func scanTransformation(r rowScanner) (*Transformation, error) {
	var t Transformation
	var created, updated int64
	err := r.Scan(&t.Cloud, &t.Named, &t.Name, &t.Transformation, &t.Canonical, &t.AllowedForStrict, &t.Used,
		&created, &updated)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("meta: scan transformation: %w", err)
	}
	t.CreatedAt, t.UpdatedAt = time.Unix(0, created).UTC(), time.Unix(0, updated).UTC()
	return &t, nil
}

// listedName is how a transformation appears in listings.
const listedName = `CASE WHEN named THEN 't_' || name ELSE name END`

// Transformations lists transformations.
func (s *db) Transformations(ctx context.Context, q TransformationQuery) ([]Transformation, error) {
	query := `SELECT ` + transformationColumns + ` FROM transformations
		WHERE cloud = ? AND NOT deleted AND ` + listedName + ` > ?`
	args := []any{q.Cloud, q.After}
	if q.Named != nil {
		query += ` AND named = ?`
		args = append(args, *q.Named)
	}
	query += ` ORDER BY ` + listedName + ` LIMIT ?`
	args = append(args, q.Limit)
	rows, err := s.r.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("meta: transformations: %w", err)
	}
	defer rows.Close()
	var out []Transformation
	for rows.Next() {
		t, err := scanTransformation(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, *t)
	}
	return out, rows.Err()
}

// Transformation finds one transformation.
func (s *db) Transformation(ctx context.Context, cloud string, named bool, name string) (*Transformation, error) {
	return scanTransformation(s.r.QueryRowContext(ctx, `SELECT `+transformationColumns+` FROM transformations
		WHERE cloud = ? AND named = ? AND name = ? AND NOT deleted`, cloud, named, name))
}

// AllowedForStrict looks an unnamed transformation up by canonical spelling.
func (s *db) AllowedForStrict(ctx context.Context, cloud, canonical string) (bool, error) {
	var n int
	err := s.r.QueryRowContext(ctx, `SELECT count(*) FROM transformations
		WHERE cloud = ? AND canonical = ? AND NOT named AND allowed_for_strict AND NOT deleted`,
		cloud, canonical).Scan(&n)
	if err != nil {
		return false, fmt.Errorf("meta: allowed for strict: %w", err)
	}
	return n > 0, nil
}

func upsertTransformation(ctx context.Context, tx *txn, t *Transformation) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO transformations (`+transformationColumns+`, deleted)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, FALSE)
		ON CONFLICT (cloud, named, name) DO UPDATE SET transformation = excluded.transformation,
		canonical = excluded.canonical, allowed_for_strict = excluded.allowed_for_strict, used = excluded.used,
		created_at = excluded.created_at, updated_at = excluded.updated_at, deleted = FALSE`,
		t.Cloud, t.Named, t.Name, t.Transformation, t.Canonical, t.AllowedForStrict, t.Used,
		t.CreatedAt.UnixNano(), t.UpdatedAt.UnixNano())
	if err != nil {
		return fmt.Errorf("meta: save transformation: %w", err)
	}
	return nil
}

// CreateNamed creates a named transformation. One statement creates it,
// or revives a deleted one, or finds a live one there (ErrExists), so
// that of two origins creating it at once only one does.
func (s *db) CreateNamed(ctx context.Context, t *Transformation) error {
	return s.tx(ctx, func(tx *txn) error {
		used, err := namedUsed(ctx, tx, t.Cloud, t.Name)
		if err != nil {
			return err
		}
		var name string
		err = tx.QueryRowContext(ctx, `INSERT INTO transformations (`+transformationColumns+`, deleted)
			VALUES (?, TRUE, ?, ?, ?, ?, ?, ?, ?, FALSE)
			ON CONFLICT (cloud, named, name) DO UPDATE SET transformation = excluded.transformation,
			canonical = excluded.canonical, allowed_for_strict = excluded.allowed_for_strict, used = excluded.used,
			created_at = excluded.created_at, updated_at = excluded.updated_at, deleted = FALSE
			WHERE transformations.deleted
			RETURNING name`,
			t.Cloud, t.Name, t.Transformation, t.Canonical, t.AllowedForStrict, used,
			t.CreatedAt.UnixNano(), t.UpdatedAt.UnixNano()).Scan(&name)
		if errors.Is(err, sql.ErrNoRows) {
			return ErrExists
		}
		if err != nil {
			return fmt.Errorf("meta: create transformation: %w", err)
		}
		return nil
	})
}

// SeedNamed creates a named transformation from configuration once: one
// statement creates it unless the name has ever existed, so that origins
// starting together seed it once.
func (s *db) SeedNamed(ctx context.Context, t *Transformation) (bool, error) {
	created := false
	err := s.tx(ctx, func(tx *txn) error {
		var name string
		err := tx.QueryRowContext(ctx, `INSERT INTO transformations (`+transformationColumns+`, deleted)
			VALUES (?, TRUE, ?, ?, ?, ?, ?, ?, ?, FALSE)
			ON CONFLICT (cloud, named, name) DO NOTHING
			RETURNING name`,
			t.Cloud, t.Name, t.Transformation, t.Canonical, t.AllowedForStrict, t.Used,
			t.CreatedAt.UnixNano(), t.UpdatedAt.UnixNano()).Scan(&name)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			created = false
		case err != nil:
			return fmt.Errorf("meta: seed transformation: %w", err)
		default:
			created = true
		}
		return nil
	})
	return created, err
}

// UpdateTransformation changes a transformation.
func (s *db) UpdateTransformation(ctx context.Context, cloud string, named bool, name string, fn func(*Transformation) error) error {
	return s.tx(ctx, func(tx *txn) error {
		t, err := scanTransformation(tx.QueryRowContext(ctx, `SELECT `+transformationColumns+` FROM transformations
			WHERE cloud = ? AND named = ? AND name = ? AND NOT deleted`+tx.d.forUpdate(), cloud, named, name))
		switch {
		case errors.Is(err, ErrNotFound) && !named:
			t = &Transformation{Cloud: cloud, Name: name, Transformation: name, CreatedAt: time.Now().UTC()}
		case err != nil:
			return err
		}
		if err := fn(t); err != nil {
			return err
		}
		t.Cloud, t.Named, t.Name = cloud, named, name
		return upsertTransformation(ctx, tx, t)
	})
}

// derivedUsingSQL selects derived resources made with a transformation.
func derivedUsingSQL(d dialect, named bool) string {
	q := `SELECT ` + derivedColumns + `, a.resource_type, a.type, a.public_id, a.access_mode
		FROM derived d JOIN assets a ON a.id = d.asset WHERE a.cloud = ? AND d.id > ? AND `
	if named {
		// Candidates mention t_<name>; usesNamed decides.
		return q + d.contains(`d.transformation`) + ` ORDER BY d.id`
	}
	return q + `d.transformation = ? ORDER BY d.id`
}

type queryer interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

// dialectOf is the dialect a pool or transaction speaks.
func dialectOf(q queryer) dialect {
	switch q := q.(type) {
	case *txn:
		return q.d
	case pool:
		return q.d
	}
	return dialect{}
}

// derivedUsing runs derivedUsingSQL, keeping at most limit rows (limit <
// 0: all).
func derivedUsing(ctx context.Context, q queryer, cloud string, named bool, name string, after int64, limit int) ([]DerivedRef, error) {
	arg := name
	if named {
		arg = "t_" + name
	}
	rows, err := q.QueryContext(ctx, derivedUsingSQL(dialectOf(q), named), cloud, after, arg)
	if err != nil {
		return nil, fmt.Errorf("meta: derived using: %w", err)
	}
	defer rows.Close()
	var out []DerivedRef
	for rows.Next() && (limit < 0 || len(out) < limit) {
		var r DerivedRef
		var created int64
		err := rows.Scan(&r.ID, &r.Version, &r.Transformation, &r.Format, &r.Variant, &r.Bytes, &r.Width,
			&r.Height, &r.ETag, &r.Blob, &created, &r.Asset.ResourceType, &r.Asset.Type, &r.Asset.PublicID,
			&r.AccessMode)
		if err != nil {
			return nil, fmt.Errorf("meta: derived using: %w", err)
		}
		if named && !usesNamed(r.Transformation, name) {
			continue
		}
		r.CreatedAt = time.Unix(0, created).UTC()
		r.Asset.Cloud = cloud
		out = append(out, r)
	}
	return out, rows.Err()
}

// DerivedUsing lists derived resources made with a transformation.
func (s *db) DerivedUsing(ctx context.Context, cloud string, named bool, name string, after int64, limit int) ([]DerivedRef, error) {
	return derivedUsing(ctx, s.r, cloud, named, name, after, limit+1)
}

// DeleteTransformation deletes a transformation and its derived resources.
func (s *db) DeleteTransformation(ctx context.Context, cloud string, named bool, name string, maxDerived int) ([]DerivedRef, error) {
	var out []DerivedRef
	err := s.tx(ctx, func(tx *txn) error {
		refs, err := derivedUsing(ctx, tx, cloud, named, name, 0, maxDerived+1)
		if err != nil {
			return err
		}
		if len(refs) > maxDerived {
			return ErrTooMany
		}
		r, err := tx.ExecContext(ctx, `UPDATE transformations SET deleted = TRUE, updated_at = ?
			WHERE cloud = ? AND named = ? AND name = ? AND NOT deleted`, time.Now().UnixNano(), cloud, named, name)
		if err != nil {
			return fmt.Errorf("meta: delete transformation: %w", err)
		}
		if n, _ := r.RowsAffected(); n == 0 && len(refs) == 0 {
			return ErrNotFound
		}
		if !named {
			if _, err := tx.ExecContext(ctx, `DELETE FROM transformations WHERE cloud = ? AND NOT named
				AND name = ?`, cloud, name); err != nil {
				return fmt.Errorf("meta: delete transformation: %w", err)
			}
		}
		for _, ref := range refs {
			if _, err := tx.ExecContext(ctx, `DELETE FROM derived WHERE id = ?`, ref.ID); err != nil {
				return fmt.Errorf("meta: delete derived: %w", err)
			}
		}
		out = refs
		return nil
	})
	return out, err
}

// noteUsed records, in PutDerived's transaction, that a transformation made
// a derived resource: unnamed ones are listed from then on, and named ones
// it refers to are marked used.
func noteUsed(ctx context.Context, tx *txn, cloud, transformation string, at time.Time) error {
	if !onlyNamed(transformation) {
		if err := noteUnnamed(ctx, tx, cloud, transformation, at); err != nil {
			return err
		}
	}
	for _, name := range namedIn(transformation) {
		if _, err := tx.ExecContext(ctx, `UPDATE transformations SET used = TRUE WHERE cloud = ? AND named
			AND name = ? AND NOT used`, cloud, name); err != nil {
			return fmt.Errorf("meta: note transformation: %w", err)
		}
	}
	return nil
}

// onlyNamed reports a transformation made of t_ parameters only: it is
// listed as the named transformations it uses, not on its own.
func onlyNamed(tx string) bool {
	for _, comp := range strings.Split(tx, "/") {
		for _, tok := range strings.Split(comp, ",") {
			if !strings.HasPrefix(tok, "t_") {
				return false
			}
		}
	}
	return true
}

func noteUnnamed(ctx context.Context, tx *txn, cloud, transformation string, at time.Time) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO transformations (`+transformationColumns+`, deleted)
		VALUES (?, FALSE, ?, ?, '', FALSE, TRUE, ?, ?, FALSE)
		ON CONFLICT (cloud, named, name) DO UPDATE SET used = TRUE, deleted = FALSE`,
		cloud, transformation, transformation, at.UnixNano(), at.UnixNano())
	if err != nil {
		return fmt.Errorf("meta: note transformation: %w", err)
	}
	return nil
}

// namedUsed reports whether derived resources already use t_<name>.
func namedUsed(ctx context.Context, tx *txn, cloud, name string) (bool, error) {
	refs, err := derivedUsing(ctx, tx, cloud, true, name, 0, 1)
	return len(refs) > 0, err
}

// namedIn lists the named transformations a transformation string refers
// to: the names of its t_ parameters ("t_a.b" names a and b).
func namedIn(tx string) []string {
	var out []string
	for _, comp := range strings.Split(tx, "/") {
		for _, tok := range strings.Split(comp, ",") {
			if rest, ok := strings.CutPrefix(tok, "t_"); ok {
				for _, n := range strings.Split(rest, ".") {
					if n != "" {
						out = append(out, n)
					}
				}
			}
		}
	}
	return out
}

// usesNamed reports whether tx refers to the named transformation name.
func usesNamed(tx, name string) bool {
	for _, n := range namedIn(tx) {
		if n == name {
			return true
		}
	}
	return false
}
