// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite kheap_cache: the per-CPU cache of freed tracked blocks.
 *
 * Every case switches the cache on through kheap's module parameter (on the
 * debug kernel it is off by default, KASAN being there: this suite is what
 * makes KASAN see the cache's code) and restores it after. What is cached
 * is read through kheap's test hook (debugfs kheap/cache shows the same).
 */
#include <kunit/test.h>
#include <linux/cpu.h>
#include <linux/delay.h>
#include <linux/fs.h>
#include <linux/hrtimer.h>
#include <linux/kthread.h>
#include <linux/slab.h>

#include "kheap_kfile.h"
#include "kheap_test_box.h"
#include "kheap_test_util.h"
#include "../kmod/kheap_kunit.h"

#define KC_PARAM "/sys/module/kheap/parameters/cache"
/* @was_on: non-NULL when the cache was on before the test. */
static void kc_restore(void *was_on)
{
	kheap_file_write(KC_PARAM, was_on ? "Y" : "N");
}

/* Switch the cache on for this test, back to what it was at the end. */
static void kc_cache_on(struct kunit *test)
{
	char buf[8];

	KUNIT_ASSERT_GT(test, kheap_file_read(KC_PARAM, buf, sizeof(buf)), 0);
	KUNIT_ASSERT_EQ(test, 0,
			kunit_add_action_or_reset(test, kc_restore,
						  buf[0] == 'Y' ? test : NULL));
	KUNIT_ASSERT_EQ(test, 0, kheap_file_write(KC_PARAM, "Y"));
}

static long kc_cached_bytes(int cpu)
{
	return kheap_test_cache_bytes(cpu);
}

/* A freed block comes back for the next allocation of its class, here. */
static void cache_test_reuse(struct kunit *test)
{
	struct kheap *heap = kt_heap(test);
	void *p, *q;

	kc_cache_on(test);
	migrate_disable();
	p = kheap_alloc(heap, 64, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, p);
	kheap_free(p);
	/* In the cache it is not a live block. */
	KUNIT_EXPECT_NULL(test, kheap_of(p));
	q = kheap_alloc(heap, 40, GFP_KERNEL); /* same class, kmalloc-128 */
	migrate_enable();
	KUNIT_EXPECT_PTR_EQ(test, p, q);
	KUNIT_EXPECT_EQ(test, kheap_size(q), 40);
	KUNIT_EXPECT_PTR_EQ(test, kheap_of(q), heap);
	KUNIT_EXPECT_EQ(test, kheap_count(heap), 1);
	KUNIT_EXPECT_EQ(test, kheap_bytes(heap), 40);
	kheap_free(q);
	KUNIT_EXPECT_EQ(test, kheap_count(heap), 0);
	KUNIT_EXPECT_EQ(test, kheap_bytes(heap), 0);
}

/* A block freed twice while it sits in the cache is refused, not re-cached. */
static void cache_test_double_free(struct kunit *test)
{
	struct kheap *heap = kt_heap(test);
	unsigned long bad = kheap_invalid_frees();
	void *p, *a, *b;

	kc_cache_on(test);
	migrate_disable();
	p = kheap_alloc(heap, 100, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, p);
	kheap_free(p);
	kheap_free(p);
	KUNIT_EXPECT_EQ(test, kheap_invalid_frees(), bad + 1);
	/* Had it gone in twice, both allocations would get it. */
	a = kheap_alloc(heap, 100, GFP_KERNEL);
	b = kheap_alloc(heap, 100, GFP_KERNEL);
	migrate_enable();
	KUNIT_EXPECT_PTR_NE(test, a, b);
	kheap_free(a);
	kheap_free(b);
	KUNIT_EXPECT_EQ(test, kheap_count(heap), 0);
}

/* A cached block handed to kheap_zalloc() is zeroed, its canary intact. */
static void cache_test_zeroed(struct kunit *test)
{
	struct kheap *heap = kt_heap(test);
	unsigned long over = kheap_overruns(heap);
	u8 *p, *q;
	int i;

	kc_cache_on(test);
	migrate_disable();
	p = kheap_alloc(heap, 200, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, p);
	memset(p, 0xa5, 200);
	kheap_free(p);
	q = kheap_zalloc(heap, 300, GFP_KERNEL); /* both in kmalloc-512 */
	migrate_enable();
	KUNIT_ASSERT_NOT_NULL(test, q);
	KUNIT_EXPECT_PTR_EQ(test, p, q);
	for (i = 0; i < 300; i++)
		if (q[i])
			break;
	KUNIT_EXPECT_EQ(test, i, 300);
	kheap_free(q);
	KUNIT_EXPECT_EQ(test, kheap_overruns(heap), over);
}

