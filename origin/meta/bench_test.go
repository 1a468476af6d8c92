package meta

import (
	"context"
	"fmt"
	"testing"

	"github.com/mediacdn/mediacdn/delivery"
	"github.com/mediacdn/mediacdn/internal/testservers"
)

// The store's hot calls on SQLite and PostgreSQL (a local server with
// fsync off: the round trips and the SQL, not the disk):
//
//	go test -run '^$' -bench . -benchtime 2000x ./origin/meta
func BenchmarkStore(b *testing.B) {
	forEachStoreB(b, func(b *testing.B, s Store) {
		ctx := context.Background()
		batch := make([]*Asset, 1000)
		for i := range batch {
			batch[i] = asset(fmt.Sprintf("seed/%04d", i), fmt.Sprint("seed", i))
		}
		if err := s.Import(ctx, batch); err != nil {
			b.Fatal(err)
		}
		n := 0 // new public IDs across runs (-count)
		b.Run("put-new", func(b *testing.B) {
			for b.Loop() {
				n++
				a := asset(fmt.Sprintf("new/%d", n), fmt.Sprint("new", n))
				if _, err := s.Put(ctx, a, false); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run("get", func(b *testing.B) {
			for i := 0; b.Loop(); i++ {
				if _, err := s.Asset(ctx, batch[i%len(batch)].Key); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run("list-page", func(b *testing.B) {
			q := ListQuery{Cloud: "demo", ResourceType: delivery.Image, Type: delivery.Upload, Prefix: "seed/", Limit: 50}
			for b.Loop() {
				page, err := s.List(ctx, q)
				if err != nil || len(page.Assets) != 50 {
					b.Fatal(len(page.Assets), err)
				}
			}
		})
	})
}

// forEachStoreB is forEachStore for benchmarks.
func forEachStoreB(b *testing.B, bench func(b *testing.B, s Store)) {
	b.Run("sqlite", func(b *testing.B) {
		s, err := OpenSQLite(b.TempDir() + "/meta.db")
		if err != nil {
			b.Fatal(err)
		}
		defer s.Close()
		bench(b, s)
	})
	b.Run("postgres", func(b *testing.B) {
		s := openPostgres(b, testservers.StartPostgres(b).URL)
		defer s.Close()
		bench(b, s)
	})
}
