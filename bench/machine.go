package bench

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"time"
)

// Machine is what the numbers were measured on.
type Machine struct {
	CPU       string            `json:"cpu"`
	Cores     int               `json:"cores"`
	MemoryGiB float64           `json:"memory_gib"`
	OS        string            `json:"os"`
	Kernel    string            `json:"kernel"`
	Go        string            `json:"go"`
	Commit    string            `json:"commit"`          // of the working tree, "+dirty" when it has changes
	Tools     map[string]string `json:"tools,omitempty"` // versions of the rivals and helpers found
}

// readMachine gathers the machine's description; what cannot be read is
// left empty.
func readMachine(ctx context.Context) Machine {
	m := Machine{Cores: runtime.NumCPU(), Go: runtime.Version(), Tools: map[string]string{}}
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		m.CPU = firstValue(b, "model name")
	}
	if b, err := os.ReadFile("/proc/meminfo"); err == nil {
		m.MemoryGiB = float64(parseStatusKiB(b, "MemTotal")) / (1 << 20)
	}
	if b, err := os.ReadFile("/proc/sys/kernel/osrelease"); err == nil {
		m.Kernel = strings.TrimSpace(string(b))
	}
	if b, err := os.ReadFile("/etc/os-release"); err == nil {
		m.OS = strings.Trim(firstValue(bytes.ReplaceAll(b, []byte("="), []byte(":")), "PRETTY_NAME"), `"`)
	}
	m.Commit = gitCommit(ctx)
	for name, args := range map[string][]string{
		"nginx": {"nginx", "-v"}, "varnish": {"varnishd", "-V"}, "wrk": {"wrk", "-v"},
		"libvips": {"pkg-config", "--modversion", "vips"},
	} {
		if v := toolVersion(ctx, args...); v != "" {
			m.Tools[name] = v
		}
	}
	return m
}

// firstValue is the value of the first "key : value" line.
func firstValue(b []byte, key string) string {
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), ":")
		if ok && strings.TrimSpace(k) == key {
			return strings.TrimSpace(v)
		}
	}
	return ""
}

// gitCommit is the short commit of the working tree, marked when the
// tree has uncommitted changes; empty outside a checkout.
func gitCommit(ctx context.Context) string {
	c := toolOutput(ctx, "git", "rev-parse", "--short", "HEAD")
	if c == "" {
		return ""
	}
	if toolOutput(ctx, "git", "status", "--porcelain", "--untracked-files=no") != "" {
		c += "+dirty"
	}
	return c
}

// toolVersion is the first line a tool prints about its version (some
// print it on stderr, some exit non-zero).
func toolVersion(ctx context.Context, args ...string) string {
	line, _, _ := strings.Cut(toolOutput(ctx, args...), "\n")
	return strings.TrimSpace(line)
}

// toolOutput runs a command for at most 5s and returns its trimmed
// combined output, whatever its exit status; "" when it cannot start.
func toolOutput(ctx context.Context, args ...string) string {
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, args[0], args[1:]...).CombinedOutput()
	if err != nil && len(out) == 0 {
		return ""
	}
	return strings.TrimSpace(string(out))
}

// markdown is the report header: machine, software and when.
func (m Machine) markdown(started time.Time, seconds float64) string {
	var b strings.Builder
	fmt.Fprintf(&b, "- Machine: %s, %d cores, %.1f GiB RAM; %s, Linux %s\n", m.CPU, m.Cores, m.MemoryGiB, m.OS, m.Kernel)
	tools := []string{m.Go}
	for _, k := range []string{"libvips", "nginx", "varnish", "wrk"} {
		if v, ok := m.Tools[k]; ok {
			tools = append(tools, k+" "+trimVersion(v))
		}
	}
	fmt.Fprintf(&b, "- Software: %s\n", strings.Join(tools, ", "))
	fmt.Fprintf(&b, "- Code: commit %s\n", orDash(m.Commit))
	fmt.Fprintf(&b, "- Run: %s UTC, %.0f s\n", started.UTC().Format("2006-01-02 15:04"), seconds)
	return b.String()
}

// trimVersion shortens "nginx version: nginx/1.22.1" to "1.22.1"-like
// text, keeping whatever follows the last '/' or the tool's name.
func trimVersion(v string) string {
	if i := strings.LastIndexByte(v, '/'); i >= 0 && !strings.Contains(v[i:], " ") {
		return v[i+1:]
	}
	if f := strings.Fields(v); len(f) > 1 && strings.HasPrefix(f[0], "wrk") {
		w := f[1][strings.LastIndexByte(f[1], '/')+1:] // debian/4.1.0-3+b2
		w, _, _ = strings.Cut(w, "-")
		return w
	}
	if i := strings.Index(v, "varnish-"); i >= 0 {
		f := strings.Fields(v[i+len("varnish-"):])
		return f[0]
	}
	return v
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
