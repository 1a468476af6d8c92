package meta

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/mediacdn/mediacdn/delivery"
)

// Put and Update under WithUniqueDisplayName suffix a display name another
// asset of the asset folder has (of any type), not one of another folder,
// nor the asset's own; without it display names may repeat.
func TestUniqueDisplayName(t *testing.T) { forEachStore(t, testUniqueDisplayName) }

func testUniqueDisplayName(t *testing.T, s Store) {
	n := 0
	ctx := WithUniqueDisplayName(context.Background(), func() string { n++; return fmt.Sprint("s", n) })
	named := func(id, folder, name string) *Asset {
		a := asset(id, "b-"+id)
		a.AssetID, a.AssetFolder, a.DisplayName = "a-"+id, folder, name
		return a
	}
	put(t, s, named("one", "f", "cat"))
	other := named("two", "f", "cat")
	other.Type = delivery.Authenticated // another type, same folder
	if _, err := s.Put(ctx, other, true); err != nil || other.DisplayName != "cat_s1" {
		t.Fatalf("second cat: %q %v", other.DisplayName, err)
	}
	elsewhere := named("three", "g", "cat")
	if _, err := s.Put(ctx, elsewhere, true); err != nil || elsewhere.DisplayName != "cat" {
		t.Fatalf("cat of another folder: %q %v", elsewhere.DisplayName, err)
	}
	again := named("one", "f", "cat") // an overwrite keeping its own name
	if _, err := s.Put(ctx, again, true); err != nil || again.DisplayName != "cat" {
		t.Fatalf("overwrite: %q %v", again.DisplayName, err)
	}
	up, err := s.Update(ctx, key("three"), func(a *Asset) error { a.AssetFolder = "f"; return nil })
	if err != nil || up.DisplayName != "cat_s2" {
		t.Fatalf("moved into f: %+v %v", up, err)
	}
	plain, err := s.Update(context.Background(), key("three"), func(a *Asset) error { a.DisplayName = "cat"; return nil })
	if err != nil || plain.DisplayName != "cat" {
		t.Fatalf("without it: %+v %v", plain, err)
	}
	taken := 0 // every suffix tried is taken
	busy := WithUniqueDisplayName(context.Background(), func() string { taken++; return "s1" })
	if _, err := s.Update(busy, key("three"), func(a *Asset) error { return nil }); err == nil || taken != maxDisplayNameTries {
		t.Fatalf("no free name: %v after %d suffixes", err, taken)
	}
}

// The lookup of a display name in a folder reads the index, on SQLite
// (PostgreSQL's planner scans tables this small whatever the indexes).
func TestUniqueDisplayNameIndexed(t *testing.T) {
	s, err := OpenSQLite(t.TempDir() + "/meta.db")
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	plan := explainTB(t, &s.db, displayNameTakenQuery, []any{"demo", "f", "cat", 1})
	if !strings.Contains(plan, "assets_display_name") {
		t.Fatalf("plan:\n%s", plan)
	}
}

// Calls choosing the same display name at once each get their own.
func TestUniqueDisplayNameConcurrent(t *testing.T) { forEachStore(t, testUniqueDisplayNameConcurrent) }

func testUniqueDisplayNameConcurrent(t *testing.T, s Store) {
	const n = 8
	var mu sync.Mutex
	next := 0
	ctx := WithUniqueDisplayName(context.Background(), func() string {
		mu.Lock()
		defer mu.Unlock()
		next++
		return fmt.Sprint("s", next)
	})
	names := make([]string, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			a := asset(fmt.Sprint("c", i), fmt.Sprint("b", i))
			a.AssetID, a.AssetFolder, a.DisplayName = fmt.Sprint("a", i), "f", "cat"
			if _, err := s.Put(ctx, a, true); err != nil {
				t.Error(err)
			}
			names[i] = a.DisplayName
		}()
	}
	wg.Wait()
	seen := map[string]bool{}
	for _, name := range names {
		if seen[name] {
			t.Fatalf("display names %v repeat", names)
		}
		seen[name] = true
	}
}
