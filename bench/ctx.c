// SPDX-License-Identifier: GPL-2.0
/*
 * kheap_bench shared objects: one set per object size (heaps, cache,
 * mempool, objpool, kheap pool, chains, rings), the tree of heaps for
 * kheap_hier_bytes(), and the live blocks of the latency runs.
 *
 * Teardown accepts a half-built set, so a failed create just destroys.
 *
 * Also the floor of the "parts" test: the least a tracked allocator over
 * kmalloc does, out of line here as kheap_alloc() and kheap_free() are
 * out of line in kheap.ko.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/build_bug.h>
#include <linux/cpumask.h>
#include <linux/err.h>
#include <linux/jiffies.h>
#include <linux/printk.h>
#include <linux/slab.h>
#include <linux/smp.h>
#include <linux/string.h>

#include "kheap_bench.h"

/* Objects per ring of a chain, and the most rings it grows to. */
#define KB_CHAIN_RING 64
#define KB_CHAIN_RINGS 8
/* Elements a mempool keeps in reserve. */
#define KB_MEMPOOL_MIN 16

/* A heap named PREFIX N SUFFIX, or NULL. */
static struct kheap *kb_heap_create(const char *prefix, size_t n,
				    const char *suffix)
{
	struct kheap *heap;
	char name[48];

	snprintf(name, sizeof(name), "%s%zu%s", prefix, n, suffix);
	heap = kheap_create(name);
	return IS_ERR(heap) ? NULL : heap;
}

static int kb_ctx_heaps(struct kb_ctx *ctx)
{
	ctx->heap = kb_heap_create("kb.", ctx->size, "");
	ctx->trace_heap = kb_heap_create("kb.", ctx->size, ".trace");
	ctx->stacks_heap = kb_heap_create("kb.", ctx->size, ".stacks");
	if (!ctx->heap || !ctx->trace_heap || !ctx->stacks_heap)
		return -ENOMEM;
	/* No stack depot: the parts row stacks_on counts misses only. */
	if (kheap_set_stacks(ctx->stacks_heap, true))
		pr_info("kheap_bench: no stacks (kheap_set_stacks() failed)\n");
	kb_sentry_bind(ctx->heap);
	return kheap_set_reporter(ctx->trace_heap, &kheap_trace_reporter);
}

static int kb_ctx_slab(struct kb_ctx *ctx)
{
	char name[48];
	int err;

	snprintf(name, sizeof(name), "kheap_bench_%zu", ctx->size);
	ctx->cache = kmem_cache_create(name, ctx->size, 0, 0, NULL);
	if (!ctx->cache)
		return -ENOMEM;
	ctx->mempool = mempool_create_slab_pool(KB_MEMPOOL_MIN, ctx->cache);
	if (!ctx->mempool)
		return -ENOMEM;
	err = objpool_init(&ctx->objpool, KB_POOL_PER_CPU * num_possible_cpus(),
			   ctx->size, GFP_KERNEL, NULL, NULL, NULL);
	ctx->objpool_ok = !err;
	return err;
}

static int kb_ctx_pools(struct kb_ctx *ctx)
{
	char name[48];
	int cpu;

	snprintf(name, sizeof(name), "kb.%zu", ctx->size);
	ctx->pool = kheap_pool_create(name, ctx->heap, ctx->size,
				      KB_POOL_PER_CPU, GFP_KERNEL);
	if (IS_ERR(ctx->pool)) {
		ctx->pool = NULL;
		return -ENOMEM;
	}
	ctx->chains = kcalloc(nr_cpu_ids, sizeof(*ctx->chains), GFP_KERNEL);
	if (!ctx->chains)
		return -ENOMEM;
	for (cpu = 0; cpu < nr_cpu_ids; cpu++) {
		struct kheap_chain *chain;

		chain = kheap_chain_create(ctx->heap, ctx->size, KB_CHAIN_RING,
					   KB_CHAIN_RINGS, GFP_KERNEL);
		if (IS_ERR(chain))
			return PTR_ERR(chain);
		ctx->chains[cpu] = chain;
	}
	return 0;
}

