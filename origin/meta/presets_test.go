package meta

import (
	"context"
	"errors"
	"testing"
	"time"
)

func TestUploadPresets(t *testing.T) { forEachStore(t, testUploadPresets) }

func testUploadPresets(t *testing.T, s Store) {
	ctx := context.Background()
	now := time.Now().UTC()
	for _, name := range []string{"b", "a", "c"} {
		p := &UploadPreset{Cloud: "demo", Name: name, Unsigned: name == "a", Live: name == "c",
			Settings: map[string]string{"folder": "f_" + name}, CreatedAt: now, UpdatedAt: now}
		if err := s.CreateUploadPreset(ctx, p); err != nil {
			t.Fatalf("create %s: %v", name, err)
		}
	}
	other := &UploadPreset{Cloud: "other", Name: "a", CreatedAt: now, UpdatedAt: now}
	if err := s.CreateUploadPreset(ctx, other); err != nil {
		t.Fatalf("create in another cloud: %v", err)
	}
	if err := s.CreateUploadPreset(ctx, &UploadPreset{Cloud: "demo", Name: "a"}); !errors.Is(err, ErrExists) {
		t.Fatalf("create twice: %v", err)
	}
	page, err := s.UploadPresets(ctx, "demo", "", 2)
	if err != nil || len(page) != 2 || page[0].Name != "a" || page[1].Name != "b" || !page[0].Unsigned {
		t.Fatalf("first page: %+v %v", page, err)
	}
	page, err = s.UploadPresets(ctx, "demo", "b", 2)
	if err != nil || len(page) != 1 || page[0].Name != "c" || page[0].Settings["folder"] != "f_c" || !page[0].Live {
		t.Fatalf("second page: %+v %v", page, err)
	}
	err = s.UpdateUploadPreset(ctx, "demo", "b", func(p *UploadPreset) error {
		p.DisallowPublicID, p.Live = true, true
		p.Settings["tags"] = "x,y"
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	got, err := s.UploadPreset(ctx, "demo", "b")
	if err != nil || !got.DisallowPublicID || !got.Live || got.Settings["tags"] != "x,y" || got.Settings["folder"] != "f_b" {
		t.Fatalf("after update: %+v %v", got, err)
	}
	if err := s.UpdateUploadPreset(ctx, "demo", "zz", func(*UploadPreset) error { return nil }); !errors.Is(err, ErrNotFound) {
		t.Fatalf("update missing: %v", err)
	}
	if err := s.DeleteUploadPreset(ctx, "demo", "b"); err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteUploadPreset(ctx, "demo", "b"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("delete twice: %v", err)
	}
	if _, err := s.UploadPreset(ctx, "demo", "b"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("get deleted: %v", err)
	}
	if _, err := s.UploadPreset(ctx, "other", "a"); err != nil {
		t.Fatalf("other cloud's preset: %v", err)
	}
}
