package meta

import (
	"context"
	"strings"
	"testing"

	"github.com/mediacdn/mediacdn/origin/search"
)

// searchMetadataKinds are the kinds of the fields searchMetadataFixture
// creates, as the origin gives them to the parser.
var searchMetadataKinds = search.MetadataKinds{"title": search.TextWords, "rating": search.Number,
	"shot": search.Date, "mood": search.Text, "colors": search.Text}

// searchMetadataFixture creates a field of each type in cloud demo.
func searchMetadataFixture(t testing.TB, s Store) {
	t.Helper()
	for id, typ := range map[string]string{"title": MetadataTypeString, "rating": MetadataTypeInteger,
		"shot": MetadataTypeDate, "mood": MetadataTypeEnum, "colors": MetadataTypeSet} {
		f := MetadataField{Cloud: "demo", ExternalID: id, Type: typ, Label: id, Definition: `{}`, CreatedAt: now, UpdatedAt: now}
		if err := s.CreateMetadataField(context.Background(), &f, 10); err != nil {
			t.Fatal(err)
		}
	}
}

// TestSearchMetadata checks metadata.<external_id> terms of each type on
// both stores: strings exact and by prefix, integers and dates compared
// and in ranges, enum and set entries by external ID; combined with other
// terms, negated, paged.
func TestSearchMetadata(t *testing.T) { forEachStore(t, testSearchMetadata) }

func testSearchMetadata(t *testing.T, s Store) {
	searchMetadataFixture(t, s)
	ctx := context.Background()
	for i, f := range []struct {
		id string
		md map[string]any
	}{
		{"a", map[string]any{"title": "Big cat", "rating": int64(5), "shot": "2024-05-31", "mood": "calm", "colors": []string{"red", "green"}}},
		{"b", map[string]any{"title": "Big dog", "rating": int64(2), "shot": "2024-06-01", "mood": "wild", "colors": []string{"green"}}},
		{"c", map[string]any{"title": "cat", "rating": int64(-1), "shot": "2023-01-10", "colors": []string{"blue", "greenish"}}},
		{"d", map[string]any{"gone": "not a field"}},
		{"e", nil},
	} {
		a := asset(f.id, "b"+f.id)
		a.Metadata = f.md
		a.CreatedAt = now.AddDate(0, 0, -10+i) // newest first: e d c b a
		if i == 4 {
			a.Tags = []string{"x"}
		}
		if _, err := s.Put(ctx, a, false); err != nil {
			t.Fatal(err)
		}
	}
	// Another cloud's field of the same external ID and value.
	o := asset("o", "bo")
	o.Key.Cloud = "other"
	f := MetadataField{Cloud: "other", ExternalID: "title", Type: MetadataTypeString, Label: "t", Definition: `{}`, CreatedAt: now, UpdatedAt: now}
	if err := s.CreateMetadataField(ctx, &f, 10); err != nil {
		t.Fatal(err)
	}
	o.Metadata = map[string]any{"title": "cat"}
	if _, err := s.Put(ctx, o, false); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ expr, want string }{
		{"metadata.title:cat", "c a"},
		{"metadata.title=cat", "c"},
		{`metadata.title="Big cat"`, "a"},
		{`metadata.title:"cat big"`, "a"},
		{"metadata.title:Big*", "b a"},
		{"metadata.title=Big*", "b a"},
		{"metadata.title=big*", ""},
		{"metadata.title:(cat OR Big\\ dog)", "c b a"},
		{"metadata.title=(cat OR Big\\ dog)", "c b"},
		{"metadata.title:do*", "b"},
		{"dog", "b"},
		{"metadata.mood:cal*", "a"},
		{"calm OR red OR green", ""},
		{"metadata.rating>2", "a"},
		{"metadata.rating>=2", "b a"},
		{"metadata.rating<=2", "c b"},
		{"metadata.rating=5", "a"},
		{"metadata.rating=4.5", ""},
		{"metadata.rating:[-1 TO 2}", "c"},
		{"metadata.rating:[2 TO *]", "b a"},
		{"metadata.shot:2024-05-31", "a"},
		{"metadata.shot>2024-05-31", "b"},
		{"metadata.shot>=2024-05-31", "b a"},
		{`metadata.shot>"2024-05-31T10:00:00Z"`, "b"},
		{`metadata.shot<"2024-05-31T10:00:00Z"`, "c a"},
		{"metadata.shot<2024-05-31", "c"},
		{"metadata.shot:[2024-01-01 TO *]", "b a"},
		{"metadata.shot:{* TO 2024-06-01}", "c a"},
		{"metadata.shot>5y", "c b a"},
		{"metadata.mood:calm", "a"},
		{"metadata.colors:green", "b a"},
		{"metadata.colors:green*", "c b a"},
		{"metadata.colors:green AND metadata.colors:red", "a"},
		{"metadata.colors:green AND NOT metadata.mood:wild", "a"},
		{"NOT metadata.colors:green", "e d c"},
		{"metadata.gone:x", "unknown"},
		{"metadata.rating>0 OR tags:x", "e b a"},
		{"metadata.mood:calm AND metadata.rating>4 AND metadata.title:Big*", "a"},
	} {
		if c.want == "unknown" {
			if _, err := search.ParseWith(c.expr, now, searchMetadataKinds); err == nil {
				t.Errorf("%q parsed", c.expr)
			}
			continue
		}
		for _, limit := range []int{1, 50} {
			got, total := searchIDsWith(t, s, c.expr, searchMetadataKinds, limit)
			if strings.Join(got, " ") != c.want || int(total) != len(got) {
				t.Errorf("%q (pages of %d) = %q (total %d), want %q", c.expr, limit, got, total, c.want)
			}
		}
	}
}

