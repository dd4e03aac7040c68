// SPDX-License-Identifier: GPL-2.0
/*
 * kheap_bench cases: the allocators under test, the loops that drive them,
 * and the objects they share.
 *
 * Each allocator is a get and a put, both __always_inline; the loops are
 * __always_inline too and take the get and put as constant function
 * pointers, so every loop below compiles to straight calls of the API
 * under test, with no indirect call per operation (which would cost a
 * retpoline and narrow every ratio).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/compiler.h>
#include <linux/err.h>
#include <linux/fs.h>
#include <linux/jiffies.h>
#include <linux/percpu.h>
#include <linux/preempt.h>
#include <linux/rcupdate.h>
#include <linux/sched/clock.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/string.h>
#include <linux/uaccess.h>

#include "../kunit/kheap_kfile.h"
#include "kheap_bench.h"
#include "kheap_internal.h"
#include "kheap_trace.h"

struct kb_obj64 {
	u8 b[64];
};

struct kb_obj256 {
	u8 b[256];
};

struct kb_obj1024 {
	u8 b[1024];
};

KHEAP_SENTRY_DEFINE(kb_obj64);
KHEAP_SENTRY_DEFINE(kb_obj256);
KHEAP_SENTRY_DEFINE(kb_obj1024);

/**
 * kb_sentry_bind() - bind the sentry types of kheap_new() to a heap
 * @heap:	the heap
 *
 * Context: process context, before the runs that use kheap_new().
 */
void kb_sentry_bind(struct kheap *heap)
{
	kheap_sentry_set_heap(kb_obj64, heap);
	kheap_sentry_set_heap(kb_obj256, heap);
	kheap_sentry_set_heap(kb_obj1024, heap);
}

/* Gets and puts, one pair per allocator. */

static __always_inline void *kb_kmalloc_get(struct kb_thread *t)
{
	return kmalloc(t->size, GFP_KERNEL);
}

static __always_inline void kb_kmalloc_put(struct kb_thread *t, void *p)
{
	kfree(p);
}

static __always_inline void *kb_kzalloc_get(struct kb_thread *t)
{
	return kzalloc(t->size, GFP_KERNEL);
}

static __always_inline void kb_kzalloc_put(struct kb_thread *t, void *p)
{
	kfree(p);
}

static __always_inline void *kb_kmem_cache_get(struct kb_thread *t)
{
	return kmem_cache_alloc(t->ctx->cache, GFP_KERNEL);
}

static __always_inline void kb_kmem_cache_put(struct kb_thread *t, void *p)
{
	kmem_cache_free(t->ctx->cache, p);
}

static __always_inline void *kb_mempool_get(struct kb_thread *t)
{
	return mempool_alloc(t->ctx->mempool, GFP_KERNEL);
}

static __always_inline void kb_mempool_put(struct kb_thread *t, void *p)
{
	mempool_free(p, t->ctx->mempool);
}

static __always_inline void *kb_objpool_get(struct kb_thread *t)
{
	return objpool_pop(&t->ctx->objpool);
}

static __always_inline void kb_objpool_put(struct kb_thread *t, void *p)
{
	objpool_push(p, &t->ctx->objpool);
}

/*
 * The scaling runs' control: no allocator, a counter of this CPU's own up
 * and down. What it loses from 1 to 2 CPUs is the machine's (QEMU's
 * timer interrupts, a busy host), not an allocator's.
 */
static DEFINE_PER_CPU(long, kb_ctl);

static __always_inline void *kb_percpu_ctl_get(struct kb_thread *t)
{
	this_cpu_inc(kb_ctl);
	return raw_cpu_ptr(&kb_ctl);
}

static __always_inline void kb_percpu_ctl_put(struct kb_thread *t, void *p)
{
	this_cpu_dec(kb_ctl);
}

static __always_inline void *kb_kheap_alloc_get(struct kb_thread *t)
{
	return kheap_alloc(t->ctx->heap, t->size, GFP_KERNEL);
}

static __always_inline void kb_kheap_alloc_put(struct kb_thread *t, void *p)
{
	kheap_free(p);
}

