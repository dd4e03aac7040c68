// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite kheap_soak: a bounded SMP soak of heaps and pools.
 *
 * For "seconds" (module parameter, 20 by default; /init passes kheap.soak=
 * from the kernel command line) a kthread on every online CPU, each with a
 * hard hrtimer pinned to its CPU:
 *  - allocates blocks of random sizes (24 B up to 64 KiB, a few past 8 KiB)
 *    from four shared heaps, stamps each (owner, heap, sequence, size, a
 *    check word, the sequence again in its last bytes) and then frees it
 *    itself later, or hands it to the next CPU's thread, or to the next
 *    CPU's hrtimer, through lock-free SPSC rings (kheap_ring);
 *  - frees what the previous CPU's thread handed it, checking the stamp, the
 *    block's heap and size: a block handed out twice, or written by another,
 *    fails the check;
 *  - gets and puts objects of a shared pool; a bitmap says which are out, so
 *    an object handed out twice finds its bit already set;
 *  - every so often creates a heap, links it into the hierarchy, allocates
 *    into it, frees and destroys it, and creates, drains and destroys a pool
 *    (meanwhile /init reads every debugfs file of kheap in a loop).
 * The hrtimer gets and puts pool objects in hardirq context and frees the
 * blocks handed to it, except on PREEMPT_RT, where slab calls from hardirq
 * are not allowed (there the thread frees them).
 *
 * At the end every heap's count and bytes are exactly 0, as many blocks and
 * bytes were freed as were allocated, per heap, every pool object is in the
 * pool exactly once, and no canary was overrun and no free refused.
 */
#include <kunit/test.h>
#include <linux/bitmap.h>
#include <linux/completion.h>
#include <linux/hash.h>
#include <linux/hrtimer.h>
#include <linux/kthread.h>
#include <linux/ktime.h>
#include <linux/module.h>
#include <linux/random.h>
#include <linux/sizes.h>
#include <linux/unaligned.h>

#include "kheap_test_util.h"

static unsigned int seconds = 20;
module_param(seconds, uint, 0444);
MODULE_PARM_DESC(seconds, "how long the soak runs, 1..240 s");

#define SOAK_HEAPS 4
#define SOAK_HOLD 16
#define SOAK_RING 64
#define SOAK_POOL_PER_CPU 8
#define SOAK_POOL_HOLD 4
#define SOAK_POOL_OBJ 64
#define SOAK_CHURN_EVERY 128
#define SOAK_CHURN_BLOCKS 8
#define SOAK_CHURN_PER_CPU 2
#define SOAK_TIMER_NS (500 * NSEC_PER_USEC)

/* Slab calls are not allowed in hardirq context on PREEMPT_RT. */
static const bool soak_irq_frees = !IS_ENABLED(CONFIG_PREEMPT_RT);

/* A block holds its stamp and, after it, a copy of the stamp's tag. */
#define SOAK_MIN_SIZE (sizeof(struct soak_stamp) + sizeof(u64))

/**
 * struct soak_stamp - the head of every soak block
 * @tag:	owner << 48 | heap << 40 | sequence
 * @size:	the size asked for
 * @check:	soak_check() of @tag and @size
 *
 * A block's last 8 bytes repeat @tag.
 */
struct soak_stamp {
	u64 tag;
	u32 size;
	u32 check;
};

/* Blocks and bytes, per heap. */
struct soak_count {
	u64 blocks[SOAK_HEAPS];
	u64 bytes[SOAK_HEAPS];
};

struct soak;

/**
 * struct soak_worker - one CPU's thread and hrtimer
 * @s:		the soak
 * @idx:	0..nr_workers - 1
 * @prev:	the worker whose rings this one's thread and timer empty
 * @to_next:	blocks for the next worker's thread (we produce)
 * @to_irq:	blocks for the next worker's hrtimer (we produce)
 * @timer:	the hard hrtimer on this CPU
 * @stop:	tells the timer not to restart
 * @seq:	sequence of the blocks allocated here
 * @held:	blocks held here, oldest first
 * @nr_held:	how many
 * @pool_held:	pool objects held by the thread
 * @nr_pool:	how many
 * @irq_obj:	the pool object the timer holds between two firings
 * @churn_objs:	room for every object of a churn pool
 * @alloced:	blocks allocated by the thread
 * @freed:	blocks freed by the thread (its own and handed ones)
 * @irq_freed:	blocks freed by the timer
 * @alloc_fails: allocations that returned NULL (GFP_NOWAIT may)
 * @handed:	blocks handed to the next CPU's thread or timer
 * @pool_ops:	pool gets and puts by the thread
 * @irq_pool_ops: by the timer
 * @irq_fires:	timer firings
 * @churns:	heaps and pools created and destroyed
 * @done:	completed as the thread exits
 */
