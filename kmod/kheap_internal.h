/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kheap: definitions shared by the module's files, not part of the API.
 */
#ifndef _KHEAP_INTERNAL_H
#define _KHEAP_INTERNAL_H

#include <linux/fault-inject.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/percpu.h>
#include <linux/rcupdate.h>
#include <linux/spinlock.h>

#include <kheap/kheap.h>

struct dentry;
struct seq_file;

/*
 * One CPU's part of a heap. Blocks allocated on a CPU live on that CPU's
 * shard until freed (from any CPU) or re-parented; @lock protects @live,
 * @bytes, @count, @hw and the id range. Readers of @bytes and @count take no
 * lock (READ_ONCE; the writers use WRITE_ONCE under @lock). @hw is the
 * highest @bytes has been, never lowered; only @lock's holder reads it.
 */
struct kheap_shard {
	raw_spinlock_t lock;
	struct list_head live;
	long bytes;
	long count;
	long hw;
	u64 next_id; /* next id of this CPU's range */
	u64 end_id; /* end (exclusive) of that range */
	unsigned int id_gen; /* heap->id_gen when the range was taken */
};

/**
 * struct kheap - a named memory category
 * @name:	its name, unique among heaps
 * @shards:	per-CPU live lists and counters
 * @peak:	high-water mark of the sum of the shards' bytes
 * @hw_sum:	sum of the shards' @hw: a bound on the sum of their bytes that
 *		changes only when a shard reaches a new high (track.c)
 * @overruns:	blocks freed with a damaged canary
 * @next_id:	start of the next id range handed to a shard
 * @id_gen:	bumped by kheap_bookmark() to retire every shard's id range
 * @reporter:	attached reporter or NULL (RCU)
 * @node:	on kheap_heaps, under kheap_lock
 * @edges:	out-edges (struct kheap_edge), RCU list written under kheap_lock
 * @walk_gen:	the last hierarchy walk that visited it, under kheap_walk_lock
 * @walk_next:	the walk's stack link, under kheap_walk_lock
 * @report_from: the debugfs report window, under kheap_lock
 * @report_to:	 the other end of that window
 * @dir:	its debugfs directory
 * @rcu:	frees it after a grace period (walkers and frees hold RCU)
 */
struct kheap {
	char name[KHEAP_NAME_MAX + 1];
	struct kheap_shard __percpu *shards;
	atomic_long_t peak;
	atomic_long_t hw_sum;
	atomic_long_t overruns;
	atomic64_t next_id;
	atomic_t id_gen;
	const struct kheap_reporter __rcu *reporter;
	struct list_head node;
	struct list_head edges;
	u64 walk_gen;
	struct kheap *walk_next;
	u64 report_from;
	u64 report_to;
	struct dentry *dir;
	struct rcu_head rcu;
};

/* A one-way edge of the hierarchy graph, on its source heap's @edges. */
struct kheap_edge {
	struct list_head node;
	struct kheap *to;
	struct rcu_head rcu;
};

/* The canary after every tracked block's data (track.c). */
#define KHEAP_CANARY_SIZE sizeof(u64)

/*
 * The header in front of every tracked block. @check is last, so it sits
 * right before the user pointer; it mixes the header's address, id and size
 * so that a pointer kheap did not hand out, a pointer into the middle of a
 * block, or a block already freed fails the check.
 */
struct kheap_hdr {
	struct list_head node;
	struct kheap *heap;
	u64 id;
	size_t size;
	unsigned long caller;
	u64 time_ns;
	u32 offset; /* header minus the kmalloc'd base */
	u32 cpu; /* the shard it lives on */
	unsigned long check;
};

/* A snapshot of live blocks, taken under the shard locks, sorted by id. */
struct kheap_snap {
	size_t n;
	size_t cap;
	struct kheap_alloc_info v[];
};

extern struct dentry *kheap_debugfs_root;
extern struct mutex kheap_lock;
extern struct list_head kheap_heaps;
extern atomic_long_t kheap_invalid_frees_count;

/* heap.c */
int kheap_heaps_init(void);
void kheap_heaps_exit(void);

/* track.c */
long kheap_sum_bytes(const struct kheap *heap);
long kheap_sum_count(const struct kheap *heap);
struct kheap_snap *kheap_snapshot(struct kheap *heap, u64 from, u64 to);
void kheap_reparent(struct kheap *heap, struct kheap *to);
void kheap_report_leaks(struct kheap *heap);

/* hier.c */
void kheap_hier_sum(struct kheap *heap, size_t *bytes, size_t *count);
void kheap_edges_remove_locked(struct kheap *heap);

/* reporter.c */
void kheap_format_info(struct seq_file *m, const char *prefix,
		       const struct kheap_alloc_info *info);
void kheap_notify_alloc(struct kheap *heap,
			const struct kheap_alloc_info *info);
void kheap_notify_free(struct kheap *heap, const struct kheap_alloc_info *info);
void kheap_notify_report(struct kheap *heap,
			 const struct kheap_alloc_info *info);
bool kheap_has_reporter(struct kheap *heap);

/* fault.c: the fail_alloc fault point, only with CONFIG_FAULT_INJECTION */
#ifdef CONFIG_FAULT_INJECTION
extern struct fault_attr kheap_fail_alloc;
bool __kheap_should_fail(size_t size, gfp_t gfp);
void kheap_fault_debugfs_init(struct dentry *root);

/*
 * Should this allocation of @size bytes fail on purpose? While the fault
 * point is disarmed (probability 0) this is one load and a branch.
 */
static inline bool kheap_should_fail(size_t size, gfp_t gfp)
{
	return unlikely(READ_ONCE(kheap_fail_alloc.probability)) &&
	       __kheap_should_fail(size, gfp);
}
#else
static inline bool kheap_should_fail(size_t size, gfp_t gfp)
{
	return false;
}

static inline void kheap_fault_debugfs_init(struct dentry *root)
{
}
#endif

/* debugfs.c */
void kheap_debugfs_init(void);
void kheap_debugfs_heap_add(struct kheap *heap);
void kheap_debugfs_heap_remove(struct kheap *heap);
void kheap_pool_debugfs_init(struct dentry *root);

/* ring.c: for rings embedded in memory of the caller's (chain.c) */
/*
 * kheap_ring_round_capacity() - @capacity rounded up to a power of two, or
 * 0 if it is outside KHEAP_RING_MIN_CAPACITY..KHEAP_RING_MAX_CAPACITY.
 */
unsigned int kheap_ring_round_capacity(unsigned int capacity);
/* kheap_ring_size() - bytes of a ring of @capacity (a power of two) */
size_t kheap_ring_size(unsigned int capacity);
/*
 * kheap_ring_init() - make kheap_ring_size(@capacity) bytes at @ring, best
 * SMP_CACHE_BYTES aligned, an empty ring; nobody else may use it yet.
 */
void kheap_ring_init(struct kheap_ring *ring, unsigned int capacity);

/*
 * heap.c, for pool names too: 1..KHEAP_NAME_MAX printable characters, no
 * '/' or whitespace.
 */
bool kheap_name_valid(const char *name);

#endif /* _KHEAP_INTERNAL_H */
