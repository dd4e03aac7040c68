// SPDX-License-Identifier: GPL-2.0
/*
 * kheap tracking: the tracked allocation and free paths.
 *
 * A block is one kmalloc() area: [padding][struct kheap_hdr][user data][canary].
 * The header sits right before the user pointer, which is aligned as asked.
 *
 * Fast path: the allocating CPU's shard is locked with its raw spinlock, with
 * interrupts off (frees may come from hardirq); no lock or counter is shared
 * between CPUs. A free locks the shard the block lives on, which is another
 * CPU's only when the block was allocated there.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/export.h>
#include <linux/hash.h>
#include <linux/overflow.h>
#include <linux/sched/clock.h>
#include <linux/slab.h>
#include <linux/sort.h>
#include <linux/uaccess.h>

#include "kheap_internal.h"

#define KHEAP_MIN_ALIGN ARCH_KMALLOC_MINALIGN
#define KHEAP_CANARY 0x5a17c0dedeadbea7ULL
#define KHEAP_MAGIC 0x6b6865617021UL /* "kheap!" */
#define KHEAP_FREED 0x6b66726565642aUL /* "kfreed*" */
/* Ids a shard takes at once from its heap (see kheap_bookmark()). */
#define KHEAP_ID_RANGE 1024
/* The largest request: header, padding and canary must still fit. */
#define KHEAP_MAX_SIZE (INT_MAX - 2 * PAGE_SIZE)

atomic_long_t kheap_invalid_frees_count;

/* The check value of a header at @hdr with this @id and @size. */
static unsigned long kheap_check_of(const struct kheap_hdr *hdr, u64 id,
				    size_t size)
{
	return KHEAP_MAGIC ^ (unsigned long)hdr ^
	       hash_64(id ^ ((u64)size << 17), BITS_PER_LONG);
}

static unsigned long kheap_check(const struct kheap_hdr *hdr)
{
	return kheap_check_of(hdr, hdr->id, hdr->size);
}

static unsigned long kheap_freed(const struct kheap_hdr *hdr)
{
	return KHEAP_FREED ^ (unsigned long)hdr;
}

static u64 kheap_canary(const struct kheap_hdr *hdr)
{
	return KHEAP_CANARY ^ hdr->check;
}

static inline struct kheap_hdr *kheap_hdr_of(const void *ptr)
{
	return (struct kheap_hdr *)ptr - 1;
}

static inline void *kheap_ptr_of(const struct kheap_hdr *hdr)
{
	return (void *)(hdr + 1);
}

static struct kheap *kheap_or_default(struct kheap *heap)
{
	return heap ? heap : kheap_default();
}

/*
 * The sums below race with allocations and frees on every CPU by design:
 * each shard's counter is written under its lock with WRITE_ONCE(), and
 * read here without it with READ_ONCE(), one untorn word at a time. The
 * sum is a snapshot, exact when nothing is in flight.
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
static void kheap_raise_hw(struct kheap *heap, struct kheap_shard *shard)
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

/*
 * Raise heap->peak to the sum of the shards' bytes if that is higher. The
 * sum is at most hw_sum, so while hw_sum <= peak it cannot be higher and
 * the shards are not read: the common case reads two words that change
 * only at a new high, not every CPU's busy shard (whose cache line another
 * CPU would have to fetch on every allocation). hw_sum can stay above the
 * peak (shards that peaked at different times); then every allocation sums
 * the shards, as it always did.
 */
static void kheap_update_peak(struct kheap *heap)
{
	long total, old = atomic_long_read(&heap->peak);

	if (atomic_long_read(&heap->hw_sum) <= old)
		return;
	total = kheap_sum_bytes(heap);
	while (total > old &&
	       !atomic_long_try_cmpxchg(&heap->peak, &old, total))
		;
}

/*
 * Take the shard's next id. A shard owns a range of KHEAP_ID_RANGE ids; it
 * takes a new one when the range is used up or when a bookmark has retired
 * every range since (heap->id_gen moved).
 */
static u64 kheap_next_id(struct kheap *heap, struct kheap_shard *shard)
{
	/* Pairs with the atomic_inc_return() in kheap_bookmark(). */
	unsigned int gen = atomic_read_acquire(&heap->id_gen);

	if (shard->next_id == shard->end_id || shard->id_gen != gen) {
		shard->next_id =
			atomic64_fetch_add(KHEAP_ID_RANGE, &heap->next_id);
		shard->end_id = shard->next_id + KHEAP_ID_RANGE;
		shard->id_gen = gen;
	}
	return shard->next_id++;
}

