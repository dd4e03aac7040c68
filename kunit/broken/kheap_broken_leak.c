// SPDX-License-Identifier: GPL-2.0
/* A leaked allocation that kmemleak finds: the harness must go red. */
#include <linux/module.h>
#include <linux/slab.h>

static int __init broken_leak_init(void)
{
	void *p = kmalloc(128, GFP_KERNEL);

	/* Drop the only reference; kmemleak's next scan reports the block. */
	OPTIMIZER_HIDE_VAR(p);
	p = NULL;
	return 0;
}
module_init(broken_leak_init);

static void __exit broken_leak_exit(void)
{
}
module_exit(broken_leak_exit);

MODULE_DESCRIPTION("kheap harness check: a kmemleak leak");
MODULE_LICENSE("GPL");
