package meta

import (
	"context"
	"fmt"
	"maps"
	"strings"
	"testing"

	"github.com/mediacdn/mediacdn/internal/testkit"
	"github.com/mediacdn/mediacdn/internal/testservers"
	"github.com/mediacdn/mediacdn/origin/search"
)

// TestSearchTokensFollowMetadata checks that the words of string metadata
// values follow every write of an asset's metadata, in the same
// transaction (upload with its values, default values included, as the
// origin gives them; overwrite; Update, what explicit, update,
// update_metadata and clear_invalid write; rename; import), that enum,
// set, integer and date values have none, and that a deleted field's
// words go with it.
func TestSearchTokensFollowMetadata(t *testing.T) { forEachStore(t, testSearchTokensFollowMetadata) }

func testSearchTokensFollowMetadata(t *testing.T, s Store) {
	searchMetadataFixture(t, s)
	ctx := context.Background()
	note := MetadataField{Cloud: "demo", ExternalID: "note", Type: MetadataTypeString, Label: "note", Definition: `{}`,
		CreatedAt: now, UpdatedAt: now}
	if err := s.CreateMetadataField(ctx, &note, 10); err != nil {
		t.Fatal(err)
	}
	kinds := maps.Clone(searchMetadataKinds)
	kinds["note"] = search.TextWords
	find := func(expr, want string) {
		t.Helper()
		got, _ := searchIDsWith(t, s, expr, kinds, 10)
		if strings.Join(got, " ") != want {
			t.Errorf("%q = %q, want %q", expr, got, want)
		}
	}
	words := func(field string) int {
		t.Helper()
		var n int
		if err := rawDB(s).r.QueryRowContext(ctx, `SELECT count(*) FROM asset_tokens WHERE cloud = ? AND field = ?`,
			"demo", field).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}

	// Upload: the string values' words; enum, set, integer, date and
	// unknown keys have none.
	a := asset("pics/one", "b1")
	a.Metadata = map[string]any{"title": "Blue Whale at dawn", "note": "Shot by Anna", "mood": "calm",
		"colors": []string{"red", "green"}, "rating": int64(5), "shot": "2024-05-31", "gone": "ghost words"}
	if _, err := s.Put(ctx, a, false); err != nil {
		t.Fatal(err)
	}
	other := asset("pics/two", "b2")
	other.Metadata = map[string]any{"note": "whale watching"}
	if _, err := s.Put(ctx, other, false); err != nil {
		t.Fatal(err)
	}
	find("metadata.title:whale", "pics/one")
	find("metadata.title:WHALE AND metadata.title:dawn", "pics/one")
	find(`metadata.title:"dawn blue"`, "pics/one")
	find(`metadata.title:"blue anna"`, "") // the words of one value
	find("metadata.title:wha*", "pics/one")
	find("metadata.note:whale", "pics/two")
	find("whale", "pics/two pics/one")
	find(`"shot anna"`, "pics/one")
	find("metadata.title=whale", "")
	find(`metadata.title="Blue Whale at dawn"`, "pics/one")
	for _, expr := range []string{"calm", "red", "green", "5", "2024", "ghost"} {
		find(expr, "")
	}
	if n := words("metadata.mood") + words("metadata.colors") + words("metadata.rating") + words("metadata.shot") +
		words("metadata.gone"); n != 0 {
		t.Errorf("%d rows of words of values that have none", n)
	}

	// Overwrite: the new values' words replace the old.
	a = asset("pics/one", "b3")
	a.Metadata = map[string]any{"title": "Grey seal"}
	if _, err := s.Put(ctx, a, true); err != nil {
		t.Fatal(err)
	}
	find("metadata.title:whale", "")
	find("whale", "pics/two")
	find("anna", "")
	find("metadata.title:seal", "pics/one")

	// Update (explicit, update, update_metadata): a value changed, one
	// added; then one removed (clear_invalid).
	if _, err := s.Update(ctx, a.Key, func(x *Asset) error {
		x.Metadata = map[string]any{"title": "Harbour seal", "note": "Low tide"}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	find("grey", "")
	find("metadata.title:harbour AND metadata.note:tide", "pics/one")
	if _, err := s.Update(ctx, a.Key, func(x *Asset) error {
		delete(x.Metadata, "note")
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	find("tide", "")
	find("seal", "pics/one")

	// Rename: the values' words stay with the asset.
	to := a.Key
	to.PublicID = "pics/three"
	if _, _, err := s.Rename(ctx, a.Key, to, false); err != nil {
		t.Fatal(err)
	}
	find("metadata.title:harbour", "pics/three")

	// Import.
	im := asset("pics/four", "b4")
	im.Metadata = map[string]any{"title": "Imported otter"}
	if err := s.(Importer).Import(ctx, []*Asset{im}); err != nil {
		t.Fatal(err)
	}
	find("otter", "pics/four")

	// A deleted field's words go; the other fields' stay.
	if err := s.DeleteMetadataField(ctx, "demo", "title"); err != nil {
		t.Fatal(err)
	}
	if n := words("metadata.title"); n != 0 {
		t.Errorf("%d rows of words of a deleted field", n)
	}
	find("otter", "")
	find("harbour", "")
	find("whale", "pics/two")
	// a later write of an asset that still holds the deleted field's value
	// indexes no words of it
	if _, err := s.Update(ctx, to, func(x *Asset) error {
		x.Tags = []string{"kept"}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	find("harbour", "")
}

// TestSearchTokensMetadataBackfill checks that a store opening on a
// database whose words were indexed before those of metadata values
// (migration 23 of SQLite, 17 of PostgreSQL: the backfill starts over)
// indexes the words of the assets' string metadata values.
func TestSearchTokensMetadataBackfill(t *testing.T) {
	forEachReopened(t, func(t *testing.T, open func() Store) {
		ctx := context.Background()
		s := open()
		searchMetadataFixture(t, s)
		var batch []*Asset
		for i := range backfillBatch + 20 {
			a := asset(fmt.Sprintf("old/pic_%d", i), fmt.Sprintf("b%d", i))
			a.Metadata = map[string]any{"title": fmt.Sprintf("Caption %d", i%7), "mood": "calm"}
			batch = append(batch, a)
		}
		if err := s.(Importer).Import(ctx, batch); err != nil {
			t.Fatal(err)
		}
		// as a database whose backfill of words was done before: no words
		// of metadata values; then migration 23 (17)
		d := rawDB(s)
		for _, q := range []string{`DELETE FROM asset_tokens WHERE field LIKE 'metadata.%'`,
			`DELETE FROM asset_tokens_backfill`, tokensMetadataBackfill} {
			if _, err := d.w.ExecContext(ctx, d.d.bind(q)); err != nil {
				t.Fatal(err)
			}
		}
		if got, _ := searchIDsWith(t, s, "caption", searchMetadataKinds, 10); len(got) != 0 {
			t.Fatalf("words before the backfill: %q", got)
		}
		s.Close()
		s = open()
		defer s.Close()
		if _, total := searchIDsWith(t, s, "caption", searchMetadataKinds, 100); total != int64(len(batch)) {
			t.Errorf("caption: %d assets, want %d", total, len(batch))
		}
		if _, total := searchIDsWith(t, s, "metadata.title:caption AND metadata.title:3", searchMetadataKinds, 100); total != int64((len(batch)+3)/7) {
			t.Errorf("metadata.title:caption AND metadata.title:3: %d", total)
		}
		if _, total := searchIDsWith(t, s, "pic", searchMetadataKinds, 100); total != int64(len(batch)) {
			t.Errorf("pic: %d assets, want %d", total, len(batch))
		}
		if got, _ := searchIDsWith(t, s, "calm", searchMetadataKinds, 10); len(got) != 0 {
			t.Errorf("calm (an enum's entry): %q", got)
		}
		var left int
		if err := rawDB(s).r.QueryRowContext(ctx, `SELECT count(*) FROM asset_tokens_backfill`).Scan(&left); err != nil || left != 0 {
			t.Errorf("backfill left: %d rows, %v", left, err)
		}
	})
}

// A write of an asset's metadata that comes while a field's deletion is in
// progress (on another origin sharing the PostgreSQL database) waits for
// it, then indexes no value nor word of the deleted field: the deletion,
// which deletes the rows there are, cannot miss rows written after it.
// (Without the lock in the write's read of the fields, the write read the
// field as live and its rows stayed after the deletion.)
func TestMetadataFieldDeleteRacingWrite(t *testing.T) {
	pg := testservers.StartPostgres(t)
	s := openPostgres(t, pg.URL)
	defer s.Close()
	ctx := context.Background()
	searchMetadataFixture(t, s)
	sdb := pg.Open(t)
	del, err := sdb.Begin()
	if err != nil {
		t.Fatal(err)
	}
	defer del.Rollback()
	delPID := backendPID(t, del)
	for _, q := range []string{`UPDATE metadata_fields SET deleted = TRUE WHERE cloud = 'demo' AND external_id = 'title'`,
		`DELETE FROM asset_tokens WHERE field = 'metadata.title'`,
		`DELETE FROM ` + MetadataValuesTable + ` WHERE cloud = 'demo' AND field = 'title'`} {
		if _, err := del.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	done := make(chan error, 1)
	go func() {
		a := asset("late", "b1")
		a.Metadata = map[string]any{"title": "Late whale", "mood": "calm"}
		_, err := s.Put(ctx, a, false)
		done <- err
	}()
	testkit.Eventually(t, testkit.Timeout, "the write to wait for the field's deletion",
		func() bool { return lockWaiter(t, sdb, delPID) != "" })
	if err := del.Commit(); err != nil {
		t.Fatal(err)
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	var words, values, others int
	if err := sdb.QueryRow(`SELECT (SELECT count(*) FROM asset_tokens WHERE field = 'metadata.title'),
		(SELECT count(*) FROM `+MetadataValuesTable+` WHERE field = 'title'),
		(SELECT count(*) FROM `+MetadataValuesTable+` WHERE field = 'mood')`).Scan(&words, &values, &others); err != nil {
		t.Fatal(err)
	}
	if words != 0 || values != 0 || others != 1 {
		t.Errorf("after the deletion: %d words and %d values of the deleted field, %d of another (want 0, 0, 1)",
			words, values, others)
	}
}
