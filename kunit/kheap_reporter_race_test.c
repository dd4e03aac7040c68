// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite kheap_reporter_race: kheap_set_reporter() while every CPU
 * allocates and frees on the heap.
 *
 * The promise (heap.h, reporter.c): once kheap_set_reporter() returns, the
 * old reporter is never called again, and the new one sees every
 * allocation and free that starts after it returns. The test swaps three
 * reporters round robin on one heap while a thread on every CPU allocates
 * and frees on it. A sequence word says where the swaps are: 2k once the
 * k-th swap returned (reporter k % 3 attached), 2k + 1 while swap k + 1
 * runs. Each thread reads it before and after every operation, and counts
 * what each reporter saw on its CPU (the callbacks run in the thread's own
 * context, on its CPU), so each operation is judged exactly:
 *  - every operation is seen by exactly one reporter;
 *  - one that starts and ends with the word at the same even value is
 *    seen by that value's reporter;
 *  - otherwise by the reporter of a swap it overlapped, never by another.
 * Each callback also checks the word itself: a reporter called while the
 * word says it was replaced and the replacing call returned is a late call.
 * After every swap the test waits until each thread did an operation with
 * the word at rest, so each swap is judged; at the end, with the threads
 * stopped (a quiescent point), the reporters' counts add up exactly to the
 * operations done.
 */
#include <kunit/test.h>
#include <linux/module.h>
#include <linux/sched.h>

#include "kheap_test_crew.h"
#include "kheap_test_util.h"

#define RR_REPORTERS 3
#define RR_SWAPS 48
/* Blocks a thread holds at most, freed oldest first. */
#define RR_HOLD 8
/* How long the test waits for every thread to act between two swaps. */
#define RR_ACK_TRIES 200000

enum { RR_ALLOC, RR_FREE, RR_KINDS };

/**
 * struct rr_cpu - what one CPU's thread did and its reporters saw
 * @seen:	callbacks of each reporter on this CPU, per kind
 * @ops:	operations done, per kind
 * @must:	operations the word pinned to one reporter, per kind
 * @bad:	operations judged wrong
 * @first:	what the first of them was
 * @acked:	the last even word an operation started and ended with
 */
struct rr_cpu {
	unsigned long seen[RR_REPORTERS][RR_KINDS];
	unsigned long ops[RR_KINDS];
	unsigned long must[RR_KINDS];
	unsigned long bad;
	const char *first;
	unsigned long acked;
};

struct rr_state;

/**
 * struct rr_rep - one of the reporters
 * @rep:	it, as kheap sees it
 * @s:		the test
 * @idx:	its number
 * @late:	calls made after a swap replacing it returned
 */
struct rr_rep {
	struct kheap_reporter rep;
	struct rr_state *s;
	unsigned int idx;
	atomic_t late;
};

/**
 * struct rr_state - one test's state
 * @heap:	the heap every thread works on
 * @cpu:	per CPU, sized nr_cpu_ids
 * @reps:	the reporters
 * @seq:	where the swaps are (above)
 * @stop:	the threads free what they hold and park
 */
struct rr_state {
	struct kheap *heap;
	struct rr_cpu *cpu;
	struct rr_rep reps[RR_REPORTERS];
	unsigned long seq;
	bool stop;
};

/* Is reporter @idx one the word @seq allows to be called? */
static bool rr_allowed(unsigned long seq, unsigned int idx)
{
	unsigned long k = seq / 2;

	if (k % RR_REPORTERS == idx)
		return true;
	/* Odd: swap k + 1 is under way, both may be called. */
	return (seq & 1) && (k + 1) % RR_REPORTERS == idx;
}

static void rr_seen(void *priv, unsigned int kind)
{
	struct rr_rep *r = priv;
	unsigned long seq;

	/* The word after the reporter's pointer was read (the call). */
	smp_rmb();
	seq = READ_ONCE(r->s->seq);
	if (!rr_allowed(seq, r->idx))
		atomic_inc(&r->late);
	/* Only this CPU's thread allocates and frees on the heap. */
	r->s->cpu[raw_smp_processor_id()].seen[r->idx][kind]++;
}

static void rr_on_alloc(void *priv, const struct kheap_alloc_info *info)
{
	rr_seen(priv, RR_ALLOC);
}

