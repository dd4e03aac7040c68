// SPDX-License-Identifier: GPL-2.0
/*
 * kheap pools: fixed-size objects on per-CPU lock-free MPMC rings.
 *
 * Each possible CPU has a ring (a "slot") able to hold every object of the
 * pool, so a put always finds room in the local ring. A get tries the local
 * ring, then steals from the others. Since any CPU may pop from and push to
 * any ring, a ring is multi-producer/multi-consumer:
 *
 *  - head and tail are free-running u32 indices advanced by cmpxchg; a cell
 *    is at index & mask;
 *  - each cell carries a sequence number: seq == index + 1 once the object
 *    for that index is published (Vyukov's bounded MPMC queue). A consumer
 *    reads the cell's object before it claims the index with cmpxchg on head,
 *    so a cell is free as soon as head has moved past it;
 *  - a producer claims an index only while tail - head < capacity, reading
 *    head with acquire, so it never overwrites a cell whose object has not
 *    yet been read by the consumer that claimed it.
 *
 * The few instructions that touch a ring run with preemption off (a task is
 * never switched out in the middle of a push); an interrupt on the same CPU
 * is one more concurrent user, ordered, as users on other CPUs are, by the
 * atomics above only. No lock is taken on these paths, so they suit
 * hardirq context and PREEMPT_RT. The common case (a local hit, a put to
 * the local ring) is inline in pool.h, with the ring's pop and push.
 *
 * A pop that finds the cell at head not yet published (a put on another CPU
 * between its claim and its publication) treats the ring as empty for this
 * try: a get may return NULL while another CPU is in the middle of a put;
 * never when the pool is quiescent. As in objpool, an index reused after
 * 2^32 operations while a consumer stalls between its read and its cmpxchg
 * (ABA) is not guarded against.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/atomic.h>
#include <linux/cpumask.h>
#include <linux/err.h>
#include <linux/export.h>
#include <linux/irqflags.h>
#include <linux/jump_label.h>
#include <linux/kcsan-checks.h>
#include <linux/list.h>
#include <linux/log2.h>
#include <linux/mm.h>
#include <linux/mutex.h>
#include <linux/overflow.h>
#include <linux/percpu.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/topology.h>
#include <kunit/visibility.h>

#include "kheap_internal.h"
#include "kheap_pool_kunit.h"

/**
 * struct kheap_pool - a pool of fixed-size objects on per-CPU rings
 * @fast:	what the inline get and put read (pool.h): the ring table
 *		(per-CPU rings, indexed by CPU number, nr_cpu_ids entries),
 *		the per-CPU counters, the object area (@nr_objs objects of
 *		kheap_obj_stride(@obj_size) bytes) and its size, the stride
 *		and its log2 when it is a power of two (else 0)
 * @node:	in kheap_pools, under kheap_pools_lock (for debugfs)
 * @name:	for reports and debugfs
 * @obj_size:	object size asked for
 * @flags:	KHEAP_POOL_* flags given at create
 * @nr_objs:	objects in the pool
 * @capacity:	of each per-CPU ring: roundup_pow_of_two(@nr_objs)
 * @out:	with KHEAP_POOL_CHECK_DOUBLE_PUT, a bit per object: set by the
 *		get that hands it out, cleared by the put that takes it back
 *		(atomic bit operations); else NULL
 * @heap_bytes:	bytes the pool holds from its heap (this struct included)
 * @other_bytes: bytes it holds from elsewhere: areas above
 *		KHEAP_KMALLOC_AREA_MAX (kvmalloc()) and the per-CPU counters
 *
 * This struct, the ring table, each ring and the object area come from the
 * pool's heap (kheap_pool_area_alloc()); see kheap_pool_bytes() in pool.h.
 * The pool keeps no pointer to its heap: this struct is one of the heap's
 * blocks, so kheap_of() finds the heap, and still does once kheap_destroy()
 * has re-parented the blocks to the default heap (kheap_pool_heap()).
 */
