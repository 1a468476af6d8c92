package meta

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/mediacdn/mediacdn/delivery"
	"github.com/mediacdn/mediacdn/origin/search"
)

// searchFixture stores a few assets of several kinds, created a day apart.
func searchFixture(t *testing.T, s Store) {
	t.Helper()
	ctx := context.Background()
	for i, f := range []struct {
		id     string
		rt     delivery.ResourceType
		typ    delivery.DeliveryType
		format string
		bytes  int64
		w, h   int
		tags   []string
		ctx    map[string]string
		folder string
	}{
		{"shoes/red", delivery.Image, delivery.Upload, "jpg", 2000, 1600, 900, []string{"shirt", "sale"}, map[string]string{"color": "red"}, "shop"},
		{"shoes/blue", delivery.Image, delivery.Upload, "png", 500, 100, 100, []string{"shirt"}, map[string]string{"color": "blue"}, "shop"},
		{"shoes/deep/green", delivery.Image, delivery.Private, "png", 3 << 20, 300, 200, []string{"pants"}, nil, "shop/deep"},
		{"hat", delivery.Image, delivery.Upload, "gif", 10, 10, 20, nil, nil, ""},
		{"clip", delivery.Video, delivery.Upload, "mp4", 5000, 640, 360, []string{"shirt"}, nil, ""},
		{"notes.txt", delivery.Raw, delivery.Upload, "", 7, 0, 0, []string{"doc"}, nil, ""},
	} {
		a := asset(f.id, "b"+f.id)
		a.ResourceType, a.Type, a.Format, a.Bytes, a.Width, a.Height = f.rt, f.typ, f.format, f.bytes, f.w, f.h
		a.Tags, a.Context, a.AssetFolder = f.tags, f.ctx, f.folder
		a.CreatedAt = now.AddDate(0, 0, -10+i)
		a.UpdatedAt = a.CreatedAt
		if _, err := s.Put(ctx, a, false); err != nil {
			t.Fatal(err)
		}
	}
}

// searchIDs runs a search and lists the public IDs found, page by page.
func searchIDs(t *testing.T, s Store, expr string, limit int, sort ...SortKey) ([]string, int64) {
	t.Helper()
	return searchIDsWith(t, s, expr, nil, limit, sort...)
}

// searchIDsWith is searchIDs in a cloud with the metadata fields md.
func searchIDsWith(t *testing.T, s Store, expr string, md search.MetadataKinds, limit int, sort ...SortKey) ([]string, int64) {
	t.Helper()
	n, err := search.ParseWith(expr, now, md)
	if err != nil {
		t.Fatalf("%s: %v", expr, err)
	}
	q := SearchQuery{Cloud: "demo", Expr: n, Sort: sort, Limit: limit, Count: true}
	var ids []string
	var total int64 = -1
	for pages := 0; ; pages++ {
		page, err := s.Search(context.Background(), q)
		if err != nil {
			t.Fatalf("%s: %v", expr, err)
		}
		if total >= 0 && page.Total != total {
			t.Fatalf("%s: total %d then %d", expr, total, page.Total)
		}
		total = page.Total
		for _, a := range page.Assets {
			ids = append(ids, a.PublicID)
		}
		if page.Next == nil || pages > 20 {
			return ids, total
		}
		q.After = page.Next
	}
}

// TestSearch checks each field's comparisons, the boolean operators, the
// orders and the paging on both stores.
func TestSearch(t *testing.T) { forEachStore(t, testSearch) }

