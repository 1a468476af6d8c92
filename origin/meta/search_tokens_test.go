package meta

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"strings"
	"testing"
)

// TestSearchTokensFollowWrites checks that the words of an asset follow
// every write that changes them, in the same transaction: upload and
// overwrite, display name, tags (Update and SetExclusiveTags), context,
// rename, delete.
func TestSearchTokensFollowWrites(t *testing.T) { forEachStore(t, testSearchTokensFollowWrites) }

func testSearchTokensFollowWrites(t *testing.T, s Store) {
	ctx := context.Background()
	find := func(expr, want string) {
		t.Helper()
		got, _ := searchIDs(t, s, expr, 10)
		if strings.Join(got, " ") != want {
			t.Errorf("%q = %q, want %q", expr, got, want)
		}
	}
	a := asset("summer/Blue_Shoes", "b1")
	a.Tags, a.Context, a.DisplayName = []string{"Sale 2024"}, map[string]string{"alt": "Été à Paris"}, "Beach day"
	if _, err := s.Put(ctx, a, false); err != nil {
		t.Fatal(err)
	}
	other := asset("winter/boots", "b2")
	other.Tags = []string{"snow"}
	if _, err := s.Put(ctx, other, false); err != nil {
		t.Fatal(err)
	}
	find("shoes", "summer/Blue_Shoes")
	find("filename:blue", "summer/Blue_Shoes")
	find("display_name:beach", "summer/Blue_Shoes")
	find("tags:2024", "summer/Blue_Shoes")
	find("context.alt:été", "summer/Blue_Shoes")
	find("paris AND ÉTÉ", "summer/Blue_Shoes")

	// Overwrite: the new display name's words replace the old.
	a = asset("summer/Blue_Shoes", "b3")
	a.Tags, a.DisplayName = []string{"sale"}, "Harbour"
	if _, err := s.Put(ctx, a, true); err != nil {
		t.Fatal(err)
	}
	find("beach", "")
	find("harbour", "summer/Blue_Shoes")
	find("2024", "")
	find("paris", "")

	// Update: tags, context, display name.
	if _, err := s.Update(ctx, a.Key, func(x *Asset) error {
		x.Tags, x.Context, x.DisplayName = []string{"clearance"}, map[string]string{"caption": "red laces"}, "Dock"
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	find("sale", "")
	find("clearance", "summer/Blue_Shoes")
	find("context.caption:laces", "summer/Blue_Shoes")
	find("harbour", "")
	find("dock", "summer/Blue_Shoes")

	// SetExclusiveTags: tags one asset and untags the other.
	if _, err := s.SetExclusiveTags(ctx, ExclusiveTags{Cloud: "demo", ResourceType: a.ResourceType, Type: a.Type,
		PublicIDs: []string{"winter/boots"}, Tags: []string{"clearance"}, Time: now}); err != nil {
		t.Fatal(err)
	}
	find("tags:clearance", "winter/boots")
	find("snow AND clearance", "winter/boots")

	// Rename: the old public ID's words go, the new one's come.
	to := a.Key
	to.PublicID = "autumn/red_sandals"
	if _, _, err := s.Rename(ctx, a.Key, to, false); err != nil {
		t.Fatal(err)
	}
	find("shoes", "")
	find("summer", "")
	find("sandals", "autumn/red_sandals")
	find("filename:sandals AND dock", "autumn/red_sandals")

	// Delete: the rows go with the asset.
	if _, err := s.Delete(ctx, to); err != nil {
		t.Fatal(err)
	}
	find("sandals", "")
	var rows int
	if err := rawDB(s).r.QueryRowContext(ctx, `SELECT count(*) FROM asset_tokens WHERE cloud = ? AND token = ?`,
		"demo", "dock").Scan(&rows); err != nil || rows != 0 {
		t.Errorf("rows of a deleted asset: %d, %v", rows, err)
	}
}

// TestSearchTokensBackfill checks that a store opening on assets stored
// before their words were indexed indexes them (in batches, resuming),
// then never again.
func TestSearchTokensBackfill(t *testing.T) {
	forEachReopened(t, func(t *testing.T, open func() Store) {
		ctx := context.Background()
		s := open()
		var batch []*Asset
		for i := range backfillBatch + 20 {
			a := asset(fmt.Sprintf("old/pic_%d", i), fmt.Sprintf("b%d", i))
			a.Tags = []string{fmt.Sprintf("Tag-%d", i%7)}
			batch = append(batch, a)
		}
		if err := s.(Importer).Import(ctx, batch); err != nil {
			t.Fatal(err)
		}
		// as a database migrated from before: no words, a backfill to do
		d := rawDB(s)
		for _, q := range []string{`DELETE FROM asset_tokens`, `INSERT INTO asset_tokens_backfill (next) VALUES (0)`} {
			if _, err := d.w.ExecContext(ctx, d.d.bind(q)); err != nil {
				t.Fatal(err)
			}
		}
		if got, _ := searchIDs(t, s, "pic", 10); len(got) != 0 {
			t.Fatalf("words before the backfill: %q", got)
		}
		s.Close()
		var logs bytes.Buffer // the backfill logs when it starts and when it is done (for the operator of a big store)
		defer slog.SetDefault(slog.Default())
		slog.SetDefault(slog.New(slog.NewTextHandler(&logs, nil)))
		s = open()
		defer s.Close()
		for _, want := range []string{`msg="meta: indexing the words of the assets stored before search words (once; the origin serves when done)" assets=520`,
			`msg="meta: words of the assets stored before indexed" assets=520 took=`} {
			if !strings.Contains(logs.String(), want) {
				t.Errorf("logs lack %s:\n%s", want, logs.String())
			}
		}
		if got, total := searchIDs(t, s, "pic", 100); total != int64(len(batch)) {
			t.Errorf("pic: %d assets, want %d", total, len(batch))
		} else if got[0] != fmt.Sprintf("old/pic_%d", len(batch)-1) {
			t.Errorf("pic: first %q", got[0])
		}
		if _, total := searchIDs(t, s, "tags:tag AND tags:3", 100); total != int64((len(batch)+3)/7) {
			t.Errorf("tags:tag AND tags:3: %d", total)
		}
		var left int
		if err := rawDB(s).r.QueryRowContext(ctx, `SELECT count(*) FROM asset_tokens_backfill`).Scan(&left); err != nil || left != 0 {
			t.Errorf("backfill left: %d rows, %v", left, err)
		}
	})
}

// BenchmarkTokenWrites measures what the words cost an upload's metadata
// write: a new asset's Put (5 tags, 2 context values, a display name: 25
// rows of words), and the rows that let an asset be found written again
// with (setIndexes) and without (tags, context, metadata) its words, a
// tag, a context value and the display name changed each time (a word
// each: 4 of the 25 rows of words go and 4 come; the rows of tags and
// context are rewritten whole):
//
//	go test -run '^$' -bench TokenWrites -benchtime 2000x ./origin/meta
func BenchmarkTokenWrites(b *testing.B) {
	forEachStoreB(b, func(b *testing.B, s Store) {
		ctx := context.Background()
		words := func(a *Asset, i int) *Asset {
			a.Tags = []string{fmt.Sprint("kitten", i), "Summer Sale " + fmt.Sprint(i), "shoes", "red", "new arrival"}
			a.Context = map[string]string{"alt": fmt.Sprint("A cat in red shoes ", i), "caption": "Summer 2024 collection"}
			a.DisplayName = fmt.Sprint("Red shoes for cats ", i)
			return a
		}
		n := 0 // new public IDs across runs (-count)
		b.Run("put-new", func(b *testing.B) {
			for b.Loop() {
				n++
				a := words(asset(fmt.Sprintf("products/summer/Red_Shoes-%d", n), fmt.Sprint("new", n)), n)
				if _, err := s.Put(ctx, a, false); err != nil {
					b.Fatal(err)
				}
			}
		})
		a := words(asset("products/summer/Red_Shoes-0", "b0"), 0)
		if _, err := s.Put(ctx, a, false); err != nil {
			b.Fatal(err)
		}
		txer := s.(interface {
			tx(context.Context, func(*txn) error) error
		})
		index := func(b *testing.B, write func(tx *txn, a *Asset) error) {
			for i := 0; b.Loop(); i++ {
				x := words(a, i%2+1)
				if err := txer.tx(ctx, func(tx *txn) error { return write(tx, x) }); err != nil {
					b.Fatal(err)
				}
			}
		}
		b.Run("index-rows-without-words", func(b *testing.B) {
			index(b, func(tx *txn, a *Asset) error {
				if err := setTags(ctx, tx, a.Seq, a); err != nil {
					return err
				}
				if err := setContext(ctx, tx, a.Seq, a); err != nil {
					return err
				}
				return setMetadata(ctx, tx, a.Seq, a, nil)
			})
		})
		b.Run("index-rows-with-words", func(b *testing.B) {
			index(b, func(tx *txn, a *Asset) error { return setIndexes(ctx, tx, a.Seq, a) })
		})
	})
}

// TestSearchTokensCapped checks that an asset has at most
// maxTokensPerField words indexed per field, the first ones: its tags'
// across the tags, written whole or by a change of tags only.
func TestSearchTokensCapped(t *testing.T) { forEachStore(t, testSearchTokensCapped) }

func testSearchTokensCapped(t *testing.T, s Store) {
	ctx := context.Background()
	tags := make([]string, 300)
	for i := range tags {
		tags[i] = fmt.Sprintf("w%d", i)
	}
	a := asset("many", "m1")
	a.Tags = tags
	if _, err := s.Put(ctx, a, false); err != nil {
		t.Fatal(err)
	}
	rows := func(want int) {
		t.Helper()
		var n int
		if err := rawDB(s).r.QueryRowContext(ctx, `SELECT count(*) FROM asset_tokens WHERE field = 'tags'`).Scan(&n); err != nil || n != want {
			t.Fatalf("%d rows of tags (%v), want %d", n, err, want)
		}
	}
	rows(maxTokensPerField)
	for expr, want := range map[string]string{"tags:w0": "many", "tags:w255": "many", "tags:w256": "", "w299": "", "tags=w299": "many"} {
		if got, _ := searchIDs(t, s, expr, 10); strings.Join(got, " ") != want {
			t.Errorf("%q = %q, want %q", expr, got, want)
		}
	}
	// A change of the tags only: the first 256 of the new list.
	if _, err := s.SetExclusiveTags(ctx, ExclusiveTags{Cloud: a.Cloud, ResourceType: a.ResourceType, Type: a.Type,
		PublicIDs: []string{a.PublicID}, Tags: []string{"extra"}, Time: a.CreatedAt}); err != nil {
		t.Fatal(err)
	}
	rows(maxTokensPerField)
	if _, err := s.Update(ctx, a.Key, func(x *Asset) error { x.Tags = append([]string{"first"}, tags...); return nil }); err != nil {
		t.Fatal(err)
	}
	rows(maxTokensPerField)
	if got, _ := searchIDs(t, s, "tags:first", 10); strings.Join(got, " ") != "many" {
		t.Errorf("tags:first = %q", got)
	}
	if got, _ := searchIDs(t, s, "tags:w255", 10); len(got) != 0 {
		t.Errorf("tags:w255 = %q, past the bound", got)
	}
}
