// SPDX-License-Identifier: GPL-2.0
/*
 * kheap_orphan_client: a client module that leaves on purpose a heap behind,
 * with blocks in it and its own reporter attached, as a buggy client would.
 * Not a KUnit suite: /init (scripts/harness/init) loads and unloads it, then
 * unloads kheap. kheap's exit reports and frees what was left; it must not
 * call the reporter, whose code and data went away with this module.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/err.h>
#include <linux/module.h>

#include <kheap/kheap.h>

#define ORPHAN_BLOCKS 3

static void orphan_report(void *priv, const struct kheap_alloc_info *info)
{
	pr_info("block id %llu, %zu bytes\n", info->id, info->size);
}

static const struct kheap_reporter_ops orphan_ops = {
	.report = orphan_report,
};

static const struct kheap_reporter orphan_reporter = {
	.ops = &orphan_ops,
};

static int __init orphan_init(void)
{
	void *blocks[ORPHAN_BLOCKS];
	struct kheap *heap;
	int i, ret;

	heap = kheap_create("orphan");
	if (IS_ERR(heap))
		return PTR_ERR(heap);
	ret = kheap_set_reporter(heap, &orphan_reporter);
	if (ret)
		goto err_destroy;
	for (i = 0; i < ORPHAN_BLOCKS; i++) {
		blocks[i] = kheap_alloc(heap, 32 * (i + 1), GFP_KERNEL);
		if (!blocks[i]) {
			ret = -ENOMEM;
			goto err_free;
		}
	}
	/* Neither the heap nor the blocks are ever freed by this module. */
	pr_info("leaving heap 'orphan' with %zu blocks and this module's reporter\n",
		kheap_count(heap));
	return 0;

err_free:
	while (i--)
		kheap_free(blocks[i]);
	kheap_set_reporter(heap, NULL);
err_destroy:
	kheap_destroy(heap);
	return ret;
}

/* Nothing: the heap stays, with the reporter attached. */
static void __exit orphan_exit(void)
{
}

module_init(orphan_init);
module_exit(orphan_exit);

MODULE_DESCRIPTION("kheap test client that leaves a heap with its reporter");
MODULE_LICENSE("GPL");
KHEAP_IMPORT_NS();
