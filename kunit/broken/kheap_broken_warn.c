// SPDX-License-Identifier: GPL-2.0
/* A WARN: with panic_on_warn=1 the guest panics and the harness must go red. */
#include <linux/bug.h>
#include <linux/module.h>

static int __init broken_warn_init(void)
{
	WARN(1, "kheap_broken_warn: a deliberate warning\n");
	return 0;
}
module_init(broken_warn_init);

static void __exit broken_warn_exit(void)
{
}
module_exit(broken_warn_exit);

MODULE_DESCRIPTION("kheap harness check: a WARN");
MODULE_LICENSE("GPL");
