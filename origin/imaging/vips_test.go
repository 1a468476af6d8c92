//go:build cgo

package imaging

import (
	"os"
	"testing"
)

// libvips is started once, by bimg's package init, and this package's
// settings (mc_configure) win over bimg's: no operation cache (bimg keeps
// 500 operations and 100 MiB), one thread per pipeline, SIMD left as
// libvips has it.
func TestLibvipsSettings(t *testing.T) {
	newProcessor(t, Config{})
	s := readVipsSettings()
	if s.argv0 != "bimg" {
		t.Errorf("libvips started as %q, want bimg's vips_init only", s.argv0)
	}
	if s.cacheMax != 0 || s.cacheMaxMem != 0 || s.cacheMaxFiles != 0 {
		t.Errorf("operation cache max %d ops, %d bytes, %d files; want all 0", s.cacheMax, s.cacheMaxMem, s.cacheMaxFiles)
	}
	if os.Getenv("VIPS_CONCURRENCY") == "" && s.concurrency != 1 {
		t.Errorf("concurrency %d, want 1", s.concurrency)
	}
	if os.Getenv("VIPS_NOVECTOR") == "" && !s.vector {
		t.Error("SIMD paths disabled; neither bimg nor this package turns them off")
	}
}