struct kheap_pool {
	struct kheap_pool_fast fast;
	struct list_head node;
	char name[KHEAP_POOL_NAME_MAX + 1];
	size_t obj_size;
	unsigned int flags;
	unsigned int nr_objs;
	unsigned int capacity;
	unsigned long *out;
	size_t heap_bytes;
	size_t other_bytes;
};

static const char *const kheap_pool_stat_names[] = {
	[KHEAP_POOL_STAT_GETS] = "gets",
	[KHEAP_POOL_STAT_PUTS] = "puts",
	[KHEAP_POOL_STAT_LOCAL_HITS] = "local_hits",
	[KHEAP_POOL_STAT_REMOTE_STEALS] = "remote_steals",
	[KHEAP_POOL_STAT_EMPTY] = "empty",
	[KHEAP_POOL_STAT_FOREIGN_PUTS] = "foreign_puts",
	[KHEAP_POOL_STAT_DOUBLE_PUTS] = "double_puts",
};

static_assert(ARRAY_SIZE(kheap_pool_stat_names) == KHEAP_POOL_NR_STATS);
static_assert(KHEAP_POOL_NAME_MAX == KHEAP_NAME_MAX); /* kheap_name_valid() */
/* The inline get and put find it there (kheap_pool_fast()). */
static_assert(offsetof(struct kheap_pool, fast) == 0);

/* Flags kheap_pool_create_flags() knows. */
#define KHEAP_POOL_FLAGS KHEAP_POOL_CHECK_DOUBLE_PUT

/*
 * On while a pool with KHEAP_POOL_CHECK_DOUBLE_PUT exists: the get and put
 * paths test it with a static branch, which costs nothing while it is off.
 */
static DEFINE_STATIC_KEY_FALSE(kheap_pool_checking);

/* Every live pool, for debugfs; never taken on the get/put path. */
static LIST_HEAD(kheap_pools);
static DEFINE_MUTEX(kheap_pools_lock);

/* The object area's size. */
static size_t kheap_pool_area_size(const struct kheap_pool *pool)
{
	return (size_t)pool->nr_objs * pool->fast.stride;
}

/*
 * Count an event on this CPU. An interrupt may count on the same CPU in the
 * middle of ours: this_cpu_inc() is one instruction, or irq-safe.
 */
static inline void kheap_pool_count(struct kheap_pool *pool,
				    enum kheap_pool_stat stat)
{
	this_cpu_inc(pool->fast.stats->count[stat]);
}

/*
 * Gets and puts run with preemption off, interrupts on: a task is never
 * preempted in the middle of a push (which would keep that ring's
 * consumers waiting for as long as it is off the CPU). An interrupt on the
 * same CPU may come in the middle of one: the rings are lock-free, so it
 * only finds that ring as if empty behind the interrupted push (pool.h).
 * The common case is inline in pool.h (a get, a put to the local ring);
 * the two below take the rest, from the start.
 */

/**
 * kheap_pool_get_slow() - kheap_pool_get(), out of line
 * @pool:	the pool
 *
 * What the inline kheap_pool_get() calls for a pool it does not serve
 * (KHEAP_POOL_CHECK_DOUBLE_PUT, a stride that is not a power of two) or
 * found empty: the whole get, counted as empty if it finds nothing.
 * Context: Any context (process, softirq, hardirq); never sleeps.
 * Return: an object, or NULL if none is free.
 */
