// SPDX-License-Identifier: GPL-2.0
/*
 * kheap tracking: the tracked allocation and free paths.
 *
 * A block is one kmalloc() area: [padding][struct kheap_hdr][user data][canary].
 * The header sits right before the user pointer, which is aligned as asked.
 *
 * Fast path: one interrupts-off section per call, with no helper call in
 * it. Allocation: a block of the request's size class comes from this CPU's
 * cache of freed blocks (cache.c) or, before that section, from kmalloc();
 * its header is filled and it goes on this CPU's shard of the heap under
 * the shard's lock. Free: the header is read with extable-protected loads
 * (a foreign pointer cannot fault us), checked, checked again under the lock
 * of the shard it names and marked freed there (so of two frees of one
 * block exactly one wins), unlinked, and the block goes back to the cache,
 * or to kfree() once interrupts are back on. No lock is shared between
 * CPUs; a free locks another CPU's shard only for a block allocated there.
 *
 * The interrupts-off sections are also the RCU readers that keep a heap
 * alive (kheap_destroy() frees it after a grace period); reporters are
 * called under rcu_read_lock().
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/export.h>
#include <linux/kallsyms.h>
#include <linux/kfence.h>
#include <linux/mm.h>
#include <linux/overflow.h>
#include <linux/random.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <trace/events/kmem.h>

#include "kheap_internal.h"

#define KHEAP_MIN_ALIGN ARCH_KMALLOC_MINALIGN
#define KHEAP_CANARY 0x5a17c0dedeadbea7ULL
/* A freed header's check: its live check with these bits flipped. */
#define KHEAP_FREED 0x6b667265U /* "kfre" */
/* Ids a shard takes at once from its heap (see kheap_bookmark()). */
#define KHEAP_ID_RANGE 1024
/* Header and canary: what a block costs on top of its request. */
#define KHEAP_OVERHEAD (sizeof(struct kheap_hdr) + KHEAP_CANARY_SIZE)
/* The largest request the cache classes take. */
#define KHEAP_SMALL_MAX (KHEAP_CACHE_MAX - KHEAP_OVERHEAD)
/* Never cached: memcg-charged, DMA zones, reclaimable caches. */
#define KHEAP_NOCACHE_GFP \
	(__GFP_ACCOUNT | __GFP_DMA | __GFP_DMA32 | __GFP_RECLAIMABLE)

static_assert(sizeof(struct kheap_hdr) == 56);
static_assert(KMALLOC_MAX_SIZE <= U32_MAX);
static_assert(!((PAGE_SIZE - 1) & ~KHEAP_OFF_MASK));
/* kheap_hdr_peek() reads stamp and size, and cpu, offset and check, as u64s. */
static_assert(offsetof(struct kheap_hdr, size) ==
	      offsetof(struct kheap_hdr, stamp) + 4);
static_assert(offsetof(struct kheap_hdr, offset) ==
	      offsetof(struct kheap_hdr, cpu) + 2);
static_assert(offsetof(struct kheap_hdr, check) ==
	      offsetof(struct kheap_hdr, cpu) + 4);
static_assert(!IS_ENABLED(CONFIG_CPU_BIG_ENDIAN));

/* Why a header failed its check. */
enum kheap_verdict {
	KHEAP_OWNED, /* live (a lookup), or claimed and off its list (a free) */
	KHEAP_FOREIGN, /* not a block kheap handed out */
	KHEAP_FREED_TWICE, /* a block already freed */
};

atomic_long_t kheap_invalid_frees_count;
/* Bumped around every header kheap_reparent() rewrites (snapshot.c). */
seqcount_t kheap_move_seq = SEQCNT_ZERO(kheap_move_seq);
/* The key of every header's check, drawn at load. */
u64 kheap_secret __ro_after_init;

/* The shard lock was held: wait for it, then take it (interrupts off). */
void kheap_shard_lock_wait(struct kheap_shard *shard)
{
	int free;

	do {
		while (atomic_read(&shard->lock))
			cpu_relax();
		free = 0;
		/* Pairs with the release in kheap_shard_unlock(). */
	} while (!atomic_try_cmpxchg_acquire(&shard->lock, &free, 1));
}