static void rr_on_free(void *priv, const struct kheap_alloc_info *info)
{
	rr_seen(priv, RR_FREE);
}

static const struct kheap_reporter_ops rr_ops = {
	.on_alloc = rr_on_alloc,
	.on_free = rr_on_free,
};

static void rr_bad(struct rr_cpu *c, const char *what)
{
	if (!c->bad++)
		c->first = what;
}

/* Judge one operation from the word before and after it (above). */
static void rr_judge(struct rr_cpu *c, unsigned int kind, unsigned long s0,
		     unsigned long s1, const unsigned long *before)
{
	unsigned long sum = 0, k0 = s0 / 2, k1 = (s1 + 1) / 2, delta;
	unsigned int r;

	c->ops[kind]++;
	for (r = 0; r < RR_REPORTERS; r++) {
		delta = c->seen[r][kind] - before[r];
		sum += delta;
		/* Reporters attached some time in [s0, s1] are k0..k1. */
		if (delta && k1 - k0 + 1 < RR_REPORTERS &&
		    (r + RR_REPORTERS - k0 % RR_REPORTERS) % RR_REPORTERS >
			    k1 - k0)
			rr_bad(c, "seen by a reporter not attached meanwhile");
	}
	if (sum != 1)
		rr_bad(c, "not seen by exactly one reporter");
	if (s0 == s1 && !(s0 & 1)) {
		c->must[kind]++;
		if (c->seen[k0 % RR_REPORTERS][kind] ==
		    before[k0 % RR_REPORTERS])
			rr_bad(c, "missed by the reporter attached throughout");
		else
			WRITE_ONCE(c->acked, s0);
	}
}

static void rr_before(struct rr_cpu *c, unsigned int kind,
		      unsigned long *before)
{
	unsigned int r;

	for (r = 0; r < RR_REPORTERS; r++)
		before[r] = c->seen[r][kind];
}

static void *rr_alloc(struct rr_state *s, struct rr_cpu *c)
{
	unsigned long before[RR_REPORTERS], s0, s1;
	void *p;

	rr_before(c, RR_ALLOC, before);
	/* Pairs with the release after each swap returns. */
	s0 = smp_load_acquire(&s->seq);
	p = kheap_alloc(s->heap, 16, GFP_KERNEL);
	/* Whatever the call read, before the word after it. */
	smp_rmb();
	s1 = READ_ONCE(s->seq);
	if (p)
		rr_judge(c, RR_ALLOC, s0, s1, before);
	else
		rr_bad(c, "an allocation failed");
	return p;
}

static void rr_free(struct rr_state *s, struct rr_cpu *c, void *p)
{
	unsigned long before[RR_REPORTERS], s0, s1;

	rr_before(c, RR_FREE, before);
	/* As in rr_alloc(). */
	s0 = smp_load_acquire(&s->seq);
	kheap_free(p);
	/* As in rr_alloc(). */
	smp_rmb();
	s1 = READ_ONCE(s->seq);
	rr_judge(c, RR_FREE, s0, s1, before);
}

static int rr_member(void *arg)
{
	struct kt_member *m = arg;
	struct rr_state *s = m->crew->priv;
	struct rr_cpu *c = &s->cpu[m->cpu];
	void *held[RR_HOLD] = {};
	unsigned int i = 0, j;

	kt_crew_ready(m);
	while (!READ_ONCE(s->stop) && !kthread_should_stop()) {
		if (held[i])
			rr_free(s, c, held[i]);
		held[i] = rr_alloc(s, c);
		i = (i + 1) % RR_HOLD;
		cond_resched();
	}
	/* The oldest first; every free here is seen by the last reporter. */
	for (j = 0; j < RR_HOLD; j++, i = (i + 1) % RR_HOLD) {
		if (held[i])
			rr_free(s, c, held[i]);
	}
	return kt_crew_park();
}

/* Has every thread done an operation with the word at @seq? */
static bool rr_all_acked(struct rr_state *s, struct kt_crew *crew,
			 unsigned long seq)
{
	unsigned int i;

	for (i = 0; i < crew->n; i++) {
		if (READ_ONCE(s->cpu[crew->m[i].cpu].acked) != seq)
			return false;
	}
	return true;
}

