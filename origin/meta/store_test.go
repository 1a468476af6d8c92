package meta

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/mediacdn/mediacdn/delivery"
)

var now = time.Unix(1_800_000_000, 0).UTC()

func asset(id, blob string) *Asset {
	return &Asset{Key: Key{"demo", delivery.Image, delivery.Upload, id}, AssetID: "a-" + blob, VersionID: "v-" + blob,
		Format: "jpg", Bytes: 10, Width: 4, Height: 3, Pages: 1, ETag: "e", Blob: blob,
		CreatedAt: now, UpdatedAt: now, Tags: []string{"t1", "t2"}, Context: map[string]string{"k": "v"}}
}

func TestPutVersionsStrictlyIncrease(t *testing.T) { forEachStore(t, testPutVersionsStrictlyIncrease) }

func testPutVersionsStrictlyIncrease(t *testing.T, s Store) {
	ctx := context.Background()
	a := asset("folder/pic", "b1")
	res, err := s.Put(ctx, a, true)
	if err != nil || res.Prev != nil || a.Version != now.Unix() {
		t.Fatalf("first put: %+v %v version %d", res, err, a.Version)
	}
	// Same second, twice more: versions still increase.
	var last int64 = a.Version
	for i, blob := range []string{"b2", "b3"} {
		b := asset("folder/pic", blob)
		res, err := s.Put(ctx, b, true)
		if err != nil || res.Prev == nil || b.Version != last+1 || b.AssetID != "a-b1" {
			t.Fatalf("overwrite %d: %+v %v version %d asset id %s", i, res, err, b.Version, b.AssetID)
		}
		if len(res.Orphans) != 1 || res.Orphans[0] != res.Prev.Blob {
			t.Fatalf("orphans %v", res.Orphans)
		}
		last = b.Version
	}
	got, err := s.Asset(ctx, a.Key)
	if err != nil || got.Blob != "b3" || got.Version != last || len(got.Tags) != 2 || got.Context["k"] != "v" {
		t.Fatalf("Asset = %+v, %v", got, err)
	}
}

func TestPutWithoutOverwrite(t *testing.T) { forEachStore(t, testPutWithoutOverwrite) }

func testPutWithoutOverwrite(t *testing.T, s Store) {
	ctx := context.Background()
	s.Put(ctx, asset("x", "b1"), true)
	res, err := s.Put(ctx, asset("x", "b2"), false)
	if !errors.Is(err, ErrExists) || res.Prev == nil || res.Prev.Blob != "b1" {
		t.Fatalf("put without overwrite: %+v %v", res, err)
	}
	got, _ := s.Asset(ctx, Key{"demo", delivery.Image, delivery.Upload, "x"})
	if got.Blob != "b1" {
		t.Fatalf("asset changed: %+v", got)
	}
}

func TestVersionNeverReusedAfterDelete(t *testing.T) {
	forEachStore(t, testVersionNeverReusedAfterDelete)
}

func testVersionNeverReusedAfterDelete(t *testing.T, s Store) {
	ctx := context.Background()
	a := asset("x", "b1")
	s.Put(ctx, a, true)
	res, err := s.Delete(ctx, a.Key)
	if err != nil || res.Prev == nil || len(res.Orphans) != 1 {
		t.Fatalf("delete: %+v %v", res, err)
	}
	if _, err := s.Delete(ctx, a.Key); !errors.Is(err, ErrNotFound) {
		t.Fatalf("second delete: %v", err)
	}
	b := asset("x", "b2")
	b.AssetID = "a-new"
	s.Put(ctx, b, true)
	if b.Version <= a.Version {
		t.Fatalf("re-created asset reused version %d (was %d)", b.Version, a.Version)
	}
}

func TestRename(t *testing.T) { forEachStore(t, testRename) }

