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
	return uploadAndRun(ctx, e, c, hc, "face operations", facePortrait, "", faceOps(), "", run, n, deadline)
}

// uploadAndRun uploads the corpus's file as uploadID (its own ID when "")
// and runs ops over HTTP on id (the upload when ""), n transforms each;
// what names the operations in the error when the corpus lacks file.
func uploadAndRun(ctx context.Context, e *env, c *cluster, hc *fasthttp.HostClient, what, file, uploadID string, ops []transformOp, id, run string, n int, deadline time.Time) ([]opResult, error) {
	p, err := findPhoto(e.photos, file)
	if err != nil {
		return nil, fmt.Errorf("bench: %s: %w", what, err)
	}
	if uploadID == "" {
		uploadID = p.ID
	}
	if id == "" {
		id = uploadID
	}
	if _, err := newAPIClient(c.OriginURL, e.o).upload(ctx, uploadID, p.File, p.Data, nil); err != nil {
		return nil, err
	}
	var out []opResult
	for _, op := range ops {
		out = append(out, transformHTTP(ctx, e, c, hc, op, id, run, n, deadline))
	}
	return out, nil
}

// faceTable renders the face operations.
func faceTable(d transformData) Table {
	t := Table{Title: fmt.Sprintf("%s (512x512 portrait), %d transforms per operation: face detection (OpenCV) and its crop; no bimg floor",
		facePortrait, d.PerOp), Header: []string{"operation", "req/s", "p50 ms", "p99 ms", "CPU ms/op", "output KB", "errors"}}
	for _, h := range d.Faces {
		t.Rows = append(t.Rows, opRow(h, nil))
	}
	return t
}

// opRow is the table row of an operation run over HTTP: its name, req/s,
// p50 and p99, CPU, extra (columns after the CPU), output size and errors.
func opRow(h opResult, extra []string) []string {
	row := []string{h.Op, f0(h.RPS), f2(quantileOf(h.Percentiles, 0.5)), f2(quantileOf(h.Percentiles, 0.99)), orNA(h.CPUms, f2)}
	row = append(row, extra...)
	return append(row, f1(float64(h.OutBytes)/1000), fmt.Sprint(h.Errors))
}
