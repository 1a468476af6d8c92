package main

import (
	"context"
	_ "embed"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"time"
)

//go:embed dev.yaml
var devYAML []byte

//go:embed baseline.txt
var baselineTxt []byte

//go:embed node-baseline.txt
var nodeBaselineTxt []byte

// Addresses inside the namespace. dev.yaml holds the origin's, edge's and
// NATS's; the sample server and the wire proxy are the runner's own.
const (
	sampleAddr = "127.0.0.1:8090"
	apiAddr    = "127.0.0.1:8081"
	apiTLSAddr = "127.0.0.1:8443" // origin.tls.listen
	wireAddr   = "127.0.0.1:8082"
)

// sdkModule is the module whose tests are run.
const sdkModule = "github.com/cloudinary/cloudinary-go/v2"

type options struct {
	sdk         string
	nodeRepo    string
	cache       string
	goCmd       string
	mediacdn    string
	config      string
	baseline    string
	out         string
	wire        bool
	netns       bool
	keep        bool
	pkg         string
	run         string
	features    string
	timeout     time.Duration
	testTimeout time.Duration
	inner       string
}

func main() {
	var o options
	fs := flag.NewFlagSet("sdksuite", flag.ExitOnError)
	fs.StringVar(&o.sdk, "sdk", "go", "whose suite to run: `go` (the Go SDK's tests) or node (the Node SDK's integration specs, -pkg choosing spec files)")
	fs.StringVar(&o.nodeRepo, "node-repo", nodeSDKRepo, "with -sdk node: the `repository` to clone the Node SDK from (at tag "+nodeSDKTag+")")
	fs.StringVar(&o.cache, "cache", "", "with -sdk node: the `directory` keeping the Node SDK's clone and node_modules between runs (default: mediacdn/node-sdk-suite in the user's cache directory)")
	fs.StringVar(&o.goCmd, "go", "go", "the go `command` that builds the SDK's test binaries")
	fs.StringVar(&o.mediacdn, "mediacdn", "bin/mediacdn", "the mediacdn `binary` to run (make build)")
	fs.StringVar(&o.config, "config", "", "mediacdn dev configuration `file` (default: test/sdksuite/dev.yaml, built in); it runs beside tls/ca.pem, cert.pem and key.pem, the throwaway certificate, and with -sdk node needs the API over HTTPS on 127.0.0.1:8443 (origin.tls) and the cloud fixed")
	fs.StringVar(&o.baseline, "baseline", "", "`file` of the tests expected to fail; off: no comparison (default: test/sdksuite/baseline.txt, built in)")
	fs.StringVar(&o.out, "out", "", "write the report and logs into this `directory` (default: a new one under $TMPDIR)")
	fs.BoolVar(&o.wire, "wire", false, "log every API request and response beside the tests' output (a proxy on "+wireAddr+")")
	fs.BoolVar(&o.netns, "netns", true, "run inside a loopback-only network namespace; false runs on this host's network, needing ports 4222, 8080-8082, 8090 and 8443 free")
	fs.BoolVar(&o.keep, "keep", false, "keep the temporary directory (SDK copy, test binaries, data)")
	fs.StringVar(&o.pkg, "pkg", "", "run only the SDK packages (with -sdk node: spec files under test/integration, such as api/search/search_spec.js) whose path matches this `regexp`")
	fs.StringVar(&o.run, "run", "", "run only the top-level tests (with -sdk node: mocha's --grep on full titles) whose name matches this `regexp`")
	fs.StringVar(&o.features, "features", "", "CLD_TEST_FEATURES for the SDK's tests: `features` (all, or names such as dynamic_folders) whose tests it skips otherwise (default: none; with -sdk node, "+nodeFeatures+")")
	fs.DurationVar(&o.timeout, "timeout", 20*time.Minute, "bound on the whole run")
	fs.DurationVar(&o.testTimeout, "test-timeout", 5*time.Minute, "bound on each run of a test binary")
	fs.StringVar(&o.inner, "inner", "", "(internal) run the plan in this `file`: what the runner does inside the namespace")
	fs.Parse(os.Args[1:])
	if fs.NArg() != 0 {
		fs.Usage()
		os.Exit(2)
	}
	if o.inner != "" {
		if err := inner(o.inner); err != nil {
			fmt.Fprintln(os.Stderr, "sdksuite (inside):", err)
			os.Exit(1)
		}
		return
	}
	if err := outer(o); err != nil {
		fmt.Fprintln(os.Stderr, "sdksuite:", err)
		os.Exit(1)
	}
}

