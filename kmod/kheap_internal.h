/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kheap: definitions shared by the module's files, not part of the API.
 */
#ifndef _KHEAP_INTERNAL_H
#define _KHEAP_INTERNAL_H

#include <linux/fault-inject.h>
#include <linux/jiffies.h>
#include <linux/list.h>
#include <linux/llist.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/percpu.h>
#include <linux/rcupdate.h>
#include <linux/seqlock.h>
#include <linux/spinlock.h>
#include <linux/workqueue.h>

#include <kheap/kheap.h>

#include "kheap_kunit.h"

struct dentry;
struct seq_file;

/*
 * A hierarchy walk's mark on a heap (hier.c): one per CPU and per context
 * level (task, softirq, hardirq, NMI), so walks need no shared lock.
 */
#define KHEAP_WALK_LEVELS 4
struct kheap_walk_slot {
	u64 gen; /* the last walk of this CPU and level that visited */
	struct kheap *next; /* that walk's stack link */
};

/*
 * The context levels a heap has a shard for on each CPU: task, softirq,
 * hardirq (kheap_level()). On PREEMPT_RT softirqs run in tasks: two levels.
 * NMI is not a context kheap serves (kmalloc() does not either).
 */
#define KHEAP_LEVELS 3
/* A header's @cpu names its shard: the CPU, and the level above this bit. */
#define KHEAP_SHARD_LVL_SHIFT 14
static_assert(CONFIG_NR_CPUS <= (1 << KHEAP_SHARD_LVL_SHIFT));

/* The shard lock's word when held (0: free). */
#define KHEAP_SHARD_LOCKED 1

/*
 * One CPU's and one context level's part of a heap. Blocks allocated on a
 * CPU at a level live on that shard until freed or re-parented. @lock
 * protects @live, @bytes, @count, @hw, @pend and the id range, for one block or
 * one reader's batch of KHEAP_BATCH blocks, never longer; only the
 * contexts of the shard's own CPU and the lockers (kheap_lockers_enter())
 * ever take it, and the owner's contexts take it with a plain store while
 * no locker is about (kheap_shard_own()). The rules are at
 * kheap_shard_lock().
 * A free from any other CPU, or from a context above the shard's level
 * that found the lock held, claims its block without the lock, counted in
 * @claimers meanwhile (kheap_claim_nested(): nobody releases a claimed
 * block's memory while it is not zero; those who wait for it to be count
 * themselves in @waiters, and no free from another CPU starts a claim
 * while one waits: kheap_claimers_wait()), counts it off in @rbytes and
 * @rcount, and queues it on @deferred, for the lock's next holder to
 * unlink and release (kheap_defer()); the holder keeps them on @pend until
 * KHEAP_RELEASE_BATCH are there.
 * Readers of the counts take no lock: @bytes and @count less @rbytes and
 * @rcount (READ_ONCE; the holder writes them with WRITE_ONCE). @hw is a
 * mark at or above @bytes: raised when @bytes pass it, lowered towards
 * them only when it keeps the heap's peak from skipping its sum
 * (kheap_lower_hw()); only @lock's holder reads it.
 */
struct kheap_shard {
	/* Written by the owner (and lockers): */
	atomic_t lock;
	struct list_head live;
	long bytes;
	long count;
	long hw;
	u64 next_id; /* next id of this shard's range */
	u64 end_id; /* end (exclusive) of that range */
	unsigned int id_gen; /* heap->id_gen when the range was taken */
	unsigned int npend; /* blocks on @pend */
	struct llist_node *pend; /* unlinked, waiting for a batch's release */
	unsigned long owner_waits; /* kheap_shard_own_wait()s */
	/* Written by frees of other CPUs, on lines of their own: */
	atomic_t claimers ____cacheline_aligned_in_smp;
	atomic_t waiters; /* waiting for @claimers to be 0 */
	atomic_long_t rbytes; /* bytes of the blocks queued, not yet folded */
	atomic_long_t rcount; /* and their count */
	struct llist_head deferred ____cacheline_aligned_in_smp;
};

/* One CPU's part of a heap: a shard per level, and the walks' marks. */
struct kheap_pcpu {
	struct kheap_shard lvl[KHEAP_LEVELS];
	struct kheap_walk_slot walk[KHEAP_WALK_LEVELS];
};

