// SPDX-License-Identifier: GPL-2.0
/*
 * kheap_example: a client module of kheap.ko.
 *
 * It depends on kheap's exported symbols, so the kernel refuses to unload
 * kheap.ko while this module is loaded.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>

#include <kheap/kheap.h>

static int __init kheap_example_init(void)
{
	pr_info("using heap '%s'\n", kheap_name(kheap_default()));
	return 0;
}
module_init(kheap_example_init);

static void __exit kheap_example_exit(void)
{
}
module_exit(kheap_example_exit);

MODULE_DESCRIPTION("An example client of kheap");
MODULE_LICENSE("GPL");
