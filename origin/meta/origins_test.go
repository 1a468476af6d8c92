package meta

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"

	"github.com/mediacdn/mediacdn/delivery"
	"github.com/mediacdn/mediacdn/internal/testservers"
)

// What several origins sharing one database need: each test opens the
// same database twice, as two origins would (two pools; on SQLite two
// handles on one file), and writes through both at once.

// twoOrigins opens the store twice on one database.
func twoOrigins(t *testing.T, open func() Store) (Store, Store) {
	t.Helper()
	a, b := open(), open()
	t.Cleanup(func() { a.Close(); b.Close() })
	return a, b
}

// Writers on two origins overwriting one asset (which none of them
// created: the first ones race to create it) take turns: every version is
// new and above the one it replaced, and every write replaced exactly the
// write before it, none lost.
func TestOriginsWriteOneAsset(t *testing.T) {
	forEachReopened(t, func(t *testing.T, open func() Store) {
		a, b := twoOrigins(t, open)
		ctx := context.Background()
		const writers, each = 8, 4
		type write struct {
			version int64
			blob    string
			prev    string // the blob it replaced, "" for the creation
		}
		writes := make(chan write, writers*each)
		start := make(chan struct{})
		var wg sync.WaitGroup
		for w := 0; w < writers; w++ {
			s := []Store{a, b}[w%2]
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				for i := 0; i < each; i++ {
					x := asset("contended", fmt.Sprintf("w%d-%d", w, i))
					res, err := s.Put(ctx, x, true)
					if err != nil {
						t.Error(err)
						return
					}
					wr := write{version: x.Version, blob: x.Blob}
					if res.Prev != nil {
						wr.prev = res.Prev.Blob
					}
					writes <- wr
				}
			}()
		}
		close(start)
		wg.Wait()
		close(writes)
		byVersion := map[int64]write{}
		replaced := map[string]int{}
		var last write
		for w := range writes {
			if _, dup := byVersion[w.version]; dup {
				t.Fatalf("version %d given twice", w.version)
			}
			byVersion[w.version] = w
			replaced[w.prev]++
			if w.version > last.version {
				last = w
			}
		}
		if len(byVersion) != writers*each {
			t.Fatalf("%d writes, want %d", len(byVersion), writers*each)
		}
		// In version order, each write replaced the one before it.
		for v, w := range byVersion {
			if w.prev == "" {
				if v != now.Unix() {
					t.Fatalf("the creation has version %d, want %d", v, now.Unix())
				}
				continue
			}
			var before write
			for u, o := range byVersion {
				if u < v && u > before.version {
					before = o
				}
			}
			if before.blob != w.prev {
				t.Fatalf("version %d replaced %q, want %q (the write of version %d)", v, w.prev, before.blob, before.version)
			}
		}
		for blob, n := range replaced {
			if n != 1 {
				t.Fatalf("%q replaced %d times", blob, n)
			}
		}
		got, err := b.Asset(ctx, key("contended"))
		if err != nil || got.Version != last.version || got.Blob != last.blob {
			t.Fatalf("Asset = %+v, %v; want the last write %+v", got, err, last)
		}
	})
}

// Two origins recording derived resources of one asset at once: every one
// recorded has an ID of its own, and one made by both is recorded once
// (the other's blob reported as an orphan).
func TestOriginsPutDerived(t *testing.T) {
	forEachReopened(t, func(t *testing.T, open func() Store) {
		a, b := twoOrigins(t, open)
		ctx := context.Background()
		x := put(t, a, asset("pic", "orig"))
		const transformations, makers = 12, 4
		type made struct {
			id     int64
			tr     string
			orphan bool
		}
		results := make(chan made, transformations*makers)
		start := make(chan struct{})
		var wg sync.WaitGroup
		for m := 0; m < makers; m++ {
			s := []Store{a, b}[m%2]
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				for i := 0; i < transformations; i++ {
					tr := fmt.Sprintf("w_%d", i)
					d := &Derived{DerivedKey: DerivedKey{Version: x.Version, Transformation: tr, Format: "jpg"},
						Blob: fmt.Sprintf("%s-by-%d", tr, m), CreatedAt: now}
					got, res, err := s.PutDerived(ctx, x.Key, d)
					if err != nil {
						t.Error(err)
						return
					}
					results <- made{id: got.ID, tr: tr, orphan: len(res.Orphans) == 1 && res.Orphans[0] == d.Blob}
				}
			}()
		}
		close(start)
		wg.Wait()
		close(results)
		idOf := map[string]int64{}
		trOf := map[int64]string{}
		orphans := 0
		for r := range results {
			if id, ok := idOf[r.tr]; ok && id != r.id {
				t.Fatalf("%s recorded as %d and %d", r.tr, id, r.id)
			}
			if tr, ok := trOf[r.id]; ok && tr != r.tr {
				t.Fatalf("ID %d given to %s and %s", r.id, tr, r.tr)
			}
			idOf[r.tr], trOf[r.id] = r.id, r.tr
			if r.orphan {
				orphans++
			}
		}
		if orphans != transformations*(makers-1) {
			t.Fatalf("%d makers told their blob is an orphan, want %d", orphans, transformations*(makers-1))
		}
		list, err := a.ListDerived(ctx, x.Key)
		if err != nil || len(list) != transformations {
			t.Fatalf("ListDerived: %d, %v; want %d", len(list), err, transformations)
		}
		u, err := b.Usage(ctx, "demo")
		if err != nil || u.Transformations != transformations {
			t.Fatalf("usage %+v %v: want %d transformations counted", u, err, transformations)
		}
	})
}