static void kheap_fill_info(const struct kheap_hdr *hdr,
			    struct kheap_alloc_info *info)
{
	info->heap = hdr->heap;
	info->ptr = kheap_ptr_of(hdr);
	info->size = hdr->size;
	info->id = hdr->id;
	info->caller = hdr->caller;
	info->time_ns = hdr->time_ns;
}

/* Put a new block on this CPU's shard of @heap; set its id and check. */
static void kheap_track(struct kheap *heap, struct kheap_hdr *hdr)
{
	struct kheap_shard *shard;
	unsigned long flags;

	local_irq_save(flags);
	hdr->cpu = raw_smp_processor_id();
	shard = this_cpu_ptr(heap->shards);
	raw_spin_lock(&shard->lock);
	hdr->heap = heap;
	hdr->id = kheap_next_id(heap, shard);
	hdr->check = kheap_check(hdr);
	list_add_tail(&hdr->node, &shard->live);
	WRITE_ONCE(shard->bytes, shard->bytes + hdr->size);
	WRITE_ONCE(shard->count, shard->count + 1);
	kheap_raise_hw(heap, shard);
	raw_spin_unlock_irqrestore(&shard->lock, flags);
	kheap_update_peak(heap);
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
 * Return: the block, or NULL (bad @align, @size too large, no memory, a
 * failure injected by the fail_alloc fault point); nothing is counted then.
 */
void *kheap_alloc_caller(struct kheap *heap, size_t size, size_t align,
			 gfp_t gfp, unsigned long caller)
{
	struct kheap_hdr *hdr;
	size_t total;
	void *base, *ptr;

	heap = kheap_or_default(heap);
	if (align < KHEAP_MIN_ALIGN)
		align = KHEAP_MIN_ALIGN;
	if (!is_power_of_2(align) || align > PAGE_SIZE || size > KHEAP_MAX_SIZE)
		return NULL;
	total = sizeof(*hdr) + (align - KHEAP_MIN_ALIGN) + size +
		KHEAP_CANARY_SIZE;
	if (kheap_should_fail(total, gfp))
		return NULL;
	base = kmalloc(total, gfp);
	if (unlikely(!base))
		return NULL;

	ptr = PTR_ALIGN(base + sizeof(*hdr), align);
	hdr = kheap_hdr_of(ptr);
	hdr->offset = (void *)hdr - base;
	hdr->size = size;
	hdr->caller = caller;
	hdr->time_ns = local_clock();
	kheap_track(heap, hdr);
	put_unaligned(kheap_canary(hdr), (u64 *)(ptr + size));

	if (kheap_has_reporter(heap)) {
		struct kheap_alloc_info info;

		kheap_fill_info(hdr, &info);
		kheap_notify_alloc(heap, &info);
	}
	return ptr;
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
 * Is @ptr a live kheap block? The header is read with
 * copy_from_kernel_nofault(), which neither faults on an unmapped address nor
 * is seen by KASAN, so probing a foreign pointer is harmless.
 */
static struct kheap_hdr *kheap_hdr_get(const void *ptr, unsigned long caller)
{
	struct kheap_hdr *hdr = kheap_hdr_of(ptr);
	struct kheap_hdr copy;
	const char *what = "a pointer kheap did not hand out";

	if (!IS_ALIGNED((unsigned long)ptr, KHEAP_MIN_ALIGN) ||
	    (unsigned long)ptr < sizeof(*hdr))
		goto bad;
	if (copy_from_kernel_nofault(&copy, hdr, sizeof(copy)))
		goto bad;
	if (copy.check == kheap_freed(hdr)) {
		what = "a block already freed";
		goto bad;
	}
	if (copy.check != kheap_check_of(hdr, copy.id, copy.size))
		goto bad;
	return hdr;
bad:
	atomic_long_inc(&kheap_invalid_frees_count);
	pr_err_ratelimited("invalid free of %p (%s) from %pS\n", ptr, what,
			   (void *)caller);
	return NULL;
}

/* Take @hdr off its shard. Returns its heap, with RCU held by the caller. */
static struct kheap *kheap_untrack(struct kheap_hdr *hdr)
{
	struct kheap_shard *shard;
	struct kheap *heap;
	unsigned long flags;

	for (;;) {
		/* kheap_reparent() changes ->heap under both shard locks. */
		heap = READ_ONCE(hdr->heap);
		shard = per_cpu_ptr(heap->shards, hdr->cpu);
		raw_spin_lock_irqsave(&shard->lock, flags);
		if (likely(READ_ONCE(hdr->heap) == heap))
			break;
		raw_spin_unlock_irqrestore(&shard->lock, flags);
	}
	list_del(&hdr->node);
	WRITE_ONCE(shard->bytes, shard->bytes - hdr->size);
	WRITE_ONCE(shard->count, shard->count - 1);
	hdr->check = kheap_freed(hdr);
	raw_spin_unlock_irqrestore(&shard->lock, flags);
	return heap;
}

static void kheap_check_canary(struct kheap *heap, struct kheap_hdr *hdr,
			       unsigned long check)
{
	const void *end = kheap_ptr_of(hdr) + hdr->size;

	if (likely(get_unaligned((const u64 *)end) == (KHEAP_CANARY ^ check)))
		return;
	atomic_long_inc(&heap->overruns);
	pr_err("heap '%s': write past the end of block id %llu (%zu bytes) allocated at %pS\n",
	       heap->name, hdr->id, hdr->size, (void *)hdr->caller);
}

/**
 * kheap_free() - free a tracked block
 * @ptr: a block from kheap_alloc() and friends; NULL is ignored
 *
 * A pointer kheap did not hand out, or one already freed, is reported
 * (rate-limited), counted and left alone. A block whose canary was
 * overwritten is reported and counted, and still freed.
 *
 * Context: as kfree(): any context, but on PREEMPT_RT not hardirq, nor with
 * interrupts or preemption off.
 */
void kheap_free(const void *ptr)
{
	struct kheap_hdr *hdr;
	struct kheap *heap;
	unsigned long check;

	if (unlikely(ZERO_OR_NULL_PTR(ptr)))
		return;
	hdr = kheap_hdr_get(ptr, _RET_IP_);
	if (unlikely(!hdr))
		return;

	check = hdr->check;
	rcu_read_lock();
	heap = kheap_untrack(hdr);
	kheap_check_canary(heap, hdr, check);
	if (kheap_has_reporter(heap)) {
		struct kheap_alloc_info info;

		kheap_fill_info(hdr, &info);
		info.heap = heap;
		kheap_notify_free(heap, &info);
	}
	rcu_read_unlock();
	kfree((void *)hdr - hdr->offset);
}
EXPORT_SYMBOL_GPL(kheap_free);

/**
 * kheap_of() - the heap that owns a live block
 * @ptr: the block
 *
 * Context: Any context.
 * Return: its heap, or NULL if @ptr is not a live kheap block.
 */
struct kheap *kheap_of(const void *ptr)
{
	struct kheap_hdr *hdr;

	if (ZERO_OR_NULL_PTR(ptr))
		return NULL;
	hdr = kheap_hdr_get(ptr, _RET_IP_);
	/* kheap_reparent() may move it meanwhile: the old or the new heap. */
	return hdr ? READ_ONCE(hdr->heap) : NULL;
}
EXPORT_SYMBOL_GPL(kheap_of);

/**
 * kheap_size() - the requested size of a live block
 * @ptr: the block
 *
 * Context: Any context.
 * Return: its size, or 0 if @ptr is NULL or not a live kheap block.
 */
size_t kheap_size(const void *ptr)
{
	struct kheap_hdr *hdr;

	if (ZERO_OR_NULL_PTR(ptr))
		return 0;
	hdr = kheap_hdr_get(ptr, _RET_IP_);
	return hdr ? hdr->size : 0;
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
	long sum = kheap_sum_bytes(kheap_or_default((struct kheap *)heap));

	/* Frees on one shard of blocks counted on another are not possible,
	 * but a sum read while others allocate can be momentarily off.
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
	long sum = kheap_sum_count(kheap_or_default((struct kheap *)heap));

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
	return atomic_long_read(&kheap_or_default((struct kheap *)heap)->peak);
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
	struct kheap *h = kheap_or_default((struct kheap *)heap);

	return atomic_long_read(&h->overruns);
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
 * the value returned; every one that starts after it gets one at or above it.
 * Retiring every shard's id range (the generation bump) is what makes the
 * second half hold: a shard takes a fresh range, from @heap->next_id, on its
 * next allocation.
 *
 * Context: Any context.
 * Return: the bookmark.
 */
u64 kheap_bookmark(struct kheap *heap)
{
	heap = kheap_or_default(heap);
	/*
	 * Fully ordered: the ranges taken before it are all below what we
	 * read next; pairs with the acquire in kheap_next_id().
	 */
	atomic_inc_return(&heap->id_gen);
	return atomic64_read(&heap->next_id);
}
EXPORT_SYMBOL_GPL(kheap_bookmark);

static int kheap_info_cmp(const void *a, const void *b)
{
	const struct kheap_alloc_info *x = a, *y = b;

	return x->id < y->id ? -1 : x->id > y->id;
}

/*
 * Copy the live blocks of @heap with @from <= id <= @to, sorted by id. The
 * copy is sized from the count at the start; blocks allocated meanwhile may
 * be left out. Returns NULL when out of memory.
 */
struct kheap_snap *kheap_snapshot(struct kheap *heap, u64 from, u64 to)
{
	struct kheap_snap *snap;
	struct kheap_hdr *hdr;
	size_t cap = kheap_count(heap) + 16;
	int cpu;

	snap = kvmalloc(struct_size(snap, v, cap), GFP_KERNEL);
	if (!snap)
		return NULL;
	snap->n = 0;
	snap->cap = cap;
	for_each_possible_cpu(cpu) {
		struct kheap_shard *shard = per_cpu_ptr(heap->shards, cpu);
		unsigned long flags;

		raw_spin_lock_irqsave(&shard->lock, flags);
		list_for_each_entry(hdr, &shard->live, node) {
			if (snap->n == cap)
				break;
			if (hdr->id < from || hdr->id > to)
				continue;
			kheap_fill_info(hdr, &snap->v[snap->n++]);
		}
		raw_spin_unlock_irqrestore(&shard->lock, flags);
	}
	sort(snap->v, snap->n, sizeof(snap->v[0]), kheap_info_cmp, NULL);
	return snap;
}

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
	heap = kheap_or_default(heap);
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

/* Print the leak report of a heap about to go. */
void kheap_report_leaks(struct kheap *heap)
{
	struct kheap_snap *snap;
	size_t i;

	if (!kheap_count(heap))
		return;
	pr_err("heap '%s': %zu live blocks (%zu bytes) leaked\n", heap->name,
	       kheap_count(heap), kheap_bytes(heap));
	snap = kheap_snapshot(heap, 0, U64_MAX);
	if (!snap)
		return;
	for (i = 0; i < snap->n; i++) {
		if (i < 32)
			kheap_format_info(NULL, "leak:", &snap->v[i]);
		kheap_notify_report(heap, &snap->v[i]);
	}
	if (snap->n > 32)
		pr_err("heap '%s': and %zu more leaked blocks\n", heap->name,
		       snap->n - 32);
	kvfree(snap);
}

/*
 * Move every live block of @heap to @to (the default heap), shard by shard:
 * a block stays on the same CPU's shard. Both shard locks are held while a
 * block's ->heap changes (see kheap_untrack()); the lock order is @heap's
 * shard, then @to's.
 */
void kheap_reparent(struct kheap *heap, struct kheap *to)
{
	struct kheap_hdr *hdr;
	int cpu;

	for_each_possible_cpu(cpu) {
		struct kheap_shard *src = per_cpu_ptr(heap->shards, cpu);
		struct kheap_shard *dst = per_cpu_ptr(to->shards, cpu);
		unsigned long flags;

		raw_spin_lock_irqsave(&src->lock, flags);
		raw_spin_lock_nested(&dst->lock, SINGLE_DEPTH_NESTING);
		list_for_each_entry(hdr, &src->live, node)
			WRITE_ONCE(hdr->heap, to);
		list_splice_tail_init(&src->live, &dst->live);
		WRITE_ONCE(dst->bytes, dst->bytes + src->bytes);
		WRITE_ONCE(dst->count, dst->count + src->count);
		kheap_raise_hw(to, dst);
		WRITE_ONCE(src->bytes, 0);
		WRITE_ONCE(src->count, 0);
		raw_spin_unlock(&dst->lock);
		raw_spin_unlock_irqrestore(&src->lock, flags);
	}
	kheap_update_peak(to);
}
