// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite kheap_nested: frees from a hard interrupt of blocks a task
 * allocated on the same CPU, while that task allocates and frees on the
 * same heap. The tracked path keeps interrupts on: such a free may find
 * the block's shard held by the very task it interrupted, and must then
 * claim the block without waiting and leave the unlinking to the lock's
 * holder. The promises tested:
 *  - every such free is counted at once (count and bytes exact after the
 *    timer stops), and no block is lost or freed twice (KASAN, kmemleak);
 *  - the same with the interrupt forced to queue every such free (a test
 *    hook of kheap's: the queued path runs thousands of times, not only
 *    when the timer happens to hit a held lock);
 *  - a block freed at once by the task and by an interrupt on its CPU is
 *    freed once: the other free is refused and counted;
 *  - a queued block whose shard no one locks again (the holder's unlock,
 *    a release, may look before a queueing on another CPU is visible) is
 *    counted off at once and released under memory pressure.
 */
#include <kunit/test.h>
#include <linux/hrtimer.h>
#include <linux/jiffies.h>
#include <linux/ktime.h>
#include <linux/sched.h>
#include <linux/slab.h>

#include "kheap_test_util.h"
#include "../kmod/kheap_kunit.h"

#define NEST_SLOTS 16
#define NEST_SECONDS 2
#define NEST_MIN_ROUNDS 500
#define NEST_PERIOD_US 50

/**
 * struct nest - one test's state
 * @timer:	a hard hrtimer pinned to the task's CPU
 * @heap:	the heap of every block
 * @slot:	blocks the task handed to the timer (xchg() both ways)
 * @victim:	the double-free case's block, freed by both
 * @fired:	timer firings
 * @freed:	blocks the timer freed
 * @taken:	victims the timer took
 */
struct nest {
	struct hrtimer timer;
	struct kheap *heap;
	void *slot[NEST_SLOTS];
	void *victim;
	atomic_t fired;
	atomic_long_t freed;
	atomic_long_t taken;
};

static enum hrtimer_restart nest_timer_fn(struct hrtimer *t)
{
	struct nest *n = container_of(t, struct nest, timer);
	void *p;
	int i;

	for (i = 0; i < NEST_SLOTS; i++) {
		p = xchg(&n->slot[i], NULL);
		if (p) {
			kheap_free(p);
			atomic_long_inc(&n->freed);
		}
	}
	p = xchg(&n->victim, NULL);
	if (p) {
		kheap_free(p);
		atomic_long_inc(&n->taken);
	}
	atomic_inc(&n->fired);
	hrtimer_forward_now(t, ns_to_ktime(NEST_PERIOD_US * NSEC_PER_USEC));
	return HRTIMER_RESTART;
}

static void nest_stop(void *arg)
{
	struct nest *n = arg;
	int i;

	hrtimer_cancel(&n->timer);
	for (i = 0; i < NEST_SLOTS; i++)
		kheap_free(xchg(&n->slot[i], NULL));
	kheap_test_deferred(false);
	kheap_test_defer_nodrain(false);
}

static void nest_skip_rt(struct kunit *test)
{
	if (IS_ENABLED(CONFIG_PREEMPT_RT))
		kunit_skip(test,
			   "kheap_free() is not for hardirq on PREEMPT_RT");
}

/* Set up; nest_arm() starts the timer. */
static struct nest *nest_setup(struct kunit *test)
{
	struct nest *n;

	nest_skip_rt(test);
	n = kunit_kzalloc(test, sizeof(*n), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, n);
	n->heap = kt_heap(test);
	hrtimer_init(&n->timer, CLOCK_MONOTONIC, HRTIMER_MODE_REL_PINNED_HARD);
	n->timer.function = nest_timer_fn;
	/* Registered after the heap's destroy, so it runs before it. */
	KUNIT_ASSERT_EQ(test, 0, kunit_add_action_or_reset(test, nest_stop, n));
	return n;
}

