/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kheap: hooks for kheap's own KUnit suites, not for clients. Exported with
 * EXPORT_SYMBOL_IF_KUNIT() into the EXPORTED_FOR_KUNIT_TESTING namespace,
 * only on kernels with CONFIG_KUNIT; a suite that uses them includes this
 * header and says MODULE_IMPORT_NS(EXPORTED_FOR_KUNIT_TESTING). The pools'
 * hooks are in kheap_pool_kunit.h.
 */
#ifndef _KHEAP_KUNIT_H
#define _KHEAP_KUNIT_H

#include <linux/types.h>

struct fault_attr;
struct kheap;
struct kheap_reporter;
struct module;

/* cache.c: the bytes cached on @cpu, or on every CPU for -1 */
unsigned long kheap_test_cache_bytes(int cpu);
/* stacks.c: has live block @ptr an extension; its stack handle in *@stack */
bool kheap_test_stack(const void *ptr, u32 *stack);
/* track.c: queued frees since load; @always queues every nested free */
unsigned long kheap_test_deferred(bool always);
/* track.c: frees pause between their header read and their shard lock */
void kheap_test_free_pause(bool on);
/* track.c: bookmarks pause between their two steps */
void kheap_test_bookmark_pause(bool on);
/* track.c: frees from other CPUs stay counted as claimers a while */
void kheap_test_claim_hold(bool on, unsigned long *waits,
			   unsigned long *joined);
/* track.c: queued blocks wait for the shrinker; the count queued now */
unsigned long kheap_test_defer_nodrain(bool on);
/* track.c: sums of every shard the peak's updates made since load */
unsigned long kheap_test_peak_sums(void);
/* track.c: wait for @heap's marks to be lowered, if that is queued */
void kheap_test_hw_rebase_flush(struct kheap *heap);
/* track.c: the blocks queued on @heap's shards now */
unsigned long kheap_test_queued(struct kheap *heap);
/* walk.c: lockless walks of shards since load, and what they met */
struct kheap_test_walks {
	unsigned long walks; /* shards walked */
	unsigned long fails; /* steps that could not be proven */
	unsigned long backoffs; /* places left, to a block passed or the head */
	unsigned long starts; /* shards walked again from the head */
	unsigned long locked; /* walks given up: the shard listed locked */
	unsigned long grows; /* snapshots doubled: blocks new since filled them */
};

void kheap_test_walk_stats(struct kheap_test_walks *w);
/* track.c: waits of @heap's owners for their shards' locks */
unsigned long kheap_test_owner_waits(struct kheap *heap);
/* cache.c: what memory pressure does (the shrinker's scan); blocks freed */
unsigned long kheap_test_reclaim(void);

#ifdef CONFIG_FAULT_INJECTION
/* fault.c: the attributes behind debugfs kheap/fail_alloc/ */
struct fault_attr *kheap_test_fail_alloc(void);
#endif

/* heap.c: the heap named @name, or NULL (no reference: the test's heaps) */
struct kheap *kheap_test_find(const char *name);
/* heap.c: the module that owns @heap, NULL once it unloaded */
struct module *kheap_test_owner(struct kheap *heap);
/* heap.c: the name of the module that unloaded leaving @heap, or "" */
const char *kheap_test_left_by(struct kheap *heap);
/* reporter.c: @heap's reporter (a snapshot: it may change right after) */
const struct kheap_reporter *kheap_test_reporter(struct kheap *heap);

#endif /* _KHEAP_KUNIT_H */
