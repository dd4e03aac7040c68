// SPDX-License-Identifier: GPL-2.0
/*
 * kheap_owner_client: a client module that unloads leaving its heap alive,
 * its reporter attached to it and to a heap of another module, as a buggy
 * client would. Not a KUnit suite: the kheap_owner suite loads and unloads
 * it (kheap_owner_test.c), then checks that kheap reported the heap and
 * detached the reporter from both heaps.
 *
 * It frees its blocks before it goes: with memory allocation profiling, a
 * module that unloads with charged blocks WARNs.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/err.h>
#include <linux/module.h>

#include <kheap/kheap.h>

#include "../kmod/kheap_kunit.h"

static char *other;
module_param(other, charp, 0444);
MODULE_PARM_DESC(other, "a heap of another module to attach the reporter to");

static atomic_t oc_events = ATOMIC_INIT(0);

static void oc_event(void *priv, const struct kheap_alloc_info *info)
{
	atomic_inc(&oc_events);
}

static const struct kheap_reporter_ops oc_ops = {
	.on_alloc = oc_event,
	.on_free = oc_event,
	.report = oc_event,
};

static const struct kheap_reporter oc_reporter = {
	.ops = &oc_ops,
};

static struct kheap *oc_heap;
static void *oc_block;

static int __init oc_init(void)
{
	struct kheap *heap;
	int ret;

	oc_heap = kheap_create("owner_client");
	if (IS_ERR(oc_heap))
		return PTR_ERR(oc_heap);
	ret = kheap_set_reporter(oc_heap, &oc_reporter);
	if (ret)
		goto err_destroy;
	if (other) {
		heap = kheap_test_find(other);
		if (!heap) {
			ret = -ENOENT;
			goto err_detach;
		}
		ret = kheap_set_reporter(heap, &oc_reporter);
		if (ret)
			goto err_detach;
	}
	oc_block = kheap_alloc(oc_heap, 40, GFP_KERNEL);
	if (!oc_block) {
		ret = -ENOMEM;
		goto err_other;
	}
	pr_info("heap 'owner_client' and its reporter set up (%d events)\n",
		atomic_read(&oc_events));
	return 0;

err_other:
	if (other)
		kheap_set_reporter(kheap_test_find(other), NULL);
err_detach:
	kheap_set_reporter(oc_heap, NULL);
err_destroy:
	kheap_destroy(oc_heap);
	return ret;
}

/* The block goes; the heap and the reporter stay. */
static void __exit oc_exit(void)
{
	kheap_free(oc_block);
	pr_info("leaving heap 'owner_client' and this module's reporter\n");
}

module_init(oc_init);
module_exit(oc_exit);

MODULE_DESCRIPTION("kheap test client that unloads leaving its heap");
MODULE_LICENSE("GPL");
KHEAP_IMPORT_NS();
MODULE_IMPORT_NS(EXPORTED_FOR_KUNIT_TESTING);