/*
 * Blocks with flags the cache must not keep (memcg-charged, DMA zone) or an
 * alignment above kmalloc's go back to the slab allocator.
 */
static void cache_test_not_cached(struct kunit *test)
{
	struct kheap *heap = kt_heap(test);
	long before, after;
	void *p[3];
	int i;

	kc_cache_on(test);
	migrate_disable();
	before = kc_cached_bytes(smp_processor_id());
	p[0] = kheap_alloc(heap, 64, GFP_KERNEL | __GFP_ACCOUNT);
	p[1] = kheap_alloc(heap, 64, GFP_KERNEL | GFP_DMA);
	p[2] = kheap_alloc_aligned(heap, 64, 64, GFP_KERNEL);
	for (i = 0; i < 3; i++) {
		KUNIT_EXPECT_NOT_NULL(test, p[i]);
		kheap_free(p[i]);
	}
	after = kc_cached_bytes(smp_processor_id());
	migrate_enable();
	KUNIT_EXPECT_EQ(test, after, before);
}

/* Switching the cache off flushes every CPU's cache; it stays bounded. */
static void cache_test_off_flushes(struct kunit *test)
{
	struct kheap *heap = kt_heap(test);
	long before, grew;
	void **p;
	int i, n = 300;

	kc_cache_on(test);
	p = kunit_kcalloc(test, n, sizeof(*p), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, p);
	migrate_disable();
	before = kc_cached_bytes(smp_processor_id());
	for (i = 0; i < n; i++)
		p[i] = kheap_alloc(heap, 30, GFP_KERNEL);
	for (i = 0; i < n; i++)
		kheap_free(p[i]);
	grew = kc_cached_bytes(smp_processor_id()) - before;
	migrate_enable();
	/* The 96-byte class holds at most 256 blocks (24 KiB < 32 KiB). */
	KUNIT_EXPECT_GT(test, grew, 0);
	KUNIT_EXPECT_LE(test, grew, 256 * 96);
	KUNIT_ASSERT_EQ(test, 0, kheap_file_write(KC_PARAM, "N"));
	KUNIT_EXPECT_EQ(test, kc_cached_bytes(-1), 0);
	KUNIT_EXPECT_EQ(test, kheap_count(heap), 0);
}

struct kc_irq {
	struct hrtimer timer;
	struct kheap *heap;
	void *held;
	atomic_t fired;
};

/* Same-CPU interrupt: free what the last firing took, take a new block. */
static enum hrtimer_restart kc_irq_fn(struct hrtimer *t)
{
	struct kc_irq *ki = container_of(t, struct kc_irq, timer);

	kheap_free(ki->held);
	ki->held = kheap_alloc(ki->heap, 24 + atomic_read(&ki->fired) % 200,
			       GFP_ATOMIC);
	atomic_inc(&ki->fired);
	hrtimer_forward_now(t, ns_to_ktime(50 * NSEC_PER_USEC));
	return HRTIMER_RESTART;
}

/*
 * A hard hrtimer on the task's CPU allocates and frees in the middle of the
 * task's own allocations and frees of the same classes: counts stay exact
 * and KASAN sees no misuse of a block.
 */