func testSearch(t *testing.T, s Store) {
	searchFixture(t, s)
	// newest first by default: notes.txt, clip, hat, shoes/deep/green, shoes/blue, shoes/red
	for _, c := range []struct{ expr, want string }{
		{"", "notes.txt clip hat shoes/deep/green shoes/blue shoes/red"},
		{"tags:shirt", "clip shoes/blue shoes/red"},
		{"tags=shirt AND format:png", "shoes/blue"},
		{"tags:shirt -tags:sale", "clip shoes/blue"},
		{"tags:sh*", "clip shoes/blue shoes/red"},
		{"tags:(pants OR doc)", "notes.txt shoes/deep/green"},
		{"context.color:red", "shoes/red"},
		{"format:png OR format:gif", "hat shoes/deep/green shoes/blue"},
		{"resource_type:video", "clip"},
		{"type:private", "shoes/deep/green"},
		{"public_id:shoes/*", "shoes/deep/green shoes/blue shoes/red"},
		{"public_id=hat", "hat"},
		{"folder:shoes", "shoes/blue shoes/red"},
		{"folder:shoes/*", "shoes/deep/green shoes/blue shoes/red"},
		{"folder:sh*", "shoes/deep/green shoes/blue shoes/red"},
		{`folder=""`, "notes.txt clip hat"},
		{"asset_folder:shop", "shoes/blue shoes/red"},
		{"asset_folder:shop*", "shoes/deep/green shoes/blue shoes/red"},
		{"filename:green", "shoes/deep/green"},
		{"filename:hat", "hat"},
		{"bytes>1mb", "shoes/deep/green"},
		{"bytes:[500 TO 2000]", "shoes/blue shoes/red"},
		{"bytes:{500 TO 2000]", "shoes/red"},
		{"bytes<10.5", "notes.txt hat"},
		{"bytes>=5000", "clip shoes/deep/green"},
		{"width>=300 AND height<=360", "clip shoes/deep/green"},
		{"pixels>100000", "clip shoes/red"},
		{`aspect_ratio="16:9"`, "clip shoes/red"},
		{"aspect_ratio<1", "hat"},
		{"pages=1", "notes.txt clip hat shoes/deep/green shoes/blue shoes/red"},
		{"duration>0", ""},
		{"status:active AND type:upload AND resource_type:image", "hat shoes/blue shoes/red"},
		{"access_mode:public AND NOT type:upload", "shoes/deep/green"},
		{"created_at>7d", "notes.txt clip"},
		{"created_at:[8d TO 7d]", "hat shoes/deep/green"},
		{"created_at<" + now.AddDate(0, 0, -8).Format(time.DateOnly), "shoes/blue shoes/red"},
		{"created_at:" + now.AddDate(0, 0, -9).Format(time.DateOnly), "shoes/blue"},
		{"uploaded_at>6d", "notes.txt"},
		{"moderation_status:pending", ""},
		// Words (search_tokens.go): : matches a word of public_id,
		// filename, tags, context; a term without a field any of them.
		{"shoes", "shoes/deep/green shoes/blue shoes/red"},
		{"red", "shoes/red"},
		{"SHIRT", "clip shoes/blue shoes/red"},
		{"sh*", "clip shoes/deep/green shoes/blue shoes/red"},
		{"notes AND tags:doc", "notes.txt"},
		{"txt", "notes.txt"},
		{"-shoes", "notes.txt clip hat"},
		{"blue OR hat", "hat shoes/blue"},
		{`"deep green"`, "shoes/deep/green"},
		{`"green deep"`, "shoes/deep/green"},
		{`"red shirt"`, ""}, // one field holds every word: red is a context value's, shirt a tag's
		{"cat AND tags:shirt", ""},
		{"public_id:deep", "shoes/deep/green"},
		{"public_id=deep", ""},
		{"public_id:Gre*", "shoes/deep/green"},
		{"filename:gr*", "shoes/deep/green"},
		{"filename:deep", ""},
		{"filename:notes", "notes.txt"},
		{"context.color:RED", "shoes/red"},
		{"context.color=RED", ""},
		{"tags:(sale OR pants)", "shoes/deep/green shoes/red"},
		{"shop", ""}, // asset_folder has no words
	} {
		for _, limit := range []int{1, 2, 50} {
			got, total := searchIDs(t, s, c.expr, limit)
			if strings.Join(got, " ") != c.want || int(total) != len(got) {
				t.Errorf("%q (pages of %d) = %q (total %d), want %q", c.expr, limit, got, total, c.want)
			}
		}
	}
	for _, c := range []struct {
		sort []SortKey
		want string
	}{
		{[]SortKey{{"public_id", false}}, "clip hat notes.txt shoes/blue shoes/deep/green shoes/red"},
		{[]SortKey{{"public_id", true}}, "shoes/red shoes/deep/green shoes/blue notes.txt hat clip"},
		{[]SortKey{{"created_at", false}}, "shoes/red shoes/blue shoes/deep/green hat clip notes.txt"},
		{[]SortKey{{"bytes", true}}, "shoes/deep/green clip shoes/red shoes/blue hat notes.txt"},
		{[]SortKey{{"format", false}, {"bytes", true}}, "notes.txt hat shoes/red clip shoes/deep/green shoes/blue"},
		{[]SortKey{{"resource_type", true}, {"public_id", false}}, "clip notes.txt hat shoes/blue shoes/deep/green shoes/red"},
		{[]SortKey{{"type", false}, {"created_at", true}}, "shoes/deep/green notes.txt clip hat shoes/blue shoes/red"},
		{[]SortKey{{"pixels", false}, {"uploaded_at", true}}, "notes.txt hat shoes/blue shoes/deep/green clip shoes/red"},
	} {
		for _, limit := range []int{1, 4, 50} {
			got, _ := searchIDs(t, s, "", limit, c.sort...)
			if strings.Join(got, " ") != c.want {
				t.Errorf("sort %v (pages of %d) = %q, want %q", c.sort, limit, got, c.want)
			}
		}
	}
	ctx := context.Background()
	page, err := s.Search(ctx, SearchQuery{Cloud: "demo", Limit: 1, Aggregate: []string{"format", "resource_type", "type"}})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]map[string]int64{
		"format":        {"jpg": 1, "png": 2, "gif": 1, "mp4": 1, "": 1},
		"resource_type": {"image": 4, "video": 1, "raw": 1},
		"type":          {"upload": 5, "private": 1},
	}
	if fmt.Sprint(page.Aggregations) != fmt.Sprint(want) {
		t.Errorf("aggregations %v, want %v", page.Aggregations, want)
	}
	// Another cloud sees nothing; a position that does not fit is refused.
	if page, err := s.Search(ctx, SearchQuery{Cloud: "other", Limit: 5, Count: true}); err != nil || len(page.Assets) != 0 || page.Total != 0 {
		t.Errorf("other cloud: %v %v", page, err)
	}
	for _, after := range [][]string{{"1"}, {"x", "1"}, {"1", "y"}} {
		if _, err := s.Search(ctx, SearchQuery{Cloud: "demo", Limit: 5, After: after}); !errors.Is(err, ErrBadPosition) {
			t.Errorf("after %q: %v", after, err)
		}
	}
	n, _ := search.Parse("filename=gr*", now)
	var se *search.Error
	if _, err := s.Search(ctx, SearchQuery{Cloud: "demo", Limit: 5, Expr: n}); !errors.As(err, &se) || se.Pos != 0 {
		t.Errorf("filename prefix: %v", err)
	}
}