void __init kheap_track_init(void)
{
	kheap_secret = get_random_u64();
}

static __always_inline u32 kheap_check(const struct kheap_hdr *hdr)
{
	return kheap_check_of(hdr, hdr->heap, hdr->id, hdr->size, hdr->cpu,
			      hdr->offset);
}

static __always_inline u64 kheap_canary(u32 check)
{
	return KHEAP_CANARY ^ check;
}

static inline struct kheap_hdr *kheap_hdr_of(const void *ptr)
{
	return (struct kheap_hdr *)ptr - 1;
}

static inline void *kheap_ptr_of(const struct kheap_hdr *hdr)
{
	return (void *)(hdr + 1);
}

static inline void *kheap_base_of(const struct kheap_hdr *hdr)
{
	return (void *)hdr - (hdr->offset & KHEAP_OFF_MASK);
}

/*
 * The sums below race with allocations and frees on every CPU by design:
 * each shard's counter is written under its lock with WRITE_ONCE(), and
 * read here without it with READ_ONCE(), one untorn word at a time. The
 * sum is a snapshot, exact when nothing is in flight.
 * flight.
 */
long kheap_sum_bytes(const struct kheap *heap)
{
	long sum = 0;
	int cpu;

	for_each_possible_cpu(cpu)
		sum += READ_ONCE(per_cpu_ptr(heap->shards, cpu)->bytes);
	return sum;
}

long kheap_sum_count(const struct kheap *heap)
{
	long sum = 0;
	int cpu;

	for_each_possible_cpu(cpu)
		sum += READ_ONCE(per_cpu_ptr(heap->shards, cpu)->count);
	return sum;
}

/*
 * A shard's bytes grew (its lock held): raise its high-water mark and the
 * heap's sum of them. That sum bounds the heap's bytes: every shard's bytes
 * are at most its @hw, which never falls.
 */
void kheap_raise_hw(struct kheap *heap, struct kheap_shard *shard)
{
	long delta = shard->bytes - shard->hw;

	if (delta <= 0)
		return;
	shard->hw = shard->bytes;
	/*
	 * Fully ordered: the kheap_update_peak() that follows reads hw_sum
	 * and the shards after it. A CPU that reads hw_sum before this add
	 * (and skips the sum) is covered by our own kheap_update_peak().
	 */
	atomic_long_add_return(delta, &heap->hw_sum);
}

/* The peak may be below the shards' sum (kheap_update_peak()): raise it. */
void __kheap_update_peak(struct kheap *heap)
{
	long total, old = atomic_long_read(&heap->peak);

	total = kheap_sum_bytes(heap);
	while (total > old &&
	       !atomic_long_try_cmpxchg(&heap->peak, &old, total))
		;
}

/*
 * Take the shard's next id, its lock held. A shard owns a range of
 * KHEAP_ID_RANGE ids; it takes a new one when the range is used up or when
 * a bookmark has retired every range since (heap->id_gen moved).
 */
static u64 kheap_next_id(struct kheap *heap, struct kheap_shard *shard)
{
	/* Pairs with the atomic_inc_return() in kheap_bookmark(). */
	unsigned int gen = atomic_read_acquire(&heap->id_gen);

	if (unlikely(shard->next_id == shard->end_id || shard->id_gen != gen)) {
		shard->next_id =
			atomic64_fetch_add(KHEAP_ID_RANGE, &heap->next_id);
		shard->end_id = shard->next_id + KHEAP_ID_RANGE;
		shard->id_gen = gen;
	}
	return shard->next_id++;
}

/*
 * The time of a block: nanoseconds since boot, to the tick, from the low 32
 * bits of jiffies it kept. Wrap-safe for blocks younger than 2^32 ticks.
 */
static u64 kheap_stamp_ns(u32 stamp)
{
	u64 now = get_jiffies_64();

	return jiffies64_to_nsecs(now - (u32)((u32)now - stamp) -
				  INITIAL_JIFFIES);
}

