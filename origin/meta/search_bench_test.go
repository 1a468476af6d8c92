package meta

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"testing"

	"github.com/mediacdn/mediacdn/origin/search"
)

// fillSearch adds n assets to cloud in a few statements the database runs
// by itself (no round trip per asset): public IDs bench/<i>, one second
// apart from now on, formats jpg, png, gif and webp in turn (every third
// asset), two tags each: tag<i mod 1000> and tag<1000 + i mod 997>, and a
// context key k of value v<i mod 100>. Then it has the engine gather its
// statistics, as a database in use has them.
func fillSearch(tb testing.TB, s Store, cloud string, n int) {
	tb.Helper()
	d := rawDB(s)
	ctx := context.Background()
	base := now.UnixNano()
	stmts := []string{
		`WITH RECURSIVE seq(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM seq WHERE i < ` + strconv.Itoa(n) + `)
		INSERT INTO assets (cloud, resource_type, type, public_id, asset_id, version, version_id, format, bytes, width,
			height, pages, etag, blob, created_at, updated_at, tags, context, metadata, moderation_status,
			original_filename, asset_folder, display_name, eager)
		SELECT ?, 'image', 'upload', 'bench/' || i, ? || '-' || i, ? + i, 'v', 
			CASE (i / 3) % 4 WHEN 0 THEN 'jpg' WHEN 1 THEN 'png' WHEN 2 THEN 'gif' ELSE 'webp' END,
			i, 100 + i % 1000, 100 + i % 700, 1, 'e', 'b', ? + CAST(i AS BIGINT) * 1000000000,
			? + CAST(i AS BIGINT) * 1000000000,
			'["tag' || (i % 1000) || '","tag' || (1000 + i % 997) || '"]', '{"k":"v' || (i % 1000) || '"}', '{}', '',
			'', '', '', '[]'
		FROM seq`,
		`INSERT INTO asset_tags (asset, cloud, resource_type, tag)
		SELECT id, cloud, resource_type, 'tag' || (bytes % 1000) FROM assets WHERE cloud = ? AND public_id >= 'bench/' AND public_id < 'bench0'`,
		`INSERT INTO asset_tags (asset, cloud, resource_type, tag)
		SELECT id, cloud, resource_type, 'tag' || (1000 + bytes % 997) FROM assets WHERE cloud = ? AND public_id >= 'bench/' AND public_id < 'bench0'`,
		`INSERT INTO asset_context (asset, cloud, resource_type, key, value)
		SELECT id, cloud, resource_type, 'k', 'v' || (bytes % 1000) FROM assets WHERE cloud = ? AND public_id >= 'bench/' AND public_id < 'bench0'`,
		// their words (search_tokens.go): bench and <i> of the public
		// ID, <i> of the filename, the tags', the context value's.
		`INSERT INTO asset_tokens (cloud, token, field, asset)
		SELECT cloud, 'bench', 'public_id', id FROM assets WHERE cloud = ? AND public_id >= 'bench/' AND public_id < 'bench0'
		UNION ALL SELECT cloud, CAST(bytes AS TEXT), 'public_id', id FROM assets WHERE cloud = ? AND public_id >= 'bench/' AND public_id < 'bench0'
		UNION ALL SELECT cloud, CAST(bytes AS TEXT), 'filename', id FROM assets WHERE cloud = ? AND public_id >= 'bench/' AND public_id < 'bench0'
		UNION ALL SELECT cloud, 'tag' || (bytes % 1000), 'tags', id FROM assets WHERE cloud = ? AND public_id >= 'bench/' AND public_id < 'bench0'
		UNION ALL SELECT cloud, 'tag' || (1000 + bytes % 997), 'tags', id FROM assets WHERE cloud = ? AND public_id >= 'bench/' AND public_id < 'bench0'
		UNION ALL SELECT cloud, 'v' || (bytes % 1000), 'context.k', id FROM assets WHERE cloud = ? AND public_id >= 'bench/' AND public_id < 'bench0'`,
	}
	args := [][]any{{cloud, cloud, now.Unix(), base, base}, {cloud}, {cloud}, {cloud}, {cloud, cloud, cloud, cloud, cloud, cloud}}
	err := s.(interface {
		tx(context.Context, func(*txn) error) error
	}).tx(ctx, func(tx *txn) error {
		for i, q := range stmts {
			if _, err := tx.ExecContext(ctx, q, args[i]...); err != nil {
				return fmt.Errorf("fill %d: %w", i, err)
			}
		}
		return nil
	})
	if err != nil {
		tb.Fatal(err)
	}
	if d.d.postgres {
		if _, err := d.w.ExecContext(ctx, `VACUUM ANALYZE`); err != nil {
			tb.Fatal(err)
		}
	}
}

