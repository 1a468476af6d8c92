package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha1"
	"embed"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"mime/multipart"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// The Node SDK's suite (-sdk node): its repository at a pinned tag, cloned
// once into a cache directory, its own integration specs run with mocha.
const (
	nodeSDKRepo   = "https://github.com/cloudinary/cloudinary_npm"
	nodeSDKTag    = "2.10.1"
	nodeSDKCommit = "34c21a3ea7ea1fc2eb571023e2633bd0e36ebd93" // what the tag names; the clone is checked against it
)

// nodeFeatures is CLD_TEST_FEATURES for the Node specs unless -features
// says otherwise: their tests of dynamic folders, the dev cloud's mode (the
// other feature they know, the OCR add-on, mediacdn has not).
const nodeFeatures = "dynamic_folders"

// nodeFiles are the runner's own Node files: package.json and
// package-lock.json (what the specs require besides the SDK: mocha,
// expect.js, sinon, …, installed with npm ci beside the clone) and
// reporter.js (the mocha reporter that writes each test's result).
//
//go:embed node/package.json node/package-lock.json node/reporter.js
var nodeFiles embed.FS

// nodePatch replaces a sample URL the specs upload from, verbatim, in one
// of the clone's test files: count times (0: once), the file holding it
// exactly that often.
type nodePatch struct {
	file, old string
	count     int
	remote    string // the URL in old
	urlPath   string // the sample server's path for it
	sample    string // in the clone's test/.resources
}

// nodePatches keep the URLs' paths and change only scheme and host, as
// cldtestPatches do for the Go SDK.
var nodePatches = []nodePatch{
	{"test/spechelper.js", `exports.VIDEO_URL = "https://res.cloudinary.com/demo/video/upload/dog.mp4";`, 0, "https://res.cloudinary.com/demo/video/upload/dog.mp4", "/demo/video/upload/dog.mp4", "CloudBookStudy-HD.mp4"},
	{"test/spechelper.js", `exports.IMAGE_URL = "https://res.cloudinary.com/demo/image/upload/sample";`, 0, "https://res.cloudinary.com/demo/image/upload/sample", "/demo/image/upload/sample", "sample.jpg"},
	{"test/testUtils/testConstants.js", `VIDEO_URL: "https://res.cloudinary.com/demo/video/upload/dog.mp4",`, 0, "https://res.cloudinary.com/demo/video/upload/dog.mp4", "/demo/video/upload/dog.mp4", "CloudBookStudy-HD.mp4"},
	{"test/testUtils/testConstants.js", `IMAGE_URL: "https://res.cloudinary.com/demo/image/upload/sample"`, 0, "https://res.cloudinary.com/demo/image/upload/sample", "/demo/image/upload/sample", "sample.jpg"},
	// The uploader's specs upload Cloudinary's old logo by URL, written
	// out in each (with either quote).
	{"test/integration/api/uploader/uploader_spec.js", `"https://cloudinary.com/images/old_logo.png"`, 4, "https://cloudinary.com/images/old_logo.png", "/images/old_logo.png", "logo.png"},
	{"test/integration/api/uploader/uploader_spec.js", `'https://cloudinary.com/images/old_logo.png'`, 2, "https://cloudinary.com/images/old_logo.png", "/images/old_logo.png", "logo.png"},
	{"test/integration/api/uploader/uploader_spec.js", `'https://res.cloudinary.com/demo/image/upload/logos/cloudinary_full_logo_white_small.png'`, 0, "https://res.cloudinary.com/demo/image/upload/logos/cloudinary_full_logo_white_small.png", "/demo/image/upload/logos/cloudinary_full_logo_white_small.png", "logo.png"},
}

func (p nodePatch) replacement() string {
	return strings.Replace(p.old, p.remote, "http://"+sampleAddr+p.urlPath, 1)
}

// nodeEdit replaces a line of a spec's own set-up, verbatim, that assumes
// a CLOUDINARY_URL without parameters.
type nodeEdit struct{ file, old, new string }

