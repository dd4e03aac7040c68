// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite kheap_claim: frees that claim a block without its shard's
 * lock (from another CPU, or from an interrupt that found the lock held)
 * are counted in the shard's claimers while they look at the block, and
 * whoever releases a block's memory waits for that count to be zero
 * (track.c: kheap_claimers_wait()). The promises:
 *  - the wait ends while other CPUs go on freeing the shard's blocks: a
 *    stream of claims that overlap, so that the count never drops to zero
 *    by itself, does not hold up the shard's own CPU;
 *  - no two CPUs wait for each other: each frees the other's blocks, in a
 *    task and in a hard interrupt, while each context also frees blocks
 *    of its own shard and waits for that shard's count.
 * A test-only hook (kheap_test_claim_hold()) keeps each claim from another
 * CPU counted until the next one is counted: two CPUs freeing in turn then
 * keep the count above zero, as many CPUs would by chance.
 */
#include <kunit/test.h>
#include <linux/hrtimer.h>
#include <linux/jiffies.h>
#include <linux/module.h>
#include <linux/sched.h>
#include <linux/slab.h>

#include "../kmod/kheap_kunit.h"
#include "kheap_test_box.h"
#include "kheap_test_crew.h"
#include "kheap_test_util.h"

static void cl_kvfree(void *p)
{
	kvfree(p);
}

static void cl_hold_off(void *unused)
{
	unsigned long waits, joined;

	kheap_test_claim_hold(false, &waits, &joined);
}

/* The hold on until the test ends. */
static void cl_hold_on(struct kunit *test, unsigned long *waits,
		       unsigned long *joined)
{
	kheap_test_claim_hold(true, waits, joined);
	KUNIT_ASSERT_EQ(test, 0,
			kunit_add_action_or_reset(test, cl_hold_off, NULL));
}

/* ---- a stream of claims does not hold up the shard's own CPU ---- */

/* Blocks of the owner's shard for the other two CPUs to free, at most. */
#define CL_CAP 8192
/* Blocks the owner hands them before its pairs, and with each pair. */
#define CL_FIRST 1024
#define CL_TOPUP 64
/* The owner's own allocations and frees while they free. */
#define CL_PAIRS 40
#define CL_SECONDS 60

/**
 * struct cl_stream - shared state of claim_test_stream
 * @heap:	the heap
 * @p:		blocks the owner allocated, for the freers (CL_CAP)
 * @avail:	how many of @p are there
 * @next:	the index of the next block a freer takes
 * @stop:	the owner is done: the freers stop
 * @deadline:	when every member gives up
 * @pairs:	the owner's pairs done
 * @most:	the most blocks they freed during one of the owner's frees
 * @fails:	allocations that returned NULL
 * @done:	the owner is done
 */
struct cl_stream {
	struct kheap *heap;
	void **p;
	atomic_t avail, next;
	bool stop;
	unsigned long deadline;
	int pairs, most;
	atomic_t fails;
	struct completion done;
};

/* The owner: @n more blocks for the freers. */
static void cl_topup(struct cl_stream *s, int n)
{
	int i, avail = atomic_read(&s->avail);

	for (i = avail; i < min(avail + n, CL_CAP); i++) {
		s->p[i] = kheap_alloc(s->heap, 64, GFP_KERNEL);
		if (!s->p[i])
			atomic_inc(&s->fails);
	}
	/* Pairs with the acquire in cl_take(): the blocks. */
	atomic_set_release(&s->avail, i);
}

/* The shard's own CPU: blocks for the freers, and its pairs meanwhile. */
static void cl_owner(struct cl_stream *s)
{
	int i, before;
	void *q;

	for (i = 0; i < CL_FIRST; i += CL_TOPUP) {
		cl_topup(s, CL_TOPUP);
		cond_resched();
	}
	for (i = 0; i < CL_PAIRS && time_before(jiffies, s->deadline); i++) {
		cl_topup(s, CL_TOPUP);
		q = kheap_alloc(s->heap, 64, GFP_KERNEL);
		if (!q)
			atomic_inc(&s->fails);
		/* A free of this CPU: it waits for the claimers' count. */
		before = atomic_read(&s->next);
		kheap_free(q);
		s->most = max(s->most, atomic_read(&s->next) - before);
		s->pairs++;
	}
	WRITE_ONCE(s->stop, true);
	complete(&s->done);
}