void *kheap_pool_get_slow(struct kheap_pool *pool)
{
	unsigned int this, cpu;
	void *obj;

	preempt_disable();
	this = smp_processor_id();
	obj = kheap_pool_slot_pop(pool->fast.slots[this]);
	if (obj) {
		kheap_pool_count(pool, KHEAP_POOL_STAT_LOCAL_HITS);
		goto out;
	}
	for_each_cpu_wrap(cpu, cpu_possible_mask, this + 1) {
		if (cpu == this)
			continue;
		obj = kheap_pool_slot_pop(pool->fast.slots[cpu]);
		if (obj) {
			kheap_pool_count(pool, KHEAP_POOL_STAT_REMOTE_STEALS);
			goto out;
		}
	}
out:
	if (!obj)
		kheap_pool_count(pool, KHEAP_POOL_STAT_EMPTY);
	preempt_enable();
	if (static_branch_unlikely(&kheap_pool_checking) && pool->out && obj)
		set_bit(kheap_pool_index(pool, obj), pool->out);
	return obj;
}
EXPORT_SYMBOL_NS_GPL(kheap_pool_get_slow, KHEAP_NS);

/* @obj's offset in the object area if it starts an object, else ULONG_MAX. */
static unsigned long kheap_pool_offset(const struct kheap_pool *pool,
				       const void *obj)
{
	unsigned long off = (unsigned long)obj - (unsigned long)pool->fast.objs;

	if (off >= kheap_pool_area_size(pool))
		return ULONG_MAX;
	if (pool->fast.stride_shift ? off & (pool->fast.stride - 1) :
				      off % pool->fast.stride)
		return ULONG_MAX;
	return off;
}

unsigned int kheap_pool_index(const struct kheap_pool *pool, const void *obj)
{
	unsigned long off = kheap_pool_offset(pool, obj);

	if (off == ULONG_MAX)
		return UINT_MAX;
	return pool->fast.stride_shift ? off >> pool->fast.stride_shift :
					 off / pool->fast.stride;
}
EXPORT_SYMBOL_NS_GPL(kheap_pool_index, KHEAP_NS);

/* A put refused: counted in @stat (this CPU's) and reported. */
static void kheap_pool_refuse(struct kheap_pool *pool, void *obj,
			      enum kheap_pool_stat stat, const char *why,
			      unsigned long caller)
{
	this_cpu_inc(pool->fast.stats->count[stat]);
	pr_err_ratelimited("pool %s: put of %p refused: %s (caller %pS)\n",
			   pool->name, obj, why, (void *)caller);
}

/**
 * kheap_pool_put_slow() - kheap_pool_put(), out of line
 * @pool:	the pool
 * @obj:	the object
 *
 * What the inline kheap_pool_put() calls for a pool it does not serve, a
 * pointer that is not an object of the pool, or a full local ring: the
 * whole put, with its checks and reports.
 * Context: Any context (process, softirq, hardirq); never sleeps.
 */
void kheap_pool_put_slow(struct kheap_pool *pool, void *obj)
{
	unsigned int this, cpu;
	bool done;

	if (unlikely(kheap_pool_offset(pool, obj) == ULONG_MAX)) {
		kheap_pool_refuse(pool, obj, KHEAP_POOL_STAT_FOREIGN_PUTS,
				  "not an object of this pool", _RET_IP_);
		return;
	}
	/* Of two puts of one object, even at once, one finds its bit set. */
	if (static_branch_unlikely(&kheap_pool_checking) && pool->out &&
	    !test_and_clear_bit(kheap_pool_index(pool, obj), pool->out)) {
		kheap_pool_refuse(pool, obj, KHEAP_POOL_STAT_DOUBLE_PUTS,
				  "not handed out (put twice?)", _RET_IP_);
		return;
	}
	preempt_disable();
	this = smp_processor_id();
	done = kheap_pool_slot_push(pool->fast.slots[this], obj);
	for_each_cpu_wrap(cpu, cpu_possible_mask, this + 1) {
		if (done)
			break;
		if (cpu != this)
			done = kheap_pool_slot_push(pool->fast.slots[cpu], obj);
	}
	if (done)
		kheap_pool_count(pool, KHEAP_POOL_STAT_PUTS);
	preempt_enable();
	/* Every ring holds every object: only a put of an object twice fills them. */
	if (unlikely(!done))
		kheap_pool_refuse(pool, obj, KHEAP_POOL_STAT_FOREIGN_PUTS,
				  "no room, object put twice?", _RET_IP_);
}
EXPORT_SYMBOL_NS_GPL(kheap_pool_put_slow, KHEAP_NS);

