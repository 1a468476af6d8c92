package meta

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/mediacdn/mediacdn/delivery"
)

// SetExclusiveTags tags the assets named (once each, those that exist)
// and untags every other asset of the resource type, whatever its type;
// an error from Check leaves everything as it was.
func TestSetExclusiveTags(t *testing.T) { forEachStore(t, testSetExclusiveTags) }

func testSetExclusiveTags(t *testing.T, s Store) {
	ctx := context.Background()
	put := func(id string, typ delivery.DeliveryType, rt delivery.ResourceType, tags ...string) {
		t.Helper()
		a := asset(id, "b-"+id+typ.String()+rt.String())
		a.Type, a.ResourceType, a.Tags = typ, rt, tags
		if _, err := s.Put(ctx, a, true); err != nil {
			t.Fatal(err)
		}
	}
	put("a", delivery.Upload, delivery.Image, "hero", "keep")
	put("b", delivery.Upload, delivery.Image)
	put("p", delivery.Private, delivery.Image, "hero")
	put("v", delivery.Upload, delivery.Video, "hero")
	tags := func(id string, typ delivery.DeliveryType, rt delivery.ResourceType) string {
		t.Helper()
		a, err := s.Asset(ctx, Key{"demo", rt, typ, id})
		if err != nil {
			t.Fatal(err)
		}
		return strings.Join(a.Tags, ",")
	}
	later := now.Add(60e9)
	q := ExclusiveTags{Cloud: "demo", ResourceType: delivery.Image, Type: delivery.Upload, PublicIDs: []string{"b", "missing", "b"},
		Tags: []string{"hero"}, Time: later}
	res, err := s.SetExclusiveTags(ctx, q)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Tagged) != 1 || res.Tagged[0].PublicID != "b" || len(res.Untagged) != 2 ||
		res.Untagged[0].PublicID != "a" || res.Untagged[1].PublicID != "p" || res.Untagged[1].Type != delivery.Private {
		t.Fatalf("result %+v", res)
	}
	if tags("a", delivery.Upload, delivery.Image) != "keep" || tags("b", delivery.Upload, delivery.Image) != "hero" ||
		tags("p", delivery.Private, delivery.Image) != "" || tags("v", delivery.Upload, delivery.Video) != "hero" {
		t.Fatalf("after: a=%q b=%q p=%q v=%q", tags("a", delivery.Upload, delivery.Image), tags("b", delivery.Upload, delivery.Image),
			tags("p", delivery.Private, delivery.Image), tags("v", delivery.Upload, delivery.Video))
	}
	if a, _ := s.Asset(ctx, Key{"demo", delivery.Image, delivery.Private, "p"}); !a.UpdatedAt.Equal(later) {
		t.Fatalf("untagged asset's updated_at %v", a.UpdatedAt)
	}
	page, err := s.List(ctx, ListQuery{Cloud: "demo", ResourceType: delivery.Image, Tag: "hero", Limit: 10})
	if err != nil || len(page.Assets) != 1 || page.Assets[0].PublicID != "b" {
		t.Fatalf("listed by tag: %+v %v", page.Assets, err)
	}

	refuse := errors.New("refused")
	q.PublicIDs, q.Tags = []string{"a"}, []string{"hero", "new"}
	q.Check = func(tags []string) error { return refuse }
	if _, err := s.SetExclusiveTags(ctx, q); !errors.Is(err, refuse) {
		t.Fatalf("check's error: %v", err)
	}
	if tags("a", delivery.Upload, delivery.Image) != "keep" || tags("b", delivery.Upload, delivery.Image) != "hero" {
		t.Fatalf("a refused change changed a=%q b=%q", tags("a", delivery.Upload, delivery.Image), tags("b", delivery.Upload, delivery.Image))
	}
}

// SetExclusiveTags writes Notify's notifications in its transaction, one
// call per asset whose tags changed (with its tags before), none for one
// that had the tags already.
func TestSetExclusiveTagsNotify(t *testing.T) { forEachStore(t, testSetExclusiveTagsNotify) }

func testSetExclusiveTagsNotify(t *testing.T, s Store) {
	ctx := context.Background()
	for id, tags := range map[string][]string{"a": {"hero", "keep"}, "b": nil, "c": {"hero"}} {
		a := asset(id, "b-"+id)
		a.Tags = tags
		if _, err := s.Put(ctx, a, true); err != nil {
			t.Fatal(err)
		}
	}
	var seen []string
	q := ExclusiveTags{Cloud: "demo", ResourceType: delivery.Image, Type: delivery.Upload, PublicIDs: []string{"b", "c"},
		Tags: []string{"hero"}, Time: now, Notify: func(r Retagged, before []string) ([]*Notification, error) {
			seen = append(seen, r.PublicID+":"+strings.Join(before, ",")+">"+strings.Join(r.Tags, ",")+":"+r.AssetID)
			return []*Notification{{Cloud: "demo", URL: "http://hook.example/" + r.PublicID, Body: []byte("{}"), RetryFor: time.Hour}}, nil
		}}
	if _, err := s.SetExclusiveTags(ctx, q); err != nil {
		t.Fatal(err)
	}
	if strings.Join(seen, " ") != "b:>hero:a-b-b a:hero,keep>keep:a-b-a" {
		t.Errorf("notified %q", seen)
	}
	notes, err := s.NotificationsPage(ctx, "demo", "", 0, 10)
	if err != nil || len(notes) != 2 || notes[0].URL != "http://hook.example/a" || notes[1].URL != "http://hook.example/b" {
		t.Fatalf("outbox %+v %v", notes, err)
	}
}
