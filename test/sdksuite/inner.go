package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"time"
)

// plan is what the runner does inside the namespace; outer writes it.
type plan struct {
	SDK           string // go or node
	Reporter      string // with node: reporter.js
	Seed          string // with node: the image uploaded as sample first
	Mediacdn      string
	Config        string
	DataDir       string
	LogDir        string
	Samples       map[string]string
	Wire          bool
	NetNS         bool
	CloudinaryURL string
	// FixedURL is the CLOUDINARY_URL of the cloud in the fixed folder
	// mode (dev.yaml's clouds.fixed), for nodeFixedFolderTests.
	FixedURL string
	// CAFile, when set, is the CA the Node SDK trusts
	// (NODE_EXTRA_CA_CERTS): the runner's throwaway one.
	CAFile      string
	Features    string
	Run         string
	TestTimeout time.Duration
	Deadline    time.Time
	Packages    []plannedPackage
	Results     string
}

type plannedPackage struct {
	Rel  string // relative to the SDK's top, "." for the top
	Name string // for file names
	Dir  string // where its tests run
	Bin  string // its test binary
}

// results is what inner reports back.
type results struct {
	Packages []packageResult
	// MediacdnExit says how mediacdn ended when it did before being told.
	MediacdnExit string `json:",omitempty"`
	// Incomplete says why the run stopped before the end.
	Incomplete string `json:",omitempty"`
}

type packageResult struct {
	Rel   string
	Log   string // file name in the log directory
	Runs  int    // processes the tests took (one more after each panic)
	Tests []testResult
}

// Test statuses.
const (
	statusPass   = "pass"
	statusFail   = "fail"
	statusSkip   = "skip"
	statusNotRun = "not run"
)

type testResult struct {
	Name    string
	Status  string
	Panic   string  `json:",omitempty"` // the panic that stopped its process
	Message string  `json:",omitempty"` // the first error line (the reason of a skip)
	Seconds float64 `json:",omitempty"`
}

// inner runs the plan: sample server, mediacdn, the test binaries.
func inner(planFile string) (err error) {
	b, err := os.ReadFile(planFile)
	if err != nil {
		return err
	}
	var pl plan
	if err := json.Unmarshal(b, &pl); err != nil {
		return err
	}
	ctx, cancel := context.WithDeadline(context.Background(), pl.Deadline)
	defer cancel()
	if pl.NetNS {
		if err := loopbackUp(); err != nil {
			return fmt.Errorf("bringing lo up: %w", err)
		}
	}
	env := childEnv()
	var res results

	samples, err := serveSamples(pl.Samples, filepath.Join(pl.LogDir, "samples.log"))
	if err != nil {
		return err
	}
	defer samples.Close()

	sink := &logSink{}
	if pl.Wire {
		proxy, err := serveWire(wireAddr, "http://"+apiAddr, sink)
		if err != nil {
			return err
		}
		defer proxy.Close()
	}

	mcdn, err := startMediacdn(ctx, pl, env)
	if err != nil {
		return err
	}
	defer func() {
		if exit := mcdn.stop(); exit != "" {
			res.MediacdnExit = exit
			fmt.Printf("mediacdn ended during the run: %s (see %s)\n", exit, mcdn.log)
		}
		if werr := writeJSON(pl.Results, res); werr != nil && err == nil {
			err = werr
		}
	}()

	testEnv := append(env, "CLOUDINARY_URL="+pl.CloudinaryURL)
	if pl.Features != "" {
		testEnv = append(testEnv, "CLD_TEST_FEATURES="+pl.Features)
	}
	if pl.CAFile != "" {
		testEnv = append(testEnv, "NODE_EXTRA_CA_CERTS="+pl.CAFile)
	}
	if pl.Seed != "" {
		if err := seedSample(ctx, "cloudinary://demo_key:demo_secret@demo?upload_prefix=http://"+apiAddr, pl.Seed); err != nil {
			return err
		}
	}
	fmt.Printf("mediacdn is ready; running the tests with CLOUDINARY_URL=%s\n", pl.CloudinaryURL)
	for _, p := range pl.Packages {
		if ctx.Err() != nil {
			res.Incomplete = "the time ran out (-timeout) before " + p.Rel
			res.Packages = append(res.Packages, packageResult{Rel: p.Rel})
			continue
		}
		run := runPackage
		if pl.SDK == "node" {
			run = runSpec
		}
		pr, err := run(ctx, pl, p, testEnv, sink)
		if err != nil {
			return fmt.Errorf("package %s: %w", p.Rel, err)
		}
		if ctx.Err() != nil && res.Incomplete == "" {
			res.Incomplete = "the time ran out (-timeout) in " + p.Rel
		}
		res.Packages = append(res.Packages, pr)
		c := pr.counts()
		fmt.Printf("  %-40s %3d tests: %3d pass %3d fail %3d skip %3d not run (%d processes)\n",
			p.Rel, len(pr.Tests), c[statusPass], c[statusFail], c[statusSkip], c[statusNotRun], pr.Runs)
	}
	return nil
}