void kheap_fill_info(const struct kheap_hdr *hdr, struct kheap_alloc_info *info)
{
	info->heap = hdr->heap;
	info->ptr = kheap_ptr_of(hdr);
	info->size = hdr->size;
	info->id = hdr->id;
	info->caller = hdr->caller;
	info->time_ns = kheap_stamp_ns(hdr->stamp);
}

/*
 * Fill a new block's header and put it on this CPU's shard of @heap, with
 * interrupts off. Returns the user pointer.
 */
static __always_inline void *kheap_track(struct kheap *heap, void *base,
					 u16 offset, size_t size,
					 unsigned long caller)
{
	struct kheap_hdr *hdr = base + (offset & KHEAP_OFF_MASK);
	struct kheap_shard *shard = this_cpu_ptr(heap->shards);

	hdr->heap = heap;
	hdr->caller = caller;
	hdr->stamp = (u32)jiffies;
	hdr->size = size;
	hdr->cpu = smp_processor_id();
	hdr->offset = offset;
	kheap_shard_lock(shard);
	hdr->id = kheap_next_id(heap, shard);
	hdr->check = kheap_check(hdr);
	list_add_tail(&hdr->node, &shard->live);
	WRITE_ONCE(shard->bytes, shard->bytes + size);
	WRITE_ONCE(shard->count, shard->count + 1);
	kheap_raise_hw(heap, shard);
	kheap_shard_unlock(shard);
	put_unaligned(kheap_canary(hdr->check),
		      (u64 *)(kheap_ptr_of(hdr) + size));
	return kheap_ptr_of(hdr);
}

/* After the interrupts-off section: the peak, the reporter. */
static __always_inline void *kheap_started(struct kheap *heap, void *ptr)
{
	kheap_update_peak(heap);
	if (unlikely(kheap_has_reporter(heap))) {
		struct kheap_alloc_info info;

		kheap_fill_info(kheap_hdr_of(ptr), &info);
		kheap_notify_alloc(heap, &info);
	}
	return ptr;
}

static __always_inline bool kheap_cacheable(gfp_t gfp)
{
	return READ_ONCE(kheap_cache_on) && !(gfp & KHEAP_NOCACHE_GFP);
}

/* A block of the cache's classes, from the cache or kmalloc(). */
static __always_inline void *kheap_alloc_small(struct kheap *heap, size_t size,
					       gfp_t gfp, unsigned long caller)
{
	size_t total = size + KHEAP_OVERHEAD;
	unsigned long flags;
	u16 offset = 0;
	void *base, *ptr;

	if (kheap_should_fail(total, gfp))
		return NULL;
	if (kheap_cacheable(gfp)) {
		unsigned int cls = kheap_cache_class(total);

		local_irq_save(flags);
		base = kheap_cache_pop(cls);
		if (base) {
			ptr = kheap_track(heap, base, KHEAP_OFF_CLASS, size,
					  caller);
			local_irq_restore(flags);
			trace_kmalloc(caller, base, total,
				      kheap_cache_size[cls], gfp, NUMA_NO_NODE);
			if (want_init_on_alloc(gfp))
				memset(ptr, 0, size);
			return kheap_started(heap, ptr);
		}
		local_irq_restore(flags);
		/* The class's full size, so any request of the class fits. */
		total = kheap_cache_size[cls];
		offset = KHEAP_OFF_CLASS;
	}
	base = kmalloc(total, gfp);
	if (unlikely(!base))
		return NULL;
	local_irq_save(flags);
	ptr = kheap_track(heap, base, offset, size, caller);
	local_irq_restore(flags);
	return kheap_started(heap, ptr);
}