struct soak_worker {
	struct soak *s;
	unsigned int idx;
	struct soak_worker *prev;
	struct kheap_ring *to_next;
	struct kheap_ring *to_irq;
	struct hrtimer timer;
	bool stop;
	u32 seq;
	void *held[SOAK_HOLD];
	unsigned int nr_held;
	void *pool_held[SOAK_POOL_HOLD];
	unsigned int nr_pool;
	void *irq_obj;
	void **churn_objs;
	struct soak_count alloced;
	struct soak_count freed;
	struct soak_count irq_freed;
	u64 alloc_fails;
	u64 handed;
	u64 pool_ops;
	u64 irq_pool_ops;
	u64 irq_fires;
	u64 churns;
	struct completion done;
};

/**
 * struct soak - the shared state
 * @heaps:	where blocks come from
 * @churn_heap:	where churn pools take their object area
 * @pool:	the shared pool; its object area is in @pool_heap
 * @pool_heap:	that heap
 * @inuse:	a bit per object of @pool: handed out
 * @w:		the workers
 * @nr:		how many
 * @deadline:	when the threads stop
 * @errors:	checks that did not hold
 * @first_error: what the first of them was
 * @drained:	blocks freed from the rings by the test at the end
 */
struct soak {
	struct kheap *heaps[SOAK_HEAPS];
	struct kheap *churn_heap;
	struct kheap_pool *pool;
	struct kheap *pool_heap;
	unsigned long *inuse;
	struct soak_worker *w;
	unsigned int nr;
	ktime_t deadline;
	atomic_t errors;
	const char *first_error;
	struct soak_count drained;
};

static void soak_error(struct soak *s, const char *what)
{
	if (atomic_inc_return(&s->errors) == 1)
		WRITE_ONCE(s->first_error, what);
}

static u32 soak_check(u64 tag, u32 size)
{
	return hash_64(tag ^ ((u64)size << 20), 32);
}

/*
 * SOAK_MIN_SIZE to 64 KiB: mostly small, a few past 8 KiB (the page
 * allocator).
 */
static size_t soak_size(void)
{
	u32 r = get_random_u32_below(100);

	if (r < 75)
		return SOAK_MIN_SIZE + get_random_u32_below(256);
	if (r < 97)
		return SOAK_MIN_SIZE + get_random_u32_below(SZ_4K);
	return SZ_8K + get_random_u32_below(SZ_64K - SZ_8K);
}

static void *soak_block_alloc(struct soak_worker *w)
{
	unsigned int h = get_random_u32_below(SOAK_HEAPS);
	gfp_t gfp = get_random_u32_below(4) ? GFP_KERNEL :
					      GFP_NOWAIT | __GFP_NOWARN;
	size_t size = soak_size();
	struct soak_stamp *st;

	st = kheap_alloc(w->s->heaps[h], size, gfp);
	if (!st) {
		w->alloc_fails++;
		return NULL;
	}
	st->tag = (u64)w->idx << 48 | (u64)h << 40 | w->seq++;
	st->size = size;
	st->check = soak_check(st->tag, size);
	put_unaligned(st->tag, (u64 *)((u8 *)st + size - sizeof(u64)));
	w->alloced.blocks[h]++;
	w->alloced.bytes[h] += size;
	return st;
}

/* Check a block's stamp, count it in @c and free it. Any context. */
static void soak_block_free(struct soak *s, struct soak_count *c, void *p)
{
	struct soak_stamp *st = p;
	unsigned int h = (st->tag >> 40) & 0xff;
	u64 *tail = (u64 *)((u8 *)p + st->size - sizeof(u64));

	/* The tail is read only once the size is known to be the block's. */
	if (st->check != soak_check(st->tag, st->size) || h >= SOAK_HEAPS ||
	    kheap_size(p) != st->size || get_unaligned(tail) != st->tag) {
		soak_error(s, "a block's stamp was damaged");
		kheap_free(p);
		return;
	}
	if (kheap_of(p) != s->heaps[h])
		soak_error(s,
			   "a block is not in the heap it was allocated from");
	c->blocks[h]++;
	c->bytes[h] += st->size;
	st->check = ~st->check;
	kheap_free(p);
}

