// SPDX-License-Identifier: GPL-2.0
/*
 * kheap chains: a growable chain of pre-filled SPSC rings, every byte of it
 * allocated from one heap (the seed's PoolChain).
 *
 * The getter is the consumer of every ring and the only context that grows
 * the chain; the putter is the producer of every ring. A new ring is built
 * and filled by the getter before it is published through nr_rings, so the
 * putter only ever sees complete rings.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/err.h>
#include <linux/export.h>
#include <linux/overflow.h>

#include "kheap_internal.h"

/**
 * struct kheap_chain_seg - one ring of a chain and the objects it was filled with
 * @ring:	the ring, allocated from the chain's heap
 * @objs:	its ring capacity objects, at kheap_obj_stride(), from the heap
 */
struct kheap_chain_seg {
	struct kheap_ring *ring;
	void *objs;
};

/**
 * struct kheap_chain - a growable chain of pre-filled rings
 * @obj_size:	object size asked for
 * @stride:	kheap_obj_stride(@obj_size)
 * @ring_capacity: capacity of each ring (a power of two) and the number of
 *		objects each new ring brings
 * @max_rings:	the chain never has more rings
 * @nr_rings:	rings in @segs; written by the getter (growth) with
 *		smp_store_release(), read by the putter with smp_load_acquire()
 * @segs:	the rings, @max_rings entries
 *
 * Allocated from its heap: struct_size(chain, segs, max_rings) bytes, then
 * per ring kheap_ring_size(ring_capacity) plus ring_capacity * stride bytes
 * (kheap_chain_bytes()). The chain keeps no pointer to its heap: it is one
 * of the heap's blocks, so kheap_of() finds the heap (kheap_chain_heap()),
 * and still does once kheap_destroy() has re-parented the chain's blocks to
 * the default heap.
 */
struct kheap_chain {
	size_t obj_size;
	size_t stride;
	unsigned int ring_capacity;
	unsigned int max_rings;
	unsigned int nr_rings;
	struct kheap_chain_seg segs[];
};

/* The table of rings fits one kmalloc() whatever max_rings is. */
static_assert(sizeof(struct kheap_chain) +
		      KHEAP_CHAIN_MAX_RINGS * sizeof(struct kheap_chain_seg) <=
	      KHEAP_KMALLOC_AREA_MAX);

/*
 * Appends one filled ring. Getter (or creator) only. A failure is reported
 * to the caller (NULL or -ENOMEM), so the allocator does not warn.
 */
static int kheap_chain_add_ring(struct kheap_chain *chain, gfp_t gfp)
{
	unsigned int n = chain->nr_rings, cap = chain->ring_capacity, i;
	struct kheap *heap = kheap_chain_heap(chain);
	struct kheap_ring *ring;
	void *objs;

	gfp |= __GFP_NOWARN;
	/* Aligned, so its producer and consumer fields do not share a line. */
	ring = kheap_alloc_aligned(heap, kheap_ring_size(cap), SMP_CACHE_BYTES,
				   gfp);
	if (!ring)
		return -ENOMEM;
	/* Aligned too: the typed chains' objects may want it (pool.h). */
	objs = kheap_alloc_aligned(heap, cap * chain->stride, SMP_CACHE_BYTES,
				   gfp);
	if (!objs) {
		kheap_free(ring);
		return -ENOMEM;
	}
	kheap_ring_init(ring, cap);
	for (i = 0; i < cap; i++)
		kheap_ring_push(ring, objs + i * chain->stride);
	chain->segs[n].ring = ring;
	chain->segs[n].objs = objs;
	/*
	 * Pairs with the smp_load_acquire() of nr_rings in kheap_chain_put():
	 * the putter sees the ring built and filled before it sees it counted.
	 */
	smp_store_release(&chain->nr_rings, n + 1);
	return 0;
}

/*
 * Every allocation of a chain is one kheap_alloc(), which kmalloc() serves:
 * growth may run in atomic context. So a ring's slots and its objects must
 * each fit in KHEAP_KMALLOC_AREA_MAX.
 */
static bool kheap_chain_shape_ok(size_t obj_size, unsigned int cap,
				 unsigned int max_rings)
{
	size_t objs;

	if (!obj_size || obj_size > KHEAP_KMALLOC_AREA_MAX || !cap ||
	    !max_rings || max_rings > KHEAP_CHAIN_MAX_RINGS)
		return false;
	if (kheap_ring_size(cap) > KHEAP_KMALLOC_AREA_MAX)
		return false;
	return !check_mul_overflow(kheap_obj_stride(obj_size), (size_t)cap,
				   &objs) &&
	       objs <= KHEAP_KMALLOC_AREA_MAX;
}

