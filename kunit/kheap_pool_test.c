// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests for kheap rings, chains and per-CPU pools.
 *
 * Stress cases run for a bounded time (a ktime deadline, cond_resched() in
 * every loop) because the test kernel is KASAN under QEMU TCG.
 */
#include <kunit/test.h>
#include <linux/atomic.h>
#include <linux/bitmap.h>
#include <linux/cache.h>
#include <linux/completion.h>
#include <linux/cpumask.h>
#include <linux/delay.h>
#include <linux/err.h>
#include <linux/hrtimer.h>
#include <linux/kthread.h>
#include <linux/ktime.h>
#include <linux/sched.h>
#include <linux/log2.h>
#include <linux/rcupdate.h>
#include <linux/sizes.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/string.h>

#include <kheap/kheap.h>

#include "../kmod/kheap_pool_kunit.h"

#define STRESS_MS 1500

/*
 * A test kthread signals @done when its work is over, then sleeps until
 * kthread_stop(). The test waits for @done before it calls kthread_stop():
 * a thread stopped before it first runs never runs its function at all.
 */
static int done_wait_for_stop(struct completion *done, int ret)
{
	complete(done);
	set_current_state(TASK_INTERRUPTIBLE);
	while (!kthread_should_stop()) {
		schedule();
		set_current_state(TASK_INTERRUPTIBLE);
	}
	__set_current_state(TASK_RUNNING);
	return ret;
}

/* A distinct, non-NULL pointer for value @i (never dereferenced). */
static void *token(unsigned long i)
{
	return (void *)(i + 1);
}

/* ---------------------------------------------------------------- rings */

static struct kheap_ring *ring_new(struct kunit *test, unsigned int cap)
{
	struct kheap_ring *ring = kheap_ring_create(cap, GFP_KERNEL);

	KUNIT_ASSERT_FALSE(test, IS_ERR_OR_NULL(ring));
	return ring;
}

static void ring_test_fill_drain_order(struct kunit *test)
{
	struct kheap_ring *ring = ring_new(test, 8);
	unsigned long i;

	for (i = 0; i < 8; i++) {
		KUNIT_EXPECT_TRUE(test, kheap_ring_push(ring, token(i)));
		KUNIT_EXPECT_EQ(test, kheap_ring_count(ring), i + 1);
	}
	for (i = 0; i < 8; i++)
		KUNIT_EXPECT_PTR_EQ(test, kheap_ring_pop(ring), token(i));
	KUNIT_EXPECT_EQ(test, kheap_ring_count(ring), 0U);
	kheap_ring_destroy(ring);
}

static void ring_test_full_empty_edges(struct kunit *test)
{
	struct kheap_ring *ring = ring_new(test, 4);
	unsigned long i, round;

	KUNIT_EXPECT_NULL(test, kheap_ring_pop(ring));
	for (round = 0; round < 3; round++) {
		for (i = 0; i < 4; i++)
			KUNIT_EXPECT_TRUE(test,
					  kheap_ring_push(ring, token(i)));
		KUNIT_EXPECT_FALSE(test, kheap_ring_push(ring, token(99)));
		KUNIT_EXPECT_EQ(test, kheap_ring_count(ring), 4U);
		/* One out makes room for exactly one in. */
		KUNIT_EXPECT_PTR_EQ(test, kheap_ring_pop(ring), token(0));
		KUNIT_EXPECT_TRUE(test, kheap_ring_push(ring, token(4)));
		KUNIT_EXPECT_FALSE(test, kheap_ring_push(ring, token(99)));
		for (i = 1; i <= 4; i++)
			KUNIT_EXPECT_PTR_EQ(test, kheap_ring_pop(ring),
					    token(i));
		KUNIT_EXPECT_NULL(test, kheap_ring_pop(ring));
		KUNIT_EXPECT_EQ(test, kheap_ring_count(ring), 0U);
	}
	kheap_ring_destroy(ring);
	kheap_ring_destroy(NULL);
}

static void ring_test_null_push_rejected(struct kunit *test)
{
	struct kheap_ring *ring = ring_new(test, 2);

	KUNIT_EXPECT_FALSE(test, kheap_ring_push(ring, NULL));
	KUNIT_EXPECT_EQ(test, kheap_ring_count(ring), 0U);
	KUNIT_EXPECT_NULL(test, kheap_ring_pop(ring));
	kheap_ring_destroy(ring);
}

struct ring_cap_case {
	unsigned int asked;
	int want; /* the capacity, or a -errno */
};

static const struct ring_cap_case ring_cap_cases[] = {
	{ 0, -EINVAL },
	{ 1, -EINVAL },
	{ 2, 2 },
	{ 3, 4 },
	{ 5, 8 },
	{ 1000, 1024 },
	{ 1048575, 1048576 },
	{ 1048576, 1048576 },
	{ 1048577, -EINVAL },
	{ UINT_MAX, -EINVAL },
};

static void ring_cap_desc(const struct ring_cap_case *c, char *desc)
{
	snprintf(desc, KUNIT_PARAM_DESC_SIZE, "capacity %u", c->asked);
}

KUNIT_ARRAY_PARAM(ring_cap, ring_cap_cases, ring_cap_desc);

static void ring_test_capacity_rounding(struct kunit *test)
{
	const struct ring_cap_case *c = test->param_value;
	struct kheap_ring *ring = kheap_ring_create(c->asked, GFP_KERNEL);

	if (c->want < 0) {
		KUNIT_EXPECT_EQ(test, PTR_ERR_OR_ZERO(ring), c->want);
		return;
	}
	KUNIT_ASSERT_FALSE(test, IS_ERR_OR_NULL(ring));
	KUNIT_EXPECT_EQ(test, kheap_ring_capacity(ring), (unsigned int)c->want);
	KUNIT_EXPECT_EQ(test, kheap_ring_count(ring), 0U);
	kheap_ring_destroy(ring);
}

static void ring_test_wraparound(struct kunit *test)
{
	struct kheap_ring *ring = ring_new(test, 4);
	unsigned long next_in = 0, next_out = 0, step;

	KUNIT_ASSERT_EQ(test, kheap_test_ring_set_index(ring, U32_MAX - 9), 0);
	/* Pass 2^32 several times with the ring at every fill level. */
	for (step = 0; step < 40; step++) {
		unsigned int fill = step % 5, i;

		for (i = 0; i < fill; i++)
			KUNIT_EXPECT_TRUE(test,
					  kheap_ring_push(ring,
							  token(next_in + i)));
		next_in += fill;
		KUNIT_EXPECT_EQ(test, kheap_ring_count(ring), fill);
		if (fill == 4)
			KUNIT_EXPECT_FALSE(test,
					   kheap_ring_push(ring, token(999)));
		for (i = 0; i < fill; i++)
			KUNIT_EXPECT_PTR_EQ(test, kheap_ring_pop(ring),
					    token(next_out++));
		KUNIT_EXPECT_NULL(test, kheap_ring_pop(ring));
	}
	/* The indices did cross 2^32: tail is now small. */
	KUNIT_EXPECT_LT(test, READ_ONCE(ring->tail), 1000U);
	kheap_ring_destroy(ring);
}

/*
 * The SPSC stress: objects go from the producer to the consumer through
 * @ring and back through @free. The producer writes the next value into an
 * object with a plain store before the push; the consumer reads it with a
 * plain load after the pop: each ring's release and acquire are all that
 * order them, which is what KCSAN's weak-memory modelling checks.
 */
#define RING_SPSC_OBJS 16

struct ring_spsc {
	struct kheap_ring *ring; /* filled objects, to the consumer */
	struct kheap_ring *free; /* empty objects, back to the producer */
	unsigned long objs[RING_SPSC_OBJS];
	atomic_t producer_done;
	unsigned long produced;
	unsigned long consumed;
	unsigned long bad; /* values out of order */
	unsigned long first_bad;
	/* The producer, in ring_test_spsc_hardirq. */
	struct hrtimer timer;
	struct completion prod_done;
	struct completion cons_done;
};

/*
 * Pass the next value on in an empty object, if there is one. Each ring
 * has room for every object, so the push finds room.
 */
static void ring_spsc_produce(struct ring_spsc *s)
{
	unsigned long *obj = kheap_ring_pop(s->free);

	if (!obj)
		return;
	*obj = s->produced++;
	kheap_ring_push(s->ring, obj);
}

