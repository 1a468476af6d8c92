package meta

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"
)

// Structured metadata fields: created once per external ID (never again
// after a delete), bounded per cloud, listed in their order, updated in a
// transaction (type and external ID kept), reordered and deleted.
func TestMetadataFields(t *testing.T) { forEachStore(t, testMetadataFields) }

func testMetadataFields(t *testing.T, s Store) {
	ctx := context.Background()
	for _, f := range []MetadataField{{ExternalID: "size", Type: MetadataTypeInteger, Label: "Size"},
		{ExternalID: "color", Type: MetadataTypeSet, Label: "Colors", Definition: `{"datasource":{"values":[]}}`},
		{ExternalID: "alt", Type: MetadataTypeString, Label: "Alt"}} {
		f.Cloud, f.CreatedAt, f.UpdatedAt = "demo", now, now
		if f.Definition == "" {
			f.Definition = `{}`
		}
		if err := s.CreateMetadataField(ctx, &f, 3); err != nil {
			t.Fatalf("create %s: %v", f.ExternalID, err)
		}
	}
	extra := MetadataField{Cloud: "demo", ExternalID: "more", Type: MetadataTypeDate, Label: "More", Definition: `{}`}
	if err := s.CreateMetadataField(ctx, &extra, 3); !errors.Is(err, ErrFull) {
		t.Fatalf("a fourth of three: %v", err)
	}
	dup := MetadataField{Cloud: "demo", ExternalID: "size", Type: MetadataTypeDate, Label: "Again", Definition: `{}`}
	if err := s.CreateMetadataField(ctx, &dup, 10); !errors.Is(err, ErrExists) {
		t.Fatalf("create twice: %v", err)
	}
	other := MetadataField{Cloud: "other", ExternalID: "size", Type: MetadataTypeDate, Label: "Other", Definition: `{}`}
	if err := s.CreateMetadataField(ctx, &other, 1); err != nil {
		t.Fatalf("another cloud's: %v", err)
	}
	list, err := s.MetadataFields(ctx, "demo")
	if err != nil || fieldIDs(list) != "size,color,alt" || list[0].Label != "Size" || !list[0].CreatedAt.Equal(now) {
		t.Fatalf("list: %+v %v", list, err)
	}
	later := now.Add(time.Hour)
	f, err := s.UpdateMetadataField(ctx, "demo", "alt", func(f *MetadataField) error {
		f.Label, f.Definition, f.UpdatedAt = "Alt text", `{"mandatory":true}`, later
		f.Type, f.ExternalID = MetadataTypeDate, "renamed" // kept
		return nil
	})
	if err != nil || f.Label != "Alt text" || f.Type != MetadataTypeString {
		t.Fatalf("update: %+v %v", f, err)
	}
	got, err := s.MetadataField(ctx, "demo", "alt")
	if err != nil || got.Label != "Alt text" || got.Definition != `{"mandatory":true}` || got.Type != MetadataTypeString ||
		!got.UpdatedAt.Equal(later) || !got.CreatedAt.Equal(now) {
		t.Fatalf("updated: %+v %v", got, err)
	}
	refused := errors.New("refused")
	if _, err := s.UpdateMetadataField(ctx, "demo", "alt", func(f *MetadataField) error {
		f.Label = "lost"
		return refused
	}); !errors.Is(err, refused) {
		t.Fatalf("refused update: %v", err)
	}
	if got, _ := s.MetadataField(ctx, "demo", "alt"); got.Label != "Alt text" {
		t.Fatalf("a refused update changed the field: %+v", got)
	}
	if _, err := s.UpdateMetadataField(ctx, "demo", "nope", func(*MetadataField) error { return nil }); !errors.Is(err, ErrNotFound) {
		t.Fatalf("update missing: %v", err)
	}
	if err := s.OrderMetadataFields(ctx, "demo", []string{"alt", "color", "size"}, later); err != nil {
		t.Fatal(err)
	}
	if list, _ := s.MetadataFields(ctx, "demo"); fieldIDs(list) != "alt,color,size" {
		t.Fatalf("ordered: %s", fieldIDs(list))
	}
	if err := s.DeleteMetadataField(ctx, "demo", "color"); err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteMetadataField(ctx, "demo", "color"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("second delete: %v", err)
	}
	if _, err := s.MetadataField(ctx, "demo", "color"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("deleted: %v", err)
	}
	again := MetadataField{Cloud: "demo", ExternalID: "color", Type: MetadataTypeString, Label: "C", Definition: `{}`}
	if err := s.CreateMetadataField(ctx, &again, 10); !errors.Is(err, ErrExists) {
		t.Fatalf("a deleted field's external ID used again: %v", err)
	}
	if err := s.CreateMetadataField(ctx, &extra, 3); err != nil { // the deleted one no longer counts
		t.Fatalf("create after a delete: %v", err)
	}
	if list, _ := s.MetadataFields(ctx, "demo"); fieldIDs(list) != "alt,size,more" {
		t.Fatalf("after delete and create: %s", fieldIDs(list))
	}
}