unsigned int kheap_pool_nr_objs(const struct kheap_pool *pool)
{
	return pool->nr_objs;
}
EXPORT_SYMBOL_NS_GPL(kheap_pool_nr_objs, KHEAP_NS);

struct kheap *kheap_pool_heap(const struct kheap_pool *pool)
{
	/* Never NULL: the pool is a live block (the fallback is a guard). */
	return kheap_of(pool) ?: kheap_default();
}
EXPORT_SYMBOL_NS_GPL(kheap_pool_heap, KHEAP_NS);

size_t kheap_pool_bytes(const struct kheap_pool *pool)
{
	return pool->heap_bytes;
}
EXPORT_SYMBOL_NS_GPL(kheap_pool_bytes, KHEAP_NS);

/*
 * One CPU's counter. A get counts either a local hit or a remote steal, so
 * the number of gets is their sum: one increment less on the get path.
 */
static unsigned long kheap_pool_cpu_stat(const struct kheap_pool_stats *st,
					 enum kheap_pool_stat stat)
{
	if (stat == KHEAP_POOL_STAT_GETS)
		return READ_ONCE(st->count[KHEAP_POOL_STAT_LOCAL_HITS]) +
		       READ_ONCE(st->count[KHEAP_POOL_STAT_REMOTE_STEALS]);
	return READ_ONCE(st->count[stat]);
}

u64 kheap_pool_stat(const struct kheap_pool *pool, enum kheap_pool_stat stat)
{
	u64 sum = 0;
	int cpu;

	if (stat >= KHEAP_POOL_NR_STATS)
		return 0;
	/*
	 * Racy by design: each CPU counts its own gets and puts while we
	 * read. kheap_pool_cpu_stat() reads each counter with READ_ONCE(), as
	 * one untorn word; the sum is a snapshot, and never goes back (every
	 * counter only grows).
	 */
	for_each_possible_cpu(cpu)
		sum += kheap_pool_cpu_stat(per_cpu_ptr(pool->fast.stats, cpu),
					   stat);
	return sum;
}
EXPORT_SYMBOL_NS_GPL(kheap_pool_stat, KHEAP_NS);

/*
 * Objects sitting in the rings; exact only when no get or put runs. Racy
 * by design for debugfs: head and tail move under us (READ_ONCE(), one
 * untorn word each), so the count is a snapshot that may be off by the
 * operations in flight.
 */
static unsigned int kheap_pool_nr_free(const struct kheap_pool *pool)
{
	unsigned int nr = 0;
	int cpu;

	for_each_possible_cpu(cpu) {
		const struct kheap_pool_slot *slot = pool->fast.slots[cpu];

		nr += READ_ONCE(slot->tail) - READ_ONCE(slot->head);
	}
	return nr;
}

static int kheap_pool_check_args(const char *name, size_t obj_size,
				 unsigned int objs_per_cpu, unsigned int flags,
				 unsigned int cpus, unsigned int *nr_objs)
{
	if (flags & ~KHEAP_POOL_FLAGS)
		return -EINVAL;
	/* Heap rules: no '.' or '..', no white space (debugfs escapes). */
	if (!kheap_name_valid(name) || !obj_size ||
	    obj_size > KHEAP_POOL_AREA_MAX || !objs_per_cpu)
		return -EINVAL;
	if (check_mul_overflow(objs_per_cpu, cpus, nr_objs) ||
	    *nr_objs > KHEAP_POOL_MAX_OBJS)
		return -EINVAL;
	if (kheap_obj_stride(obj_size) > KHEAP_POOL_AREA_MAX / *nr_objs)
		return -EINVAL;
	return 0;
}

/*
 * An area of a pool: from its heap when one kmalloc() serves it, else from
 * kvmalloc() (create and destroy run in process context; get and put only
 * read and write the memory, which any context may). Cache-line aligned
 * either way (vmalloc() is page aligned), and counted in the pool's bytes.
 * A failure is reported to the caller as -ENOMEM, so no allocator warns.
 */