/* Blocks a reader or mover handles per lock hold (snapshot.c). */
#define KHEAP_BATCH 16
/* Queued blocks a shard's holder unlinks per lock hold, at most. */
#define KHEAP_COLLECT 32
/*
 * Unlinked queued blocks released at once: the claimers' count, which
 * frees on other CPUs write, is read once a batch (kheap_shard_collect()).
 */
#define KHEAP_RELEASE_BATCH 8

/**
 * struct kheap - a named memory category
 * @name:	its name, unique among heaps
 * @pcpu:	per-CPU shards (live lists and counters) and walk marks
 * @peak:	high-water mark of the sum of the shards' bytes
 * @hw_sum:	sum of the shards' @hw: a bound on the sum of their bytes that
 *		changes only when a shard passes its mark, or lowers it after
 *		a sum found no new peak (track.c)
 * @overruns:	blocks freed with a damaged canary
 * @next_id:	start of the next id range handed to a shard
 * @id_gen:	bumped by kheap_bookmark() to retire every shard's id range
 * @stacks:	record each new block's stack (kheap_set_stacks()); read once
 *		per allocation, next to @pcpu
 * @reporter:	attached reporter or NULL (RCU)
 * @node:	on kheap_heaps, under kheap_lock
 * @edges:	out-edges (struct kheap_edge), RCU list written under kheap_lock
 * @dir:	its debugfs directory
 * @owner:	the module that created it, NULL for none or once it unloaded;
 *		under kheap_lock
 * @left_by:	the name of the module that unloaded leaving it alive, or ""
 * @rcu:	frees it after a grace period (walkers and frees hold RCU)
 * @hw_rebase:	lowers every shard's mark, as a locker, when the bound stays
 *		above the peak because of shards whose owners are idle
 * @hw_rebase_next: jiffies before which @hw_rebase does not run again
 */
struct kheap {
	char name[KHEAP_NAME_MAX + 1];
	struct kheap_pcpu __percpu *pcpu;
	atomic_long_t peak;
	atomic_long_t hw_sum;
	atomic_long_t overruns;
	atomic64_t next_id;
	atomic_t id_gen;
	bool stacks;
	const struct kheap_reporter __rcu *reporter;
	struct list_head node;
	struct list_head edges;
	struct dentry *dir;
	struct module *owner;
	char left_by[MODULE_NAME_LEN];
	struct rcu_head rcu;
	/* Off the allocations' lines: */
	struct delayed_work hw_rebase;
	unsigned long hw_rebase_next;
};

/* A one-way edge of the hierarchy graph, on its source heap's @edges. */
struct kheap_edge {
	struct list_head node;
	struct kheap *to;
	struct rcu_head rcu;
};

/* The canary after every tracked block's data (track.c). */
#define KHEAP_CANARY_SIZE sizeof(u64)
#define KHEAP_CANARY 0x5a17c0dedeadbea7ULL

/* The canary of a block whose header's check is @check. */
static __always_inline u64 kheap_canary(u32 check)
{
	return KHEAP_CANARY ^ check;
}

/*
 * The header in front of every tracked block, 56 bytes, so that a 64-byte
 * request with its header and canary fits kmalloc-128. @check is last, so it
 * sits right before the user pointer: a keyed mix (a secret drawn at load)
 * of the header's address and every other field but @node, @caller and
 * @stamp, so that a pointer kheap did not hand out, a pointer into a block,
 * a block already freed (its @check is then the freed value) or a forged
 * header fails the check.
 */
struct kheap_hdr {
	struct list_head node;
	struct kheap *heap;
	u64 id;
	unsigned long caller;
	u32 stamp; /* jiffies at allocation, low 32 bits */
	u32 size;
	u16 cpu; /* the shard it lives on */
	u16 offset; /* header minus the kmalloc'd base, KHEAP_OFF_* flags */
	u32 check;
};

/* Header and canary: what a block costs on top of its request. */
#define KHEAP_OVERHEAD (sizeof(struct kheap_hdr) + KHEAP_CANARY_SIZE)

/* A freed header's check: its live check with these bits flipped. */
#define KHEAP_FREED 0x6b667265U /* "kfre" */

/* A header kheap_reparent() rewrites has its live check xor this. */
#define KHEAP_MOVING 0x6b6d6f76U /* "kmov" */