/* The same calls; the case turns kheap's block cache off around its passes. */
static __always_inline void *kb_kheap_alloc_nocache_get(struct kb_thread *t)
{
	return kheap_alloc(t->ctx->heap, t->size, GFP_KERNEL);
}

static __always_inline void kb_kheap_alloc_nocache_put(struct kb_thread *t,
						       void *p)
{
	kheap_free(p);
}

static __always_inline void *kb_kheap_trace_get(struct kb_thread *t)
{
	return kheap_alloc(t->ctx->trace_heap, t->size, GFP_KERNEL);
}

static __always_inline void kb_kheap_trace_put(struct kb_thread *t, void *p)
{
	kheap_free(p);
}

/* kheap_new() takes a struct tag, so the size picks one of three types. */
static __always_inline void *kb_kheap_new_get(struct kb_thread *t)
{
	if (t->size == sizeof(struct kb_obj64))
		return kheap_new(kb_obj64, GFP_KERNEL);
	if (t->size == sizeof(struct kb_obj256))
		return kheap_new(kb_obj256, GFP_KERNEL);
	return kheap_new(kb_obj1024, GFP_KERNEL);
}

static __always_inline void kb_kheap_new_put(struct kb_thread *t, void *p)
{
	kheap_delete(p);
}

static __always_inline void *kb_kheap_pool_get(struct kb_thread *t)
{
	return kheap_pool_get(t->ctx->pool);
}

static __always_inline void kb_kheap_pool_put(struct kb_thread *t, void *p)
{
	kheap_pool_put(t->ctx->pool, p);
}

static __always_inline void *kb_kheap_chain_get(struct kb_thread *t)
{
	return kheap_chain_get(t->chain, GFP_KERNEL);
}

static __always_inline void kb_kheap_chain_put(struct kb_thread *t, void *p)
{
	kheap_chain_put(t->chain, p);
}

/* The loops. */

/* The periodic check of every loop: true when it must stop. */
static __always_inline bool kb_tick(struct kb_thread *t, u64 i)
{
	return !(i & KB_TICK_MASK) && kb_expired(t);
}

static __always_inline u64 kb_pair_loop(struct kb_thread *t, u64 n,
					void *(*get)(struct kb_thread *t),
					void (*put)(struct kb_thread *t,
						    void *p))
{
	u64 i;

	for (i = 0; i < n && !kb_tick(t, i); i++) {
		void *p = get(t);

		OPTIMIZER_HIDE_VAR(p);
		if (likely(p))
			put(t, p);
		else
			t->misses++;
	}
	return i;
}

static __always_inline u64 kb_batch_loop(struct kb_thread *t, u64 n,
					 void *(*get)(struct kb_thread *t),
					 void (*put)(struct kb_thread *t,
						     void *p))
{
	unsigned int j;
	u64 i;

	for (i = 0; i < n && !kb_tick(t, 0); i += KB_BATCH) {
		for (j = 0; j < KB_BATCH; j++)
			t->batch[j] = get(t);
		for (j = 0; j < KB_BATCH; j++) {
			if (likely(t->batch[j]))
				put(t, t->batch[j]);
			else
				t->misses++;
		}
	}
	return i;
}

/* The mixed test's sizes: nine kmalloc classes, 16 to 2048 bytes. */
static const unsigned short kb_mixed_size[KB_MIXED_SIZES] = {
	16, 32, 64, 128, 192, 256, 512, 1024, 2048,
};

static __always_inline unsigned int kb_mixed_next(unsigned int next)
{
	return next + 1 < KB_MIXED_SIZES ? next + 1 : 0;
}

/*
 * A ring of KB_BATCH live objects: put the oldest, get one of the next
 * size. As KB_MIXED_SIZES does not divide KB_BATCH, the object put is of
 * another size class than the one got next: a cache that only keeps the
 * last block freed never hits.
 */