// BenchmarkSearch measures a tag-and-format search's first page of 100
// and a later page (by next position), the first page by public ID, the
// first page with a range aggregation of bytes, and the first page of the
// same search with the tag as a word without a field, on 1,000,000 assets
// (or MEDIACDN_SEARCH_BENCH_ASSETS), on SQLite and PostgreSQL:
//
//	go test -run '^$' -bench Search -benchtime 200x ./origin/meta
func BenchmarkSearch(b *testing.B) {
	n := 1_000_000
	if v := os.Getenv("MEDIACDN_SEARCH_BENCH_ASSETS"); v != "" {
		var err error
		if n, err = strconv.Atoi(v); err != nil {
			b.Fatal(err)
		}
	}
	forEachStoreB(b, func(b *testing.B, s Store) {
		fillSearch(b, s, "bench", n)
		ctx := context.Background()
		expr, err := search.Parse("tags:tag5 AND format:png", now)
		if err != nil {
			b.Fatal(err)
		}
		q := SearchQuery{Cloud: "bench", Expr: expr, Limit: 100, Count: true}
		first, err := s.Search(ctx, q)
		if err != nil || len(first.Assets) == 0 {
			b.Fatalf("first page: %d assets, %v", len(first.Assets), err)
		}
		b.Logf("%d assets; %d match", n, first.Total)
		from, args, err := searchFrom(q, rawDB(s).d)
		if err != nil {
			b.Fatal(err)
		}
		page, pargs, _ := searchPageSQL(q, from, args)
		b.Logf("plans:\n%s\n%s", explainTB(b, rawDB(s), page, pargs),
			explainTB(b, rawDB(s), `SELECT count(*) FROM `+from, args))
		run := func(b *testing.B, q SearchQuery) {
			for b.Loop() {
				page, err := s.Search(ctx, q)
				if err != nil || len(page.Assets) == 0 {
					b.Fatal(len(page.Assets), err)
				}
			}
		}
		b.Run("first-page", func(b *testing.B) { run(b, q) })
		if first.Next != nil { // fewer than 100 match on small fills
			later := q
			later.After, later.Count = first.Next, false // the API counts on the first page only
			b.Run("next-page", func(b *testing.B) { run(b, later) })
		}
		sorted := q
		sorted.Sort = []SortKey{{Field: "public_id"}}
		b.Run("first-page-by-public-id", func(b *testing.B) { run(b, sorted) })
		// The first page with its count and bytes counted in six ranges
		// (the API's default ones for aggregate=bytes).
		ranged := q
		ranged.Ranges = []RangeAggregation{{Field: "bytes", Ranges: []Range{span("tiny", nil, num(10<<10)),
			span("small", num(10<<10), num(100<<10)), span("medium", num(100<<10), num(1<<20)),
			span("large", num(1<<20), num(10<<20)), span("very_large", num(10<<20), num(100<<20)),
			span("huge", num(100<<20), nil)}}}
		b.Run("first-page-bytes-ranges", func(b *testing.B) { run(b, ranged) })
		// The same assets by a word without a field (search_tokens.go):
		// tag5 is a word of their tags.
		words := q
		if words.Expr, err = search.Parse("tag5 AND format:png", now); err != nil {
			b.Fatal(err)
		}
		if page, err := s.Search(ctx, words); err != nil || page.Total != first.Total {
			b.Fatalf("free text: %d, %v; want %d", page.Total, err, first.Total)
		}
		from, args, err = searchFrom(words, rawDB(s).d)
		if err != nil {
			b.Fatal(err)
		}
		page, pargs, _ = searchPageSQL(words, from, args)
		b.Logf("free-text plans:\n%s\n%s", explainTB(b, rawDB(s), page, pargs),
			explainTB(b, rawDB(s), `SELECT count(*) FROM `+from, args))
		b.Run("free-text-first-page", func(b *testing.B) { run(b, words) })
	})
}
