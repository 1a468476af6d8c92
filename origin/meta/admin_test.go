package meta

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/mediacdn/mediacdn/delivery"
)

func put(t *testing.T, s Store, a *Asset) *Asset {
	t.Helper()
	if _, err := s.Put(context.Background(), a, true); err != nil {
		t.Fatal(err)
	}
	return a
}

func key(id string) Key { return Key{"demo", delivery.Image, delivery.Upload, id} }

func listIDs(t *testing.T, s Store, q ListQuery) []string {
	t.Helper()
	var out []string
	for {
		page, err := s.List(context.Background(), q)
		if err != nil {
			t.Fatal(err)
		}
		for _, a := range page.Assets {
			out = append(out, a.PublicID)
		}
		if page.Next == nil {
			return out
		}
		q.After = page.Next
	}
}

func TestListOrdersAndFilters(t *testing.T) { forEachStore(t, testListOrdersAndFilters) }

func testListOrdersAndFilters(t *testing.T, s Store) {
	for i, id := range []string{"b", "a/1", "a/2", "c"} {
		a := asset(id, "blob"+id)
		a.AssetID = fmt.Sprintf("id%d", i)
		a.Tags = []string{"t" + fmt.Sprint(i%2)}
		a.Context = map[string]string{"k": fmt.Sprint(i % 2)}
		put(t, s, a)
	}
	base := ListQuery{Cloud: "demo", ResourceType: delivery.Image, Type: delivery.Upload, Limit: 1}
	cases := []struct {
		mod  func(*ListQuery)
		want string
	}{
		{func(q *ListQuery) {}, "c a/2 a/1 b"},
		{func(q *ListQuery) { q.Order = OldestFirst }, "b a/1 a/2 c"},
		{func(q *ListQuery) { q.Order, q.Prefix = ByPublicID, "a/" }, "a/1 a/2"},
		{func(q *ListQuery) { q.Order, q.Prefix = ByPublicIDDesc, "a" }, "a/2 a/1"},
		{func(q *ListQuery) { q.Tag, q.Type = "t1", delivery.TypeNone }, "c a/1"},
		{func(q *ListQuery) { q.ContextKey, q.ContextValue, q.MatchContextValue = "k", "0", true }, "a/2 b"},
		{func(q *ListQuery) { q.ContextKey = "k" }, "c a/2 a/1 b"},
		{func(q *ListQuery) { q.Type = delivery.Private }, ""},
	}
	for i, c := range cases {
		q := base
		c.mod(&q)
		if got := strings.Join(listIDs(t, s, q), " "); got != c.want {
			t.Errorf("case %d: %q, want %q", i, got, c.want)
		}
	}
	// Context edits reach the index.
	s.Update(context.Background(), key("c"), func(a *Asset) error { a.Context = map[string]string{"k": "0"}; return nil })
	q := base
	q.ContextKey, q.ContextValue, q.MatchContextValue = "k", "0", true
	if got := strings.Join(listIDs(t, s, q), " "); got != "c a/2 b" {
		t.Errorf("after update: %q", got)
	}
	rts, _ := s.ResourceTypes(context.Background(), "demo")
	if strings.Join(rts, ",") != "image" {
		t.Errorf("resource types %v", rts)
	}
	tags, _ := s.Tags(context.Background(), TagQuery{Cloud: "demo", ResourceType: delivery.Image, Limit: 10})
	if strings.Join(tags, ",") != "t0,t1" {
		t.Errorf("tags %v", tags)
	}
	tags, _ = s.Tags(context.Background(), TagQuery{Cloud: "demo", ResourceType: delivery.Image, After: "t0", Limit: 10})
	if strings.Join(tags, ",") != "t1" {
		t.Errorf("tags after t0: %v", tags)
	}
}

func TestPrefixEnd(t *testing.T) {
	for in, want := range map[string]string{"a": "b", "a/": "a0", "a\xff": "b", "": ""} {
		got, ok := prefixEnd(in)
		if got != want || ok != (want != "") {
			t.Errorf("prefixEnd(%q) = %q, %v", in, got, ok)
		}
	}
}

func derived(t *testing.T, s Store, k Key, version int64, tx string) {
	t.Helper()
	d := &Derived{DerivedKey: DerivedKey{Version: version, Transformation: tx, Format: "jpg"}, Bytes: 5,
		Blob: "d-" + k.PublicID + "-" + tx, CreatedAt: now}
	if _, _, err := s.PutDerived(context.Background(), k, d); err != nil {
		t.Fatal(err)
	}
}

func TestDeleteAssetsPaged(t *testing.T) { forEachStore(t, testDeleteAssetsPaged) }