/* Free up to @max blocks from @ring (we are its one consumer). */
static unsigned int soak_ring_free(struct soak *s, struct soak_count *c,
				   struct kheap_ring *ring, unsigned int max)
{
	unsigned int n;
	void *p;

	for (n = 0; n < max && (p = kheap_ring_pop(ring)); n++)
		soak_block_free(s, c, p);
	return n;
}

/* Free the oldest block this thread holds. */
static void soak_free_oldest(struct soak_worker *w)
{
	soak_block_free(w->s, &w->freed, w->held[0]);
	memmove(&w->held[0], &w->held[1], --w->nr_held * sizeof(w->held[0]));
}

/* Keep a new block, hand it on, or free it at once. */
static void soak_block_place(struct soak_worker *w, void *p)
{
	struct kheap_ring *ring = NULL;

	switch (get_random_u32_below(4)) {
	case 0:
		if (w->nr_held == SOAK_HOLD)
			soak_free_oldest(w);
		w->held[w->nr_held++] = p;
		return;
	case 1:
		ring = w->to_next;
		break;
	case 2:
		ring = soak_irq_frees ? w->to_irq : w->to_next;
		break;
	}
	if (ring && kheap_ring_push(ring, p)) {
		w->handed++;
		return;
	}
	soak_block_free(w->s, &w->freed, p);
}

static void *soak_pool_get(struct soak *s, struct kheap_pool *pool)
{
	void *obj = kheap_pool_get(pool);
	unsigned int idx;

	if (!obj)
		return NULL;
	idx = kheap_pool_index(pool, obj);
	if (idx >= kheap_pool_nr_objs(pool) ||
	    test_and_set_bit(idx, s->inuse)) {
		soak_error(s, "a pool object was handed out twice");
		return NULL; /* keep it: never put a duplicate */
	}
	*(unsigned long *)obj = idx;
	return obj;
}

static void soak_pool_put(struct soak *s, struct kheap_pool *pool, void *obj)
{
	unsigned int idx = kheap_pool_index(pool, obj);

	if (*(unsigned long *)obj != idx || !test_and_clear_bit(idx, s->inuse))
		soak_error(s, "a pool object came back changed or twice");
	kheap_pool_put(pool, obj);
}

static enum hrtimer_restart soak_timer_fn(struct hrtimer *t)
{
	struct soak_worker *w = container_of(t, struct soak_worker, timer);
	struct soak *s = w->s;
	void *obj = soak_pool_get(s, s->pool);

	/* Hold one object from one firing to the next. */
	if (w->irq_obj)
		soak_pool_put(s, s->pool, w->irq_obj);
	w->irq_obj = obj;
	w->irq_pool_ops++;
	if (soak_irq_frees)
		soak_ring_free(s, &w->irq_freed, w->prev->to_irq, 4);
	w->irq_fires++;
	if (READ_ONCE(w->stop))
		return HRTIMER_NORESTART;
	hrtimer_forward_now(t, ns_to_ktime(SOAK_TIMER_NS));
	return HRTIMER_RESTART;
}

/* The thread's pool traffic: mostly get while holding few, else put. */
static void soak_pool_step(struct soak_worker *w)
{
	struct soak *s = w->s;

	if (w->nr_pool < SOAK_POOL_HOLD &&
	    (get_random_u32_below(3) || !w->nr_pool)) {
		void *obj = soak_pool_get(s, s->pool);

		if (obj)
			w->pool_held[w->nr_pool++] = obj;
	} else {
		soak_pool_put(s, s->pool, w->pool_held[--w->nr_pool]);
	}
	w->pool_ops++;
}

