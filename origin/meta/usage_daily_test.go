package meta

import (
	"context"
	"errors"
	"testing"
	"time"
)

func TestDailyUsage(t *testing.T) { forEachStore(t, testDailyUsage) }

func testDailyUsage(t *testing.T, s Store) {
	ctx := context.Background()
	if _, err := s.DailyUsage(ctx, "demo", "2026-01-02"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("no figures: %v", err)
	}
	for _, n := range []int64{5, 7} { // the day's last figures win
		u := DailyUsage{Day: "2026-01-02", Transformations: n, Objects: 2, Bandwidth: 3, Storage: 4, Requests: 5,
			Resources: 6, DerivedResources: 1}
		if err := s.RecordDailyUsage(ctx, "demo", u, now); err != nil {
			t.Fatal(err)
		}
	}
	got, err := s.DailyUsage(ctx, "demo", "2026-01-02")
	if err != nil || got.Transformations != 7 || got.Storage != 4 || got.Resources != 6 || !got.UpdatedAt.Equal(now) {
		t.Fatalf("figures: %+v %v", got, err)
	}
	if _, err := s.DailyUsage(ctx, "other", "2026-01-02"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("another cloud's figures: %v", err)
	}
	first, err := s.CloudCreated(ctx, "demo", now)
	if err != nil || !first.Equal(now) {
		t.Fatalf("created: %v %v", first, err)
	}
	again, err := s.CloudCreated(ctx, "demo", now.Add(time.Hour))
	if err != nil || !again.Equal(now) {
		t.Fatalf("created, read again: %v %v", again, err)
	}
}
