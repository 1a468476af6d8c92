// Command jxldecode decodes each JPEG XL file named on its command line
// with libvips' own loader (libjxl) and writes it beside as <name>.png.
// Package imaging blocks that loader (untrusted in libvips 8.14) in every
// process that uses it; its tests run this program (go run) to read the
// JPEG XL they write with a decoder that is not theirs. It is not part of
// mediacdn.
package main

/*
#cgo pkg-config: vips
#include <stdlib.h>
#include <vips/vips.h>

static int decode(const char *in, const char *out)
{
	VipsImage *im;
	int res;

	if (vips_jxlload(in, &im, NULL))
		return -1;
	res = vips_pngsave(im, out, NULL);
	g_object_unref(im);
	return res;
}
*/
import "C"

import (
	"fmt"
	"os"
	"unsafe"
)

func main() {
	if C.vips_init(C.CString("jxldecode")) != 0 {
		fmt.Fprintln(os.Stderr, "jxldecode: libvips did not start")
		os.Exit(1)
	}
	for _, name := range os.Args[1:] {
		in, out := C.CString(name), C.CString(name+".png")
		if C.decode(in, out) != 0 {
			fmt.Fprintf(os.Stderr, "jxldecode: %s: %s\n", name, C.GoString(C.vips_error_buffer()))
			os.Exit(1)
		}
		C.free(unsafe.Pointer(in))
		C.free(unsafe.Pointer(out))
	}
}
