package meta

import (
	"context"
	"reflect"
	"testing"
)

// An asset's access_control is stored and read back; an overwrite keeps
// it unless it sets one (an empty list clears it); Update changes it.
func TestAccessControlStored(t *testing.T) { forEachStore(t, testAccessControlStored) }

func testAccessControlStored(t *testing.T, s Store) {
	ctx := context.Background()
	a := put(t, s, asset("pic", "b1"))
	if len(a.AccessControl) != 0 {
		t.Fatalf("new asset: %+v", a.AccessControl)
	}
	rules := []AccessRule{{AccessType: AccessToken}, {AccessType: AccessAnonymous, Start: 100, End: 200},
		{AccessType: AccessAnonymous, Start: 300}}
	b := asset("pic", "b2")
	b.AccessControl = rules
	put(t, s, b)
	put(t, s, asset("pic", "b3")) // none given: kept
	got, err := s.Asset(ctx, a.Key)
	if err != nil || !reflect.DeepEqual(got.AccessControl, rules) || got.Blob != "b3" {
		t.Fatalf("after overwrites: %+v %v", got, err)
	}
	up, err := s.Update(ctx, a.Key, func(x *Asset) error { x.AccessControl = rules[:1]; return nil })
	if err != nil || !reflect.DeepEqual(up.AccessControl, rules[:1]) {
		t.Fatalf("update: %+v %v", up, err)
	}
	c := asset("pic", "b4")
	c.AccessControl = []AccessRule{}
	put(t, s, c)
	if got, _ := s.Asset(ctx, a.Key); len(got.AccessControl) != 0 {
		t.Fatalf("cleared: %+v", got.AccessControl)
	}
}
