package meta

import (
	"context"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/mediacdn/mediacdn/delivery"
)

// Lister finds assets for the Admin API's listings.
type Lister interface {
	// List returns one page of the assets q selects, in q.Order, starting
	// after q.After. Next is set when more follow.
	List(ctx context.Context, q ListQuery) (ListPage, error)
	// CountAssetFolder counts the cloud's assets (of every resource type
	// and type) of one asset folder (asset_folder_count.go).
	CountAssetFolder(ctx context.Context, cloud, folder string) (int64, error)
	// AssetByID finds an asset by its AssetID; ErrNotFound when none.
	AssetByID(ctx context.Context, cloud, assetID string) (*Asset, error)
	// ResourceTypes lists the resource types the cloud has assets of.
	ResourceTypes(ctx context.Context, cloud string) ([]string, error)
	// Tags lists the distinct tags of a cloud's assets of one resource
	// type, in byte order, after q.After, starting with q.Prefix.
	Tags(ctx context.Context, q TagQuery) ([]string, error)
}

// Order is the order of a listing.
type Order int

// Listing orders.
const (
	// NewestFirst orders by Seq, descending: newest first.
	NewestFirst Order = iota
	// OldestFirst orders by Seq, ascending.
	OldestFirst
	// ByPublicID orders by public ID, then type, ascending (byte order).
	ByPublicID
	// ByPublicIDDesc orders by public ID, then type, descending.
	ByPublicIDDesc
)

// Position is where a listing stopped: the last asset returned. Seq
// orders use Seq; public ID orders use PublicID and Type, the type's name
// as the listing orders by it (a cursor carries it as it came).
type Position struct {
	Seq      int64
	PublicID string
	Type     string
}

// ListQuery selects assets. Empty fields select anything.
type ListQuery struct {
	Cloud        string // required
	ResourceType delivery.ResourceType
	Type         delivery.DeliveryType
	// Prefix selects public IDs that start with it.
	Prefix string
	// Tag selects assets with the tag.
	Tag string
	// ContextKey selects assets with that context key; with
	// MatchContextValue, only those whose value is ContextValue.
	ContextKey        string
	ContextValue      string
	MatchContextValue bool
	// ModerationKind and ModerationStatus select a moderation queue.
	ModerationKind   string
	ModerationStatus string
	// AssetFolder selects assets of one asset folder when ByAssetFolder.
	AssetFolder   string
	ByAssetFolder bool
	// CreatedSince selects assets created at or after it (zero: any).
	CreatedSince time.Time
	Order        Order
	// After continues a listing after this position (nil: from the start).
	After *Position
	// Limit is the page size, at least 1.
	Limit int
}

// ListPage is one page of a listing.
type ListPage struct {
	Assets []*Asset
	// Next is where the next page starts; nil on the last page.
	Next *Position
}

// TagQuery selects tags.
type TagQuery struct {
	Cloud        string
	ResourceType delivery.ResourceType
	Prefix       string
	After        string // the last tag of the previous page
	Limit        int
}

// List runs a listing query.
func (s *db) List(ctx context.Context, q ListQuery) (ListPage, error) {
	if q.Limit < 1 {
		return ListPage{}, fmt.Errorf("meta: list: limit %d", q.Limit)
	}
	query, args := listSQL(q, s.d)
	rows, err := s.r.QueryContext(ctx, query, args...)
	if err != nil {
		return ListPage{}, fmt.Errorf("meta: list: %w", err)
	}
	defer rows.Close()
	var page ListPage
	for rows.Next() {
		a, _, err := scanAsset(rows)
		if err != nil {
			return ListPage{}, err
		}
		page.Assets = append(page.Assets, a)
	}
	if err := rows.Err(); err != nil {
		return ListPage{}, fmt.Errorf("meta: list: %w", err)
	}
	if len(page.Assets) > q.Limit {
		page.Assets = page.Assets[:q.Limit]
		last := page.Assets[q.Limit-1]
		page.Next = &Position{Seq: last.Seq, PublicID: last.PublicID, Type: last.Type.String()}
	}
	return page, nil
}

