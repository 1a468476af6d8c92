package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os/exec"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/valyala/fasthttp"
)

// transformData is the transform scenario's JSON.
type transformData struct {
	PerOp            int        `json:"transforms_per_op"`
	Clients          int        `json:"clients"`
	HTTP             []opResult `json:"http"`
	Floor            []opResult `json:"floor"`
	Faces            []opResult `json:"faces"`               // face operations on a portrait (transform_faces.go)
	Layers           []opResult `json:"layers"`              // watermark and caption (transform_layers.go)
	OriginPeakRSSMiB float64    `json:"origin_peak_rss_mib"` // 0 when not measurable
	FloorPeakRSSMiB  float64    `json:"floor_peak_rss_mib"`
	Anim             *animData  `json:"animated,omitempty"` // transform_anim.go
}

// The imgproxy anchor measured on this machine (the brief of issue 4).
const (
	anchorRPS    = 207
	anchorCPUms  = 8.1
	anchorRSSMiB = 112
	// anchorFloorRPS is the bimg v1.1.9 loop with default options on the
	// anchor machine.
	anchorFloorRPS = 150
	targetRSSMiB   = 150 // origin/imaging's BenchmarkPeakRSS target over 10,000 transforms
	// transformWait bounds each side (HTTP, floor) of the scenario.
	transformWait = 4 * time.Minute
)

// runTransform measures origin transforms through the full HTTP path
// (client → origin → derived-store lookup → transform → store → answer),
// then the same operations as a bare bimg loop in a child process.
func runTransform(ctx context.Context, e *env) (*Report, error) {
	o := e.o
	c, err := startCluster(ctx, e, clusterSpec{})
	if err != nil {
		return nil, err
	}
	defer c.Close()
	lady, err := findPhoto(e.photos, "LadyBird.jpg")
	if err != nil {
		return nil, err
	}
	if _, err := newAPIClient(c.OriginURL, o).upload(ctx, lady.ID, lady.File, lady.Data, nil); err != nil {
		return nil, err
	}
	d := transformData{PerOp: o.Transforms / len(transformOps()), Clients: o.TransformClients}
	hc, err := newHostClient(c.OriginURL, o.TransformClients, time.Minute)
	if err != nil {
		return nil, err
	}
	defer hc.CloseIdleConnections()
	run := strconv.FormatInt(time.Now().UnixNano(), 36)
	deadline := time.Now().Add(transformWait)
	// Each operation runs over HTTP, then at once through the floor, so
	// that both meet the same background load on a shared machine.
	for _, op := range transformOps() {
		d.HTTP = append(d.HTTP, transformHTTP(ctx, e, c, hc, op, lady.ID, run, d.PerOp, deadline))
		fl, err := runFloorChild(ctx, e, op.Name)
		if err != nil {
			return nil, err
		}
		d.Floor, d.FloorPeakRSSMiB = append(d.Floor, fl.Ops...), max(d.FloorPeakRSSMiB, fl.PeakRSSMiB)
	}
	if d.Faces, err = transformFaces(ctx, e, c, hc, run, d.PerOp, deadline); err != nil {
		return nil, err
	}
	if d.Layers, err = transformLayers(ctx, e, c, hc, lady.ID, run, d.PerOp, deadline); err != nil {
		return nil, err
	}
	if c.measurable() && c.originPID > 0 {
		d.OriginPeakRSSMiB = peakRSSMiB(c.originPID)
	}
	if d.Anim, err = runAnim(ctx, e, c, hc, run, max(4, min(d.PerOp/20, 20)), deadline); err != nil {
		return nil, err
	}
	if c.measurable() && c.originPID > 0 {
		d.Anim.OriginPeakRSSMiB = peakRSSMiB(c.originPID)
	}
	return transformReport(o, c, d), nil
}

// transformHTTP runs n requests of op against the origin. Each URL carries
// a unique, inert d_ (default image) parameter so that the origin's store
// of derived images misses and every request is a real transform.
func transformHTTP(ctx context.Context, e *env, c *cluster, hc *fasthttp.HostClient, op transformOp, id, run string, n int, deadline time.Time) opResult {
	path := func(i int) string {
		v := variant{op.Tr + ",d_b" + run + "x" + strconv.Itoa(i), op.Ext}
		return deliveryPath(e.o.Cloud, v, 1, id)
	}
	var done atomic.Int64
	var outBytes atomic.Int64
	start := time.Now()
	stop := e.p.watch(func() string {
		k := done.Load()
		return fmt.Sprintf("%-18s %s %5.1fs %6d/%d %6.1f/s", op.Name, bar(float64(k)/float64(n)), since(start), k, n, float64(k)/since(start))
	})
	cpu0 := treeCPU([]int{c.originPID})
	st := runOps(ctx, n, e.o.TransformClients, deadline, &done, func(i int) error {
		f, err := get(hc, c.OriginURL, path(i))
		if err != nil {
			return err
		}
		if f.Status != 200 {
			return fmt.Errorf("%s: %d %s", path(i), f.Status, f.Error)
		}
		outBytes.Store(int64(len(f.Body)))
		return nil
	})
	cpu := treeCPU([]int{c.originPID}) - cpu0
	stop()
	r := opResult{Op: op.Name, Done: st.Done, Errors: st.Errors, Seconds: st.Elapsed.Seconds(), RPS: st.RPS(),
		OutBytes: int(outBytes.Load()), Percentiles: st.Latency.Percentiles(), FirstErr: st.FirstErr}
	if c.measurable() && c.originPID > 0 {
		r.CPUms = ms(cpu) / float64(max(st.Done, 1))
	}
	return r
}

// runFloorChild runs one operation of the bimg floor in a fresh process
// of this binary, so that its CPU time and peak memory are its own.
func runFloorChild(ctx context.Context, e *env, op string) (*floorResult, error) {
	bin := e.o.Binary
	if bin == "" {
		bin = executable()
	}
	start := time.Now()
	stop := e.p.watch(func() string {
		return fmt.Sprintf("%-18s %5.1fs bimg floor, in a child process", op, since(start))
	})
	defer stop()
	cmd := exec.CommandContext(ctx, bin, "bench", "-child", "floor:"+op, "-corpus", e.o.Corpus,
		"-transforms", strconv.Itoa(e.o.Transforms), "-transform-clients", strconv.Itoa(e.o.TransformClients),
		"-timeout", transformWait.String())
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return nil, fmt.Errorf("floor child: %w: %s", err, tail(stderr.String(), 800))
	}
	var r floorResult
	if err := json.Unmarshal(stdout.Bytes(), &r); err != nil {
		return nil, fmt.Errorf("floor child: %w: %s", err, tail(stdout.String(), 400))
	}
	return &r, nil
}
