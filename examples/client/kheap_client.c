// SPDX-License-Identifier: GPL-2.0
/*
 * kheap_client: the smallest client module of an installed kheap, built
 * out of tree against the kheap-dkms package (its headers in
 * /usr/share/kheap/include, its Module.symvers in
 * /usr/share/kheap/<kernel>/): the README's adoption path, and what
 * `make check-fresh` builds and loads on a fresh Debian 12.
 *
 * At load it creates a heap "client" with a child "client.msg", binds a
 * struct to the child, allocates a few messages (one of them kept until
 * unload), and creates a per-CPU pool "client.bufs" in the parent heap and
 * cycles objects through it; then it prints one line saying what it holds.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/err.h>
#include <linux/module.h>

#include <kheap/kheap.h>

struct client_msg {
	u32 len;
	char text[60];
};

KHEAP_SENTRY_DEFINE(client_msg);

#define CLIENT_MSGS 8

static struct kheap *client_heap, *client_msgs;
static struct kheap_pool *client_pool;
static struct client_msg *client_kept;

static void client_teardown(void)
{
	kheap_delete(client_kept);
	client_kept = NULL;
	if (!IS_ERR_OR_NULL(client_pool))
		kheap_pool_destroy(client_pool);
	if (!IS_ERR_OR_NULL(client_msgs))
		kheap_destroy(client_msgs);
	if (!IS_ERR_OR_NULL(client_heap))
		kheap_destroy(client_heap);
}

static int __init client_init(void)
{
	struct client_msg *m[CLIENT_MSGS];
	void *obj[4];
	int i, ret;

	client_heap = kheap_create("client");
	client_msgs = kheap_create("client.msg");
	if (IS_ERR(client_heap) || IS_ERR(client_msgs)) {
		ret = IS_ERR(client_heap) ? PTR_ERR(client_heap) :
					    PTR_ERR(client_msgs);
		goto fail;
	}
	ret = kheap_link(client_heap, client_msgs);
	if (ret)
		goto fail;
	kheap_sentry_set_heap(client_msg, client_msgs);

	for (i = 0; i < CLIENT_MSGS; i++)
		m[i] = kheap_new(client_msg, GFP_KERNEL);
	for (i = 1; i < CLIENT_MSGS; i++)
		kheap_delete(m[i]);
	client_kept = m[0]; /* freed at unload: one live block to see */
	if (!client_kept) {
		ret = -ENOMEM;
		goto fail;
	}

	client_pool = kheap_pool_create("client.bufs", client_heap, 256, 4,
					GFP_KERNEL);
	if (IS_ERR(client_pool)) {
		ret = PTR_ERR(client_pool);
		goto fail;
	}
	for (i = 0; i < ARRAY_SIZE(obj); i++)
		obj[i] = kheap_pool_get(client_pool);
	for (i = 0; i < ARRAY_SIZE(obj); i++)
		if (obj[i])
			kheap_pool_put(client_pool, obj[i]);

	pr_info("heap client: %zu bytes in %zu blocks (with client.msg); pool client.bufs: %u objects\n",
		kheap_hier_bytes(client_heap), kheap_hier_count(client_heap),
		kheap_pool_nr_objs(client_pool));
	return 0;
fail:
	client_teardown();
	return ret;
}

static void __exit client_exit(void)
{
	client_teardown();
}

module_init(client_init);
module_exit(client_exit);
MODULE_DESCRIPTION("kheap client example, built against the kheap-dkms package");
MODULE_LICENSE("GPL");
KHEAP_IMPORT_NS(); /* kheap's symbols are in namespace KHEAP */