static __always_inline u64 kb_mixed_loop(struct kb_thread *t, u64 n,
					 void *(*get)(struct kb_thread *t),
					 void (*put)(struct kb_thread *t,
						     void *p))
{
	u64 i;

	for (i = 0; i < n && !kb_tick(t, i); i++) {
		void **slot = &t->batch[t->slot];

		if (likely(*slot))
			put(t, *slot);
		t->size = kb_mixed_size[t->next];
		*slot = get(t);
		if (unlikely(!*slot))
			t->misses++;
		t->slot = (t->slot + 1) % KB_BATCH;
		t->next = kb_mixed_next(t->next);
	}
	return i;
}

/* The mixed test's live objects, before each pass (not timed). */
static __always_inline void kb_mixed_fill(struct kb_thread *t,
					  void *(*get)(struct kb_thread *t))
{
	unsigned int j;

	t->slot = 0;
	t->next = 0;
	for (j = 0; j < KB_BATCH; j++) {
		t->size = kb_mixed_size[t->next];
		t->batch[j] = get(t);
		if (unlikely(!t->batch[j]))
			t->misses++;
		t->next = kb_mixed_next(t->next);
	}
}

/* And back after it. */
static __always_inline void
kb_mixed_empty(struct kb_thread *t, void (*put)(struct kb_thread *t, void *p))
{
	unsigned int j;

	for (j = 0; j < KB_BATCH; j++) {
		if (t->batch[j])
			put(t, t->batch[j]);
		t->batch[j] = NULL;
	}
	t->size = t->ctx->size;
}

/* Spin once waiting for the other side; true when it must stop. */
static __always_inline bool kb_spin(struct kb_thread *t, u64 *spins)
{
	cpu_relax();
	return kb_tick(t, ++*spins);
}

/* Thread 0 gets and pushes into the hand-over ring, thread 1 pops and puts. */
static __always_inline u64 kb_xcpu_loop(struct kb_thread *t, u64 n,
					void *(*get)(struct kb_thread *t),
					void (*put)(struct kb_thread *t,
						    void *p))
{
	struct kheap_ring *ring = t->ctx->xring;
	u64 i, spins = 0;
	void *p;

	for (i = 0; i < n && !kb_tick(t, i); i++) {
		if (t->idx) {
			while (!(p = kheap_ring_pop(ring)))
				if (kb_spin(t, &spins))
					return i;
			put(t, p);
			continue;
		}
		while (!(p = get(t))) {
			t->misses++;
			if (kb_spin(t, &spins))
				return i;
		}
		while (!kheap_ring_push(ring, p))
			if (kb_spin(t, &spins))
				return i; /* p is lost: reported at destroy */
	}
	return i;
}

/* The pair loop with each pair timed. */
static __always_inline u64 kb_lat_loop(struct kb_thread *t, u64 n,
				       void *(*get)(struct kb_thread *t),
				       void (*put)(struct kb_thread *t,
						   void *p))
{
	u64 i;

	for (i = 0; i < n && !kb_tick(t, i); i++) {
		u64 start = ktime_get_ns();
		void *p = get(t);

		OPTIMIZER_HIDE_VAR(p);
		if (likely(p))
			put(t, p);
		else
			t->misses++;
		if (t->recorded < t->nr_samples)
			t->samples[t->recorded++] =
				min_t(u64, ktime_get_ns() - start, U32_MAX);
	}
	return i;
}

static __always_inline void kb_drain(struct kb_thread *t,
				     void (*put)(struct kb_thread *t, void *p))
{
	void *p;

	while ((p = kheap_ring_pop(t->ctx->xring)))
		put(t, p);
}

/* test_objpool's irq work: a few gets, then as many puts. */
static __always_inline void
kb_irq_bulk(struct kb_thread *t, void *(*get)(struct kb_thread *t),
	    void (*put)(struct kb_thread *t, void *p))
{
	void *p[4];
	unsigned int j;

	for (j = 0; j < ARRAY_SIZE(p); j++)
		p[j] = get(t);
	for (j = 0; j < ARRAY_SIZE(p); j++) {
		if (p[j]) {
			put(t, p[j]);
			t->irq_ops++;
		}
	}
}

/*
 * The loops of one allocator and its entry for kb_allocs[]: @tests are the
 * KB_T_* tests it takes part in, then any further members of its entry.
 */
