package bench

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"strings"
)

// toolPath finds a program on PATH or in /usr/sbin (where Debian puts
// nginx and varnishd, often off a user's PATH); "" when missing.
func toolPath(name string) string {
	if p, err := exec.LookPath(name); err == nil {
		return p
	}
	if p := "/usr/sbin/" + name; isExecutable(p) {
		return p
	}
	return ""
}

func isExecutable(p string) bool {
	st, err := os.Stat(p)
	return err == nil && !st.IsDir() && st.Mode()&0o111 != 0
}

// ensureRivals makes sure nginx, varnishd and wrk are installed: with
// apt-get (through sudo when not root) when install is set, else it says
// what is missing.
func ensureRivals(ctx context.Context, p *progress, install bool) error {
	var pkgs []string
	for _, bp := range [][2]string{{"nginx", "nginx"}, {"varnishd", "varnish"}, {"wrk", "wrk"}} {
		if toolPath(bp[0]) == "" {
			pkgs = append(pkgs, bp[1])
		}
	}
	if len(pkgs) == 0 {
		return nil
	}
	if !install || toolPath("apt-get") == "" {
		return fmt.Errorf("bench: missing %s (apt-get install %s, or make bench-deps)", strings.Join(pkgs, ", "), strings.Join(pkgs, " "))
	}
	p.logf("installing %s with apt-get", strings.Join(pkgs, " "))
	sudo := []string{}
	if os.Geteuid() != 0 {
		sudo = []string{"sudo"}
	}
	for _, args := range [][]string{{"apt-get", "update", "-qq"},
		append([]string{"apt-get", "install", "-y", "-qq", "--no-install-recommends"}, pkgs...)} {
		args = append(sudo, args...)
		cmd := exec.CommandContext(ctx, args[0], args[1:]...)
		cmd.Env = append(os.Environ(), "DEBIAN_FRONTEND=noninteractive")
		if out, err := cmd.CombinedOutput(); err != nil {
			return fmt.Errorf("bench: %s: %w\n%s", strings.Join(args, " "), err, tail(string(out), 800))
		}
	}
	return nil
}