func writeJSON(path string, v any) error {
	b, err := json.MarshalIndent(v, "", " ")
	if err != nil {
		return err
	}
	return os.WriteFile(path, b, 0o644)
}

// childEnv is this environment without what would send the SDK or mediacdn
// elsewhere: Cloudinary settings and HTTP proxies (unreachable inside the
// namespace in any case).
func childEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		u := strings.ToUpper(k)
		if strings.HasPrefix(u, "CLOUDINARY_") || u == "CLD_TEST_FEATURES" || strings.HasSuffix(u, "_PROXY") {
			continue
		}
		env = append(env, kv)
	}
	return env
}

// serveSamples serves the SDK's sample files at the URL paths cldtest.go
// now names, and nothing else.
func serveSamples(samples map[string]string, logFile string) (*http.Server, error) {
	lf, err := os.Create(logFile)
	if err != nil {
		return nil, err
	}
	var mu sync.Mutex
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		file, ok := samples[r.URL.Path]
		mu.Lock()
		fmt.Fprintf(lf, "%s %s %s found=%v\n", time.Now().Format(time.RFC3339Nano), r.Method, r.URL, ok)
		mu.Unlock()
		if !ok {
			http.NotFound(w, r)
			return
		}
		http.ServeFile(w, r, file)
	})
	ln, err := net.Listen("tcp", sampleAddr)
	if err != nil {
		lf.Close()
		return nil, fmt.Errorf("sample server: %w", err)
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	srv.RegisterOnShutdown(func() { lf.Close() })
	go srv.Serve(ln)
	return srv, nil
}

// devProcess is the running `mediacdn dev`.
type devProcess struct {
	cmd  *exec.Cmd
	log  string
	done chan struct{}
	err  error // how it ended, once done is closed
}

// startMediacdn starts `mediacdn dev` on the plan's configuration and data
// directory and waits for its banner's "is ready".
func startMediacdn(ctx context.Context, pl plan, env []string) (*devProcess, error) {
	logPath := filepath.Join(pl.LogDir, "mediacdn.log")
	lf, err := os.Create(logPath)
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(pl.Mediacdn, "dev", "-config", pl.Config, "-data", pl.DataDir)
	cmd.Dir = filepath.Dir(pl.Config) // origin.tls's files are relative to it
	cmd.Env = env
	cmd.Stdout, cmd.Stderr = lf, lf
	cmd.SysProcAttr = childAttr()
	if err := cmd.Start(); err != nil {
		lf.Close()
		return nil, fmt.Errorf("starting mediacdn: %w", err)
	}
	p := &devProcess{cmd: cmd, log: logPath, done: make(chan struct{})}
	go func() {
		p.err = cmd.Wait()
		lf.Close()
		close(p.done)
	}()
	ready := time.NewTimer(60 * time.Second)
	defer ready.Stop()
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	for {
		b, _ := os.ReadFile(logPath)
		if bytes.Contains(b, []byte("is ready")) {
			return p, nil
		}
		select {
		case <-p.done:
			return nil, fmt.Errorf("mediacdn dev ended before it was ready (%v):\n%s", p.err, tail(logPath, 20))
		case <-ready.C:
			p.stop()
			return nil, fmt.Errorf("mediacdn dev was not ready after 60s:\n%s", tail(logPath, 20))
		case <-ctx.Done():
			p.stop()
			return nil, ctx.Err()
		case <-tick.C:
		}
	}
}

// stop stops mediacdn (SIGTERM, SIGKILL after 15s) and says how it had
// ended if it had before.
func (p *devProcess) stop() string {
	select {
	case <-p.done:
		return fmt.Sprint(p.err)
	default:
	}
	p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.done:
	case <-time.After(15 * time.Second):
		p.cmd.Process.Kill()
		<-p.done
	}
	return ""
}