/* @offset: the block was allocated at a block cache class's full size. */
#define KHEAP_OFF_CLASS 0x8000
/*
 * @offset: the block has a header extension, the u64 right before the
 * header: its allocation stack's depot handle (low 32 bits; the high ones
 * are 0), for heaps with stacks on (kheap_set_stacks()). Such blocks are
 * never class-sized (never cached); the check covers the extension.
 */
#define KHEAP_OFF_STACK 0x4000
#define KHEAP_OFF_MASK 0x3fff
#define KHEAP_EXT_SIZE sizeof(u64)

/*
 * A reader's place in a shard's @live list (track.c): a list entry whose
 * @null sits where a header's @heap does, and is NULL, which no header's is.
 */
struct kheap_cursor {
	struct list_head node;
	void *null;
};

/* A snapshot of live blocks, taken under the shard locks, sorted by id. */
struct kheap_snap {
	size_t n;
	size_t cap;
	struct kheap_alloc_info v[];
};

extern struct mutex kheap_lock;
extern struct list_head kheap_heaps;
extern struct kheap *kheap_default_heap;
extern atomic_long_t kheap_invalid_frees_count;

/* "NULL means the default heap", said once. */
static inline struct kheap *kheap_resolve(const struct kheap *heap)
{
	return heap ? (struct kheap *)heap : kheap_default_heap;
}

/* Nanoseconds since boot, to the tick: the clock of @time_ns. */
static inline u64 kheap_now_ns(void)
{
	return jiffies64_to_nsecs(get_jiffies_64() - INITIAL_JIFFIES);
}

/* heap.c */
extern struct notifier_block kheap_module_nb;
int kheap_heaps_init(void);
void kheap_heaps_exit(void);

/* track.c */
void kheap_hw_rebase_fn(struct work_struct *work);
void kheap_shard_lock_wait(struct kheap_shard *shard);
void kheap_shard_own_wait(struct kheap_shard *shard);
void kheap_claimers_wait_slow(struct kheap_shard *shard);
struct llist_node *kheap_shard_drain(struct kheap_shard *shard, bool reclaim);
void kheap_shard_release_deferred(struct kheap_shard *shard);
void kheap_drain_deferred_cpu(int cpu, bool here);
void kheap_shard_drain_all(struct kheap_shard *shard, int cpu);
/* Blocks queued on shards (kheap_defer()) and not yet released. */
long kheap_deferred_pending(void);

/*
 * The context level of the caller: 0 task, 1 softirq, 2 hardirq (an NMI
 * counts as hardirq; kheap does not serve it). On PREEMPT_RT softirqs run
 * in preemptible tasks: they count as tasks.
 */
static __always_inline unsigned int kheap_level(void)
{
	unsigned int lvl;

	/* A task: one test of the preemption count. */
	if (likely(in_task()))
		return 0;
	lvl = interrupt_context_level();

	if (IS_ENABLED(CONFIG_PREEMPT_RT) && lvl == 1)
		return 0;
	return min(lvl, 2U);
}

/* The shard a header's @cpu names, in @heap. */
static __always_inline struct kheap_shard *kheap_shard_at(struct kheap *heap,
							  unsigned int idx)
{
	unsigned int cpu = idx & ((1 << KHEAP_SHARD_LVL_SHIFT) - 1);

	return &per_cpu_ptr(heap->pcpu, cpu)->lvl[idx >> KHEAP_SHARD_LVL_SHIFT];
}

/* The shard of this CPU at level @lvl, and its index. */
static __always_inline struct kheap_shard *kheap_shard_here(struct kheap *heap,
							    unsigned int lvl)
{
	return &this_cpu_ptr(heap->pcpu)->lvl[lvl];
}

static __always_inline u16 kheap_shard_idx(unsigned int lvl)
{
	return smp_processor_id() | lvl << KHEAP_SHARD_LVL_SHIFT;
}