static void *kheap_pool_area_alloc(struct kheap_pool *pool, size_t size,
				   int node, gfp_t gfp)
{
	void *area;

	gfp |= __GFP_NOWARN;
	if (size <= KHEAP_KMALLOC_AREA_MAX) {
		area = kheap_alloc_aligned(kheap_pool_heap(pool), size,
					   SMP_CACHE_BYTES, gfp);
		if (area)
			pool->heap_bytes += size;
		return area;
	}
	area = kvmalloc_node(size, gfp, node);
	if (area)
		pool->other_bytes += size;
	return area;
}

/* Frees what kheap_pool_area_alloc() gave for @size bytes; NULL is fine. */
static void kheap_pool_area_free(const void *area, size_t size)
{
	if (size <= KHEAP_KMALLOC_AREA_MAX)
		kheap_free(area);
	else
		kvfree(area);
}

/* The bytes of one CPU's ring. */
static size_t kheap_pool_slot_size(const struct kheap_pool *pool)
{
	struct kheap_pool_slot *slot;

	return struct_size(slot, cells, pool->capacity);
}

/* The ring table and a ring per possible CPU, on the CPU's node. */
static int kheap_pool_alloc_slots(struct kheap_pool *pool, gfp_t gfp)
{
	size_t table = nr_cpu_ids * sizeof(*pool->fast.slots);
	size_t size = kheap_pool_slot_size(pool);
	int cpu;

	pool->fast.slots =
		kheap_zalloc(kheap_pool_heap(pool), table, gfp | __GFP_NOWARN);
	if (!pool->fast.slots)
		return -ENOMEM;
	pool->heap_bytes += table;
	for_each_possible_cpu(cpu) {
		struct kheap_pool_slot *slot;

		slot = kheap_pool_area_alloc(pool, size, cpu_to_node(cpu), gfp);
		if (!slot)
			return -ENOMEM;
		/* Every cell's seq is 0 == head: not published (index + 1). */
		memset(slot, 0, size);
		slot->mask = pool->capacity - 1;
		pool->fast.slots[cpu] = slot;
	}
	return 0;
}

/*
 * objs_per_cpu objects on each possible CPU's ring, in address order.
 * The pool is not published yet: nobody else can see the rings, so KCSAN
 * has nothing to find here, and up to KHEAP_POOL_MAX_OBJS pushes are not
 * watched (under KCSAN, a pool of that size took 26 s to fill in QEMU).
 */
static void kheap_pool_fill(struct kheap_pool *pool, unsigned int objs_per_cpu)
{
	unsigned int i = 0;
	int cpu;

	kcsan_disable_current();
	for_each_possible_cpu(cpu) {
		unsigned int end = i + objs_per_cpu;

		struct kheap_pool_slot *slot = pool->fast.slots[cpu];

		for (; i < end; i++) {
			void *obj = pool->fast.objs + i * pool->fast.stride;

			if (WARN_ON_ONCE(!kheap_pool_slot_push(slot, obj)))
				goto out;
		}
	}
out:
	kcsan_enable_current();
}

/*
 * With KHEAP_POOL_CHECK_DOUBLE_PUT: the bitmap of objects handed out, and
 * the static branch on while the pool lives (off again in destroy, for a
 * pool that has its bitmap).
 */
static int kheap_pool_alloc_out(struct kheap_pool *pool, gfp_t gfp)
{
	size_t size = BITS_TO_LONGS(pool->nr_objs) * sizeof(long);

	if (!(pool->flags & KHEAP_POOL_CHECK_DOUBLE_PUT))
		return 0;
	pool->out =
		kheap_zalloc(kheap_pool_heap(pool), size, gfp | __GFP_NOWARN);
	if (!pool->out)
		return -ENOMEM;
	pool->heap_bytes += size;
	static_branch_inc(&kheap_pool_checking);
	return 0;
}

