// The C layer of PDF inputs (pdf.go): poppler's loader, let through
// libvips' block on untrusted loaders on its own.

#include "vips.h"

void mc_pdf_unblock(void)
{
	vips_operation_block_set("VipsForeignLoadPdf", FALSE);
}

int mc_pdf_load(const void *buf, size_t len, int page, double dpi, VipsImage **out)
{
	return vips_pdfload_buffer((void *) buf, len, out, "access", VIPS_ACCESS_SEQUENTIAL,
		"fail_on", VIPS_FAIL_ON_TRUNCATED, "page", page, "dpi", dpi, NULL);
}
