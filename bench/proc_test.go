package bench

import (
	"os"
	"slices"
	"testing"
)

func TestStatFields(t *testing.T) {
	line := []byte("1234 (we ird) (name)) S 77 1234 1234 0 -1 4194560 100 0 0 0 250 50 0 0 20 0 8 0 100 1000 200")
	f, err := statFields(line)
	if err != nil {
		t.Fatal(err)
	}
	if f[0] != "S" || f[1] != "77" || f[11] != "250" || f[12] != "50" {
		t.Errorf("fields %v", f)
	}
	if _, err := statFields([]byte("12 (x) S 1")); err == nil {
		t.Error("short line accepted")
	}
}

func TestParseStatusKiB(t *testing.T) {
	b := []byte("Name:\tmediacdn\nVmHWM:\t  204800 kB\nVmRSS:\t  102400 kB\n")
	if parseStatusKiB(b, "VmRSS") != 102400 || parseStatusKiB(b, "VmHWM") != 204800 || parseStatusKiB(b, "VmSwap") != 0 {
		t.Error("status parse")
	}
}

func TestListenInodes(t *testing.T) {
	b := []byte(`  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 0100007F:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 4242 1 0000000000000000 100 0 0 10 0
   1: 0100007F:1F90 0100007F:D431 01 00000000:00000000 00:00000000 00000000     0        0 4343 1 0000000000000000 20 4 30 10 -1
   2: 0100007F:1F91 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 4444 1 0000000000000000 100 0 0 10 0
`)
	if got := listenInodes(b, 8080); !slices.Equal(got, []string{"4242"}) {
		t.Errorf("inodes %v", got)
	}
}

func TestOwnProcess(t *testing.T) {
	pid := os.Getpid()
	if !slices.Contains(processTree(pid), pid) {
		t.Error("the tree lacks its root")
	}
	if rssMiB(pid) <= 0 || peakRSSMiB(pid) < rssMiB(pid)/2 {
		t.Errorf("rss %v peak %v", rssMiB(pid), peakRSSMiB(pid))
	}
	if procCPU(-1) != 0 || statusKiB(-1, "VmRSS") != 0 {
		t.Error("a missing process should read as 0")
	}
}
