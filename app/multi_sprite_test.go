package app

import (
	"bytes"
	"image/gif"
	"image/png"
	"strings"
	"testing"

	"github.com/mediacdn/mediacdn/internal/testkit"
)

// A multi's animation and a sprite's PNG and CSS go through an edge as
// any delivery does (types multi and sprite: cached, then hits), also
// transformed; running multi or sprite again for the tag purges them from
// the edge.
func TestMultiAndSpriteThroughEdge(t *testing.T) {
	c := startCaughtUp(t, ClusterOptions{Edges: 1})
	e := c.EdgeURLs[0]
	call(t, c, "upload", map[string]string{"public_id": "a", "tags": "set"}, "rocket.jpg")
	call(t, c, "upload", map[string]string{"public_id": "b", "tags": "set"}, "chelsea.png")
	if r := call(t, c, "multi", map[string]string{"tag": "set", "transformation": "w_40"}, ""); r.PublicID != "set" {
		t.Fatalf("multi: %+v", r)
	}
	if r := call(t, c, "sprite", map[string]string{"tag": "set", "transformation": "w_30"}, ""); r.PublicID != "set" {
		t.Fatalf("sprite: %+v", r)
	}
	cached := func(path string) testkit.Answer {
		t.Helper()
		testkit.Get(t, e+path)
		g := testkit.Get(t, e+path)
		if g.Status != 200 || g.Header.Get("Cache-Status") != "mediacdn; hit" {
			t.Fatalf("%s not cached: %d %v", path, g.Status, g.Header)
		}
		return g
	}
	gifOf := func(b []byte) (frames, width int) {
		g, err := gif.DecodeAll(bytes.NewReader(b))
		if err != nil {
			return 0, 0
		}
		return len(g.Image), g.Config.Width
	}
	if n, w := gifOf(cached("/demo/image/multi/set.gif").Body); n != 2 || w != 40 {
		t.Errorf("multi through the edge: %d frames %d wide, want 2 of 40", n, w)
	}
	if n, w := gifOf(cached("/demo/image/multi/w_20/set.gif").Body); n != 2 || w != 20 {
		t.Errorf("multi w_20 through the edge: %d frames %d wide, want 2 of 20", n, w)
	}
	if im, err := png.Decode(bytes.NewReader(cached("/demo/image/sprite/set.png").Body)); err != nil || im.Bounds().Dx() != 30 {
		t.Errorf("sprite through the edge: %v", err)
	}
	if css := cached("/demo/image/sprite/set.css"); !strings.Contains(string(css.Body), "width: 30px;") ||
		!strings.HasPrefix(css.Header.Get("Content-Type"), "text/css") {
		t.Errorf("sprite css through the edge: %v %s", css.Header, css.Body)
	}

	call(t, c, "multi", map[string]string{"tag": "set", "transformation": "w_50"}, "")
	call(t, c, "sprite", map[string]string{"tag": "set", "transformation": "w_20"}, "")
	testkit.Eventually(t, testkit.Timeout, "the edge to serve the new multi", func() bool {
		n, w := gifOf(testkit.Get(t, e+"/demo/image/multi/set.gif").Body)
		return n == 2 && w == 50
	})
	testkit.Eventually(t, testkit.Timeout, "the edge to serve the new sprite css", func() bool {
		return strings.Contains(string(testkit.Get(t, e+"/demo/image/sprite/set.css").Body), "width: 20px;")
	})
	testkit.Eventually(t, testkit.Timeout, "the edge to serve the new sprite", func() bool {
		im, err := png.Decode(bytes.NewReader(testkit.Get(t, e+"/demo/image/sprite/set.png").Body))
		return err == nil && im.Bounds().Dx() == 20
	})
}