/* The next block to free, or NULL when there is none yet. */
static void *cl_take(struct cl_stream *s)
{
	int i = atomic_read(&s->next);

	/* Pairs with the release in cl_topup(). */
	if (i >= atomic_read_acquire(&s->avail))
		return NULL;
	if (!atomic_try_cmpxchg(&s->next, &i, i + 1))
		return NULL;
	return s->p[i];
}

/* Another CPU: free the owner's blocks, one at a time, until it is done. */
static void cl_freer(struct cl_stream *s)
{
	unsigned int n = 0;
	void *p;

	while (!READ_ONCE(s->stop) && time_before(jiffies, s->deadline)) {
		p = cl_take(s);
		if (p)
			kheap_free(p);
		else
			cpu_relax();
		if (!(++n % 64))
			cond_resched();
	}
}

static int cl_stream_fn(void *arg)
{
	struct kt_member *m = arg;
	struct cl_stream *s = m->crew->priv;

	kt_crew_ready(m);
	if (m->idx == 0)
		cl_owner(s);
	else if (m->idx <= 2)
		cl_freer(s);
	return kt_crew_park();
}

/*
 * Two CPUs free blocks of a third's task shard in turn, each claim held
 * until the next is counted, while the third allocates and frees there
 * (and hands them more blocks): its frees and allocations wait for the
 * count (the allocations release the queued blocks), and each wait must
 * end while the stream goes on.
 * Counted, not timed: the claims of the stream that were counted while
 * someone waited for the count (the test hook counts both). Each freer
 * may have started one before it saw the wait; a wait that lets more in
 * can wait for ever. Also said: how many blocks the stream freed in all,
 * and the most during one of the owner's frees.
 */
static void claim_test_stream(struct kunit *test)
{
	unsigned long bad = kheap_invalid_frees(), waits, joined, w, j;
	struct cl_stream *s;
	struct kt_crew *crew;
	int i;

	if (num_online_cpus() < 3)
		kunit_skip(test, "needs three online CPUs");
	s = kunit_kzalloc(test, sizeof(*s), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, s);
	s->p = kvcalloc(CL_CAP, sizeof(*s->p), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, s->p);
	KUNIT_ASSERT_EQ(test, 0,
			kunit_add_action_or_reset(test, cl_kvfree, s->p));
	s->heap = kt_heap(test);
	init_completion(&s->done);
	s->deadline = jiffies + CL_SECONDS * HZ;
	cl_hold_on(test, &w, &j);
	crew = kt_crew_start(test, cl_stream_fn, s, "kheap_cl");
	wait_for_completion(&s->done);
	KUNIT_EXPECT_EQ(test, kt_crew_stop(crew), 0);
	kheap_test_claim_hold(false, &waits, &joined);
	waits -= w;
	joined -= j;
	for (i = atomic_read(&s->next); i < atomic_read(&s->avail); i++)
		kheap_free(s->p[i]);
	kunit_info(test, "owner CPU %u: %d pairs; %lu waits, %lu claims in\n",
		   crew->m[0].cpu, s->pairs, waits, joined);
	kunit_info(test,
		   "%d blocks freed, at most %d during one owner's free\n",
		   atomic_read(&s->next), s->most);
	KUNIT_EXPECT_EQ(test, atomic_read(&s->fails), 0);
	KUNIT_EXPECT_EQ(test, s->pairs, CL_PAIRS);
	/* The owner met held claims: the case tests what it says. */
	KUNIT_EXPECT_GT(test, waits, 0);
	/*
	 * A wait lets in at most the claim each freer had started before it
	 * saw the wait: one each.
	 */
	KUNIT_EXPECT_LE_MSG(test, joined, 2 * waits,
			    "claims kept coming while a free waited");
	KUNIT_EXPECT_EQ(test, kheap_count(s->heap), 0);
	KUNIT_EXPECT_EQ(test, kheap_bytes(s->heap), 0);
	KUNIT_EXPECT_EQ(test, kheap_invalid_frees(), bad);
}