// outer prepares the SDK outside the namespace, runs the plan inside it,
// and reports.
func outer(o options) (err error) {
	begun := time.Now()
	ctx, cancel := context.WithTimeout(context.Background(), o.timeout)
	defer cancel()
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()

	if o.timeout <= 0 || o.testTimeout <= 0 {
		return errors.New("-timeout and -test-timeout must be positive")
	}
	var pkgRE *regexp.Regexp
	if o.pkg != "" {
		if pkgRE, err = regexp.Compile(o.pkg); err != nil {
			return fmt.Errorf("-pkg: %w", err)
		}
	}
	if _, err = regexp.Compile(o.run); err != nil {
		return fmt.Errorf("-run: %w", err)
	}
	if o.sdk != "go" && o.sdk != "node" {
		return fmt.Errorf("-sdk %q: go or node", o.sdk)
	}
	base, baseName, err := loadBaseline(o.baseline, o.sdk)
	if err != nil {
		return err
	}
	mediacdn, err := filepath.Abs(o.mediacdn)
	if err != nil {
		return err
	}
	if st, err := os.Stat(mediacdn); err != nil || st.IsDir() {
		return fmt.Errorf("no mediacdn binary at %s (make build makes one; -mediacdn names another)", o.mediacdn)
	}
	mcdnVersion := mediacdnVersion(ctx, mediacdn)

	tmp, err := os.MkdirTemp("", "mediacdn-sdk-suite-")
	if err != nil {
		return err
	}
	defer func() {
		if o.keep {
			fmt.Printf("kept %s\n", tmp)
			return
		}
		if rmErr := os.RemoveAll(tmp); rmErr != nil && err == nil {
			err = fmt.Errorf("removing %s: %w", tmp, rmErr)
		}
	}()

	cfg := filepath.Join(tmp, "dev.yaml")
	if o.config != "" {
		b, err := os.ReadFile(o.config)
		if err != nil {
			return err
		}
		if err := os.WriteFile(cfg, b, 0o644); err != nil {
			return err
		}
	} else if err := os.WriteFile(cfg, devYAML, 0o644); err != nil {
		return err
	}
	// dev.yaml's origin.tls names these files, relative to its directory.
	if err := writeTLS(tmp); err != nil {
		return fmt.Errorf("the throwaway TLS certificate: %w", err)
	}

	var (
		pkgs     []plannedPackage
		samples  map[string]string
		version  string
		aside    []string
		reporter string
		seed     string
	)
	if o.sdk == "node" {
		cache := o.cache
		if cache == "" {
			cache = nodeCacheDir()
		}
		// The copy's parent holds the node_modules link: its own directory.
		n, err := prepareNode(ctx, o.nodeRepo, cache, filepath.Join(tmp, "node", "sdk"))
		if err != nil {
			return err
		}
		fmt.Printf("Node SDK cloudinary %s (%s) copied from %s; its sample URLs point at http://%s\n", n.Version, nodeSDKCommit[:12], n.From, sampleAddr)
		specs, err := integrationSpecs(n.Dir)
		if err != nil {
			return err
		}
		for _, rel := range specs {
			if pkgRE != nil && !pkgRE.MatchString(rel) {
				continue
			}
			pkgs = append(pkgs, plannedPackage{Rel: rel, Name: logName(strings.TrimSuffix(rel, ".js")), Dir: n.Dir, Bin: n.Mocha})
		}
		if len(pkgs) == 0 {
			return fmt.Errorf("no spec file matches -pkg %q (spec files: %s)", o.pkg, strings.Join(specs, " "))
		}
		samples, version, reporter, seed = n.Samples, n.Version, n.Reporter, n.Seed
	} else {
		sdk, err := prepareSDK(ctx, o.goCmd, filepath.Join(tmp, "sdk"), filepath.Join(tmp, "aside"))
		if err != nil {
			return err
		}
		fmt.Printf("SDK %s %s copied from %s; %d acceptance test files set aside; cldtest points at http://%s\n",
			sdkModule, sdk.Version, sdk.From, len(sdk.Aside), sampleAddr)
		for _, rel := range sdk.Packages {
			if pkgRE != nil && !pkgRE.MatchString(rel) {
				continue
			}
			pkgs = append(pkgs, plannedPackage{Rel: rel, Name: logName(rel)})
		}
		if len(pkgs) == 0 {
			return fmt.Errorf("no SDK package with tests matches -pkg %q (packages: %s)", o.pkg, strings.Join(sdk.Packages, " "))
		}
		fmt.Printf("building the test binaries of %d packages\n", len(pkgs))
		for i := range pkgs {
			p := &pkgs[i]
			p.Dir = filepath.Join(sdk.Dir, p.Rel)
			p.Bin = filepath.Join(tmp, "bin", p.Name+".test")
			if err := buildTestBinary(ctx, o.goCmd, sdk.Dir, p.Rel, p.Bin); err != nil {
				return err
			}
		}
		samples, version, aside = sdk.Samples, sdk.Version, sdk.Aside
	}

	name := "sdk-suite"
	if o.sdk == "node" {
		name = "node-suite"
	}
	out := o.out
	if out == "" {
		if out, err = os.MkdirTemp("", "mediacdn-"+name+"-report-"); err != nil {
			return err
		}
	} else if err := os.MkdirAll(out, 0o755); err != nil {
		return err
	}
	stamp := begun.Format("20060102-1504")
	logDir := filepath.Join(out, stamp+"-"+name+"-logs")
	if err := os.MkdirAll(logDir, 0o755); err != nil {
		return err
	}
	dataDir := filepath.Join(tmp, "data")
	if err := os.MkdirAll(dataDir, 0o755); err != nil {
		return err
	}
	// The Node SDK's specs reach the origin over HTTPS (some spy on Node's
	// https module), trusting the runner's throwaway CA; the Go SDK's
	// tests over HTTP, as before. -wire's proxy speaks HTTP.
	prefix := "http://" + apiAddr
	var caFile string
	switch {
	case o.wire:
		prefix = "http://" + wireAddr
	case o.sdk == "node":
		prefix = "https://" + apiTLSAddr
		caFile = filepath.Join(tmp, tlsDir, tlsCA)
	}
	// The Node specs' dynamic-folder tests run by default: demo is a
	// cloud in the dynamic folder mode.
	features := o.features
	if features == "" && o.sdk == "node" {
		features = nodeFeatures
	}
	deadline, _ := ctx.Deadline()
	pl := plan{
		Mediacdn:      mediacdn,
		Config:        cfg,
		DataDir:       dataDir,
		LogDir:        logDir,
		SDK:           o.sdk,
		Reporter:      reporter,
		Seed:          seed,
		Samples:       samples,
		Wire:          o.wire,
		NetNS:         o.netns,
		CloudinaryURL: "cloudinary://demo_key:demo_secret@demo?upload_prefix=" + prefix,
		FixedURL:      "cloudinary://fixed_key:fixed_secret@fixed?upload_prefix=" + prefix,
		CAFile:        caFile,
		Features:      features,
		Run:           o.run,
		TestTimeout:   o.testTimeout,
		Deadline:      deadline.Add(-20 * time.Second),
		Packages:      pkgs,
		Results:       filepath.Join(tmp, "results.json"),
	}
	planFile := filepath.Join(tmp, "plan.json")
	b, err := json.MarshalIndent(pl, "", "  ")
	if err != nil {
		return err
	}
	if err := os.WriteFile(planFile, b, 0o644); err != nil {
		return err
	}
	if err := runInner(ctx, o.netns, planFile, deadline); err != nil {
		return err
	}
	b, err = os.ReadFile(pl.Results)
	if err != nil {
		return fmt.Errorf("the run inside the namespace left no results: %w", err)
	}
	var res results
	if err := json.Unmarshal(b, &res); err != nil {
		return fmt.Errorf("results: %w", err)
	}
	rep := report{
		Begun:         begun,
		Took:          time.Since(begun),
		SDK:           o.sdk,
		SDKVersion:    version,
		Mediacdn:      mcdnVersion,
		CloudinaryURL: pl.CloudinaryURL,
		Aside:         aside,
		Filtered:      o.pkg != "" || o.run != "",
		Flags:         strings.Join(os.Args[1:], " "),
		Results:       res,
		Baseline:      base,
		BaselineName:  baseName,
	}
	rep.compare()
	rep.writeText(os.Stdout)
	md := filepath.Join(out, stamp+"-"+name+".md")
	if err := writeFile(md, rep.writeMarkdown); err != nil {
		return err
	}
	js := filepath.Join(out, stamp+"-"+name+".json")
	if err := writeFile(js, rep.writeJSON); err != nil {
		return err
	}
	fmt.Printf("\nreport %s\njson   %s\nlogs   %s\n", md, js, logDir)
	if res.Incomplete != "" {
		return fmt.Errorf("the run is incomplete: %s", res.Incomplete)
	}
	return nil
}