/* Aligned or large blocks: straight from kmalloc(), never cached. */
static void *kheap_alloc_large(struct kheap *heap, size_t size, size_t align,
			       gfp_t gfp, unsigned long caller)
{
	unsigned long flags;
	size_t total;
	void *base, *ptr;

	if (align < KHEAP_MIN_ALIGN)
		align = KHEAP_MIN_ALIGN;
	if (!is_power_of_2(align) || align > PAGE_SIZE)
		return NULL;
	/*
	 * What kmalloc() cannot serve is refused here, quietly: past
	 * KMALLOC_MAX_SIZE the page allocator would WARN.
	 */
	if (size >
	    KMALLOC_MAX_SIZE - KHEAP_OVERHEAD - (align - KHEAP_MIN_ALIGN))
		return NULL;
	total = size + KHEAP_OVERHEAD + (align - KHEAP_MIN_ALIGN);
	if (kheap_should_fail(total, gfp))
		return NULL;
	base = kmalloc(total, gfp);
	if (unlikely(!base))
		return NULL;
	ptr = PTR_ALIGN(base + sizeof(struct kheap_hdr), align);
	local_irq_save(flags);
	ptr = kheap_track(heap, base, (void *)kheap_hdr_of(ptr) - base, size,
			  caller);
	local_irq_restore(flags);
	return kheap_started(heap, ptr);
}

/**
 * kheap_alloc_caller() - tracked allocation, with the call site given
 * @heap:	the heap; NULL means the default heap
 * @size:	bytes requested; 0 gives a valid, freeable block
 * @align:	alignment, a power of two up to PAGE_SIZE (0: kmalloc's)
 * @gfp:	allocation flags; __GFP_ZERO zeroes the block
 * @caller:	the call site to record (e.g. _RET_IP_ or _THIS_IP_)
 *
 * The other allocation calls and the sentry macros go through here.
 *
 * Context: as kmalloc() with @gfp: any context if @gfp does not sleep,
 * but on PREEMPT_RT not hardirq, nor with interrupts or preemption off.
 * Return: the block, or NULL (bad @align, @size with kheap's header and
 * canary above KMALLOC_MAX_SIZE, no memory, a failure injected by the
 * fail_alloc fault point); nothing is counted then.
 */
void *kheap_alloc_caller(struct kheap *heap, size_t size, size_t align,
			 gfp_t gfp, unsigned long caller)
{
	if (likely(align <= KHEAP_MIN_ALIGN && !(align & (align - 1)) &&
		   size <= KHEAP_SMALL_MAX))
		return kheap_alloc_small(kheap_resolve(heap), size, gfp,
					 caller);
	return kheap_alloc_large(kheap_resolve(heap), size, align, gfp, caller);
}
EXPORT_SYMBOL_GPL(kheap_alloc_caller);

/**
 * kheap_alloc() - tracked kmalloc
 * @heap: the heap; NULL means the default heap
 * @size: bytes; 0 gives a valid, trackable, freeable block
 * @gfp:  allocation flags
 *
 * Records the call site (the return address of this call; a tail call
 * records its caller's caller, as slab tracking does).
 *
 * Context: as kmalloc() with @gfp: any context if @gfp does not sleep,
 * but on PREEMPT_RT not hardirq, nor with interrupts or preemption off.
 * Return: the block, or NULL; nothing is counted then.
 */
void *kheap_alloc(struct kheap *heap, size_t size, gfp_t gfp)
{
	return kheap_alloc_caller(heap, size, 0, gfp, _RET_IP_);
}
EXPORT_SYMBOL_GPL(kheap_alloc);

/**
 * kheap_zalloc() - tracked kzalloc
 * @heap: the heap; NULL means the default heap
 * @size: bytes
 * @gfp:  allocation flags
 *
 * Context: as kmalloc() with @gfp: any context if @gfp does not sleep,
 * but on PREEMPT_RT not hardirq, nor with interrupts or preemption off.
 * Return: the zeroed block, or NULL.
 */
void *kheap_zalloc(struct kheap *heap, size_t size, gfp_t gfp)
{
	return kheap_alloc_caller(heap, size, 0, gfp | __GFP_ZERO, _RET_IP_);
}
EXPORT_SYMBOL_GPL(kheap_zalloc);

/**
 * kheap_alloc_aligned() - tracked allocation with an alignment
 * @heap:  the heap; NULL means the default heap
 * @size:  bytes
 * @align: a power of two up to PAGE_SIZE
 * @gfp:   allocation flags
 *
 * Context: as kmalloc() with @gfp: any context if @gfp does not sleep,
 * but on PREEMPT_RT not hardirq, nor with interrupts or preemption off.
 * Return: a block aligned to @align, or NULL (also for a bad @align).
 */
