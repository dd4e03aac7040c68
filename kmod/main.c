// SPDX-License-Identifier: GPL-2.0
/*
 * kheap: module init and exit.
 *
 * Init and exit are mirror images: each step that init takes, exit undoes in
 * the reverse order, and a failing init unwinds through the same steps.
 */
#include <linux/module.h>

#include "kheap_internal.h"

static int __init kheap_init(void)
{
	int ret;

	/* First: debugfs kheap/cache reads it. */
	ret = kheap_cache_alloc();
	if (ret)
		return ret;
	kheap_debugfs_init();
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
	return 0;

err_notifier:
	kheap_heaps_exit();
err_heaps:
	kheap_cache_exit();
err_cache:
	kheap_track_exit();
	kheap_debugfs_exit();
	kheap_cache_free();
	return ret;
}

static void __exit kheap_exit(void)
{
	unregister_module_notifier(&kheap_module_nb);
	kheap_heaps_exit();
	kheap_cache_exit();
	kheap_track_exit();
	kheap_debugfs_exit();
	kheap_cache_free();
}

module_init(kheap_init);
module_exit(kheap_exit);

MODULE_DESCRIPTION("Named, tracked heap categories and lock-free per-CPU pools");
MODULE_AUTHOR("kheap developers");
MODULE_LICENSE("GPL");
MODULE_VERSION(KHEAP_VERSION);