/* Take the next value and give its object back; false if none is there. */
static bool ring_spsc_consume(struct ring_spsc *s)
{
	unsigned long *obj = kheap_ring_pop(s->ring);

	if (!obj)
		return false;
	if (*obj != s->consumed && !s->bad++)
		s->first_bad = s->consumed;
	s->consumed++;
	kheap_ring_push(s->free, obj);
	return true;
}

static int ring_spsc_producer(void *arg)
{
	struct ring_spsc *s = arg;
	/* From its first run: a thread that starts late keeps its window. */
	ktime_t end = ktime_add_ms(ktime_get(), STRESS_MS / 2);

	while (ktime_before(ktime_get(), end)) {
		int i;

		for (i = 0; i < 64; i++)
			ring_spsc_produce(s);
		cond_resched();
	}
	/* Pairs with atomic_read_acquire() in the consumer: produced is final. */
	atomic_set_release(&s->producer_done, 1);
	return done_wait_for_stop(&s->prod_done, 0);
}

/*
 * The producer of ring_test_spsc_hardirq: a hard hrtimer, which expires in
 * hardirq context on PREEMPT_RT too. It is the ring's only producer.
 */
static enum hrtimer_restart ring_irq_push(struct hrtimer *t)
{
	struct ring_spsc *s = container_of(t, struct ring_spsc, timer);
	int i;

	for (i = 0; i < 8; i++)
		ring_spsc_produce(s);
	hrtimer_forward_now(t, ns_to_ktime(100 * NSEC_PER_USEC));
	return HRTIMER_RESTART;
}

/* Runs the hard hrtimer on this kthread's CPU until the deadline. */
static int ring_irq_producer(void *arg)
{
	struct ring_spsc *s = arg;
	/* From its first run: a thread that starts late keeps its window. */
	ktime_t end = ktime_add_ms(ktime_get(), STRESS_MS / 2);

	hrtimer_init(&s->timer, CLOCK_MONOTONIC, HRTIMER_MODE_REL_PINNED_HARD);
	s->timer.function = ring_irq_push;
	hrtimer_start(&s->timer, ns_to_ktime(100 * NSEC_PER_USEC),
		      HRTIMER_MODE_REL_PINNED_HARD);
	while (ktime_before(ktime_get(), end))
		usleep_range(5000, 10000);
	/* Waits for a running callback: no push after this. */
	hrtimer_cancel(&s->timer);
	/* Pairs with atomic_read_acquire() in the consumer: produced is final. */
	atomic_set_release(&s->producer_done, 1);
	return done_wait_for_stop(&s->prod_done, 0);
}

static int ring_spsc_consumer(void *arg)
{
	struct ring_spsc *s = arg;

	for (;;) {
		bool done = atomic_read_acquire(&s->producer_done);
		bool got = true;
		int i;

		for (i = 0; i < 64 && got; i++)
			got = ring_spsc_consume(s);
		if (done && !got)
			break;
		cond_resched();
	}
	return done_wait_for_stop(&s->cons_done, 0);
}

/* A producer kthread (@producer) and a consumer kthread on two CPUs. */
static void ring_spsc_run(struct kunit *test, int (*producer)(void *))
{
	struct task_struct *prod, *cons;
	struct ring_spsc *s;
	int cpu_p, cpu_c, i;

	if (num_online_cpus() < 2)
		kunit_skip(test, "needs two online CPUs");
	s = kunit_kzalloc(test, sizeof(*s), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, s);
	s->ring = ring_new(test, RING_SPSC_OBJS);
	s->free = ring_new(test, RING_SPSC_OBJS);
	for (i = 0; i < RING_SPSC_OBJS; i++)
		KUNIT_ASSERT_TRUE(test, kheap_ring_push(s->free, &s->objs[i]));
	init_completion(&s->prod_done);
	init_completion(&s->cons_done);
	cpu_p = cpumask_first(cpu_online_mask);
	cpu_c = cpumask_next(cpu_p, cpu_online_mask);

	prod = kthread_create(producer, s, "kheap_ring_prod");
	KUNIT_ASSERT_FALSE(test, IS_ERR(prod));
	cons = kthread_create(ring_spsc_consumer, s, "kheap_ring_cons");
	if (IS_ERR(cons)) {
		kthread_stop(prod);
		KUNIT_FAIL(test, "kthread_create: %ld", PTR_ERR(cons));
		return;
	}
	kthread_bind(prod, cpu_p);
	kthread_bind(cons, cpu_c);
	wake_up_process(prod);
	wake_up_process(cons);
	wait_for_completion(&s->prod_done);
	wait_for_completion(&s->cons_done);
	kthread_stop(prod);
	kthread_stop(cons);

	KUNIT_EXPECT_GT(test, s->produced, 0UL);
	KUNIT_EXPECT_EQ(test, s->consumed, s->produced);
	KUNIT_EXPECT_EQ_MSG(test, s->bad, 0UL, "first out of order at %lu",
			    s->first_bad);
	KUNIT_EXPECT_EQ(test, kheap_ring_count(s->ring), 0U);
	KUNIT_EXPECT_EQ(test, kheap_ring_count(s->free), RING_SPSC_OBJS);
	kunit_info(test, "%lu values passed in order\n", s->consumed);
	kheap_ring_destroy(s->ring);
	kheap_ring_destroy(s->free);
}

static void ring_test_spsc_two_threads(struct kunit *test)
{
	ring_spsc_run(test, ring_spsc_producer);
}

/* The producer in hardirq (a hard hrtimer), the consumer a kthread. */
static void ring_test_spsc_hardirq(struct kunit *test)
{
	ring_spsc_run(test, ring_irq_producer);
}

static struct kunit_case kheap_ring_cases[] = {
	KUNIT_CASE(ring_test_fill_drain_order),
	KUNIT_CASE(ring_test_full_empty_edges),
	KUNIT_CASE(ring_test_null_push_rejected),
	KUNIT_CASE_PARAM(ring_test_capacity_rounding, ring_cap_gen_params),
	KUNIT_CASE(ring_test_wraparound),
	KUNIT_CASE(ring_test_spsc_two_threads),
	KUNIT_CASE(ring_test_spsc_hardirq),
	{}
};

static struct kunit_suite kheap_ring_suite = {
	.name = "kheap_ring",
	.test_cases = kheap_ring_cases,
};

/* Object types of the typed pool and chain cases. */
struct typed_frame {
	u32 len;
	u8 data[60];
};

struct typed_line {
	u64 seq;
} ____cacheline_aligned;

/* --------------------------------------------------------------- chains */

/* A fresh heap per test, so its byte and block counts are exact. */
static struct kheap *test_heap(struct kunit *test)
{
	char name[KHEAP_NAME_MAX + 1];
	struct kheap *heap;

	snprintf(name, sizeof(name), "pooltest_%s", test->name);
	name[KHEAP_NAME_MAX] = '\0';
	heap = kheap_create(name);
	KUNIT_ASSERT_FALSE(test, IS_ERR_OR_NULL(heap));
	return heap;
}

/* A chain's ring and its objects, as pool.h's kheap_chain_bytes() says. */
static size_t chain_ring_bytes(size_t obj_size, unsigned int cap)
{
	return 2 * SMP_CACHE_BYTES +
	       cap * (sizeof(void *) + kheap_obj_stride(obj_size));
}

/*
 * The rest of what a chain holds is its descriptor: a table of max_rings
 * entries of two pointers, and a few fields.
 */
static void chain_expect_desc(struct kunit *test, size_t desc,
			      unsigned int max_rings)
{
	KUNIT_EXPECT_GE(test, desc, max_rings * 2 * sizeof(void *));
	KUNIT_EXPECT_LE(test, desc, max_rings * 2 * sizeof(void *) + 64);
}

static long chain_err(size_t obj_size, unsigned int cap, unsigned int max)
{
	struct kheap_chain *chain;

	chain = kheap_chain_create(NULL, obj_size, cap, max, GFP_KERNEL);
	return PTR_ERR(chain);
}

static void chain_test_bad_args(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, chain_err(0, 4, 1), -EINVAL);
	KUNIT_EXPECT_EQ(test, chain_err(8, 0, 1), -EINVAL);
	KUNIT_EXPECT_EQ(test, chain_err(8, 1, 1), -EINVAL);
	KUNIT_EXPECT_EQ(test, chain_err(8, 1048577, 1), -EINVAL);
	KUNIT_EXPECT_EQ(test, chain_err(8, 4, 0), -EINVAL);
	KUNIT_EXPECT_EQ(test, chain_err(SIZE_MAX, 4, 1), -EINVAL);
	KUNIT_EXPECT_EQ(test, chain_err(8, 4, KHEAP_CHAIN_MAX_RINGS + 1),
			-EINVAL);
	kheap_chain_destroy(NULL);
}

