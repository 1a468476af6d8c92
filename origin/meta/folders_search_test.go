package meta

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/mediacdn/mediacdn/origin/search"
)

// TestSearchFolders checks the Search Folders API's fields, orders and
// paging on both stores; names follow a rename and are filled from the
// paths by the migration that added them.
func TestSearchFolders(t *testing.T) { forEachStore(t, testSearchFolders) }

func testSearchFolders(t *testing.T, s Store) {
	ctx := context.Background()
	// Made a minute apart, newest last: shop, shop/shoes, shop/shoes/red,
	// shop/hats, archive/shoes, other cloud's shop.
	for i, p := range []string{"shop/shoes/red", "shop/hats", "archive/shoes"} {
		if _, _, err := s.CreateFolder(ctx, "demo", p, now.Add(time.Duration(i)*time.Minute)); err != nil {
			t.Fatal(err)
		}
	}
	if _, _, err := s.CreateFolder(ctx, "other", "shop", now); err != nil {
		t.Fatal(err)
	}
	red, err := s.Folder(ctx, "demo", "shop/shoes/red")
	if err != nil {
		t.Fatal(err)
	}
	find := func(expr string, limit int, sort ...SortKey) string {
		t.Helper()
		n, err := search.ParseFolders(expr, now.Add(time.Hour))
		if err != nil {
			t.Fatalf("%s: %v", expr, err)
		}
		q := FolderSearchQuery{Cloud: "demo", Expr: n, Sort: sort, Limit: limit, Count: true}
		var out []string
		var total int64 = -1
		for pages := 0; pages < 20; pages++ {
			page, err := s.SearchFolders(ctx, q)
			if err != nil {
				t.Fatalf("%s: %v", expr, err)
			}
			for _, f := range page.Folders {
				out = append(out, f.Path)
			}
			if total < 0 {
				total = page.Total
			}
			if page.Next == nil {
				break
			}
			q.After, q.Count = page.Next, false
		}
		if int(total) != len(out) {
			t.Errorf("%s: total %d for %d", expr, total, len(out))
		}
		return strings.Join(out, " ")
	}
	asc := SortKey{Field: "path"}
	for _, c := range []struct {
		expr string
		sort []SortKey
		want string
	}{
		{"", nil, "archive/shoes archive shop/hats shop/shoes/red shop/shoes shop"},
		{"", []SortKey{asc}, "archive archive/shoes shop shop/hats shop/shoes shop/shoes/red"},
		{"name:shoes", []SortKey{asc}, "archive/shoes shop/shoes"},
		{"name:sh*", []SortKey{asc}, "archive/shoes shop shop/shoes"},
		{"path:shop/*", []SortKey{asc}, "shop/hats shop/shoes shop/shoes/red"},
		{"path=shop/shoes", nil, "shop/shoes"},
		{"path:/shop/", nil, "shop"},
		{"external_id:" + red.ExternalID, nil, "shop/shoes/red"},
		{"id:" + red.ExternalID + " OR name:hats", nil, "shop/hats shop/shoes/red"},
		{"NOT path:shop* AND name:shoes", nil, "archive/shoes"},
		{fmt.Sprintf(`created_at>"%s"`, now.Add(30*time.Second).Format(time.RFC3339)), nil, "archive/shoes archive shop/hats"},
		{fmt.Sprintf(`created_at:["%s" TO "%s"}`, now.Format(time.RFC3339), now.Add(time.Minute).Format(time.RFC3339)), []SortKey{asc}, "shop shop/shoes shop/shoes/red"},
		{"", []SortKey{{Field: "name"}, {Field: "created_at", Desc: true}}, "archive shop/hats shop/shoes/red archive/shoes shop/shoes shop"},
		{"", []SortKey{{Field: "name", Desc: true}, {Field: "path"}}, "shop archive/shoes shop/shoes shop/shoes/red shop/hats archive"},
	} {
		for _, limit := range []int{1, 2, 50} {
			if got := find(c.expr, limit, c.sort...); got != c.want {
				t.Errorf("%q sorted by %v (pages of %d) = %q, want %q", c.expr, c.sort, limit, got, c.want)
			}
		}
	}
	if _, err := s.SearchFolders(ctx, FolderSearchQuery{Cloud: "demo", Limit: 1, After: []string{"x", "y"}}); !errors.Is(err, ErrBadPosition) {
		t.Errorf("a position that does not fit: %v", err)
	}
	// A rename renames the folder, its sub-folders keep their names.
	if err := s.MoveFolder(ctx, "demo", "shop/shoes", "shop/boots", now); err != nil {
		t.Fatal(err)
	}
	if got := find("name:boots OR name:red", 50, asc); got != "shop/boots shop/boots/red" {
		t.Errorf("after a rename: %q", got)
	}
	// The migration's fill, on names cleared.
	d := rawDB(s)
	if _, err := d.w.ExecContext(ctx, `UPDATE folders SET name = ''`); err != nil {
		t.Fatal(err)
	}
	if _, err := d.w.ExecContext(ctx, folderNamesFill); err != nil {
		t.Fatal(err)
	}
	if got := find("name:boots OR name:red OR name:archive", 50, asc); got != "archive shop/boots shop/boots/red" {
		t.Errorf("names filled from the paths: %q", got)
	}
}

