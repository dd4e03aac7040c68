// SPDX-License-Identifier: GPL-2.0
/* A use-after-free that KASAN reports: the harness must go red. */
#include <linux/module.h>
#include <linux/slab.h>

static int __init broken_uaf_init(void)
{
	char *p = kmalloc(32, GFP_KERNEL);

	if (!p)
		return -ENOMEM;
	kfree(p);
	/* OPTIMIZER_HIDE_VAR keeps the compiler from dropping the bad read. */
	OPTIMIZER_HIDE_VAR(p);
	pr_info("kheap_broken_uaf: read %d\n", READ_ONCE(p[3]));
	return 0;
}
module_init(broken_uaf_init);

static void __exit broken_uaf_exit(void)
{
}
module_exit(broken_uaf_exit);

MODULE_DESCRIPTION("kheap harness check: a KASAN use-after-free");
MODULE_LICENSE("GPL");
