package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// preparedSDK is the SDK's copy, ready to build.
type preparedSDK struct {
	Version  string
	From     string            // the module cache's directory
	Dir      string            // the copy
	Aside    []string          // acceptance test files set aside, relative to Dir
	Packages []string          // packages with tests, relative to Dir ("." is the top)
	Samples  map[string]string // URL path on the sample server → file
}

// cldtestFile is where the SDK's tests take their shared settings from.
const cldtestFile = "internal/cldtest/cldtest.go"

// cldtestPatch replaces one constant of cldtest.go: a URL the tests upload
// from, which the sample server answers with one of the SDK's testdata files.
type cldtestPatch struct {
	name    string // the constant
	old     string // its declaration in the SDK, verbatim
	urlPath string // the path the sample server serves
	sample  string // the file it serves, in internal/cldtest/testdata
}

// cldtestPatches keep the URLs' paths (and so the file names Cloudinary's
// fetches would see) and change only scheme and host.
var cldtestPatches = []cldtestPatch{
	{"LogoURL", `const LogoURL = "https://cloudinary-res.cloudinary.com/image/upload/cloudinary_logo.png"`,
		"/image/upload/cloudinary_logo.png", "cloudinary_logo.png"},
	{"VideoURL", `const VideoURL = "https://res.cloudinary.com/demo/video/upload/dog.mp4"`,
		"/demo/video/upload/dog.mp4", "movie.mp4"},
}

func (p cldtestPatch) replacement() string {
	return fmt.Sprintf("const %s = %q", p.name, "http://"+sampleAddr+p.urlPath)
}

// goEnv is the environment of the go commands run on the SDK's copy: its
// own module, whatever workspace or flags the caller's environment has.
func goEnv() []string {
	return append(os.Environ(), "GOWORK=off", "GOFLAGS=-mod=readonly")
}

// prepareSDK copies the SDK at the version mediacdn's go.mod requires into
// dir, moves its acceptance tests into aside, patches cldtest.go and lists
// the packages that have tests.
func prepareSDK(ctx context.Context, goCmd, dir, aside string) (*preparedSDK, error) {
	cmd := exec.CommandContext(ctx, goCmd, "mod", "download", "-json", sdkModule)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	var mod struct{ Path, Version, Dir, Error string }
	if jsonErr := json.Unmarshal(out, &mod); err != nil || jsonErr != nil || mod.Error != "" || mod.Dir == "" {
		return nil, fmt.Errorf("go mod download %s (run from the top of the checkout): %v %s%s", sdkModule, err, mod.Error, stderr.String())
	}
	sdk := &preparedSDK{Version: mod.Version, From: mod.Dir, Dir: dir, Samples: map[string]string{}}
	if err := copyTree(mod.Dir, dir); err != nil {
		return nil, fmt.Errorf("copying the SDK: %w", err)
	}
	if sdk.Aside, err = setAside(dir, aside); err != nil {
		return nil, err
	}
	if len(sdk.Aside) == 0 {
		return nil, fmt.Errorf("no *_acceptance_test.go in %s %s: the SDK's layout changed", sdkModule, mod.Version)
	}
	if err := patchCldtest(filepath.Join(dir, cldtestFile)); err != nil {
		return nil, err
	}
	for _, p := range cldtestPatches {
		f := filepath.Join(dir, "internal/cldtest/testdata", p.sample)
		if _, err := os.Stat(f); err != nil {
			return nil, fmt.Errorf("sample for %s: %w", p.name, err)
		}
		sdk.Samples[p.urlPath] = f
	}
	list := exec.CommandContext(ctx, goCmd, "list", "-f", "{{if or .TestGoFiles .XTestGoFiles}}{{.ImportPath}}{{end}}", "./...")
	list.Dir, list.Env = dir, goEnv()
	stderr.Reset()
	list.Stderr = &stderr
	out, err = list.Output()
	if err != nil {
		return nil, fmt.Errorf("go list in the SDK's copy: %v\n%s", err, stderr.String())
	}
	for _, ip := range strings.Fields(string(out)) {
		if ip == sdkModule {
			sdk.Packages = append(sdk.Packages, ".")
		} else if rel, ok := strings.CutPrefix(ip, sdkModule+"/"); ok {
			sdk.Packages = append(sdk.Packages, rel)
		}
	}
	if len(sdk.Packages) == 0 {
		return nil, fmt.Errorf("no package of %s %s has tests", sdkModule, mod.Version)
	}
	return sdk, nil
}

// copyTree copies the module cache's read-only tree into a writable one.
func copyTree(from, to string) error {
	return filepath.WalkDir(from, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
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
		info, err := d.Info()
		if err != nil {
			return err
		}
		mode := os.FileMode(0o644)
		if info.Mode()&0o111 != 0 {
			mode = 0o755
		}
		return copyFile(path, target, mode)
	})
}

func copyFile(from, to string, mode os.FileMode) error {
	in, err := os.Open(from)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(to, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, mode)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}

// setAside moves every *_acceptance_test.go under dir to the same place
// under aside.
func setAside(dir, aside string) ([]string, error) {
	var moved []string
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(d.Name(), "_acceptance_test.go") {
			return err
		}
		rel, err := filepath.Rel(dir, path)
		if err != nil {
			return err
		}
		target := filepath.Join(aside, rel)
		if err := os.MkdirAll(filepath.Dir(target), 0o755); err != nil {
			return err
		}
		moved = append(moved, filepath.ToSlash(rel))
		return os.Rename(path, target)
	})
	return moved, err
}

// patchCldtest replaces each constant of cldtestPatches in file, and fails
// unless each declaration is found exactly once, verbatim.
func patchCldtest(file string) error {
	b, err := os.ReadFile(file)
	if err != nil {
		return err
	}
	src, err := applyPatches(string(b))
	if err != nil {
		return fmt.Errorf("%s: %w", cldtestFile, err)
	}
	return os.WriteFile(file, []byte(src), 0o644)
}

func applyPatches(src string) (string, error) {
	for _, p := range cldtestPatches {
		if n := strings.Count(src, p.old); n != 1 {
			return "", fmt.Errorf("%s: found %d times, not once: %s\n(the SDK changed: update cldtestPatches in test/sdksuite/sdk.go)", p.name, n, p.old)
		}
		src = strings.Replace(src, p.old, p.replacement(), 1)
	}
	return src, nil
}

// buildTestBinary builds the test binary of the SDK package rel.
func buildTestBinary(ctx context.Context, goCmd, sdkDir, rel, bin string) error {
	cmd := exec.CommandContext(ctx, goCmd, "test", "-c", "-o", bin, "./"+rel)
	cmd.Dir, cmd.Env = sdkDir, goEnv()
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("go test -c ./%s in the SDK's copy: %v\n%s", rel, err, out)
	}
	if _, err := os.Stat(bin); err != nil {
		return fmt.Errorf("go test -c ./%s made no test binary: %w", rel, err)
	}
	return nil
}