func testDeleteAssetsPaged(t *testing.T, s Store) {
	ctx := context.Background()
	for i := 0; i < 5; i++ {
		a := put(t, s, asset(fmt.Sprintf("p/%d", i), fmt.Sprint("b", i)))
		a.AssetID = ""
		derived(t, s, a.Key, a.Version, "w_1")
		derived(t, s, a.Key, a.Version, "w_2")
	}
	sel := Selection{Cloud: "demo", ResourceType: delivery.Image, Type: delivery.Upload, Prefixes: []string{"p/"}}
	// keep_original, only w_1, two per call: the cursor walks past the kept originals.
	var after int64
	seen := map[string]int{}
	for calls := 0; ; calls++ {
		res, err := s.DeleteAssets(ctx, DeleteQuery{Selection: sel, After: after, Limit: 2, KeepOriginal: true,
			Derived: func(d *Derived) bool { return d.Transformation == "w_1" }})
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range res.Assets {
			seen[d.PublicID]++
			if !d.Found || d.Original != 0 || d.Derived != 1 || d.Transformations[0] != "w_1" {
				t.Fatalf("%+v", d)
			}
		}
		if len(res.Orphans) != len(res.Assets) {
			t.Fatalf("orphans %v", res.Orphans)
		}
		if after = res.Next; after == 0 {
			if calls != 2 {
				t.Fatalf("%d calls", calls+1)
			}
			break
		}
	}
	if len(seen) != 5 {
		t.Fatalf("seen %v", seen)
	}
	// Now everything, in one call.
	res, err := s.DeleteAssets(ctx, DeleteQuery{Selection: sel, Limit: 10})
	if err != nil || len(res.Assets) != 5 || res.Next != 0 || len(res.Orphans) != 10 {
		t.Fatalf("%+v %v", res, err)
	}
	ids, err := s.DeleteAssets(ctx, DeleteQuery{Selection: Selection{Cloud: "demo", ResourceType: delivery.Image,
		Type: delivery.Upload, PublicIDs: []string{"p/0", "zz"}}, Limit: 10})
	if err != nil || len(ids.Assets) != 2 || ids.Assets[0].Found || ids.Assets[1].PublicID != "zz" {
		t.Fatalf("by ids after delete: %+v %v", ids, err)
	}
}

func TestBackupsKeepRetiredOriginals(t *testing.T) { forEachStore(t, testBackupsKeepRetiredOriginals) }

func testBackupsKeepRetiredOriginals(t *testing.T, s Store) {
	ctx := context.Background()
	put(t, s, asset("nob", "n1"))
	res, _ := s.Put(ctx, asset("nob", "n2"), true)
	if len(res.Orphans) != 1 {
		t.Fatalf("without backup: orphans %v", res.Orphans)
	}
	s.SetBackupPolicy(func(cloud string) bool { return cloud == "demo" })
	a := asset("x", "b1")
	a.AssetID = "ax"
	put(t, s, a)
	b2 := asset("x", "b2")
	b2.AccessMode = AccessAuthenticated
	b2.AccessControl = []AccessRule{{AccessType: AccessAnonymous, Start: 5}}
	res, _ = s.Put(ctx, b2, true)
	if len(res.Orphans) != 0 {
		t.Fatalf("overwrite with backup: orphans %v", res.Orphans)
	}
	del, _ := s.Delete(ctx, a.Key)
	if len(del.Orphans) != 0 {
		t.Fatalf("delete with backup: orphans %v", del.Orphans)
	}
	b, err := s.Backups(ctx, a.Key)
	if err != nil || len(b) != 2 || b[0].Blob != "b2" || b[1].Blob != "b1" || b[0].AssetID != "ax" ||
		b[0].AccessMode != AccessAuthenticated || b[1].AccessMode != AccessPublic ||
		len(b[0].AccessControl) != 1 || b[0].AccessControl[0].Start != 5 || len(b[1].AccessControl) != 0 {
		t.Fatalf("backups %+v %v", b, err)
	}
	byID, _ := s.BackupsByAssetID(ctx, "demo", "ax")
	if len(byID) != 2 {
		t.Fatalf("by asset id %+v", byID)
	}
	gone, err := s.DeleteBackups(ctx, "demo", "ax", []string{b[1].VersionID})
	if err != nil || len(gone) != 1 || gone[0].Blob != "b1" {
		t.Fatalf("delete backups %+v %v", gone, err)
	}
	put(t, s, asset("x", "b3"))
	cl, _ := s.DeleteAssets(ctx, DeleteQuery{Selection: Selection{Cloud: "demo", ResourceType: delivery.Image, Type: delivery.Upload,
		PublicIDs: []string{"x"}}, Limit: 1, ClearBackups: true})
	if strings.Join(cl.Orphans, ",") != "b2,b3" {
		t.Fatalf("clear backups orphans %v", cl.Orphans)
	}
	if b, _ := s.Backups(ctx, a.Key); len(b) != 0 {
		t.Fatalf("backups left %+v", b)
	}
}

