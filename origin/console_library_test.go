package origin_test

import (
	"html/template"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/mediacdn/mediacdn/origin/meta"
)

// The library's folder tree comes from the Admin API's folders: the root
// folders, and the sub-folders of each folder on the way to the prefix,
// the current one's a page at a time.
func TestConsoleLibraryFolderTree(t *testing.T) {
	o := startOrigin(t, nil)
	for _, f := range []string{"shelf/books/old", "shelf/cds", "attic", "zzz/empty"} {
		if a := adminDo(t, o, http.MethodPost, "folders/"+f, "", ""); a.status != http.StatusOK {
			t.Fatalf("create %s: %d %s", f, a.status, a.body)
		}
	}
	for i := range 105 {
		if a := adminDo(t, o, http.MethodPost, "folders/many/f"+strings.Repeat("0", 3-len(itoa(i)))+itoa(i), "", ""); a.status != http.StatusOK {
			t.Fatalf("create many: %d %s", a.status, a.body)
		}
	}
	c := newConsoleClient(t, o)
	c.mustSignIn()
	root := c.do(http.MethodGet, "/console/library?rt=raw", nil)
	for _, want := range []string{`prefix=attic%2f">attic</a>`, `prefix=shelf%2f">shelf</a>`, `prefix=zzz%2f">zzz</a>`} {
		if !strings.Contains(root.body, want) {
			t.Errorf("root: no %s in %s", want, root.body)
		}
	}
	if strings.Contains(root.body, `>books<`) {
		t.Errorf("root shows a sub-folder of a closed folder")
	}
	deep := c.do(http.MethodGet, "/console/library?rt=raw&prefix=shelf%2fbooks%2f", nil)
	for _, want := range []string{`prefix=attic%2f">attic</a>`, `prefix=shelf%2fbooks%2f" aria-current="page">books</a>`,
		`prefix=shelf%2fbooks%2fold%2f">old</a>`, `prefix=shelf%2fcds%2f">cds</a>`} {
		if !strings.Contains(deep.body, want) {
			t.Errorf("shelf/books/: no %s in %s", want, deep.body)
		}
	}
	many := c.do(http.MethodGet, "/console/library?rt=raw&prefix=many%2f", nil)
	if !strings.Contains(many.body, `>f099</a>`) || strings.Contains(many.body, `>f100</a>`) || !strings.Contains(many.body, "More folders") {
		t.Fatalf("many/: first page of sub-folders and a link to more: %s", many.body)
	}
	more := strings.ReplaceAll(between(many.body, `<li><a href="`, `" class="more">`), "&amp;", "&")
	next := c.do(http.MethodGet, more, nil)
	if !strings.Contains(next.body, `>f104</a>`) || strings.Contains(next.body, `>f000</a>`) {
		t.Fatalf("many/ next folders: %s", next.body)
	}
}

// The search box goes through the Search API, with the prefix, type and
// format filters; a bad expression shows the API's positioned message.
func TestConsoleLibrarySearch(t *testing.T) {
	o := startOrigin(t, nil)
	seedAssets(t, o, "shelf/", 4, func(i int, a *meta.Asset) {
		a.Format = []string{"txt", "csv"}[i%2]
		a.Tags = []string{"even", "odd"}[i%2 : i%2+1]
	})
	seedAssets(t, o, "attic/", 2, func(i int, a *meta.Asset) { a.Format = "csv" })
	c := newConsoleClient(t, o)
	c.mustSignIn()
	get := func(q url.Values) consoleAnswer {
		q.Set("rt", "raw")
		return c.do(http.MethodGet, "/console/library?"+q.Encode(), nil)
	}
	has := func(a consoleAnswer, want ...string) {
		t.Helper()
		var got []string
		for _, id := range []string{"shelf/00000", "shelf/00001", "shelf/00002", "shelf/00003", "attic/00000", "attic/00001"} {
			if strings.Contains(a.body, `name="public_ids" value="`+id+`"`) {
				got = append(got, id)
			}
		}
		if a.status != http.StatusOK || strings.Join(got, " ") != strings.Join(want, " ") {
			t.Fatalf("got %d %v, want %v: %s", a.status, got, want, a.body)
		}
	}
	has(get(url.Values{"q": {"tags:odd"}}), "shelf/00001", "shelf/00003")
	has(get(url.Values{"format": {"csv"}}), "shelf/00001", "shelf/00003", "attic/00000", "attic/00001")
	has(get(url.Values{"format": {"csv"}, "prefix": {"attic/"}}), "attic/00000", "attic/00001")
	has(get(url.Values{"format": {"csv"}, "prefix": {"0000"}})) // the public ID's start, not a word's
	has(get(url.Values{"q": {"public_id:shelf/00002 OR public_id:attic/00001"}, "format": {"txt"}}), "shelf/00002")
	bad := get(url.Values{"q": {"tags:odd AND (format:csv"}, "format": {"csv"}})
	if bad.status != http.StatusBadRequest || !strings.Contains(bad.body, `id="search-error">`) {
		t.Fatalf("bad expression: %d %s", bad.status, bad.body)
	}
	want := adminDo(t, o, http.MethodPost, "resources/search", "application/x-www-form-urlencoded",
		url.Values{"expression": {"tags:odd AND (format:csv"}}.Encode()).errorMessage()
	if want == "" || !strings.Contains(bad.body, `id="search-error">`+htmlEscape(want)+`</p>`) {
		t.Fatalf("bad expression: want the API's message %q: %s", want, bad.body)
	}
	if !strings.Contains(bad.body, `value="tags:odd AND (format:csv"`) {
		t.Fatalf("the expression is not kept to correct it: %s", bad.body)
	}
}

// between is the text of s between the first from and the next to.
func between(s, from, to string) string {
	_, rest, ok := strings.Cut(s, from)
	if !ok {
		return ""
	}
	v, _, _ := strings.Cut(rest, to)
	return v
}

// htmlEscape is s as html/template writes it in text.
func htmlEscape(s string) string { return template.HTMLEscapeString(s) }