void *kheap_alloc_aligned(struct kheap *heap, size_t size, size_t align,
			  gfp_t gfp)
{
	if (!is_power_of_2(align) || align > PAGE_SIZE)
		return NULL;
	return kheap_alloc_caller(heap, size, align, gfp, _RET_IP_);
}
EXPORT_SYMBOL_GPL(kheap_alloc_aligned);

/**
 * kheap_alloc_array() - tracked allocation of an array
 * @heap: the heap; NULL means the default heap
 * @n:    number of elements
 * @size: bytes per element
 * @gfp:  allocation flags
 *
 * Context: as kmalloc() with @gfp: any context if @gfp does not sleep,
 * but on PREEMPT_RT not hardirq, nor with interrupts or preemption off.
 * Return: the block, or NULL (also when @n * @size overflows).
 */
void *kheap_alloc_array(struct kheap *heap, size_t n, size_t size, gfp_t gfp)
{
	size_t bytes;

	if (unlikely(check_mul_overflow(n, size, &bytes)))
		return NULL;
	return kheap_alloc_caller(heap, bytes, 0, gfp, _RET_IP_);
}
EXPORT_SYMBOL_GPL(kheap_alloc_array);

/*
 * Copy the header's words after @node with extable-protected loads: no
 * call, no fault on an unmapped address, not seen by KASAN (the memory may
 * be freed: that is what we are checking). Only addresses of the direct
 * map are read, where every kmalloc() block is.
 */
static __always_inline bool kheap_hdr_peek(const struct kheap_hdr *hdr,
					   struct kheap_hdr *copy)
{
	unsigned long a = (unsigned long)hdr;
	u64 w0, w1, w2, w3, w4;

	if (unlikely(a < PAGE_OFFSET ||
		     a + sizeof(*hdr) > (unsigned long)high_memory))
		return false;
	/*
	 * Into scalars, then the copy: gcc 12 crashes (esra) on asm goto
	 * outputs written into an aggregate, with 6.1's headers.
	 */
	__get_kernel_nofault(&w0, &hdr->heap, u64, fault);
	__get_kernel_nofault(&w1, &hdr->id, u64, fault);
	__get_kernel_nofault(&w2, &hdr->caller, u64, fault);
	__get_kernel_nofault(&w3, &hdr->stamp, u64, fault);
	__get_kernel_nofault(&w4, &hdr->cpu, u64, fault);
	copy->heap = (struct kheap *)(unsigned long)w0;
	copy->id = w1;
	copy->caller = w2;
	copy->stamp = (u32)w3;
	copy->size = w3 >> 32;
	copy->cpu = (u16)w4;
	copy->offset = (u16)(w4 >> 16);
	copy->check = w4 >> 32;
	return true;
fault:
	return false;
}

/* Read and check the header of @ptr into @copy, once. */
static __always_inline enum kheap_verdict kheap_hdr_read(const void *ptr,
							 struct kheap_hdr *copy)
{
	const struct kheap_hdr *hdr = kheap_hdr_of(ptr);
	u32 check;

	if (unlikely(!IS_ALIGNED((unsigned long)ptr, KHEAP_MIN_ALIGN) ||
		     !kheap_hdr_peek(hdr, copy)))
		return KHEAP_FOREIGN;
	if (unlikely(copy->cpu >= nr_cpu_ids || !copy->heap))
		return KHEAP_FOREIGN;
	check = kheap_check_of(hdr, copy->heap, copy->id, copy->size, copy->cpu,
			       copy->offset);
	if (likely(copy->check == check))
		return KHEAP_OWNED;
	return copy->check == (check ^ KHEAP_FREED) ? KHEAP_FREED_TWICE :
						      KHEAP_FOREIGN;
}

/*
 * Read and check the header of @ptr: KHEAP_OWNED (here: live), or why not.
 * A header kheap_reparent() is rewriting on another CPU reads torn: on a
 * failed check, read again once no rewrite is under way (the writer runs
 * with interrupts off, so it is never one we interrupted).
 */