static void reporter_race_test_swap(struct kunit *test)
{
	unsigned long ops[RR_KINDS] = {}, seen[RR_KINDS] = {};
	unsigned long must[RR_KINDS] = {}, bad = 0;
	const char *first = NULL;
	const struct kheap_reporter *rep;
	struct kt_crew *crew;
	struct rr_state *s;
	unsigned int g, r, i, k, tries;

	s = kunit_kzalloc(test, sizeof(*s), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, s);
	s->cpu = kunit_kcalloc(test, nr_cpu_ids, sizeof(*s->cpu), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, s->cpu);
	s->heap = kt_heap(test);
	for (r = 0; r < RR_REPORTERS; r++) {
		s->reps[r].rep.ops = &rr_ops;
		s->reps[r].rep.priv = &s->reps[r];
		s->reps[r].s = s;
		s->reps[r].idx = r;
	}
	/* Detached before the reporters go, and before the heap. */
	KUNIT_ASSERT_EQ(test, 0, kheap_set_reporter(s->heap, &s->reps[0].rep));
	KUNIT_ASSERT_EQ(test, 0,
			kunit_add_action_or_reset(test, kt_detach, s->heap));

	crew = kt_crew_start(test, rr_member, s, "krrace");
	for (g = 1; g <= RR_SWAPS; g++) {
		/* Odd before the swap: the pointer's store releases it. */
		WRITE_ONCE(s->seq, 2 * g - 1);
		rep = &s->reps[g % RR_REPORTERS].rep;
		KUNIT_ASSERT_EQ(test, 0, kheap_set_reporter(s->heap, rep));
		/* Pairs with the threads' acquire of the word. */
		smp_store_release(&s->seq, 2 * g);
		for (tries = 0; !rr_all_acked(s, crew, 2 * g); tries++) {
			KUNIT_ASSERT_LT_MSG(test, tries, RR_ACK_TRIES,
					    "swap %u: a thread did nothing", g);
			schedule_timeout_uninterruptible(1);
		}
	}
	WRITE_ONCE(s->stop, true);
	KUNIT_ASSERT_EQ(test, kt_crew_stop(crew), 0);

	/* Quiescent: every operation is counted by exactly one reporter. */
	for (i = 0; i < crew->n; i++) {
		struct rr_cpu *c = &s->cpu[crew->m[i].cpu];

		for (k = 0; k < RR_KINDS; k++) {
			ops[k] += c->ops[k];
			must[k] += c->must[k];
			for (r = 0; r < RR_REPORTERS; r++)
				seen[k] += c->seen[r][k];
		}
		if (c->bad && !first)
			first = c->first;
		bad += c->bad;
	}
	KUNIT_EXPECT_EQ_MSG(test, bad, 0UL, "%lu operations judged wrong: %s",
			    bad, first ?: "");
	for (r = 0; r < RR_REPORTERS; r++)
		KUNIT_EXPECT_EQ_MSG(test, atomic_read(&s->reps[r].late), 0,
				    "reporter %u called after it was replaced",
				    r);
	for (k = 0; k < RR_KINDS; k++)
		KUNIT_EXPECT_EQ(test, seen[k], ops[k]);
	/* At least one operation per thread and swap was pinned. */
	KUNIT_EXPECT_GE(test, must[RR_ALLOC] + must[RR_FREE],
			(unsigned long)RR_SWAPS * crew->n);
	KUNIT_EXPECT_EQ(test, ops[RR_ALLOC], ops[RR_FREE]);
	KUNIT_EXPECT_EQ(test, kheap_count(s->heap), 0UL);
	kunit_info(test, "%u swaps, %u CPUs: %lu allocs, %lu frees\n", RR_SWAPS,
		   crew->n, ops[RR_ALLOC], ops[RR_FREE]);
	kunit_info(test, "pinned to one reporter: %lu allocs, %lu frees\n",
		   must[RR_ALLOC], must[RR_FREE]);
}

static struct kunit_case kheap_reporter_race_cases[] = {
	KUNIT_CASE(reporter_race_test_swap),
	{}
};

static struct kunit_suite kheap_reporter_race_suite = {
	.name = "kheap_reporter_race",
	.test_cases = kheap_reporter_race_cases,
};

kunit_test_suite(kheap_reporter_race_suite);

MODULE_DESCRIPTION("kheap KUnit: reporters swapped while CPUs allocate");
MODULE_LICENSE("GPL");
KHEAP_IMPORT_NS();
