package bench

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"
	"syscall"
	"time"
)

// floorOp is one operation of the plain-bimg floor (imaging.FloorOp).
type floorOp struct {
	Width, Height int
	Crop          bool
	Quality       int
	WebP          bool
}

// transformOp is one operation of the transform scenario: a delivery
// transformation and format, and the same work as a bare bimg call.
type transformOp struct {
	Name  string
	Tr    string
	Ext   string
	Floor floorOp
}

// transformOps are issue 4's operations on LadyBird.jpg (2560x1600).
func transformOps() []transformOp {
	return []transformOp{
		{"fill300x200-jpeg", "c_fill,h_200,w_300,q_80", "jpg", floorOp{300, 200, true, 80, false}},
		{"fill300x200-webp", "c_fill,h_200,w_300,q_80", "webp", floorOp{300, 200, true, 80, true}},
		// bimg pads to the box when given both sides without Crop; c_fit of
		// a 2560x1600 image into 800x800 is 800x500, so the floor gets the
		// width alone (the same output, the same work).
		{"fit800x800-jpeg", "c_fit,h_800,w_800,q_80", "jpg", floorOp{800, 0, false, 80, false}},
	}
}

// opResult is one operation's figures, over HTTP or through the floor.
type opResult struct {
	Op          string       `json:"op"`
	Done        int64        `json:"done"`
	Errors      int64        `json:"errors"`
	Seconds     float64      `json:"seconds"`
	RPS         float64      `json:"rps"`
	CPUms       float64      `json:"cpu_ms_per_op"` // 0 when not measurable
	OutBytes    int          `json:"out_bytes"`     // size of one result
	Percentiles []Percentile `json:"latency"`
	FirstErr    string       `json:"first_error,omitempty"`
}

// floorResult is what the floor child reports on stdout.
type floorResult struct {
	Ops        []opResult `json:"ops"`
	PeakRSSMiB float64    `json:"peak_rss_mib"`
}

// runChild runs an internal measurement child, "floor" or "floor:<op>",
// and writes its JSON result.
func runChild(ctx context.Context, o *Options, stdout io.Writer) error {
	kind, only, _ := strings.Cut(o.Child, ":")
	var ops []transformOp
	for _, op := range transformOps() {
		if only == "" || op.Name == only {
			ops = append(ops, op)
		}
	}
	if kind != "floor" || len(ops) == 0 {
		return fmt.Errorf("%w: unknown child %q", ErrUsage, o.Child)
	}
	photos, err := loadCorpus(o.Corpus)
	if err != nil {
		return err
	}
	lady, err := findPhoto(photos, "LadyBird.jpg")
	if err != nil {
		return err
	}
	res, err := floorLoop(ctx, lady.Data, ops, o.Transforms/len(transformOps()), o.TransformClients, time.Now().Add(o.Timeout))
	if err != nil {
		return err
	}
	return json.NewEncoder(stdout).Encode(res)
}

// floorLoop runs each operation n times through the floor from clients
// goroutines and measures this process: CPU from getrusage, peak RSS from
// VmHWM (the child runs nothing else).
func floorLoop(ctx context.Context, src []byte, ops []transformOp, n, clients int, deadline time.Time) (*floorResult, error) {
	res := &floorResult{}
	for _, op := range ops {
		out, err := floorRun(src, op.Floor)
		if err != nil {
			return nil, fmt.Errorf("floor %s: %w", op.Name, err)
		}
		cpu0 := selfCPU()
		st := runOps(ctx, n, clients, deadline, nil, func(int) error {
			_, err := floorRun(src, op.Floor)
			return err
		})
		cpu := selfCPU() - cpu0
		res.Ops = append(res.Ops, opResult{Op: op.Name, Done: st.Done, Errors: st.Errors, Seconds: st.Elapsed.Seconds(),
			RPS: st.RPS(), CPUms: ms(cpu) / float64(max(st.Done, 1)), OutBytes: len(out),
			Percentiles: st.Latency.Percentiles(), FirstErr: st.FirstErr})
	}
	res.PeakRSSMiB = peakRSSMiB(os.Getpid())
	return res, nil
}

// selfCPU is this process's user + system CPU time.
func selfCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
