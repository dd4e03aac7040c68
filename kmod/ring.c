// SPDX-License-Identifier: GPL-2.0
/*
 * kheap rings: bounded single-producer/single-consumer rings of pointers.
 * The fast path (push, pop) is inline in <kheap/pool.h>; this file holds
 * creation and teardown.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/err.h>
#include <linux/export.h>
#include <linux/log2.h>
#include <linux/overflow.h>
#include <linux/slab.h>
#include <kunit/visibility.h>

#include "kheap_internal.h"
#include "kheap_pool_kunit.h"

size_t kheap_ring_size(unsigned int capacity)
{
	struct kheap_ring *ring;

	return struct_size(ring, slots, capacity);
}

void kheap_ring_init(struct kheap_ring *ring, unsigned int capacity)
{
	ring->head = 0;
	ring->tail_seen = 0;
	ring->cmask = capacity - 1;
	ring->tail = 0;
	ring->head_seen = 0;
	ring->mask = capacity - 1;
}

/* The capacity a request gets, or 0 if it is out of range. */
unsigned int kheap_ring_round_capacity(unsigned int capacity)
{
	if (capacity < KHEAP_RING_MIN_CAPACITY ||
	    capacity > KHEAP_RING_MAX_CAPACITY)
		return 0;
	return roundup_pow_of_two(capacity);
}

struct kheap_ring *kheap_ring_create(unsigned int capacity, gfp_t gfp)
{
	struct kheap_ring *ring;

	capacity = kheap_ring_round_capacity(capacity);
	if (!capacity)
		return ERR_PTR(-EINVAL);
	/* A failure is reported to the caller: no allocation warning. */
	ring = kvmalloc(kheap_ring_size(capacity), gfp | __GFP_NOWARN);
	if (!ring)
		return ERR_PTR(-ENOMEM);
	kheap_ring_init(ring, capacity);
	return ring;
}
EXPORT_SYMBOL_NS_GPL(kheap_ring_create, KHEAP_NS);

void kheap_ring_destroy(struct kheap_ring *ring)
{
	kvfree(ring);
}
EXPORT_SYMBOL_NS_GPL(kheap_ring_destroy, KHEAP_NS);

#if IS_ENABLED(CONFIG_KUNIT)
int kheap_test_ring_set_index(struct kheap_ring *ring, u32 index)
{
	if (ring->head != ring->tail)
		return -EBUSY;
	ring->head = index;
	ring->tail_seen = index;
	ring->tail = index;
	ring->head_seen = index;
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(kheap_test_ring_set_index);
#endif
