// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite kheap_hier_random: the hierarchy against a reference model,
 * on a random graph of 256 heaps, while every CPU allocates.
 *
 * The test keeps the graph as an adjacency matrix and each heap's blocks as
 * counts. Each round it starts a thread on every CPU that allocates and
 * frees blocks in random heaps (holding a few at a time), and meanwhile
 * links, connects and unlinks random heaps itself, cycles and all. While
 * the threads run, a query of a random heap is bounded: at least what the
 * model holds in the heaps it reaches, at most that plus what the threads
 * can hold at once. At the end of the round the threads stop, holding
 * what they hold (a quiescent point); the model adds their blocks, and for
 * every heap kheap_hier_bytes() and kheap_hier_count() equal the sums over
 * the heaps the model says it reaches, exactly. Then the test frees the
 * threads' blocks and the next round begins.
 *
 * Seeded: the seed is printed, and the module parameter seed replays the
 * test's own choices (the graph's changes and the blocks it checks); the
 * threads draw from the seed too, but their interleaving is the machine's.
 */
#include <kunit/test.h>
#include <linux/bitmap.h>
#include <linux/module.h>
#include <linux/prandom.h>
#include <linux/random.h>
#include <linux/sched.h>

#include "kheap_test_crew.h"
#include "kheap_test_util.h"

static ulong seed;
module_param(seed, ulong, 0444);
MODULE_PARM_DESC(seed, "the random seed (0: draw one); printed by the test");

#define HR_HEAPS 256

static uint rounds = 8;
module_param(rounds, uint, 0444);
MODULE_PARM_DESC(rounds,
		 "rounds of graph changes, each ending at a quiescent check");
/* Changes of the graph per round, and a bounded query every few. */
#define HR_EDGE_OPS 400
#define HR_QUERY_EVERY 4
/* Blocks the test puts in each heap at the start, at most. */
#define HR_BASE_MAX 3
#define HR_BASE_SIZE 200
/* Blocks a thread holds at once, at most, and their size bound. */
#define HR_HOLD 6
#define HR_CHURN_SIZE 128

/**
 * struct hr_held - a block a thread holds
 * @p:		the block, or NULL
 * @heap:	the index of its heap
 * @size:	its size
 */
struct hr_held {
	void *p;
	unsigned int heap;
	size_t size;
};

/**
 * struct hr_thread - one CPU's thread
 * @held:	what it holds
 * @rnd:	its random state
 * @ops:	allocations it did
 * @failed:	allocations that returned NULL
 */
struct hr_thread {
	struct hr_held held[HR_HOLD];
	struct rnd_state rnd;
	unsigned long ops;
	unsigned long failed;
};

/**
 * struct hr_state - one test's state and its model
 * @h:		the heaps
 * @adj:	the model's edges: bit from * HR_HEAPS + to
 * @bytes:	the model's bytes per heap (the test's blocks, and at a
 *		quiescent point the threads')
 * @count:	and blocks
 * @base:	the test's blocks, HR_BASE_MAX per heap
 * @th:		per CPU, sized nr_cpu_ids
 * @seen:	a walk's visited heaps
 * @queue:	and its queue
 * @rnd:	the test's random state
 * @stop:	the threads stop allocating
 */
struct hr_state {
	struct kheap **h;
	unsigned long *adj;
	size_t *bytes;
	size_t *count;
	void **base;
	struct hr_thread *th;
	unsigned long *seen;
	u16 *queue;
	struct rnd_state rnd;
	bool stop;
};

static u32 hr_below(struct rnd_state *rnd, u32 n)
{
	return prandom_u32_state(rnd) % n;
}

/* The model: sums over the heaps @from reaches, itself included. */
static void hr_model_sum(struct hr_state *s, unsigned int from, size_t *bytes,
			 size_t *count)
{
	unsigned int head = 0, tail = 0, cur, to;

	bitmap_zero(s->seen, HR_HEAPS);
	__set_bit(from, s->seen);
	s->queue[tail++] = from;
	*bytes = 0;
	*count = 0;
	while (head < tail) {
		cur = s->queue[head++];
		*bytes += s->bytes[cur];
		*count += s->count[cur];
		for_each_set_bit(to, s->adj + cur * HR_HEAPS / BITS_PER_LONG,
				 HR_HEAPS) {
			if (!__test_and_set_bit(to, s->seen))
				s->queue[tail++] = to;
		}
	}
}

static void hr_set_edge(struct hr_state *s, unsigned int from, unsigned int to,
			bool on)
{
	if (on)
		__set_bit(from * HR_HEAPS + to, s->adj);
	else
		__clear_bit(from * HR_HEAPS + to, s->adj);
}