// A listing paged through on one origin while another inserts assets
// returns each asset once, and every asset there before it started, in
// each order.
func TestOriginsListWhileInserting(t *testing.T) {
	forEachReopened(t, func(t *testing.T, open func() Store) {
		a, b := twoOrigins(t, open)
		ctx := context.Background()
		const before = 60
		batch := make([]*Asset, before)
		for i := range batch {
			batch[i] = asset(fmt.Sprintf("p/%03d", i), fmt.Sprint("old", i))
		}
		if err := a.Import(ctx, batch); err != nil {
			t.Fatal(err)
		}
		for _, order := range []Order{NewestFirst, OldestFirst, ByPublicID, ByPublicIDDesc} {
			stop := make(chan struct{})
			var wg sync.WaitGroup
			wg.Add(1)
			go func() { // the other origin inserts until the listing is done
				defer wg.Done()
				for i := 0; ; i++ {
					select {
					case <-stop:
						return
					default:
					}
					x := asset(fmt.Sprintf("p/%03d-new-%d-%d", i%before, order, i), fmt.Sprint("new", order, i))
					if _, err := b.Put(ctx, x, false); err != nil {
						t.Error(err)
						return
					}
				}
			}()
			seen := map[string]bool{}
			q := ListQuery{Cloud: "demo", ResourceType: delivery.Image, Type: delivery.Upload, Prefix: "p/", Order: order, Limit: 7}
			for {
				page, err := a.List(ctx, q)
				if err != nil {
					t.Fatal(err)
				}
				for _, x := range page.Assets {
					if seen[x.PublicID] {
						close(stop)
						wg.Wait()
						t.Fatalf("order %d: %s listed twice", order, x.PublicID)
					}
					seen[x.PublicID] = true
				}
				if page.Next == nil {
					break
				}
				q.After = page.Next
			}
			close(stop)
			wg.Wait()
			for _, x := range batch {
				if !seen[x.PublicID] {
					t.Fatalf("order %d: %s, there before the listing, was skipped", order, x.PublicID)
				}
			}
		}
	})
}

// A delete token taken on two origins at once is taken once.
func TestOriginsTakeDeleteToken(t *testing.T) {
	forEachReopened(t, func(t *testing.T, open func() Store) {
		a, b := twoOrigins(t, open)
		ctx := context.Background()
		for i := 0; i < 10; i++ {
			tok := fmt.Sprint("tok", i)
			if err := a.SaveDeleteToken(ctx, tok, key("x"), now.Add(10*60e9)); err != nil {
				t.Fatal(err)
			}
			var wg sync.WaitGroup
			taken := make(chan error, 4)
			for j := 0; j < 4; j++ {
				s := []Store{a, b}[j%2]
				wg.Add(1)
				go func() {
					defer wg.Done()
					_, err := s.TakeDeleteToken(ctx, tok, now)
					taken <- err
				}()
			}
			wg.Wait()
			close(taken)
			ok := 0
			for err := range taken {
				switch {
				case err == nil:
					ok++
				case !errors.Is(err, ErrNotFound):
					t.Fatal(err)
				}
			}
			if ok != 1 {
				t.Fatalf("token %s taken %d times", tok, ok)
			}
		}
	})
}

// Origins starting together on an empty database migrate it once: each
// opens, the schema is there once, and what one writes the others read.
func TestPostgresOpensRaceMigrations(t *testing.T) {
	pg := testservers.StartPostgres(t)
	const origins = 4
	stores := make([]*Postgres, origins)
	errs := make([]error, origins)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range stores {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			stores[i], errs[i] = OpenPostgres(context.Background(), pg.URL, "")
		}()
	}
	close(start)
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("origin %d: %v", i, err)
		}
		defer stores[i].Close()
	}
	var rows, version int
	if err := pg.Open(t).QueryRow(`SELECT count(*), max(version) FROM schema_version`).Scan(&rows, &version); err != nil ||
		rows != 1 || version != len(pgMigrations) {
		t.Fatalf("schema_version: %d rows, version %d, %v; want 1 row, %d", rows, version, err, len(pgMigrations))
	}
	ctx := context.Background()
	x := put(t, stores[0], asset("shared", "b"))
	for i, s := range stores {
		if got, err := s.Asset(ctx, x.Key); err != nil || got.Version != x.Version {
			t.Fatalf("origin %d reads %+v, %v", i, got, err)
		}
	}
	// A restart finds nothing to do.
	again := openPostgres(t, pg.URL)
	again.Close()
}