static void cache_test_hardirq(struct kunit *test)
{
	struct kheap *heap = kt_heap(test);
	unsigned long bad = kheap_invalid_frees();
	unsigned long end;
	struct kc_irq *ki;
	long rounds = 0;

	if (IS_ENABLED(CONFIG_PREEMPT_RT))
		kunit_skip(test,
			   "kheap_alloc() is not for hardirq on PREEMPT_RT");
	kc_cache_on(test);
	ki = kunit_kzalloc(test, sizeof(*ki), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, ki);
	ki->heap = heap;
	migrate_disable();
	hrtimer_init(&ki->timer, CLOCK_MONOTONIC, HRTIMER_MODE_REL_PINNED_HARD);
	ki->timer.function = kc_irq_fn;
	hrtimer_start(&ki->timer, ns_to_ktime(50 * NSEC_PER_USEC),
		      HRTIMER_MODE_REL_PINNED_HARD);
	/* The deadline starts with the loop: setting up may take long. */
	end = jiffies + 2 * HZ;
	while (time_before(jiffies, end) || rounds < 1000) {
		void *p = kheap_alloc(heap, 24 + rounds % 200, GFP_KERNEL);

		KUNIT_EXPECT_NOT_NULL(test, p);
		kheap_free(p);
		if (!(++rounds % 256))
			cond_resched();
	}
	hrtimer_cancel(&ki->timer);
	migrate_enable();
	kheap_free(ki->held);
	kunit_info(test, "%ld rounds, %d timer firings\n", rounds,
		   atomic_read(&ki->fired));
	KUNIT_EXPECT_GT(test, atomic_read(&ki->fired), 0);
	KUNIT_EXPECT_EQ(test, kheap_count(heap), 0);
	KUNIT_EXPECT_EQ(test, kheap_bytes(heap), 0);
	KUNIT_EXPECT_EQ(test, kheap_invalid_frees(), bad);
}

/* A CPU that goes offline leaves no block in its cache. */
static int kc_fill_fn(void *arg)
{
	struct kheap *heap = arg;
	void *p[8];
	int i;

	for (i = 0; i < 8; i++)
		p[i] = kheap_alloc(heap, 500, GFP_KERNEL);
	for (i = 0; i < 8; i++)
		kheap_free(p[i]);
	while (!kthread_should_stop())
		schedule_timeout_interruptible(1);
	return 0;
}

static void cache_test_cpu_dead(struct kunit *test)
{
	struct kheap *heap = kt_heap(test);
	struct task_struct *t;
	unsigned long end;
	int cpu, ret;

	if (!IS_ENABLED(CONFIG_HOTPLUG_CPU) || num_online_cpus() < 2)
		kunit_skip(test, "needs CPU hotplug and two CPUs");
	kc_cache_on(test);
	cpu = cpumask_last(cpu_online_mask);
	t = kthread_create(kc_fill_fn, heap, "kc_fill/%d", cpu);
	KUNIT_ASSERT_FALSE(test, IS_ERR(t));
	kthread_bind(t, cpu);
	wake_up_process(t);
	end = jiffies + 10 * HZ;
	while (kc_cached_bytes(cpu) <= 0 && time_before(jiffies, end))
		usleep_range(1000, 2000);
	kthread_stop(t);
	KUNIT_EXPECT_GT(test, kc_cached_bytes(cpu), 0);
	ret = remove_cpu(cpu);
	KUNIT_ASSERT_EQ(test, ret, 0);
	KUNIT_EXPECT_EQ(test, kc_cached_bytes(cpu), 0);
	KUNIT_EXPECT_EQ(test, add_cpu(cpu), 0);
	KUNIT_EXPECT_EQ(test, kheap_count(heap), 0);
}

/* A thread that frees the blocks it is given, on the CPU it is bound to. */
struct kc_freer {
	void **p;
	int n;
	struct completion done;
};

static int kc_free_fn(void *arg)
{
	struct kc_freer *f = arg;
	int i;

	for (i = 0; i < f->n; i++)
		kheap_free(f->p[i]);
	complete(&f->done);
	while (!kthread_should_stop())
		schedule_timeout_interruptible(1);
	return 0;
}

/* Free @n blocks of @p on @cpu, and wait for it. */
static void kc_free_on(struct kunit *test, int cpu, void **p, int n)
{
	struct kc_freer f = { .p = p, .n = n };
	struct task_struct *t;

	init_completion(&f.done);
	t = kthread_create(kc_free_fn, &f, "kc_free/%d", cpu);
	KUNIT_ASSERT_FALSE(test, IS_ERR(t));
	kthread_bind(t, cpu);
	wake_up_process(t);
	wait_for_completion(&f.done);
	kthread_stop(t);
}

/* Another online CPU than this one (the caller has migration off). */
static int kc_other_cpu(void)
{
	return cpumask_next_wrap(smp_processor_id(), cpu_online_mask,
				 smp_processor_id(), false);
}