func tail(path string, n int) string {
	b, _ := os.ReadFile(path)
	lines := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

// runPackage runs the tests of one package, again in a new process for
// those a panic kept from running, until each has a result or one more
// process brings none.
func runPackage(ctx context.Context, pl plan, p plannedPackage, env []string, sink *logSink) (packageResult, error) {
	pr := packageResult{Rel: p.Rel, Log: p.Name + ".log"}
	lf, err := os.Create(filepath.Join(pl.LogDir, pr.Log))
	if err != nil {
		return pr, err
	}
	defer lf.Close()
	sink.set(lf)
	defer sink.set(nil)

	names, err := listTests(ctx, p, env)
	if err != nil {
		return pr, err
	}
	if pl.Run != "" {
		re := regexp.MustCompile(pl.Run)
		var kept []string
		for _, n := range names {
			if re.MatchString(n) {
				kept = append(kept, n)
			}
		}
		names = kept
	}
	got := map[string]*testResult{}
	remaining := names
	for len(remaining) > 0 && ctx.Err() == nil {
		pr.Runs++
		sink.writeLine(fmt.Sprintf("##### process %d: %d tests", pr.Runs, len(remaining)))
		out, runErr := runTestBinary(ctx, pl, p, env, remaining, sink)
		parsed := parseTestOutput(out)
		for _, r := range parsed.tests {
			if old, seen := got[r.Name]; !seen || old.Status == "" {
				got[r.Name] = r
			}
		}
		if runErr != "" {
			sink.writeLine("##### " + runErr)
			// Killed (a hang past -test-timeout): the test it was in fails.
			if n := parsed.unfinished(); n != "" && got[n].Status == "" {
				got[n].Status, got[n].Message = statusFail, runErr
			}
		}
		var next []string
		for _, n := range remaining {
			if r, ok := got[n]; !ok || r.Status == "" {
				next = append(next, n)
			}
		}
		if len(next) == len(remaining) {
			break // no progress: what is left did not run
		}
		remaining = next
	}
	for _, n := range names {
		r, ok := got[n]
		if !ok || r.Status == "" {
			r = &testResult{Name: n, Status: statusNotRun}
			if ctx.Err() != nil {
				r.Message = "the time ran out (-timeout)"
			}
		}
		pr.Tests = append(pr.Tests, *r)
	}
	return pr, nil
}

// listTests lists the package's tests and examples (the binary's
// -test.list, benchmarks and fuzz targets left out).
func listTests(ctx context.Context, p plannedPackage, env []string) ([]string, error) {
	cmd := exec.CommandContext(ctx, p.Bin, "-test.list", ".")
	cmd.Dir, cmd.Env = p.Dir, env
	cmd.SysProcAttr = childAttr()
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("%s -test.list: %w", filepath.Base(p.Bin), err)
	}
	var names []string
	for _, l := range strings.Split(string(out), "\n") {
		l = strings.TrimSpace(l)
		if strings.HasPrefix(l, "Test") || strings.HasPrefix(l, "Example") {
			names = append(names, l)
		}
	}
	return names, nil
}

// runTestBinary runs the named tests in one process, its output going to
// the package's log as it comes, and returns that output and, when the
// process had to be killed, why.
func runTestBinary(ctx context.Context, pl plan, p plannedPackage, env, names []string, sink *logSink) (string, string) {
	quoted := make([]string, len(names))
	for i, n := range names {
		quoted[i] = regexp.QuoteMeta(n)
	}
	runCtx, cancel := context.WithTimeout(ctx, pl.TestTimeout+time.Minute)
	defer cancel()
	cmd := exec.CommandContext(runCtx, p.Bin, "-test.v", "-test.count=1",
		"-test.timeout="+pl.TestTimeout.String(), "-test.run", "^("+strings.Join(quoted, "|")+")$")
	cmd.Dir, cmd.Env = p.Dir, env
	cmd.SysProcAttr = childAttr()
	cmd.WaitDelay = 10 * time.Second
	var buf bytes.Buffer
	lw := sink.lineWriter(&buf)
	cmd.Stdout, cmd.Stderr = lw, lw
	err := cmd.Run()
	lw.flush()
	var exit *exec.ExitError
	switch {
	case err == nil || (errors.As(err, &exit) && runCtx.Err() == nil):
		return buf.String(), "" // a test failed or panicked: its output says so
	case runCtx.Err() != nil && ctx.Err() != nil:
		return buf.String(), "killed: the time ran out (-timeout)"
	case runCtx.Err() != nil:
		return buf.String(), fmt.Sprintf("killed: still running a minute past -test-timeout %v", pl.TestTimeout)
	default:
		return buf.String(), "could not run: " + err.Error()
	}
}