/*
 * The shard lock: a word, 0 when free, held for one block or one batch.
 * It is not an interrupts-off lock. Its holder masks the context levels up
 * to the shard's own: a task shard is held with preemption off; a softirq
 * or hardirq shard with interrupts off, or from a context at or above its
 * level; lockers hold any shard with interrupts off. A holder waits for no
 * other lock while holding, but kheap_reparent(), which takes two in a
 * fixed order.
 *
 * Who takes it: only the contexts of the shard's own CPU (its owner), and
 * the lockers: process-context readers and movers registered with
 * kheap_lockers_enter(). While there is no locker (@kheap_lock_mode 0),
 * nobody on another CPU touches the word, and the owner takes it with a
 * plain store (kheap_shard_own()): a locked instruction less per
 * allocation and per free. The contexts of the owner's CPU that could
 * interrupt the holder still see the store (program order) and only try
 * the lock. A locker sets the mode and waits for a grace period before its
 * first lock: every owner's section is an RCU reader (preemption or
 * interrupts off), so by then every section that saw mode 0 has ended,
 * and every later one takes the lock with an atomic.
 *
 * Who may wait for a shard's lock: a context at the shard's level or below
 * it, on the shard's CPU, and a locker. A context above it (an interrupt
 * freeing a block of a task shard) may have interrupted the holder on its
 * own CPU: it only tries the lock, and when it is held, claims the block
 * without it and queues it on @deferred (kheap_claim_nested()); so does
 * every free on another CPU. By induction from the top level down, every
 * holder is interrupted only by contexts that wait for higher shards, so
 * every wait ends.
 *
 * Inline: a raw spinlock's out-of-line lock and unlock calls were a good
 * part of the tracked path's cost, and a raw spinlock is an
 * interrupts-off lock. Lockdep does not see it; the KUnit suites (other
 * CPUs and hard interrupts on every shard) do.
 */
static __always_inline void kheap_shard_lock(struct kheap_shard *shard)
{
	int free = 0;

	/* Pairs with the release in kheap_shard_unlock(). */
	if (unlikely(!atomic_try_cmpxchg_acquire(&shard->lock, &free,
						 KHEAP_SHARD_LOCKED)))
		kheap_shard_lock_wait(shard);
}

static __always_inline bool kheap_shard_trylock(struct kheap_shard *shard)
{
	int free = 0;

	/* Pairs with the release in kheap_shard_unlock(). */
	return atomic_try_cmpxchg_acquire(&shard->lock, &free,
					  KHEAP_SHARD_LOCKED);
}

/*
 * Wait until no free claims a block of @shard without its lock, before
 * releasing the memory of a block we claimed (or moving one). A full
 * barrier separates our claim from this read (the claim's
 * compare-and-exchange, or the drain's exchange of the lock): it pairs
 * with the one in kheap_claim_nested() between its count and its second
 * look at the header. So either that look saw our claim and it does not
 * touch the block, or we see it counted and wait.
 *
 * The wait is bounded: claimers count themselves with interrupts off and
 * never wait while counted (but kheap's test hook, a bounded while), and
 * while a waiter is counted in @waiters, with interrupts off, no free on
 * another CPU starts a claim (kheap_claim_nested()). So it waits for the
 * claims already counted, not for a stream of claims from other CPUs; and
 * no one counted, claimer or waiter, waits for a claim that waits for it.
 */
static __always_inline void kheap_claimers_wait(struct kheap_shard *shard)
{
	if (unlikely(atomic_read(&shard->claimers)))
		kheap_claimers_wait_slow(shard);
}

/* Lockers about: owners take their shards' locks with an atomic. */
extern atomic_t kheap_lock_mode;

/*
 * Take the lock of a shard of this CPU, at or below the caller's level
 * (the levels up to the shard's masked, kheap_shard_lock()). With no
 * locker about, no one else can hold it (a context we could interrupt has
 * masked us), and no other CPU looks at it: a plain store.
 */
static __always_inline void kheap_shard_own(struct kheap_shard *shard)
{
	/*
	 * Pairs with the release in kheap_lockers_exit(): a locker's last
	 * unlock is visible before its mode 0 is. A mode going to 1 after
	 * this read is covered by the locker's grace period.
	 */
	if (likely(!atomic_read_acquire(&kheap_lock_mode))) {
		atomic_set(&shard->lock, KHEAP_SHARD_LOCKED);
		/* Interrupts of this CPU see the store before any write. */
		barrier();
		return;
	}
	if (unlikely(!kheap_shard_trylock(shard)))
		kheap_shard_own_wait(shard);
}