/* Pin the task to its CPU and start the timer there: no assertion after. */
static void nest_arm(struct nest *n)
{
	migrate_disable();
	hrtimer_start(&n->timer, ns_to_ktime(NEST_PERIOD_US * NSEC_PER_USEC),
		      HRTIMER_MODE_REL_PINNED_HARD);
}

/*
 * The task refills the timer's slots and, in between, allocates and frees
 * on the same heap (holding its shard's lock often); the timer frees what
 * it finds in the slots.
 */
static void nest_run(struct kunit *test, bool always)
{
	unsigned long bad = kheap_invalid_frees(), end, deferred;
	long rounds = 0, fails = 0;
	struct nest *n;
	int i;

	n = nest_setup(test);
	nest_arm(n);
	deferred = kheap_test_deferred(always);
	end = jiffies + NEST_SECONDS * HZ;
	while (time_before(jiffies, end) || rounds < NEST_MIN_ROUNDS) {
		for (i = 0; i < NEST_SLOTS; i++) {
			void *p;

			if (READ_ONCE(n->slot[i]))
				continue;
			p = kheap_alloc(n->heap, 8 + (rounds + i) % 120,
					GFP_KERNEL);
			if (!p) {
				fails++;
				continue;
			}
			/* Published: pairs with the timer's xchg(). */
			p = xchg(&n->slot[i], p);
			KUNIT_EXPECT_NULL(test, p);
		}
		for (i = 0; i < 4; i++)
			kheap_free(kheap_alloc(n->heap, 40, GFP_KERNEL));
		if (!(++rounds % 256))
			cond_resched();
	}
	nest_stop(n);
	migrate_enable();
	deferred = kheap_test_deferred(false) - deferred;
	kunit_info(test,
		   "%ld rounds, %d firings, %ld timer frees, %lu queued\n",
		   rounds, atomic_read(&n->fired), atomic_long_read(&n->freed),
		   deferred);
	KUNIT_EXPECT_EQ(test, fails, 0);
	KUNIT_EXPECT_GT(test, atomic_long_read(&n->freed), 0);
	if (always)
		KUNIT_EXPECT_EQ(test, deferred, atomic_long_read(&n->freed));
	KUNIT_EXPECT_EQ(test, kheap_count(n->heap), 0);
	KUNIT_EXPECT_EQ(test, kheap_bytes(n->heap), 0);
	KUNIT_EXPECT_EQ(test, kheap_invalid_frees(), bad);
}

/* Whatever the timer hits: a held lock sometimes, a free one mostly. */
static void nested_test_free_task_blocks(struct kunit *test)
{
	nest_run(test, false);
}

/* Every timer free of a task block goes the queued way. */
static void nested_test_free_queued(struct kunit *test)
{
	nest_run(test, true);
}

/*
 * The task publishes a block and frees it at once; the timer frees it too.
 * Before the next round the task waits for the timer's free, so the block
 * cannot have been handed out again (that stale free would be no double
 * free: heap.h). Each round: exactly one invalid free, nothing live.
 */
static void nest_double_run(struct kunit *test, bool always)
{
	unsigned long bad = kheap_invalid_frees(), end, give_up;
	long rounds = 0, fails = 0, stuck = 0;
	struct nest *n;

	n = nest_setup(test);
	nest_arm(n);
	kheap_test_deferred(always);
	end = jiffies + NEST_SECONDS * HZ;
	while (time_before(jiffies, end) || rounds < NEST_MIN_ROUNDS / 4) {
		void *p = kheap_alloc(n->heap, 8 + rounds % 100, GFP_KERNEL);

		if (!p) {
			fails++;
			break;
		}
		/* Published: pairs with the timer's xchg(). */
		WRITE_ONCE(n->victim, p);
		kheap_free(p);
		give_up = jiffies + HZ;
		while (READ_ONCE(n->victim) && time_before(jiffies, give_up))
			cpu_relax();
		if (READ_ONCE(n->victim)) {
			stuck++;
			break;
		}
		if (!(++rounds % 256))
			cond_resched();
	}
	nest_stop(n);
	migrate_enable();
	kunit_info(test, "%ld rounds, %d firings\n", rounds,
		   atomic_read(&n->fired));
	KUNIT_EXPECT_EQ(test, fails, 0);
	KUNIT_EXPECT_EQ(test, stuck, 0);
	KUNIT_EXPECT_EQ(test, atomic_long_read(&n->taken), rounds);
	KUNIT_EXPECT_EQ(test, kheap_invalid_frees() - bad, rounds);
	KUNIT_EXPECT_EQ(test, kheap_count(n->heap), 0);
	KUNIT_EXPECT_EQ(test, kheap_bytes(n->heap), 0);
}

