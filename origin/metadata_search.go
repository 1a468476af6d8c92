package origin

import (
	"strings"
	"unicode/utf8"

	"github.com/mediacdn/mediacdn/origin/api"
)

// The Admin API's metadata_fields/datasource/search (docs/metadata.md):
// the active entries of every enum and set field whose value holds a term.
// It reads the cloud's fields (at most maxMetadataFields, each with at
// most maxDatasourceEntries entries) and scans their entries: at most
// 300,000 comparisons a call, no index.

// Bounds of a datasource search.
const (
	maxDatasourceResults = 100                    // max_results' bound and default
	maxDatasourceTerm    = maxMetadataLabelLength // an entry's value is no longer
)

// datasourceMatch is one entry found.
type datasourceMatch struct {
	FieldID string `json:"field_id"`
	ID      string `json:"id"`
	Value   string `json:"value"`
}

// searchDatasources serves POST metadata_fields/datasource/search: term
// (required), a case-insensitive substring of the value, and max_results
// (1 to 100, 100 by default). It answers a list of the active entries
// found, in the fields' order and each datasource's.
func (c *call) searchDatasources(p *api.Params) {
	term := p.Get("term")
	switch {
	case term == "":
		c.fail(api.BadRequest("Missing required parameter - term"))
		return
	case utf8.RuneCountInString(term) > maxDatasourceTerm:
		c.fail(api.BadRequest("Invalid term - longer than %d characters", maxDatasourceTerm))
		return
	}
	limit, err := maxResults(p, maxDatasourceResults, maxDatasourceResults)
	if err != nil {
		c.fail(err)
		return
	}
	s, err := c.metadataSchema()
	if err != nil {
		c.fail(err)
		return
	}
	c.ok(s.searchDatasources(term, limit))
}

// searchDatasources finds up to limit active entries whose value holds
// term, ignoring case.
func (s *mdSchema) searchDatasources(term string, limit int) []datasourceMatch {
	out := []datasourceMatch{}
	lower := strings.ToLower(term)
	for _, f := range s.fields {
		if !isListType(f.Type) || f.Datasource == nil {
			continue
		}
		for _, e := range f.Datasource.Values {
			if e.State != "active" || !strings.Contains(strings.ToLower(e.Value), lower) {
				continue
			}
			if len(out) == limit {
				return out
			}
			out = append(out, datasourceMatch{FieldID: f.ExternalID, ID: e.ExternalID, Value: e.Value})
		}
	}
	return out
}