struct chain_shape_case {
	size_t obj_size;
	unsigned int cap;
	unsigned int max_rings;
	int want; /* 0: created, or a -errno */
};

/*
 * Shapes at the edges of what one kmalloc() serves (4 MiB on x86-64 with
 * 4 KiB pages): each is created or refused with -EINVAL, and quietly (the
 * harness boots with panic_on_warn=1 and fails on any allocation warning).
 */
static const struct chain_shape_case chain_shape_cases[] = {
	{ 8, BIT(19), 1, -EINVAL }, /* slots: 4 MiB and the header */
	{ 8, BIT(20), 1, -EINVAL },
	{ 8, BIT(18), 1, 0 }, /* 2 MiB of slots, 2 MiB of objects */
	{ 16, BIT(18), 1, -EINVAL }, /* 4 MiB of objects */
	{ SZ_2M, 2, 1, -EINVAL },
	{ SZ_1M, 2, 1, 0 },
	{ 8, 2, BIT(20), -EINVAL }, /* a table of 2^20 rings */
	{ 8, 2, UINT_MAX, -EINVAL },
	{ 8, 2, KHEAP_CHAIN_MAX_RINGS, 0 },
};

static void chain_shape_desc(const struct chain_shape_case *c, char *desc)
{
	snprintf(desc, KUNIT_PARAM_DESC_SIZE, "%zu B x %u, %u rings",
		 c->obj_size, c->cap, c->max_rings);
}

KUNIT_ARRAY_PARAM(chain_shape, chain_shape_cases, chain_shape_desc);

static void chain_test_shapes(struct kunit *test)
{
	const struct chain_shape_case *c = test->param_value;
	struct kheap_chain *chain;
	void *obj;

	chain = kheap_chain_create(NULL, c->obj_size, c->cap, c->max_rings,
				   GFP_KERNEL);
	KUNIT_ASSERT_EQ(test, PTR_ERR_OR_ZERO(chain), c->want);
	if (c->want)
		return;
	obj = kheap_chain_get(chain, GFP_KERNEL);
	KUNIT_EXPECT_NOT_NULL(test, obj);
	if (obj) {
		memset(obj, 0x6b, c->obj_size);
		KUNIT_EXPECT_TRUE(test, kheap_chain_put(chain, obj));
	}
	kheap_chain_destroy(chain);
}

static void chain_test_growth_to_max(struct kunit *test)
{
	struct kheap_chain *chain;
	void *objs[12];
	unsigned int i, j;

	chain = kheap_chain_create(NULL, 24, 4, 3, GFP_KERNEL);
	KUNIT_ASSERT_FALSE(test, IS_ERR_OR_NULL(chain));
	KUNIT_EXPECT_EQ(test, kheap_chain_nr_rings(chain), 1U);
	for (i = 0; i < 12; i++) {
		objs[i] = kheap_chain_get(chain, GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, objs[i]);
		memset(objs[i], 0xa5, 24);
		KUNIT_EXPECT_EQ(test, kheap_chain_nr_rings(chain), i / 4 + 1);
		for (j = 0; j < i; j++)
			KUNIT_EXPECT_PTR_NE(test, objs[i], objs[j]);
	}
	/* max_rings reached: no growth, no object. */
	KUNIT_EXPECT_NULL(test, kheap_chain_get(chain, GFP_KERNEL));
	KUNIT_EXPECT_EQ(test, kheap_chain_nr_rings(chain), 3U);
	for (i = 0; i < 12; i++)
		KUNIT_EXPECT_TRUE(test, kheap_chain_put(chain, objs[i]));
	/* Full again: every object back, reusable without growth. */
	for (i = 0; i < 12; i++)
		KUNIT_EXPECT_NOT_NULL(test, kheap_chain_get(chain, GFP_KERNEL));
	KUNIT_EXPECT_NULL(test, kheap_chain_get(chain, GFP_KERNEL));
	KUNIT_EXPECT_EQ(test, kheap_chain_nr_rings(chain), 3U);
	for (i = 0; i < 12; i++)
		kheap_chain_put(chain, objs[i]);
	kheap_chain_destroy(chain);
}

static void chain_test_put_foreign_refused(struct kunit *test)
{
	struct kheap_chain *chain =
		kheap_chain_create(NULL, 32, 2, 1, GFP_KERNEL);
	void *foreign = kunit_kzalloc(test, 32, GFP_KERNEL);
	void *obj;

	KUNIT_ASSERT_FALSE(test, IS_ERR_OR_NULL(chain));
	KUNIT_ASSERT_NOT_NULL(test, foreign);
	obj = kheap_chain_get(chain, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, obj);
	KUNIT_EXPECT_FALSE(test, kheap_chain_put(chain, foreign));
	KUNIT_EXPECT_FALSE(test, kheap_chain_put(chain, obj + 1));
	KUNIT_EXPECT_TRUE(test, kheap_chain_put(chain, obj));
	/* The ring is full now: a second put of the same object finds no room. */
	KUNIT_EXPECT_FALSE(test, kheap_chain_put(chain, obj));
	kheap_chain_destroy(chain);
}

/*
 * Growth uses the caller's gfp: GFP_ATOMIC grows without sleeping. Under a
 * spinlock_t, a sleep would splat: it disables preemption, except on
 * PREEMPT_RT, where it is a sleeping lock, the context in which GFP_ATOMIC
 * allocations are allowed there; might_sleep() still catches a real sleep.
 */
static void chain_test_grows_atomic(struct kunit *test)
{
	struct kheap_chain *chain =
		kheap_chain_create(NULL, 16, 2, 2, GFP_KERNEL);
	static DEFINE_SPINLOCK(lock);
	void *objs[3];
	int i;

	KUNIT_ASSERT_FALSE(test, IS_ERR_OR_NULL(chain));
	spin_lock(&lock);
	for (i = 0; i < 3; i++)
		objs[i] = kheap_chain_get(chain, GFP_ATOMIC);
	spin_unlock(&lock);
	for (i = 0; i < 3; i++)
		KUNIT_EXPECT_NOT_NULL(test, objs[i]);
	KUNIT_EXPECT_EQ(test, kheap_chain_nr_rings(chain), 2U);
	for (i = 0; i < 3; i++)
		KUNIT_EXPECT_TRUE(test, kheap_chain_put(chain, objs[i]));
	kheap_chain_destroy(chain);
}

static void chain_test_accounting(struct kunit *test)
{
	struct kheap *heap = test_heap(test);
	struct kheap_chain *chain;
	void *objs[9];
	size_t desc;
	int i;

	KUNIT_EXPECT_EQ(test, kheap_bytes(heap), 0UL);
	chain = kheap_chain_create(heap, 40, 8, 2, GFP_KERNEL);
	KUNIT_ASSERT_FALSE(test, IS_ERR_OR_NULL(chain));
	KUNIT_EXPECT_EQ(test, kheap_bytes(heap), kheap_chain_bytes(chain));
	desc = kheap_chain_bytes(chain) - chain_ring_bytes(40, 8);
	chain_expect_desc(test, desc, 2);
	KUNIT_EXPECT_EQ(test, kheap_count(heap), 3UL);
	for (i = 0; i < 9; i++)
		objs[i] = kheap_chain_get(chain, GFP_KERNEL);
	KUNIT_EXPECT_NOT_NULL(test, objs[8]);
	KUNIT_EXPECT_EQ(test, kheap_bytes(heap), kheap_chain_bytes(chain));
	KUNIT_EXPECT_EQ(test, kheap_bytes(heap),
			desc + 2 * chain_ring_bytes(40, 8));
	KUNIT_EXPECT_EQ(test, kheap_count(heap), 5UL);
	for (i = 0; i < 9; i++)
		kheap_chain_put(chain, objs[i]);
	/* Gets and puts of pooled objects allocate nothing. */
	KUNIT_EXPECT_EQ(test, kheap_count(heap), 5UL);
	kheap_chain_destroy(chain);
	KUNIT_EXPECT_EQ(test, kheap_bytes(heap), 0UL);
	KUNIT_EXPECT_EQ(test, kheap_count(heap), 0UL);
	kheap_destroy(heap);
}

/*
 * kheap_chain_grow() appends a filled ring ahead of need, up to max_rings;
 * gets in an atomic section then allocate nothing.
 */
