//go:build cgo

package imaging

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/mediacdn/mediacdn/delivery"
	"github.com/mediacdn/mediacdn/internal/testkit"
)

// mapFile writes b to a file and maps it.
func mapFile(t *testing.T, b []byte) *Mapped {
	t.Helper()
	path := filepath.Join(t.TempDir(), "image")
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	m, err := MapFile(f, int64(len(b)))
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// A mapped file probes, transforms and analyses as the same bytes in
// memory do, and stays readable until its last user is done.
func TestMappedAnswersAsBytes(t *testing.T) {
	p := newProcessor(t, Config{})
	for _, name := range []string{"rocket.jpg", "chelsea.png", "logo.png"} {
		src := testkit.Read(t, name)
		m := mapFile(t, src)
		if !bytes.Equal(m.Bytes(), src) {
			t.Fatalf("%s: mapped bytes differ", name)
		}
		want, err := p.Probe(src)
		got, err2 := p.ProbeMapped(m)
		if err != nil || err2 != nil || got != want {
			t.Errorf("%s: ProbeMapped %+v %v, Probe %+v %v", name, got, err2, want, err)
		}
		tr, _ := delivery.ParseTransformation("c_fill,w_120,h_80")
		req := Request{Transformation: tr, Format: delivery.PNG}
		wantRes, err := p.Transform(context.Background(), src, req)
		gotRes, err2 := p.TransformMapped(context.Background(), m, req)
		if err != nil || err2 != nil || !bytes.Equal(gotRes.Body, wantRes.Body) {
			t.Errorf("%s: TransformMapped %d bytes %v, Transform %d bytes %v", name, len(gotRes.Body), err2,
				len(wantRes.Body), err)
		}
		wantAn, err := p.Analyze(context.Background(), src)
		gotAn, err2 := p.AnalyzeMapped(context.Background(), m)
		if err != nil || err2 != nil || !reflect.DeepEqual(gotAn, wantAn) {
			t.Errorf("%s: AnalyzeMapped %+v %v, Analyze %+v %v", name, gotAn, err2, wantAn, err)
		}
		m.Close()
		m.Close() // idempotent
	}
}

// A source holds the mapping: the owner's Close unmaps it only once the
// last source is freed.
func TestMappedUnmapsAfterLastSource(t *testing.T) {
	m := mapFile(t, testkit.Read(t, "rocket.jpg"))
	src := m.source(loaderJPEG)
	m.Close()
	if m.refs != 1 {
		t.Fatalf("%d references after Close with a source alive, want 1", m.refs)
	}
	if got := src.bytes()[:2]; got[0] != 0xff || got[1] != 0xd8 {
		t.Fatalf("source reads %x after the owner's Close", got)
	}
	src.free()
	if m.refs != 0 {
		t.Fatalf("%d references after the last free", m.refs)
	}
}
