//go:build cgo

package imaging

import (
	"bytes"
	"errors"
	"io"
	"testing"
	"testing/iotest"

	"github.com/mediacdn/mediacdn/delivery"
	"github.com/mediacdn/mediacdn/internal/testkit"
)

// TransformReader gives Transform's result from a reader, and refuses
// sizes over the limit, empty input and a reader that ends early, without
// touching the rest of the processor.
func TestTransformReader(t *testing.T) {
	p := newProcessor(t, Config{MaxInputSize: 400_000})
	src := testkit.Read(t, "LadyBird.jpg") // 351,588 bytes
	tr := mustParse(t, "c_fill,w_120,h_80")
	want := do(t, p, src, "c_fill,w_120,h_80", delivery.PNG)
	got, err := p.TransformReader(t.Context(), iotest.OneByteReader(bytes.NewReader(src)), int64(len(src)),
		Request{Transformation: tr, Format: delivery.PNG})
	if err != nil {
		t.Fatal(err)
	}
	if got.Width != 120 || got.Height != 80 || !bytes.Equal(got.Body, want.Body) {
		t.Fatalf("%dx%d, %d bytes; Transform gave %dx%d, %d bytes", got.Width, got.Height, len(got.Body),
			want.Width, want.Height, len(want.Body))
	}

	svg := []byte(`<svg xmlns="http://www.w3.org/2000/svg" width="10" height="20"/>`)
	res, err := p.TransformReader(t.Context(), bytes.NewReader(svg), int64(len(svg)), Request{})
	if err != nil || !bytes.Equal(res.Body, svg) || res.Format != delivery.SVG {
		t.Fatalf("SVG: %q %v %v", res.Body, res.Format, err)
	}

	for _, c := range []struct {
		name   string
		r      io.Reader
		size   int64
		status int
		msg    string
	}{
		{"over the size limit", bytes.NewReader(src), 400_001, 400, "File size too large. Got 400001. Maximum is 400000."},
		{"empty", bytes.NewReader(nil), 0, 400, "Invalid image file"},
		{"reader ends early", bytes.NewReader(src[:1000]), int64(len(src)), 500, "Internal error"},
		{"reader fails", iotest.ErrReader(errors.New("disk on fire")), int64(len(src)), 500, "Internal error"},
		{"not an image", bytes.NewReader([]byte("hello, world")), 12, 400, "Invalid image file"},
	} {
		_, err := p.TransformReader(t.Context(), c.r, c.size, Request{Transformation: tr, Format: delivery.JPG})
		wantError(t, err, c.status, c.msg)
	}
	if res := do(t, p, src, "w_50", delivery.JPG); res.Width != 50 {
		t.Fatalf("afterwards: %dx%d", res.Width, res.Height)
	}
}
