package meta

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/mediacdn/mediacdn/delivery"
)

// Triggers: created once per URI and event type and at most max per
// cloud, listed oldest first (all, or of one event type), updated and
// deleted by ID; TriggerURIs finds the URIs a change of an event type
// notifies, its own triggers' and those of "all", each once.
func TestTriggers(t *testing.T) {
	forEachStore(t, func(t *testing.T, s Store) {
		ctx := context.Background()
		now := time.Unix(1_800_000_000, 0).UTC()
		mk := func(cloud, id, uri, ev string, i int) *Trigger {
			at := now.Add(time.Duration(i) * time.Second)
			return &Trigger{Cloud: cloud, ID: id, URI: uri, EventType: ev, CreatedAt: at, UpdatedAt: at}
		}
		for i, tr := range []*Trigger{mk("demo", "t1", "https://a.test/", "upload", 1), mk("demo", "t2", "https://b.test/", "upload", 2),
			mk("demo", "t3", "https://a.test/", "all", 3), mk("demo", "t4", "https://c.test/", "delete", 4)} {
			if err := s.CreateTrigger(ctx, tr, 5); err != nil {
				t.Fatalf("create %d: %v", i, err)
			}
		}
		if err := s.CreateTrigger(ctx, mk("demo", "t5", "https://a.test/", "upload", 5), 5); !errors.Is(err, ErrExists) {
			t.Fatalf("duplicate uri and event type: %v", err)
		}
		if err := s.CreateTrigger(ctx, mk("other", "t1", "https://a.test/", "upload", 5), 5); err != nil {
			t.Fatalf("another cloud's: %v", err)
		}
		if err := s.CreateTrigger(ctx, mk("demo", "t6", "https://d.test/", "rename", 6), 5); err != nil {
			t.Fatalf("fifth: %v", err)
		}
		if err := s.CreateTrigger(ctx, mk("demo", "t7", "https://e.test/", "rename", 7), 5); !errors.Is(err, ErrTooMany) {
			t.Fatalf("sixth: %v", err)
		}
		ids := func(list []Trigger) (out []string) {
			for _, tr := range list {
				out = append(out, tr.ID)
			}
			return out
		}
		all, err := s.Triggers(ctx, "demo", "")
		if err != nil || fmt.Sprint(ids(all)) != "[t1 t2 t3 t4 t6]" || all[0].URI != "https://a.test/" ||
			all[0].EventType != "upload" || !all[0].CreatedAt.Equal(now.Add(time.Second)) {
			t.Fatalf("all: %+v %v", all, err)
		}
		if up, err := s.Triggers(ctx, "demo", "upload"); err != nil || fmt.Sprint(ids(up)) != "[t1 t2]" {
			t.Fatalf("upload: %+v %v", up, err)
		}
		for ev, want := range map[string]string{"upload": "[https://a.test/ https://b.test/]",
			"delete": "[https://a.test/ https://c.test/]", "rename": "[https://a.test/ https://d.test/]",
			"resource_tags_changed": "[https://a.test/]"} {
			if uris, err := s.TriggerURIs(ctx, "demo", ev); err != nil || fmt.Sprint(uris) != want {
				t.Fatalf("uris of %s: %v %v, want %s", ev, uris, err, want)
			}
		}
		later := now.Add(time.Hour)
		tr, err := s.UpdateTrigger(ctx, "demo", "t2", func(tr *Trigger) error {
			tr.URI, tr.UpdatedAt = "https://b2.test/", later
			return nil
		})
		if err != nil || tr.URI != "https://b2.test/" || tr.EventType != "upload" || !tr.UpdatedAt.Equal(later) {
			t.Fatalf("update: %+v %v", tr, err)
		}
		if _, err := s.UpdateTrigger(ctx, "demo", "t2", func(tr *Trigger) error {
			tr.URI = "https://a.test/"
			return nil
		}); !errors.Is(err, ErrExists) {
			t.Fatalf("update to a duplicate: %v", err)
		}
		if _, err := s.UpdateTrigger(ctx, "demo", "nope", func(*Trigger) error { return nil }); !errors.Is(err, ErrNotFound) {
			t.Fatalf("update missing: %v", err)
		}
		if up, _ := s.Triggers(ctx, "demo", "upload"); len(up) != 2 || up[1].URI != "https://b2.test/" {
			t.Fatalf("after update: %+v", up)
		}
		if err := s.DeleteTrigger(ctx, "demo", "t3"); err != nil {
			t.Fatal(err)
		}
		if err := s.DeleteTrigger(ctx, "demo", "t3"); !errors.Is(err, ErrNotFound) {
			t.Fatalf("second delete: %v", err)
		}
		if uris, _ := s.TriggerURIs(ctx, "demo", "delete"); fmt.Sprint(uris) != "[https://c.test/]" {
			t.Fatalf("uris of delete after deleting the all trigger: %v", uris)
		}
		if err := s.CreateTrigger(ctx, mk("demo", "t7", "https://e.test/", "rename", 7), 5); err != nil {
			t.Fatalf("create after a delete: %v", err)
		}
	})
}

