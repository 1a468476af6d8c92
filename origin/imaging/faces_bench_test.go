//go:build cgo

package imaging

import (
	"testing"

	"github.com/mediacdn/mediacdn/delivery"
	"github.com/mediacdn/mediacdn/internal/testkit"
)

// BenchmarkFaceThumb is c_thumb,g_face,w_200,h_200 on the corpus portrait
// (face detection and the crop) beside the plain centre fill of the same
// size: `go test -run '^$' -bench FaceThumb -cpu 1 ./origin/imaging`.
func BenchmarkFaceThumb(b *testing.B) {
	p := newProcessor(b, Config{})
	src := testkit.Read(b, "astronaut.png")
	for _, tx := range []string{"c_thumb,g_face,h_200,w_200,q_80", "c_fill,h_200,w_200,q_80"} {
		b.Run(tx, func(b *testing.B) {
			for b.Loop() {
				do(b, p, src, tx, delivery.JPG)
			}
		})
	}
}

// BenchmarkDetectFaces is one detection on the corpus portrait.
func BenchmarkDetectFaces(b *testing.B) {
	p := newProcessor(b, Config{})
	src := testkit.Read(b, "astronaut.png")
	for b.Loop() {
		if _, err := p.DetectFaces(b.Context(), src); err != nil {
			b.Fatal(err)
		}
	}
}