static __always_inline enum kheap_verdict
kheap_hdr_lookup(const void *ptr, struct kheap_hdr *copy)
{
	enum kheap_verdict v = kheap_hdr_read(ptr, copy);
	unsigned int seq;

	while (unlikely(v != KHEAP_OWNED)) {
		seq = read_seqcount_begin(&kheap_move_seq);
		v = kheap_hdr_read(ptr, copy);
		if (!read_seqcount_retry(&kheap_move_seq, seq))
			break;
	}
	return v;
}

/*
 * Claim @hdr for freeing, its shard locked by us: its check must still be
 * the one we read (not freed, moved or reused since), and becomes the
 * freed one, so a second free of the block fails its check.
 */
static __always_inline bool kheap_claim(struct kheap_hdr *hdr, u32 check)
{
	u32 now;

	/* Another CPU may have freed it meanwhile: a protected load. */
	__get_kernel_nofault(&now, &hdr->check, u32, lost);
	if (now != check)
		return false;
	hdr->check = check ^ KHEAP_FREED;
	return true;
lost:
	return false;
}

/*
 * Take the block at @ptr off its shard, with interrupts off. @copy gets its
 * header as it was when claimed.
 */
static __always_inline enum kheap_verdict kheap_untrack(const void *ptr,
							struct kheap_hdr *copy)
{
	struct kheap_hdr *hdr = kheap_hdr_of(ptr);
	struct kheap_shard *shard;
	enum kheap_verdict v;

	for (;;) {
		v = kheap_hdr_lookup(ptr, copy);
		if (unlikely(v != KHEAP_OWNED))
			return v;
		shard = per_cpu_ptr(copy->heap->shards, copy->cpu);
		kheap_shard_lock(shard);
		if (likely(kheap_claim(hdr, copy->check)))
			break;
		/* Freed, moved or reused since we read it: look again. */
		kheap_shard_unlock(shard);
	}
	list_del(&hdr->node);
	WRITE_ONCE(shard->bytes, shard->bytes - copy->size);
	WRITE_ONCE(shard->count, shard->count - 1);
	kheap_shard_unlock(shard);
	return KHEAP_OWNED;
}

/* A refused free: counted, and said, rate-limited. */
static void kheap_bad_free(const void *ptr, enum kheap_verdict v,
			   unsigned long caller)
{
	static DEFINE_RATELIMIT_STATE(rs, DEFAULT_RATELIMIT_INTERVAL,
				      DEFAULT_RATELIMIT_BURST);
	char sym[KSYM_SYMBOL_LEN];

	atomic_long_inc(&kheap_invalid_frees_count);
	if (!__ratelimit(&rs))
		return;
	kheap_sym(sym, caller);
	pr_err("invalid free of %p (%s) from %s\n", ptr,
	       v == KHEAP_FREED_TWICE ? "a block already freed" :
					"a pointer kheap did not hand out",
	       sym);
}

static void kheap_overrun(const struct kheap_hdr *copy)
{
	char sym[KSYM_SYMBOL_LEN];

	atomic_long_inc(&copy->heap->overruns);
	kheap_sym(sym, copy->caller);
	pr_err("heap '%s': write past the end of block id %llu (%u bytes) allocated at %s\n",
	       copy->heap->name, copy->id, copy->size, sym);
}

static __always_inline void kheap_check_canary(const struct kheap_hdr *copy,
					       const void *ptr)
{
	if (unlikely(get_unaligned((const u64 *)(ptr + copy->size)) !=
		     kheap_canary(copy->check)))
		kheap_overrun(copy);
}

/*
 * A claimed block at @base: back to this CPU's cache when it came from it
 * (a class-sized block of this CPU, not KFENCE's); false when kfree() must
 * take it. Interrupts are off.
 */
static __always_inline bool kheap_cached(struct kheap_hdr *hdr, void *base,
					 unsigned long caller)
{
	if (!(hdr->offset & KHEAP_OFF_CLASS) || !READ_ONCE(kheap_cache_on) ||
	    hdr->cpu != smp_processor_id() || is_kfence_address(base))
		return false;
	if (want_init_on_free())
		memset(kheap_ptr_of(hdr), 0, hdr->size + KHEAP_CANARY_SIZE);
	if (!kheap_cache_push(base,
			      kheap_cache_class(hdr->size + KHEAP_OVERHEAD)))
		return false;
	trace_kfree(caller, base);
	return true;
}

