// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite kheap_destroy_race: frees racing kheap_destroy() of their
 * heap, on every CPU, round after round.
 *
 * kheap_destroy() promises that the live blocks of the heap it destroys go
 * to the default heap, where they stay valid and kheap_free() still takes
 * them. A free that runs while the destroy moves its block either frees it
 * from the heap (before the move) or from the default heap (after it):
 * never refused, never lost, never counted twice. Each round a thread on
 * every CPU allocates blocks into a fresh heap, then all of them free their
 * blocks while the test destroys the heap; once they are done (a quiescent
 * point) the default heap holds exactly what it held before the round, and
 * no free was counted invalid, no canary found damaged. KASAN, KCSAN and
 * lockdep watch the rest.
 *
 * Where the frees start is chosen, not timed: in even rounds the test lets
 * them go and starts the destroy after a random spin; in odd rounds the
 * destroy itself lets them go, from the heap's reporter, at a random block
 * of its leak report, just before it moves the blocks. Every free pauses
 * (kheap's test hook, up to 2 us) between reading its block's header and
 * locking the block's shard, the window in which a move must be noticed:
 * without the pause the move almost never lands there under QEMU.
 */
#include <kunit/test.h>
#include <linux/module.h>
#include <linux/random.h>
#include <linux/sched.h>

#include "kheap_test_crew.h"
#include "kheap_test_util.h"
#include "../kmod/kheap_kunit.h"

#define DR_ROUNDS 24
/* Blocks each CPU's thread allocates and frees per round. */
#define DR_BLOCKS 160
#define DR_MAX_SIZE 300
/* The destroy starts after up to this many spins, to move the race. */
#define DR_SPIN_MAX 4096

/**
 * struct dr_state - one test's state
 * @heap:	the heap of the round
 * @blocks:	DR_BLOCKS per thread, sized by the crew
 * @failed:	allocations that returned NULL (GFP_KERNEL, small: none)
 * @go:		the threads free once it is set
 * @trigger:	the leak report's block that sets @go (0: the test does)
 * @rep:	a reporter on the round's heap, to tell what the race did
 * @frees:	frees the reporter saw on the heap (the rest on the default)
 * @leaks:	blocks the destroy listed as leaked
 */
struct dr_state {
	struct kheap *heap;
	void **blocks;
	atomic_t failed;
	bool go;
	unsigned int trigger;
	struct kheap_reporter rep;
	atomic_t frees;
	atomic_t leaks;
};

static void dr_on_free(void *priv, const struct kheap_alloc_info *info)
{
	struct dr_state *s = priv;

	atomic_inc(&s->frees);
}

static void dr_report(void *priv, const struct kheap_alloc_info *info)
{
	struct dr_state *s = priv;

	if (atomic_inc_return(&s->leaks) == s->trigger)
		WRITE_ONCE(s->go, true);
}

static const struct kheap_reporter_ops dr_ops = {
	.on_free = dr_on_free,
	.report = dr_report,
};

/* One CPU's thread: allocate, wait for the word, free it all. */
static int dr_member(void *arg)
{
	struct kt_member *m = arg;
	struct dr_state *s = m->crew->priv;
	void **mine = s->blocks + m->idx * DR_BLOCKS;
	unsigned int i;

	for (i = 0; i < DR_BLOCKS; i++) {
		size_t size = get_random_u32_below(DR_MAX_SIZE);

		mine[i] = kheap_alloc(s->heap, size, GFP_KERNEL);
		if (!mine[i])
			atomic_inc(&s->failed);
	}
	kt_crew_ready(m);
	while (!READ_ONCE(s->go) && !kthread_should_stop())
		cond_resched();
	/* Half the threads free in the order allocated, half backwards. */
	for (i = 0; i < DR_BLOCKS; i++)
		kheap_free(mine[m->idx & 1 ? DR_BLOCKS - 1 - i : i]);
	return kt_crew_park();
}

static void dr_spin(unsigned int n)
{
	while (n--)
		cpu_relax();
}

static void dr_unpause(void *unused)
{
	kheap_test_free_pause(false);
}

static void destroy_race_test_frees(struct kunit *test)
{
	unsigned long invalid = kheap_invalid_frees();
	unsigned long overruns = kheap_overruns(NULL);
	unsigned int round, both = 0, held = 0;
	struct dr_state *s;

	s = kunit_kzalloc(test, sizeof(*s), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, s);
	s->blocks = kunit_kcalloc(test, nr_cpu_ids * DR_BLOCKS,
				  sizeof(*s->blocks), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, s->blocks);
	s->rep.ops = &dr_ops;
	s->rep.priv = s;
	kheap_test_free_pause(true);
	KUNIT_ASSERT_EQ(test, 0,
			kunit_add_action_or_reset(test, dr_unpause, NULL));

	for (round = 0; round < DR_ROUNDS; round++) {
		size_t count = kheap_count(NULL), bytes = kheap_bytes(NULL);
		unsigned int spin = get_random_u32_below(DR_SPIN_MAX);
		char name[32];
		struct kt_crew *crew;
		unsigned int n, frees, leaks;

		snprintf(name, sizeof(name), "kdrace%u", round);
		s->heap = kheap_create(name);
		KUNIT_ASSERT_FALSE(test, IS_ERR(s->heap));
		/* Destroyed below, or at the end of a failed test. */
		KUNIT_ASSERT_EQ(test, 0,
				kunit_add_action_or_reset(test, kt_heap_destroy,
							  s->heap));
		KUNIT_ASSERT_EQ(test, kheap_set_reporter(s->heap, &s->rep), 0);
		WRITE_ONCE(s->go, false);
		atomic_set(&s->frees, 0);
		atomic_set(&s->leaks, 0);

		crew = kt_crew_start(test, dr_member, s, "kdrace");
		n = crew->n * DR_BLOCKS - atomic_read(&s->failed);
		KUNIT_ASSERT_EQ(test, atomic_read(&s->failed), 0);
		KUNIT_ASSERT_EQ(test, kheap_count(s->heap), (size_t)n);

		/* The race: every CPU frees while this thread destroys. */
		if (round & 1) {
			s->trigger = 1 + get_random_u32_below(n);
		} else {
			s->trigger = 0;
			WRITE_ONCE(s->go, true);
			dr_spin(spin);
		}
		kunit_release_action(test, kt_heap_destroy, s->heap);
		KUNIT_ASSERT_EQ(test, kt_crew_stop(crew), 0);

		/* Quiescent: every block freed, from one heap or the other. */
		KUNIT_ASSERT_EQ_MSG(test, kheap_count(NULL), count,
				    "round %u: the default heap's count",
				    round);
		KUNIT_ASSERT_EQ_MSG(test, kheap_bytes(NULL), bytes,
				    "round %u: the default heap's bytes",
				    round);
		KUNIT_ASSERT_EQ_MSG(test, kheap_invalid_frees(), invalid,
				    "round %u: a free was refused", round);
		KUNIT_ASSERT_EQ_MSG(test, kheap_overruns(NULL), overruns,
				    "round %u: a moved canary", round);
		frees = atomic_read(&s->frees);
		leaks = atomic_read(&s->leaks);
		/* The heap's reporter saw at most every free, and no more. */
		KUNIT_ASSERT_LE(test, frees, n);
		KUNIT_ASSERT_LE(test, leaks, n);
		if (frees < n && frees)
			both++; /* frees on both sides of the move */
		if (frees < n)
			held++; /* some blocks were moved, then freed */
	}
	kunit_info(test, "%u rounds, %u blocks a CPU: %u split, %u moved\n",
		   DR_ROUNDS, DR_BLOCKS, both, held);
}

static struct kunit_case kheap_destroy_race_cases[] = {
	KUNIT_CASE(destroy_race_test_frees),
	{}
};

static struct kunit_suite kheap_destroy_race_suite = {
	.name = "kheap_destroy_race",
	.test_cases = kheap_destroy_race_cases,
};

kunit_test_suite(kheap_destroy_race_suite);

MODULE_DESCRIPTION("kheap KUnit: frees racing their heap's destroy");
MODULE_LICENSE("GPL");
KHEAP_IMPORT_NS();
MODULE_IMPORT_NS(EXPORTED_FOR_KUNIT_TESTING);
