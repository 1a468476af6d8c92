package meta

import (
	"context"
	"fmt"
	"testing"

	"github.com/mediacdn/mediacdn/delivery"
)

// typed is asset id of type typ.
func typed(id, blob string, typ delivery.DeliveryType) *Asset {
	a := asset(id, blob)
	a.Type = typ
	return a
}

func publishedIDs(res PublishResult) string {
	var out []string
	for _, p := range res.Assets {
		switch {
		case !p.Found:
			out = append(out, p.From.PublicID+"=not_found")
		case p.Exists:
			out = append(out, p.From.PublicID+"=exists")
		default:
			out = append(out, p.From.Type.String()+":"+p.Asset.PublicID+"->"+p.Asset.Type.String())
		}
	}
	return fmt.Sprint(out)
}

// Publish by public IDs (one not found, one of another type), by prefix in
// pages of two over authenticated and private assets, by tag; an upload
// key taken is reported, and replaced with Overwrite; the published asset
// keeps its asset ID and moves past the upload key's versions.
func TestPublish(t *testing.T) { forEachStore(t, testPublish) }

func testPublish(t *testing.T, s Store) {
	ctx := context.Background()
	put(t, s, typed("p/a", "ba", delivery.Authenticated))
	put(t, s, typed("p/b", "bb", delivery.Private))
	put(t, s, typed("p/c", "bc", delivery.Authenticated))
	put(t, s, typed("p/d", "bd", delivery.Authenticated))
	put(t, s, asset("p/d", "bu")) // p/d's upload key is taken
	put(t, s, typed("q/x", "bx", delivery.Private))
	base := Selection{Cloud: "demo", ResourceType: delivery.Image}

	sel := base
	sel.Type, sel.PublicIDs = delivery.Authenticated, []string{"p/a", "p/b", "nope"}
	res, err := s.Publish(ctx, PublishQuery{Selection: sel, Limit: 100})
	if err != nil || publishedIDs(res) != "[authenticated:p/a->upload p/b=not_found nope=not_found]" || res.Next != 0 {
		t.Fatalf("by ids: %s %+v %v", publishedIDs(res), res, err)
	}
	a, err := s.Asset(ctx, key("p/a"))
	if err != nil || a.AssetID != "a-ba" {
		t.Fatalf("p/a published: %+v %v", a, err)
	}
	if _, err := s.Asset(ctx, Key{"demo", delivery.Image, delivery.Authenticated, "p/a"}); err != ErrNotFound {
		t.Fatalf("p/a still authenticated: %v", err)
	}

	sel = base
	sel.Types, sel.Prefixes = []delivery.DeliveryType{delivery.Authenticated, delivery.Private}, []string{"p/"}
	var after int64
	var seen []string
	for calls := 0; calls < 10; calls++ {
		res, err := s.Publish(ctx, PublishQuery{Selection: sel, After: after, Limit: 2})
		if err != nil {
			t.Fatal(err)
		}
		seen = append(seen, publishedIDs(res))
		if after = res.Next; after == 0 {
			break
		}
	}
	if fmt.Sprint(seen) != "[[private:p/b->upload authenticated:p/c->upload] [p/d=exists]]" {
		t.Fatalf("by prefix: %v", seen)
	}
	if a, err := s.Asset(ctx, key("p/d")); err != nil || a.Blob != "bu" {
		t.Fatalf("p/d overwritten without overwrite: %+v %v", a, err)
	}

	sel = base
	sel.Type, sel.PublicIDs = delivery.Authenticated, []string{"p/d"}
	res, err = s.Publish(ctx, PublishQuery{Selection: sel, Limit: 100, Overwrite: true})
	if err != nil || publishedIDs(res) != "[authenticated:p/d->upload]" || res.Assets[0].Replaced == nil ||
		res.Assets[0].Replaced.Blob != "bu" || res.Assets[0].Asset.Version <= res.Assets[0].Replaced.Version {
		t.Fatalf("overwrite: %s %+v %v", publishedIDs(res), res, err)
	}
	if a, err := s.Asset(ctx, key("p/d")); err != nil || a.Blob != "bd" {
		t.Fatalf("p/d after overwrite: %+v %v", a, err)
	}

	sel = base
	sel.Types, sel.Tag = []delivery.DeliveryType{delivery.Authenticated, delivery.Private}, "t1"
	res, err = s.Publish(ctx, PublishQuery{Selection: sel, Limit: 100})
	if err != nil || publishedIDs(res) != "[private:q/x->upload]" {
		t.Fatalf("by tag: %s %v", publishedIDs(res), err)
	}
	sel.Type, sel.Types = delivery.Upload, nil
	if _, err := s.Publish(ctx, PublishQuery{Selection: sel, Limit: 100}); err == nil {
		t.Fatal("publishing upload assets was accepted")
	}
}