// TestSearchPlans checks that the common forms of search are served by
// indexes on 20,000 assets: neither EXPLAIN QUERY PLAN (SQLite) nor
// EXPLAIN (PostgreSQL, after ANALYZE) reads a whole table, nor walks every
// asset of the cloud when the expression narrows them.
func TestSearchPlans(t *testing.T) { forEachStore(t, testSearchPlans) }

func testSearchPlans(t *testing.T, s Store) {
	searchFixture(t, s)
	fillSearch(t, s, "demo", 20000)
	d := rawDB(s)
	ctx := context.Background()
	// The filler assets are created a second apart from now on.
	window := fmt.Sprintf(`created_at:["%s" TO "%s"]`, now.Add(1000*time.Second).Format(time.RFC3339),
		now.Add(1500*time.Second).Format(time.RFC3339))
	uploaded := fmt.Sprintf(`uploaded_at>"%s"`, now.Add(19000*time.Second).Format(time.RFC3339))
	for _, c := range []struct {
		expr string
		sort []SortKey
		// broad: the expression matches a large share of the assets,
		// which counting reads (the planner chooses how).
		broad bool
	}{
		{"", nil, true},
		{"", []SortKey{{"public_id", true}}, true},
		{"tags:shirt", nil, false},
		{"tags:tag5 AND format:png", nil, false},
		{"tags:tag5 AND format:png", []SortKey{{"public_id", false}}, false},
		{"tags:tag5 AND format:png", []SortKey{{"created_at", false}}, false},
		{"format:jpg", nil, true},
		{"format:jpg", []SortKey{{"created_at", false}}, true},
		{"folder:shoes/*", nil, false},
		{"folder:shoes", nil, false},
		{"public_id:shoes/r*", []SortKey{{"public_id", false}}, false},
		{"public_id:bench/12*", nil, false},
		{window, []SortKey{{"created_at", true}}, false},
		{window, nil, false},
		{uploaded, []SortKey{{"uploaded_at", true}}, false},
		{"context.color:red", nil, false},
		{"context.k:v5", nil, false},
		{"asset_folder:shop", nil, false},
		// words (search_tokens.go): free text, : on fields that have
		// words, word prefixes, several words, with other terms.
		{"tag5", nil, false},
		{"tag5 AND format:png", nil, false},
		{"tag5 AND format:png", []SortKey{{"public_id", false}}, false},
		{"cat AND tags:kitten", nil, false},
		{"public_id:1234", nil, false},
		{"public_id:bench", nil, true},
		{"filename:123*", nil, false},
		{"tags:tag12*", nil, false},
		{"red*", nil, false},
		{`"bench 42"`, nil, false},
		{`public_id:"bench 42"`, nil, false},
		{"context.k:V5 AND NOT tag1005", nil, false},
		{"format:png AND tags:tag5", nil, false},
		{"display_name:shoes", nil, false},
	} {
		n, err := search.Parse(c.expr, now)
		if err != nil {
			t.Fatal(err)
		}
		q := SearchQuery{Cloud: "demo", Expr: n, Sort: c.sort, Limit: 100}
		from, args, err := searchFrom(q, d.d)
		if err != nil {
			t.Fatal(err)
		}
		page, pargs, err := searchPageSQL(q, from, args)
		if err != nil {
			t.Fatal(err)
		}
		q.After = []string{"1", "1"}
		if len(c.sort) == 1 && !sortColumns[c.sort[0].Field].integer {
			q.After = []string{"x", "1"}
		}
		later, largs, err := searchPageSQL(q, from, args)
		if err != nil {
			t.Fatal(err)
		}
		stmts := []struct {
			sql  string
			args []any
		}{{page, pargs}, {later, largs}}
		if !c.broad {
			stmts = append(stmts, struct {
				sql  string
				args []any
			}{`SELECT count(*) FROM ` + from, args})
		}
		for _, stmt := range stmts {
			plan := explain(t, ctx, d, stmt.sql, stmt.args)
			if full := fullScan(plan, d.d.postgres, c.expr != ""); full != "" {
				t.Errorf("%q sorted by %v: %s\n%s\nplan:\n%s", c.expr, c.sort, full, stmt.sql, plan)
			}
		}
	}
}