/* What one round of cache_test_remote_back() saw. */
enum kc_round {
	KC_BACK, /* the next allocation took the 8 back, the next 7 got them */
	KC_MISSED, /* they were not all there for the next allocations */
	KC_TAKEN, /* a reader took some off the shard before we looked */
};

/*
 * One round of cache_test_remote_back(), migration off: 8 blocks
 * allocated here and freed on @other, then 8 allocated here; @q gets
 * those (NULL when not allocated).
 *
 * The harness reads every debugfs file of every heap meanwhile, this
 * one's too: a reader holding a shard's lock is one of its holders, and
 * its unlock releases the queued blocks (into its CPU's cache when that
 * is the blocks' CPU, else to kfree()). A reader that took some before
 * they were counted here makes the round KC_TAKEN; one that takes them
 * after makes it KC_MISSED, like a flush (memory pressure).
 */
static enum kc_round kc_remote_round(struct kunit *test, struct kheap *heap,
				     int other, void **q)
{
	int i, j, cpu = smp_processor_id(), found = 0;
	unsigned long deferred, queued;
	long cached;
	void *p[8];

	for (i = 0; i < 8; i++) {
		p[i] = kheap_alloc(heap, 64, GFP_KERNEL); /* kmalloc-128 */
		KUNIT_ASSERT_NOT_NULL(test, p[i]);
	}
	/* The cache starts empty: the first allocation below misses. */
	KUNIT_ASSERT_EQ(test, kc_cached_bytes(cpu), 0);
	deferred = kheap_test_deferred(false);
	kc_free_on(test, other, p, 8);
	KUNIT_EXPECT_EQ(test, kheap_count(heap), 0);
	KUNIT_EXPECT_EQ(test, kheap_bytes(heap), 0);
	KUNIT_EXPECT_EQ(test, kc_cached_bytes(other), 0);
	KUNIT_EXPECT_EQ(test, kheap_test_deferred(false) - deferred, 8);
	/*
	 * Read before the count: a reader takes blocks off the shard before
	 * it caches them, so with all 8 still queued after, none was cached.
	 */
	cached = kc_cached_bytes(cpu);
	queued = kheap_test_queued(heap);
	if (queued < 8) {
		kunit_info(test, "CPU %d: a reader took %lu of the 8 first\n",
			   cpu, 8 - queued);
		return KC_TAKEN;
	}
	KUNIT_EXPECT_EQ(test, queued, 8);
	KUNIT_EXPECT_EQ(test, cached, 0);
	/* A miss, whose unlock takes the 8 back. */
	q[0] = kheap_alloc(heap, 50, GFP_KERNEL);
	cached = kc_cached_bytes(cpu);
	for (i = 1; i < 8; i++)
		q[i] = kheap_alloc(heap, 50, GFP_KERNEL);
	for (i = 1; i < 8; i++) {
		for (j = 0; j < 8 && q[i] != p[j]; j++)
			;
		found += j < 8;
	}
	for (i = 0; i < 8; i++) {
		KUNIT_EXPECT_PTR_EQ(test, kheap_of(q[i]), heap);
		KUNIT_EXPECT_EQ(test, kheap_size(q[i]), 50);
	}
	KUNIT_EXPECT_EQ(test, kheap_count(heap), 8);
	KUNIT_EXPECT_EQ(test, kheap_bytes(heap), 8 * 50);
	kunit_info(test, "CPU %d: %ld bytes back from CPU %d, %d of 7 reused\n",
		   cpu, cached, other, found);
	return cached == 8 * 128 && found == 7 ? KC_BACK : KC_MISSED;
}

/*
 * Blocks a task frees on another CPU wait on their shard, counted off
 * already, and the next allocation of the CPU that allocated them takes
 * them back into its cache, where its next allocations get them. A
 * reader or a flush in the middle takes them first (kc_remote_round()):
 * up to KC_ROUNDS rounds, at least one of them whole.
 */
#define KC_ROUNDS 12

