// SPDX-License-Identifier: GPL-2.0
/*
 * An array index out of bounds that stays inside its object: a[5] of an
 * int[4] member is b[1] of the same struct, so KASAN sees nothing (the
 * memory is valid) and only UBSAN's bounds check (-fsanitize=bounds-strict,
 * on kheap's modules in the debug kernel) reports it. The harness must go
 * red with a UBSAN report (make check-harness checks its kind).
 */
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/printk.h>

/* A parameter, so the compiler cannot see the bad index at build time. */
static int bad_index = 5;
module_param(bad_index, int, 0444);

static struct {
	int a[4];
	int b[4];
} broken_bounds = { .b = { 10, 11, 12, 13 } };

static int __init broken_ubsan_bounds_init(void)
{
	int v = broken_bounds.a[bad_index]; /* the out-of-bounds index */

	pr_info("kheap_broken_ubsan_bounds: a[%d] read %d\n", bad_index, v);
	return 0;
}
module_init(broken_ubsan_bounds_init);

static void __exit broken_ubsan_bounds_exit(void)
{
}
module_exit(broken_ubsan_bounds_exit);

MODULE_DESCRIPTION("kheap harness check: an array index out of bounds (UBSAN)");
MODULE_LICENSE("GPL");