// Each published asset's notifications are written with its old key.
func TestPublishNotifies(t *testing.T) { forEachStore(t, testPublishNotifies) }

func testPublishNotifies(t *testing.T, s Store) {
	put(t, s, typed("n/a", "ba", delivery.Authenticated))
	put(t, s, typed("n/b", "bb", delivery.Private))
	var got []string
	ctx := WithNotifyMoved(context.Background(), func(from Key, a *Asset) ([]*Notification, error) {
		got = append(got, from.Type.String()+":"+from.PublicID+"->"+a.Type.String())
		return nil, nil
	})
	sel := Selection{Cloud: "demo", ResourceType: delivery.Image, Types: []delivery.DeliveryType{delivery.Authenticated,
		delivery.Private}, PublicIDs: []string{"n/a", "n/b"}}
	if _, err := s.Publish(ctx, PublishQuery{Selection: sel, Limit: 100}); err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(got) != "[authenticated:n/a->upload private:n/b->upload]" {
		t.Fatalf("notified: %v", got)
	}
}

// A failure on one asset of a call (here its notification) publishes none
// of them: the call is one transaction.
func TestPublishAllOrNothing(t *testing.T) { forEachStore(t, testPublishAllOrNothing) }

func testPublishAllOrNothing(t *testing.T, s Store) {
	put(t, s, typed("x/a", "ba", delivery.Authenticated))
	put(t, s, typed("x/b", "bb", delivery.Authenticated))
	ctx := WithNotifyMoved(context.Background(), func(from Key, a *Asset) ([]*Notification, error) {
		if from.PublicID == "x/b" {
			return nil, fmt.Errorf("no notification for %s", from.PublicID)
		}
		return nil, nil
	})
	sel := Selection{Cloud: "demo", ResourceType: delivery.Image, Type: delivery.Authenticated, Prefixes: []string{"x/"}}
	if _, err := s.Publish(ctx, PublishQuery{Selection: sel, Limit: 100}); err == nil {
		t.Fatal("a failed publication succeeded")
	}
	for _, id := range []string{"x/a", "x/b"} {
		if _, err := s.Asset(context.Background(), Key{"demo", delivery.Image, delivery.Authenticated, id}); err != nil {
			t.Errorf("%s left its type: %v", id, err)
		}
		if _, err := s.Asset(context.Background(), key(id)); err != ErrNotFound {
			t.Errorf("%s published: %v", id, err)
		}
	}
}

// An authenticated and a private asset of the same public ID published
// in one call with Overwrite: the first is published, the second is
// reported Exists and stays, never replacing the asset the same call
// published (which the answer would list as published, yet be gone).
func TestPublishOverwriteNotItsOwn(t *testing.T) { forEachStore(t, testPublishOverwriteNotItsOwn) }

func testPublishOverwriteNotItsOwn(t *testing.T, s Store) {
	ctx := context.Background()
	both := []delivery.DeliveryType{delivery.Authenticated, delivery.Private}
	for _, sel := range []Selection{{PublicIDs: []string{"o/a"}}, {Prefixes: []string{"o/"}}} {
		put(t, s, typed("o/a", "ba", delivery.Authenticated))
		put(t, s, typed("o/a", "bp", delivery.Private))
		sel.Cloud, sel.ResourceType, sel.Types = "demo", delivery.Image, both
		res, err := s.Publish(ctx, PublishQuery{Selection: sel, Limit: 100, Overwrite: true})
		if err != nil || publishedIDs(res) != "[authenticated:o/a->upload o/a=exists]" {
			t.Fatalf("%+v: %s %v", sel, publishedIDs(res), err)
		}
		if a, err := s.Asset(ctx, key("o/a")); err != nil || a.Blob != "ba" {
			t.Fatalf("%+v: the published asset: %+v %v", sel, a, err)
		}
		if a, err := s.Asset(ctx, Key{"demo", delivery.Image, delivery.Private, "o/a"}); err != nil || a.Blob != "bp" {
			t.Fatalf("%+v: the private asset: %+v %v", sel, a, err)
		}
		for _, k := range []Key{key("o/a"), {"demo", delivery.Image, delivery.Private, "o/a"}} {
			if _, err := s.Delete(ctx, k); err != nil {
				t.Fatal(err)
			}
		}
	}
}