/* A short-lived heap in the hierarchy: create, link, fill, empty, destroy. */
static void soak_churn_heap(struct soak_worker *w)
{
	struct soak *s = w->s;
	void *blocks[SOAK_CHURN_BLOCKS];
	struct kheap *tmp;
	char name[32];
	int i, n = 0;

	snprintf(name, sizeof(name), "soak.tmp%u", w->idx);
	tmp = kheap_create(name);
	if (IS_ERR(tmp)) {
		soak_error(s, "kheap_create() of a churn heap failed");
		return;
	}
	if (kheap_link(s->heaps[w->idx % SOAK_HEAPS], tmp))
		soak_error(s, "kheap_link() failed");
	for (i = 0; i < SOAK_CHURN_BLOCKS; i++) {
		blocks[n] = kheap_alloc(tmp, soak_size(), GFP_KERNEL);
		n += !!blocks[n];
	}
	if (kheap_count(tmp) != n)
		soak_error(s, "a churn heap's count");
	while (n)
		kheap_free(blocks[--n]);
	if (kheap_count(tmp) || kheap_bytes(tmp))
		soak_error(s, "an emptied churn heap is not empty");
	kheap_destroy(tmp);
}

/* A short-lived pool: create, take every object once, give back, destroy. */
static void soak_churn_pool(struct soak_worker *w)
{
	struct soak *s = w->s;
	struct kheap_pool *pool;
	unsigned int nr, i;
	char name[32];

	snprintf(name, sizeof(name), "soak.tmp%u", w->idx);
	pool = kheap_pool_create(name, s->churn_heap, 32, SOAK_CHURN_PER_CPU,
				 GFP_KERNEL);
	if (IS_ERR(pool)) {
		soak_error(s, "kheap_pool_create() of a churn pool failed");
		return;
	}
	nr = kheap_pool_nr_objs(pool);
	/* Nobody else knows this pool: every object comes out, once. */
	for (i = 0; i < nr; i++) {
		w->churn_objs[i] = kheap_pool_get(pool);
		if (!w->churn_objs[i]) {
			soak_error(s, "a churn pool ran out early");
			break;
		}
	}
	if (i == nr && kheap_pool_get(pool))
		soak_error(s, "a churn pool gave more than it holds");
	while (i)
		kheap_pool_put(pool, w->churn_objs[--i]);
	kheap_pool_destroy(pool);
}

static void soak_step(struct soak_worker *w, unsigned long iter)
{
	u32 r = get_random_u32_below(16);
	void *p;

	if (r < 8) {
		p = soak_block_alloc(w);
		if (p)
			soak_block_place(w, p);
	} else if (r < 10 && w->nr_held) {
		soak_free_oldest(w);
	} else if (r < 14) {
		soak_pool_step(w);
	}
	/* What the previous CPU's thread handed us. */
	soak_ring_free(w->s, &w->freed, w->prev->to_next, 4);
	if (iter % SOAK_CHURN_EVERY == SOAK_CHURN_EVERY - 1) {
		soak_churn_heap(w);
		soak_churn_pool(w);
		w->churns++;
	}
}

static int soak_thread(void *arg)
{
	struct soak_worker *w = arg;
	struct soak *s = w->s;
	unsigned long iter;

	hrtimer_init(&w->timer, CLOCK_MONOTONIC, HRTIMER_MODE_REL_PINNED_HARD);
	w->timer.function = soak_timer_fn;
	hrtimer_start(&w->timer, ns_to_ktime(SOAK_TIMER_NS),
		      HRTIMER_MODE_REL_PINNED_HARD);
	for (iter = 0; ktime_before(ktime_get(), READ_ONCE(s->deadline));
	     iter++) {
		soak_step(w, iter);
		if (!(iter % 16))
			cond_resched();
	}
	WRITE_ONCE(w->stop, true);
	hrtimer_cancel(&w->timer);

	/* Give back what this CPU holds; the rings are drained at the end. */
	if (w->irq_obj)
		soak_pool_put(s, s->pool, w->irq_obj);
	while (w->nr_pool)
		soak_pool_put(s, s->pool, w->pool_held[--w->nr_pool]);
	while (w->nr_held)
		soak_block_free(s, &w->freed, w->held[--w->nr_held]);
	kthread_complete_and_exit(&w->done, 0);
}

static void soak_ring_destroy(void *ring)
{
	kheap_ring_destroy(ring);
}

static struct kheap_ring *soak_ring(struct kunit *test)
{
	struct kheap_ring *ring = kheap_ring_create(SOAK_RING, GFP_KERNEL);

	KUNIT_ASSERT_FALSE(test, IS_ERR(ring));
	KUNIT_ASSERT_EQ(test, 0,
			kunit_add_action_or_reset(test, soak_ring_destroy,
						  ring));
	return ring;
}

