package meta

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/mediacdn/mediacdn/origin/search"
)

// FolderSearchQuery is a Search Folders API search: a parsed expression
// over the folders' fields (search.ParseFolders; nil: every folder of the
// cloud), its order, where the page starts.
type FolderSearchQuery struct {
	Cloud string
	Expr  search.Node
	// Sort orders the folders (FolderSortField); the path breaks ties, in
	// the direction of the last key. Empty: newest first.
	Sort []SortKey
	// After is the previous page's Next: nil for the first page.
	After []string
	Limit int
	// Count asks for Total.
	Count bool
}

// FolderPage is one page of a folders search.
type FolderPage struct {
	Folders []Folder
	// Next is the position of the page's last folder when more follow.
	Next  []string
	Total int64
}

// folderSortColumns are the fields a folders search sorts by, and whether
// their values are integers.
var folderSortColumns = map[string]sortColumn{
	"created_at": {`f.created_at`, true}, "name": {`f.name`, false}, "path": {`f.path`, false},
	"external_id": {`f.external_id`, false},
}

// FolderSortField reports a field a folders search can sort by.
func FolderSortField(name string) bool { _, ok := folderSortColumns[name]; return ok }

// folderSearchSchema is migration 20 of SQLite and 14 of PostgreSQL: a
// folder's name (its path's last segment: the path without what rtrim
// leaves of it when it strips every character but /), and the indexes of
// the Search Folders API's fields and orders (the path's is the primary
// key). collate is PostgreSQL's COLLATE "C", "" for SQLite.
func folderSearchSchema(collate string) string {
	return `ALTER TABLE folders ADD COLUMN name TEXT` + collate + ` NOT NULL DEFAULT '';
	` + folderNamesFill + `;
	CREATE INDEX folders_search_name ON folders (cloud, name, path);
	CREATE INDEX folders_search_created ON folders (cloud, created_at, path);
	CREATE INDEX folders_search_external_id ON folders (cloud, external_id);`
}

// folderNamesFill sets the name of every folder from its path.
const folderNamesFill = `UPDATE folders SET name = substr(path, length(rtrim(path, replace(path, '/', ''))) + 1)`

// SearchFolders runs a folders search.
func (s *db) SearchFolders(ctx context.Context, q FolderSearchQuery) (FolderPage, error) {
	if q.Limit < 1 {
		return FolderPage{}, fmt.Errorf("meta: search folders: limit %d", q.Limit)
	}
	where, args, err := folderSearchWhere(q, s.d)
	if err != nil {
		return FolderPage{}, err
	}
	query, pargs, err := folderSearchPageSQL(q, where, args)
	if err != nil {
		return FolderPage{}, err
	}
	rows, err := s.r.QueryContext(ctx, query, pargs...)
	if err != nil {
		return FolderPage{}, fmt.Errorf("meta: search folders: %w", err)
	}
	var page FolderPage
	for rows.Next() {
		f, err := scanFolder(rows)
		if err != nil {
			rows.Close()
			return FolderPage{}, err
		}
		page.Folders = append(page.Folders, *f)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return FolderPage{}, fmt.Errorf("meta: search folders: %w", err)
	}
	keys := folderSortOf(q)
	if len(page.Folders) > q.Limit {
		page.Folders = page.Folders[:q.Limit]
		last := page.Folders[q.Limit-1]
		for _, k := range keys {
			switch k.Field {
			case "created_at":
				page.Next = append(page.Next, strconv.FormatInt(last.CreatedAt.UnixNano(), 10))
			case "name":
				page.Next = append(page.Next, last.Name())
			case "path":
				page.Next = append(page.Next, last.Path)
			case "external_id":
				page.Next = append(page.Next, last.ExternalID)
			}
		}
		page.Next = append(page.Next, last.Path)
	}
	if q.Count {
		if err := s.r.QueryRowContext(ctx, `SELECT count(*) FROM folders f WHERE `+where, args...).Scan(&page.Total); err != nil {
			return FolderPage{}, fmt.Errorf("meta: search folders count: %w", err)
		}
	}
	return page, nil
}