// TestSearchFoldersPlans checks that the Search Folders API's forms are
// served by indexes on 20,000 folders.
func TestSearchFoldersPlans(t *testing.T) { forEachStore(t, testSearchFoldersPlans) }

func testSearchFoldersPlans(t *testing.T, s Store) {
	ctx := context.Background()
	d := rawDB(s)
	fill := `WITH RECURSIVE seq(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM seq WHERE i < 20000)
		INSERT INTO folders (cloud, path, parent, name, external_id, created_at)
		SELECT 'demo', 'f' || (i % 100) || '/n' || i, 'f' || (i % 100), 'n' || i, 'x' || i, ? + CAST(i AS BIGINT) * 1000000000 FROM seq`
	if _, err := d.w.ExecContext(ctx, d.d.bind(fill), now.UnixNano()); err != nil {
		t.Fatal(err)
	}
	if _, err := d.w.ExecContext(ctx, `ANALYZE`); err != nil {
		t.Fatal(err)
	}
	window := fmt.Sprintf(`created_at:["%s" TO "%s"]`, now.Add(1000*time.Second).Format(time.RFC3339),
		now.Add(1500*time.Second).Format(time.RFC3339))
	for _, c := range []struct {
		expr string
		sort []SortKey
	}{
		{"name:n5", nil},
		{"name:n5*", []SortKey{{Field: "name"}}},
		{"path:f7/*", []SortKey{{Field: "path"}}},
		{"path=f7/n7", nil},
		{"external_id:x77", nil},
		{window, nil},
	} {
		n, err := search.ParseFolders(c.expr, now)
		if err != nil {
			t.Fatal(err)
		}
		q := FolderSearchQuery{Cloud: "demo", Expr: n, Sort: c.sort, Limit: 100}
		where, args, err := folderSearchWhere(q, d.d)
		if err != nil {
			t.Fatal(err)
		}
		page, pargs, err := folderSearchPageSQL(q, where, args)
		if err != nil {
			t.Fatal(err)
		}
		for _, stmt := range []struct {
			sql  string
			args []any
		}{{page, pargs}, {`SELECT count(*) FROM folders f WHERE ` + where, args}} {
			plan := explain(t, ctx, d, stmt.sql, stmt.args)
			if l := folderScan(plan, d.d.postgres); l != "" {
				t.Errorf("%q sorted by %v: %s\n%s\nplan:\n%s", c.expr, c.sort, l, stmt.sql, plan)
			}
		}
	}
}

// folderScan names the line of a plan that reads every folder of the
// table or of the cloud: "" when none does.
func folderScan(plan string, postgres bool) string {
	for _, line := range strings.Split(plan, "\n") {
		l := strings.TrimSpace(line)
		switch {
		case postgres && strings.Contains(l, "Seq Scan on folders"):
			return l
		case postgres:
		case strings.HasPrefix(l, "SCAN "), strings.HasPrefix(l, "SEARCH f ") && strings.HasSuffix(l, "(cloud=?)"):
			return l
		}
	}
	return ""
}