static void kheap_pool_free_slots(struct kheap_pool *pool)
{
	size_t size = kheap_pool_slot_size(pool);
	int cpu;

	if (!pool->fast.slots)
		return;
	for_each_possible_cpu(cpu)
		kheap_pool_area_free(pool->fast.slots[cpu], size);
	kheap_free(pool->fast.slots);
}

/*
 * Free a pool's parts: a pool that kheap_pool_create_layout() built, or
 * the part it built before an allocation failed (what it did not get is
 * NULL). The pool is on no list.
 */
static void kheap_pool_free(struct kheap_pool *pool)
{
	if (pool->out) {
		static_branch_dec(&kheap_pool_checking);
		kheap_free(pool->out);
	}
	kheap_pool_free_slots(pool);
	kheap_pool_area_free(pool->fast.objs, kheap_pool_area_size(pool));
	free_percpu(pool->fast.stats);
	kheap_free(pool);
}

struct kheap_pool *kheap_pool_create_layout(const char *name,
					    struct kheap *heap, size_t obj_size,
					    unsigned int objs_per_cpu,
					    unsigned int flags, gfp_t gfp,
					    unsigned int layout)
{
	unsigned int cpus = num_possible_cpus(); /* a weight: count it once */
	struct kheap_pool *pool;
	unsigned int nr_objs;
	size_t area;
	int err;

	if (layout != KHEAP_POOL_LAYOUT) {
		pr_err("pool %s: a client built for pool layout %u (kheap has %u): rebuild it against this kheap\n",
		       name ? name : "(null)", layout, KHEAP_POOL_LAYOUT);
		return ERR_PTR(-EINVAL);
	}
	err = kheap_pool_check_args(name, obj_size, objs_per_cpu, flags, cpus,
				    &nr_objs);
	if (err)
		return ERR_PTR(err);
	pool = kheap_zalloc(heap, sizeof(*pool), gfp | __GFP_NOWARN);
	if (!pool)
		return ERR_PTR(-ENOMEM);
	INIT_LIST_HEAD(&pool->node);
	strscpy(pool->name, name, sizeof(pool->name));
	pool->heap_bytes = sizeof(*pool);
	pool->flags = flags;
	pool->obj_size = obj_size;
	pool->fast.stride = kheap_obj_stride(obj_size);
	if (is_power_of_2(pool->fast.stride))
		pool->fast.stride_shift = ilog2(pool->fast.stride);
	/* The inline paths check an object's offset with a mask. */
	pool->fast.slow = !pool->fast.stride_shift ||
			  (flags & KHEAP_POOL_CHECK_DOUBLE_PUT);
	pool->nr_objs = nr_objs;
	pool->capacity = roundup_pow_of_two(nr_objs);
	pool->fast.area_size = kheap_pool_area_size(pool);

	err = -ENOMEM;
	pool->fast.stats =
		alloc_percpu_gfp(struct kheap_pool_stats, gfp | __GFP_NOWARN);
	if (!pool->fast.stats)
		goto err_free;
	pool->other_bytes += cpus * sizeof(*pool->fast.stats);
	area = kheap_pool_area_size(pool);
	pool->fast.objs = kheap_pool_area_alloc(pool, area, NUMA_NO_NODE, gfp);
	if (!pool->fast.objs)
		goto err_free;
	err = kheap_pool_alloc_slots(pool, gfp);
	if (err)
		goto err_free;
	err = kheap_pool_alloc_out(pool, gfp);
	if (err)
		goto err_free;
	kheap_pool_fill(pool, objs_per_cpu);

	mutex_lock(&kheap_pools_lock);
	list_add_tail(&pool->node, &kheap_pools);
	mutex_unlock(&kheap_pools_lock);
	return pool;

err_free:
	kheap_pool_free(pool);
	return ERR_PTR(err);
}
EXPORT_SYMBOL_NS_GPL(kheap_pool_create_layout, KHEAP_NS);

