/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kheap_bench: definitions shared by the benchmark module's files.
 *
 * A measurement (a "run") times a group of cases, interleaved: it starts
 * one kthread per CPU the widest case uses, bound to that CPU. The threads
 * meet at a start gate and warm each case up in turn (thread 0 times a
 * case's warm-up to choose its iteration count, so that one repetition
 * lasts about rep_ms). Then come the repetitions, one of each case in turn
 * (A B C A B C ...), so that a drift of the host hits every case of the
 * group alike. Each pass of a case is fenced by a barrier before and after;
 * the threads a case does not use sleep through it. A thread times its own
 * loop with ktime_get_ns(). Per repetition, a case's cost is its slowest
 * thread's time times the number of counted threads over the operations
 * they did: ns per operation and CPU. The median, minimum and maximum over
 * the repetitions, and every repetition in order, are printed as
 * machine-readable lines.
 *
 * Every loop looks at the clock and calls cond_resched() every
 * KB_TICK_MASK + 1 operations and gives up at a deadline, so a slow or
 * stuck case cannot livelock the guest.
 */
#ifndef _KHEAP_BENCH_H
#define _KHEAP_BENCH_H

#include <linux/atomic.h>
#include <linux/completion.h>
#include <linux/hrtimer.h>
#include <linux/kfifo.h>
#include <linux/mempool.h>
#include <linux/objpool.h>
#include <linux/types.h>
#include <linux/wait.h>

#include <kheap/kheap.h>

#define KB_MAX_REPS 9
#define KB_MAX_CASES 32
#define KB_BATCH 256
#define KB_TICK_MASK 255
#define KB_NR_HEAPS 1000
#define KB_PREFILL 1000
#define KB_POOL_PER_CPU 256
#define KB_RING_CAP 256
#define KB_XCPU_CAP 128
/* Sizes the mixed test cycles through; 9 does not divide KB_BATCH. */
#define KB_MIXED_SIZES 9
/* What the floor adds to a request: a 56-byte header and an 8-byte canary. */
#define KB_FLOOR_OVERHEAD 64

struct kb_thread;

/**
 * struct kb_ctx - the objects every thread of a run shares, for one size
 * @size:	object size in bytes
 * @heap:	kheap_alloc(), kheap_new(), the pool and the chains
 * @trace_heap:	kheap_alloc() with the trace reporter attached
 * @stacks_heap: kheap_alloc() with allocation stacks on (parts stacks_on)
 * @cache:	kmem_cache_alloc()
 * @mempool:	mempool_alloc(), over @cache
 * @objpool:	objpool_pop() and objpool_push()
 * @pool:	kheap_pool_get() and kheap_pool_put()
 * @chains:	one kheap_chain per CPU (a chain has one getter, one putter)
 * @ring:	kheap_ring of the ring/kfifo comparison
 * @fifo:	the kfifo of pointers it is compared with
 * @xring:	hands objects from the allocating CPU to the freeing one
 * @heaps:	KB_NR_HEAPS heaps linked into a tree, for kheap_hier_bytes()
 * @prefill:	KB_PREFILL live blocks in @heap during the latency runs
 * @live_path:	debugfs file of @heap's live blocks, read by the reader
 * @objpool_ok:	@objpool was initialised
 */
struct kb_ctx {
	size_t size;
	struct kheap *heap;
	struct kheap *trace_heap;
	struct kheap *stacks_heap;
	struct kmem_cache *cache;
	mempool_t *mempool;
	struct objpool_head objpool;
	struct kheap_pool *pool;
	struct kheap_chain **chains;
	struct kheap_ring *ring;
	DECLARE_KFIFO_PTR(fifo, void *);
	struct kheap_ring *xring;
	struct kheap **heaps;
	void **prefill;
	char *live_path;
	bool objpool_ok;
};

/* The tests an allocator takes part in (struct kb_alloc.tests). */
#define KB_T_PAIR BIT(0) /* pair */
#define KB_T_BATCH BIT(1) /* batch256 */
#define KB_T_XCPU BIT(2) /* xcpu */
#define KB_T_LAT BIT(3) /* lat */
#define KB_T_MIXED BIT(4) /* mixed: its get honours any size */
#define KB_T_INIT BIT(5) /* pair_init */
#define KB_T_FIXED (KB_T_PAIR | KB_T_BATCH | KB_T_XCPU | KB_T_LAT)