/* ---- two CPUs, each freeing the other's blocks in both contexts ---- */

#define CL_IRQ_SECONDS 2
#define CL_TIMER_NS (50 * NSEC_PER_USEC)

struct cl_irq;

/**
 * struct cl_cpu - one of the two CPUs of claim_test_irq_cross
 * @timer:	a hard hrtimer on it
 * @s:		the test's state
 * @box:	blocks of the other CPU's hardirq shard, for this CPU's task
 * @tbox:	blocks of the other CPU's task shard, for this CPU's timer
 * @other:	the other CPU's index (0 or 1)
 * @held:	the timer's block of this CPU's hardirq shard
 * @fired:	timer runs
 * @handed:	blocks this CPU's timer and task handed to the other CPU
 *		(atomic: the timer interrupts the task)
 */
struct cl_cpu {
	struct hrtimer timer;
	struct cl_irq *s;
	struct kt_box box, tbox;
	int other;
	void *held;
	unsigned long fired;
	atomic_long_t handed;
};

struct cl_irq {
	struct kheap *heap;
	struct cl_cpu c[2];
	unsigned long deadline;
	atomic_t fails;
};

/* A new block @c hands to the other CPU's @box (or frees, if full). */
static void cl_give(struct cl_cpu *c, struct kt_box *box, gfp_t gfp)
{
	void *p = kheap_alloc(c->s->heap, 64, gfp);

	if (!p)
		atomic_inc(&c->s->fails);
	else if (!kt_box_put(box, p))
		kheap_free(p);
	else
		atomic_long_inc(&c->handed);
}

/*
 * In hardirq: free the block it held (its own CPU's shard: that free waits
 * for the shard's claimers, the other CPU's task among them), free the
 * other CPU's task's blocks (claims on that task's shard, held back while
 * someone waits there), and allocate two: one to hold, one for the other
 * CPU's task to free.
 */
static enum hrtimer_restart cl_tick(struct hrtimer *t)
{
	struct cl_cpu *c = container_of(t, struct cl_cpu, timer);
	struct cl_irq *s = c->s;

	kheap_free(c->held);
	kt_box_free_all(&c->tbox);
	c->held = kheap_alloc(s->heap, 64, GFP_ATOMIC);
	if (!c->held)
		atomic_inc(&s->fails);
	cl_give(c, &s->c[c->other].box, GFP_ATOMIC);
	c->fired++;
	hrtimer_forward_now(t, ns_to_ktime(CL_TIMER_NS));
	return HRTIMER_RESTART;
}

/*
 * In a task: free the other CPU's timer's blocks (claims on its hardirq
 * shard), hand the other CPU's timer a block of this task's shard, and
 * allocate and free a few here (each free a wait for this shard's count
 * while the other CPU's timer is counted there).
 */
static void cl_task_step(struct cl_cpu *c)
{
	void *q;
	int i;

	kt_box_free_all(&c->box);
	cl_give(c, &c->s->c[c->other].tbox, GFP_KERNEL);
	for (i = 0; i < 4; i++) {
		q = kheap_alloc(c->s->heap, 64, GFP_KERNEL);
		if (!q)
			atomic_inc(&c->s->fails);
		kheap_free(q);
	}
}

static int cl_irq_fn(void *arg)
{
	struct kt_member *m = arg;
	struct cl_irq *s = m->crew->priv;
	unsigned long n = 0;
	struct cl_cpu *c;

	kt_crew_ready(m);
	if (m->idx > 1)
		return kt_crew_park();
	c = &s->c[m->idx];
	hrtimer_init(&c->timer, CLOCK_MONOTONIC, HRTIMER_MODE_REL_PINNED_HARD);
	c->timer.function = cl_tick;
	hrtimer_start(&c->timer, ns_to_ktime(CL_TIMER_NS),
		      HRTIMER_MODE_REL_PINNED_HARD);
	while (time_before(jiffies, s->deadline)) {
		cl_task_step(c);
		if (!(++n % 16))
			cond_resched();
	}
	hrtimer_cancel(&c->timer);
	kheap_free(c->held);
	c->held = NULL;
	return kt_crew_park();
}