static void nested_test_double_free(struct kunit *test)
{
	nest_double_run(test, false);
}

static void nested_test_double_free_queued(struct kunit *test)
{
	nest_double_run(test, true);
}

/*
 * The timer queues its frees of the task's blocks and leaves them there (a
 * test hook: what unlocks that all missed them do), while the task does not
 * touch the heap again: they are counted off at once, stay queued, and go
 * when memory pressure calls kheap's shrinker. Its drain only tries each
 * shard's lock (a debugfs reader may hold it a moment): it is called until
 * they are gone, or a second passes; with the hook on, nothing else drains.
 */
static void nested_test_queued_reclaimed(struct kunit *test)
{
	unsigned long bad = kheap_invalid_frees(), end, queued;
	int i, held = 0;
	struct nest *n;

	n = nest_setup(test);
	kheap_test_defer_nodrain(true);
	kheap_test_deferred(true);
	for (i = 0; i < NEST_SLOTS; i++) {
		n->slot[i] = kheap_alloc(n->heap, 100, GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, n->slot[i]);
	}
	nest_arm(n);
	end = jiffies + 2 * HZ;
	do {
		cpu_relax();
		for (held = 0, i = 0; i < NEST_SLOTS; i++)
			held += !!READ_ONCE(n->slot[i]);
	} while (held && time_before(jiffies, end));
	hrtimer_cancel(&n->timer);
	migrate_enable();
	KUNIT_EXPECT_EQ(test, held, 0);
	KUNIT_EXPECT_EQ(test, atomic_long_read(&n->freed), NEST_SLOTS);
	KUNIT_EXPECT_EQ(test, kheap_count(n->heap), 0);
	KUNIT_EXPECT_EQ(test, kheap_bytes(n->heap), 0);
	KUNIT_EXPECT_EQ(test, kheap_test_queued(n->heap), NEST_SLOTS);
	end = jiffies + HZ;
	do {
		kheap_test_reclaim();
		queued = kheap_test_queued(n->heap);
		cond_resched();
	} while (queued && time_before(jiffies, end));
	KUNIT_EXPECT_EQ(test, queued, 0);
	KUNIT_EXPECT_EQ(test, kheap_invalid_frees(), bad);
}

static struct kunit_case kheap_nested_cases[] = {
	KUNIT_CASE_SLOW(nested_test_free_task_blocks),
	KUNIT_CASE_SLOW(nested_test_free_queued),
	KUNIT_CASE_SLOW(nested_test_double_free),
	KUNIT_CASE_SLOW(nested_test_double_free_queued),
	KUNIT_CASE(nested_test_queued_reclaimed),
	{}
};

static struct kunit_suite kheap_nested_suite = {
	.name = "kheap_nested",
	.test_cases = kheap_nested_cases,
};

kunit_test_suite(kheap_nested_suite);

MODULE_DESCRIPTION("KUnit: frees from interrupts of a task's blocks");
MODULE_LICENSE("GPL");
KHEAP_IMPORT_NS();
MODULE_IMPORT_NS(EXPORTED_FOR_KUNIT_TESTING);