/**
 * struct kb_alloc - an allocator under test: its loops, one per pattern
 * @name:	as printed
 * @tests:	KB_T_* of the tests it takes part in
 * @pair:	get and put one object, again and again
 * @batch:	KB_BATCH gets, then KB_BATCH puts
 * @mixed:	put the oldest of KB_BATCH live objects, get one of the next
 *		size; sizes go round KB_MIXED_SIZES of them
 * @mixed_fill:	get the KB_BATCH live objects of @mixed
 * @mixed_empty: put them back
 * @xcpu:	thread 0 gets and hands over, thread 1 puts
 * @lat:	@pair with each pair timed into the thread's samples
 * @drain:	put back what the hand-over ring still holds
 * @irq:	a few gets and puts, from the scaling run's hrtimer
 * @enter:	thread 0 calls it before each pass, or NULL; an error voids
 *		the case's figures
 * @leave:	thread 0 calls it after each pass (after @enter), or NULL
 */
struct kb_alloc {
	const char *name;
	unsigned int tests;
	u64 (*pair)(struct kb_thread *t, u64 n);
	u64 (*batch)(struct kb_thread *t, u64 n);
	u64 (*mixed)(struct kb_thread *t, u64 n);
	void (*mixed_fill)(struct kb_thread *t);
	void (*mixed_empty)(struct kb_thread *t);
	u64 (*xcpu)(struct kb_thread *t, u64 n);
	u64 (*lat)(struct kb_thread *t, u64 n);
	void (*drain)(struct kb_thread *t);
	void (*irq)(struct kb_thread *t);
	int (*enter)(struct kb_thread *t);
	void (*leave)(struct kb_thread *t);
};

/**
 * struct kb_part - a primitive of kheap's tracked path, timed on its own
 * @name:	as printed
 * @loop:	n operations
 * @sized:	it works on objects of the run's size (printed as its size)
 */
struct kb_part {
	const char *name;
	u64 (*loop)(struct kb_thread *t, u64 n);
	bool sized;
};

/* How a run's threads cooperate (struct kb_spec.flags). */
#define KB_PAIRED BIT(0) /* thread 0 produces, thread 1 consumes: 1 counts */
#define KB_BACKGROUND BIT(1) /* threads 1.. run @bg while thread 0 loops */
#define KB_TIMED BIT(2) /* each repetition lasts rep_ns, iters unbounded */
#define KB_PREFILLED BIT(3) /* thread 0 holds KB_PREFILL blocks of @heap */

/**
 * struct kb_spec - what one case of a run measures
 * @test:	the pattern, first column of the output
 * @name:	the case
 * @size:	the size column of its output (0 when it does not apply)
 * @nr:		threads, one per online CPU from the first
 * @flags:	KB_PAIRED, KB_BACKGROUND, KB_TIMED, KB_PREFILLED
 * @loop:	the timed loop: n operations (or until the deadline)
 * @bg:		background threads' loop, with KB_BACKGROUND
 * @irq:	hrtimer work during each repetition, or NULL
 * @prep:	each of its threads calls it before each pass, or NULL
 * @done:	each of its threads calls it after each pass, or NULL
 * @drain:	its last thread calls it after each pass to empty a
 *		hand-over ring, or NULL
 * @enter:	see struct kb_alloc
 * @leave:	see struct kb_alloc
 * @iters:	operations per repetition; 0 to calibrate from the warm-up
 * @samples:	per-operation latencies thread 0 records, or 0
 */
struct kb_spec {
	const char *test;
	const char *name;
	size_t size;
	unsigned int nr;
	unsigned int flags;
	u64 (*loop)(struct kb_thread *t, u64 n);
	u64 (*bg)(struct kb_thread *t, u64 n);
	void (*irq)(struct kb_thread *t);
	void (*prep)(struct kb_thread *t);
	void (*done)(struct kb_thread *t);
	void (*drain)(struct kb_thread *t);
	int (*enter)(struct kb_thread *t);
	void (*leave)(struct kb_thread *t);
	u64 iters;
	u64 samples;
};