#define KB_ALLOC(nm, tests_, ...)                                         \
	static u64 kb_##nm##_pair(struct kb_thread *t, u64 n)             \
	{                                                                 \
		return kb_pair_loop(t, n, kb_##nm##_get, kb_##nm##_put);  \
	}                                                                 \
	static u64 kb_##nm##_batch(struct kb_thread *t, u64 n)            \
	{                                                                 \
		return kb_batch_loop(t, n, kb_##nm##_get, kb_##nm##_put); \
	}                                                                 \
	static u64 kb_##nm##_mixed(struct kb_thread *t, u64 n)            \
	{                                                                 \
		return kb_mixed_loop(t, n, kb_##nm##_get, kb_##nm##_put); \
	}                                                                 \
	static void kb_##nm##_mixed_fill(struct kb_thread *t)             \
	{                                                                 \
		kb_mixed_fill(t, kb_##nm##_get);                          \
	}                                                                 \
	static void kb_##nm##_mixed_empty(struct kb_thread *t)            \
	{                                                                 \
		kb_mixed_empty(t, kb_##nm##_put);                         \
	}                                                                 \
	static u64 kb_##nm##_xcpu(struct kb_thread *t, u64 n)             \
	{                                                                 \
		return kb_xcpu_loop(t, n, kb_##nm##_get, kb_##nm##_put);  \
	}                                                                 \
	static u64 kb_##nm##_lat(struct kb_thread *t, u64 n)              \
	{                                                                 \
		return kb_lat_loop(t, n, kb_##nm##_get, kb_##nm##_put);   \
	}                                                                 \
	static void kb_##nm##_drain(struct kb_thread *t)                  \
	{                                                                 \
		kb_drain(t, kb_##nm##_put);                               \
	}                                                                 \
	static void kb_##nm##_irq(struct kb_thread *t)                    \
	{                                                                 \
		kb_irq_bulk(t, kb_##nm##_get, kb_##nm##_put);             \
	}                                                                 \
	static const struct kb_alloc kb_##nm = {                          \
		.name = #nm,                                              \
		.tests = (tests_),                                        \
		.pair = kb_##nm##_pair,                                   \
		.batch = kb_##nm##_batch,                                 \
		.mixed = kb_##nm##_mixed,                                 \
		.mixed_fill = kb_##nm##_mixed_fill,                       \
		.mixed_empty = kb_##nm##_mixed_empty,                     \
		.xcpu = kb_##nm##_xcpu,                                   \
		.lat = kb_##nm##_lat,                                     \
		.drain = kb_##nm##_drain,                                 \
		.irq = kb_##nm##_irq,                                     \
		__VA_ARGS__                                               \
	}

/*
 * kheap_alloc_nocache: kheap's per-CPU block cache off during its passes,
 * through kheap.ko's writable bool parameter "cache". Without it (a kheap
 * that has no cache), the case is left out.
 */
#define KB_CACHE_PARAM "/sys/module/kheap/parameters/cache"

/* The parameter's value before any run ("Y" or "N"); empty: none. */
static char kb_cache_saved[8];

static int kb_cache_write(const char *val)
{
	return kheap_file_write(KB_CACHE_PARAM, val);
}

/**
 * kb_cache_probe() - read kheap's cache parameter, to restore it after use
 *
 * Context: process context, before any run.
 * Return: its value, or "absent" when kheap.ko has no such parameter.
 */
const char *kb_cache_probe(void)
{
	char buf[sizeof(kb_cache_saved)];

	kb_cache_saved[0] = '\0';
	if (kheap_file_read(KB_CACHE_PARAM, buf, sizeof(buf)) <= 0)
		return "absent";
	strscpy(kb_cache_saved, strim(buf), sizeof(kb_cache_saved));
	return kb_cache_saved[0] ? kb_cache_saved : "absent";
}

/**
 * kb_cache_present() - does kheap.ko have the cache parameter?
 *
 * Context: any, after kb_cache_probe().
 * Return: true if it does.
 */
bool kb_cache_present(void)
{
	return kb_cache_saved[0];
}

static int kb_cache_off(struct kb_thread *t)
{
	return kb_cache_write("N");
}

static void kb_cache_restore(struct kb_thread *t)
{
	int err = kb_cache_write(kb_cache_saved);

	if (err)
		pr_warn("cannot restore %s to %s: %d\n", KB_CACHE_PARAM,
			kb_cache_saved, err);
}

#define KB_T_SIZED (KB_T_PAIR | KB_T_BATCH | KB_T_MIXED)

KB_ALLOC(kmalloc, KB_T_FIXED | KB_T_MIXED | KB_T_INIT);
KB_ALLOC(kzalloc, KB_T_PAIR | KB_T_INIT);
KB_ALLOC(kmem_cache, KB_T_FIXED);
KB_ALLOC(mempool, KB_T_FIXED);
KB_ALLOC(objpool, KB_T_FIXED);
KB_ALLOC(kheap_alloc, KB_T_FIXED | KB_T_MIXED | KB_T_INIT);
KB_ALLOC(kheap_alloc_nocache, KB_T_SIZED, .enter = kb_cache_off,
	 .leave = kb_cache_restore);
KB_ALLOC(kheap_trace, KB_T_FIXED);
KB_ALLOC(kheap_new, KB_T_FIXED | KB_T_INIT);
KB_ALLOC(kheap_pool, KB_T_FIXED);
KB_ALLOC(kheap_chain, KB_T_FIXED);
KB_ALLOC(percpu_ctl, 0);

/* In the order of the output; main.c finds the peers by name. */
const struct kb_alloc *const kb_allocs[] = {
	&kb_kmalloc,
	&kb_kzalloc,
	&kb_kmem_cache,
	&kb_mempool,
	&kb_objpool,
	&kb_kheap_alloc,
	&kb_kheap_alloc_nocache,
	&kb_kheap_trace,
	&kb_kheap_new,
	&kb_kheap_pool,
	&kb_kheap_chain,
	&kb_percpu_ctl,
};

const unsigned int kb_nr_allocs = ARRAY_SIZE(kb_allocs);

/* kheap_ring against a kfifo of pointers. */

static __always_inline bool kb_ring_push(struct kb_thread *t, void *p)
{
	return kheap_ring_push(t->ctx->ring, p);
}

static __always_inline void *kb_ring_pop(struct kb_thread *t)
{
	return kheap_ring_pop(t->ctx->ring);
}

static __always_inline bool kb_kfifo_push(struct kb_thread *t, void *p)
{
	return kfifo_put(&t->ctx->fifo, p);
}

static __always_inline void *kb_kfifo_pop(struct kb_thread *t)
{
	void *p;

	return kfifo_get(&t->ctx->fifo, &p) ? p : NULL;
}

/*
 * One CPU: push then pop. Two: thread 0 pushes, thread 1 pops; a transfer
 * is one pointer through the queue.
 */
static __always_inline u64 kb_xfer_loop(struct kb_thread *t, u64 n,
					bool (*push)(struct kb_thread *t,
						     void *p),
					void *(*pop)(struct kb_thread *t))
{
	bool solo = t->nr == 1;
	u64 i, spins = 0;
	void *p;

	for (i = 0; i < n && !kb_tick(t, i); i++) {
		if (solo || !t->idx) {
			while (!push(t, t))
				if (kb_spin(t, &spins))
					return i;
		}
		if (solo || t->idx) {
			while (!(p = pop(t)))
				if (kb_spin(t, &spins))
					return i;
			OPTIMIZER_HIDE_VAR(p);
		}
	}
	return i;
}

/**
 * kb_ring_loop() - transfers through a kheap_ring
 * @t:	the thread
 * @n:	transfers
 *
 * Context: a run's thread.
 * Return: transfers done.
 */
u64 kb_ring_loop(struct kb_thread *t, u64 n)
{
	return kb_xfer_loop(t, n, kb_ring_push, kb_ring_pop);
}

/**
 * kb_kfifo_loop() - transfers through a kfifo of pointers
 * @t:	the thread
 * @n:	transfers
 *
 * Context: a run's thread.
 * Return: transfers done.
 */
u64 kb_kfifo_loop(struct kb_thread *t, u64 n)
{
	return kb_xfer_loop(t, n, kb_kfifo_push, kb_kfifo_pop);
}

/**
 * kb_xfer_reset() - empty the ring and the kfifo after a run
 * @t:	a thread of the finished run
 *
 * Context: no thread of the run is running.
 */
void kb_xfer_reset(struct kb_thread *t)
{
	while (kheap_ring_pop(t->ctx->ring))
		;
	kfifo_reset(&t->ctx->fifo);
}

/* kheap_hier_bytes() over KB_NR_HEAPS heaps. */

/**
 * kb_hier_loop() - kheap_hier_bytes() from the root of the tree
 * @t:	the thread
 * @n:	calls
 *
 * Context: a run's thread.
 * Return: calls done.
 */
u64 kb_hier_loop(struct kb_thread *t, u64 n)
{
	struct kheap *root = t->ctx->heaps[0];
	u64 i;

	for (i = 0; i < n && !kb_tick(t, i); i++) {
		size_t bytes = kheap_hier_bytes(root);

		OPTIMIZER_HIDE_VAR(bytes);
	}
	return i;
}

static __always_inline void *kb_leaf_get(struct kb_thread *t)
{
	return kheap_alloc(t->ctx->heaps[KB_NR_HEAPS - 1], t->size, GFP_KERNEL);
}

/**
 * kb_hier_bg() - the CPU that allocates meanwhile, into a leaf of the tree
 * @t:	the thread
 * @n:	alloc and free pairs
 *
 * Context: a run's thread.
 * Return: pairs done.
 */
u64 kb_hier_bg(struct kb_thread *t, u64 n)
{
	return kb_pair_loop(t, n, kb_leaf_get, kb_kheap_alloc_put);
}

/**
 * kb_reader_bg() - read the heap's debugfs list of live blocks, n times
 * @t:	the thread
 * @n:	reads of the whole file
 *
 * Each read opens the file (which snapshots the list, shard by shard, in
 * batches) and reads it whole through its seq_file (kernel_read() cannot
 * read a debugfs file).
 *
 * Context: a run's thread.
 * Return: reads done; a file that does not open or read counts as a miss.
 * It returns early once the measured thread's loop is over.
 */
u64 kb_reader_bg(struct kb_thread *t, u64 n)
{
	u64 i;

	for (i = 0; i < n && !kb_bg_over(t); i++) {
		struct file *f = filp_open(t->ctx->live_path, O_RDONLY, 0);

		if (IS_ERR(f)) {
			t->misses++;
			return i;
		}
		if (kheap_debugfs_read_seq(f, t->buf, PAGE_SIZE, true) < 0)
			t->misses++;
		filp_close(f, NULL);
		cond_resched();
	}
	return i;
}

/*
 * The primitives kheap's tracked path is made of, each on its own: what
 * they cost explains the tracked pair's cost (test "parts").
 */

#define KB_PART_LOCKS 8

/* One lock and one lock word per thread, each pair on its own cache line. */
static struct {
	raw_spinlock_t lock;
	atomic_t word;
} ____cacheline_aligned_in_smp kb_part_locks[KB_PART_LOCKS];

/* What this_cpu_inc() increments: as kheap's per-CPU statistics. */
static DEFINE_PER_CPU(unsigned long, kb_part_count);

/**
 * kb_parts_init() - ready the locks the "parts" test takes
 *
 * Context: process context, before any run.
 */
void kb_parts_init(void)
{
	unsigned int i;

	for (i = 0; i < KB_PART_LOCKS; i++) {
		raw_spin_lock_init(&kb_part_locks[i].lock);
		atomic_set(&kb_part_locks[i].word, 0);
	}
}

static __always_inline u64 kb_op_loop(struct kb_thread *t, u64 n,
				      void (*op)(struct kb_thread *t))
{
	u64 i;

	for (i = 0; i < n && !kb_tick(t, i); i++)
		op(t);
	return i;
}

/* Nothing: what the loop itself costs, to subtract from the others. */
static __always_inline void kb_empty_op(struct kb_thread *t)
{
	barrier();
}

/*
 * A call into kheap.ko and back: the price of one exported function on the
 * fast path. kheap_name(NULL) tests its argument and returns a constant.
 */
static __always_inline void kb_call_op(struct kb_thread *t)
{
	const char *name = kheap_name(NULL);

	OPTIMIZER_HIDE_VAR(name);
}

static __always_inline void kb_pcpu_op(struct kb_thread *t)
{
	this_cpu_inc(kb_part_count);
}

static __always_inline void kb_preempt_op(struct kb_thread *t)
{
	preempt_disable();
	preempt_enable();
}

static __always_inline void kb_irq_op(struct kb_thread *t)
{
	unsigned long flags;

	local_irq_save(flags);
	local_irq_restore(flags);
}

/* One uncontended locked cmpxchg on the thread's own word. */
static __always_inline void kb_cmpxchg_op(struct kb_thread *t)
{
	atomic_t *word = &kb_part_locks[t->idx % KB_PART_LOCKS].word;
	int old = atomic_read(word);

	if (!atomic_try_cmpxchg(word, &old, old + 1))
		t->misses++;
}

/* A lock of the thread's own, as a shard's lock is its CPU's own. */
static __always_inline void kb_lock_op(struct kb_thread *t)
{
	raw_spinlock_t *lock = &kb_part_locks[t->idx % KB_PART_LOCKS].lock;
	unsigned long flags;

	raw_spin_lock_irqsave(lock, flags);
	raw_spin_unlock_irqrestore(lock, flags);
}

static __always_inline void kb_jiffies_op(struct kb_thread *t)
{
	unsigned long now = jiffies;

	OPTIMIZER_HIDE_VAR(now);
}

static __always_inline void kb_clock_op(struct kb_thread *t)
{
	u64 now = local_clock();

	OPTIMIZER_HIDE_VAR(now);
}

/* One word loaded inline, a fault caught by the exception table. */
static __always_inline void kb_get_nofault_op(struct kb_thread *t)
{
	unsigned long word;

	__get_kernel_nofault(&word, t->batch, unsigned long, fault);
	OPTIMIZER_HIDE_VAR(word);
	return;
fault:
	t->misses++;
}

/* What kheap_free() does to check a header it has not vouched for yet. */
static __always_inline void kb_nofault_op(struct kb_thread *t)
{
	struct kheap_hdr copy;
	long err = copy_from_kernel_nofault(&copy, t->batch, sizeof(copy));

	OPTIMIZER_HIDE_VAR(err);
}

/*
 * kheap's two tracepoints of a tracked pair, disabled (as they are unless
 * someone enables them): static-key NOPs, their arguments at hand.
 */
static __always_inline void kb_tp_off_op(struct kb_thread *t)
{
	const void *ptr = t->batch;

	OPTIMIZER_HIDE_VAR(ptr);
	trace_kheap_alloc("bench", _THIS_IP_, ptr, 64, 128, GFP_KERNEL, 1);
	trace_kheap_free("bench", _THIS_IP_, ptr, 64, 1);
}

static __always_inline void kb_rcu_op(struct kb_thread *t)
{
	rcu_read_lock();
	rcu_read_unlock();
}

/*
 * The floor of a tracked pair: kmalloc(size + KB_FLOOR_OVERHEAD), a header
 * written, kfree(), behind one call each way (kb_floor_alloc() and
 * kb_floor_free() in ctx.c, noinline, as kheap_alloc() and kheap_free()
 * are calls into kheap.ko).
 */
static __always_inline void *kb_floor_get(struct kb_thread *t)
{
	return kb_floor_alloc(t->ctx->heap, t->size, GFP_KERNEL);
}

static __always_inline void kb_floor_put(struct kb_thread *t, void *p)
{
	kb_floor_free(p);
}

static u64 kb_empty_loop(struct kb_thread *t, u64 n)
{
	return kb_op_loop(t, n, kb_empty_op);
}

static u64 kb_call_loop(struct kb_thread *t, u64 n)
{
	return kb_op_loop(t, n, kb_call_op);
}

static u64 kb_pcpu_loop(struct kb_thread *t, u64 n)
{
	return kb_op_loop(t, n, kb_pcpu_op);
}

static u64 kb_preempt_loop(struct kb_thread *t, u64 n)
{
	return kb_op_loop(t, n, kb_preempt_op);
}

static u64 kb_irq_loop(struct kb_thread *t, u64 n)
{
	return kb_op_loop(t, n, kb_irq_op);
}

static u64 kb_cmpxchg_loop(struct kb_thread *t, u64 n)
{
	return kb_op_loop(t, n, kb_cmpxchg_op);
}

static u64 kb_lock_loop(struct kb_thread *t, u64 n)
{
	return kb_op_loop(t, n, kb_lock_op);
}

static u64 kb_jiffies_loop(struct kb_thread *t, u64 n)
{
	return kb_op_loop(t, n, kb_jiffies_op);
}

static u64 kb_clock_loop(struct kb_thread *t, u64 n)
{
	return kb_op_loop(t, n, kb_clock_op);
}

static u64 kb_get_nofault_loop(struct kb_thread *t, u64 n)
{
	return kb_op_loop(t, n, kb_get_nofault_op);
}

static u64 kb_nofault_loop(struct kb_thread *t, u64 n)
{
	return kb_op_loop(t, n, kb_nofault_op);
}

static u64 kb_tp_off_loop(struct kb_thread *t, u64 n)
{
	return kb_op_loop(t, n, kb_tp_off_op);
}

static u64 kb_rcu_loop(struct kb_thread *t, u64 n)
{
	return kb_op_loop(t, n, kb_rcu_op);
}

static u64 kb_floor_loop(struct kb_thread *t, u64 n)
{
	return kb_pair_loop(t, n, kb_floor_get, kb_floor_put);
}

/*
 * The cost of stacks on: a tracked pair on a heap that records each
 * block's allocation stack (kheap_set_stacks(): an unwind, a stack depot
 * lookup, an 8-byte header extension, no block cache), and the same pair
 * on the heap with stacks off, timed in the same group.
 */
static __always_inline void *kb_stacks_get(struct kb_thread *t)
{
	return kheap_alloc(t->ctx->stacks_heap, t->size, GFP_KERNEL);
}

/* No stacks (kheap_set_stacks() failed): every pass a miss, said so. */
static __always_inline void *kb_no_stacks_get(struct kb_thread *t)
{
	return NULL;
}

static u64 kb_stacks_on_loop(struct kb_thread *t, u64 n)
{
	if (unlikely(!kheap_stacks(t->ctx->stacks_heap)))
		return kb_pair_loop(t, n, kb_no_stacks_get, kb_kheap_alloc_put);
	return kb_pair_loop(t, n, kb_stacks_get, kb_kheap_alloc_put);
}

static u64 kb_stacks_off_loop(struct kb_thread *t, u64 n)
{
	return kb_pair_loop(t, n, kb_kheap_alloc_get, kb_kheap_alloc_put);
}

const struct kb_part kb_parts[] = {
	{ "empty_loop", kb_empty_loop },
	{ "exported_call", kb_call_loop },
	{ "this_cpu_inc", kb_pcpu_loop },
	{ "preempt_disable+enable", kb_preempt_loop },
	{ "local_irq_save+restore", kb_irq_loop },
	{ "lock_cmpxchg", kb_cmpxchg_loop },
	{ "raw_spin_lock_irqsave+unlock", kb_lock_loop },
	{ "jiffies", kb_jiffies_loop },
	{ "local_clock", kb_clock_loop },
	{ "get_kernel_nofault", kb_get_nofault_loop },
	{ "copy_from_kernel_nofault_hdr", kb_nofault_loop },
	{ "rcu_read_lock+unlock", kb_rcu_loop },
	{ "tracepoints_off", kb_tp_off_loop },
	{ "floor", kb_floor_loop, true },
	{ "stacks_off", kb_stacks_off_loop, true },
	{ "stacks_on", kb_stacks_on_loop, true },
};

const unsigned int kb_nr_parts = ARRAY_SIZE(kb_parts);