// nodeEdits: testConstants.js takes the cloud name as everything after
// CLOUDINARY_URL's "@", here "demo?upload_prefix=https://…", which the
// related-assets and visual-search specs then expect in the API's paths.
var nodeEdits = []nodeEdit{
	{"test/testUtils/testConstants.js", `const TEST_CLOUD_NAME = process.env.CLOUDINARY_URL.split('@')[1];`,
		`const TEST_CLOUD_NAME = process.env.CLOUDINARY_URL.split('@')[1].split('?')[0];`},
}

// preparedNode is the Node SDK's copy, ready to run.
type preparedNode struct {
	Version  string
	From     string            // the clone in the cache
	Dir      string            // the copy the specs run in
	Mocha    string            // mocha's bin/mocha under the cache's node_modules
	Reporter string            // reporter.js
	Samples  map[string]string // URL path on the sample server → file
	Seed     string            // the image uploaded as the public ID sample
}

// prepareNode clones the Node SDK at nodeSDKTag from repo into cache
// (once: a clone at the right commit is kept), installs the specs' npm
// dependencies there (npm ci, when package-lock.json changed), and copies
// the clone into dir with the sample URLs patched; node_modules beside the
// copy is a link to the cache's.
func prepareNode(ctx context.Context, repo, cache, dir string) (*preparedNode, error) {
	if err := os.MkdirAll(cache, 0o755); err != nil {
		return nil, err
	}
	clone := filepath.Join(cache, "cloudinary_npm-"+nodeSDKTag)
	if head, err := gitHead(ctx, clone); err != nil || head != nodeSDKCommit {
		if err := os.RemoveAll(clone); err != nil {
			return nil, err
		}
		fmt.Printf("cloning %s at %s into %s\n", repo, nodeSDKTag, clone)
		cmd := exec.CommandContext(ctx, "git", "clone", "-q", "--depth", "1", "--branch", nodeSDKTag, repo, clone)
		if out, err := cmd.CombinedOutput(); err != nil {
			return nil, fmt.Errorf("git clone %s at %s: %v\n%s", repo, nodeSDKTag, err, out)
		}
		if head, err := gitHead(ctx, clone); err != nil || head != nodeSDKCommit {
			return nil, fmt.Errorf("%s's tag %s is commit %s, not %s (%v): update nodeSDKCommit in test/sdksuite/node.go after checking", repo, nodeSDKTag, head, nodeSDKCommit, err)
		}
	}
	if err := npmCI(ctx, cache); err != nil {
		return nil, err
	}
	n := &preparedNode{
		Version:  nodeSDKTag,
		From:     clone,
		Dir:      dir,
		Mocha:    filepath.Join(cache, "node_modules", "mocha", "bin", "mocha"),
		Reporter: filepath.Join(cache, "reporter.js"),
		Samples:  map[string]string{},
		Seed:     filepath.Join(dir, "test", ".resources", "sample.jpg"),
	}
	if err := copyClone(clone, dir); err != nil {
		return nil, fmt.Errorf("copying the Node SDK: %w", err)
	}
	if err := os.Symlink(filepath.Join(cache, "node_modules"), filepath.Join(filepath.Dir(dir), "node_modules")); err != nil {
		return nil, err
	}
	for _, p := range nodePatches {
		want := max(p.count, 1)
		if err := editFile(filepath.Join(dir, p.file), p.old, p.replacement(), want); err != nil {
			return nil, err
		}
		sample := filepath.Join(dir, "test", ".resources", p.sample)
		if _, err := os.Stat(sample); err != nil {
			return nil, fmt.Errorf("sample for %s: %w", p.urlPath, err)
		}
		n.Samples[p.urlPath] = sample
	}
	for _, e := range nodeEdits {
		if err := editFile(filepath.Join(dir, e.file), e.old, e.new, 1); err != nil {
			return nil, err
		}
	}
	return n, nil
}

// editFile replaces old with new in file, where old must be found exactly
// count times.
func editFile(file, old, new string, count int) error {
	b, err := os.ReadFile(file)
	if err != nil {
		return err
	}
	if c := strings.Count(string(b), old); c != count {
		return fmt.Errorf("%s: found %d times, not %d: %s\n(the SDK changed: update nodePatches or nodeEdits in test/sdksuite/node.go)", file, c, count, old)
	}
	return os.WriteFile(file, []byte(strings.ReplaceAll(string(b), old, new)), 0o644)
}

