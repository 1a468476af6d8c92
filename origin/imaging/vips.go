//go:build cgo

package imaging

/*
#cgo pkg-config: vips libjpeg
#cgo CFLAGS: -O2
#cgo LDFLAGS: -lm
#include "vips.h"
*/
import "C"

import (
	"errors"
	"runtime"
	"strings"
	"sync"
	"unsafe"

	// bimg's package init starts libvips; initVips only configures it.
	_ "github.com/h2non/bimg"
)

// The Go values of loader (sniff.go) and encoder (format.go) are the C
// enums MC_LOAD_* and MC_SAVE_* of vips.h, so that those files build
// without cgo: each index below is out of range, and does not compile,
// when a pair differs.
var (
	_ = [1]struct{}{}[loaderNone-C.MC_LOAD_NONE]
	_ = [1]struct{}{}[loaderJPEG-C.MC_LOAD_JPEG]
	_ = [1]struct{}{}[loaderPNG-C.MC_LOAD_PNG]
	_ = [1]struct{}{}[loaderWebP-C.MC_LOAD_WEBP]
	_ = [1]struct{}{}[loaderGIF-C.MC_LOAD_GIF]
	_ = [1]struct{}{}[loaderTIFF-C.MC_LOAD_TIFF]
	_ = [1]struct{}{}[loaderHEIF-C.MC_LOAD_HEIF]
	_ = [1]struct{}{}[loaderBMP-C.MC_LOAD_BMP]
	_ = [1]struct{}{}[loaderPDF-C.MC_LOAD_PDF]
	_ = [1]struct{}{}[encJPEG-C.MC_SAVE_JPEG]
	_ = [1]struct{}{}[encPNG-C.MC_SAVE_PNG]
	_ = [1]struct{}{}[encWebP-C.MC_SAVE_WEBP]
	_ = [1]struct{}{}[encAVIF-C.MC_SAVE_AVIF]
	_ = [1]struct{}{}[encGIF-C.MC_SAVE_GIF]
	_ = [1]struct{}{}[encTIFF-C.MC_SAVE_TIFF]
	_ = [1]struct{}{}[encHEIC-C.MC_SAVE_HEIC]
	_ = [1]struct{}{}[encJXL-C.MC_SAVE_JXL]
	_ = [1]struct{}{}[encBMP-C.MC_SAVE_BMP]
	_ = [1]struct{}{}[encICO-C.MC_SAVE_ICO]
)

// libvips is started once per process, by bimg's package init (vips_init,
// with bimg's cache and concurrency settings); Go runs it before this
// package's code. initVips then applies this package's settings over
// bimg's, once (mc_configure in vips.c; doc.go says which settings win).
// vipsOnce guards that; vipsInitErr, vipsAVIF and vipsSavers are written
// once inside it and only read after it.
var (
	vipsOnce    sync.Once
	vipsInitErr error
	vipsAVIF    bool
	vipsSavers  savers
)

func initVips() error {
	vipsOnce.Do(func() {
		if C.mc_configure() != 0 {
			vipsInitErr = errors.New("imaging: libvips failed to start: " + takeVipsError())
			return
		}
		vipsAVIF = avifWorks()
		vipsSavers = saversWork()
	})
	return vipsInitErr
}

// vipsSettings are libvips' process-wide settings as it reports them.
type vipsSettings struct {
	argv0                   string
	cacheMax, cacheMaxFiles int
	cacheMaxMem             uint64
	concurrency             int
	vector                  bool
}

func readVipsSettings() vipsSettings {
	var s C.mc_settings
	C.mc_read_settings(&s)
	return vipsSettings{
		argv0:         C.GoString(s.argv0),
		cacheMax:      int(s.cache_max),
		cacheMaxFiles: int(s.cache_max_files),
		cacheMaxMem:   uint64(s.cache_max_mem),
		concurrency:   int(s.concurrency),
		vector:        s.vector != 0,
	}
}

// takeVipsError copies and clears libvips' error text. libvips keeps one
// error buffer per process: under concurrency the text may belong to
// another pipeline (bimg reads it without the lock and loses or mixes
// messages). It is therefore only logged, never used to decide anything.
func takeVipsError() string {
	p := C.mc_error_copy()
	if p == nil {
		return ""
	}
	defer C.mc_free(unsafe.Pointer(p))
	return strings.TrimSpace(C.GoString(p))
}

// vipsFailure is an internal error from libvips, for logs.
type vipsFailure struct {
	op  string
	msg string
}

func (e *vipsFailure) Error() string { return "vips " + e.op + ": " + e.msg }

func failed(op string) error { return &vipsFailure{op: op, msg: takeVipsError()} }

// arena owns the images one pipeline creates and releases them together.
// keep and release are called on the pipeline's goroutine (locked to its
// OS thread by pool.do); kill may come from any goroutine (kill.go), hence
// the lock, which also keeps kill off images already released.
type arena struct {
	mu     sync.Mutex
	images []*C.VipsImage
	killed bool // every image kept is killed
}

// keep registers im for release and returns it; in a killed arena, im is
// killed too.
func (a *arena) keep(im *C.VipsImage) *C.VipsImage {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.images = append(a.images, im)
	if a.killed {
		C.mc_kill(im)
	}
	return im
}

// kill sets the kill flag of every image kept so far and of those kept
// later: libvips fails the evaluation that next looks at one.
func (a *arena) kill() {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.killed = true
	for _, im := range a.images {
		C.mc_kill(im)
	}
}

// release unrefs every image, newest first.
func (a *arena) release() {
	a.mu.Lock()
	defer a.mu.Unlock()
	for i := len(a.images) - 1; i >= 0; i-- {
		C.mc_unref(a.images[i])
	}
	a.images = nil
}

// cbool converts a Go bool for C.
func cbool(b bool) C.int {
	if b {
		return 1
	}
	return 0
}

// avifWorks probes the AVIF encoder (once per process).
func avifWorks() bool {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	return C.mc_avif_works() == 0
}

// threadDone frees the calling thread's libvips state; the caller must be
// locked to its OS thread.
func threadDone() { C.mc_thread_done() }