static void soak_pool_destroy(void *pool)
{
	kheap_pool_destroy(pool);
}

/* The heaps, the pool, a worker per online CPU with its two rings. */
static struct soak *soak_setup(struct kunit *test)
{
	struct soak *s = kunit_kzalloc(test, sizeof(*s), GFP_KERNEL);
	unsigned int i, nr_churn = SOAK_CHURN_PER_CPU * num_possible_cpus();

	KUNIT_ASSERT_NOT_NULL(test, s);
	for (i = 0; i < SOAK_HEAPS; i++)
		s->heaps[i] = kt_heap(test);
	KUNIT_ASSERT_EQ(test, kheap_link(s->heaps[0], s->heaps[1]), 0);
	KUNIT_ASSERT_EQ(test, kheap_connect(s->heaps[2], s->heaps[3]), 0);
	s->churn_heap = kt_heap(test);
	s->pool_heap = kt_heap(test);
	s->pool = kheap_pool_create("soak", s->pool_heap, SOAK_POOL_OBJ,
				    SOAK_POOL_PER_CPU, GFP_KERNEL);
	KUNIT_ASSERT_FALSE(test, IS_ERR(s->pool));
	KUNIT_ASSERT_EQ(test, 0,
			kunit_add_action_or_reset(test, soak_pool_destroy,
						  s->pool));
	s->inuse = kunit_kcalloc(test,
				 BITS_TO_LONGS(kheap_pool_nr_objs(s->pool)),
				 sizeof(long), GFP_KERNEL);
	s->nr = num_online_cpus();
	s->w = kunit_kcalloc(test, s->nr, sizeof(*s->w), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, s->inuse);
	KUNIT_ASSERT_NOT_NULL(test, s->w);

	for (i = 0; i < s->nr; i++) {
		struct soak_worker *w = &s->w[i];

		w->s = s;
		w->idx = i;
		w->prev = &s->w[(i + s->nr - 1) % s->nr];
		w->to_next = soak_ring(test);
		w->to_irq = soak_ring(test);
		w->churn_objs = kunit_kcalloc(test, nr_churn, sizeof(void *),
					      GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, w->churn_objs);
		init_completion(&w->done);
	}
	return s;
}

static void soak_count_add(struct soak_count *sum, const struct soak_count *c)
{
	int h;

	for (h = 0; h < SOAK_HEAPS; h++) {
		sum->blocks[h] += c->blocks[h];
		sum->bytes[h] += c->bytes[h];
	}
}

/* Every pool object is in the pool exactly once. */
static void soak_pool_check(struct kunit *test, struct soak *s)
{
	unsigned int nr = kheap_pool_nr_objs(s->pool), i, idx;
	void **objs = kunit_kcalloc(test, nr, sizeof(*objs), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, objs);
	KUNIT_EXPECT_TRUE(test, bitmap_empty(s->inuse, nr));
	for (i = 0; i < nr; i++) {
		objs[i] = kheap_pool_get(s->pool);
		KUNIT_ASSERT_NOT_NULL_MSG(test, objs[i], "get %u of %u", i, nr);
		idx = kheap_pool_index(s->pool, objs[i]);
		KUNIT_ASSERT_LT(test, idx, nr);
		KUNIT_EXPECT_FALSE_MSG(test, __test_and_set_bit(idx, s->inuse),
				       "object %u is in the pool twice", idx);
	}
	KUNIT_EXPECT_NULL(test, kheap_pool_get(s->pool));
	KUNIT_EXPECT_TRUE(test, bitmap_full(s->inuse, nr));
	for (i = 0; i < nr; i++)
		kheap_pool_put(s->pool, objs[i]);
	bitmap_zero(s->inuse, nr);
	KUNIT_EXPECT_EQ(test,
			kheap_pool_stat(s->pool, KHEAP_POOL_STAT_FOREIGN_PUTS),
			0ULL);
	KUNIT_EXPECT_EQ(test, kheap_pool_stat(s->pool, KHEAP_POOL_STAT_GETS),
			kheap_pool_stat(s->pool, KHEAP_POOL_STAT_PUTS));
}

