package console

import (
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

// folderPageSize is the number of sub-folders listed at each level of
// the library's folder tree.
const folderPageSize = 100

// libraryQuery is what a library page shows: a listing by prefix or tag
// (Admin listings), or, with a search expression or a format, the Search
// API's answer to them and the other filters together.
type libraryQuery struct {
	RT, Type, Prefix, Tag, Format, Q, Cursor, FolderCursor string
}

func (p *page) libraryQuery() libraryQuery {
	rt, typ := p.kind()
	q := p.r.URL.Query()
	return libraryQuery{RT: rt, Type: typ, Prefix: q.Get("prefix"), Tag: q.Get("tag"), Format: q.Get("format"),
		Q: strings.TrimSpace(q.Get("q")), Cursor: q.Get("cursor"), FolderCursor: q.Get("fcursor")}
}

// values is the query's URL parameters (cursor: the assets' page).
func (lq libraryQuery) values(cursor string) url.Values {
	v := url.Values{"rt": {lq.RT}, "type": {lq.Type}}
	for k, s := range map[string]string{"prefix": lq.Prefix, "tag": lq.Tag, "format": lq.Format, "q": lq.Q, "cursor": cursor} {
		if s != "" {
			v.Set(k, s)
		}
	}
	return v
}

// searchValue quotes a value for a search expression: the quote, the
// backslash and the star escaped.
func searchValue(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `"`, `\"`, `*`, `\*`)
	return `"` + r.Replace(s) + `"`
}

// expression is the search expression of the query's filters and its
// search box (in parentheses). The prefix and the tag compare whole
// values (=): : would match words.
func (lq libraryQuery) expression() string {
	parts := []string{"resource_type:" + searchValue(lq.RT), "type:" + searchValue(lq.Type)}
	if lq.Prefix != "" {
		parts = append(parts, "public_id="+strings.TrimSuffix(searchValue(lq.Prefix), `"`)+`*"`)
	}
	if lq.Tag != "" {
		parts = append(parts, "tags="+searchValue(lq.Tag))
	}
	if lq.Format != "" {
		parts = append(parts, "format:"+searchValue(lq.Format))
	}
	if lq.Q != "" {
		parts = append(parts, "("+lq.Q+")")
	}
	return strings.Join(parts, " AND ")
}

// library lists a page of assets with the folder tree of the prefix.
func (p *page) library() {
	lq := p.libraryQuery()
	params := url.Values{"max_results": {strconv.Itoa(pageSize)}, "tags": {"true"}}
	if lq.Cursor != "" {
		params.Set("next_cursor", lq.Cursor)
	}
	var l listing
	var err error
	switch {
	case lq.Q != "" || lq.Format != "":
		params.Del("tags")
		params.Set("expression", lq.expression())
		err = p.api(http.MethodPost, "resources/search", params, &l)
		var ae *apiError
		if errors.As(err, &ae) && ae.Status == http.StatusBadRequest && lq.Q != "" {
			// The message of the search box's own text, its positions
			// counted in what the person typed.
			if e := p.api(http.MethodPost, "resources/search", url.Values{"expression": {lq.Q}, "max_results": {"1"}}, nil); e != nil {
				err = e
			}
		}
	case lq.Tag != "":
		err = p.api(http.MethodGet, "resources/"+lq.RT+"/tags/"+lq.Tag, params, &l)
	default:
		if lq.Prefix != "" {
			params.Set("prefix", lq.Prefix)
		}
		err = p.api(http.MethodGet, "resources/"+lq.RT+"/"+lq.Type, params, &l)
	}
	data := map[string]any{"Q": lq, "RT": lq.RT, "Type": lq.Type, "Prefix": lq.Prefix, "Tag": lq.Tag,
		"Crumbs": crumbs(lq.Prefix), "First": lq.Cursor != "", "Base": "/console/library?" + lq.values("").Encode()}
	status := http.StatusOK
	var ae *apiError
	switch {
	case errors.As(err, &ae) && ae.Status == http.StatusBadRequest:
		// A bad expression or filter: the API's message on the page, the
		// filters kept to correct it.
		data["Error"], status = ae.Message, http.StatusBadRequest
	case err != nil:
		p.fail(err)
		return
	}
	tree, err := p.folderTree(lq)
	if err != nil {
		p.fail(err)
		return
	}
	data["Tree"], data["Assets"] = tree, l.Resources
	if lq.Q != "" || lq.Format != "" {
		data["Searched"], data["Total"], data["MaxBulkSearch"] = true, l.TotalCount, int64(maxBulkSearch)
	}
	if l.NextCursor != "" {
		data["Next"] = "/console/library?" + lq.values(l.NextCursor).Encode()
	}
	p.renderStatus(status, "library", data)
}

// folderNode is a folder in the library's tree.
type folderNode struct {
	Name, Path string
	// Open: on the way to the prefix being browsed; Current: it.
	Open, Current bool
	Children      []*folderNode
	// More is the link to the next sub-folders of the current folder.
	More string
}

// folderTree is the folder tree from the Admin API's folders: the root
// folders, and the sub-folders of each folder on the way to the prefix
// (the current one's a page at a time, fcursor).
func (p *page) folderTree(lq libraryQuery) (*folderNode, error) {
	path := strings.Trim(lq.Prefix, "/")
	levels := []string{""}
	if path != "" {
		acc := ""
		for seg := range strings.SplitSeq(path, "/") {
			acc = strings.TrimPrefix(acc+"/"+seg, "/")
			levels = append(levels, acc)
		}
	}
	root := &folderNode{Open: true}
	node := root
	for i, level := range levels {
		last := i == len(levels)-1
		params := url.Values{"max_results": {strconv.Itoa(folderPageSize)}}
		if last && lq.FolderCursor != "" {
			params.Set("next_cursor", lq.FolderCursor)
		}
		var out struct {
			Folders []struct {
				Name string `json:"name"`
				Path string `json:"path"`
			} `json:"folders"`
			NextCursor string `json:"next_cursor"`
		}
		apiPath := "folders"
		if level != "" {
			apiPath += "/" + level
		}
		err := p.api(http.MethodGet, apiPath, params, &out)
		var ae *apiError
		if errors.As(err, &ae) && ae.Status == http.StatusNotFound {
			break // a prefix that is no folder: nothing under it
		}
		if err != nil {
			return nil, err
		}
		var next *folderNode
		for _, f := range out.Folders {
			c := &folderNode{Name: f.Name, Path: f.Path + "/"}
			if i+1 < len(levels) && f.Path == levels[i+1] {
				c.Open, next = true, c
			}
			node.Children = append(node.Children, c)
		}
		if last {
			node.Current = true
			if out.NextCursor != "" {
				v := lq.values("")
				v.Set("fcursor", out.NextCursor)
				node.More = "/console/library?" + v.Encode()
			}
		}
		if next == nil && i+1 < len(levels) {
			// On a later page of its parent's folders: shown all the same.
			seg := levels[i+1][strings.LastIndexByte(levels[i+1], '/')+1:]
			next = &folderNode{Name: seg, Path: levels[i+1] + "/", Open: true}
			node.Children = append(node.Children, next)
		}
		if next == nil {
			break
		}
		node = next
	}
	return root, nil
}
