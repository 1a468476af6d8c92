package meta

import (
	"context"
	"strings"
	"testing"

	"github.com/mediacdn/mediacdn/delivery"
)

// CountAssetFolder counts the assets of one asset folder of one cloud, of
// every resource type and type, and not those of its subfolders.
func TestCountAssetFolder(t *testing.T) { forEachStore(t, testCountAssetFolder) }

func testCountAssetFolder(t *testing.T, s Store) {
	ctx := context.Background()
	in := func(id, folder string) *Asset {
		a := asset(id, "b-"+id)
		a.AssetID, a.AssetFolder = "a-"+id, folder
		return a
	}
	put(t, s, in("one", "f"))
	put(t, s, in("two", "f"))
	raw := in("three", "f")
	raw.ResourceType = delivery.Raw
	put(t, s, raw)
	put(t, s, in("four", "f/sub"))
	put(t, s, in("five", ""))
	for folder, want := range map[string]int64{"f": 3, "f/sub": 1, "": 1, "g": 0} {
		if n, err := s.CountAssetFolder(ctx, "demo", folder); err != nil || n != want {
			t.Errorf("folder %q: %d %v, want %d", folder, n, err, want)
		}
	}
	if n, err := s.CountAssetFolder(ctx, "other", "f"); err != nil || n != 0 {
		t.Errorf("another cloud: %d %v", n, err)
	}
}

// The count reads the index, not the assets, on SQLite (PostgreSQL's
// planner scans tables this small whatever the indexes).
func TestCountAssetFolderIndexed(t *testing.T) {
	s, err := OpenSQLite(t.TempDir() + "/meta.db")
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	plan := explainTB(t, &s.db, assetFolderCountQuery, []any{"demo", "f"})
	if !strings.Contains(plan, "USING COVERING INDEX") || !strings.Contains(plan, "(cloud=? AND asset_folder=?)") {
		t.Fatalf("plan:\n%s", plan)
	}
}
