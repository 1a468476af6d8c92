package meta

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"
)

// jobWith is a context whose writes put a job naming the asset's public
// ID, of at most maxAttempts attempts, in a queue of at most maxQueued.
func jobWith(maxAttempts, maxQueued int) context.Context {
	return WithJob(context.Background(), func(a *Asset) (*Job, error) {
		return &Job{Cloud: a.Cloud, Kind: "eager", Payload: fmt.Appendf(nil, `{"public_id":%q}`, a.PublicID),
			MaxAttempts: maxAttempts, MaxQueued: maxQueued}, nil
	})
}

// A job is written with the change that asks for it, and not when the
// change is refused; a write past the queue's bound fails with nothing
// written; a job is claimed by one holder at a time, tried again after a
// failure, failed for good after its last attempt, and its notification is
// written once, when it ends, by the holder whose lease holds.
func TestJobs(t *testing.T) { forEachStore(t, testJobs) }

func testJobs(t *testing.T, s Store) {
	bg := context.Background()
	ctx := jobWith(2, 2)
	if _, err := s.Put(ctx, asset("a", "b1"), false); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Put(ctx, asset("a", "b2"), false); !errors.Is(err, ErrExists) {
		t.Fatalf("put without overwrite: %v", err)
	}
	if _, err := s.Update(ctx, outboxKey("a"), func(a *Asset) error { a.Tags = []string{"t"}; return nil }); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Put(ctx, asset("full", "b3"), false); !errors.Is(err, ErrJobQueueFull) {
		t.Fatalf("a third job in a queue of 2: %v", err)
	}
	if _, err := s.Asset(bg, outboxKey("full")); !errors.Is(err, ErrNotFound) {
		t.Fatalf("the refused upload was stored: %v", err)
	}
	if _, err := s.Put(bg, asset("quiet", "b4"), false); err != nil {
		t.Fatal(err)
	}
	list, err := s.ListJobs(bg, "demo", 10)
	if err != nil || len(list) != 2 || string(list[0].Payload) != `{"public_id":"a"}` || list[0].State != JobPending {
		t.Fatalf("jobs %+v %v", list, err)
	}

	got, err := s.ClaimJobs(bg, "h1", 10, time.Hour)
	if err != nil || len(got) != 2 || got[0].Kind != "eager" || got[0].MaxAttempts != 2 || got[0].Attempts != 0 {
		t.Fatalf("claim: %+v, %v", got, err)
	}
	if other, err := s.ClaimJobs(bg, "h2", 10, time.Hour); err != nil || len(other) != 0 {
		t.Fatalf("a second holder claimed %d claimed jobs (%v)", len(other), err)
	}
	done := &Notification{Cloud: "demo", URL: "http://hook.example/done", Body: []byte("{}"), RetryFor: time.Hour}
	if st, err := s.FinishJob(bg, got[0].ID, "h2", "", 0, []*Notification{done}); err != nil || st != "" {
		t.Fatalf("another holder finished h1's claim: %q %v", st, err)
	}
	if st, err := s.FinishJob(bg, got[0].ID, "h1", "busy", 0, []*Notification{done}); err != nil || st != JobPending {
		t.Fatalf("first failed attempt of 2: %q %v", st, err)
	}
	also := &Notification{Cloud: "demo", URL: "http://hook.example/also", Body: []byte("{}"), RetryFor: time.Hour}
	if st, err := s.FinishJob(bg, got[1].ID, "h1", "", 0, []*Notification{done, nil, also}); err != nil || st != JobDone {
		t.Fatalf("done: %q %v", st, err)
	}
	again, err := s.ClaimJobs(bg, "h2", 10, time.Hour)
	if err != nil || len(again) != 1 || again[0].ID != got[0].ID || again[0].Attempts != 1 {
		t.Fatalf("retry claim: %+v %v", again, err)
	}
	failed := &Notification{Cloud: "demo", URL: "http://hook.example/failed", Body: []byte("{}"), RetryFor: time.Hour}
	if st, err := s.FinishJob(bg, again[0].ID, "h2", "busy", 0, []*Notification{failed}); err != nil || st != JobFailed {
		t.Fatalf("last attempt failed: %q %v", st, err)
	}
	if st, err := s.FinishJob(bg, again[0].ID, "h2", "", 0, []*Notification{done}); err != nil || st != "" {
		t.Fatalf("a failed job finished again: %q %v", st, err)
	}
	notes, err := s.NotificationsPage(bg, "demo", "", 0, 10)
	if err != nil || len(notes) != 3 || notes[0].URL != failed.URL || notes[1].URL != also.URL || notes[2].URL != done.URL {
		t.Fatalf("outbox %+v %v", notes, err)
	}
	list, err = s.ListJobs(bg, "demo", 10)
	if err != nil || list[1].State != JobFailed || list[1].LastError != "busy" || list[1].Attempts != 2 || list[0].State != JobDone {
		t.Fatalf("jobs %+v %v", list, err)
	}
	if n, err := s.PruneJobs(bg, time.Hour); err != nil || n != 0 {
		t.Fatalf("pruned %d recent jobs (%v)", n, err)
	}
	if n, err := s.PruneJobs(bg, -time.Hour); err != nil || n != 2 {
		t.Fatalf("pruned %d of 2 old jobs (%v)", n, err)
	}
}

// A job whose holder's lease ended is claimed by another holder, and the
// first one's finish then writes nothing.
func TestJobLeaseLost(t *testing.T) { forEachStore(t, testJobLeaseLost) }