// explain returns the plan of a query.
func explain(t testing.TB, ctx context.Context, d *db, query string, args []any) string {
	t.Helper()
	tx, err := d.r.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	prefix := `EXPLAIN QUERY PLAN `
	if d.d.postgres {
		prefix = `EXPLAIN `
	}
	rows, err := tx.QueryContext(ctx, d.d.bind(prefix+query), args...)
	if err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	defer rows.Close()
	cols, _ := rows.Columns()
	var lines []string
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		lines = append(lines, fmt.Sprint(vals[len(vals)-1]))
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return strings.Join(lines, "\n")
}

// fullScan names the line of a plan that reads a whole table of assets,
// tags, context or words, or (narrowed) every asset of the cloud: "" when none
// does.
func fullScan(plan string, postgres, narrowed bool) string {
	for _, line := range strings.Split(plan, "\n") {
		l := strings.TrimSpace(line)
		switch {
		case postgres && strings.Contains(l, "Seq Scan on asset"):
			return l
		case postgres:
		case l == "SCAN d0":
			// the rows of a subquery leading the search (its own lines
			// say how it reads them)
		case strings.HasPrefix(l, "SCAN "):
			return l
		case narrowed && strings.HasPrefix(l, "SEARCH a ") && strings.HasSuffix(l, "(cloud=?)"):
			return l
		}
	}
	return ""
}

// explainTB is explain with a background context.
func explainTB(tb testing.TB, d *db, query string, args []any) string {
	return explain(tb, context.Background(), d, query, args)
}