func writeFile(path string, write func(io.Writer) error) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := write(f); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// mediacdnVersion is what `mediacdn version` says of the binary: its
// version and revision, or, when it was built without the revision, the
// checkout's (git describe), which `make build` built it from.
func mediacdnVersion(ctx context.Context, bin string) string {
	out, err := exec.CommandContext(ctx, bin, "version").Output()
	if err != nil {
		return "unknown (" + err.Error() + ")"
	}
	fields := map[string]string{}
	for _, l := range strings.Split(string(out), "\n") {
		k, v, _ := strings.Cut(strings.TrimSpace(l), " ")
		fields[k] = strings.TrimSpace(v)
	}
	v := fields["mediacdn"]
	if rev := fields["revision"]; rev != "" && !strings.HasPrefix(rev, "unknown") {
		return v + ", revision " + rev
	}
	if d, err := exec.CommandContext(ctx, "git", "describe", "--always", "--dirty").Output(); err == nil {
		return v + ", checkout " + strings.TrimSpace(string(d))
	}
	return v
}

// runInner re-executes this program with -inner inside a new network
// namespace, in a process group of its own so that everything it started
// can be stopped at once, whatever happened to it.
func runInner(ctx context.Context, netns bool, planFile string, deadline time.Time) error {
	self, err := os.Executable()
	if err != nil {
		return err
	}
	var argv []string
	if netns {
		unshare, err := exec.LookPath("unshare")
		if err != nil {
			return errors.New("unshare (util-linux) is needed to make a loopback-only network namespace; -netns=false runs on this host's network")
		}
		flags := "-rn"
		if os.Geteuid() == 0 {
			flags = "-n"
		}
		if out, err := exec.CommandContext(ctx, unshare, flags, "true").CombinedOutput(); err != nil {
			return fmt.Errorf("unshare %s true: %v: %s\n(as a user this needs unprivileged user namespaces: sysctl kernel.unprivileged_userns_clone=1, or on Ubuntu kernel.apparmor_restrict_unprivileged_userns=0; or run as root; -netns=false runs on this host's network)",
				flags, err, strings.TrimSpace(string(out)))
		}
		argv = []string{unshare, flags, self}
	} else {
		argv = []string{self}
	}
	argv = append(argv, "-inner", planFile)
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
	cmd.SysProcAttr = groupAttr()
	if err := cmd.Start(); err != nil {
		return err
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	var runErr error
	select {
	case runErr = <-done:
	case <-ctx.Done():
		// The inner run stops at its own deadline, a little earlier; this
		// is for when it could not (or for Ctrl-C).
		killGroup(cmd.Process.Pid)
		<-done
		runErr = fmt.Errorf("stopped: %w", context.Cause(ctx))
	}
	// Whatever is left in the group (mediacdn, a test binary) goes too.
	killGroup(cmd.Process.Pid)
	if runErr != nil {
		return fmt.Errorf("the run inside the namespace: %w", runErr)
	}
	return nil
}

// logName is the log file name of a package: root for the SDK's top level.
func logName(rel string) string {
	if rel == "." {
		return "root"
	}
	return strings.ReplaceAll(rel, "/", "_")
}