func gitHead(ctx context.Context, dir string) (string, error) {
	out, err := exec.CommandContext(ctx, "git", "-C", dir, "rev-parse", "HEAD").Output()
	return strings.TrimSpace(string(out)), err
}

// npmCI writes the runner's package.json, package-lock.json and
// reporter.js into cache and runs npm ci there unless node_modules was
// installed from the same lock.
func npmCI(ctx context.Context, cache string) error {
	var lock []byte
	for _, name := range []string{"package.json", "package-lock.json", "reporter.js"} {
		b, err := nodeFiles.ReadFile("node/" + name)
		if err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(cache, name), b, 0o644); err != nil {
			return err
		}
		if name == "package-lock.json" {
			lock = b
		}
	}
	stamp := filepath.Join(cache, "node_modules", ".sdksuite-lock")
	if old, err := os.ReadFile(stamp); err == nil && bytes.Equal(old, lock) {
		return nil
	}
	fmt.Printf("npm ci in %s\n", cache)
	cmd := exec.CommandContext(ctx, "npm", "ci", "--no-audit", "--no-fund", "--ignore-scripts")
	cmd.Dir = cache
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("npm ci in %s (needs Node.js and npm): %v\n%s", cache, err, out)
	}
	return os.WriteFile(stamp, lock, 0o644)
}

// copyClone copies the clone without its .git.
func copyClone(from, to string) error {
	return filepath.WalkDir(from, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && d.Name() == ".git" {
			return filepath.SkipDir
		}
		rel, err := filepath.Rel(from, path)
		if err != nil {
			return err
		}
		target := filepath.Join(to, rel)
		if d.IsDir() {
			return os.MkdirAll(target, 0o755)
		}
		if !d.Type().IsRegular() {
			return nil
		}
		return copyFile(path, target, 0o644)
	})
}

// nodeCacheDir is the default -cache: mediacdn/node-sdk-suite under the
// user's cache directory.
func nodeCacheDir() string {
	dir, err := os.UserCacheDir()
	if err != nil {
		dir = os.TempDir()
	}
	return filepath.Join(dir, "mediacdn", "node-sdk-suite")
}

// nodeLine is one line of reporter.js's results.
type nodeLine struct {
	Title   string  `json:"title"`
	State   string  `json:"state"`
	Message string  `json:"message"`
	MS      float64 `json:"ms"`
}

var nodeStatus = map[string]string{"passed": statusPass, "failed": statusFail, "pending": statusSkip, "not run": statusNotRun}

// parseNodeResults reads reporter.js's file.
func parseNodeResults(b []byte) ([]testResult, error) {
	var out []testResult
	sc := bufio.NewScanner(bytes.NewReader(b))
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" {
			continue
		}
		var l nodeLine
		if err := json.Unmarshal([]byte(line), &l); err != nil {
			return nil, err
		}
		st, ok := nodeStatus[l.State]
		if !ok {
			return nil, fmt.Errorf("unknown state %q", l.State)
		}
		r := testResult{Name: normTitle(l.Title), Status: st, Seconds: l.MS / 1000}
		if st != statusPass {
			r.Message = compact(l.Message)
		}
		out = append(out, r)
	}
	return out, sc.Err()
}

// normTitle is a mocha full title with its spaces collapsed, as the
// baseline's fields give it back.
func normTitle(s string) string { return strings.Join(strings.Fields(s), " ") }

// nodeFixedFolderTests are the tests, by spec file and full title, that
// run against the cloud in the fixed folder mode (plan.FixedURL): they
// expect a public ID's path to make folders, as Cloudinary's accounts in
// that mode do. The spec file's other tests run against demo, in the
// dynamic mode, in a mocha process of their own.
var nodeFixedFolderTests = map[string][]string{
	"api/admin/api_spec.js": {"api folders should list folders in cloudinary"},
}