/*
 * Each of two CPUs frees the other's blocks in both contexts: its task
 * those the other's hard hrtimer allocated, its timer those the other's
 * task allocated; each claim held. Meanwhile each context frees blocks of
 * its own shard, and so waits for that shard's count, where the other
 * CPU's claims are counted. Were a task counted with interrupts on (a
 * claim, or a wait), its timer could interrupt it and wait, or be held
 * back, for the other CPU, whose timer does the same: both would spin for
 * ever.
 */
static void claim_test_irq_cross(struct kunit *test)
{
	unsigned long bad = kheap_invalid_frees(), w, j, waits, joined;
	struct kt_crew *crew;
	struct cl_irq *s;
	int i;

	if (IS_ENABLED(CONFIG_PREEMPT_RT))
		kunit_skip(test,
			   "PREEMPT_RT: no kheap_alloc() in hardirq context");
	if (num_online_cpus() < 2)
		kunit_skip(test, "needs two online CPUs");
	s = kunit_kzalloc(test, sizeof(*s), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, s);
	s->heap = kt_heap(test);
	for (i = 0; i < 2; i++) {
		kt_box_init(&s->c[i].box);
		kt_box_init(&s->c[i].tbox);
		s->c[i].s = s;
		s->c[i].other = !i;
	}
	s->deadline = jiffies + CL_IRQ_SECONDS * HZ;
	cl_hold_on(test, &w, &j);
	crew = kt_crew_start(test, cl_irq_fn, s, "kheap_cli");
	while (time_before(jiffies, s->deadline + HZ / 10))
		schedule_timeout_interruptible(HZ / 10);
	KUNIT_EXPECT_EQ(test, kt_crew_stop(crew), 0);
	kheap_test_claim_hold(false, &waits, &joined);
	for (i = 0; i < 2; i++) {
		kt_box_free_all(&s->c[i].box);
		kt_box_free_all(&s->c[i].tbox);
	}
	kunit_info(test, "CPUs %u, %u: timer runs %lu, %lu; handed %lu, %lu\n",
		   crew->m[0].cpu, crew->m[1].cpu, s->c[0].fired, s->c[1].fired,
		   atomic_long_read(&s->c[0].handed),
		   atomic_long_read(&s->c[1].handed));
	kunit_info(test, "%lu waits for a count\n", waits - w);
	KUNIT_EXPECT_EQ(test, atomic_read(&s->fails), 0);
	/* Frees waited for a count a held claim kept up: the case's point. */
	KUNIT_EXPECT_GT(test, waits - w, 0);
	KUNIT_EXPECT_GT(test, atomic_long_read(&s->c[0].handed), 0);
	KUNIT_EXPECT_GT(test, atomic_long_read(&s->c[1].handed), 0);
	KUNIT_EXPECT_EQ(test, kheap_count(s->heap), 0);
	KUNIT_EXPECT_EQ(test, kheap_bytes(s->heap), 0);
	KUNIT_EXPECT_EQ(test, kheap_invalid_frees(), bad);
}

static struct kunit_case kheap_claim_cases[] = {
	KUNIT_CASE_SLOW(claim_test_stream),
	KUNIT_CASE_SLOW(claim_test_irq_cross),
	{}
};

static struct kunit_suite kheap_claim_suite = {
	.name = "kheap_claim",
	.test_cases = kheap_claim_cases,
};

kunit_test_suite(kheap_claim_suite);

MODULE_DESCRIPTION("KUnit tests of kheap's claims without a shard's lock");
MODULE_LICENSE("GPL");
KHEAP_IMPORT_NS();
MODULE_IMPORT_NS(EXPORTED_FOR_KUNIT_TESTING);
