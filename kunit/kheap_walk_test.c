// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite kheap_walk: readers of live blocks (kheap_report(), debugfs
 * live and callsites, leak reports) walk each shard's list without its
 * lock (kmod/walk.c). The promises:
 *  - the CPU allocating and freeing in a heap never waits for a reader of
 *    that heap: its shard's lock is never held by one;
 *  - a reader lists every block live for its whole read, once, and only
 *    blocks of the heap, while the owner frees and allocates blocks all
 *    along the list (their memory reused at once from kheap's cache) and
 *    a hard interrupt on the owner's CPU frees blocks in the middle of the
 *    list, some of them while the owner holds the shard (claimed, still
 *    linked, for the owner to unlink; on PREEMPT_RT the owner frees
 *    those itself).
 */
#include <kunit/test.h>
#include <linux/bsearch.h>
#include <linux/hrtimer.h>
#include <linux/jiffies.h>
#include <linux/module.h>
#include <linux/random.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/sort.h>

#include "../kmod/kheap_kunit.h"
#include "kheap_test_box.h"
#include "kheap_test_crew.h"
#include "kheap_test_util.h"

/* A listed block: its pointer and id. */
struct wk_seen {
	const void *ptr;
	u64 id;
};

/* A reporter that keeps the blocks a report lists. */
struct wk_list {
	struct kheap_reporter rep;
	const struct kheap *heap;
	struct wk_seen *p;
	u64 *ids;
	size_t n, cap;
	unsigned long foreign; /* listed blocks of another heap, since reset */
};

static void wk_list_report(void *priv, const struct kheap_alloc_info *info)
{
	struct wk_list *l = priv;

	if (info->heap != l->heap)
		l->foreign++;
	if (l->n < l->cap) {
		l->p[l->n].ptr = info->ptr;
		l->p[l->n].id = info->id;
	}
	l->n++;
}

static const struct kheap_reporter_ops wk_list_ops = {
	.report = wk_list_report,
};

static void wk_detach(void *heap)
{
	kheap_set_reporter(heap, NULL);
}

static void wk_list_init(struct kunit *test, struct wk_list *l,
			 struct kheap *heap, size_t cap)
{
	l->p = kunit_kcalloc(test, cap, sizeof(*l->p), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, l->p);
	l->ids = kunit_kcalloc(test, cap, sizeof(*l->ids), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, l->ids);
	l->cap = cap;
	l->heap = heap;
	l->rep.ops = &wk_list_ops;
	l->rep.priv = l;
	KUNIT_ASSERT_EQ(test, 0, kheap_set_reporter(heap, &l->rep));
	KUNIT_ASSERT_EQ(test, 0,
			kunit_add_action_or_reset(test, wk_detach, heap));
}

static int wk_ptr_cmp(const void *a, const void *b)
{
	const void *x = ((const struct wk_seen *)a)->ptr;
	const void *y = ((const struct wk_seen *)b)->ptr;

	return x < y ? -1 : x > y;
}

static int wk_id_cmp(const void *a, const void *b)
{
	u64 x = *(const u64 *)a, y = *(const u64 *)b;

	return x < y ? -1 : x > y;
}

/* How many of the @n blocks at @want @l did not list; sorts @l. */
static unsigned long wk_missing(struct wk_list *l, void *const *want, size_t n)
{
	size_t i, listed = min(l->n, l->cap);
	struct wk_seen key = {};
	unsigned long missing = 0;

	sort(l->p, listed, sizeof(*l->p), wk_ptr_cmp, NULL);
	for (i = 0; i < n; i++) {
		key.ptr = want[i];
		missing +=
			!bsearch(&key, l->p, listed, sizeof(*l->p), wk_ptr_cmp);
	}
	return missing;
}

/* The crew's deadline: a member that waits for another gives up then. */
#define WK_SECONDS 60

/* ---- the owner never waits for a reader ---- */

/* Blocks live on the owner's shard for the whole test, and reads of them. */
#define WK_STILL 1000
#define WK_READS 20

/**
 * struct wk_quiet - shared state of walk_test_owner_never_waits
 * @heap:	the heap
 * @list:	what the reader's last report listed
 * @still:	the owner's blocks live for the whole test
 * @ready:	the owner allocated @still and runs its pairs
 * @stop:	the reader is done
 * @deadline:	when every member gives up
 * @pairs:	the owner's allocations and frees while the reader read
 * @reads:	reports the reader made
 * @least:	the fewest blocks one of them listed
 * @missing:	still blocks a report did not list
 * @fails:	allocations that returned NULL
 * @done:	the reader is done
 */
struct wk_quiet {
	struct kheap *heap;
	struct wk_list list;
	void **still;
	bool ready, stop;
	unsigned long deadline, pairs;
	int reads;
	size_t least;
	unsigned long missing;
	atomic_t fails;
	struct completion done;
};

/* The owner: its still blocks, then pairs until the reader is done. */
static void wk_quiet_owner(struct wk_quiet *s)
{
	unsigned long n = 0;
	void *p;
	int i;

	for (i = 0; i < WK_STILL; i++) {
		s->still[i] = kheap_alloc(s->heap, 64, GFP_KERNEL);
		if (!s->still[i])
			atomic_inc(&s->fails);
	}
	/* Pairs with the acquire in wk_quiet_reader(). */
	smp_store_release(&s->ready, true);
	while (!READ_ONCE(s->stop) && time_before(jiffies, s->deadline)) {
		p = kheap_alloc(s->heap, 64, GFP_KERNEL);
		if (!p)
			atomic_inc(&s->fails);
		kheap_free(p);
		if (!(++n % 256))
			cond_resched();
	}
	WRITE_ONCE(s->pairs, n);
	for (i = 0; i < WK_STILL; i++)
		kheap_free(s->still[i]);
}

/* The reader: WK_READS reports of the heap while the owner runs. */
static void wk_quiet_reader(struct wk_quiet *s)
{
	/* Pairs with the release in wk_quiet_owner(): its blocks. */
	while (!smp_load_acquire(&s->ready) &&
	       time_before(jiffies, s->deadline))
		cond_resched();
	s->least = SIZE_MAX;
	for (; s->reads < WK_READS && time_before(jiffies, s->deadline);
	     s->reads++) {
		s->list.n = 0;
		kheap_report(s->heap, 0, U64_MAX);
		s->least = min(s->least, s->list.n);
		s->missing += wk_missing(&s->list, s->still, WK_STILL);
		cond_resched();
	}
	WRITE_ONCE(s->stop, true);
	complete(&s->done);
}

static int wk_quiet_fn(void *arg)
{
	struct kt_member *m = arg;
	struct wk_quiet *s = m->crew->priv;

	kt_crew_ready(m);
	if (m->idx == 0)
		wk_quiet_owner(s);
	else if (m->idx == 1)
		wk_quiet_reader(s);
	return kt_crew_park();
}

/*
 * One CPU allocates and frees in a loop, with WK_STILL blocks live on its
 * shard, while another lists the heap WK_READS times: the owner never
 * finds its shard held (a locked reader holds it for 16 blocks at a time,
 * and the owner, allocating all the time, meets it on every read), every
 * report lists the still blocks, and no walk fell back to the lock.
 */
static void walk_test_owner_never_waits(struct kunit *test)
{
	unsigned long bad = kheap_invalid_frees();
	struct kheap_test_walks w0, w1;
	struct kt_crew *crew;
	struct wk_quiet *s;

	if (num_online_cpus() < 2)
		kunit_skip(test, "needs two online CPUs");
	s = kunit_kzalloc(test, sizeof(*s), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, s);
	s->still = kunit_kcalloc(test, WK_STILL, sizeof(*s->still), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, s->still);
	s->heap = kt_heap(test);
	wk_list_init(test, &s->list, s->heap, 2 * WK_STILL);
	init_completion(&s->done);
	s->deadline = jiffies + WK_SECONDS * HZ;
	kheap_test_walk_stats(&w0);
	crew = kt_crew_start(test, wk_quiet_fn, s, "kheap_wkq");
	wait_for_completion(&s->done);
	KUNIT_EXPECT_EQ(test, kt_crew_stop(crew), 0);
	kheap_test_walk_stats(&w1);
	kunit_info(test,
		   "%d reads (fewest listed %zu, %lu missing), %lu pairs\n",
		   s->reads, s->least, s->missing, s->pairs);
	kunit_info(test, "walks %lu, failed steps %lu, locked %lu; waits %lu\n",
		   w1.walks - w0.walks, w1.fails - w0.fails,
		   w1.locked - w0.locked, kheap_test_owner_waits(s->heap));
	KUNIT_EXPECT_EQ(test, atomic_read(&s->fails), 0);
	KUNIT_EXPECT_EQ(test, s->reads, WK_READS);
	/* The owner ran during the reads: the case's point. */
	KUNIT_EXPECT_GT(test, s->pairs, (unsigned long)WK_READS);
	KUNIT_EXPECT_GE(test, s->least, (size_t)WK_STILL);
	KUNIT_EXPECT_EQ(test, s->missing, 0);
	KUNIT_EXPECT_EQ(test, s->list.foreign, 0);
	KUNIT_EXPECT_EQ(test, w1.locked - w0.locked, 0);
	KUNIT_EXPECT_EQ(test, kheap_test_owner_waits(s->heap), 0);
	KUNIT_EXPECT_EQ(test, kheap_count(s->heap), 0);
	KUNIT_EXPECT_EQ(test, kheap_bytes(s->heap), 0);
	KUNIT_EXPECT_EQ(test, kheap_invalid_frees(), bad);
}

/* ---- every block live for a whole read is listed, once ---- */

/* The owner's slots: half of them frozen during each read. */
#define WK_SLOTS 128
#define WK_ROUNDS 200
/*
 * Failed steps the reads must meet: after WK_ROUNDS, the reader reads on
 * until the walks met that many (a slow kernel's owner changes its list
 * less often during a read), for WK_READ_SECONDS at most.
 */
#define WK_MET 4
#define WK_READ_SECONDS 30
#define WK_TIMER_NS (20 * NSEC_PER_USEC)

/**
 * struct wk_churn - shared state of walk_test_complete
 * @heap:	the heap
 * @list:	what the reader's last report listed
 * @slot:	the owner's blocks; those of the frozen half (@epoch's parity)
 *		stay while @acked is @epoch
 * @frozen:	the reader's copy of the frozen half
 * @box:	blocks the owner hands its CPU's hard hrtimer, which frees them
 * @timer:	that timer
 * @epoch:	the reader's round: which half the owner leaves alone
 * @acked:	the last round the owner saw: from then on it leaves that half
 * @stop:	the reader is done
 * @deadline:	when every member gives up
 * @ops:	the owner's frees and allocations
 * @fired:	timer runs
 * @rounds:	reads checked
 * @missing:	frozen blocks a read did not list
 * @twice:	blocks a read listed twice
 * @foreign:	blocks listed of another heap
 * @fails:	allocations that returned NULL
 * @w0:		the walks' counts at the start
 * @done:	the reader is done
 */
struct wk_churn {
	struct kheap *heap;
	struct wk_list list;
	void *slot[WK_SLOTS];
	void *frozen[WK_SLOTS / 2];
	struct kt_box box;
	struct hrtimer timer;
	unsigned int epoch, acked;
	bool stop;
	unsigned long deadline, ops, fired;
	int rounds;
	unsigned long missing, twice, foreign;
	atomic_t fails;
	struct kheap_test_walks w0;
	struct completion done;
};

/* Slot @j's size: 16 to 976 bytes, a cache class of its own per size. */
static size_t wk_size(unsigned int j)
{
	return 16 + (j % 16) * 64;
}

static enum hrtimer_restart wk_tick(struct hrtimer *t)
{
	struct wk_churn *s = container_of(t, struct wk_churn, timer);

	/* Blocks of the owner's task shard, from the middle of its list. */
	kt_box_free_all(&s->box);
	s->fired++;
	hrtimer_forward_now(t, ns_to_ktime(WK_TIMER_NS));
	return HRTIMER_RESTART;
}

static void *wk_alloc(struct wk_churn *s, size_t size)
{
	void *p = kheap_alloc(s->heap, size, GFP_KERNEL);

	if (!p)
		atomic_inc(&s->fails);
	return p;
}

/*
 * The owner: free and allocate again blocks of the half the reader does
 * not check, the new ones at the list's end, where the freed memory comes
 * back at once from the cache; and hand some to the timer, which frees
 * them once more blocks follow them.
 */
static void wk_churn_owner(struct wk_churn *s)
{
	unsigned int e, j, acked = 0;
	unsigned long n = 0;
	void *p;

	for (j = 0; j < WK_SLOTS; j++)
		s->slot[j] = wk_alloc(s, wk_size(j));
	/* PREEMPT_RT: no kheap_free() in hardirq context. */
	if (!IS_ENABLED(CONFIG_PREEMPT_RT)) {
		hrtimer_init(&s->timer, CLOCK_MONOTONIC,
			     HRTIMER_MODE_REL_PINNED_HARD);
		s->timer.function = wk_tick;
		hrtimer_start(&s->timer, ns_to_ktime(WK_TIMER_NS),
			      HRTIMER_MODE_REL_PINNED_HARD);
	}
	while (!READ_ONCE(s->stop) && time_before(jiffies, s->deadline)) {
		/* Pairs with the release in wk_churn_reader(). */
		e = smp_load_acquire(&s->epoch);
		if (e != acked) {
			acked = e;
			/* Our writes to the frozen half, then the ack. */
			smp_store_release(&s->acked, e);
		}
		j = (get_random_u32_below(WK_SLOTS / 2) * 2) | (~e & 1);
		kheap_free(s->slot[j]);
		s->slot[j] = wk_alloc(s, wk_size(j));
		if (!(n % 4)) {
			p = wk_alloc(s, 64);
			if (p && !kt_box_put(&s->box, p))
				kheap_free(p);
			/* PREEMPT_RT: the owner frees them, older ones first. */
			if (IS_ENABLED(CONFIG_PREEMPT_RT) && !(n % 64))
				kt_box_free_all(&s->box);
		}
		if (!(++n % 256))
			cond_resched();
	}
	if (!IS_ENABLED(CONFIG_PREEMPT_RT))
		hrtimer_cancel(&s->timer);
	kt_box_free_all(&s->box);
	for (j = 0; j < WK_SLOTS; j++)
		kheap_free(s->slot[j]);
	WRITE_ONCE(s->ops, n);
}

/*
 * Check one report against the frozen half. Memory freed and allocated
 * again during the read may be listed twice, as two blocks (two ids).
 */
static void wk_churn_check(struct wk_churn *s)
{
	struct wk_list *l = &s->list;
	size_t i, n = min(l->n, l->cap);

	for (i = 0; i < n; i++)
		l->ids[i] = l->p[i].id;
	sort(l->ids, n, sizeof(*l->ids), wk_id_cmp, NULL);
	for (i = 1; i < n; i++)
		s->twice += l->ids[i] == l->ids[i - 1];
	s->missing += wk_missing(l, s->frozen, WK_SLOTS / 2);
	s->foreign += l->foreign;
	s->rounds++;
}

/* Enough reads, and did the walks meet the owner's changes enough? */
static bool wk_churn_enough(struct wk_churn *s, unsigned int e)
{
	struct kheap_test_walks w;

	if (e <= WK_ROUNDS)
		return false;
	kheap_test_walk_stats(&w);
	return w.fails - s->w0.fails >= WK_MET;
}

/* The reader: freeze a half, list the heap, check, then the other half. */
static void wk_churn_reader(struct wk_churn *s)
{
	unsigned long end = s->deadline;
	unsigned int e, i;

	/* WK_ROUNDS reads, then more until the walks met WK_MET changes. */
	for (e = 1; !wk_churn_enough(s, e) && time_before(jiffies, end); e++) {
		if (e == WK_ROUNDS + 1)
			end = jiffies + WK_READ_SECONDS * HZ;
		/* Pairs with the acquire in wk_churn_owner(). */
		smp_store_release(&s->epoch, e);
		/* Pairs with the release in wk_churn_owner(): its slots. */
		while (smp_load_acquire(&s->acked) != e &&
		       time_before(jiffies, s->deadline))
			cond_resched();
		/* The same pairing: the ack, or the deadline. */
		if (smp_load_acquire(&s->acked) != e)
			break;
		for (i = 0; i < WK_SLOTS / 2; i++)
			s->frozen[i] = s->slot[2 * i + (e & 1)];
		s->list.n = 0;
		s->list.foreign = 0;
		kheap_report(s->heap, 0, U64_MAX);
		wk_churn_check(s);
	}
	WRITE_ONCE(s->stop, true);
	complete(&s->done);
}

static int wk_churn_fn(void *arg)
{
	struct kt_member *m = arg;
	struct wk_churn *s = m->crew->priv;

	kt_crew_ready(m);
	if (m->idx == 0)
		wk_churn_owner(s);
	else if (m->idx == 1)
		wk_churn_reader(s);
	return kt_crew_park();
}

/*
 * One CPU frees and allocates blocks all along its shard's list (a block
 * freed is at once allocated again from the cache, at the list's end), and
 * its hard hrtimer frees blocks from the middle of the list, some claimed
 * while the owner holds the shard; another CPU reads the heap, and checks
 * each report against the half of the owner's blocks it froze for that
 * read: each listed, none listed twice, none of another heap. The walks'
 * failed steps are counted: the reader reads on past WK_ROUNDS until they
 * met WK_MET, so the case has shown the reads going through the owner's
 * changes (a debug kernel's owner, slow, makes fewer per read).
 */
static void walk_test_complete(struct kunit *test)
{
	unsigned long bad = kheap_invalid_frees();
	struct kheap_test_walks w0, w1;
	struct kt_crew *crew;
	struct wk_churn *s;

	if (num_online_cpus() < 2)
		kunit_skip(test, "needs two online CPUs");
	s = kunit_kzalloc(test, sizeof(*s), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, s);
	s->heap = kt_heap(test);
	kt_box_init(&s->box);
	wk_list_init(test, &s->list, s->heap, 4 * (WK_SLOTS + KT_BOX));
	init_completion(&s->done);
	s->deadline = jiffies + WK_SECONDS * HZ;
	kheap_test_walk_stats(&s->w0);
	crew = kt_crew_start(test, wk_churn_fn, s, "kheap_wkc");
	wait_for_completion(&s->done);
	KUNIT_EXPECT_EQ(test, kt_crew_stop(crew), 0);
	kheap_test_walk_stats(&w1);
	w0 = s->w0;
	kunit_info(test, "%d reads, %lu owner ops, %lu timer runs\n", s->rounds,
		   s->ops, s->fired);
	kunit_info(test, "%lu missing, %lu listed twice\n", s->missing,
		   s->twice);
	kunit_info(test, "walks %lu, failed steps %lu, back-offs %lu\n",
		   w1.walks - w0.walks, w1.fails - w0.fails,
		   w1.backoffs - w0.backoffs);
	kunit_info(test, "restarts %lu, locked %lu, snapshots grown %lu\n",
		   w1.starts - w0.starts, w1.locked - w0.locked,
		   w1.grows - w0.grows);
	KUNIT_EXPECT_EQ(test, atomic_read(&s->fails), 0);
	KUNIT_EXPECT_GE(test, s->rounds, WK_ROUNDS);
	if (!IS_ENABLED(CONFIG_PREEMPT_RT))
		KUNIT_EXPECT_GT(test, s->fired, 0);
	/* The reads met the owner's changes: the case's point. */
	KUNIT_EXPECT_GE(test, w1.fails - w0.fails, WK_MET);
	/* And made their way through them: few walks fell back to a lock. */
	KUNIT_EXPECT_LE(test, 10 * (w1.locked - w0.locked),
			(unsigned long)s->rounds);
	KUNIT_EXPECT_EQ(test, s->missing, 0);
	KUNIT_EXPECT_EQ(test, s->twice, 0);
	KUNIT_EXPECT_EQ(test, s->foreign, 0);
	KUNIT_EXPECT_EQ(test, kheap_count(s->heap), 0);
	KUNIT_EXPECT_EQ(test, kheap_bytes(s->heap), 0);
	KUNIT_EXPECT_EQ(test, kheap_invalid_frees(), bad);
}

static struct kunit_case kheap_walk_cases[] = {
	KUNIT_CASE_SLOW(walk_test_owner_never_waits),
	KUNIT_CASE_SLOW(walk_test_complete),
	{}
};

static struct kunit_suite kheap_walk_suite = {
	.name = "kheap_walk",
	.test_cases = kheap_walk_cases,
};

kunit_test_suite(kheap_walk_suite);

MODULE_DESCRIPTION("KUnit tests of kheap's readers without a shard's lock");
MODULE_LICENSE("GPL");
KHEAP_IMPORT_NS();
MODULE_IMPORT_NS(EXPORTED_FOR_KUNIT_TESTING);
