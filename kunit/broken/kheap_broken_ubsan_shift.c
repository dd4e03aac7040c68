// SPDX-License-Identifier: GPL-2.0
/*
 * A shift out of bounds: 1U << 40 on a 32-bit unsigned int. x86 masks the
 * count (the result is 1 << 8), so nothing crashes; only UBSAN's shift
 * check (-fsanitize=shift, on kheap's modules in the debug kernel) reports
 * it. The harness must go red with a UBSAN report (make check-harness
 * checks its kind).
 */
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/printk.h>

/* A parameter, so the compiler cannot see the bad count at build time. */
static int shift = 40;
module_param(shift, int, 0444);

static int __init broken_ubsan_shift_init(void)
{
	unsigned int v = 1U << shift; /* the shift out of bounds */

	pr_info("kheap_broken_ubsan_shift: 1U << %d is %u\n", shift, v);
	return 0;
}
module_init(broken_ubsan_shift_init);

static void __exit broken_ubsan_shift_exit(void)
{
}
module_exit(broken_ubsan_shift_exit);

MODULE_DESCRIPTION("kheap harness check: a shift out of bounds (UBSAN)");
MODULE_LICENSE("GPL");