/* One CPU's thread: allocate and free in random heaps until told. */
static int hr_member(void *arg)
{
	struct kt_member *m = arg;
	struct hr_state *s = m->crew->priv;
	struct hr_thread *t = &s->th[m->cpu];
	unsigned int i = 0;

	kt_crew_ready(m);
	while (!READ_ONCE(s->stop) && !kthread_should_stop()) {
		struct hr_held *b = &t->held[i];

		if (b->p)
			kheap_free(b->p);
		b->heap = hr_below(&t->rnd, HR_HEAPS);
		b->size = hr_below(&t->rnd, HR_CHURN_SIZE);
		b->p = kheap_alloc(s->h[b->heap], b->size, GFP_KERNEL);
		if (b->p)
			t->ops++;
		else
			t->failed++;
		i = (i + 1) % HR_HOLD;
		cond_resched();
	}
	/* What it holds stays: the test counts it, then frees it. */
	return kt_crew_park();
}

/* Link, connect or unlink random heaps, in the kernel and the model. */
static void hr_change(struct kunit *test, struct hr_state *s)
{
	unsigned int a = hr_below(&s->rnd, HR_HEAPS);
	unsigned int b = hr_below(&s->rnd, HR_HEAPS);
	unsigned int r = hr_below(&s->rnd, 100), to;
	const unsigned long *row = s->adj + a * HR_HEAPS / BITS_PER_LONG;

	if (r < 20) {
		KUNIT_ASSERT_EQ(test, kheap_link(s->h[a], s->h[b]),
				a == b ? -EINVAL : 0);
		if (a != b)
			hr_set_edge(s, a, b, true);
	} else if (r < 28) {
		KUNIT_ASSERT_EQ(test, kheap_connect(s->h[a], s->h[b]),
				a == b ? -EINVAL : 0);
		if (a != b) {
			hr_set_edge(s, a, b, true);
			hr_set_edge(s, b, a, true);
		}
	} else {
		/* Mostly an edge that exists: @a's first from @b on. */
		to = find_next_bit(row, HR_HEAPS, b);
		if (to == HR_HEAPS)
			to = find_first_bit(row, HR_HEAPS);
		if (to < HR_HEAPS && r < 95)
			b = to;
		kheap_unlink(s->h[a], s->h[b]);
		hr_set_edge(s, a, b, false);
	}
}

/* While the threads run: bounded by the model, give or take theirs. */
static void hr_check_bounds(struct kunit *test, struct hr_state *s,
			    unsigned int nthreads, unsigned int round)
{
	/* A thread holds HR_HOLD blocks, and one more while allocating. */
	size_t slack_count = nthreads * (HR_HOLD + 1);
	size_t slack_bytes = slack_count * HR_CHURN_SIZE;
	unsigned int q = hr_below(&s->rnd, HR_HEAPS);
	size_t bytes, count, hb, hc;

	hr_model_sum(s, q, &bytes, &count);
	hb = kheap_hier_bytes(s->h[q]);
	hc = kheap_hier_count(s->h[q]);
	KUNIT_ASSERT_GE_MSG(test, hb, bytes, "round %u, heap %u", round, q);
	KUNIT_ASSERT_LE_MSG(test, hb, bytes + slack_bytes, "round %u, heap %u",
			    round, q);
	KUNIT_ASSERT_GE_MSG(test, hc, count, "round %u, heap %u", round, q);
	KUNIT_ASSERT_LE_MSG(test, hc, count + slack_count, "round %u, heap %u",
			    round, q);
}

/* At a quiescent point: every heap, exactly. */
static void hr_check_exact(struct kunit *test, struct hr_state *s,
			   unsigned int round)
{
	size_t bytes, count;
	unsigned int q;

	for (q = 0; q < HR_HEAPS; q++) {
		hr_model_sum(s, q, &bytes, &count);
		KUNIT_ASSERT_EQ_MSG(test, kheap_bytes(s->h[q]), s->bytes[q],
				    "round %u, heap %u", round, q);
		KUNIT_ASSERT_EQ_MSG(test, kheap_hier_bytes(s->h[q]), bytes,
				    "round %u, heap %u", round, q);
		KUNIT_ASSERT_EQ_MSG(test, kheap_hier_count(s->h[q]), count,
				    "round %u, heap %u", round, q);
		if (!(q % 16))
			cond_resched();
	}
}

/* The threads' blocks: into the model, or out of it and freed. */
static void hr_threads_blocks(struct hr_state *s, struct kt_crew *crew,
			      bool count_them)
{
	unsigned int i, j;

	for (i = 0; i < crew->n; i++) {
		struct hr_thread *t = &s->th[crew->m[i].cpu];

		for (j = 0; j < HR_HOLD; j++) {
			struct hr_held *b = &t->held[j];

			if (!b->p)
				continue;
			if (count_them) {
				s->bytes[b->heap] += b->size;
				s->count[b->heap]++;
				continue;
			}
			kheap_free(b->p);
			b->p = NULL;
			s->bytes[b->heap] -= b->size;
			s->count[b->heap]--;
		}
	}
}

/* The end of the test: the threads' blocks, the test's, the heaps. */
static void hr_teardown(void *arg)
{
	struct hr_state *s = arg;
	unsigned int i;

	for (i = 0; i < nr_cpu_ids; i++) {
		unsigned int j;

		for (j = 0; j < HR_HOLD; j++)
			kheap_free(s->th[i].held[j].p); /* NULL: nothing */
	}
	for (i = 0; i < HR_HEAPS * HR_BASE_MAX; i++)
		kheap_free(s->base[i]);
	for (i = 0; i < HR_HEAPS; i++)
		kheap_destroy(s->h[i]);
}