void kheap_pool_destroy(struct kheap_pool *pool)
{
	unsigned int nr_free;

	if (!pool)
		return;
	mutex_lock(&kheap_pools_lock);
	list_del_init(&pool->node);
	mutex_unlock(&kheap_pools_lock);

	nr_free = kheap_pool_nr_free(pool);
	if (nr_free != pool->nr_objs)
		pr_err("pool %s: destroyed with %d of %u objects not returned\n",
		       pool->name, (int)(pool->nr_objs - nr_free),
		       pool->nr_objs);
	kheap_pool_free(pool);
}
EXPORT_SYMBOL_NS_GPL(kheap_pool_destroy, KHEAP_NS);

/* A pool's row of the first table of debugfs pools (grammar v2). */
static void kheap_pool_show_one(struct seq_file *m, struct kheap_pool *pool)
{
	kheap_seq_name(m, pool->name);
	seq_putc(m, ' ');
	/*
	 * A kheap_destroy() of its heap may be re-parenting the pool meanwhile:
	 * we see the old heap or the default one, and RCU keeps the old one
	 * (freed with call_rcu()) while we print its name.
	 */
	rcu_read_lock();
	kheap_seq_name(m, kheap_name(kheap_pool_heap(pool)));
	rcu_read_unlock();
	seq_printf(m, " %zu %zu %u %u %u", pool->obj_size, pool->fast.stride,
		   pool->nr_objs, pool->capacity, kheap_pool_nr_free(pool));
	seq_printf(m, " %zu %zu %u\n", pool->heap_bytes, pool->other_bytes,
		   pool->flags);
}

/* A pool's rows of the second table: one per possible CPU. */
static void kheap_pool_show_cpus(struct seq_file *m, struct kheap_pool *pool)
{
	int cpu, i;

	for_each_possible_cpu(cpu) {
		const struct kheap_pool_stats *st =
			per_cpu_ptr(pool->fast.stats, cpu);

		kheap_seq_name(m, pool->name);
		seq_printf(m, " %d", cpu);
		/* Racy snapshot, as in kheap_pool_stat(). */
		for (i = 0; i < KHEAP_POOL_NR_STATS; i++)
			seq_printf(m, " %lu", kheap_pool_cpu_stat(st, i));
		seq_putc(m, '\n');
	}
}

/**
 * kheap_pools_show() - the body of debugfs kheap/pools (grammar v2)
 * @m:	where; debugfs.c prints the version line
 *
 * Two tables: a row per pool, then a row per pool and possible CPU with
 * its counters (named as kheap_pool_stat_names[]).
 */
void kheap_pools_show(struct seq_file *m)
{
	struct kheap_pool *pool;
	int i;

	seq_puts(m, "# name heap obj_size stride objs ring_capacity free");
	seq_puts(m, " heap_bytes other_bytes flags\n");
	mutex_lock(&kheap_pools_lock);
	list_for_each_entry(pool, &kheap_pools, node)
		kheap_pool_show_one(m, pool);
	seq_puts(m, "# pool cpu");
	for (i = 0; i < KHEAP_POOL_NR_STATS; i++)
		seq_printf(m, " %s", kheap_pool_stat_names[i]);
	seq_putc(m, '\n');
	list_for_each_entry(pool, &kheap_pools, node)
		kheap_pool_show_cpus(m, pool);
	mutex_unlock(&kheap_pools_lock);
}

#if IS_ENABLED(CONFIG_KUNIT)
int kheap_test_pool_show(struct kheap_pool *pool, char *buf, size_t size)
{
	struct seq_file m = { .buf = buf, .size = size };

	if (!size)
		return -EOVERFLOW;
	kheap_pool_show_one(&m, pool);
	if (m.count >= size)
		return -EOVERFLOW;
	buf[m.count] = '\0';
	return m.count;
}
EXPORT_SYMBOL_IF_KUNIT(kheap_test_pool_show);
#endif