func fieldIDs(list []MetadataField) string {
	ids := make([]string, len(list))
	for i, f := range list {
		ids[i] = f.ExternalID
	}
	return strings.Join(ids, ",")
}

// An asset's metadata values are indexed in MetadataValuesTable, each in
// its type's column (a set's entries one row each), rewritten with every
// write of the asset, read back with integers exact, and dropped with
// their field; values of keys that are no field are kept on the asset but
// not indexed.
func TestMetadataValuesIndex(t *testing.T) { forEachStore(t, testMetadataValuesIndex) }

func testMetadataValuesIndex(t *testing.T, s Store) {
	ctx := context.Background()
	for id, typ := range map[string]string{"alt": MetadataTypeString, "size": MetadataTypeInteger,
		"shot": MetadataTypeDate, "mood": MetadataTypeEnum, "colors": MetadataTypeSet} {
		f := MetadataField{Cloud: "demo", ExternalID: id, Type: typ, Label: id, Definition: `{}`, CreatedAt: now, UpdatedAt: now}
		if err := s.CreateMetadataField(ctx, &f, 10); err != nil {
			t.Fatal(err)
		}
	}
	long := strings.Repeat("é", 512) // 1,024 bytes, the origin's bound: an index row PostgreSQL takes
	b := asset("long", "b2")
	b.Metadata = map[string]any{"alt": long}
	if _, err := s.Put(ctx, b, false); err != nil {
		t.Fatalf("a value of 1,024 bytes: %v", err)
	}
	if _, err := s.Delete(ctx, b.Key); err != nil {
		t.Fatal(err)
	}
	a := asset("pic", "b1")
	a.Metadata = map[string]any{"alt": "A cat", "size": int64(9007199254740993), "shot": "2024-02-29",
		"mood": "calm", "colors": []string{"red", "green"}, "gone": "not a field"}
	if _, err := s.Put(ctx, a, false); err != nil {
		t.Fatal(err)
	}
	want := "alt:A cat|| colors:green|| colors:red|| mood:calm|| shot:||2024-02-29 size:|9007199254740993|"
	if got := indexRows(t, s); got != want {
		t.Fatalf("index rows:\n got %s\nwant %s", got, want)
	}
	got, err := s.Asset(ctx, a.Key)
	if err != nil {
		t.Fatal(err)
	}
	if n, ok := got.Metadata["size"].(json.Number); !ok || n.String() != "9007199254740993" || got.Metadata["gone"] != "not a field" {
		t.Fatalf("read back: %#v", got.Metadata)
	}
	if _, err := s.Update(ctx, a.Key, func(a *Asset) error {
		delete(a.Metadata, "alt")
		a.Metadata["colors"] = []any{"blue"}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	want = "colors:blue|| mood:calm|| shot:||2024-02-29 size:|9007199254740993|"
	if got := indexRows(t, s); got != want {
		t.Fatalf("after update:\n got %s\nwant %s", got, want)
	}
	if err := s.DeleteMetadataField(ctx, "demo", "mood"); err != nil {
		t.Fatal(err)
	}
	want = "colors:blue|| shot:||2024-02-29 size:|9007199254740993|"
	if got := indexRows(t, s); got != want {
		t.Fatalf("after the field's delete:\n got %s\nwant %s", got, want)
	}
	if _, err := s.Delete(ctx, a.Key); err != nil {
		t.Fatal(err)
	}
	if got := indexRows(t, s); got != "" {
		t.Fatalf("after the asset's delete: %s", got)
	}
}

// indexRows are the rows of MetadataValuesTable as
// field:string|number|date, by field and value.
func indexRows(t *testing.T, s Store) string {
	t.Helper()
	rows, err := rawDB(s).r.QueryContext(context.Background(), `SELECT field, `+MetadataStringColumn+`, `+
		MetadataNumberColumn+`, `+MetadataDateColumn+` FROM `+MetadataValuesTable+` ORDER BY field, value`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var field string
		var str, date sql.NullString
		var num sql.NullInt64
		if err := rows.Scan(&field, &str, &num, &date); err != nil {
			t.Fatal(err)
		}
		text := field + ":" + str.String + "|"
		if num.Valid {
			text += strconv.FormatInt(num.Int64, 10)
		}
		out = append(out, text+"|"+date.String)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return strings.Join(out, " ")
}