// Updates of one asset on two origins at once each see the one before:
// none is lost.
func TestOriginsUpdateOneAsset(t *testing.T) {
	forEachReopened(t, func(t *testing.T, open func() Store) {
		a, b := twoOrigins(t, open)
		ctx := context.Background()
		x := asset("tagged", "b")
		x.Tags = nil
		put(t, a, x)
		const updaters = 16
		start := make(chan struct{})
		var wg sync.WaitGroup
		for i := 0; i < updaters; i++ {
			s := []Store{a, b}[i%2]
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				_, err := s.Update(ctx, x.Key, func(u *Asset) error {
					u.Tags = append(u.Tags, fmt.Sprint("t", i))
					return nil
				})
				if err != nil {
					t.Error(err)
				}
			}()
		}
		close(start)
		wg.Wait()
		got, err := a.Asset(ctx, x.Key)
		if err != nil || len(got.Tags) != updaters {
			t.Fatalf("tags after %d updates: %v, %v", updaters, got.Tags, err)
		}
	})
}

// Two origins locking the same assets in opposite orders deadlock;
// PostgreSQL aborts one transaction, which is run again: both calls
// succeed. (Check holds each transaction, its first asset locked, until
// both are there, so that they deadlock every time.)
func TestPostgresDeadlockRetried(t *testing.T) {
	pg := testservers.StartPostgres(t)
	a, b := openPostgres(t, pg.URL), openPostgres(t, pg.URL)
	defer a.Close()
	defer b.Close()
	put(t, a, asset("x", "bx"))
	y := asset("y", "by")
	y.AssetID = "a-y"
	put(t, a, y)
	var both sync.WaitGroup
	both.Add(2)
	var wg sync.WaitGroup
	for i, s := range []Store{a, b} {
		ids := []string{"x", "y"}
		if i == 1 {
			ids = []string{"y", "x"}
		}
		first := true
		q := ExclusiveTags{Cloud: "demo", ResourceType: delivery.Image, Type: delivery.Upload, PublicIDs: ids,
			Tags: []string{fmt.Sprint("by", i)}, Time: now, Check: func([]string) error {
				if first {
					first = false
					both.Done()
					both.Wait()
				}
				return nil
			}}
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := s.SetExclusiveTags(context.Background(), q); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	for _, id := range []string{"x", "y"} {
		got, err := a.Asset(context.Background(), key(id))
		if err != nil || len(got.Tags) != 4 {
			t.Fatalf("%s: tags %v, %v; want both calls' tags", id, got.Tags, err)
		}
	}
}

// A backup one origin made is listed and restored through the other, and
// deleting it on both at once deletes it once: one gets its blob to delete,
// the other finds nothing.
func TestOriginsBackups(t *testing.T) {
	forEachReopened(t, func(t *testing.T, open func() Store) {
		a, b := twoOrigins(t, open)
		ctx := context.Background()
		for _, s := range []Store{a, b} {
			s.SetBackupPolicy(func(cloud string) bool { return cloud == "demo" })
		}
		for i := 0; i < 5; i++ {
			id := fmt.Sprint("kept", i)
			first := asset(id, id+"-v1")
			first.AssetID = "a-" + id
			put(t, a, first)
			if res, err := a.Put(ctx, asset(id, id+"-v2"), true); err != nil || len(res.Orphans) != 0 {
				t.Fatalf("overwrite: %+v %v", res, err)
			}
			backups, err := b.Backups(ctx, key(id))
			if err != nil || len(backups) != 1 || backups[0].Blob != id+"-v1" {
				t.Fatalf("backups on the other origin: %+v %v", backups, err)
			}
			// A restore: the backed-up file (copied) as the new version.
			restored := asset(id, id+"-v3")
			restored.ETag = backups[0].ETag
			if _, err := b.Put(ctx, restored, true); err != nil {
				t.Fatal(err)
			}
			if got, err := a.Asset(ctx, key(id)); err != nil || got.Blob != id+"-v3" || got.AssetID != "a-"+id {
				t.Fatalf("the restored asset on the first origin: %+v %v", got, err)
			}
			byID, err := a.BackupsByAssetID(ctx, "demo", "a-"+id)
			if err != nil || len(byID) != 2 {
				t.Fatalf("backups by asset ID after the restore: %+v %v", byID, err)
			}
			gone := make(chan []Backup, 4)
			var wg sync.WaitGroup
			for j := 0; j < 4; j++ {
				s := []Store{a, b}[j%2]
				wg.Add(1)
				go func() {
					defer wg.Done()
					got, err := s.DeleteBackups(ctx, "demo", "a-"+id, []string{byID[1].VersionID})
					if err != nil && !errors.Is(err, ErrNotFound) {
						t.Error(err)
					}
					gone <- got
				}()
			}
			wg.Wait()
			close(gone)
			var blobs []string
			for g := range gone {
				for _, bk := range g {
					blobs = append(blobs, bk.Blob)
				}
			}
			if len(blobs) != 1 || blobs[0] != id+"-v1" {
				t.Fatalf("a backup deleted on both origins at once: blobs to delete %v, want [%s-v1] once", blobs, id)
			}
		}
	})
}