/**
 * struct kb_thread - one bound kthread of a run
 * @run:	its run
 * @ctx:	the shared objects
 * @spec:	the case of the current pass
 * @task:	the kthread
 * @idx:	0.. within the run
 * @nr:		threads of the current case
 * @cpu:	the CPU it is bound to
 * @size:	the size its gets ask for: @ctx->size, but for the mixed test
 * @chain:	the kheap_chain it uses
 * @deadline:	ktime_get_ns() after which its loop gives up
 * @ops:	operations done in each repetition of each case
 * @ns:		time taken by each repetition of each case
 * @misses:	gets that found nothing in the current pass
 * @case_misses: gets that found nothing, per case
 * @irq_ops:	operations done by its hrtimer
 * @timer:	the hrtimer of KB_TIMED runs with irq work
 * @samples:	per-operation latencies of the current case, ns
 * @nr_samples:	room in @samples
 * @recorded:	samples the current case took since its warm-up
 * @case_samples: thread 0's latencies, per case that takes samples
 * @case_recorded: samples taken, per case
 * @buf:	the reader's buffer
 * @slot:	the mixed test's oldest object in @batch
 * @next:	the mixed test's next size, an index into its sizes
 * @batch:	objects held by the batch and mixed patterns
 */
struct kb_thread {
	struct kb_run *run;
	struct kb_ctx *ctx;
	const struct kb_spec *spec;
	struct task_struct *task;
	unsigned int idx;
	unsigned int nr;
	unsigned int cpu;
	size_t size;
	struct kheap_chain *chain;
	u64 deadline;
	u64 ops[KB_MAX_CASES][KB_MAX_REPS];
	u64 ns[KB_MAX_CASES][KB_MAX_REPS];
	unsigned long misses;
	unsigned long case_misses[KB_MAX_CASES];
	unsigned long irq_ops;
	struct hrtimer timer;
	u32 *samples;
	u64 nr_samples;
	u64 recorded;
	u32 *case_samples[KB_MAX_CASES];
	u64 case_recorded[KB_MAX_CASES];
	char *buf;
	unsigned int slot;
	unsigned int next;
	void *batch[KB_BATCH];
};

/**
 * struct kb_result - a case's figures
 * @ns_med:	median ns per operation and CPU, in tenths
 * @ns_min:	fastest repetition, in tenths
 * @ns_max:	slowest repetition, in tenths
 * @reps:	each repetition, in the order they ran, in tenths
 * @mops:	operations per microsecond over all counted threads, the
 *		median repetition, in thousandths (Mops/s * 1000)
 * @misses:	gets that found nothing, over all threads
 * @lat:	p50, p99, p99.9 and maximum latency in ns, with samples
 * @err:	0, or why the case has no figures
 */
struct kb_result {
	u64 ns_med;
	u64 ns_min;
	u64 ns_max;
	u64 reps[KB_MAX_REPS];
	u64 mops;
	unsigned long misses;
	u64 lat[4];
	int err;
};

/* Module parameters (main.c). */
extern unsigned int kb_reps;
extern unsigned int kb_rep_ms;
extern unsigned int kb_scale_ms;
extern unsigned int kb_warmup;
extern bool kb_verbose;

/* run.c */
bool kb_expired(struct kb_thread *t);
bool kb_bg_over(const struct kb_thread *t);
int kb_run(struct kb_ctx *ctx, const struct kb_spec *specs, unsigned int n,
	   struct kb_result *res);
void kb_print(const struct kb_spec *spec, unsigned int group,
	      const struct kb_result *res);
u64 kb_timer_overhead(void);

/* cases.c */
extern const struct kb_alloc *const kb_allocs[];
extern const unsigned int kb_nr_allocs;
extern const struct kb_part kb_parts[];
extern const unsigned int kb_nr_parts;
void kb_parts_init(void);
void kb_sentry_bind(struct kheap *heap);
u64 kb_ring_loop(struct kb_thread *t, u64 n);
u64 kb_kfifo_loop(struct kb_thread *t, u64 n);
void kb_xfer_reset(struct kb_thread *t);
u64 kb_hier_loop(struct kb_thread *t, u64 n);
u64 kb_hier_bg(struct kb_thread *t, u64 n);
u64 kb_reader_bg(struct kb_thread *t, u64 n);
const char *kb_cache_probe(void);
bool kb_cache_present(void);

/* ctx.c */
struct kb_ctx *kb_ctx_create(size_t size, const char *debugfs);
void kb_ctx_destroy(struct kb_ctx *ctx);
int kb_hier_setup(struct kb_ctx *ctx);
void kb_hier_teardown(struct kb_ctx *ctx);
int kb_prefill(struct kb_ctx *ctx);
void kb_unfill(struct kb_ctx *ctx);
void *kb_floor_alloc(struct kheap *heap, size_t size, gfp_t gfp);
void kb_floor_free(const void *ptr);

#endif /* _KHEAP_BENCH_H */
