package main

import (
	"bytes"
	"encoding/json"
	"os/exec"
	"strings"
	"testing"
)

// These tests need neither the SDK, nor root, nor a network: `make
// sdk-suite` runs the real thing.

// out is -test.v output as the SDK's test binaries write it (testify's
// blocks indented with spaces and tabs as they come).
const out = `=== RUN   TestA
    a_test.go:10: upload failed
    a_test.go:11: second error
--- FAIL: TestA (0.01s)
=== RUN   TestB
    cldtest.go:333: Please enable dynamic_folders feature
--- SKIP: TestB (0.00s)
=== RUN   TestC
=== RUN   TestC/sub
    c_test.go:5: 
        	Error Trace:	/tmp/x/c_test.go:5
        	Error:      	Not equal: 
        	            	expected: 2
        	            	actual  : 0
        	Test:       	TestC/sub
    --- FAIL: TestC/sub (0.00s)
--- FAIL: TestC (0.00s)
=== RUN   TestD
--- PASS: TestD (1.50s)
=== RUN   TestE
    e_test.go:295: 
        	Error Trace:	/tmp/x/e_test.go:295
        	Error:      	"[]" should have 1 item(s), but has 0
        	Test:       	TestE
--- FAIL: TestE (0.00s)
panic: runtime error: index out of range [0] with length 0 [recovered, repanicked]

goroutine 43 [running]:
    f_test.go:1: not a test's line
`

func TestParseTestOutput(t *testing.T) {
	p := parseTestOutput(out)
	want := []testResult{
		{Name: "TestA", Status: statusFail, Message: "a_test.go:10: upload failed", Seconds: 0.01},
		{Name: "TestB", Status: statusSkip, Message: "cldtest.go:333: Please enable dynamic_folders feature"},
		{Name: "TestC", Status: statusFail, Message: "c_test.go:5: Not equal: expected: 2 actual : 0"},
		{Name: "TestD", Status: statusPass, Seconds: 1.5},
		{Name: "TestE", Status: statusFail, Message: `e_test.go:295: "[]" should have 1 item(s), but has 0`,
			Panic: "panic: runtime error: index out of range [0] with length 0 [recovered, repanicked]"},
	}
	if len(p.tests) != len(want) {
		t.Fatalf("%d tests, want %d: %+v", len(p.tests), len(want), p.tests)
	}
	for i, w := range want {
		if *p.tests[i] != w {
			t.Errorf("test %d:\n got %+v\nwant %+v", i, *p.tests[i], w)
		}
	}
	if u := p.unfinished(); u != "" {
		t.Errorf("unfinished %q, want none", u)
	}
}

// A panic before Go printed the test's end (a -test.timeout) fails the
// test that was running; the tests after it did not start.
func TestParseTimeout(t *testing.T) {
	p := parseTestOutput("=== RUN   TestA\n--- PASS: TestA (0.00s)\n=== RUN   TestB\n" +
		"panic: test timed out after 5m0s\n\trunning tests:\n\t\tTestB (5m0s)\n")
	if len(p.tests) != 2 {
		t.Fatalf("%+v", p.tests)
	}
	b := p.tests[1]
	if b.Name != "TestB" || b.Status != statusFail || b.Message != "panic: test timed out after 5m0s" {
		t.Errorf("%+v", *b)
	}
}

// A process killed in a test leaves it unfinished.
func TestParseUnfinished(t *testing.T) {
	p := parseTestOutput("=== RUN   TestA\n--- PASS: TestA (0.00s)\n=== RUN   TestB\n    b_test.go:3: waiting\n")
	if u := p.unfinished(); u != "TestB" {
		t.Errorf("unfinished %q, want TestB", u)
	}
}

func TestCompact(t *testing.T) {
	long := "x.go:1: &{" + strings.Repeat("0 ", 200) + "{Parameter quality_analysis is not supported by this server} 0xbd5080a2348}"
	got := compact(long)
	if !strings.HasSuffix(got, "{Parameter quality_analysis is not supported by this server} 0x…}") ||
		!strings.HasPrefix(got, "x.go:1: &{0 0") || len([]rune(got)) > 220 {
		t.Errorf("compact: %q", got)
	}
	if got := compact("a   b\tc 0x1234abcd"); got != "a b c 0x…" {
		t.Errorf("compact: %q", got)
	}
}