// A bulk deletion writes the notifications WithNotifyDeleted makes, of the
// assets whose originals it deleted, in its transaction; the outbox lists
// a cloud's notifications by page and state and finds one by ID.
func TestOutboxDeletedAndPages(t *testing.T) {
	forEachStore(t, func(t *testing.T, s Store) {
		for _, id := range []string{"x1", "x2", "x3"} {
			if _, err := s.Put(context.Background(), asset(id, id), false); err != nil {
				t.Fatal(err)
			}
		}
		var got [][]string
		ctx := WithNotifyDeleted(context.Background(), func(d []DeletedAsset) ([]*Notification, error) {
			var names []string
			for _, a := range d {
				names = append(names, a.PublicID+"@"+a.AssetID)
			}
			got = append(got, names)
			return []*Notification{{Cloud: "demo", URL: "http://one.test/", Body: []byte(`{}`)},
				nil, {Cloud: "demo", URL: "http://two.test/", Body: []byte(`{}`)}}, nil
		})
		q := DeleteQuery{Selection: Selection{Cloud: "demo", ResourceType: delivery.Image, Type: delivery.Upload,
			PublicIDs: []string{"x1", "nope", "x3"}}, Limit: 10}
		if _, err := s.DeleteAssets(ctx, q); err != nil {
			t.Fatal(err)
		}
		if len(got) == 0 || fmt.Sprint(got[len(got)-1]) != "[x1@a-x1 x3@a-x3]" {
			t.Fatalf("deleted assets notified: %v", got)
		}
		q.PublicIDs, q.KeepOriginal = []string{"x2"}, true
		if _, err := s.DeleteAssets(ctx, q); err != nil {
			t.Fatal(err)
		}
		list, err := s.NotificationsPage(context.Background(), "demo", "", 0, 10)
		if err != nil || len(list) != 2 || list[0].URL != "http://two.test/" || list[1].URL != "http://one.test/" ||
			list[0].State != NotificationPending || list[0].NextAttempt.IsZero() {
			t.Fatalf("page: %+v %v", list, err)
		}
		if next, err := s.NotificationsPage(context.Background(), "demo", "", list[0].ID, 10); err != nil ||
			len(next) != 1 || next[0].ID != list[1].ID {
			t.Fatalf("page after %d: %+v %v", list[0].ID, next, err)
		}
		claimed, err := s.ClaimNotifications(context.Background(), "me", 1, time.Minute)
		if err != nil || len(claimed) != 1 {
			t.Fatalf("claim: %+v %v", claimed, err)
		}
		if st, err := s.FinishNotification(context.Background(), claimed[0].ID, "me", true, "", time.Second); err != nil ||
			st != NotificationDelivered {
			t.Fatalf("finish: %q %v", st, err)
		}
		delivered, err := s.NotificationsPage(context.Background(), "demo", NotificationDelivered, 0, 10)
		if err != nil || len(delivered) != 1 || delivered[0].ID != claimed[0].ID || delivered[0].Attempts != 1 {
			t.Fatalf("delivered: %+v %v", delivered, err)
		}
		if other, _ := s.NotificationsPage(context.Background(), "other", "", 0, 10); len(other) != 0 {
			t.Fatalf("another cloud's: %+v", other)
		}
		n, err := s.Notification(context.Background(), "demo", claimed[0].ID)
		if err != nil || n.State != NotificationDelivered || !slices.Contains([]string{"http://one.test/", "http://two.test/"}, n.URL) {
			t.Fatalf("one: %+v %v", n, err)
		}
		if _, err := s.Notification(context.Background(), "other", claimed[0].ID); !errors.Is(err, ErrNotFound) {
			t.Fatalf("another cloud's one: %v", err)
		}
	})
}