func TestTransformations(t *testing.T) { forEachStore(t, testTransformations) }

func testTransformations(t *testing.T, s Store) {
	ctx := context.Background()
	seed := &Transformation{Cloud: "demo", Name: "thumb", Transformation: "w_10", AllowedForStrict: true}
	if ok, err := s.SeedNamed(ctx, seed); !ok || err != nil {
		t.Fatalf("seed: %v %v", ok, err)
	}
	if ok, _ := s.SeedNamed(ctx, seed); ok {
		t.Fatal("seeded twice")
	}
	if err := s.CreateNamed(ctx, seed); !errors.Is(err, ErrExists) {
		t.Fatalf("create existing: %v", err)
	}
	locked := asset("pic", "b")
	locked.AccessMode = AccessAuthenticated
	a := put(t, s, locked)
	derived(t, s, a.Key, a.Version, "t_thumb")
	derived(t, s, a.Key, a.Version, "t_thumb,w_5")
	named := true
	list, _ := s.Transformations(ctx, TransformationQuery{Cloud: "demo", Named: &named, Limit: 10})
	if len(list) != 1 || !list[0].Used {
		t.Fatalf("named %+v", list)
	}
	all, _ := s.Transformations(ctx, TransformationQuery{Cloud: "demo", Limit: 10})
	if len(all) != 2 || !all[0].Named || all[1].Name != "t_thumb,w_5" {
		t.Fatalf("all %+v", all)
	}
	refs, _ := s.DerivedUsing(ctx, "demo", true, "thumb", 0, 10)
	if len(refs) != 2 || refs[0].Asset != a.Key || refs[0].AccessMode != AccessAuthenticated {
		t.Fatalf("using %+v", refs)
	}
	if _, err := s.DeleteTransformation(ctx, "demo", true, "thumb", 1); !errors.Is(err, ErrTooMany) {
		t.Fatalf("too many: %v", err)
	}
	refs, err := s.DeleteTransformation(ctx, "demo", true, "thumb", 10)
	if err != nil || len(refs) != 2 {
		t.Fatalf("delete: %+v %v", refs, err)
	}
	if ok, _ := s.SeedNamed(ctx, seed); ok {
		t.Fatal("a deleted seed came back")
	}
	if err := s.CreateNamed(ctx, seed); err != nil {
		t.Fatalf("re-create: %v", err)
	}
	err = s.UpdateTransformation(ctx, "demo", false, "w_3,c_scale", func(t *Transformation) error {
		t.AllowedForStrict, t.Canonical = true, "c_scale,w_3"
		return nil
	})
	if ok, _ := s.AllowedForStrict(ctx, "demo", "c_scale,w_3"); err != nil || !ok {
		t.Fatalf("allowed: %v %v", ok, err)
	}
}

func TestRelatedAndUsage(t *testing.T) { forEachStore(t, testRelatedAndUsage) }

