package localsrv

import (
	"fmt"
	"go/build"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// MissingError says that a server program is not installed and where it
// was looked for. Callers add how to install it.
type MissingError struct {
	// Program is what is missing: "PostgreSQL", "versitygw".
	Program string
	// Looked says where it was looked for.
	Looked string
}

func (e *MissingError) Error() string {
	return e.Program + " is not installed (" + e.Looked + ")"
}

// Find is the path of a program the Makefile installs: in the module's
// bin/ (the first directory upwards from the working directory with a
// go.mod; where `make servers` puts it, at the pinned version), else in
// one of dirs, else on PATH, else in $(go env GOPATH)/bin. When it is in
// none, the error is a *MissingError.
func Find(name string, dirs ...string) (string, error) {
	var looked []string
	if root, err := ModuleRoot(); err == nil {
		dirs = append([]string{filepath.Join(root, "bin")}, dirs...)
	}
	for _, d := range dirs {
		p := filepath.Join(d, name)
		if executable(p) {
			return p, nil
		}
		looked = append(looked, d)
	}
	if p, err := exec.LookPath(name); err == nil {
		return p, nil
	}
	looked = append(looked, "PATH")
	if gp := build.Default.GOPATH; gp != "" {
		p := filepath.Join(filepath.SplitList(gp)[0], "bin", name)
		if executable(p) {
			return p, nil
		}
		looked = append(looked, filepath.Dir(p))
	}
	return "", &MissingError{Program: name, Looked: "looked in " + strings.Join(looked, ", ")}
}

func executable(p string) bool {
	st, err := os.Stat(p)
	return err == nil && !st.IsDir() && st.Mode()&0o111 != 0
}

// ModuleRoot is the first directory upwards from the working directory
// that holds go.mod.
func ModuleRoot() (string, error) {
	wd, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for dir := wd; ; dir = filepath.Dir(dir) {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		if filepath.Dir(dir) == dir {
			return "", fmt.Errorf("no go.mod above %s", wd)
		}
	}
}

// FreePort is a loopback address (127.0.0.1:port) no one listens on now;
// another process may take it before the caller binds it.
func FreePort() (string, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer l.Close()
	return l.Addr().String(), nil
}
