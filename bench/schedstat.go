package bench

import (
	"bytes"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// What a process waited for a core, beside the CPU it used: the kernel's
// per-thread scheduler statistics (/proc/<pid>/task/<tid>/schedstat: time
// on a core, time runnable but waiting for one, in ns) and the machine's
// CPU pressure (/proc/pressure/cpu: time some runnable task waited). On a
// machine with fewer cores than runnable threads, a process that waits
// longer than it runs is CPU-bound whatever else it waits on.

// schedTimes are a process's threads' time on a core and time runnable
// but waiting for one.
type schedTimes struct{ run, wait time.Duration }

func (a schedTimes) minus(b schedTimes) schedTimes {
	return schedTimes{run: a.run - b.run, wait: a.wait - b.wait}
}

// procSched sums the schedstat of the live threads of a process (threads
// that ended took theirs with them); zero when it is gone or the kernel
// keeps no scheduler statistics.
func procSched(pid int) schedTimes {
	tasks, _ := filepath.Glob("/proc/" + strconv.Itoa(pid) + "/task/*/schedstat")
	var t schedTimes
	for _, p := range tasks {
		b, err := os.ReadFile(p)
		if err != nil {
			continue
		}
		t = t.plus(parseSchedstat(b))
	}
	return t
}

func (a schedTimes) plus(b schedTimes) schedTimes {
	return schedTimes{run: a.run + b.run, wait: a.wait + b.wait}
}

// parseSchedstat reads a schedstat line: ns on a core, ns waiting on a
// run queue, time slices.
func parseSchedstat(b []byte) schedTimes {
	f := strings.Fields(string(b))
	if len(f) < 2 {
		return schedTimes{}
	}
	run, _ := strconv.ParseInt(f[0], 10, 64)
	wait, _ := strconv.ParseInt(f[1], 10, 64)
	return schedTimes{run: time.Duration(run), wait: time.Duration(wait)}
}

// cpuPressure is the machine's total time some runnable task waited for a
// core (the "some" line of /proc/pressure/cpu); false without PSI.
func cpuPressure() (time.Duration, bool) {
	b, err := os.ReadFile("/proc/pressure/cpu")
	if err != nil {
		return 0, false
	}
	return parsePressure(b)
}

func parsePressure(b []byte) (time.Duration, bool) {
	for _, line := range bytes.Split(b, []byte("\n")) {
		f := strings.Fields(string(line))
		if len(f) == 0 || f[0] != "some" {
			continue
		}
		for _, kv := range f[1:] {
			if v, ok := strings.CutPrefix(kv, "total="); ok {
				us, err := strconv.ParseInt(v, 10, 64)
				return time.Duration(us) * time.Microsecond, err == nil
			}
		}
	}
	return 0, false
}

// loadAverage is the machine's 1-minute load average (0 when unknown).
func loadAverage() float64 {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return 0
	}
	f := strings.Fields(string(b))
	if len(f) == 0 {
		return 0
	}
	v, _ := strconv.ParseFloat(f[0], 64)
	return v
}
