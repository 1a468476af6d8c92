//go:build cgo

package imaging

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"testing"

	"github.com/mediacdn/mediacdn/config"
	"github.com/mediacdn/mediacdn/delivery"
	"github.com/mediacdn/mediacdn/internal/testkit"
)

const watermark = "c_fill,h_250,w_400/l_logo,w_100/fl_layer_apply,g_south_east"

// A second identical watermark takes the prepared layer from the cache:
// the logo is decoded once.
func TestLayerCacheDecodesOnce(t *testing.T) {
	p := newProcessor(t, Config{})
	base := solidPNG(t, 600, 400, grey, nil)
	layers := map[string][]byte{"logo": testkit.Read(t, "logo.png")}
	for i := 0; i < 3; i++ {
		if _, err := layered(t, p, base, watermark, layers); err != nil {
			t.Fatal(err)
		}
	}
	st := p.Stats()
	if st.LayerDecodes != 1 || st.LayerCacheHits != 2 {
		t.Errorf("3 watermarks: %d layer decodes, %d cache hits; want 1 and 2", st.LayerDecodes, st.LayerCacheHits)
	}
	if st.LayerCacheEntries != 1 || st.LayerCacheBytes != 100*100*4 {
		t.Errorf("cache holds %d entries, %d bytes; want 1 of 100x100 RGBA", st.LayerCacheEntries, st.LayerCacheBytes)
	}
	// Another transformation of the layer is another entry.
	if _, err := layered(t, p, base, "l_logo,w_50/fl_layer_apply,g_north_west", layers); err != nil {
		t.Fatal(err)
	}
	if st := p.Stats(); st.LayerDecodes != 2 {
		t.Errorf("l_logo,w_50 after l_logo,w_100: %d decodes, want 2", st.LayerDecodes)
	}
}

// The result is byte for byte the same without the cache, on the miss that
// fills it and on the hit, in PNG and JPEG, for an animated input too
// (each frame composites the layer).
func TestLayerCacheSameOutput(t *testing.T) {
	on := newProcessor(t, Config{})
	off := newProcessor(t, Config{LayerCache: -1})
	base := testkit.Read(t, "LadyBird.jpg")
	gif := animatedGIF(t, color.RGBA{255, 0, 0, 255}, color.RGBA{0, 255, 0, 255}, color.RGBA{0, 0, 255, 255})
	layers := map[string][]byte{"logo": testkit.Read(t, "logo.png")}
	for _, c := range []struct {
		src []byte
		tx  string
		f   delivery.Format
	}{
		{base, watermark, delivery.JPG},
		{base, watermark, delivery.PNG},
		{base, "c_fill,h_250,w_400/l_logo,w_0.3,fl_relative,o_60/fl_layer_apply,g_north_west,x_10,y_10", delivery.PNG},
		{base, "w_300/l_logo,w_30/fl_layer_apply.tiled", delivery.PNG},
		{gif, "l_logo,w_20/fl_layer_apply,g_south_east", delivery.GIF},
	} {
		tr, err := delivery.ParseTransformation(c.tx)
		if err != nil {
			t.Fatal(err)
		}
		req := Request{Transformation: tr, Format: c.f, Layers: layers}
		want, err := off.Transform(t.Context(), c.src, req)
		if err != nil {
			t.Fatalf("%s: %v", c.tx, err)
		}
		for _, pass := range []string{"miss", "hit"} {
			got, err := on.Transform(t.Context(), c.src, req)
			if err != nil {
				t.Fatalf("%s (%s): %v", c.tx, pass, err)
			}
			if !bytes.Equal(got.Body, want.Body) {
				t.Errorf("%s (%s): %d bytes differ from the %d without the cache", c.tx, pass, len(got.Body), len(want.Body))
			}
		}
	}
	if st := off.Stats(); st.LayerCacheHits != 0 || st.LayerCacheEntries != 0 {
		t.Errorf("disabled cache: %d hits, %d entries", st.LayerCacheHits, st.LayerCacheEntries)
	}
	if st := on.Stats(); st.LayerCacheHits == 0 {
		t.Error("cache: no hits")
	}
}

// A layer of the same name with new bytes (the logo replaced) is decoded
// again, not served from the old entry.
func TestLayerCacheNewBytes(t *testing.T) {
	p := newProcessor(t, Config{})
	base := solidPNG(t, 400, 300, grey, nil)
	isBlue := func(c color.NRGBA) bool { return c.B > 200 && c.R < 60 && c.G < 60 }
	for _, c := range []struct {
		logo color.NRGBA
		is   func(color.NRGBA) bool
	}{{red, isRed}, {blue, isBlue}, {red, isRed}} {
		layers := map[string][]byte{"logo": solidPNG(t, 100, 80, c.logo, nil)}
		img := layeredImage(t, p, base, "l_logo,w_50/fl_layer_apply,g_south_east", layers)
		if got, want := box(img, c.is), image.Rect(350, 260, 400, 300); got != want {
			t.Errorf("logo %v: its box %v, want %v", c.logo, got, want)
		}
	}
	if st := p.Stats(); st.LayerDecodes != 2 || st.LayerCacheHits != 1 {
		t.Errorf("red, blue, red: %d decodes, %d hits; want 2 and 1", st.LayerDecodes, st.LayerCacheHits)
	}
}