func testRename(t *testing.T, s Store) {
	ctx := context.Background()
	a := asset("old", "b1")
	s.Put(ctx, a, true)
	c := asset("taken", "b2")
	c.AssetID = "a-c"
	s.Put(ctx, c, true)
	to := Key{"demo", delivery.Image, delivery.Upload, "taken"}
	if _, _, err := s.Rename(ctx, a.Key, to, false); !errors.Is(err, ErrExists) {
		t.Fatalf("rename onto existing: %v", err)
	}
	got, res, err := s.Rename(ctx, a.Key, to, true)
	if err != nil || got.PublicID != "taken" || got.Blob != "b1" || res.Prev == nil || res.Orphans[0] != "b2" {
		t.Fatalf("rename overwrite: %+v %+v %v", got, res, err)
	}
	// "taken" had version now; the renamed asset must not reuse it.
	if got.Version <= c.Version {
		t.Fatalf("renamed version %d not above %d", got.Version, c.Version)
	}
	if _, err := s.Asset(ctx, a.Key); !errors.Is(err, ErrNotFound) {
		t.Fatalf("old key still there: %v", err)
	}
	if _, _, err := s.Rename(ctx, a.Key, Key{"demo", delivery.Image, delivery.Upload, "z"}, false); !errors.Is(err, ErrNotFound) {
		t.Fatalf("rename missing: %v", err)
	}
}

func TestUpdateKeepsIdentity(t *testing.T) { forEachStore(t, testUpdateKeepsIdentity) }

func testUpdateKeepsIdentity(t *testing.T, s Store) {
	ctx := context.Background()
	a := asset("x", "b1")
	s.Put(ctx, a, true)
	got, err := s.Update(ctx, a.Key, func(u *Asset) error {
		u.Tags = []string{"new"}
		u.Blob = "hijack"
		u.Version = 1
		return nil
	})
	if err != nil || got.Blob != "b1" || got.Version != a.Version || len(got.Tags) != 1 {
		t.Fatalf("Update = %+v, %v", got, err)
	}
	boom := errors.New("boom")
	if _, err := s.Update(ctx, a.Key, func(*Asset) error { return boom }); !errors.Is(err, boom) {
		t.Fatalf("Update error: %v", err)
	}
}

func TestDeleteTokens(t *testing.T) { forEachStore(t, testDeleteTokens) }

func testDeleteTokens(t *testing.T, s Store) {
	ctx := context.Background()
	k := Key{"demo", delivery.Image, delivery.Upload, "x"}
	s.SaveDeleteToken(ctx, "tok", k, now.Add(10*time.Minute))
	s.SaveDeleteToken(ctx, "old", k, now.Add(-time.Second))
	if _, err := s.TakeDeleteToken(ctx, "old", now); !errors.Is(err, ErrNotFound) {
		t.Fatalf("expired token: %v", err)
	}
	got, err := s.TakeDeleteToken(ctx, "tok", now)
	if err != nil || got != k {
		t.Fatalf("take: %v %v", got, err)
	}
	if _, err := s.TakeDeleteToken(ctx, "tok", now); !errors.Is(err, ErrNotFound) {
		t.Fatalf("token reused: %v", err)
	}
}

func TestConcurrentPutsSerialize(t *testing.T) { forEachStore(t, testConcurrentPutsSerialize) }

func testConcurrentPutsSerialize(t *testing.T, s Store) {
	ctx := context.Background()
	var wg sync.WaitGroup
	versions := make(chan int64, 20)
	for i := 0; i < 20; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			a := asset("same", "b")
			if _, err := s.Put(ctx, a, true); err != nil {
				t.Error(err)
			}
			versions <- a.Version
		}()
	}
	wg.Wait()
	close(versions)
	seen := map[int64]bool{}
	for v := range versions {
		if seen[v] {
			t.Fatalf("version %d given twice", v)
		}
		seen[v] = true
	}
}

func TestDerivedLifecycle(t *testing.T) { forEachStore(t, testDerivedLifecycle) }