struct llist_node *kheap_shard_collect(struct kheap_shard *shard);

/*
 * Unlink up to KHEAP_COLLECT blocks frees queued on the shard, then
 * release the lock.
 * A free that queues a block while we hold the lock may go unseen by this
 * look, and its block, claimed and counted off already, then waits for
 * the shard's next holder (kheap_defer()). Returns the unlinked blocks:
 * the caller releases them (kheap_release_queued()) once its interrupts
 * and preemption are back on, and never at all if none.
 */
static __always_inline struct llist_node *
kheap_shard_unlock(struct kheap_shard *shard)
{
	struct llist_node *n = NULL;

	if (unlikely(!llist_empty(&shard->deferred)))
		n = kheap_shard_collect(shard);
	/* Pairs with the acquire in kheap_shard_lock() and _trylock(). */
	atomic_set_release(&shard->lock, 0);
	return n;
}

void kheap_release_queued(struct llist_node *n);

/* Readers and movers of other CPUs' shards: process context, may sleep. */
void kheap_lockers_enter(void);
void kheap_lockers_exit(void);

extern seqcount_t kheap_move_seq;
extern u64 kheap_secret;

/* The mix of kheap_check_of() before its extension step. */
static __always_inline u64 kheap_check_mix(const struct kheap_hdr *hdr,
					   const struct kheap *heap, u64 id,
					   u32 size, u16 cpu, u16 offset)
{
	u64 x = kheap_secret ^ (unsigned long)hdr;

	x = (x ^ (unsigned long)heap) * 0x9e3779b97f4a7c15ULL;
	x = (x ^ id) * 0xbf58476d1ce4e5b9ULL;
	return (x ^ ((u64)size << 32 | (u32)cpu << 16 | offset)) *
	       0x94d049bb133111ebULL;
}

/* The mix of a header with an extension (KHEAP_OFF_STACK): one more step. */
static __always_inline u64 kheap_check_mix_ext(u64 x, u64 ext)
{
	return (x ^ ext) * 0xd6e8feb86659fd93ULL;
}

/**
 * kheap_check_of() - the live check value of a header
 * @hdr:	where the header is
 * @heap:	its heap
 * @id:		its id
 * @size:	its size
 * @cpu:	its shard
 * @offset:	its offset and flags
 * @ext:	its extension word when @offset has KHEAP_OFF_STACK (else
 *		not read)
 *
 * A multiply-xor mix keyed with a secret drawn at load: without the secret,
 * a header cannot be forged, nor a field changed (the extension's
 * included), with more than a 2^-32 chance of passing. A header without an
 * extension costs one predictable branch more than before extensions.
 *
 * Return: the check.
 */
static __always_inline u32 kheap_check_of(const struct kheap_hdr *hdr,
					  const struct kheap *heap, u64 id,
					  u32 size, u16 cpu, u16 offset,
					  u64 ext)
{
	u64 x = kheap_check_mix(hdr, heap, id, size, cpu, offset);

	if (unlikely(offset & KHEAP_OFF_STACK))
		x = kheap_check_mix_ext(x, ext);
	return x >> 32;
}

/* The extension word of a header kheap vouches for (0 without one). */
static __always_inline u64 kheap_hdr_ext(const struct kheap_hdr *hdr)
{
	if (likely(!(hdr->offset & KHEAP_OFF_STACK)))
		return 0;
	return *((const u64 *)hdr - 1);
}

/* The live check of a header kheap vouches for, with @heap and @id. */
static __always_inline u32 kheap_hdr_check(const struct kheap_hdr *hdr,
					   const struct kheap *heap, u64 id)
{
	return kheap_check_of(hdr, heap, id, hdr->size, hdr->cpu, hdr->offset,
			      kheap_hdr_ext(hdr));
}

long kheap_sum_bytes(const struct kheap *heap);
long kheap_sum_count(const struct kheap *heap);
void __kheap_raise_hw(struct kheap *heap, struct kheap_shard *shard);

/* A shard's bytes grew (its lock held): past its mark, __kheap_raise_hw(). */
static __always_inline void kheap_raise_hw(struct kheap *heap,
					   struct kheap_shard *shard)
{
	if (unlikely(shard->bytes > shard->hw))
		__kheap_raise_hw(heap, shard);
}