// fl_relative sizes are of the image under the layer: the same layer on
// images of two sizes is two entries, each the right size.
func TestLayerCacheRelative(t *testing.T) {
	p := newProcessor(t, Config{})
	layers := map[string][]byte{"logo": solidPNG(t, 100, 50, red, nil)}
	for _, w := range []int{400, 200, 400} {
		base := solidPNG(t, w, w, grey, nil)
		img := layeredImage(t, p, base, "l_logo,w_0.5,fl_relative/fl_layer_apply,g_north_west", layers)
		if got := box(img, isRed); got.Dx() != w/2 {
			t.Errorf("on %dx%d: layer %d wide, want %d", w, w, got.Dx(), w/2)
		}
	}
	if st := p.Stats(); st.LayerDecodes != 2 || st.LayerCacheHits != 1 {
		t.Errorf("400, 200, 400: %d decodes, %d hits; want 2 and 1", st.LayerDecodes, st.LayerCacheHits)
	}
}

// Many distinct layers keep the cache within its bound in bytes; a layer
// over a quarter of it is not kept.
func TestLayerCacheBound(t *testing.T) {
	const bound = 256 * config.KiB
	p := newProcessor(t, Config{LayerCache: bound})
	base := solidPNG(t, 300, 300, grey, nil)
	for i := 0; i < 20; i++ {
		hole := image.Rect(0, 0, 10, 10) // RGBA: 40000 bytes an entry
		layers := map[string][]byte{"logo": solidPNG(t, 100, 100, color.NRGBA{uint8(10 * i), 0, 0, 255}, &hole)}
		if _, err := layered(t, p, base, "l_logo/fl_layer_apply", layers); err != nil {
			t.Fatal(err)
		}
		if st := p.Stats(); st.LayerCacheBytes > int64(bound) {
			t.Fatalf("after %d layers: %d bytes cached, bound %d", i+1, st.LayerCacheBytes, bound)
		}
	}
	st := p.Stats()
	if st.LayerCacheEntries != int(bound)/(100*100*4) {
		t.Errorf("%d entries of 40000 bytes kept, want %d", st.LayerCacheEntries, int(bound)/(100*100*4))
	}
	big := map[string][]byte{"logo": solidPNG(t, 200, 200, red, nil)} // 160000 bytes > bound / 4
	for i := 0; i < 2; i++ {
		if _, err := layered(t, p, base, "l_logo/fl_layer_apply", big); err != nil {
			t.Fatal(err)
		}
	}
	if st2 := p.Stats(); st2.LayerCacheHits != st.LayerCacheHits || st2.LayerDecodes != st.LayerDecodes+2 {
		t.Errorf("a layer over a quarter of the bound: %d hits (was %d), %d decodes (was %d)",
			st2.LayerCacheHits, st.LayerCacheHits, st2.LayerDecodes, st.LayerDecodes)
	}
}

// The cache's own bounds: bytes, entries, least recently used out first.
func TestLayerCacheLRU(t *testing.T) {
	c := newLayerCache(1000)
	entry := func(k string, n int) *layerEntry { return &layerEntry{key: k, pix: make([]byte, n)} }
	c.put(entry("a", 200))
	c.put(entry("b", 200))
	c.put(entry("c", 200))
	c.put(entry("d", 200))
	c.get("a") // a is now the most recent: b goes first
	c.put(entry("e", 250))
	c.put(entry("f", 251)) // over a quarter: not kept
	for k, want := range map[string]bool{"a": true, "b": false, "c": true, "d": true, "e": true, "f": false} {
		if _, ok := c.get(k); ok != want {
			t.Errorf("%s cached %v, want %v", k, ok, want)
		}
	}
	if n, e := c.usage(); n != 850 || e != 4 {
		t.Errorf("usage %d bytes, %d entries; want 850, 4", n, e)
	}
	c = newLayerCache(1 << 30)
	for i := 0; i < maxLayerEntries+10; i++ {
		c.put(entry(fmt.Sprint(i), 1))
	}
	if _, e := c.usage(); e != maxLayerEntries {
		t.Errorf("%d entries, want at most %d", e, maxLayerEntries)
	}
	if newLayerCache(0) != nil || newLayerCache(-1) != nil {
		t.Error("a bound of zero or less makes a cache")
	}
}