func testDerivedLifecycle(t *testing.T, s Store) {
	ctx := context.Background()
	a := asset("pic", "orig1")
	s.Put(ctx, a, true)
	dk := DerivedKey{Version: a.Version, Transformation: "c_fill,w_100", Format: "webp"}
	d := &Derived{DerivedKey: dk, Bytes: 5, Width: 100, Height: 50, ETag: "x", Blob: "d1", CreatedAt: now}
	got, res, err := s.PutDerived(ctx, a.Key, d)
	if err != nil || got.ID == 0 || len(res.Orphans) != 0 {
		t.Fatalf("PutDerived: %+v %+v %v", got, res, err)
	}
	// A concurrent twin keeps the first and orphans its own blob.
	twin := *d
	twin.Blob = "d2"
	got2, res, err := s.PutDerived(ctx, a.Key, &twin)
	if err != nil || got2.Blob != "d1" || len(res.Orphans) != 1 || res.Orphans[0] != "d2" {
		t.Fatalf("twin: %+v %+v %v", got2, res, err)
	}
	if found, err := s.Derived(ctx, a.Key, dk); err != nil || found.Blob != "d1" {
		t.Fatalf("Derived: %+v %v", found, err)
	}
	// Recording a derived image commits without syncing, and leaves the
	// one write connection syncing again for everything else (a stale
	// record, which rolls back, below too).
	if sync := writerSync(t, s); sync != 2 {
		t.Fatalf("writer synchronous = %d after PutDerived, want 2 (FULL)", sync)
	}
	// A derived image of an old version is refused.
	old := *d
	old.Version--
	if _, _, err := s.PutDerived(ctx, a.Key, &old); !errors.Is(err, ErrStale) {
		t.Fatalf("stale version: %v", err)
	}
	if sync := writerSync(t, s); sync != 2 {
		t.Fatalf("writer synchronous = %d after a refused PutDerived, want 2 (FULL)", sync)
	}
	// Overwrite: the old version's derived files become orphans.
	b := asset("pic", "orig2")
	res, err = s.Put(ctx, b, true)
	if err != nil || len(res.Orphans) != 2 {
		t.Fatalf("overwrite orphans: %+v %v", res, err)
	}
	if _, err := s.Derived(ctx, a.Key, dk); !errors.Is(err, ErrNotFound) {
		t.Fatalf("old derived still found: %v", err)
	}
	d3 := &Derived{DerivedKey: DerivedKey{Version: b.Version, Transformation: "w_10", Format: "jpg"}, Blob: "d3", CreatedAt: now}
	s.PutDerived(ctx, b.Key, d3)
	list, _ := s.ListDerived(ctx, b.Key)
	if len(list) != 1 || list[0].Blob != "d3" {
		t.Fatalf("ListDerived: %+v", list)
	}
	res, err = s.Delete(ctx, b.Key)
	if err != nil || len(res.Orphans) != 2 {
		t.Fatalf("delete orphans: %+v %v", res, err)
	}
	if _, _, err := s.PutDerived(ctx, b.Key, d3); !errors.Is(err, ErrNotFound) {
		t.Fatalf("derived of a deleted asset: %v", err)
	}
}

// A derived ID the Admin API handed out never names another derived file,
// not even after its own was deleted and the database reopened.
func TestDerivedIDNeverReused(t *testing.T) {
	forEachReopened(t, func(t *testing.T, open func() Store) {
		s := open()
		ctx := context.Background()
		a := asset("pic", "orig1")
		if _, err := s.Put(ctx, a, true); err != nil {
			t.Fatal(err)
		}
		put := func(s Store, tr string) int64 {
			t.Helper()
			d := &Derived{DerivedKey: DerivedKey{Version: a.Version, Transformation: tr, Format: "jpg"}, Blob: tr, CreatedAt: now}
			got, _, err := s.PutDerived(ctx, a.Key, d)
			if err != nil {
				t.Fatal(err)
			}
			return got.ID
		}
		first := put(s, "w_1")
		if _, err := s.DeleteDerived(ctx, "demo", []int64{first}); err != nil {
			t.Fatal(err)
		}
		second := put(s, "w_2")
		if second <= first {
			t.Fatalf("derived ID %d reused after delete (first was %d)", second, first)
		}
		if _, err := s.DeleteDerived(ctx, "demo", []int64{second}); err != nil {
			t.Fatal(err)
		}
		s.Close()
		s = open()
		defer s.Close()
		if third := put(s, "w_3"); third <= second {
			t.Fatalf("derived ID %d reused after reopening (last was %d)", third, second)
		}
	})
}

