package meta

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/mediacdn/mediacdn/internal/testkit"
)

// Leases, counts and chunks: what origins sharing one store coordinate
// by.

// A lease is held by one holder until it expires or is released; its
// holder renews it; another holder takes it once it has expired.
func TestLeases(t *testing.T) { forEachStore(t, testLeases) }

func testLeases(t *testing.T, s Store) {
	ctx := context.Background()
	take := func(name, holder string, ttl time.Duration) bool {
		t.Helper()
		ok, err := s.TakeLease(ctx, name, holder, ttl)
		if err != nil {
			t.Fatal(err)
		}
		return ok
	}
	renew := func(name, holder string) bool {
		t.Helper()
		ok, err := s.RenewLease(ctx, name, holder, time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		return ok
	}
	if !take("job", "a", time.Hour) {
		t.Fatal("a free lease was not taken")
	}
	if take("job", "b", time.Hour) {
		t.Fatal("b took a's lease")
	}
	if !take("job", "a", time.Hour) || !renew("job", "a") {
		t.Fatal("a could not take again or renew its own lease")
	}
	if renew("job", "b") {
		t.Fatal("b renewed a's lease")
	}
	if !take("other", "b", time.Hour) {
		t.Fatal("another name is another lease")
	}
	if err := s.ReleaseLease(ctx, "job", "b"); err != nil {
		t.Fatal(err)
	}
	if take("job", "b", time.Hour) {
		t.Fatal("b's release freed a's lease")
	}
	if err := s.ReleaseLease(ctx, "job", "a"); err != nil {
		t.Fatal(err)
	}
	if !take("job", "b", time.Hour) {
		t.Fatal("a released lease was not taken")
	}
	if renew("job", "a") {
		t.Fatal("a renewed a lease it released")
	}

	// A lease expires by the database's clock: b takes a's once its
	// 30 ms are over, and a can no longer renew it.
	if !take("short", "a", 30*time.Millisecond) {
		t.Fatal("take short")
	}
	testkit.Eventually(t, testkit.Timeout, "b takes the expired lease", func() bool { return take("short", "b", time.Hour) })
	if renew("short", "a") {
		t.Error("a renewed a lease b took after it expired")
	}
	// One that expired but that no one took is still its holder's.
	if !take("late", "a", -time.Second) || !renew("late", "a") || take("late", "b", time.Hour) {
		t.Error("an expired lease no one took could not be renewed by its holder")
	}
}

// Of many holders on two origins taking one lease at once (free, or
// expired), exactly one gets it.
func TestLeasesAcrossOrigins(t *testing.T) {
	forEachReopened(t, func(t *testing.T, open func() Store) {
		a, b := twoOrigins(t, open)
		ctx := context.Background()
		race := func(name string) []string {
			var mu sync.Mutex
			var won []string
			var wg sync.WaitGroup
			start := make(chan struct{})
			for i := range 16 {
				s := []Store{a, b}[i%2]
				holder := fmt.Sprintf("h%d", i)
				wg.Add(1)
				go func() {
					defer wg.Done()
					<-start
					ok, err := s.TakeLease(ctx, name, holder, time.Hour)
					if err != nil {
						t.Error(err)
					}
					if ok {
						mu.Lock()
						won = append(won, holder)
						mu.Unlock()
					}
				}()
			}
			close(start)
			wg.Wait()
			return won
		}
		for round := range 5 {
			name := fmt.Sprintf("free-%d", round)
			if won := race(name); len(won) != 1 {
				t.Fatalf("%s: taken by %v, want exactly one holder", name, won)
			}
			// Already expired when made: every contender finds it expired.
			name = fmt.Sprintf("expired-%d", round)
			if ok, err := a.TakeLease(ctx, name, "dead", -time.Second); err != nil || !ok {
				t.Fatal(ok, err)
			}
			if won := race(name); len(won) != 1 {
				t.Fatalf("%s: taken by %v, want exactly one holder", name, won)
			}
		}
	})
}

// AddCount counts per name and window, reads with 0, and the first count
// of a window drops the name's earlier ones.
func TestCounts(t *testing.T) { forEachStore(t, testCounts) }

func testCounts(t *testing.T, s Store) {
	ctx := context.Background()
	hour := now.Truncate(time.Hour)
	add := func(name string, w time.Time, n, want int64) {
		t.Helper()
		got, err := s.AddCount(ctx, name, w, n)
		if err != nil || got != want {
			t.Fatalf("AddCount(%s, %v, %d) = %d, %v; want %d", name, w, n, got, err, want)
		}
	}
	add("admin:demo", hour, 1, 1)
	add("admin:demo", hour, 1, 2)
	add("admin:demo", hour, 3, 5)
	add("admin:demo", hour, 0, 5)
	add("admin:other", hour, 0, 0)
	add("admin:other", hour, 1, 1)
	rows := func() int {
		t.Helper()
		var n int
		if err := rawDB(s).r.QueryRowContext(ctx, `SELECT count(*) FROM window_counts`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	if n := rows(); n != 2 {
		t.Fatalf("%d windows kept, want 2", n)
	}
	next := hour.Add(time.Hour)
	add("admin:demo", next, 1, 1)
	add("admin:demo", next, 1, 2)
	if n := rows(); n != 2 {
		t.Fatalf("%d windows kept after demo's new hour began, want 2 (one for each name)", n)
	}
	add("admin:other", hour, 1, 2) // other's first count of the new hour is still to come
	add("admin:other", next, 1, 1)
	if n := rows(); n != 2 {
		t.Fatalf("%d windows kept after other's new hour began, want 2", n)
	}
}

// Counting at once on two origins loses no count and gives each its own
// count after.
func TestCountsAcrossOrigins(t *testing.T) {
	forEachReopened(t, func(t *testing.T, open func() Store) {
		a, b := twoOrigins(t, open)
		ctx := context.Background()
		const writers, each = 8, 25
		got := make(chan int64, writers*each)
		var wg sync.WaitGroup
		for w := range writers {
			s := []Store{a, b}[w%2]
			wg.Add(1)
			go func() {
				defer wg.Done()
				for range each {
					n, err := s.AddCount(ctx, "admin:demo", now, 1)
					if err != nil {
						t.Error(err)
						return
					}
					got <- n
				}
			}()
		}
		wg.Wait()
		close(got)
		var counts []int64
		for n := range got {
			counts = append(counts, n)
		}
		slices.Sort(counts)
		for i, n := range counts {
			if n != int64(i+1) {
				t.Fatalf("counts after each add: %v, want 1 to %d once each", counts, writers*each)
			}
		}
		if len(counts) != writers*each {
			t.Fatalf("%d adds answered, want %d", len(counts), writers*each)
		}
	})
}

// chunk is a chunk of upload id in the demo cloud.
func chunk(id string, start, end, total int64, created time.Time) Chunk {
	return Chunk{ChunkUpload: ChunkUpload{Cloud: "demo", UploadID: id}, Start: start, End: end, Total: total,
		Blob: fmt.Sprintf("%s-%d", id, start), Created: created}
}

// Chunks are recorded once per start, listed in order, counted per
// cloud, referred to as blobs, found abandoned by their latest, and taken
// once.
func TestChunks(t *testing.T) { forEachStore(t, testChunks) }

func testChunks(t *testing.T, s Store) {
	ctx := context.Background()
	old, recent := now.Add(-2*time.Hour), now
	for _, c := range []Chunk{chunk("up1", 20, 29, 30, old), chunk("up1", 0, 9, -1, old), chunk("up1", 10, 19, -1, old),
		chunk("up2", 0, 9, -1, old), chunk("up2", 10, 14, 15, recent)} {
		if err := s.AddChunk(ctx, c); err != nil {
			t.Fatal(err)
		}
	}
	dup := chunk("up1", 10, 19, -1, recent)
	dup.Blob = "again"
	if err := s.AddChunk(ctx, dup); !errors.Is(err, ErrExists) {
		t.Fatalf("a second chunk at the same start: %v", err)
	}
	other := chunk("up1", 0, 9, -1, recent)
	other.Cloud = "other"
	if err := s.AddChunk(ctx, other); err != nil {
		t.Fatalf("the same upload ID in another cloud: %v", err)
	}
	starts := func(cs []Chunk) []int64 {
		var out []int64
		for _, c := range cs {
			out = append(out, c.Start)
		}
		return out
	}
	cs, err := s.Chunks(ctx, "demo", "up1")
	if err != nil || !slices.Equal(starts(cs), []int64{0, 10, 20}) {
		t.Fatalf("Chunks = %+v, %v", cs, err)
	}
	if c := cs[1]; c.End != 19 || c.Total != -1 || c.Blob != "up1-10" || !c.Created.Equal(old) {
		t.Fatalf("chunk read back: %+v", c)
	}
	if cs[2].Total != 30 {
		t.Fatalf("the last chunk's total: %+v", cs[2])
	}
	if n, err := s.ChunkUploads(ctx, "demo"); err != nil || n != 2 {
		t.Fatalf("ChunkUploads(demo) = %d, %v", n, err)
	}
	if n, err := s.ChunkUploads(ctx, "nobody"); err != nil || n != 0 {
		t.Fatalf("ChunkUploads(nobody) = %d, %v", n, err)
	}
	var refs []string
	if err := s.BlobRefs(ctx, func(r BlobRef) error {
		if r.Kind == RefChunk {
			refs = append(refs, fmt.Sprintf("%s/%s@%d=%s", r.Cloud, r.UploadID, r.Version, r.Blob))
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	slices.Sort(refs)
	if want := []string{"demo/up1@0=up1-0", "demo/up1@10=up1-10", "demo/up1@20=up1-20", "demo/up2@0=up2-0",
		"demo/up2@10=up2-10", "other/up1@0=up1-0"}; !slices.Equal(refs, want) {
		t.Fatalf("chunk blob refs %v, want %v", refs, want)
	}

	// up1 is abandoned (all its chunks are old); up2 is not (its latest is
	// recent); other's is recent.
	exp, err := s.ExpiredChunkUploads(ctx, now.Add(-time.Hour), 10)
	if err != nil || !slices.Equal(exp, []ChunkUpload{{"demo", "up1"}}) {
		t.Fatalf("ExpiredChunkUploads = %v, %v", exp, err)
	}
	if exp, err := s.ExpiredChunkUploads(ctx, now.Add(time.Hour), 2); err != nil || len(exp) != 2 {
		t.Fatalf("ExpiredChunkUploads with a limit of 2 = %v, %v", exp, err)
	}

	taken, err := s.TakeChunks(ctx, "demo", "up1")
	if err != nil || !slices.Equal(starts(taken), []int64{0, 10, 20}) || taken[2].Blob != "up1-20" {
		t.Fatalf("TakeChunks = %+v, %v", taken, err)
	}
	if again, err := s.TakeChunks(ctx, "demo", "up1"); err != nil || len(again) != 0 {
		t.Fatalf("TakeChunks again = %+v, %v", again, err)
	}
	if cs, err := s.Chunks(ctx, "demo", "up1"); err != nil || len(cs) != 0 {
		t.Fatalf("Chunks after TakeChunks = %+v, %v", cs, err)
	}
	if cs, err := s.Chunks(ctx, "other", "up1"); err != nil || len(cs) != 1 {
		t.Fatalf("another cloud's upload of the same ID after TakeChunks = %+v, %v", cs, err)
	}
}

// A refused upload's chunks are taken with the refusal recorded; the
// refusal holds until it expires, and expired refusals are dropped when
// another is recorded.
func TestChunkRefusals(t *testing.T) { forEachStore(t, testChunkRefusals) }

func testChunkRefusals(t *testing.T, s Store) {
	ctx := context.Background()
	for _, c := range []Chunk{chunk("bad", 0, 9, -1, now), chunk("bad", 10, 19, -1, now)} {
		if err := s.AddChunk(ctx, c); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := s.ChunkRefusal(ctx, "demo", "bad", now); !errors.Is(err, ErrNotFound) {
		t.Fatalf("a refusal before any: %v", err)
	}
	r := ChunkRefusal{Status: 400, Message: "All parts except EOF-chunk must be larger than 5mb", Expires: now.Add(time.Hour)}
	taken, err := s.RefuseChunkUpload(ctx, "demo", "bad", r, now)
	if err != nil || len(taken) != 2 || taken[0].Start != 0 || taken[1].Blob != "bad-10" {
		t.Fatalf("RefuseChunkUpload = %+v, %v", taken, err)
	}
	if cs, _ := s.Chunks(ctx, "demo", "bad"); len(cs) != 0 {
		t.Fatalf("chunks left after the refusal: %+v", cs)
	}
	got, err := s.ChunkRefusal(ctx, "demo", "bad", now.Add(59*time.Minute))
	if err != nil || got.Status != 400 || got.Message != r.Message || !got.Expires.Equal(r.Expires) {
		t.Fatalf("ChunkRefusal = %+v, %v", got, err)
	}
	if _, err := s.ChunkRefusal(ctx, "other", "bad", now); !errors.Is(err, ErrNotFound) {
		t.Fatalf("another cloud's upload of the same ID: %v", err)
	}
	if _, err := s.ChunkRefusal(ctx, "demo", "bad", now.Add(time.Hour)); !errors.Is(err, ErrNotFound) {
		t.Fatalf("an expired refusal: %v", err)
	}
	later := now.Add(2 * time.Hour)
	if _, err := s.RefuseChunkUpload(ctx, "demo", "worse", ChunkRefusal{Status: 400, Message: "m",
		Expires: later.Add(time.Hour)}, later); err != nil {
		t.Fatal(err)
	}
	var n int
	if err := rawDB(s).r.QueryRowContext(ctx, `SELECT count(*) FROM chunk_refusals`).Scan(&n); err != nil || n != 1 {
		t.Fatalf("%d refusals kept (%v), want 1: the expired one dropped", n, err)
	}
}

// Of origins taking an upload's chunks at once (each found the upload
// complete), one gets them all and the others none.
func TestTakeChunksAcrossOrigins(t *testing.T) {
	forEachReopened(t, func(t *testing.T, open func() Store) {
		a, b := twoOrigins(t, open)
		ctx := context.Background()
		for round := range 5 {
			id := fmt.Sprintf("up%d", round)
			for i := range int64(6) {
				if err := []Store{a, b}[i%2].AddChunk(ctx, chunk(id, i*10, i*10+9, 60, now)); err != nil {
					t.Fatal(err)
				}
			}
			got := make(chan int, 8)
			var wg sync.WaitGroup
			start := make(chan struct{})
			for i := range 8 {
				s := []Store{a, b}[i%2]
				wg.Add(1)
				go func() {
					defer wg.Done()
					<-start
					cs, err := s.TakeChunks(ctx, "demo", id)
					if err != nil {
						t.Error(err)
					}
					got <- len(cs)
				}()
			}
			close(start)
			wg.Wait()
			close(got)
			var sizes []int
			for n := range got {
				sizes = append(sizes, n)
			}
			slices.Sort(sizes)
			if !slices.Equal(sizes, []int{0, 0, 0, 0, 0, 0, 0, 6}) {
				t.Fatalf("%s: chunks each taker got: %v, want one 6 and seven 0", id, sizes)
			}
		}
	})
}
