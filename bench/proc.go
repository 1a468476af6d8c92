package bench

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"
)

// userHZ is the unit of the CPU times in /proc/<pid>/stat (USER_HZ, 100
// on every Linux the kernel ABI documents).
const userHZ = 100

// statFields parses /proc/<pid>/stat text after the command name (which
// may hold spaces and parentheses): field N of proc(5) is fields[N-3], so
// the state is fields[0], ppid fields[1], utime and stime fields[11:13].
func statFields(b []byte) ([]string, error) {
	i := bytes.LastIndexByte(b, ')')
	if i < 0 {
		return nil, fmt.Errorf("bench: malformed stat line")
	}
	f := strings.Fields(string(b[i+1:]))
	if len(f) < 13 {
		return nil, fmt.Errorf("bench: short stat line")
	}
	return f, nil
}

// procCPU is the user + system CPU time a process has used, all its
// threads (live and exited) included; 0 when it is gone.
func procCPU(pid int) time.Duration {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return 0
	}
	f, err := statFields(b)
	if err != nil {
		return 0
	}
	u, _ := strconv.ParseInt(f[11], 10, 64)
	s, _ := strconv.ParseInt(f[12], 10, 64)
	return time.Duration(u+s) * time.Second / userHZ
}

// treeCPU is procCPU summed over pids.
func treeCPU(pids []int) time.Duration {
	var t time.Duration
	for _, p := range pids {
		t += procCPU(p)
	}
	return t
}

// processTree is root and every live descendant (nginx workers, the
// Varnish cache process), found through the parent ids in /proc.
func processTree(root int) []int {
	children := map[int][]int{}
	entries, _ := os.ReadDir("/proc")
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		b, err := os.ReadFile("/proc/" + e.Name() + "/stat")
		if err != nil {
			continue
		}
		f, err := statFields(b)
		if err != nil {
			continue
		}
		ppid, _ := strconv.Atoi(f[1])
		children[ppid] = append(children[ppid], pid)
	}
	out := []int{root}
	for i := 0; i < len(out) && i < 4096; i++ {
		out = append(out, children[out[i]]...)
	}
	return out
}

// statusKiB reads a "Name:   123 kB" line of /proc/<pid>/status (VmRSS,
// VmHWM); 0 when the process or the line is missing.
func statusKiB(pid int, name string) int64 {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		return 0
	}
	return parseStatusKiB(b, name)
}

func parseStatusKiB(b []byte, name string) int64 {
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), name+":"); ok {
			n, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			return n
		}
	}
	return 0
}

// rssMiB is a process's resident set (VmRSS) in MiB.
func rssMiB(pid int) float64 { return float64(statusKiB(pid, "VmRSS")) / 1024 }

// peakRSSMiB is a process's peak resident set (VmHWM) in MiB.
func peakRSSMiB(pid int) float64 { return float64(statusKiB(pid, "VmHWM")) / 1024 }

// pidListening finds the process that listens on a local TCP port, so that
// servers given by URL can be measured too; 0 when none is found (another
// user's process, or not on this machine).
func pidListening(port int) int {
	inodes := map[string]bool{}
	for _, f := range []string{"/proc/net/tcp", "/proc/net/tcp6"} {
		b, err := os.ReadFile(f)
		if err != nil {
			continue
		}
		for _, ino := range listenInodes(b, port) {
			inodes[ino] = true
		}
	}
	if len(inodes) == 0 {
		return 0
	}
	procs, _ := filepath.Glob("/proc/[0-9]*/fd/*")
	for _, fd := range procs {
		link, err := os.Readlink(fd)
		if err != nil || !strings.HasPrefix(link, "socket:[") {
			continue
		}
		if inodes[strings.TrimSuffix(strings.TrimPrefix(link, "socket:["), "]")] {
			pid, _ := strconv.Atoi(strings.Split(fd, "/")[2])
			return pid
		}
	}
	return 0
}

// listenInodes returns the socket inodes of /proc/net/tcp lines in state
// LISTEN (0A) on port.
func listenInodes(b []byte, port int) []string {
	var out []string
	want := fmt.Sprintf(":%04X", port)
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) < 10 || f[3] != "0A" || !strings.HasSuffix(f[1], want) {
			continue
		}
		out = append(out, f[9])
	}
	return out
}

// resetPeakRSS sets a process's peak resident set (VmHWM) back to its
// current one (clear_refs 5, Linux 4.0 and later), so that a measurement
// sees the peak of its own span; an error where that is not allowed (a
// process of another user) or not supported.
func resetPeakRSS(pid int) error {
	if pid <= 0 {
		return fmt.Errorf("bench: no process to measure")
	}
	return os.WriteFile("/proc/"+strconv.Itoa(pid)+"/clear_refs", []byte("5"), 0)
}

// sampleRSS reads a process's VmRSS every interval until stop, which
// returns the largest value read, in MiB (0 without a process).
func sampleRSS(pid int, interval time.Duration) (stop func() float64) {
	done := make(chan struct{})
	peak := make(chan float64, 1)
	go func() {
		top := 0.0
		t := time.NewTicker(interval)
		defer t.Stop()
		for {
			if pid > 0 {
				top = max(top, rssMiB(pid))
			}
			select {
			case <-done:
				peak <- top
				return
			case <-t.C:
			}
		}
	}()
	var once sync.Once
	var top float64
	return func() float64 {
		once.Do(func() {
			close(done)
			top = <-peak
		})
		return top
	}
}