// writerSync is SQLite's write connection's PRAGMA synchronous (2 is
// FULL); PostgreSQL's relaxed commits are for their transaction only
// (SET LOCAL): 2 there.
func writerSync(t *testing.T, s Store) int {
	t.Helper()
	sq, ok := s.(*SQLite)
	if !ok {
		return 2
	}
	var v int
	if err := sq.w.QueryRow("PRAGMA synchronous").Scan(&v); err != nil {
		t.Fatal(err)
	}
	return v
}

// Put stores an analysis given with the version in the same transaction;
// an overwrite drops the analyses of earlier versions.
func TestPutStoresAnalysis(t *testing.T) { forEachStore(t, testPutStoresAnalysis) }

func testPutStoresAnalysis(t *testing.T, s Store) {
	ctx := context.Background()
	a := asset("analysed", "b1")
	a.Analysis = []byte(`{"pixels":true}`)
	if _, err := s.Put(ctx, a, true); err != nil {
		t.Fatal(err)
	}
	if d, err := s.Analysis(ctx, a.Key, a.Version); err != nil || string(d) != `{"pixels":true}` {
		t.Fatalf("analysis put with the version: %s %v", d, err)
	}
	b := asset("analysed", "b2")
	if _, err := s.Put(ctx, b, true); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Analysis(ctx, a.Key, a.Version); !errors.Is(err, ErrNotFound) {
		t.Fatalf("the overwritten version's analysis: %v", err)
	}
	if _, err := s.Analysis(ctx, b.Key, b.Version); !errors.Is(err, ErrNotFound) {
		t.Fatalf("an analysis for a version put without one: %v", err)
	}
	c := asset("analysed", "b3")
	c.Analysis = []byte(`{}`)
	if _, err := s.Put(ctx, c, false); !errors.Is(err, ErrExists) {
		t.Fatal(err)
	}
	if _, err := s.Analysis(ctx, b.Key, b.Version); !errors.Is(err, ErrNotFound) {
		t.Fatalf("an analysis stored by a Put that changed nothing: %v", err)
	}
}

// A key's resource type and type are stored as their names (what the
// indexes, migrations and `sqlite3` see), read back typed, and a name the
// store does not know is an error, never the zero value.
func TestKeyStoredByName(t *testing.T) { forEachStore(t, testKeyStoredByName) }

func testKeyStoredByName(t *testing.T, s Store) {
	ctx := context.Background()
	a := asset("named", "b1")
	a.ResourceType, a.Type = delivery.Video, delivery.Authenticated
	if _, err := s.Put(ctx, a, true); err != nil {
		t.Fatal(err)
	}
	var rt, typ string
	if err := rawDB(s).r.QueryRowContext(ctx, `SELECT resource_type, type FROM assets WHERE public_id = 'named'`).
		Scan(&rt, &typ); err != nil || rt != "video" || typ != "authenticated" {
		t.Fatalf("stored %q %q, %v; want video authenticated", rt, typ, err)
	}
	got, err := s.Asset(ctx, a.Key)
	if err != nil || got.Key != a.Key {
		t.Fatalf("Asset = %+v, %v; want key %+v", got, err, a.Key)
	}
	if _, err := rawDB(s).w.ExecContext(ctx, `UPDATE assets SET type = 'bogus' WHERE public_id = 'named'`); err != nil {
		t.Fatal(err)
	}
	page, err := s.List(ctx, ListQuery{Cloud: "demo", Limit: 10})
	if err == nil {
		t.Fatalf("a damaged type listed without an error: %+v", page.Assets[0].Key)
	}
}