static void chain_test_grow(struct kunit *test)
{
	struct kheap *heap = test_heap(test);
	static DEFINE_SPINLOCK(lock);
	struct kheap_chain *chain;
	void *objs[13];
	size_t desc;
	int i;

	chain = kheap_chain_create(heap, 24, 4, 3, GFP_KERNEL);
	KUNIT_ASSERT_FALSE(test, IS_ERR_OR_NULL(chain));
	desc = kheap_chain_bytes(chain) - chain_ring_bytes(24, 4);
	KUNIT_EXPECT_EQ(test, kheap_chain_grow(chain, GFP_KERNEL), 0);
	KUNIT_EXPECT_EQ(test, kheap_chain_nr_rings(chain), 2U);
	KUNIT_EXPECT_EQ(test, kheap_chain_grow(chain, GFP_KERNEL), 0);
	KUNIT_EXPECT_EQ(test, kheap_chain_nr_rings(chain), 3U);
	KUNIT_EXPECT_EQ(test, kheap_chain_grow(chain, GFP_KERNEL), -ENOSPC);
	KUNIT_EXPECT_EQ(test, kheap_chain_nr_rings(chain), 3U);
	KUNIT_EXPECT_EQ(test, kheap_count(heap), 7UL);
	KUNIT_EXPECT_EQ(test, kheap_bytes(heap),
			desc + 3 * chain_ring_bytes(24, 4));
	KUNIT_EXPECT_EQ(test, kheap_bytes(heap), kheap_chain_bytes(chain));

	spin_lock(&lock);
	for (i = 0; i < 13; i++)
		objs[i] = kheap_chain_get(chain, GFP_ATOMIC);
	spin_unlock(&lock);
	for (i = 0; i < 12; i++)
		KUNIT_EXPECT_NOT_NULL(test, objs[i]);
	KUNIT_EXPECT_NULL(test, objs[12]); /* 3 rings of 4: no more */
	KUNIT_EXPECT_EQ(test, kheap_count(heap), 7UL);
	for (i = 0; i < 12; i++)
		KUNIT_EXPECT_TRUE(test, kheap_chain_put(chain, objs[i]));
	kheap_chain_destroy(chain);
	KUNIT_EXPECT_EQ(test, kheap_count(heap), 0UL);
	kheap_destroy(heap);
}

/*
 * A typed chain hands out and takes back its type, with no cast, and lays
 * out objects of a cache-line aligned type on cache lines.
 */
static void chain_test_typed(struct kunit *test)
{
	DECLARE_KHEAP_TYPED_CHAIN(frames, struct typed_frame);
	DECLARE_KHEAP_TYPED_CHAIN(lines, struct typed_line);
	struct typed_frame *f[5];
	struct typed_line *l;
	int i, err;

	/* Compile-time: get gives the handle's type, not void *. */
	BUILD_BUG_ON(!__same_type(kheap_typed_chain_get(&frames, GFP_KERNEL),
				  struct typed_frame *));
	err = kheap_typed_chain_create(&frames, NULL, 4, 2, GFP_KERNEL);
	KUNIT_ASSERT_EQ(test, err, 0);
	for (i = 0; i < 5; i++) { /* the fifth grows the chain */
		f[i] = kheap_typed_chain_get(&frames, GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, f[i]);
		f[i]->len = i;
		memset(f[i]->data, i, sizeof(f[i]->data));
	}
	KUNIT_EXPECT_EQ(test, kheap_typed_chain_grow(&frames, GFP_KERNEL),
			-ENOSPC);
	for (i = 0; i < 5; i++)
		KUNIT_EXPECT_TRUE(test, kheap_typed_chain_put(&frames, f[i]));
	kheap_typed_chain_destroy(&frames);
	KUNIT_EXPECT_NULL(test, frames.chain);

	err = kheap_typed_chain_create(&lines, NULL, 2, 2, GFP_KERNEL);
	KUNIT_ASSERT_EQ(test, err, 0);
	KUNIT_EXPECT_EQ(test, kheap_typed_chain_grow(&lines, GFP_KERNEL), 0);
	for (i = 0; i < 4; i++) {
		l = kheap_typed_chain_get(&lines, GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, l);
		KUNIT_EXPECT_TRUE(test, IS_ALIGNED((unsigned long)l,
						   __alignof__(*l)));
		l->seq = i;
	}
	kheap_typed_chain_destroy(&lines); /* objects out: reported */
	/* A bad shape leaves the handle NULL. */
	err = kheap_typed_chain_create(&lines, NULL, 1, 2, GFP_KERNEL);
	KUNIT_EXPECT_EQ(test, err, -EINVAL);
	KUNIT_EXPECT_NULL(test, lines.chain);
}

/* Objects still out at destroy are reported and freed with the chain. */
static void chain_test_destroy_with_objects_out(struct kunit *test)
{
	struct kheap *heap = test_heap(test);
	struct kheap_chain *chain;
	int i;

	chain = kheap_chain_create(heap, 64, 4, 4, GFP_KERNEL);
	KUNIT_ASSERT_FALSE(test, IS_ERR_OR_NULL(chain));
	for (i = 0; i < 6; i++)
		KUNIT_EXPECT_NOT_NULL(test, kheap_chain_get(chain, GFP_KERNEL));
	KUNIT_EXPECT_EQ(test, kheap_count(heap), 5UL);
	kheap_chain_destroy(chain);
	KUNIT_EXPECT_EQ(test, kheap_bytes(heap), 0UL);
	KUNIT_EXPECT_EQ(test, kheap_count(heap), 0UL);
	kheap_destroy(heap);
}

/*
 * A chain whose heap is destroyed first moves to the default heap, and its
 * growth allocates there, not into the freed heap (KASAN would see that).
 */
static void chain_test_heap_destroyed_first(struct kunit *test)
{
	struct kheap *heap = test_heap(test);
	struct kheap_chain *chain;
	void *objs[3];
	int i;

	chain = kheap_chain_create(heap, 16, 2, 2, GFP_KERNEL);
	KUNIT_ASSERT_FALSE(test, IS_ERR_OR_NULL(chain));
	KUNIT_EXPECT_PTR_EQ(test, kheap_chain_heap(chain), heap);
	kheap_destroy(heap); /* reports the chain's blocks as leaks */
	rcu_barrier(); /* the heap is freed now */
	KUNIT_EXPECT_PTR_EQ(test, kheap_chain_heap(chain), kheap_default());
	for (i = 0; i < 3; i++) { /* the third grows the chain */
		objs[i] = kheap_chain_get(chain, GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, objs[i]);
		memset(objs[i], 0x3c, 16);
	}
	KUNIT_EXPECT_EQ(test, kheap_chain_nr_rings(chain), 2U);
	KUNIT_EXPECT_PTR_EQ(test, kheap_chain_heap(chain), kheap_default());
	for (i = 0; i < 3; i++)
		KUNIT_EXPECT_TRUE(test, kheap_chain_put(chain, objs[i]));
	kheap_chain_destroy(chain);
}

static struct kunit_case kheap_chain_cases[] = {
	KUNIT_CASE(chain_test_bad_args),
	KUNIT_CASE_PARAM(chain_test_shapes, chain_shape_gen_params),
	KUNIT_CASE(chain_test_growth_to_max),
	KUNIT_CASE(chain_test_put_foreign_refused),
	KUNIT_CASE(chain_test_grows_atomic),
	KUNIT_CASE(chain_test_accounting),
	KUNIT_CASE(chain_test_grow),
	KUNIT_CASE(chain_test_typed),
	KUNIT_CASE(chain_test_destroy_with_objects_out),
	KUNIT_CASE(chain_test_heap_destroyed_first),
	{}
};

static struct kunit_suite kheap_chain_suite = {
	.name = "kheap_chain",
	.test_cases = kheap_chain_cases,
};

/* ---------------------------------------------------------------- pools */

static struct kheap_pool *pool_new(struct kunit *test, struct kheap *heap,
				   size_t obj_size, unsigned int per_cpu)
{
	struct kheap_pool *pool;

	pool = kheap_pool_create("kunit", heap, obj_size, per_cpu, GFP_KERNEL);
	KUNIT_ASSERT_FALSE(test, IS_ERR_OR_NULL(pool));
	KUNIT_ASSERT_EQ(test, kheap_pool_nr_objs(pool),
			per_cpu * num_possible_cpus());
	return pool;
}

static unsigned long *pool_bitmap(struct kunit *test, struct kheap_pool *pool)
{
	unsigned long *map;

	map = kunit_kcalloc(test, BITS_TO_LONGS(kheap_pool_nr_objs(pool)),
			    sizeof(long), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, map);
	return map;
}