static void kheap_notify_freed(const struct kheap_hdr *copy, const void *ptr)
{
	struct kheap_alloc_info info;

	kheap_fill_info(copy, &info);
	info.ptr = ptr;
	kheap_notify_free(copy->heap, &info);
}

/**
 * kheap_free() - free a tracked block
 * @ptr: a block from kheap_alloc() and friends; NULL is ignored
 *
 * A pointer kheap did not hand out, or one already freed, is reported
 * (rate-limited), counted and left alone: of two frees of one block, on any
 * CPUs or contexts at once, exactly one frees it. A stale pointer whose
 * memory kheap has since handed out again, at the same address, is not
 * told from the new block: that free frees the new block (heap.h). A block
 * whose canary was overwritten is reported and counted, and still freed.
 *
 * Context: as kfree(): any context, but on PREEMPT_RT not hardirq, nor with
 * interrupts or preemption off.
 */
void kheap_free(const void *ptr)
{
	struct kheap_hdr copy;
	enum kheap_verdict v;
	unsigned long flags;
	struct kheap *heap;
	bool cached;
	void *base;

	if (unlikely(ZERO_OR_NULL_PTR(ptr)))
		return;
	local_irq_save(flags);
	v = kheap_untrack(ptr, &copy);
	if (unlikely(v != KHEAP_OWNED)) {
		local_irq_restore(flags);
		kheap_bad_free(ptr, v, _RET_IP_);
		return;
	}
	/* The block is ours: no other CPU reaches it any more. */
	kheap_check_canary(&copy, ptr);
	heap = copy.heap;
	if (unlikely(kheap_has_reporter(heap))) {
		/*
		 * Reporters run with interrupts on, the block still valid;
		 * RCU keeps the heap alive across the gap (a destroy racing
		 * this free frees it after a grace period).
		 */
		rcu_read_lock();
		local_irq_restore(flags);
		kheap_notify_freed(&copy, ptr);
		local_irq_save(flags);
		rcu_read_unlock();
	}
	base = kheap_base_of(kheap_hdr_of(ptr));
	cached = kheap_cached(kheap_hdr_of(ptr), base, _RET_IP_);
	local_irq_restore(flags);
	if (!cached)
		kfree(base);
}
EXPORT_SYMBOL_GPL(kheap_free);

/**
 * kheap_of() - the heap that owns a live block
 * @ptr: the block
 *
 * A pure lookup: a pointer that is not a live block is not reported.
 *
 * Context: Any context.
 * Return: its heap, or NULL if @ptr is not a live kheap block.
 */
struct kheap *kheap_of(const void *ptr)
{
	struct kheap_hdr copy;

	if (ZERO_OR_NULL_PTR(ptr))
		return NULL;
	/* kheap_reparent() may move it meanwhile: the old or the new heap. */
	return kheap_hdr_lookup(ptr, &copy) == KHEAP_OWNED ? copy.heap : NULL;
}
EXPORT_SYMBOL_GPL(kheap_of);

/**
 * kheap_size() - the requested size of a live block
 * @ptr: the block
 *
 * A pure lookup, as kheap_of().
 *
 * Context: Any context.
 * Return: its size, or 0 if @ptr is NULL or not a live kheap block.
 */
size_t kheap_size(const void *ptr)
{
	struct kheap_hdr copy;

	if (ZERO_OR_NULL_PTR(ptr))
		return 0;
	return kheap_hdr_lookup(ptr, &copy) == KHEAP_OWNED ? copy.size : 0;
}
EXPORT_SYMBOL_GPL(kheap_size);

/**
 * kheap_bytes() - live requested bytes of a heap
 * @heap: the heap; NULL means the default heap
 *
 * A sum over per-CPU counters: no lock, no walk; exact when nothing is in
 * flight.
 *
 * Context: Any context.
 * Return: the bytes.
 */