func TestApplyPatches(t *testing.T) {
	src := "package cldtest\n\n" + cldtestPatches[0].old + "\n\n" + cldtestPatches[1].old + "\n"
	got, err := applyPatches(src)
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range []string{
		`const LogoURL = "http://127.0.0.1:8090/image/upload/cloudinary_logo.png"`,
		`const VideoURL = "http://127.0.0.1:8090/demo/video/upload/dog.mp4"`,
	} {
		if !strings.Contains(got, w) {
			t.Errorf("no %s in\n%s", w, got)
		}
	}
	if strings.Contains(got, "cloudinary.com") {
		t.Errorf("a Cloudinary URL is left:\n%s", got)
	}
	// The SDK changed the constant, or declares it twice: the run stops.
	for _, bad := range []string{
		strings.Replace(src, "cloudinary_logo.png", "logo.png", 1),
		src + cldtestPatches[1].old + "\n",
	} {
		if _, err := applyPatches(bad); err == nil {
			t.Errorf("no error for\n%s", bad)
		}
	}
}

func TestBaseline(t *testing.T) {
	b, err := parseBaseline(string(baselineTxt))
	if err != nil {
		t.Fatal(err)
	}
	causes := map[string]bool{"refused": true, "not-implemented": true, "video": true}
	for _, e := range b {
		if !causes[e.Cause] {
			t.Errorf("%s %s: cause %q", e.Package, e.Test, e.Cause)
		}
	}
	for _, bad := range []string{"api/admin TestX", "api/admin TestX refused\napi/admin TestX video"} {
		if _, err := parseBaseline(bad); err == nil {
			t.Errorf("no error for %q", bad)
		}
	}
}

func TestCompare(t *testing.T) {
	base, err := parseBaseline("p TestStill refused\np TestFixed video\np TestSkipped refused\np TestGone refused # renamed\n")
	if err != nil {
		t.Fatal(err)
	}
	r := &report{Baseline: base, BaselineName: "b.txt", Results: results{Packages: []packageResult{{Rel: "p", Runs: 2, Tests: []testResult{
		{Name: "TestStill", Status: statusFail, Message: "x.go:1: 404"},
		{Name: "TestFixed", Status: statusPass},
		{Name: "TestSkipped", Status: statusSkip},
		{Name: "TestNew", Status: statusFail, Message: "y.go:2: boom"},
		{Name: "TestLost", Status: statusNotRun},
		{Name: "TestFine", Status: statusPass},
	}}}}}
	r.compare()
	c := r.Comparison
	names := func(refs []ref) string {
		var s []string
		for _, x := range refs {
			s = append(s, x.Test)
		}
		return strings.Join(s, " ")
	}
	if c.Expected != 4 || c.StillFailing != 1 || names(c.NewlyFailing) != "TestNew TestLost" ||
		names(c.NewlyPassing) != "TestFixed" || names(c.NowSkipped) != "TestSkipped" || names(c.Missing) != "TestGone" {
		t.Errorf("%+v", *c)
	}
	var text, md bytes.Buffer
	r.writeText(&text)
	if err := r.writeMarkdown(&md); err != nil {
		t.Fatal(err)
	}
	for _, w := range []string{"all", "[refused] x.go:1: 404", "newly failing", "TestLost (not run)"} {
		if !strings.Contains(text.String(), w) {
			t.Errorf("text has no %q:\n%s", w, text.String())
		}
	}
	if !strings.Contains(md.String(), "| **all** | **6** | **2** | **2** | **1** | **1** | |") {
		t.Errorf("markdown:\n%s", md.String())
	}
}

// reporter.js's lines: each state, titles with runs of spaces collapsed,
// an unknown state refused.
func TestParseNodeResults(t *testing.T) {
	got, err := parseNodeResults([]byte(`{"title":"api  resources should list","state":"passed","message":"","ms":1500}
{"title":"api update should refuse","state":"failed","message":"API error 400: Parameter x is not supported by this server","ms":20}
{"title":"api skipped one","state":"pending","message":"","ms":0}
{"title":"api after a hook","state":"not run","message":"\"before all\" hook: boom","ms":0}
`))
	if err != nil {
		t.Fatal(err)
	}
	want := []testResult{
		{Name: "api resources should list", Status: statusPass, Seconds: 1.5},
		{Name: "api update should refuse", Status: statusFail, Message: "API error 400: Parameter x is not supported by this server", Seconds: 0.02},
		{Name: "api skipped one", Status: statusSkip},
		{Name: "api after a hook", Status: statusNotRun, Message: `"before all" hook: boom`},
	}
	if len(got) != len(want) {
		t.Fatalf("got %+v", got)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("%d: got %+v, want %+v", i, got[i], want[i])
		}
	}
	if _, err := parseNodeResults([]byte(`{"title":"x","state":"exploded"}`)); err == nil {
		t.Error("an unknown state is accepted")
	}
}