/*
 * Takes every object: exactly nr_objs, each inside the pool, each once;
 * then NULL. Writes the whole of each object (KASAN checks the bounds).
 * Returns them in @objs.
 */
static void pool_drain(struct kunit *test, struct kheap_pool *pool,
		       size_t obj_size, void **objs)
{
	unsigned int nr = kheap_pool_nr_objs(pool), i, idx;
	unsigned long *seen = pool_bitmap(test, pool);

	for (i = 0; i < nr; i++) {
		objs[i] = kheap_pool_get(pool);
		KUNIT_ASSERT_NOT_NULL_MSG(test, objs[i], "get %u of %u", i, nr);
		idx = kheap_pool_index(pool, objs[i]);
		KUNIT_ASSERT_LT(test, idx, nr);
		KUNIT_EXPECT_FALSE_MSG(test, __test_and_set_bit(idx, seen),
				       "object %u handed out twice", idx);
		memset(objs[i], 0x5a, obj_size);
	}
	KUNIT_EXPECT_NULL(test, kheap_pool_get(pool));
	KUNIT_EXPECT_TRUE(test, bitmap_full(seen, nr));
}

static void pool_put_all(struct kheap_pool *pool, void **objs)
{
	unsigned int i;

	for (i = 0; i < kheap_pool_nr_objs(pool); i++)
		kheap_pool_put(pool, objs[i]);
}

static long pool_err(const char *name, size_t obj_size, unsigned int per_cpu)
{
	struct kheap_pool *pool;

	pool = kheap_pool_create(name, NULL, obj_size, per_cpu, GFP_KERNEL);
	return PTR_ERR(pool);
}

/*
 * A pool's row in debugfs kheap/pools, through the KUnit hook (grammar v2):
 * name heap obj_size stride objs ring_capacity free heap_bytes other_bytes
 * flags.
 */
static char *pool_show(struct kunit *test, struct kheap_pool *pool)
{
	char *buf = kunit_kzalloc(test, SZ_4K, GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, buf);
	KUNIT_EXPECT_GT(test, kheap_test_pool_show(pool, buf, SZ_4K), 0);
	return buf;
}

/* Refused up front, on any number of CPUs (one included). */
/*
 * A client compiled against another pool layout (its inline get and put
 * would read the pool wrong) gets no pool; the same call with this
 * layout works.
 */
static void pool_test_layout_mismatch(struct kunit *test)
{
	struct kheap_pool *pool;

	pool = kheap_pool_create_layout("kunit", NULL, 32, 4, 0, GFP_KERNEL,
					KHEAP_POOL_LAYOUT + 1);
	KUNIT_EXPECT_EQ(test, PTR_ERR_OR_ZERO(pool), -EINVAL);
	pool = kheap_pool_create_layout("kunit", NULL, 32, 4, 0, GFP_KERNEL,
					KHEAP_POOL_LAYOUT);
	KUNIT_ASSERT_FALSE(test, IS_ERR_OR_NULL(pool));
	kheap_pool_put(pool, kheap_pool_get(pool));
	KUNIT_EXPECT_EQ(test, kheap_pool_stat(pool, KHEAP_POOL_STAT_PUTS),
			1ULL);
	kheap_pool_destroy(pool);
}

static void pool_test_bad_args(struct kunit *test)
{
	unsigned int too_many = KHEAP_POOL_MAX_OBJS / num_possible_cpus() + 1;
	char long_name[KHEAP_POOL_NAME_MAX + 2];

	memset(long_name, 'x', sizeof(long_name) - 1);
	long_name[sizeof(long_name) - 1] = '\0';
	KUNIT_EXPECT_EQ(test, pool_err("p", 0, 4), -EINVAL);
	KUNIT_EXPECT_EQ(test, pool_err("p", 8, 0), -EINVAL);
	KUNIT_EXPECT_EQ(test, pool_err(NULL, 8, 4), -EINVAL);
	KUNIT_EXPECT_EQ(test, pool_err("", 8, 4), -EINVAL);
	KUNIT_EXPECT_EQ(test, pool_err(long_name, 8, 4), -EINVAL);
	KUNIT_EXPECT_EQ(test, pool_err("p", 8, too_many), -EINVAL);
	KUNIT_EXPECT_EQ(test, pool_err("p", 8, UINT_MAX), -EINVAL);
	KUNIT_EXPECT_EQ(test, pool_err("p", SIZE_MAX, 1), -EINVAL);
	KUNIT_EXPECT_EQ(test, pool_err("p", KHEAP_POOL_AREA_MAX + 1, 1),
			-EINVAL);
	/* An object area over KHEAP_POOL_AREA_MAX. */
	KUNIT_EXPECT_EQ(test, pool_err("p", KHEAP_POOL_AREA_MAX / 2, 3),
			-EINVAL);
	kheap_pool_destroy(NULL);
}

/*
 * Pool names follow the rules of heap names: no white space, no '/', not
 * "." or "..". debugfs escapes the rest ('[' prints as \x5b).
 */
static void pool_test_bad_names(struct kunit *test)
{
	static const char *const bad[] = { "a b",    "a\nb", "tab\t",
					   "\n",     "a/b",  "\x7f",
					   "bell\a", ".",    ".." };
	struct kheap_pool *pool;
	char *rec;
	int i;

	for (i = 0; i < ARRAY_SIZE(bad); i++)
		KUNIT_EXPECT_EQ_MSG(test, pool_err(bad[i], 8, 1), -EINVAL,
				    "name %d", i);
	pool = pool_new(test, NULL, 8, 1); /* "kunit" */
	kheap_pool_destroy(pool);
	pool = kheap_pool_create("rx.q-0_[1]", NULL, 8, 1, GFP_KERNEL);
	KUNIT_ASSERT_FALSE(test, IS_ERR_OR_NULL(pool));
	rec = pool_show(test, pool);
	KUNIT_EXPECT_EQ(test, strncmp(rec, "rx.q-0_\\x5b1\\x5d ", 17), 0);
	kheap_pool_destroy(pool);
}

/*
 * 4 KiB objects, 256 per CPU: on 4 CPUs a 4 MiB object area, more than one
 * kmalloc() serves; it comes from kvmalloc() and works like any other.
 */
static void pool_test_large_area(struct kunit *test)
{
	struct kheap_pool *pool = pool_new(test, NULL, SZ_4K, 256);
	void **objs;

	objs = kunit_kcalloc(test, kheap_pool_nr_objs(pool), sizeof(void *),
			     GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, objs);
	pool_drain(test, pool, SZ_4K, objs);
	pool_put_all(pool, objs);
	kheap_pool_destroy(pool);
}

/* KHEAP_POOL_MAX_OBJS objects (of one byte) can be had. */
static void pool_test_max_objs(struct kunit *test)
{
	unsigned int per_cpu = KHEAP_POOL_MAX_OBJS / num_possible_cpus();
	struct kheap_pool *pool = pool_new(test, NULL, 1, per_cpu);
	void *obj;

	if (is_power_of_2(num_possible_cpus()))
		KUNIT_EXPECT_EQ(test, kheap_pool_nr_objs(pool),
				KHEAP_POOL_MAX_OBJS);
	obj = kheap_pool_get(pool);
	KUNIT_EXPECT_NOT_NULL(test, obj);
	kheap_pool_put(pool, obj);
	kheap_pool_destroy(pool);
	KUNIT_EXPECT_EQ(test, pool_err("p", 1, per_cpu + 1), -EINVAL);
}

static void pool_test_single_get_put(struct kunit *test)
{
	struct kheap *heap = test_heap(test);
	struct kheap_pool *pool = pool_new(test, heap, 100, 4);
	unsigned int nr = kheap_pool_nr_objs(pool);
	void *obj, *again;

	/* The pool's memory is accounted to the heap. */
	KUNIT_EXPECT_EQ(test, kheap_bytes(heap), kheap_pool_bytes(pool));
	KUNIT_EXPECT_GE(test, kheap_bytes(heap), nr * kheap_obj_stride(100));
	obj = kheap_pool_get(pool);
	KUNIT_ASSERT_NOT_NULL(test, obj);
	KUNIT_EXPECT_TRUE(test, IS_ALIGNED((unsigned long)obj, sizeof(void *)));
	memset(obj, 0, 100);
	kheap_pool_put(pool, obj);
	KUNIT_EXPECT_EQ(test, kheap_pool_stat(pool, KHEAP_POOL_STAT_GETS),
			1ULL);
	KUNIT_EXPECT_EQ(test, kheap_pool_stat(pool, KHEAP_POOL_STAT_PUTS),
			1ULL);
	KUNIT_EXPECT_EQ(test,
			kheap_pool_stat(pool, KHEAP_POOL_STAT_FOREIGN_PUTS),
			0ULL);
	again = kheap_pool_get(pool);
	KUNIT_EXPECT_NOT_NULL(test, again);
	kheap_pool_put(pool, again);
	kheap_pool_destroy(pool);
	KUNIT_EXPECT_EQ(test, kheap_bytes(heap), 0UL);
	kheap_destroy(heap);
}

