package meta

import (
	"context"
	"fmt"
	"testing"

	"github.com/mediacdn/mediacdn/delivery"
)

// A new asset is public unless it says otherwise; an overwrite keeps the
// mode unless it sets one; Update changes it.
func TestAccessModeStored(t *testing.T) { forEachStore(t, testAccessModeStored) }

func testAccessModeStored(t *testing.T, s Store) {
	ctx := context.Background()
	a := put(t, s, asset("pic", "b1"))
	if a.AccessMode != AccessPublic {
		t.Fatalf("new asset: %q", a.AccessMode)
	}
	b := asset("pic", "b2")
	b.AccessMode = AccessAuthenticated
	put(t, s, b)
	put(t, s, asset("pic", "b3")) // no mode given: kept
	got, err := s.Asset(ctx, a.Key)
	if err != nil || got.AccessMode != AccessAuthenticated || got.Blob != "b3" {
		t.Fatalf("after overwrites: %+v %v", got, err)
	}
	up, err := s.Update(ctx, a.Key, func(x *Asset) error { x.AccessMode = AccessPublic; return nil })
	if err != nil || up.AccessMode != AccessPublic {
		t.Fatalf("update: %+v %v", up, err)
	}
	if got, _ := s.Asset(ctx, a.Key); got.AccessMode != AccessPublic {
		t.Fatalf("after update: %q", got.AccessMode)
	}
}

// SetAccessMode by public IDs (with one not found), by prefix in pages of
// two, and by tag (only the type asked for).
func TestSetAccessMode(t *testing.T) { forEachStore(t, testSetAccessMode) }

func testSetAccessMode(t *testing.T, s Store) {
	ctx := context.Background()
	for i := 0; i < 5; i++ {
		put(t, s, asset(fmt.Sprintf("p/%d", i), fmt.Sprint("b", i)))
	}
	other := asset("p/private", "bp")
	other.Type, other.AccessMode = delivery.Private, AccessAuthenticated
	put(t, s, other)

	sel := Selection{Cloud: "demo", ResourceType: delivery.Image, Type: delivery.Upload, PublicIDs: []string{"p/1", "nope"}}
	res, err := s.SetAccessMode(ctx, AccessModeQuery{Selection: sel, Mode: AccessAuthenticated, Limit: 100, Time: now})
	if err != nil || len(res.Assets) != 2 || !res.Assets[0].Found || res.Assets[0].Prev != AccessPublic ||
		res.Assets[1].Found || res.Assets[1].PublicID != "nope" || res.Next != 0 {
		t.Fatalf("by ids: %+v %v", res, err)
	}
	if a, _ := s.Asset(ctx, key("p/1")); a.AccessMode != AccessAuthenticated {
		t.Fatalf("p/1: %q", a.AccessMode)
	}

	sel = Selection{Cloud: "demo", ResourceType: delivery.Image, Type: delivery.Upload, Prefixes: []string{"p/"}}
	var after int64
	var seen []string
	for calls := 0; calls < 10; calls++ {
		res, err := s.SetAccessMode(ctx, AccessModeQuery{Selection: sel, Mode: AccessAuthenticated, After: after, Limit: 2, Time: now})
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range res.Assets {
			seen = append(seen, c.PublicID+"="+c.Prev)
		}
		if after = res.Next; after == 0 {
			break
		}
	}
	if fmt.Sprint(seen) != "[p/0=public p/1=authenticated p/2=public p/3=public p/4=public]" {
		t.Fatalf("by prefix: %v", seen)
	}

	sel = Selection{Cloud: "demo", ResourceType: delivery.Image, Type: delivery.Upload, Tag: "t1"}
	res, err = s.SetAccessMode(ctx, AccessModeQuery{Selection: sel, Mode: AccessPublic, Limit: 100, Time: now})
	if err != nil || len(res.Assets) != 5 {
		t.Fatalf("by tag: %+v %v", res, err)
	}
	if a, _ := s.Asset(ctx, Key{"demo", delivery.Image, delivery.Private, "p/private"}); a.AccessMode != AccessAuthenticated {
		t.Fatalf("another type changed: %q", a.AccessMode)
	}
	for i := 0; i < 5; i++ {
		if a, _ := s.Asset(ctx, key(fmt.Sprintf("p/%d", i))); a.AccessMode != AccessPublic {
			t.Fatalf("p/%d: %q", i, a.AccessMode)
		}
	}
}