static int kb_ctx_rings(struct kb_ctx *ctx, const char *debugfs)
{
	ctx->ring = kheap_ring_create(KB_RING_CAP, GFP_KERNEL);
	ctx->xring = kheap_ring_create(KB_XCPU_CAP, GFP_KERNEL);
	if (IS_ERR(ctx->ring) || IS_ERR(ctx->xring))
		return -ENOMEM;
	if (kfifo_alloc(&ctx->fifo, KB_RING_CAP, GFP_KERNEL))
		return -ENOMEM;
	ctx->prefill = kcalloc(KB_PREFILL, sizeof(void *), GFP_KERNEL);
	ctx->live_path = kasprintf(GFP_KERNEL, "%s/kheap/heap/%s/live", debugfs,
				   kheap_name(ctx->heap));
	return ctx->prefill && ctx->live_path ? 0 : -ENOMEM;
}

/**
 * kb_ctx_create() - the shared objects for one object size
 * @size:	object size in bytes
 * @debugfs:	where debugfs is mounted
 *
 * Context: process context.
 * Return: the set, or an ERR_PTR().
 */
struct kb_ctx *kb_ctx_create(size_t size, const char *debugfs)
{
	struct kb_ctx *ctx;
	int err;

	ctx = kzalloc(sizeof(*ctx), GFP_KERNEL);
	if (!ctx)
		return ERR_PTR(-ENOMEM);
	ctx->size = size;
	err = kb_ctx_heaps(ctx);
	if (!err)
		err = kb_ctx_slab(ctx);
	if (!err)
		err = kb_ctx_pools(ctx);
	if (!err)
		err = kb_ctx_rings(ctx, debugfs);
	if (err) {
		kb_ctx_destroy(ctx);
		return ERR_PTR(err);
	}
	return ctx;
}

static void kb_ring_free(struct kheap_ring *ring)
{
	if (!IS_ERR(ring))
		kheap_ring_destroy(ring);
}

/**
 * kb_ctx_destroy() - free a set made by kb_ctx_create(), even half-built
 * @ctx:	the set, or NULL
 *
 * Context: process context; no run may use it.
 */
void kb_ctx_destroy(struct kb_ctx *ctx)
{
	int cpu;

	if (!ctx)
		return;
	kfree(ctx->live_path);
	kfree(ctx->prefill);
	kfifo_free(&ctx->fifo);
	kb_ring_free(ctx->xring);
	kb_ring_free(ctx->ring);
	for (cpu = 0; ctx->chains && cpu < nr_cpu_ids; cpu++)
		kheap_chain_destroy(ctx->chains[cpu]);
	kfree(ctx->chains);
	kheap_pool_destroy(ctx->pool);
	if (ctx->objpool_ok)
		objpool_fini(&ctx->objpool);
	mempool_destroy(ctx->mempool);
	kmem_cache_destroy(ctx->cache);
	if (ctx->trace_heap)
		kheap_set_reporter(ctx->trace_heap, NULL);
	kheap_destroy(ctx->trace_heap);
	kheap_destroy(ctx->stacks_heap);
	kheap_destroy(ctx->heap);
	kfree(ctx);
}

/**
 * kb_hier_setup() - KB_NR_HEAPS heaps linked into a binary tree
 * @ctx:	the set they join; heaps[0] is the root
 *
 * Context: process context.
 * Return: 0 or -ENOMEM (then kb_hier_teardown() cleans up).
 */
int kb_hier_setup(struct kb_ctx *ctx)
{
	unsigned int i;

	ctx->heaps = kcalloc(KB_NR_HEAPS, sizeof(*ctx->heaps), GFP_KERNEL);
	if (!ctx->heaps)
		return -ENOMEM;
	for (i = 0; i < KB_NR_HEAPS; i++) {
		ctx->heaps[i] = kb_heap_create("kb.h", i, "");
		if (!ctx->heaps[i])
			return -ENOMEM;
		if (i && kheap_link(ctx->heaps[(i - 1) / 2], ctx->heaps[i]))
			return -ENOMEM;
	}
	return 0;
}

/**
 * kb_hier_teardown() - destroy the tree of heaps, even half-built
 * @ctx:	the set
 *
 * Context: process context.
 */