void __kheap_update_peak(struct kheap *heap);

/*
 * Raise heap->peak to the sum of the shards' bytes if that is higher. The
 * sum is at most hw_sum, so while hw_sum <= peak it cannot be higher and
 * the shards are not read: the common case reads two words that change
 * only at a new high, not every CPU's busy shard.
 */
static __always_inline void kheap_update_peak(struct kheap *heap)
{
	long peak = atomic_long_read(&heap->peak);

	/* The peak first, then the bound, as kheap_raise_hw() explains. */
	if (atomic_long_read(&heap->hw_sum) > peak)
		__kheap_update_peak(heap);
}

u64 kheap_stamp_ns(u32 stamp);
void kheap_fill_info(const struct kheap_hdr *hdr,
		     struct kheap_alloc_info *info);

/*
 * A block's record from the header at @hdr, whose words @words has (the
 * header itself, or a copy a reader took) and @ext its extension word: the
 * time still the jiffies stamp (kheap_stamp_ns() converts it). Loads and
 * stores only.
 */
static __always_inline void kheap_info_of(const struct kheap_hdr *hdr,
					  const struct kheap_hdr *words,
					  u64 ext,
					  struct kheap_alloc_info *info)
{
	info->heap = words->heap;
	info->ptr = (void *)(hdr + 1);
	info->size = words->size;
	info->id = words->id;
	info->caller = words->caller;
	info->time_ns = words->stamp;
	info->stack = (u32)ext;
}

/*
 * A block's record as its header has it, for readers holding a shard's
 * lock. @hdr is a block's own header (its extension is read), never a
 * copy.
 */
static __always_inline void kheap_copy_info(const struct kheap_hdr *hdr,
					    struct kheap_alloc_info *info)
{
	kheap_info_of(hdr, hdr, kheap_hdr_ext(hdr), info);
}

/*
 * A header's two packed words into @copy: @stamp with @size, and @cpu with
 * @offset and @check (read as u64s by readers that may meet freed memory).
 */
static __always_inline void kheap_hdr_unpack(struct kheap_hdr *copy,
					     u64 stamp_size, u64 cpu_check)
{
	copy->stamp = (u32)stamp_size;
	copy->size = stamp_size >> 32;
	copy->cpu = (u16)cpu_check;
	copy->offset = (u16)(cpu_check >> 16);
	copy->check = cpu_check >> 32;
}

void __init kheap_track_init(void);
void kheap_track_exit(void);

/* snapshot.c: readers and movers of the live lists, in bounded batches */
struct kheap_snap *kheap_snapshot(struct kheap *heap, u64 from, u64 to);
extern atomic_long_t kheap_snap_grows;
void kheap_reparent(struct kheap *heap, struct kheap *to);
void kheap_report_leaks(struct kheap *heap);

/* walk.c: a reader's pass over a shard's list without its lock */
int kheap_walk_shard(struct kheap *heap, int cpu, unsigned int lvl,
		     struct kheap_snap *snap, u64 from, u64 to);

/* cache.c: the per-CPU cache of freed blocks */
#define KHEAP_CACHE_CLASSES 9
#define KHEAP_CACHE_MAX 4096 /* the largest class, header and canary in */
/* A class holds at most this many blocks, and at most this many bytes. */
#define KHEAP_CACHE_DEPTH 256
#define KHEAP_CACHE_BIN_BYTES (32 << 10)
/* The slots of all classes: KHEAP_CACHE_BIN_BYTES / size, capped. */
#define KHEAP_CACHE_SLOTS (3 * 256 + 170 + 128 + 64 + 32 + 16 + 8)

/**
 * struct kheap_cache - one CPU's cache
 * @n:		blocks cached per class
 * @drain:	flushes it on its CPU
 * @slot:	a stack per class, class @cls's at kheap_cache_first[@cls]
 */
struct kheap_cache {
	unsigned int n[KHEAP_CACHE_CLASSES];
	struct work_struct drain;
	void *slot[KHEAP_CACHE_SLOTS];
};

extern struct kheap_cache __percpu *kheap_caches;
extern bool kheap_cache_on;
extern const u16 kheap_cache_size[KHEAP_CACHE_CLASSES];
extern u16 kheap_cache_first[KHEAP_CACHE_CLASSES];
extern u16 kheap_cache_depth[KHEAP_CACHE_CLASSES];

