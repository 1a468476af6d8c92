package console

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

// Bulk deletion of every asset matching the library's search: the Search
// API's pages of searchChunkSize public IDs, each deleted by an Admin
// delete with public_ids (at most 100 a call), the search's cursor
// carrying on from where the last page ended (so that deleting only
// derived images, which leaves the assets matching, moves on). Bounded:
// a search matching more than maxBulkSearch assets is refused.

// searchChunkSize is the assets of one chunk: the Admin delete's most
// public_ids a call.
const searchChunkSize = 100

// maxBulkSearch is the most assets a bulk deletion by search takes.
const maxBulkSearch = 10000

// bulkExpression is the search expression of a bulk form's library
// filters (rt, type, prefix, tag, format and the search box), as the
// library searched them; a search box or a format is required.
func (p *page) bulkExpression() (string, bool) {
	rt, typ := p.kind()
	f := p.r.PostForm
	lq := libraryQuery{RT: rt, Type: typ, Prefix: f.Get("prefix"), Tag: f.Get("tag"), Format: f.Get("format"),
		Q: strings.TrimSpace(f.Get("q"))}
	if lq.Q == "" && lq.Format == "" {
		p.h.fail(p.w, p.r, p.s, http.StatusBadRequest, "Missing search - type an expression or a format in the library first")
		return "", false
	}
	return lq.expression(), true
}

// searchChunk deletes one Search API page of the expression's matches
// (from next_cursor), or only their derived images (keep_original).
func (p *page) searchChunk(params url.Values) (chunk, error) {
	search := url.Values{"expression": {params.Get("expression")}, "max_results": {strconv.Itoa(searchChunkSize)}}
	if c := params.Get("next_cursor"); c != "" {
		search.Set("next_cursor", c)
	}
	var page listing
	if err := p.api(http.MethodPost, "resources/search", search, &page); err != nil {
		return chunk{}, err
	}
	if page.TotalCount > maxBulkSearch {
		return chunk{}, &apiError{Status: http.StatusBadRequest, Message: fmt.Sprintf(
			"%d assets match the search - a bulk deletion takes at most %d: narrow the search", page.TotalCount, maxBulkSearch)}
	}
	c := chunk{Partial: page.NextCursor != "", NextCursor: page.NextCursor}
	if len(page.Resources) == 0 {
		return c, nil
	}
	del := url.Values{"invalidate": {"true"}}
	if params.Get("keep_original") == "true" {
		del.Set("keep_original", "true")
	}
	for _, a := range page.Resources {
		del.Add("public_ids[]", a.PublicID)
	}
	rt, typ := p.kind()
	var out deleteResult
	if err := p.api(http.MethodDelete, "resources/"+rt+"/"+typ, del, &out); err != nil {
		return chunk{}, err
	}
	c.Invalidation = out.Invalidation
	for _, st := range out.Deleted {
		if st == "deleted" {
			c.Deleted++
		}
	}
	return c, nil
}