// TestSearchMetadataPlans checks that metadata terms are served by the
// index of the values on 20,000 assets with values of each type, as
// TestSearchPlans does for the other forms; a string field's : and free
// text by the index of the words (asset_tokens).
func TestSearchMetadataPlans(t *testing.T) { forEachStore(t, testSearchMetadataPlans) }

func testSearchMetadataPlans(t *testing.T, s Store) {
	searchMetadataFixture(t, s)
	fillSearch(t, s, "demo", 20000)
	d := rawDB(s)
	ctx := context.Background()
	for _, q := range []string{
		`INSERT INTO ` + MetadataValuesTable + ` (asset, cloud, resource_type, field, value, ` + MetadataStringColumn + `)
		SELECT id, cloud, resource_type, 'title', 'title' || (bytes % 1000), 'title' || (bytes % 1000) FROM assets WHERE cloud = 'demo'`,
		`INSERT INTO ` + MetadataValuesTable + ` (asset, cloud, resource_type, field, value, ` + MetadataNumberColumn + `)
		SELECT id, cloud, resource_type, 'rating', CAST(bytes % 1000 AS TEXT), bytes % 1000 FROM assets WHERE cloud = 'demo'`,
		`INSERT INTO ` + MetadataValuesTable + ` (asset, cloud, resource_type, field, value, ` + MetadataDateColumn + `)
		SELECT id, cloud, resource_type, 'shot', '2024-01-' || (10 + bytes % 20), '2024-01-' || (10 + bytes % 20) FROM assets WHERE cloud = 'demo'`,
		`INSERT INTO ` + MetadataValuesTable + ` (asset, cloud, resource_type, field, value, ` + MetadataStringColumn + `)
		SELECT id, cloud, resource_type, 'colors', 'c' || (bytes % 500), 'c' || (bytes % 500) FROM assets WHERE cloud = 'demo'`,
		// the words of the titles (title<n> w<m>)
		`INSERT INTO asset_tokens (cloud, token, field, asset)
		SELECT cloud, 'title' || (bytes % 1000), 'metadata.title', id FROM assets WHERE cloud = 'demo'`,
		`INSERT INTO asset_tokens (cloud, token, field, asset)
		SELECT cloud, 'w' || (bytes % 37), 'metadata.title', id FROM assets WHERE cloud = 'demo'`,
		// a string field few assets have a value of, and its words
		`INSERT INTO ` + MetadataValuesTable + ` (asset, cloud, resource_type, field, value, ` + MetadataStringColumn + `)
		SELECT id, cloud, resource_type, 'note', 'note', 'note' FROM assets WHERE cloud = 'demo' AND bytes % 100 = 0`,
		`INSERT INTO asset_tokens (cloud, token, field, asset)
		SELECT cloud, 'note', 'metadata.note', id FROM assets WHERE cloud = 'demo' AND bytes % 100 = 0`,
	} {
		if _, err := d.w.ExecContext(ctx, q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	analyze := `ANALYZE`
	if _, err := d.w.ExecContext(ctx, analyze); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		expr string
		sort []SortKey
	}{
		{"metadata.title=title5", nil},
		{"metadata.title=title5", []SortKey{{"public_id", false}}},
		{"metadata.title=title5 AND format:png", nil},
		{"metadata.title:title5", nil},
		{"metadata.title:title5", []SortKey{{"public_id", false}}},
		{"metadata.title:title5 AND format:png", nil},
		{`metadata.title:"title5 w3"`, nil},
		{"metadata.title:titl*", []SortKey{{"created_at", false}}},
		{"format:png AND metadata.title:w3", nil},
		{"title5 AND metadata.rating>990", nil},
		{"format:png AND metadata.colors:c7", nil},
		{"metadata.rating=7", nil},
		{"metadata.rating:[7 TO 9]", []SortKey{{"created_at", false}}},
		{"metadata.shot:2024-01-12", nil},
		{"tags:tag5 AND metadata.rating>990", nil},
		{"metadata.rating>5 AND tags:tag5", nil},
		{"metadata.mood:calm AND metadata.rating<3", nil},
		{"metadata.title=title5*", nil},
	} {
		n, err := search.ParseWith(c.expr, now, searchMetadataKinds)
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
		for _, stmt := range []struct {
			sql  string
			args []any
		}{{page, pargs}, {`SELECT count(*) FROM ` + from, args}} {
			plan := explain(t, ctx, d, stmt.sql, stmt.args)
			if full := fullScan(plan, d.d.postgres, true); full != "" {
				t.Errorf("%q sorted by %v: %s\n%s\nplan:\n%s", c.expr, c.sort, full, stmt.sql, plan)
			}
			index := "asset_metadata"
			if strings.Contains(c.expr, "metadata.title:") || strings.HasPrefix(c.expr, "title5 ") {
				// the words of a string field: asset_tokens (PostgreSQL),
				// its primary key (SQLite's plan names the alias of a
				// table WITHOUT ROWID)
				index = "asset_tokens"
				if !d.d.postgres {
					index = "PRIMARY KEY (cloud=? AND token"
				}
			}
			if !strings.Contains(plan, index) {
				t.Errorf("%q: the plan reads no %s:\n%s", c.expr, index, plan)
			}
		}
	}
	// A field's deletion finds the rows of its words through the assets
	// that have a value (deleteMetadataTokens): a few of them here.
	del := `DELETE FROM asset_tokens WHERE field = ? AND asset IN
		(SELECT m.asset FROM ` + MetadataValuesTable + ` m WHERE m.cloud = ? AND m.field = ?)`
	plan := explain(t, ctx, d, del, []any{"metadata.note", "demo", "note"})
	if full := fullScan(plan, d.d.postgres, true); full != "" {
		t.Errorf("a field's deletion: %s\nplan:\n%s", full, plan)
	}

}