static void pool_test_exhaustion(struct kunit *test)
{
	struct kheap_pool *pool = pool_new(test, NULL, 24, 8);
	void **objs;

	objs = kunit_kcalloc(test, kheap_pool_nr_objs(pool), sizeof(void *),
			     GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, objs);
	pool_drain(test, pool, 24, objs);
	pool_put_all(pool, objs);
	/* Everything came back: the same again. */
	pool_drain(test, pool, 24, objs);
	pool_put_all(pool, objs);
	KUNIT_EXPECT_EQ(test, kheap_pool_stat(pool, KHEAP_POOL_STAT_EMPTY),
			2ULL);
	kheap_pool_destroy(pool);
}

static void pool_test_foreign_put(struct kunit *test)
{
	struct kheap_pool *pool = pool_new(test, NULL, 48, 2);
	unsigned int nr = kheap_pool_nr_objs(pool);
	void *foreign = kunit_kzalloc(test, 48, GFP_KERNEL);
	void **objs = kunit_kcalloc(test, nr, sizeof(void *), GFP_KERNEL);
	void *obj;
	unsigned int i;

	KUNIT_ASSERT_NOT_NULL(test, foreign);
	KUNIT_ASSERT_NOT_NULL(test, objs);
	obj = kheap_pool_get(pool);
	KUNIT_ASSERT_NOT_NULL(test, obj);

	kheap_pool_put(pool, foreign); /* kmalloc'ed */
	kheap_pool_put(pool, obj + 8); /* inside, misaligned */
	kheap_pool_put(pool, obj + 1);
	kheap_pool_put(pool,
		       obj + nr * kheap_obj_stride(48)); /* past the end */
	KUNIT_EXPECT_EQ(test,
			kheap_pool_stat(pool, KHEAP_POOL_STAT_FOREIGN_PUTS),
			4ULL);
	KUNIT_EXPECT_EQ(test, kheap_pool_stat(pool, KHEAP_POOL_STAT_PUTS),
			0ULL);

	/* None of them was taken: exactly the nr - 1 objects left come out. */
	for (i = 0; i < nr - 1; i++) {
		objs[i] = kheap_pool_get(pool);
		KUNIT_ASSERT_NOT_NULL(test, objs[i]);
		KUNIT_EXPECT_PTR_NE(test, objs[i], foreign);
		KUNIT_EXPECT_PTR_NE(test, objs[i], obj);
		KUNIT_EXPECT_LT(test, kheap_pool_index(pool, objs[i]), nr);
	}
	KUNIT_EXPECT_NULL(test, kheap_pool_get(pool));
	objs[nr - 1] = obj;
	pool_put_all(pool, objs);
	KUNIT_EXPECT_EQ(test, kheap_pool_stat(pool, KHEAP_POOL_STAT_PUTS),
			(u64)nr);
	kheap_pool_destroy(pool);
}

/*
 * Every byte of a pool (rings and ring table, descriptor, objects) is in its
 * heap, as pool.h's formula says, and debugfs shows it.
 */
static void pool_test_accounting(struct kunit *test)
{
	struct kheap *heap = test_heap(test);
	struct kheap_pool *pool = pool_new(test, heap, 40, 3);
	unsigned int nr = kheap_pool_nr_objs(pool), cpus = num_possible_cpus();
	size_t rings = cpus * 16 * ((size_t)roundup_pow_of_two(nr) + 1);
	size_t area = nr * kheap_obj_stride(40);
	size_t table = nr_cpu_ids * sizeof(void *);
	size_t shown = 0;
	void *obj;

	KUNIT_EXPECT_EQ(test, kheap_bytes(heap), kheap_pool_bytes(pool));
	KUNIT_EXPECT_EQ(test, kheap_count(heap), 3UL + cpus);
	/* The descriptor is what is left: a few hundred bytes. */
	KUNIT_EXPECT_GT(test, kheap_bytes(heap), rings + area + table);
	KUNIT_EXPECT_LT(test, kheap_bytes(heap), rings + area + table + 1024);
	/* heap_bytes, the 8th column of the pool's row */
	KUNIT_EXPECT_EQ(test,
			sscanf(pool_show(test, pool),
			       "%*s %*s %*u %*u %*u %*u %*u %zu", &shown),
			1);
	KUNIT_EXPECT_EQ(test, shown, kheap_bytes(heap));
	/* Gets and puts allocate nothing. */
	obj = kheap_pool_get(pool);
	KUNIT_EXPECT_NOT_NULL(test, obj);
	kheap_pool_put(pool, obj);
	KUNIT_EXPECT_EQ(test, kheap_bytes(heap), kheap_pool_bytes(pool));
	kheap_pool_destroy(pool);
	KUNIT_EXPECT_EQ(test, kheap_bytes(heap), 0UL);
	KUNIT_EXPECT_EQ(test, kheap_count(heap), 0UL);
	kheap_destroy(heap);
}

/*
 * A pool whose heap is destroyed first moves to the default heap with its
 * memory: debugfs names the default heap, not the freed one (KASAN would
 * see that), and the pool works on.
 */
static void pool_test_heap_destroyed_first(struct kunit *test)
{
	struct kheap *heap = test_heap(test);
	struct kheap_pool *pool = pool_new(test, heap, 32, 2);
	size_t bytes = kheap_pool_bytes(pool);
	void *obj;

	KUNIT_EXPECT_PTR_EQ(test, kheap_pool_heap(pool), heap);
	KUNIT_EXPECT_NOT_NULL(test,
			      strstr(pool_show(test, pool), " pooltest_"));
	kheap_destroy(heap); /* reports the pool's blocks as leaks */
	rcu_barrier(); /* the heap is freed now */
	KUNIT_EXPECT_PTR_EQ(test, kheap_pool_heap(pool), kheap_default());
	KUNIT_EXPECT_NOT_NULL(test, strstr(pool_show(test, pool), " default "));
	KUNIT_EXPECT_EQ(test, kheap_pool_bytes(pool), bytes);
	obj = kheap_pool_get(pool);
	KUNIT_ASSERT_NOT_NULL(test, obj);
	memset(obj, 0x3c, 32);
	kheap_pool_put(pool, obj);
	KUNIT_EXPECT_EQ(test,
			kheap_pool_stat(pool, KHEAP_POOL_STAT_FOREIGN_PUTS),
			0ULL);
	kheap_pool_destroy(pool);
}

/*
 * On one CPU (preemption off): the local ring serves the first objs_per_cpu
 * gets, the rest are stolen, then one empty; puts refill the local ring.
 */
static void pool_test_stats(struct kunit *test)
{
	const unsigned int per_cpu = 4;
	struct kheap_pool *pool = pool_new(test, NULL, 16, per_cpu);
	unsigned int nr = kheap_pool_nr_objs(pool), i, got = 0, got2 = 0;
	void **objs = kunit_kcalloc(test, nr + 1, sizeof(void *), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, objs);
	preempt_disable();
	for (i = 0; i <= nr; i++) {
		objs[i] = kheap_pool_get(pool);
		got += !!objs[i];
	}
	for (i = 0; i < nr; i++)
		kheap_pool_put(pool, objs[i]);
	for (i = 0; i < nr; i++)
		got2 += !!(objs[i] = kheap_pool_get(pool));
	preempt_enable();

	KUNIT_EXPECT_EQ(test, got, nr);
	KUNIT_EXPECT_EQ(test, got2, nr);
	KUNIT_EXPECT_EQ(test, kheap_pool_stat(pool, KHEAP_POOL_STAT_GETS),
			2ULL * nr);
	KUNIT_EXPECT_EQ(test, kheap_pool_stat(pool, KHEAP_POOL_STAT_PUTS),
			(u64)nr);
	KUNIT_EXPECT_EQ(test, kheap_pool_stat(pool, KHEAP_POOL_STAT_LOCAL_HITS),
			(u64)(per_cpu + nr));
	KUNIT_EXPECT_EQ(test,
			kheap_pool_stat(pool, KHEAP_POOL_STAT_REMOTE_STEALS),
			(u64)(nr - per_cpu));
	KUNIT_EXPECT_EQ(test, kheap_pool_stat(pool, KHEAP_POOL_STAT_EMPTY),
			1ULL);
	KUNIT_EXPECT_EQ(test,
			kheap_pool_stat(pool, KHEAP_POOL_STAT_FOREIGN_PUTS),
			0ULL);
	pool_put_all(pool, objs);
	kheap_pool_destroy(pool);
}

