package meta

import (
	"context"
	"errors"
	"testing"
	"time"
)

// Upload mappings: created once per folder, listed by folder in pages,
// updated and deleted by folder, and found for a public ID by the
// deepest mapped folder it is in.
func TestUploadMappings(t *testing.T) {
	forEachStore(t, func(t *testing.T, s Store) {
		ctx := context.Background()
		now := time.Unix(1_800_000_000, 0).UTC()
		for _, m := range []UploadMapping{{Folder: "wiki", Template: "https://w.test/img/"},
			{Folder: "wiki/big", Template: "https://big.test/"}, {Folder: "Zed", Template: "https://z.test/"},
			{Folder: "_a", Template: "https://a.test/"}} {
			m.Cloud, m.CreatedAt, m.UpdatedAt = "demo", now, now
			if err := s.CreateUploadMapping(ctx, &m); err != nil {
				t.Fatal(err)
			}
		}
		dup := UploadMapping{Cloud: "demo", Folder: "wiki", Template: "https://other.test/", CreatedAt: now, UpdatedAt: now}
		if err := s.CreateUploadMapping(ctx, &dup); !errors.Is(err, ErrExists) {
			t.Fatalf("second create: %v", err)
		}
		other := UploadMapping{Cloud: "other", Folder: "wiki", Template: "https://o.test/", CreatedAt: now, UpdatedAt: now}
		if err := s.CreateUploadMapping(ctx, &other); err != nil {
			t.Fatalf("another cloud's: %v", err)
		}
		// Byte order: upper case before "_" before lower case.
		page, err := s.UploadMappings(ctx, "demo", "", 2)
		if err != nil || len(page) != 2 || page[0].Folder != "Zed" || page[1].Folder != "_a" {
			t.Fatalf("first page: %+v %v", page, err)
		}
		page, err = s.UploadMappings(ctx, "demo", "_a", 10)
		if err != nil || len(page) != 2 || page[0].Folder != "wiki" || page[1].Folder != "wiki/big" ||
			page[0].Template != "https://w.test/img/" || !page[0].CreatedAt.Equal(now) {
			t.Fatalf("second page: %+v %v", page, err)
		}
		for id, want := range map[string]string{"wiki/a/b": "wiki", "wiki/big/x": "wiki/big", "wiki/bigger": "wiki"} {
			m, err := s.MappingFor(ctx, "demo", id)
			if err != nil || m.Folder != want {
				t.Fatalf("mapping for %s: %+v %v (want %s)", id, m, err, want)
			}
		}
		for _, id := range []string{"wiki", "wikis/a", "a/wiki/b", "zed/x"} {
			if m, err := s.MappingFor(ctx, "demo", id); !errors.Is(err, ErrNotFound) {
				t.Fatalf("mapping for %s: %+v %v", id, m, err)
			}
		}
		later := now.Add(time.Hour)
		if err := s.UpdateUploadMapping(ctx, "demo", "wiki", "https://new.test/", later); err != nil {
			t.Fatal(err)
		}
		if m, err := s.UploadMapping(ctx, "demo", "wiki"); err != nil || m.Template != "https://new.test/" ||
			!m.UpdatedAt.Equal(later) || !m.CreatedAt.Equal(now) {
			t.Fatalf("updated: %+v %v", m, err)
		}
		if m, err := s.UploadMapping(ctx, "other", "wiki"); err != nil || m.Template != "https://o.test/" {
			t.Fatalf("another cloud's after update: %+v %v", m, err)
		}
		if err := s.UpdateUploadMapping(ctx, "demo", "nope", "https://x.test/", later); !errors.Is(err, ErrNotFound) {
			t.Fatalf("update missing: %v", err)
		}
		if err := s.DeleteUploadMapping(ctx, "demo", "wiki"); err != nil {
			t.Fatal(err)
		}
		if err := s.DeleteUploadMapping(ctx, "demo", "wiki"); !errors.Is(err, ErrNotFound) {
			t.Fatalf("second delete: %v", err)
		}
		if _, err := s.UploadMapping(ctx, "demo", "wiki"); !errors.Is(err, ErrNotFound) {
			t.Fatalf("deleted: %v", err)
		}
		if m, err := s.MappingFor(ctx, "demo", "wiki/a"); !errors.Is(err, ErrNotFound) {
			t.Fatalf("mapping for a deleted folder: %+v %v", m, err)
		}
	})
}
