package meta

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"
)

// notifyWith is a context whose writes put a notification of the asset's
// public ID and version in the outbox.
func notifyWith(retryFor time.Duration, maxPending int) context.Context {
	return WithNotify(context.Background(), func(a *Asset) ([]*Notification, error) {
		return []*Notification{{Cloud: a.Cloud, URL: "http://hook.example/" + a.PublicID,
			Body:     fmt.Appendf(nil, `{"public_id":%q,"version":%d}`, a.PublicID, a.Version),
			RetryFor: retryFor, MaxPending: maxPending}}, nil
	})
}

// A notification is written with the change that makes it (Put, Update,
// Rename, Delete), and not when the change is refused; it is claimed by
// one holder at a time, tried again after a failure, and delivered once.
func TestOutbox(t *testing.T) { forEachStore(t, testOutbox) }

func testOutbox(t *testing.T, s Store) {
	ctx := notifyWith(time.Hour, 0)
	if _, err := s.Put(ctx, asset("a", "b1"), false); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Put(ctx, asset("a", "b2"), false); !errors.Is(err, ErrExists) {
		t.Fatalf("put without overwrite: %v", err)
	}
	if _, err := s.Update(ctx, outboxKey("a"), func(a *Asset) error { a.Tags = []string{"t"}; return nil }); err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.Rename(ctx, outboxKey("a"), outboxKey("b"), false); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Delete(ctx, outboxKey("b")); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Delete(ctx, outboxKey("b")); !errors.Is(err, ErrNotFound) {
		t.Fatalf("second delete: %v", err)
	}
	if _, err := s.Put(context.Background(), asset("quiet", "b3"), false); err != nil {
		t.Fatal(err)
	}
	list, err := s.NotificationsPage(context.Background(), "demo", "", 0, 10)
	if err != nil {
		t.Fatal(err)
	}
	var urls []string
	for _, n := range list {
		urls = append(urls, n.URL)
	}
	want := []string{"http://hook.example/b", "http://hook.example/b", "http://hook.example/a", "http://hook.example/a"}
	if fmt.Sprint(urls) != fmt.Sprint(want) {
		t.Fatalf("outbox (newest first) = %v, want %v", urls, want)
	}

	got, err := s.ClaimNotifications(context.Background(), "h1", 10, time.Hour)
	if err != nil || len(got) != 4 {
		t.Fatalf("claim: %d, %v", len(got), err)
	}
	if other, err := s.ClaimNotifications(context.Background(), "h2", 10, time.Hour); err != nil || len(other) != 0 {
		t.Fatalf("a second holder claimed %d claimed rows (%v)", len(other), err)
	}
	if st, err := s.FinishNotification(context.Background(), got[0].ID, "h2", true, "", 0); err != nil || st != "" {
		t.Fatalf("another holder finished h1's claim: %q %v", st, err)
	}
	if st, err := s.FinishNotification(context.Background(), got[0].ID, "h1", false, "503", 0); err != nil || st != NotificationPending {
		t.Fatalf("failed attempt: %q %v", st, err)
	}
	for _, n := range got[1:] {
		if st, err := s.FinishNotification(context.Background(), n.ID, "h1", true, "", 0); err != nil || st != NotificationDelivered {
			t.Fatalf("delivered: %q %v", st, err)
		}
	}
	again, err := s.ClaimNotifications(context.Background(), "h2", 10, time.Hour)
	if err != nil || len(again) != 1 || again[0].ID != got[0].ID || again[0].Attempts != 1 {
		t.Fatalf("retry claim: %+v %v", again, err)
	}
	if string(again[0].Body) != string(got[0].Body) || again[0].Algorithm != "sha1" {
		t.Fatalf("claimed %q %q", again[0].Body, again[0].Algorithm)
	}
	if st, err := s.FinishNotification(context.Background(), again[0].ID, "h2", true, "", 0); err != nil || st != NotificationDelivered {
		t.Fatalf("delivered on retry: %q %v", st, err)
	}
	counts, err := s.NotificationCounts(context.Background())
	if err != nil || counts[NotificationDelivered] != 4 || counts[NotificationPending] != 0 {
		t.Fatalf("counts %v %v", counts, err)
	}
	if n, err := s.PruneNotifications(context.Background(), time.Hour); err != nil || n != 0 {
		t.Fatalf("pruned %d recent rows (%v)", n, err)
	}
	if n, err := s.PruneNotifications(context.Background(), -time.Hour); err != nil || n != 4 {
		t.Fatalf("pruned %d of 4 old rows (%v)", n, err)
	}
}