static u64 pool_stat(struct kheap_pool *pool, enum kheap_pool_stat stat)
{
	return kheap_pool_stat(pool, stat);
}

/*
 * KHEAP_POOL_CHECK_DOUBLE_PUT: a put of an object that is not out (put
 * twice, or never got) is refused and counted; the pool stays whole.
 */
static void pool_test_double_put(struct kunit *test)
{
	struct kheap_pool *pool;
	unsigned int nr, i;
	void **objs, *obj;

	KUNIT_EXPECT_EQ(test,
			PTR_ERR(kheap_pool_create_flags("p", NULL, 8, 1, BIT(7),
							GFP_KERNEL)),
			-EINVAL);
	pool = kheap_pool_create_flags("dbl", NULL, 16, 2,
				       KHEAP_POOL_CHECK_DOUBLE_PUT, GFP_KERNEL);
	KUNIT_ASSERT_FALSE(test, IS_ERR_OR_NULL(pool));
	nr = kheap_pool_nr_objs(pool);
	objs = kunit_kcalloc(test, nr, sizeof(void *), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, objs);
	KUNIT_EXPECT_NOT_NULL(test, strstr(pool_show(test, pool), " 1\n"));

	obj = kheap_pool_get(pool);
	KUNIT_ASSERT_NOT_NULL(test, obj);
	kheap_pool_put(pool, obj);
	kheap_pool_put(pool, obj); /* twice */
	KUNIT_EXPECT_EQ(test, kheap_pool_stat(pool, KHEAP_POOL_STAT_PUTS),
			1ULL);
	KUNIT_EXPECT_EQ(test, pool_stat(pool, KHEAP_POOL_STAT_DOUBLE_PUTS),
			1ULL);
	/* Every object once: the second put was not taken. */
	pool_drain(test, pool, 16, objs);
	pool_put_all(pool, objs);
	/* An object that was never got out since: refused too. */
	kheap_pool_put(pool, objs[0]);
	KUNIT_EXPECT_EQ(test, pool_stat(pool, KHEAP_POOL_STAT_DOUBLE_PUTS),
			2ULL);
	KUNIT_EXPECT_EQ(test,
			kheap_pool_stat(pool, KHEAP_POOL_STAT_FOREIGN_PUTS),
			0ULL);
	for (i = 0; i < nr; i++)
		objs[i] = kheap_pool_get(pool);
	KUNIT_EXPECT_NULL(test, kheap_pool_get(pool));
	pool_put_all(pool, objs);
	KUNIT_EXPECT_EQ(test, kheap_pool_stat(pool, KHEAP_POOL_STAT_PUTS),
			1ULL + 2 * nr);
	kheap_pool_destroy(pool);
}

/*
 * A typed pool hands out and takes back its type, with no cast; objects of
 * a cache-line aligned type are on cache lines.
 */
static void pool_test_typed(struct kunit *test)
{
	DECLARE_KHEAP_TYPED_POOL(frames, struct typed_frame);
	DECLARE_KHEAP_TYPED_POOL(lines, struct typed_line);
	struct typed_frame *f;
	struct typed_line *l;
	unsigned int i, nr;

	/* Compile-time: get gives the handle's type, not void *. */
	BUILD_BUG_ON(!__same_type(kheap_typed_pool_get(&frames),
				  struct typed_frame *));
	KUNIT_ASSERT_EQ(test,
			kheap_typed_pool_create(&frames, "frames", NULL, 2,
						KHEAP_POOL_CHECK_DOUBLE_PUT,
						GFP_KERNEL),
			0);
	KUNIT_EXPECT_EQ(test, kheap_pool_nr_objs(frames.pool),
			2 * num_possible_cpus());
	f = kheap_typed_pool_get(&frames);
	KUNIT_ASSERT_NOT_NULL(test, f);
	f->len = sizeof(f->data);
	memset(f->data, 0x5a, sizeof(f->data));
	kheap_typed_pool_put(&frames, f);
	kheap_typed_pool_put(&frames, f); /* twice: refused */
	KUNIT_EXPECT_EQ(test, pool_stat(frames.pool, KHEAP_POOL_STAT_PUTS),
			1ULL);
	KUNIT_EXPECT_EQ(test,
			pool_stat(frames.pool, KHEAP_POOL_STAT_DOUBLE_PUTS),
			1ULL);
	kheap_typed_pool_destroy(&frames);
	KUNIT_EXPECT_NULL(test, frames.pool);
	kheap_typed_pool_destroy(&frames); /* NULL: nothing */

	KUNIT_ASSERT_EQ(test,
			kheap_typed_pool_create(&lines, "lines", NULL, 3, 0,
						GFP_KERNEL),
			0);
	nr = kheap_pool_nr_objs(lines.pool);
	for (i = 0; i < nr; i++) {
		l = kheap_typed_pool_get(&lines);
		KUNIT_ASSERT_NOT_NULL(test, l);
		KUNIT_EXPECT_TRUE(test, IS_ALIGNED((unsigned long)l,
						   __alignof__(*l)));
		l->seq = i;
		kheap_typed_pool_put(&lines, l);
	}
	kheap_typed_pool_destroy(&lines);
	KUNIT_EXPECT_EQ(test,
			kheap_typed_pool_create(&lines, "a b", NULL, 3, 0,
						GFP_KERNEL),
			-EINVAL);
	KUNIT_EXPECT_NULL(test, lines.pool);
}

/*
 * ---- SMP stress: a kthread per online CPU, each with a hardirq hrtimer
 * and a softirq hrtimer on its CPU: gets and puts from thread, softirq and
 * hardirq context on every CPU at once, each able to interrupt another in
 * the middle of a get or put (they run with interrupts on)
 */

#define HOLD 4

struct pool_stress {
	struct kheap_pool *pool;
	unsigned long *inuse; /* bit per object index: handed out */
	atomic_t errors;
	atomic_long_t ops;
	atomic_long_t irq_ops;
	atomic_long_t sirq_ops;
};

struct pool_stress_worker {
	struct pool_stress *s;
	struct hrtimer timer;
	struct hrtimer stimer; /* softirq */
	bool stop; /* read by the timer callbacks */
	void *irq_obj; /* held by the timer between firings */
	void *sirq_obj; /* held by the softirq timer between firings */
	void *held[HOLD];
	unsigned int nr_held;
	struct completion done;
};

static void *stress_get(struct pool_stress *s)
{
	void *obj = kheap_pool_get(s->pool);
	unsigned int idx;

	if (!obj)
		return NULL;
	idx = kheap_pool_index(s->pool, obj);
	if (idx >= kheap_pool_nr_objs(s->pool) ||
	    test_and_set_bit(idx, s->inuse)) {
		atomic_inc(&s->errors); /* foreign, or handed out twice */
		return NULL; /* keep it: never put a duplicate */
	}
	*(unsigned long *)obj = idx;
	return obj;
}

static void stress_put(struct pool_stress *s, void *obj)
{
	unsigned int idx = kheap_pool_index(s->pool, obj);

	if (*(unsigned long *)obj != idx || !test_and_clear_bit(idx, s->inuse))
		atomic_inc(&s->errors);
	kheap_pool_put(s->pool, obj);
}

/*
 * One firing of a worker's timer: get an object, put the one the last
 * firing held (@held), count in @ops; every @period_us until the stop.
 */
static enum hrtimer_restart stress_fire(struct pool_stress_worker *w,
					struct hrtimer *t, void **held,
					atomic_long_t *ops,
					unsigned int period_us)
{
	void *obj = stress_get(w->s);

	if (*held)
		stress_put(w->s, *held);
	*held = obj;
	atomic_long_inc(ops);
	if (READ_ONCE(w->stop))
		return HRTIMER_NORESTART;
	hrtimer_forward_now(t, ns_to_ktime(period_us * NSEC_PER_USEC));
	return HRTIMER_RESTART;
}

