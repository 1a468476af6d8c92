package origin

import (
	"crypto/sha256"
	"encoding/hex"
	"time"

	"github.com/mediacdn/mediacdn/origin/api"
	"github.com/mediacdn/mediacdn/origin/meta"
	"github.com/mediacdn/mediacdn/origin/search"
)

// GET|POST folders/search: the Search Folders API (docs/admin-api.md,
// "Folders"). The expression language of the Search API over a folder's
// name, path, external_id (or id) and created_at; sort_by, max_results,
// next_cursor as the Search API's (signed cursors bound to the expression
// and order).

// folderSearchSpec is GET|POST folders/search.
func folderSearchSpec() api.MethodParams {
	return only("expression", "sort_by", "max_results", "next_cursor")
}

// folderSearchJSON is a folders search's answer (the Go SDK's
// admin.SearchFoldersResult).
type folderSearchJSON struct {
	TotalCount int64              `json:"total_count"`
	Time       int64              `json:"time"`
	NextCursor string             `json:"next_cursor,omitempty"`
	Folders    []folderSearchItem `json:"folders"`
}

// folderSearchItem is a folder found (the Go SDK's admin.SearchFolder).
type folderSearchItem struct {
	Name       string `json:"name"`
	Path       string `json:"path"`
	CreatedAt  string `json:"created_at"`
	ExternalID string `json:"external_id"`
}

// searchFolders serves GET|POST folders/search.
func (c *call) searchFolders(p *api.Params) {
	start := time.Now()
	max, err := maxResults(p, defaultSearchResults, maxSearchResults)
	if err != nil {
		c.fail(err)
		return
	}
	expr, cursor := p.Get("expression"), p.Get("next_cursor")
	node, err := search.ParseFolders(expr, c.s.now())
	if err != nil {
		c.fail(api.BadRequest("%s", err.Error()))
		return
	}
	sort, err := sortKeysOf(p, meta.FolderSortField)
	if err != nil {
		c.fail(err)
		return
	}
	kind := folderSearchCursorKind(expr, sort)
	q := meta.FolderSearchQuery{Cloud: c.cloud, Expr: node, Sort: sort, Limit: max, Count: cursor == ""}
	var pos searchPosition
	if cursor != "" {
		if err := c.openSearchCursor(cursor, kind, &pos); err != nil {
			c.fail(err)
			return
		}
		q.After = pos.After
	}
	ctx, cancel := c.searchContext()
	defer cancel()
	page, err := c.s.meta.SearchFolders(ctx, q)
	if err != nil {
		c.fail(searchFailure(ctx, err, cursor))
		return
	}
	if cursor != "" {
		page.Total = pos.Total // counted with the first page
	}
	out := folderSearchJSON{TotalCount: page.Total, Folders: []folderSearchItem{}}
	for _, f := range page.Folders {
		out.Folders = append(out.Folders, folderSearchItem{Name: f.Name(), Path: f.Path,
			CreatedAt: timeJSON(f.CreatedAt), ExternalID: f.ExternalID})
	}
	if page.Next != nil {
		out.NextCursor = c.searchCursor(kind, searchPosition{After: page.Next, Total: page.Total})
	}
	out.Time = time.Since(start).Milliseconds()
	c.ok(out)
}

// folderSearchCursorKind binds a folders search's cursors to its
// expression and order.
func folderSearchCursorKind(expr string, sort []meta.SortKey) string {
	h := sha256.New()
	h.Write([]byte(expr))
	for _, k := range sort {
		h.Write([]byte{0})
		h.Write([]byte(k.Field))
		if k.Desc {
			h.Write([]byte{1})
		}
	}
	return "folders-search:" + hex.EncodeToString(h.Sum(nil)[:12])
}