// listSQL builds the query: one more row than the page, to know whether
// another page follows.
func listSQL(q ListQuery, d dialect) (string, []any) {
	var b strings.Builder
	b.WriteString(`SELECT ` + prefixed("a.", assetColumns) + ` FROM assets a`)
	var where []string
	var args []any
	cond := func(c string, vs ...any) { where = append(where, c); args = append(args, vs...) }
	if q.Tag != "" {
		b.WriteString(` JOIN asset_tags t ON t.asset = a.id`)
		cond(`t.cloud = ? AND t.resource_type = ? AND t.tag = ?`, q.Cloud, q.ResourceType, q.Tag)
	}
	if q.ContextKey != "" {
		b.WriteString(` JOIN asset_context c ON c.asset = a.id`)
		cond(`c.cloud = ? AND c.resource_type = ? AND c.key = ?`, q.Cloud, q.ResourceType, q.ContextKey)
		if q.MatchContextValue {
			cond(`c.value = ?`, q.ContextValue)
		}
	}
	cond(`a.cloud = ?`, q.Cloud)
	if q.ResourceType != delivery.ResourceNone {
		cond(`a.resource_type = ?`, q.ResourceType)
	}
	if q.Type != delivery.TypeNone {
		cond(`a.type = ?`, q.Type)
	}
	if q.Prefix != "" {
		cond(`a.public_id >= ?`, q.Prefix)
		if end, ok := d.prefixEnd(q.Prefix); ok {
			cond(`a.public_id < ?`, end)
		}
	}
	if q.ModerationKind != "" || q.ModerationStatus != "" {
		cond(`a.moderation_kind = ? AND a.moderation_status = ?`, q.ModerationKind, q.ModerationStatus)
	}
	if q.ByAssetFolder {
		cond(`a.asset_folder = ?`, q.AssetFolder)
	}
	if !q.CreatedSince.IsZero() {
		cond(`a.created_at >= ?`, q.CreatedSince.UnixNano())
	}
	order := ""
	switch q.Order {
	case NewestFirst:
		order = `a.id DESC`
		if q.After != nil {
			cond(`a.id < ?`, q.After.Seq)
		}
	case OldestFirst:
		order = `a.id`
		if q.After != nil {
			cond(`a.id > ?`, q.After.Seq)
		}
	case ByPublicID:
		order = `a.public_id, a.type`
		if q.After != nil {
			cond(`(a.public_id, a.type) > (?, ?)`, q.After.PublicID, q.After.Type)
		}
	case ByPublicIDDesc:
		order = `a.public_id DESC, a.type DESC`
		if q.After != nil {
			cond(`(a.public_id, a.type) < (?, ?)`, q.After.PublicID, q.After.Type)
		}
	}
	b.WriteString(` WHERE ` + strings.Join(where, ` AND `) + ` ORDER BY ` + order + ` LIMIT ?`)
	args = append(args, q.Limit+1)
	return b.String(), args
}

// prefixed puts p before every column of a comma-separated list.
func prefixed(p, columns string) string {
	cols := strings.Split(columns, ",")
	for i, c := range cols {
		cols[i] = p + strings.TrimSpace(c)
	}
	return strings.Join(cols, ", ")
}

// prefixEnd is the smallest string above every string that starts with
// prefix (in byte order); false when there is none (all 0xff bytes).
func prefixEnd(prefix string) (string, bool) {
	b := []byte(prefix)
	for i := len(b) - 1; i >= 0; i-- {
		if b[i] < 0xff {
			b[i]++
			return string(b[:i+1]), true
		}
	}
	return "", false
}

// prefixEndRunes is prefixEnd for valid UTF-8: the smallest string above
// every string that starts with prefix, in code point order, made by
// moving its last character up (past the surrogates, which UTF-8 never
// encodes); false when there is none. Text that is not valid UTF-8 falls
// back to prefixEnd.
func prefixEndRunes(prefix string) (string, bool) {
	if !utf8.ValidString(prefix) {
		return prefixEnd(prefix)
	}
	r := []rune(prefix)
	for i := len(r) - 1; i >= 0; i-- {
		switch {
		case r[i] == 0xd7ff:
			r[i] = 0xe000
		case r[i] < utf8.MaxRune:
			r[i]++
		default:
			continue
		}
		return string(r[:i+1]), true
	}
	return "", false
}

// AssetByID finds an asset by asset ID.
func (s *db) AssetByID(ctx context.Context, cloud, assetID string) (*Asset, error) {
	a, _, err := scanAsset(s.r.QueryRowContext(ctx, `SELECT `+assetColumns+` FROM assets
		WHERE asset_id = ? AND cloud = ?`, assetID, cloud))
	return a, err
}

// ResourceTypes lists the resource types in use.
func (s *db) ResourceTypes(ctx context.Context, cloud string) ([]string, error) {
	var out []string
	for _, rt := range []string{"image", "raw", "video"} {
		var one int
		err := s.r.QueryRowContext(ctx, `SELECT count(*) FROM (SELECT 1 FROM assets
			WHERE cloud = ? AND resource_type = ? LIMIT 1) AS one`, cloud, rt).Scan(&one)
		if err != nil {
			return nil, fmt.Errorf("meta: resource types: %w", err)
		}
		if one > 0 {
			out = append(out, rt)
		}
	}
	return out, nil
}

// Tags lists distinct tags.
func (s *db) Tags(ctx context.Context, q TagQuery) ([]string, error) {
	query := `SELECT DISTINCT tag FROM asset_tags WHERE cloud = ? AND resource_type = ? AND tag > ?`
	args := []any{q.Cloud, q.ResourceType, q.After}
	if q.Prefix != "" {
		query += ` AND tag >= ?`
		args = append(args, q.Prefix)
		if end, ok := s.d.prefixEnd(q.Prefix); ok {
			query += ` AND tag < ?`
			args = append(args, end)
		}
	}
	query += ` ORDER BY tag LIMIT ?`
	args = append(args, q.Limit)
	rows, err := s.r.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("meta: tags: %w", err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var t string
		if err := rows.Scan(&t); err != nil {
			return nil, fmt.Errorf("meta: tags: %w", err)
		}
		out = append(out, t)
	}
	return out, rows.Err()
}