static void cache_test_remote_back(struct kunit *test)
{
	struct kheap *heap = kt_heap(test);
	enum kc_round res = KC_MISSED;
	int i, round, other, taken = 0;
	void *q[8];

	if (num_online_cpus() < 2)
		kunit_skip(test, "needs two CPUs");
	kc_cache_on(test);
	for (round = 0; round < KC_ROUNDS && res != KC_BACK; round++) {
		/* Start from empty caches. */
		KUNIT_ASSERT_EQ(test, 0, kheap_file_write(KC_PARAM, "N"));
		KUNIT_ASSERT_EQ(test, 0, kheap_file_write(KC_PARAM, "Y"));
		memset(q, 0, sizeof(q));
		migrate_disable();
		other = kc_other_cpu();
		res = kc_remote_round(test, heap, other, q);
		migrate_enable();
		taken += res == KC_TAKEN;
		for (i = 0; i < 8; i++)
			kheap_free(q[i]);
		KUNIT_EXPECT_EQ(test, kheap_count(heap), 0);
	}
	kunit_info(test, "%d rounds, %d of them taken by a reader first\n",
		   round, taken);
	KUNIT_EXPECT_EQ_MSG(test, res, KC_BACK,
			    "freed blocks did not come back to the cache");
}

/*
 * Blocks freed on another CPU for a CPU that allocates no more in their
 * heap wait on their shard, and memory pressure releases them; then a
 * flush (the cache switched off) leaves nothing cached.
 */
static void cache_test_remote_reclaimed(struct kunit *test)
{
	struct kheap *heap = kt_heap(test);
	unsigned long queued, end, deferred;
	int i, n = 48, other;
	void **p;

	if (num_online_cpus() < 2)
		kunit_skip(test, "needs two CPUs");
	kc_cache_on(test);
	p = kunit_kcalloc(test, n, sizeof(*p), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, p);
	migrate_disable();
	other = kc_other_cpu();
	for (i = 0; i < n; i++) {
		p[i] = kheap_alloc(heap, 1900, GFP_KERNEL); /* kmalloc-2k */
		KUNIT_ASSERT_NOT_NULL(test, p[i]);
	}
	deferred = kheap_test_deferred(false);
	kc_free_on(test, other, p, n);
	migrate_enable();
	/* Each was queued (memory pressure may have released some since). */
	KUNIT_EXPECT_EQ(test, kheap_test_deferred(false) - deferred, n);
	KUNIT_EXPECT_EQ(test, kheap_count(heap), 0);
	KUNIT_EXPECT_EQ(test, kheap_bytes(heap), 0);
	queued = kheap_test_queued(heap);
	kunit_info(test, "%d blocks freed on CPU %d, %lu still queued\n", n,
		   other, queued);
	KUNIT_EXPECT_LE(test, queued, n);
	end = jiffies + HZ;
	do {
		kheap_test_reclaim();
		queued = kheap_test_queued(heap);
		cond_resched();
	} while (queued && time_before(jiffies, end));
	KUNIT_EXPECT_EQ(test, queued, 0);
	KUNIT_ASSERT_EQ(test, 0, kheap_file_write(KC_PARAM, "N"));
	KUNIT_EXPECT_EQ(test, kc_cached_bytes(-1), 0);
}

/* Per CPU: a mailbox the previous CPU's thread fills and this one empties. */
struct kc_ring {
	struct kheap *heap;
	struct kt_box *box; /* nr_cpu_ids of them */
	unsigned long deadline;
	atomic_long_t handed, fired;
};

struct kc_tick {
	struct hrtimer timer;
	struct kc_ring *r;
	void *held;
};

/* Same-CPU interrupt in the middle of the thread's refills and returns. */
static enum hrtimer_restart kc_tick_fn(struct hrtimer *t)
{
	struct kc_tick *k = container_of(t, struct kc_tick, timer);

	kheap_free(k->held);
	k->held = kheap_alloc(k->r->heap, 100, GFP_ATOMIC);
	atomic_long_inc(&k->r->fired);
	hrtimer_forward_now(t, ns_to_ktime(30 * NSEC_PER_USEC));
	return HRTIMER_RESTART;
}

