package bench

import (
	"context"
	"fmt"
	"time"

	"github.com/valyala/fasthttp"
)

// facePortrait is the portrait the face operations run on: the corpus's
// astronaut.png (512x512, one frontal face).
const facePortrait = "astronaut.png"

// faceOps are the operations on facePortrait: the face-centred thumbnail
// (face detection, then the crop), and the plain centre fill of the same
// size beside it, so that the detection's own cost shows. bimg has no face
// detection, so they have no floor.
func faceOps() []transformOp {
	return []transformOp{
		{Name: "thumb200-face", Tr: "c_thumb,g_face,h_200,w_200,q_80", Ext: "jpg"},
		{Name: "fill200-centre", Tr: "c_fill,h_200,w_200,q_80", Ext: "jpg"},
	}
}

// transformFaces uploads facePortrait and runs faceOps over HTTP, n
// transforms each.
func transformFaces(ctx context.Context, e *env, c *cluster, hc *fasthttp.HostClient, run string, n int, deadline time.Time) ([]opResult, error) {
	portrait, err := findPhoto(e.photos, facePortrait)
	if err != nil {
		return nil, fmt.Errorf("bench: face operations: %w", err)
	}
	if _, err := newAPIClient(c.OriginURL, e.o).upload(ctx, portrait.ID, portrait.File, portrait.Data, nil); err != nil {
		return nil, err
	}
	var out []opResult
	for _, op := range faceOps() {
		out = append(out, transformHTTP(ctx, e, c, hc, op, portrait.ID, run, n, deadline))
	}
	return out, nil
}

// faceTable renders the face operations.
func faceTable(d transformData) Table {
	t := Table{Title: fmt.Sprintf("%s (512x512 portrait), %d transforms per operation: face detection (OpenCV) and its crop; no bimg floor",
		facePortrait, d.PerOp), Header: []string{"operation", "req/s", "p50 ms", "p99 ms", "CPU ms/op", "output KB", "errors"}}
	for _, h := range d.Faces {
		t.Rows = append(t.Rows, []string{h.Op, f0(h.RPS), f2(quantileOf(h.Percentiles, 0.5)), f2(quantileOf(h.Percentiles, 0.99)),
			orNA(h.CPUms, f2), f1(float64(h.OutBytes) / 1000), fmt.Sprint(h.Errors)})
	}
	return t
}