// The Node baseline: titles of several words, the cause the last field
// before " #", and every cause one the file explains.
func TestNodeBaseline(t *testing.T) {
	b, err := parseBaseline(string(nodeBaselineTxt))
	if err != nil {
		t.Fatal(err)
	}
	causes := map[string]bool{"refused": true, "add-on": true, "not-implemented": true, "video": true, "lenient": true,
		"accepts": true, "delivery": true, "sample": true, "backup": true, "field": true}
	for _, e := range b {
		if !causes[e.Cause] {
			t.Errorf("%s %s: cause %q", e.Package, e.Test, e.Cause)
		}
		if !strings.Contains(string(nodeBaselineTxt), "#   "+e.Cause+" ") {
			t.Errorf("cause %q is not explained", e.Cause)
		}
	}
	e, ok := b["api/admin/api_spec.js api upload_preset should allow creating upload_presets"]
	if !ok || e.Cause != "refused" || e.Note != "eval" {
		t.Errorf("api_spec upload_preset entry: %+v %v", e, ok)
	}
}

// The patches of the Node SDK's sample URLs keep the path and change the
// host.
func TestNodePatches(t *testing.T) {
	for _, p := range nodePatches {
		r := p.replacement()
		if r == p.old || !strings.Contains(r, "http://"+sampleAddr+p.urlPath) || strings.Contains(r, "res.cloudinary.com") {
			t.Errorf("%s: %s", p.file, r)
		}
	}
}

// The --grep patterns choose, on mocha's full titles, the tests of each
// run: -run's, those of the fixed-folder cloud or all but them; checked
// with Node's own regular expressions when node is installed.
func TestMochaGrep(t *testing.T) {
	fixed := []string{"api folders should list folders in cloudinary"}
	titles := []string{
		"api folders should list folders in cloudinary",
		"api folders  should list folders in cloudinary", // more white space than normTitle keeps
		"api folders should list folders in cloudinary too",
		"api folders create_folder should create a new folder",
		"api resources should list (a+b)?",
	}
	for _, c := range []struct {
		run  string
		spec specRun
		want []bool
	}{
		{"", specRun{}, nil},
		{"", specRun{only: fixed}, []bool{true, true, false, false, false}},
		{"", specRun{except: fixed}, []bool{false, false, true, true, true}},
		{"create_folder|resources", specRun{except: fixed}, []bool{false, false, false, true, true}},
		{"", specRun{only: []string{"api resources should list (a+b)?"}}, []bool{false, false, false, false, true}},
	} {
		g := mochaGrep(c.run, c.spec)
		if c.want == nil {
			if g != "" {
				t.Errorf("%+v: %q, want none", c.spec, g)
			}
			continue
		}
		if _, err := exec.LookPath("node"); err != nil {
			t.Skipf("no node: %q not checked (make test installs node)", g)
		}
		script := `const re = new RegExp(process.argv[1]); console.log(JSON.stringify(JSON.parse(process.argv[2]).map((s) => re.test(s))))`
		in, _ := json.Marshal(titles)
		out, err := exec.Command("node", "-e", script, g, string(in)).Output()
		if err != nil {
			t.Fatalf("node: %v", err)
		}
		want, _ := json.Marshal(c.want)
		if strings.TrimSpace(string(out)) != string(want) {
			t.Errorf("run %q %+v: --grep %q chooses %s, want %s", c.run, c.spec, g, out, want)
		}
	}
}

// After mocha stopped a run, the tests it had not run (no hook failed
// before them) are run again, and their results take the place of "not
// run"; a test a hook kept from running is not run again.
func TestStoppedAndMerged(t *testing.T) {
	first := []testResult{
		{Name: "a", Status: statusPass},
		{Name: "b", Status: statusFail, Message: "uncaught after it passed"},
		{Name: "c", Status: statusNotRun},
		{Name: "d", Status: statusNotRun, Message: `"before all" hook: boom`},
		{Name: "e", Status: statusNotRun},
	}
	if got := strings.Join(stoppedTests(first), ","); got != "c,e" {
		t.Fatalf("stopped %q", got)
	}
	merged := mergeResults(first, []testResult{{Name: "c", Status: statusPass}, {Name: "e", Status: statusNotRun}})
	if got := strings.Join(stoppedTests(merged), ","); got != "e" || merged[2].Status != statusPass || len(merged) != 5 {
		t.Fatalf("merged %+v", merged)
	}
}
