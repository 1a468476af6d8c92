package bench

import (
	"errors"
	"io"
	"mime"
	"mime/multipart"
	"os"
	"runtime"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

// chaos is part of `all` where its servers are processes, left out of it
// under -servers inproc, and refused there when named.
func TestChaosScenarioSelection(t *testing.T) {
	o, err := parseOptions(t)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(o.Scenarios, "chaos") || o.ImagingTimeout != 30*time.Second {
		t.Errorf("all under spawn: %v, -imaging-timeout %v", o.Scenarios, o.ImagingTimeout)
	}
	o, err = parseOptions(t, "-servers", "inproc", "all")
	if err != nil {
		t.Fatal(err)
	}
	if slices.Contains(o.Scenarios, "chaos") || !slices.Contains(o.Scenarios, "storm") {
		t.Errorf("all under inproc: %v", o.Scenarios)
	}
	if _, err := parseOptions(t, "-servers", "inproc", "chaos"); !errors.Is(err, ErrUsage) {
		t.Errorf("chaos under inproc: %v, want a usage error", err)
	}
	if _, err := parseOptions(t, "-servers", "inproc", "-origin", "http://127.0.0.1:1", "-edge", "http://127.0.0.1:2", "chaos"); err != nil {
		t.Errorf("chaos against running servers: %v", err)
	}
}

// A failed case fails the report's check (and so the run: Report.missed),
// a skipped one does not count.
func TestChaosReport(t *testing.T) {
	d := &chaosData{Servers: "spawn"}
	d.add("good", "works", "worked", true)
	d.skip("kill", "survives", "not here")
	r := chaosReport(&Options{StormConns: 1, StormTime: time.Second}, d)
	if m := r.missed(); len(m) != 0 {
		t.Errorf("all passed, missed %v", m)
	}
	md := r.markdown()
	for _, want := range []string{"| case | expectation | result | pass |\n|---|---|---|---|", "| good | works | worked | yes |",
		"| kill | survives | skipped: not here | skipped |", "| cases passed | 1 of 1 | 1 of 1 | yes |"} {
		if !strings.Contains(md, want) {
			t.Errorf("markdown lacks %q:\n%s", want, md)
		}
	}
	d.add("bad", "works", "did not", false)
	r = chaosReport(&Options{StormConns: 1, StormTime: time.Second}, d)
	if m := r.missed(); len(m) != 1 || !strings.Contains(m[0], "1 of 2") || !slices.Equal(d.failed(), []string{"bad"}) {
		t.Errorf("one failed: missed %v, failed %v", m, d.failed())
	}
}

// Signed as Cloudinary's documentation signs its example (public_id
// sample_image, timestamp 1315060510, secret abcd).
func TestSignParams(t *testing.T) {
	got := signParams([][2]string{{"public_id", "sample_image"}}, "key", "abcd", 1315060510)
	want := [][2]string{{"public_id", "sample_image"}, {"timestamp", "1315060510"},
		{"signature", "b4ad47fb4e25c7bf5f92a20089f9db59bc302313"}, {"api_key", "key"}}
	if !slices.Equal(got, want) {
		t.Errorf("%v, want %v", got, want)
	}
}

// The generated upload body is a multipart form with the fields, then a
// file part of the size asked for, as long as it says.
func TestStreamedForm(t *testing.T) {
	const size = 200<<10 + 123
	ct, body, n := streamedForm([][2]string{{"public_id", "x"}, {"api_key", "k"}}, size)
	raw, err := io.ReadAll(body)
	if err != nil || int64(len(raw)) != n {
		t.Fatalf("%d bytes read, %d declared, %v", len(raw), n, err)
	}
	_, params, err := mime.ParseMediaType(ct)
	if err != nil {
		t.Fatal(err)
	}
	mr := multipart.NewReader(strings.NewReader(string(raw)), params["boundary"])
	var got []string
	for {
		p, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(p)
		if p.FileName() != "" {
			got = append(got, p.FormName()+":"+p.FileName()+":"+strconv.Itoa(len(b)))
			continue
		}
		got = append(got, p.FormName()+"="+string(b))
	}
	if want := []string{"public_id=x", "api_key=k", "file:flood.bin:" + strconv.Itoa(size)}; !slices.Equal(got, want) {
		t.Errorf("parts %v, want %v", got, want)
	}
}

// The peak resident set can be reset to the current one, and sampling
// reads it.
func TestPeakRSSReset(t *testing.T) {
	pid := os.Getpid()
	big := make([]byte, 256<<20)
	for i := 0; i < len(big); i += 4096 {
		big[i] = 1
	}
	runtime.KeepAlive(big)
	big = nil
	debug.FreeOSMemory() // the 256 MiB leave the resident set, not the peak
	before := peakRSSMiB(pid)
	if err := resetPeakRSS(pid); err != nil {
		t.Skipf("clear_refs: %v", err)
	}
	if after := peakRSSMiB(pid); after > before-128 || after < rssMiB(pid)-1 {
		t.Errorf("peak %.0f MiB before the reset, %.0f after it (RSS %.0f)", before, after, rssMiB(pid))
	}
	stop := sampleRSS(pid, time.Millisecond)
	if got := stop(); got <= 0 {
		t.Errorf("sampled %v MiB", got)
	}
	if resetPeakRSS(0) == nil {
		t.Error("no process: no error")
	}
}

// A spawned origin gets the settings a case names.
func TestOriginYAMLSettings(t *testing.T) {
	o := &Options{Cloud: "demo", APIKey: "k", APISecret: "s"}
	y := originYAML(o, "127.0.0.1:1", "127.0.0.1:2", "127.0.0.1:3", "/tmp/x",
		clusterSpec{TransformQueue: 4, ImagingTimeout: time.Second, UploadsPerClient: 16})
	if !strings.Contains(y, "\n  imaging: {queue: 4, timeout: 1s}\n") || !strings.Contains(y, "\n  uploads: {per_client: 16}\n") {
		t.Errorf("origin yaml %q", y)
	}
	if y := originYAML(o, "127.0.0.1:1", "127.0.0.1:2", "127.0.0.1:3", "/tmp/x", clusterSpec{}); strings.Contains(y, "imaging") ||
		strings.Contains(y, "uploads") {
		t.Errorf("defaults written: %q", y)
	}
}
