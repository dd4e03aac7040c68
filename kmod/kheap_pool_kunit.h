/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kheap pools: hooks for kheap's own KUnit suites, not for clients. Exported
 * with EXPORT_SYMBOL_IF_KUNIT() into the EXPORTED_FOR_KUNIT_TESTING
 * namespace, only on kernels with CONFIG_KUNIT; a suite that uses them says
 * MODULE_IMPORT_NS(EXPORTED_FOR_KUNIT_TESTING).
 */
#ifndef _KHEAP_POOL_KUNIT_H
#define _KHEAP_POOL_KUNIT_H

#include <linux/types.h>

struct kheap_pool;
struct kheap_ring;

#if IS_ENABLED(CONFIG_KUNIT)
/**
 * kheap_test_ring_set_index() - move an empty ring's indices
 * @ring:	an empty ring, with no producer or consumer running
 * @index:	the new head and tail, e.g. near U32_MAX to test the wrap
 *
 * Context: Any context.
 * Return: 0, or -EBUSY if @ring is not empty.
 */
int kheap_test_ring_set_index(struct kheap_ring *ring, u32 index);

/**
 * kheap_test_pool_show() - a pool's record of debugfs kheap/pools, as text
 * @pool:	the pool
 * @buf:	where the text goes, NUL-terminated
 * @size:	bytes at @buf
 *
 * The same formatter as the debugfs file (which kernel_read() cannot read:
 * debugfs files have no read_iter).
 * Context: Process context.
 * Return: the length of the text, or -EOVERFLOW if @size was too small.
 */
int kheap_test_pool_show(struct kheap_pool *pool, char *buf, size_t size);
#endif

#endif /* _KHEAP_POOL_KUNIT_H */