void kb_hier_teardown(struct kb_ctx *ctx)
{
	unsigned int i;

	for (i = KB_NR_HEAPS; ctx->heaps && i-- > 0;)
		kheap_destroy(ctx->heaps[i]);
	kfree(ctx->heaps);
	ctx->heaps = NULL;
}

/**
 * kb_prefill() - KB_PREFILL live blocks in the set's heap
 * @ctx:	the set
 *
 * Called by thread 0 of a latency run, so the blocks are on its CPU's
 * shard: the one its timed allocations lock.
 * Context: a run's thread.
 * Return: 0 or -ENOMEM (nothing is left allocated then).
 */
int kb_prefill(struct kb_ctx *ctx)
{
	unsigned int i;

	for (i = 0; i < KB_PREFILL; i++) {
		ctx->prefill[i] = kheap_alloc(ctx->heap, ctx->size, GFP_KERNEL);
		if (!ctx->prefill[i]) {
			kb_unfill(ctx);
			return -ENOMEM;
		}
	}
	return 0;
}

/**
 * kb_unfill() - free the blocks of kb_prefill()
 * @ctx:	the set
 *
 * Context: any context kheap_free() allows.
 */
void kb_unfill(struct kb_ctx *ctx)
{
	unsigned int i;

	for (i = 0; i < KB_PREFILL; i++) {
		kheap_free(ctx->prefill[i]);
		ctx->prefill[i] = NULL;
	}
}

/*
 * The floor's header, the 56 bytes a tracked block's header needs (list
 * 16, heap 8, id 8, caller 8, jiffies 4, size 4, cpu 2, offset 2, check
 * 4), followed by the object and an 8-byte canary: KB_FLOOR_OVERHEAD.
 */
struct kb_floor_hdr {
	struct list_head node;
	struct kheap *heap;
	u64 id;
	unsigned long caller;
	u32 jiffies;
	u32 size;
	u16 cpu;
	u16 offset;
	u32 check;
};

static_assert(sizeof(struct kb_floor_hdr) + sizeof(u64) == KB_FLOOR_OVERHEAD);

#define KB_FLOOR_CANARY 0x6b68656170636e79ULL
#define KB_FLOOR_FREED 0xf7eef7eeU

static u32 kb_floor_check(const struct kb_floor_hdr *hdr)
{
	return (u32)(unsigned long)hdr ^ 0x6b686570U;
}

/**
 * kb_floor_alloc() - kmalloc() a block with a header and a canary
 * @heap:	stored in the header
 * @size:	bytes for the caller
 * @gfp:	for kmalloc()
 *
 * Not linked anywhere, no lock, no clock but jiffies: what is left of a
 * tracked allocation when everything that can go does.
 * Context: as kmalloc() with @gfp.
 * Return: the object, or NULL.
 */
noinline void *kb_floor_alloc(struct kheap *heap, size_t size, gfp_t gfp)
{
	struct kb_floor_hdr *hdr = kmalloc(size + KB_FLOOR_OVERHEAD, gfp);
	u64 canary = KB_FLOOR_CANARY;

	if (!hdr)
		return NULL;
	hdr->heap = heap;
	hdr->id = 0;
	hdr->caller = _RET_IP_;
	hdr->jiffies = (u32)jiffies;
	hdr->size = size;
	hdr->cpu = raw_smp_processor_id();
	hdr->offset = 0;
	hdr->check = kb_floor_check(hdr);
	memcpy((u8 *)(hdr + 1) + size, &canary, sizeof(canary));
	return hdr + 1;
}

/**
 * kb_floor_free() - check and free a block of kb_floor_alloc()
 * @ptr:	the object
 *
 * Context: as kfree().
 */
noinline void kb_floor_free(const void *ptr)
{
	struct kb_floor_hdr *hdr = (struct kb_floor_hdr *)ptr - 1;
	u64 canary;

	if (unlikely(hdr->check != kb_floor_check(hdr))) {
		pr_err_ratelimited("floor: bad free of %p\n", ptr);
		return;
	}
	memcpy(&canary, (const u8 *)ptr + hdr->size, sizeof(canary));
	if (unlikely(canary != KB_FLOOR_CANARY))
		pr_err_ratelimited("floor: overrun of %p\n", ptr);
	hdr->check = KB_FLOOR_FREED;
	kfree(hdr);
}