// A notification whose next attempt would come past its RetryFor fails
// for good; a cloud with MaxPending pending notifications gets no more.
func TestOutboxBounds(t *testing.T) { forEachStore(t, testOutboxBounds) }

func testOutboxBounds(t *testing.T, s Store) {
	ctx := notifyWith(time.Minute, 2)
	for _, id := range []string{"a", "b", "c"} {
		if _, err := s.Put(ctx, asset(id, id), false); err != nil {
			t.Fatal(err)
		}
	}
	got, err := s.ClaimNotifications(context.Background(), "h", 10, time.Hour)
	if err != nil || len(got) != 2 {
		t.Fatalf("claimed %d of MaxPending 2 (%v)", len(got), err)
	}
	if st, err := s.FinishNotification(context.Background(), got[0].ID, "h", false, "timeout", time.Second); err != nil || st != NotificationPending {
		t.Fatalf("retry within RetryFor: %q %v", st, err)
	}
	if st, err := s.FinishNotification(context.Background(), got[1].ID, "h", false, "timeout", 2*time.Minute); err != nil || st != NotificationFailed {
		t.Fatalf("retry past RetryFor: %q %v", st, err)
	}
	if later, err := s.ClaimNotifications(context.Background(), "h", 10, time.Hour); err != nil || len(later) != 0 {
		t.Fatalf("claimed %d before their next attempt (%v)", len(later), err)
	}
	// One is pending (the other failed for good).
	n := &Notification{Cloud: "demo", URL: "http://hook.example/x", Body: []byte("{}"), RetryFor: time.Minute, MaxPending: 1}
	if err := s.EnqueueNotification(context.Background(), n); err != nil || n.ID != 0 {
		t.Fatalf("enqueued past MaxPending: %d %v", n.ID, err)
	}
	n.MaxPending = 2
	if err := s.EnqueueNotification(context.Background(), n); err != nil || n.ID == 0 {
		t.Fatalf("not enqueued: %d %v", n.ID, err)
	}
}

// Two origins claiming at once never claim the same notification.
func TestOutboxTwoOrigins(t *testing.T) {
	forEachReopened(t, func(t *testing.T, open func() Store) {
		a, b := open(), open()
		t.Cleanup(func() { a.Close(); b.Close() })
		const n = 200
		for i := range n {
			if err := a.EnqueueNotification(context.Background(), &Notification{Cloud: "demo", URL: "http://h/",
				Body: fmt.Appendf(nil, "%d", i), RetryFor: time.Hour}); err != nil {
				t.Fatal(err)
			}
		}
		var mu sync.Mutex
		seen := map[int64]string{}
		var wg sync.WaitGroup
		for i, s := range []Store{a, b, a, b, a, b, a, b} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				holder := fmt.Sprint("h", i)
				for {
					got, err := s.ClaimNotifications(context.Background(), holder, 2, time.Hour)
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
							t.Errorf("notification %d claimed by %s and %s", g.ID, h, holder)
						}
						seen[g.ID] = holder
					}
					mu.Unlock()
				}
			}()
		}
		wg.Wait()
		if len(seen) != n {
			t.Fatalf("claimed %d of %d", len(seen), n)
		}
	})
}

// outboxKey is the key asset(id, …) writes.
func outboxKey(id string) Key { return asset(id, "").Key }

// Several notifications of one change (its notification_url and its
// triggers) count against MaxPending one by one: the cloud's pending rows
// are read once per transaction and kept up to date.
func TestOutboxBatchBound(t *testing.T) { forEachStore(t, testOutboxBatchBound) }

func testOutboxBatchBound(t *testing.T, s Store) {
	ctx := WithNotify(context.Background(), func(a *Asset) ([]*Notification, error) {
		var list []*Notification
		for i := range 5 {
			list = append(list, &Notification{Cloud: a.Cloud, URL: fmt.Sprint("http://hook.example/", i),
				Body: []byte("{}"), RetryFor: time.Hour, MaxPending: 3})
		}
		return append(list, nil, &Notification{Cloud: "other", URL: "http://hook.example/o", Body: []byte("{}"),
			RetryFor: time.Hour, MaxPending: 1}), nil
	})
	if _, err := s.Put(ctx, asset("a", "b1"), false); err != nil {
		t.Fatal(err)
	}
	got, err := s.ClaimNotifications(context.Background(), "h", 100, time.Hour)
	if err != nil || len(got) != 4 {
		t.Fatalf("claimed %d, want 3 of demo's 5 and other's 1 (%v)", len(got), err)
	}
}
