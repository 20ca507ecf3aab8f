/* SPDX-License-Identifier: BSD-3-Clause */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "invariant.h"

void
sg_invariant_failed(const char *name, const char *file, int line,
		    const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "syngate: invariant '%s' broken at %s:%d: ", name,
		file, line);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	fflush(stderr);
	abort();
}