size_t kheap_bytes(const struct kheap *heap)
{
	long sum = kheap_sum_bytes(kheap_resolve(heap));

	/*
	 * A block freed on another CPU than the one that counted it is
	 * uncounted on its own shard, but a sum read while others allocate
	 * can be momentarily off.
	 */
	return sum > 0 ? sum : 0;
}
EXPORT_SYMBOL_GPL(kheap_bytes);

/**
 * kheap_count() - live blocks of a heap
 * @heap: the heap; NULL means the default heap
 *
 * Context: Any context.
 * Return: the number of live blocks, as kheap_bytes().
 */
size_t kheap_count(const struct kheap *heap)
{
	long sum = kheap_sum_count(kheap_resolve(heap));

	return sum > 0 ? sum : 0;
}
EXPORT_SYMBOL_GPL(kheap_count);

/**
 * kheap_peak_bytes() - high-water mark of kheap_bytes()
 * @heap: the heap; NULL means the default heap
 *
 * Updated after each allocation from the sum of the per-CPU counters (not
 * read while a bound on that sum shows it cannot exceed the peak).
 *
 * Context: Any context.
 * Return: the peak in bytes.
 */
size_t kheap_peak_bytes(const struct kheap *heap)
{
	return atomic_long_read(&kheap_resolve(heap)->peak);
}
EXPORT_SYMBOL_GPL(kheap_peak_bytes);

/**
 * kheap_overruns() - blocks of a heap freed with a damaged canary
 * @heap: the heap; NULL means the default heap
 *
 * Context: Any context.
 * Return: the count since the heap was created.
 */
unsigned long kheap_overruns(const struct kheap *heap)
{
	return atomic_long_read(&kheap_resolve(heap)->overruns);
}
EXPORT_SYMBOL_GPL(kheap_overruns);

/**
 * kheap_invalid_frees() - frees kheap refused
 *
 * Pointers it did not hand out, pointers into a block, blocks freed twice.
 *
 * Context: Any context.
 * Return: the count since kheap.ko was loaded.
 */
unsigned long kheap_invalid_frees(void)
{
	return atomic_long_read(&kheap_invalid_frees_count);
}
EXPORT_SYMBOL_GPL(kheap_invalid_frees);

/**
 * kheap_bookmark() - a point in a heap's id sequence
 * @heap: the heap (NULL: the default heap)
 *
 * Every allocation of @heap that returned before this call has an id below
 * the value returned; every one that starts after it gets one at or above
 * it. The value is read first: every id range taken before is below it.
 * Then every shard's range is retired (the generation bump), so a shard's
 * next allocation takes a fresh range, from a counter already at or above
 * the value; a range taken in between starts at or above it too.
 *
 * Context: Any context.
 * Return: the bookmark.
 */
u64 kheap_bookmark(struct kheap *heap)
{
	u64 mark;

	heap = kheap_resolve(heap);
	mark = atomic64_read(&heap->next_id);
	/*
	 * Fully ordered, so no allocation can see the new generation and
	 * still take a range the read above did not count; pairs with the
	 * acquire in kheap_next_id().
	 */
	atomic_inc_return(&heap->id_gen);
	return mark;
}
EXPORT_SYMBOL_GPL(kheap_bookmark);

/**
 * kheap_report() - list the live blocks in an id window
 * @heap: the heap (NULL: the default heap)
 * @from: first id
 * @to:   last id, inclusive
 *
 * Each block goes to the heap's reporter's report callback, or to the
 * console reporter when the heap has none attached.
 *
 * Context: Process context; may sleep.
 * Return: how many blocks were listed, -EINVAL if @from > @to, -ENOMEM.
 */
int kheap_report(struct kheap *heap, u64 from, u64 to)
{
	struct kheap_snap *snap;
	size_t i;
	int n;

	if (from > to)
		return -EINVAL;
	heap = kheap_resolve(heap);
	snap = kheap_snapshot(heap, from, to);
	if (!snap)
		return -ENOMEM;
	for (i = 0; i < snap->n; i++)
		kheap_notify_report(heap, &snap->v[i]);
	n = min_t(size_t, snap->n, INT_MAX);
	kvfree(snap);
	return n;
}
EXPORT_SYMBOL_GPL(kheap_report);