static void soak_test_heaps_pools(struct kunit *test)
{
	unsigned long invalid = kheap_invalid_frees();
	struct soak_count alloced = {}, freed = {};
	u64 ops = 0, handed = 0, irq_ops = 0, fires = 0, churns = 0, fails = 0;
	/* KUnit gives a case 300 s. */
	unsigned int secs = clamp(seconds, 1U, 240U), i;
	struct soak *s = soak_setup(test);
	struct task_struct **t;
	int h;

	t = kunit_kcalloc(test, s->nr, sizeof(*t), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, t);
	for (i = 0; i < s->nr; i++) {
		t[i] = kthread_create(soak_thread, &s->w[i], "kheap_soak/%u",
				      i);
		if (IS_ERR(t[i])) {
			long err = PTR_ERR(t[i]);

			/* Never woken: they exit without running. */
			while (i--)
				kthread_stop(t[i]);
			KUNIT_FAIL_AND_ABORT(test, "kthread_create: %ld", err);
		}
		kthread_bind(t[i], cpumask_nth(i, cpu_online_mask));
	}
	/* The soak's time starts once every thread is there to start. */
	s->deadline = ktime_add_ms(ktime_get(), secs * MSEC_PER_SEC);
	for (i = 0; i < s->nr; i++)
		wake_up_process(t[i]);
	while (i)
		wait_for_completion(&s->w[--i].done);

	/* Every thread and timer is gone: the test is every ring's consumer. */
	for (i = 0; i < s->nr; i++) {
		struct soak_worker *w = &s->w[i];

		while (soak_ring_free(s, &s->drained, w->to_next, UINT_MAX) ||
		       soak_ring_free(s, &s->drained, w->to_irq, UINT_MAX))
			;
		soak_count_add(&alloced, &w->alloced);
		soak_count_add(&freed, &w->freed);
		soak_count_add(&freed, &w->irq_freed);
		ops += w->pool_ops + w->irq_pool_ops;
		irq_ops += w->irq_pool_ops;
		handed += w->handed;
		fires += w->irq_fires;
		churns += w->churns;
		fails += w->alloc_fails;
	}
	soak_count_add(&freed, &s->drained);

	KUNIT_EXPECT_EQ_MSG(test, atomic_read(&s->errors), 0, "the first: %s",
			    s->first_error ?: "");
	for (h = 0; h < SOAK_HEAPS; h++) {
		KUNIT_EXPECT_EQ(test, freed.blocks[h], alloced.blocks[h]);
		KUNIT_EXPECT_EQ(test, freed.bytes[h], alloced.bytes[h]);
		KUNIT_EXPECT_EQ(test, kheap_count(s->heaps[h]), 0UL);
		KUNIT_EXPECT_EQ(test, kheap_bytes(s->heaps[h]), 0UL);
		KUNIT_EXPECT_EQ(test, kheap_overruns(s->heaps[h]), 0UL);
		KUNIT_EXPECT_GT(test, alloced.blocks[h], 0ULL);
		ops += alloced.blocks[h] + freed.blocks[h];
	}
	KUNIT_EXPECT_EQ(test, kheap_count(s->churn_heap), 0UL);
	KUNIT_EXPECT_EQ(test, kheap_bytes(s->pool_heap),
			kheap_pool_bytes(s->pool));
	KUNIT_EXPECT_EQ(test, kheap_invalid_frees(), invalid);
	KUNIT_EXPECT_GT(test, handed, 0ULL);
	KUNIT_EXPECT_GT(test, irq_ops, 0ULL);
	KUNIT_EXPECT_GT(test, churns, 0ULL);
	soak_pool_check(test, s);
	/* Each churn: two creates, two destroys. */
	ops += 4 * churns;
	kunit_info(test, "%u s on %u CPUs: %llu ops, %llu blocks handed over\n",
		   secs, s->nr, ops, handed);
	kunit_info(test, "%llu hardirq firings, %llu churns, %llu failures\n",
		   fires, churns, fails);
}

static struct kunit_case kheap_soak_cases[] = {
	KUNIT_CASE_SLOW(soak_test_heaps_pools),
	{},
};

static struct kunit_suite kheap_soak_suite = {
	.name = "kheap_soak",
	.test_cases = kheap_soak_cases,
};

kunit_test_suite(kheap_soak_suite);

MODULE_DESCRIPTION("KUnit soak of kheap heaps and pools on every CPU");
MODULE_LICENSE("GPL");
KHEAP_IMPORT_NS();
