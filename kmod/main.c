// SPDX-License-Identifier: GPL-2.0
/*
 * kheap: module init and exit.
 *
 * Init and exit are mirror images: each step that init takes, exit undoes in
 * the reverse order, and a failing init unwinds through the same steps.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/debugfs.h>
#include <linux/module.h>

#include "kheap_internal.h"

struct dentry *kheap_debugfs_root;

static int __init kheap_init(void)
{
	int ret;

	/* debugfs asks its callers not to check for errors. */
	kheap_debugfs_root = debugfs_create_dir("kheap", NULL);
	kheap_debugfs_init();
	kheap_pool_debugfs_init(kheap_debugfs_root);
	kheap_fault_debugfs_init(kheap_debugfs_root);
	kheap_track_init();
	ret = kheap_cache_init();
	if (ret)
		goto err_cache;
	ret = kheap_heaps_init();
	if (ret)
		goto err_heaps;
	/* Clients that unload leaving a heap or a reporter behind. */
	ret = register_module_notifier(&kheap_module_nb);
	if (ret)
		goto err_notifier;
	pr_info("loaded\n");
	return 0;

err_notifier:
	kheap_heaps_exit();
err_heaps:
	kheap_cache_exit();
err_cache:
	debugfs_remove_recursive(kheap_debugfs_root);
	return ret;
}

static void __exit kheap_exit(void)
{
	unregister_module_notifier(&kheap_module_nb);
	kheap_heaps_exit();
	kheap_cache_exit();
	debugfs_remove_recursive(kheap_debugfs_root);
	pr_info("unloaded\n");
}

module_init(kheap_init);
module_exit(kheap_exit);

MODULE_DESCRIPTION("Named, tracked heap categories and lock-free per-CPU pools");
MODULE_AUTHOR("kheap developers");
MODULE_LICENSE("GPL");
MODULE_VERSION(KHEAP_VERSION);
