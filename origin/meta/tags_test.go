package meta

import (
	"context"
	"errors"
	"strings"
	"testing"
)

// SetExclusiveTags tags the assets named (once each, those that exist)
// and untags every other asset of the resource type, whatever its type;
// an error from Check leaves everything as it was.
func TestSetExclusiveTags(t *testing.T) {
	s := openTest(t)
	ctx := context.Background()
	put := func(id, typ, rt string, tags ...string) {
		t.Helper()
		a := asset(id, "b-"+id+typ+rt)
		a.Type, a.ResourceType, a.Tags = typ, rt, tags
		if _, err := s.Put(ctx, a, true); err != nil {
			t.Fatal(err)
		}
	}
	put("a", "upload", "image", "hero", "keep")
	put("b", "upload", "image")
	put("p", "private", "image", "hero")
	put("v", "upload", "video", "hero")
	tags := func(id, typ, rt string) string {
		t.Helper()
		a, err := s.Asset(ctx, Key{"demo", rt, typ, id})
		if err != nil {
			t.Fatal(err)
		}
		return strings.Join(a.Tags, ",")
	}
	later := now.Add(60e9)
	q := ExclusiveTags{Cloud: "demo", ResourceType: "image", Type: "upload", PublicIDs: []string{"b", "missing", "b"},
		Tags: []string{"hero"}, Time: later}
	res, err := s.SetExclusiveTags(ctx, q)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Tagged) != 1 || res.Tagged[0].PublicID != "b" || len(res.Untagged) != 2 ||
		res.Untagged[0].PublicID != "a" || res.Untagged[1].PublicID != "p" || res.Untagged[1].Type != "private" {
		t.Fatalf("result %+v", res)
	}
	if tags("a", "upload", "image") != "keep" || tags("b", "upload", "image") != "hero" ||
		tags("p", "private", "image") != "" || tags("v", "upload", "video") != "hero" {
		t.Fatalf("after: a=%q b=%q p=%q v=%q", tags("a", "upload", "image"), tags("b", "upload", "image"),
			tags("p", "private", "image"), tags("v", "upload", "video"))
	}
	if a, _ := s.Asset(ctx, Key{"demo", "image", "private", "p"}); !a.UpdatedAt.Equal(later) {
		t.Fatalf("untagged asset's updated_at %v", a.UpdatedAt)
	}
	page, err := s.List(ctx, ListQuery{Cloud: "demo", ResourceType: "image", Tag: "hero", Limit: 10})
	if err != nil || len(page.Assets) != 1 || page.Assets[0].PublicID != "b" {
		t.Fatalf("listed by tag: %+v %v", page.Assets, err)
	}

	refuse := errors.New("refused")
	q.PublicIDs, q.Tags = []string{"a"}, []string{"hero", "new"}
	q.Check = func(tags []string) error { return refuse }
	if _, err := s.SetExclusiveTags(ctx, q); !errors.Is(err, refuse) {
		t.Fatalf("check's error: %v", err)
	}
	if tags("a", "upload", "image") != "keep" || tags("b", "upload", "image") != "hero" {
		t.Fatalf("a refused change changed a=%q b=%q", tags("a", "upload", "image"), tags("b", "upload", "image"))
	}
}