func folderSortOf(q FolderSearchQuery) []SortKey {
	if len(q.Sort) == 0 {
		return []SortKey{{Field: "created_at", Desc: true}}
	}
	return q.Sort
}

// folderSearchPageSQL is the query of a page: the position after which it
// starts, the order, one row more than the page.
func folderSearchPageSQL(q FolderSearchQuery, where string, args []any) (string, []any, error) {
	keys := folderSortOf(q)
	var cols []string
	var desc, integer []bool
	for _, k := range keys {
		c, ok := folderSortColumns[k.Field]
		if !ok {
			return "", nil, fmt.Errorf("meta: search folders: no sort by %s", k.Field)
		}
		cols, desc, integer = append(cols, c.sql), append(desc, k.Desc), append(integer, c.integer)
	}
	cols, desc, integer = append(cols, `f.path`), append(desc, keys[len(keys)-1].Desc), append(integer, false)
	args = append([]any(nil), args...)
	if q.After != nil {
		if len(q.After) != len(cols) {
			return "", nil, ErrBadPosition
		}
		vals := make([]any, len(cols))
		for i, s := range q.After {
			vals[i] = s
			if integer[i] {
				n, err := strconv.ParseInt(s, 10, 64)
				if err != nil {
					return "", nil, ErrBadPosition
				}
				vals[i] = n
			}
		}
		cond, cargs := keysetCond(cols, desc, vals)
		where += ` AND ` + cond
		args = append(args, cargs...)
	}
	order := make([]string, len(cols))
	for i, c := range cols {
		order[i] = c
		if desc[i] {
			order[i] += ` DESC`
		}
	}
	args = append(args, q.Limit+1)
	return `SELECT f.path, f.external_id, f.created_at FROM folders f WHERE ` + where +
		` ORDER BY ` + strings.Join(order, `, `) + ` LIMIT ?`, args, nil
}

// folderSearchWhere compiles a folders search's expression into the
// condition on folders f, with its parameters.
func folderSearchWhere(q FolderSearchQuery, d dialect) (string, []any, error) {
	c := &compiler{d: d, cloud: q.Cloud}
	where := `f.cloud = ` + c.arg(q.Cloud)
	if q.Expr != nil {
		cond, err := c.folderNode(q.Expr)
		if err != nil {
			return "", nil, err
		}
		where += ` AND ` + cond
	}
	return where, c.args, nil
}

func (c *compiler) folderNode(n search.Node) (string, error) {
	list := func(nodes []search.Node, sep string) (string, error) {
		parts := make([]string, len(nodes))
		for i, n := range nodes {
			var err error
			if parts[i], err = c.folderNode(n); err != nil {
				return "", err
			}
		}
		return `(` + strings.Join(parts, sep) + `)`, nil
	}
	switch n := n.(type) {
	case search.And:
		return list(n.Nodes, ` AND `)
	case search.Or:
		return list(n.Nodes, ` OR `)
	case search.Not:
		s, err := c.folderNode(n.Node)
		if err != nil {
			return "", err
		}
		return `NOT ` + s, nil
	case search.Term:
		switch n.Field {
		case search.Name:
			return c.match(`f.name`, n.Value), nil
		case search.ExternalID:
			return c.match(`f.external_id`, n.Value), nil
		case search.Path:
			v := n.Value
			if !v.Prefix {
				v.Text = strings.Trim(v.Text, "/")
			}
			return c.match(`f.path`, v), nil
		case search.CreatedAt:
			return c.times(`f.created_at`, n, func(v search.Value) int64 { return v.Time.UnixNano() }), nil
		}
		return "", &search.Error{Pos: n.Pos, Msg: "unsupported field " + string(n.Field)}
	}
	return "", fmt.Errorf("meta: search folders: node %T", n)
}
