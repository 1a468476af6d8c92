//go:build cgo

package imaging

import (
	"os/exec"
	"strings"
	"testing"
)

// The arithmetic of a transform (plan.go, geometry.go, gravity.go,
// format.go, sniff.go) needs no libvips: without cgo the package builds
// (nocgo.go stands in for the Processor) and geometry_test.go runs.
func TestArithmeticWithoutCgo(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the package without cgo")
	}
	cmd := exec.Command("go", "test", "-count=1", "-v", "-run", "^(TestShrinkOnLoadFactor|TestPlace|TestChooseOutput)$", ".")
	cmd.Env = append(cmd.Environ(), "CGO_ENABLED=0")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("CGO_ENABLED=0 go test: %v\n%s", err, out)
	}
	for _, name := range []string{"TestShrinkOnLoadFactor", "TestPlace", "TestChooseOutput"} {
		if !strings.Contains(string(out), "--- PASS: "+name+" ") {
			t.Errorf("CGO_ENABLED=0 go test ran no %s:\n%s", name, out)
		}
	}
}
