/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * invariant — lifecycle checks that a debug build turns on (meson
 * -Dasserts=true defines SG_ASSERTS; the ASan+UBSan and fuzz builds of
 * dev.sh and CI use it).  A failed check prints the invariant's name,
 * where, and the object's state, then aborts: an object freed twice or a
 * timer node re-initialised while armed corrupts memory silently and
 * surfaces minutes later somewhere else, so it must stop the program at
 * the first wrong step instead.
 *
 * In a release build SG_VERIFY compiles to nothing (its operands are not
 * evaluated), so a check may be as expensive as it needs to be.
 *
 * Plain C, no EAL: the bottom layer.
 */
#ifndef SG_INVARIANT_H
#define SG_INVARIANT_H

#include <stdbool.h>

#ifdef SG_ASSERTS
#define SG_ASSERTS_ON 1
#else
#define SG_ASSERTS_ON 0
#endif

/* Report a broken invariant and abort.  fmt describes the object. */
__attribute__((noreturn, format(printf, 4, 5), cold))
void sg_invariant_failed(const char *name, const char *file, int line,
			 const char *fmt, ...);

/*
 * SG_VERIFY(cond, name, fmt, ...): in an asserts build, abort with
 * `name` and the formatted state unless cond holds.
 */
#if SG_ASSERTS_ON
#define SG_VERIFY(cond, name, ...) do {					\
	if (__builtin_expect(!(cond), 0))				\
		sg_invariant_failed(name, __FILE__, __LINE__,		\
				    __VA_ARGS__);			\
} while (0)
#else
#define SG_VERIFY(cond, name, ...) do {					\
	if (0 && (cond))						\
		sg_invariant_failed(name, __FILE__, __LINE__,		\
				    __VA_ARGS__);			\
} while (0)
#endif

#endif /* SG_INVARIANT_H */