// specRun is one mocha process on a spec file: the cloud it uses and the
// tests it runs.
type specRun struct {
	cloudinaryURL string
	only, except  []string // full titles; nil: no bound
}

// runSpec runs one spec file with mocha: the specs' setup file first,
// --exit, no retries (the SDK's .mocharc.json retries three times against
// its real cloud; here a failure is the measurement), each cloud's tests
// in a process of its own. When mocha aborts a run (an assertion thrown
// after its test had passed: mocha 7 stops there), the tests it had not
// run are run again in a new process, until each has a result or a process
// brings none; a test a failing hook kept from running stays "not run".
func runSpec(ctx context.Context, pl plan, p plannedPackage, env []string, sink *logSink) (packageResult, error) {
	pr := packageResult{Rel: p.Rel, Log: p.Name + ".log"}
	lf, err := os.Create(filepath.Join(pl.LogDir, pr.Log))
	if err != nil {
		return pr, err
	}
	defer lf.Close()
	sink.set(lf)
	defer sink.set(nil)

	runs := []specRun{{cloudinaryURL: pl.CloudinaryURL}}
	if fixed := nodeFixedFolderTests[p.Rel]; len(fixed) > 0 {
		runs = []specRun{{cloudinaryURL: pl.CloudinaryURL, except: fixed}, {cloudinaryURL: pl.FixedURL, only: fixed}}
	}
	for _, run := range runs {
		var got []testResult
		for ctx.Err() == nil {
			pr.Runs++
			tests, err := runMocha(ctx, pl, p, env, run, pr.Runs, sink)
			if err != nil {
				return pr, err
			}
			got = mergeResults(got, tests)
			stopped := stoppedTests(got)
			if len(stopped) == 0 || len(stoppedTests(tests)) == len(tests) {
				break // done, or no progress: what is left did not run
			}
			sink.writeLine(fmt.Sprintf("##### mocha stopped before %d tests: running them again", len(stopped)))
			run.only = stopped
		}
		pr.Tests = append(pr.Tests, got...)
	}
	return pr, nil
}

// stoppedTests are the tests not run although no hook failed before them:
// mocha stopped the run first.
func stoppedTests(tests []testResult) []string {
	var out []string
	for _, t := range tests {
		if t.Status == statusNotRun && t.Message == "" {
			out = append(out, t.Name)
		}
	}
	return out
}

// mergeResults puts a later run's results in place of the tests the
// earlier ones had not run, keeping their order.
func mergeResults(got, later []testResult) []testResult {
	if got == nil {
		return later
	}
	byName := map[string]testResult{}
	for _, t := range later {
		byName[t.Name] = t
	}
	for i, t := range got {
		if n, ok := byName[t.Name]; ok && t.Status == statusNotRun {
			got[i] = n
		}
	}
	return got
}

// mochaGrep is the --grep pattern (a JavaScript regular expression, on
// full titles) choosing the tests of run, within -run's; "" for all.
func mochaGrep(runRE string, run specRun) string {
	var g strings.Builder
	if runRE != "" {
		g.WriteString("(?=.*(?:" + runRE + "))")
	}
	if run.only != nil {
		g.WriteString("(?=" + titlesRE(run.only) + "$)")
	}
	if run.except != nil {
		g.WriteString("(?!" + titlesRE(run.except) + "$)")
	}
	if g.Len() == 0 {
		return ""
	}
	return "^" + g.String()
}

// titlesRE matches any of titles, their spaces as any white space (mocha's
// full titles may have more than one where normTitle has one).
func titlesRE(titles []string) string {
	alts := make([]string, len(titles))
	for i, t := range titles {
		words := strings.Fields(t)
		for j, w := range words {
			words[j] = regexp.QuoteMeta(w)
		}
		alts[i] = strings.Join(words, `\s+`)
	}
	return "(?:" + strings.Join(alts, "|") + ")"
}