func testJobLeaseLost(t *testing.T, s Store) {
	bg := context.Background()
	if _, err := s.Put(jobWith(3, 0), asset("a", "b1"), false); err != nil {
		t.Fatal(err)
	}
	first, err := s.ClaimJobs(bg, "dead", 10, -time.Second) // a lease already over
	if err != nil || len(first) != 1 {
		t.Fatalf("claim: %+v %v", first, err)
	}
	second, err := s.ClaimJobs(bg, "alive", 10, time.Hour)
	if err != nil || len(second) != 1 || second[0].ID != first[0].ID {
		t.Fatalf("claim after the lease: %+v %v", second, err)
	}
	n := &Notification{Cloud: "demo", URL: "http://hook.example/", Body: []byte("{}"), RetryFor: time.Hour}
	if st, err := s.FinishJob(bg, first[0].ID, "dead", "", 0, []*Notification{n}); err != nil || st != "" {
		t.Fatalf("the lost holder finished: %q %v", st, err)
	}
	if st, err := s.FinishJob(bg, second[0].ID, "alive", "", 0, []*Notification{n}); err != nil || st != JobDone {
		t.Fatalf("finish: %q %v", st, err)
	}
	if notes, err := s.NotificationsPage(bg, "demo", "", 0, 10); err != nil || len(notes) != 1 {
		t.Fatalf("%d notifications, want 1 (%v)", len(notes), err)
	}
}

// Two origins claiming at once never claim the same job.
func TestJobsTwoOrigins(t *testing.T) {
	forEachReopened(t, func(t *testing.T, open func() Store) {
		a, b := open(), open()
		t.Cleanup(func() { a.Close(); b.Close() })
		const n = 100
		for i := range n {
			if _, err := a.Put(jobWith(1, 0), asset(fmt.Sprint("j", i), fmt.Sprint("b", i)), false); err != nil {
				t.Fatal(err)
			}
		}
		var mu sync.Mutex
		seen := map[int64]string{}
		var wg sync.WaitGroup
		for i, s := range []Store{a, b, a, b, a, b} {
			wg.Go(func() {
				holder := fmt.Sprint("h", i)
				for {
					got, err := s.ClaimJobs(context.Background(), holder, 2, time.Hour)
					if err != nil {
						t.Error(err)
						return
					}
					if len(got) == 0 {
						return
					}
					mu.Lock()
					for _, g := range got {
						if h, ok := seen[g.ID]; ok {
							t.Errorf("job %d claimed by %s and %s", g.ID, h, holder)
						}
						seen[g.ID] = holder
					}
					mu.Unlock()
				}
			})
		}
		wg.Wait()
		if len(seen) != n {
			t.Fatalf("claimed %d of %d", len(seen), n)
		}
	})
}

// A job enqueued on its own is bounded as the others; a write under
// WithJobDone commits with the job's end, and not at all for a holder
// that lost it; a negative retry fails a job for good at once.
func TestJobDoneWithWrite(t *testing.T) { forEachStore(t, testJobDoneWithWrite) }

func testJobDoneWithWrite(t *testing.T, s Store) {
	bg := context.Background()
	for i := range 3 {
		j := &Job{Cloud: "demo", Kind: "upload", Payload: fmt.Appendf(nil, "%d", i), Blob: fmt.Sprint("jb", i),
			MaxAttempts: 3, MaxQueued: 2}
		err := s.EnqueueJob(bg, j)
		if i < 2 && (err != nil || j.ID == 0) {
			t.Fatalf("enqueue %d: %d %v", i, j.ID, err)
		}
		if i == 2 && !errors.Is(err, ErrJobQueueFull) {
			t.Fatalf("a third job in a queue of 2: %v", err)
		}
	}
	if refs := jobBlobs(t, s); refs != "[jb0 jb1]" {
		t.Fatalf("blobs of pending jobs %s", refs)
	}
	got, err := s.ClaimJobs(bg, "h1", 10, time.Hour)
	if err != nil || len(got) != 2 || got[0].Blob != "jb0" {
		t.Fatalf("claim: %+v %v", got, err)
	}
	if _, err := s.Put(WithJobDone(bg, got[0].ID, "h2"), asset("lost", "b1"), false); !errors.Is(err, ErrJobLost) {
		t.Fatalf("a write for a holder without the job: %v", err)
	}
	if _, err := s.Asset(bg, outboxKey("lost")); !errors.Is(err, ErrNotFound) {
		t.Fatalf("the lost holder's write was committed: %v", err)
	}
	if _, err := s.Put(WithJobDone(bg, got[0].ID, "h1"), asset("kept", "b2"), false); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Put(WithJobDone(bg, got[0].ID, "h1"), asset("again", "b3"), false); !errors.Is(err, ErrJobLost) {
		t.Fatalf("a second write for a done job: %v", err)
	}
	if st, err := s.FinishJob(bg, got[0].ID, "h1", "", 0, nil); err != nil || st != "" {
		t.Fatalf("finishing a job its write ended: %q %v", st, err)
	}
	if st, err := s.FinishJob(bg, got[1].ID, "h1", "Invalid image file", -1, nil); err != nil || st != JobFailed {
		t.Fatalf("a failure not to retry: %q %v", st, err)
	}
	list, err := s.ListJobs(bg, "demo", 10)
	if err != nil || len(list) != 2 || list[1].State != JobDone || list[1].Attempts != 1 || list[0].State != JobFailed {
		t.Fatalf("jobs %+v %v", list, err)
	}
	if refs := jobBlobs(t, s); refs != "[]" {
		t.Fatalf("blobs of ended jobs %s", refs)
	}
}

// jobBlobs lists the blobs BlobRefs reports for jobs, sorted.
func jobBlobs(t *testing.T, s Store) string {
	t.Helper()
	var out []string
	if err := s.BlobRefs(context.Background(), func(r BlobRef) error {
		if r.Kind == RefJob {
			out = append(out, r.Blob)
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	slices.Sort(out)
	return fmt.Sprint(out)
}