struct kheap_chain *kheap_chain_create(struct kheap *heap, size_t obj_size,
				       unsigned int ring_capacity,
				       unsigned int max_rings, gfp_t gfp)
{
	unsigned int cap = kheap_ring_round_capacity(ring_capacity);
	struct kheap_chain *chain;

	if (!kheap_chain_shape_ok(obj_size, cap, max_rings))
		return ERR_PTR(-EINVAL);
	chain = kheap_zalloc(heap, struct_size(chain, segs, max_rings),
			     gfp | __GFP_NOWARN);
	if (!chain)
		return ERR_PTR(-ENOMEM);
	chain->obj_size = obj_size;
	chain->stride = kheap_obj_stride(obj_size);
	chain->ring_capacity = cap;
	chain->max_rings = max_rings;
	if (kheap_chain_add_ring(chain, gfp)) {
		kheap_chain_destroy(chain);
		return ERR_PTR(-ENOMEM);
	}
	return chain;
}
EXPORT_SYMBOL_NS_GPL(kheap_chain_create, KHEAP_NS);

void *kheap_chain_get(struct kheap_chain *chain, gfp_t gfp)
{
	unsigned int n = chain->nr_rings; /* only the getter writes it */
	unsigned int i;
	void *obj;

	for (i = 0; i < n; i++) {
		obj = kheap_ring_pop(chain->segs[i].ring);
		if (obj)
			return obj;
	}
	if (n >= chain->max_rings || kheap_chain_add_ring(chain, gfp))
		return NULL;
	return kheap_ring_pop(chain->segs[n].ring);
}
EXPORT_SYMBOL_NS_GPL(kheap_chain_get, KHEAP_NS);

int kheap_chain_grow(struct kheap_chain *chain, gfp_t gfp)
{
	/* Only the getter writes nr_rings: a plain read. */
	if (chain->nr_rings >= chain->max_rings)
		return -ENOSPC;
	return kheap_chain_add_ring(chain, gfp);
}
EXPORT_SYMBOL_NS_GPL(kheap_chain_grow, KHEAP_NS);

static bool kheap_chain_owns(const struct kheap_chain *chain, const void *obj,
			     unsigned int nr_rings)
{
	size_t area = chain->ring_capacity * chain->stride;
	unsigned int i;

	for (i = 0; i < nr_rings; i++) {
		unsigned long off =
			(unsigned long)obj - (unsigned long)chain->segs[i].objs;

		if (off < area)
			return off % chain->stride == 0;
	}
	return false;
}

bool kheap_chain_put(struct kheap_chain *chain, void *obj)
{
	/*
	 * Pairs with the smp_store_release() of nr_rings in
	 * kheap_chain_add_ring(): every ring counted is built and filled.
	 */
	unsigned int n = smp_load_acquire(&chain->nr_rings);
	unsigned int i;

	if (!kheap_chain_owns(chain, obj, n)) {
		pr_err_ratelimited("chain: put of foreign %p (caller %pS)\n",
				   obj, (void *)_RET_IP_);
		return false;
	}
	for (i = 0; i < n; i++)
		if (kheap_ring_push(chain->segs[i].ring, obj))
			return true;
	return false;
}
EXPORT_SYMBOL_NS_GPL(kheap_chain_put, KHEAP_NS);

struct kheap *kheap_chain_heap(const struct kheap_chain *chain)
{
	/* Never NULL: the chain is a live block (the fallback is a guard). */
	return kheap_of(chain) ?: kheap_default();
}
EXPORT_SYMBOL_NS_GPL(kheap_chain_heap, KHEAP_NS);

size_t kheap_chain_bytes(const struct kheap_chain *chain)
{
	unsigned int n = kheap_chain_nr_rings(chain);
	size_t ring = kheap_ring_size(chain->ring_capacity) +
		      chain->ring_capacity * chain->stride;

	return struct_size(chain, segs, chain->max_rings) + n * ring;
}
EXPORT_SYMBOL_NS_GPL(kheap_chain_bytes, KHEAP_NS);

unsigned int kheap_chain_nr_rings(const struct kheap_chain *chain)
{
	return smp_load_acquire(&chain->nr_rings); /* as in kheap_chain_put() */
}
EXPORT_SYMBOL_NS_GPL(kheap_chain_nr_rings, KHEAP_NS);

void kheap_chain_destroy(struct kheap_chain *chain)
{
	unsigned int out = 0, i;

	if (!chain)
		return;
	for (i = 0; i < chain->nr_rings; i++) {
		struct kheap_chain_seg *seg = &chain->segs[i];

		out += chain->ring_capacity - kheap_ring_count(seg->ring);
		kheap_free(seg->objs);
		kheap_free(seg->ring);
	}
	if (out)
		pr_err("chain: destroyed with %u of %u objects not returned; freed with it\n",
		       out, chain->nr_rings * chain->ring_capacity);
	kheap_free(chain);
}
EXPORT_SYMBOL_NS_GPL(kheap_chain_destroy, KHEAP_NS);