// runMocha runs one mocha process on the spec file and reads its results.
func runMocha(ctx context.Context, pl plan, p plannedPackage, env []string, run specRun, n int, sink *logSink) ([]testResult, error) {
	resFile := filepath.Join(filepath.Dir(pl.Results), fmt.Sprintf("%s-%d.jsonl", p.Name, n))
	runCtx, cancel := context.WithTimeout(ctx, pl.TestTimeout)
	defer cancel()
	args := []string{p.Bin, "--exit", "--no-colors", "--retries", "0", "--file", "test/setup.js", "--reporter", pl.Reporter, "test/integration/" + p.Rel}
	if g := mochaGrep(pl.Run, run); g != "" {
		args = append(args, "--grep", g)
	}
	cloud, _, _ := strings.Cut(strings.TrimPrefix(run.cloudinaryURL, "cloudinary://"), "?")
	_, cloud, _ = strings.Cut(cloud, "@")
	sink.writeLine(fmt.Sprintf("##### process %d: cloud %s, --grep %q", n, cloud, mochaGrep(pl.Run, run)))
	cmd := exec.CommandContext(runCtx, "node", args...)
	cmd.Dir = p.Dir
	cmd.Env = append(env, "CLOUDINARY_URL="+run.cloudinaryURL, "SDKSUITE_RESULTS="+resFile)
	cmd.SysProcAttr = childAttr()
	cmd.WaitDelay = 10 * time.Second
	var buf bytes.Buffer
	lw := sink.lineWriter(&buf)
	cmd.Stdout, cmd.Stderr = lw, lw
	runErr := cmd.Run()
	lw.flush()
	b, err := os.ReadFile(resFile)
	if err != nil {
		// mocha stopped before the end (a spec file that does not load,
		// the time ran out): one failing entry says why.
		why := "mocha left no results: " + lastLine(buf.String())
		if runCtx.Err() != nil {
			why = fmt.Sprintf("killed: still running after -test-timeout %v", pl.TestTimeout)
		} else if runErr != nil && !errors.Is(runErr, context.Canceled) {
			why += " (" + runErr.Error() + ")"
		}
		sink.writeLine("##### " + why)
		return []testResult{{Name: "(the spec file)", Status: statusFail, Message: compact(why)}}, nil
	}
	tests, err := parseNodeResults(b)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", resFile, err)
	}
	return tests, nil
}

func lastLine(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return strings.TrimSpace(lines[len(lines)-1])
}

// integrationSpecs lists every spec file under the copy's
// test/integration, relative to it.
func integrationSpecs(dir string) ([]string, error) {
	root := filepath.Join(dir, "test", "integration")
	var specs []string
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(d.Name(), "spec.js") {
			return err
		}
		rel, err := filepath.Rel(root, path)
		specs = append(specs, filepath.ToSlash(rel))
		return err
	})
	return specs, err
}

// seedSample uploads file as the public ID sample, signed with the
// credentials of cloudinaryURL, as every Cloudinary account has a sample
// image the Node SDK's specs use (update_metadata on ["sample"]).
func seedSample(ctx context.Context, cloudinaryURL, file string) error {
	u, err := url.Parse(cloudinaryURL)
	if err != nil {
		return err
	}
	secret, _ := u.User.Password()
	ts := strconv.FormatInt(time.Now().Unix(), 10)
	sum := sha1.Sum([]byte("public_id=sample&timestamp=" + ts + secret))
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	for _, kv := range [][2]string{{"public_id", "sample"}, {"timestamp", ts}, {"api_key", u.User.Username()}, {"signature", hex.EncodeToString(sum[:])}} {
		if err := w.WriteField(kv[0], kv[1]); err != nil {
			return err
		}
	}
	fw, err := w.CreateFormFile("file", filepath.Base(file))
	if err != nil {
		return err
	}
	b, err := os.ReadFile(file)
	if err != nil {
		return err
	}
	fw.Write(b)
	if err := w.Close(); err != nil {
		return err
	}
	endpoint := u.Query().Get("upload_prefix") + "/v1_1/" + u.Host + "/image/upload"
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, endpoint, &body)
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", w.FormDataContentType())
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("uploading the sample image: %w", err)
	}
	defer resp.Body.Close()
	answer, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("uploading the sample image: %s: %s", resp.Status, answer)
	}
	return nil
}