/*
 * Take a cached block of class @cls, or NULL. Only tasks use the cache,
 * with preemption off: only this CPU's current task touches its cache (an
 * interrupt never does).
 */
static __always_inline void *kheap_cache_pop(unsigned int cls)
{
	struct kheap_cache *c = this_cpu_ptr(kheap_caches);
	unsigned int n = c->n[cls];

	lockdep_assert_preemption_disabled();
	if (!n)
		return NULL;
	/* WRITE_ONCE: kheap_cache_count() reads it from other CPUs. */
	WRITE_ONCE(c->n[cls], n - 1);
	return c->slot[kheap_cache_first[cls] + n - 1];
}

/* Keep @base, a freed block of class @cls; false when its stack is full. */
static __always_inline bool kheap_cache_push(void *base, unsigned int cls)
{
	struct kheap_cache *c = this_cpu_ptr(kheap_caches);
	unsigned int n = c->n[cls];

	lockdep_assert_preemption_disabled();
	if (n == kheap_cache_depth[cls])
		return false;
	c->slot[kheap_cache_first[cls] + n] = base;
	WRITE_ONCE(c->n[cls], n + 1);
	return true;
}

int kheap_cache_alloc(void);
void kheap_cache_free(void);
int kheap_cache_init(void);
void kheap_cache_exit(void);
void kheap_cache_drain_all(void);
void kheap_cache_show(struct seq_file *m); /* debugfs cache, v2 */

/* Every class size is a multiple of this: kheap_cache_class_of32[]. */
#define KHEAP_CACHE_STEP 32
extern const u8 kheap_cache_class_of32[KHEAP_CACHE_MAX / KHEAP_CACHE_STEP];

/*
 * The cache class of a block of @total bytes (header and canary in), at
 * most KHEAP_CACHE_MAX: one load.
 */
static __always_inline unsigned int kheap_cache_class(size_t total)
{
	return kheap_cache_class_of32[(total - 1) / KHEAP_CACHE_STEP];
}

/* stacks.c: allocation stacks in the stack depot (kheap_set_stacks()) */
u32 kheap_stack_save(gfp_t gfp, unsigned long ret_ip);
unsigned int kheap_stack_fetch(u32 stack, unsigned long **entries);

/* hier.c */
void kheap_hier_sum(struct kheap *heap, size_t *bytes, size_t *count);
void kheap_edges_remove_locked(struct kheap *heap);
struct kheap *kheap_edge_next_locked(struct kheap *heap,
				     struct kheap_edge **cursor);

/* reporter.c */
void kheap_sym(char *buf, unsigned long caller);
void kheap_format_info(struct seq_file *m, const char *prefix,
		       const struct kheap_alloc_info *info);
void kheap_notify_alloc(struct kheap *heap,
			const struct kheap_alloc_info *info);
void kheap_notify_free(struct kheap *heap, const struct kheap_alloc_info *info);
void kheap_notify_report(struct kheap *heap,
			 const struct kheap_alloc_info *info);
void kheap_detach_reporters(void);
bool kheap_detach_reporter_of_locked(struct kheap *heap, struct module *mod);

/* Is a reporter attached? Only a hint: the callers look again under RCU. */
static __always_inline bool kheap_has_reporter(const struct kheap *heap)
{
	return rcu_access_pointer(heap->reporter);
}

/* fault.c: the fail_alloc fault point, only with CONFIG_FAULT_INJECTION */
#ifdef CONFIG_FAULT_INJECTION
extern struct fault_attr kheap_fail_alloc;
bool __kheap_should_fail(size_t size, gfp_t gfp);

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
#endif

/* debugfs.c: every file of /sys/kernel/debug/kheap/, grammar v2 */
void kheap_debugfs_init(void);
void kheap_debugfs_exit(void);
void kheap_debugfs_heap_add(struct kheap *heap);
void kheap_debugfs_heap_remove(struct kheap *heap);
void kheap_seq_name(struct seq_file *m, const char *name);
/* pool.c: the tables of debugfs pools */
void kheap_pools_show(struct seq_file *m);

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
 * '/' or whitespace, not "." or "..".
 */
bool kheap_name_valid(const char *name);

#endif /* _KHEAP_INTERNAL_H */