static int kc_ring_fn(void *arg)
{
	struct kc_ring *r = arg;
	int cpu = raw_smp_processor_id();
	int next = cpumask_next_wrap(cpu, cpu_online_mask, cpu, false);
	struct kc_tick k = { .r = r };
	unsigned long i = 0;

	if (!IS_ENABLED(CONFIG_PREEMPT_RT)) {
		hrtimer_init(&k.timer, CLOCK_MONOTONIC,
			     HRTIMER_MODE_REL_PINNED_HARD);
		k.timer.function = kc_tick_fn;
		hrtimer_start(&k.timer, ns_to_ktime(30 * NSEC_PER_USEC),
			      HRTIMER_MODE_REL_PINNED_HARD);
	}
	while (time_before(jiffies, READ_ONCE(r->deadline))) {
		void *p =
			kheap_alloc(r->heap, 16 + (i * 37) % 1900, GFP_KERNEL);

		if (p && !kt_box_put(&r->box[next], p))
			kheap_free(p);
		else if (p)
			atomic_long_inc(&r->handed);
		kt_box_free_all(&r->box[cpu]);
		if (!(++i % 64))
			cond_resched();
	}
	if (!IS_ENABLED(CONFIG_PREEMPT_RT)) {
		hrtimer_cancel(&k.timer);
		kheap_free(k.held);
	}
	while (!kthread_should_stop())
		schedule_timeout_interruptible(1);
	return 0;
}

/*
 * Every CPU allocates and hands its blocks to the next CPU, which frees
 * them (so every shard gets queued blocks that its own CPU takes back),
 * with a hard hrtimer allocating and freeing on each CPU meanwhile: every
 * block is freed exactly once, the counts end exact, and a flush leaves
 * nothing cached or waiting.
 */
static void cache_test_remote_stress(struct kunit *test)
{
	unsigned long bad = kheap_invalid_frees();
	struct kc_ring *r;
	int cpu, ret;

	if (num_online_cpus() < 2)
		kunit_skip(test, "needs two CPUs");
	kc_cache_on(test);
	r = kunit_kzalloc(test, sizeof(*r), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, r);
	r->box = kunit_kcalloc(test, nr_cpu_ids, sizeof(*r->box), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, r->box);
	for_each_possible_cpu(cpu)
		kt_box_init(&r->box[cpu]);
	r->heap = kt_heap(test);
	r->deadline = jiffies + 60 * HZ; /* until kt_run_per_cpu() sets it */
	ret = kt_run_per_cpu(test, kc_ring_fn, r, "kc_ring", &r->deadline,
			     2 * HZ);
	KUNIT_EXPECT_EQ(test, ret, 0);
	cpus_read_lock();
	for_each_online_cpu(cpu)
		kt_box_free_all(&r->box[cpu]);
	cpus_read_unlock();
	kunit_info(test,
		   "%ld blocks handed to another CPU, %ld timer firings\n",
		   atomic_long_read(&r->handed), atomic_long_read(&r->fired));
	KUNIT_EXPECT_GT(test, atomic_long_read(&r->handed), 0);
	KUNIT_EXPECT_EQ(test, kheap_count(r->heap), 0);
	KUNIT_EXPECT_EQ(test, kheap_bytes(r->heap), 0);
	KUNIT_EXPECT_EQ(test, kheap_invalid_frees(), bad);
	KUNIT_ASSERT_EQ(test, 0, kheap_file_write(KC_PARAM, "N"));
	KUNIT_EXPECT_EQ(test, kc_cached_bytes(-1), 0);
}

/* clang-format off: one case a line, as in every suite (it would pack them) */
/* clang-format off */
static struct kunit_case kheap_cache_cases[] = {
	KUNIT_CASE(cache_test_reuse),
	KUNIT_CASE(cache_test_double_free),
	KUNIT_CASE(cache_test_zeroed),
	KUNIT_CASE(cache_test_not_cached),
	KUNIT_CASE(cache_test_off_flushes),
	KUNIT_CASE(cache_test_hardirq),
	KUNIT_CASE(cache_test_cpu_dead),
	KUNIT_CASE(cache_test_remote_back),
	KUNIT_CASE(cache_test_remote_reclaimed),
	KUNIT_CASE(cache_test_remote_stress),
	{}
};

/* clang-format on */

static struct kunit_suite kheap_cache_suite = {
	.name = "kheap_cache",
	.test_cases = kheap_cache_cases,
};

kunit_test_suite(kheap_cache_suite);

MODULE_DESCRIPTION("KUnit tests of kheap's block cache");
MODULE_LICENSE("GPL");
KHEAP_IMPORT_NS();
MODULE_IMPORT_NS(EXPORTED_FOR_KUNIT_TESTING);