static struct hr_state *hr_setup(struct kunit *test, u64 seed)
{
	struct hr_state *s = kunit_kzalloc(test, sizeof(*s), GFP_KERNEL);
	unsigned int i, j;

	KUNIT_ASSERT_NOT_NULL(test, s);
	s->h = kunit_kcalloc(test, HR_HEAPS, sizeof(*s->h), GFP_KERNEL);
	s->adj = kunit_kcalloc(test, BITS_TO_LONGS(HR_HEAPS * HR_HEAPS),
			       sizeof(long), GFP_KERNEL);
	s->bytes = kunit_kcalloc(test, HR_HEAPS, sizeof(*s->bytes), GFP_KERNEL);
	s->count = kunit_kcalloc(test, HR_HEAPS, sizeof(*s->count), GFP_KERNEL);
	s->base = kunit_kcalloc(test, HR_HEAPS * HR_BASE_MAX, sizeof(*s->base),
				GFP_KERNEL);
	s->th = kunit_kcalloc(test, nr_cpu_ids, sizeof(*s->th), GFP_KERNEL);
	s->seen = kunit_kcalloc(test, BITS_TO_LONGS(HR_HEAPS), sizeof(long),
				GFP_KERNEL);
	s->queue = kunit_kcalloc(test, HR_HEAPS, sizeof(*s->queue), GFP_KERNEL);
	KUNIT_ASSERT_TRUE(test, s->h && s->adj && s->bytes && s->count);
	KUNIT_ASSERT_TRUE(test, s->base && s->th && s->seen && s->queue);
	prandom_seed_state(&s->rnd, seed);
	for (i = 0; i < nr_cpu_ids; i++)
		prandom_seed_state(&s->th[i].rnd, seed + i + 1);
	KUNIT_ASSERT_EQ(test, 0,
			kunit_add_action_or_reset(test, hr_teardown, s));

	for (i = 0; i < HR_HEAPS; i++) {
		char name[32];

		snprintf(name, sizeof(name), "khrand%u", i);
		s->h[i] = kheap_create(name);
		KUNIT_ASSERT_FALSE(test, IS_ERR(s->h[i]));
		for (j = hr_below(&s->rnd, HR_BASE_MAX + 1); j; j--) {
			size_t size = hr_below(&s->rnd, HR_BASE_SIZE);
			void **p = &s->base[i * HR_BASE_MAX + j - 1];

			*p = kheap_alloc(s->h[i], size, GFP_KERNEL);
			KUNIT_ASSERT_NOT_NULL(test, *p);
			s->bytes[i] += size;
			s->count[i]++;
		}
	}
	return s;
}

static void hier_random_test_model(struct kunit *test)
{
	u64 sd = seed ?: get_random_u64();
	unsigned long ops = 0, failed = 0;
	unsigned int round, op, i, edges;
	struct hr_state *s;

	KUNIT_ASSERT_GT_MSG(test, rounds, 0, "rounds=0 would check nothing");
	kunit_info(test, "seed %llu (replay: seed=%llu)\n", sd, sd);
	s = hr_setup(test, sd);
	hr_check_exact(test, s, 0);

	for (round = 1; round <= rounds; round++) {
		struct kt_crew *crew;

		WRITE_ONCE(s->stop, false);
		crew = kt_crew_start(test, hr_member, s, "khrand");
		for (op = 0; op < HR_EDGE_OPS; op++) {
			hr_change(test, s);
			if (!(op % HR_QUERY_EVERY))
				hr_check_bounds(test, s, crew->n, round);
			cond_resched();
		}
		WRITE_ONCE(s->stop, true);
		KUNIT_ASSERT_EQ(test, kt_crew_stop(crew), 0);

		/* Quiescent: the threads hold what they hold. */
		hr_threads_blocks(s, crew, true);
		hr_check_exact(test, s, round);
		hr_threads_blocks(s, crew, false);
		hr_check_exact(test, s, round);
	}
	for (i = 0; i < nr_cpu_ids; i++) {
		ops += s->th[i].ops;
		failed += s->th[i].failed;
	}
	KUNIT_EXPECT_EQ(test, failed, 0UL);
	edges = bitmap_weight(s->adj, HR_HEAPS * HR_HEAPS);
	kunit_info(test, "%u rounds of %u changes: %u edges at the end\n",
		   rounds, HR_EDGE_OPS, edges);
	kunit_info(test, "%lu allocations by the threads\n", ops);
}

static struct kunit_case kheap_hier_random_cases[] = {
	KUNIT_CASE(hier_random_test_model),
	{}
};

static struct kunit_suite kheap_hier_random_suite = {
	.name = "kheap_hier_random",
	.test_cases = kheap_hier_random_cases,
};

kunit_test_suite(kheap_hier_random_suite);

MODULE_DESCRIPTION("KUnit tests for kheap: a random hierarchy against a model");
MODULE_LICENSE("GPL");
KHEAP_IMPORT_NS();