func testRelatedAndUsage(t *testing.T, s Store) {
	ctx := context.Background()
	a, b := asset("a", "ba"), asset("b", "bb")
	b.AssetID = "a-other"
	put(t, s, a)
	put(t, s, b)
	out, err := s.Relate(ctx, AssetRef{Key: a.Key}, []AssetRef{{Key: b.Key}, {Key: a.Key}, {Key: key("zz")}})
	if err != nil || out[0] != RelationDone || out[1] != RelationToSelf || out[2] != RelationTargetMissing {
		t.Fatalf("relate %v %v", out, err)
	}
	if rel, _ := s.Related(ctx, b.Key, 0, 10); len(rel) != 1 || rel[0].PublicID != "a" {
		t.Fatalf("both ways: %+v", rel)
	}
	if out, _ := s.Relate(ctx, AssetRef{Key: Key{Cloud: "demo"}, AssetID: "a-other"}, []AssetRef{{Key: a.Key}}); out[0] != RelationUnchanged {
		t.Fatalf("again: %v", out)
	}
	derived(t, s, a.Key, a.Version, "w_1")
	u, err := s.Usage(ctx, "demo")
	if err != nil || u.Assets != 2 || u.AssetBytes != 20 || u.Derived != 1 || u.DerivedBytes != 5 || u.Transformations != 1 {
		t.Fatalf("usage %+v %v", u, err)
	}
	s.Delete(ctx, b.Key)
	if rel, _ := s.Related(ctx, a.Key, 0, 10); len(rel) != 0 {
		t.Fatalf("relation to a deleted asset: %+v", rel)
	}
	started := time.Unix(100, 0)
	s.RecordServed(ctx, []Served{{Edge: "e1", Started: started, Requests: 10, Bytes: 100}})
	s.RecordServed(ctx, []Served{{Edge: "e1", Started: started, Requests: 5, Bytes: 50}}) // late, lower: ignored
	s.RecordServed(ctx, []Served{{Edge: "e1", Started: started.Add(time.Hour), Requests: 3, Bytes: 30}})
	if req, by, err := s.Served(ctx, nil); req != 13 || by != 130 || err != nil {
		t.Fatalf("served %d %d %v", req, by, err)
	}
	// Live counters count as if recorded, and are not: e1's second run at
	// 7 requests (3 recorded), a lower byte count (ignored), and e2 not
	// recorded yet.
	live := []Served{{Edge: "e1", Started: started.Add(time.Hour), Requests: 7, Bytes: 20},
		{Edge: "e2", Started: started, Requests: 1, Bytes: 1}}
	if req, by, err := s.Served(ctx, live); req != 18 || by != 131 || err != nil {
		t.Fatalf("served with live counters %d %d %v", req, by, err)
	}
	if req, by, err := s.Served(ctx, nil); req != 13 || by != 130 || err != nil {
		t.Fatalf("served after live counters were counted %d %d %v", req, by, err)
	}
	if err := s.PutAnalysis(ctx, a.Key, a.Version, []byte(`{"x":1}`)); err != nil {
		t.Fatal(err)
	}
	if d, err := s.Analysis(ctx, a.Key, a.Version); err != nil || string(d) != `{"x":1}` {
		t.Fatalf("analysis %s %v", d, err)
	}
	if _, err := s.Analysis(ctx, a.Key, a.Version+1); !errors.Is(err, ErrNotFound) {
		t.Fatalf("other version: %v", err)
	}
}

// Listings by public ID and tags are in byte order, whatever the
// database's own collation (the test PostgreSQL's is en-US), and a prefix
// ending in any character, ASCII or not, selects exactly the public IDs
// that start with it.
func TestListByteOrder(t *testing.T) { forEachStore(t, testListByteOrder) }

func testListByteOrder(t *testing.T, s Store) {
	ids := []string{"B", "_x", "a", "a-b", "a/c", "aB", "ab", "é", "éa", "éz", "ê", "\u07ff", "\u0800", "\U0010ffff"}
	for i, id := range ids {
		a := asset(id, fmt.Sprint("b", i))
		a.AssetID = fmt.Sprint("id", i)
		a.Tags = []string{id}
		put(t, s, a)
	}
	base := ListQuery{Cloud: "demo", ResourceType: delivery.Image, Type: delivery.Upload, Order: ByPublicID, Limit: 3}
	if got := strings.Join(listIDs(t, s, base), " "); got != strings.Join(ids, " ") {
		t.Errorf("by public ID: %q, want %q", got, strings.Join(ids, " "))
	}
	for prefix, want := range map[string]string{"a": "a a-b a/c aB ab", "é": "é éa éz", "\u07ff": "\u07ff", "\U0010ffff": "\U0010ffff"} {
		q := base
		q.Prefix = prefix
		if got := strings.Join(listIDs(t, s, q), " "); got != want {
			t.Errorf("prefix %q: %q, want %q", prefix, got, want)
		}
	}
	tags, err := s.Tags(context.Background(), TagQuery{Cloud: "demo", ResourceType: delivery.Image, Limit: 100})
	if err != nil || strings.Join(tags, " ") != strings.Join(ids, " ") {
		t.Errorf("tags: %q %v", tags, err)
	}
}

// A new asset whose asset ID another asset has is refused with ErrExists,
// changing nothing.
func TestPutTakenAssetID(t *testing.T) { forEachStore(t, testPutTakenAssetID) }

func testPutTakenAssetID(t *testing.T, s Store) {
	put(t, s, asset("one", "b1"))
	twin := asset("two", "b1") // the same AssetID
	if _, err := s.Put(context.Background(), twin, true); !errors.Is(err, ErrExists) {
		t.Fatalf("put with a taken asset ID: %v", err)
	}
	if _, err := s.Asset(context.Background(), key("two")); !errors.Is(err, ErrNotFound) {
		t.Fatalf("refused asset stored: %v", err)
	}
}

func TestPrefixEndRunes(t *testing.T) {
	for in, want := range map[string]string{"a": "b", "a/": "a0", "é": "ê", "a\u00bf": "a\u00c0", "\ud7ff": "\ue000",
		"a\U0010ffff": "b", "\U0010ffff": "", "a\xff": "b"} {
		got, ok := prefixEndRunes(in)
		if got != want || ok != (want != "") {
			t.Errorf("prefixEndRunes(%q) = %q, %v; want %q", in, got, ok, want)
		}
	}
}