static enum hrtimer_restart stress_timer_fn(struct hrtimer *t)
{
	struct pool_stress_worker *w =
		container_of(t, struct pool_stress_worker, timer);

	return stress_fire(w, t, &w->irq_obj, &w->s->irq_ops, 200);
}

static enum hrtimer_restart stress_stimer_fn(struct hrtimer *t)
{
	struct pool_stress_worker *w =
		container_of(t, struct pool_stress_worker, stimer);

	return stress_fire(w, t, &w->sirq_obj, &w->s->sirq_ops, 150);
}

static int stress_thread(void *arg)
{
	struct pool_stress_worker *w = arg;
	struct pool_stress *s = w->s;
	/* From its first run: a thread that starts late keeps its window. */
	ktime_t end = ktime_add_ms(ktime_get(), STRESS_MS);
	unsigned long iter = 0;

	hrtimer_init(&w->timer, CLOCK_MONOTONIC, HRTIMER_MODE_REL_PINNED_HARD);
	w->timer.function = stress_timer_fn;
	hrtimer_start(&w->timer, ns_to_ktime(200 * NSEC_PER_USEC),
		      HRTIMER_MODE_REL_PINNED_HARD);
	hrtimer_init(&w->stimer, CLOCK_MONOTONIC, HRTIMER_MODE_REL_PINNED_SOFT);
	w->stimer.function = stress_stimer_fn;
	hrtimer_start(&w->stimer, ns_to_ktime(150 * NSEC_PER_USEC),
		      HRTIMER_MODE_REL_PINNED_SOFT);

	while (ktime_before(ktime_get(), end)) {
		/* Mostly get while holding few, put when holding many. */
		if (w->nr_held < HOLD && (iter % 3 || !w->nr_held)) {
			void *obj = stress_get(s);

			if (obj)
				w->held[w->nr_held++] = obj;
		} else {
			stress_put(s, w->held[0]);
			memmove(&w->held[0], &w->held[1],
				--w->nr_held * sizeof(w->held[0]));
		}
		atomic_long_inc(&s->ops);
		if (!(++iter % 16))
			cond_resched();
	}
	WRITE_ONCE(w->stop, true);
	hrtimer_cancel(&w->timer);
	hrtimer_cancel(&w->stimer);
	if (w->irq_obj)
		stress_put(s, w->irq_obj);
	if (w->sirq_obj)
		stress_put(s, w->sirq_obj);
	while (w->nr_held)
		stress_put(s, w->held[--w->nr_held]);
	return done_wait_for_stop(&w->done, 0);
}

/* The stress runs on a plain pool and on one that checks double puts. */
static const unsigned int stress_flags[] = { 0, KHEAP_POOL_CHECK_DOUBLE_PUT };

static void stress_flags_desc(const unsigned int *flags, char *desc)
{
	snprintf(desc, KUNIT_PARAM_DESC_SIZE, "flags %#x", *flags);
}

KUNIT_ARRAY_PARAM(stress_flags, stress_flags, stress_flags_desc);

static void pool_test_smp_stress(struct kunit *test)
{
	const unsigned int *flags = test->param_value;
	struct pool_stress_worker *workers;
	struct task_struct **tasks;
	struct pool_stress *s;
	unsigned int nr, n = 0, snapshots = 0;
	u64 gets_seen = 0;
	void **objs;
	int cpu;

	s = kunit_kzalloc(test, sizeof(*s), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, s);
	/* Fewer objects than holders: exhaustion and stealing happen. */
	s->pool = kheap_pool_create_flags("kunit", NULL, 32, 4, *flags,
					  GFP_KERNEL);
	KUNIT_ASSERT_FALSE(test, IS_ERR_OR_NULL(s->pool));
	nr = kheap_pool_nr_objs(s->pool);
	s->inuse = pool_bitmap(test, s->pool);
	workers = kunit_kcalloc(test, nr_cpu_ids, sizeof(*workers), GFP_KERNEL);
	tasks = kunit_kcalloc(test, nr_cpu_ids, sizeof(*tasks), GFP_KERNEL);
	objs = kunit_kcalloc(test, nr, sizeof(void *), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, workers);
	KUNIT_ASSERT_NOT_NULL(test, tasks);
	KUNIT_ASSERT_NOT_NULL(test, objs);

	for_each_online_cpu(cpu) {
		struct task_struct *t;

		workers[cpu].s = s;
		init_completion(&workers[cpu].done);
		t = kthread_create(stress_thread, &workers[cpu],
				   "kheap_pool/%d", cpu);
		if (IS_ERR(t)) {
			KUNIT_FAIL(test, "kthread_create: %ld", PTR_ERR(t));
			break;
		}
		kthread_bind(t, cpu);
		tasks[cpu] = t;
		n++;
	}
	for_each_online_cpu(cpu)
		if (tasks[cpu])
			wake_up_process(tasks[cpu]);
	/*
	 * Meanwhile, read the statistics as debugfs does: a snapshot that
	 * never goes back, since each per-CPU counter only grows.
	 */
	for_each_online_cpu(cpu) {
		if (!tasks[cpu])
			continue;
		while (!wait_for_completion_timeout(&workers[cpu].done, 1)) {
			u64 gets;

			gets = kheap_pool_stat(s->pool, KHEAP_POOL_STAT_GETS);
			KUNIT_EXPECT_GE(test, gets, gets_seen);
			gets_seen = gets;
			snapshots++;
		}
		kthread_stop(tasks[cpu]);
	}

	KUNIT_EXPECT_EQ(test, atomic_read(&s->errors), 0);
	KUNIT_EXPECT_GT(test, atomic_long_read(&s->ops), 0L);
	KUNIT_EXPECT_GT(test, atomic_long_read(&s->irq_ops), 0L);
	KUNIT_EXPECT_GT(test, atomic_long_read(&s->sirq_ops), 0L);
	KUNIT_EXPECT_TRUE(test, bitmap_empty(s->inuse, nr));
	/* Every object accounted for exactly once. */
	pool_drain(test, s->pool, 32, objs);
	KUNIT_EXPECT_EQ(test, kheap_pool_stat(s->pool, KHEAP_POOL_STAT_GETS),
			kheap_pool_stat(s->pool, KHEAP_POOL_STAT_PUTS) + nr);
	KUNIT_EXPECT_EQ(test,
			kheap_pool_stat(s->pool, KHEAP_POOL_STAT_FOREIGN_PUTS),
			0ULL);
	kunit_info(test, "%u threads, %ld thread ops, %ld hardirq ops\n", n,
		   atomic_long_read(&s->ops), atomic_long_read(&s->irq_ops));
	kunit_info(test, "%ld softirq ops\n", atomic_long_read(&s->sirq_ops));
	kunit_info(test, "%llu steals, %llu empty\n",
		   kheap_pool_stat(s->pool, KHEAP_POOL_STAT_REMOTE_STEALS),
		   kheap_pool_stat(s->pool, KHEAP_POOL_STAT_EMPTY));
	kunit_info(test, "%u statistics snapshots while they ran\n", snapshots);
	pool_put_all(s->pool, objs);
	kheap_pool_destroy(s->pool);
}

static struct kunit_case kheap_pool_cases[] = {
	/* What create accepts and what a pool takes from its heap. */
	KUNIT_CASE(pool_test_bad_args),
	KUNIT_CASE(pool_test_layout_mismatch),
	KUNIT_CASE(pool_test_bad_names),
	KUNIT_CASE(pool_test_accounting),
	KUNIT_CASE(pool_test_large_area),
	KUNIT_CASE(pool_test_max_objs),
	KUNIT_CASE(pool_test_heap_destroyed_first),
	/* Gets and puts. */
	KUNIT_CASE(pool_test_single_get_put),
	KUNIT_CASE(pool_test_exhaustion),
	KUNIT_CASE(pool_test_foreign_put),
	KUNIT_CASE(pool_test_stats),
	KUNIT_CASE(pool_test_double_put),
	KUNIT_CASE(pool_test_typed),
	KUNIT_CASE_PARAM(pool_test_smp_stress, stress_flags_gen_params),
	{}
};

static struct kunit_suite kheap_pool_suite = {
	.name = "kheap_pool",
	.test_cases = kheap_pool_cases,
};

kunit_test_suites(&kheap_ring_suite, &kheap_chain_suite, &kheap_pool_suite);

MODULE_IMPORT_NS(EXPORTED_FOR_KUNIT_TESTING);
MODULE_DESCRIPTION("KUnit tests for kheap rings, chains and pools");
MODULE_LICENSE("GPL");
KHEAP_IMPORT_NS();
