// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite kheap_track_race: promises of the tracked core that a review
 * found broken, each written as a test of the promise, not of the code:
 *  - kheap_of() and kheap_size() are lookups: a pointer kheap did not hand
 *    out is no invalid free;
 *  - a header forged with a formula known at build time is not taken for a
 *    live block;
 *  - a call site outside every symbol is never printed as a raw address;
 *  - blocks that kheap_destroy() moves to the default heap get ids of the
 *    default heap: unique there, and at or above a bookmark taken before;
 *  - kheap_bookmark() orders allocations on another CPU, and in a hard
 *    interrupt on its own CPU;
 *  - requests larger than kmalloc() serves fail, quietly: no WARN of the
 *    page allocator;
 *  - a reader of live blocks on one CPU, while another allocates and frees
 *    in the heap, sees only its blocks, each once, and corrupts nothing;
 *  - two CPUs that free one block at the same moment: one free wins, the
 *    other is refused and counted.
 * Cases that may crash on a broken implementation (a WARN, a double kfree)
 * come last, so that one crash does not hide the other cases' results.
 * Only the public API is used; the forged header copies the layout it
 * forges.
 */
#include <kunit/test.h>
#include <linux/completion.h>
#include <linux/cpumask.h>
#include <linux/debugfs.h>
#include <linux/fs.h>
#include <linux/hash.h>
#include <linux/hrtimer.h>
#include <linux/jiffies.h>
#include <linux/kthread.h>
#include <linux/ktime.h>
#include <linux/sched.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/sort.h>
#include <linux/string.h>
#include <linux/uio.h>

#include "../kmod/kheap_kunit.h"
#include "kheap_kfile.h"
#include "kheap_test_util.h"

/* ---- helpers: kthreads bound to CPUs ---- */

#define RACE_MAX_THREADS 2

/**
 * struct race_thread - one kthread of a test
 * @done:	completed by the thread as it exits
 * @cpu:	the CPU it is bound to
 * @idx:	0 or 1: which side of the test it plays
 * @s:		the test's shared state
 */
struct race_thread {
	struct completion done;
	unsigned int cpu;
	unsigned int idx;
	void *s;
};

/**
 * race_run() - run @fn on kthreads bound to CPUs and wait for them
 * @fn:		the thread function; it ends with
 *		kthread_complete_and_exit(&th->done, 0)
 * @th:		@n threads, each with @cpu, @idx and @s set
 * @n:		how many, at most RACE_MAX_THREADS
 * @name:	the threads' name
 * @deadline:	set to @run jiffies from when every thread is created, just
 *		before they start: creating them takes nothing from their time
 * @run:	how long they run
 *
 * Every thread is created before any starts, so that a side never waits for
 * a partner that could not be created; none is left behind when this
 * returns.
 *
 * Context: Process context; sleeps until every thread has exited.
 * Return: 0, or the error of kthread_create() (then no thread ran).
 */
static int race_run(int (*fn)(void *), struct race_thread *th, unsigned int n,
		    const char *name, unsigned long *deadline,
		    unsigned long run)
{
	struct task_struct *t[RACE_MAX_THREADS];
	unsigned int i;

	if (n > RACE_MAX_THREADS)
		return -EINVAL;
	for (i = 0; i < n; i++) {
		init_completion(&th[i].done);
		t[i] = kthread_create(fn, &th[i], "%s/%u", name, th[i].cpu);
		if (IS_ERR(t[i])) {
			int err = PTR_ERR(t[i]);

			/* Never woken: they exit without running @fn. */
			while (i--)
				kthread_stop(t[i]);
			return err;
		}
		kthread_bind(t[i], th[i].cpu);
	}
	*deadline = jiffies + run;
	for (i = 0; i < n; i++)
		wake_up_process(t[i]);
	for (i = 0; i < n; i++)
		wait_for_completion(&th[i].done);
	return 0;
}

/* Two online CPUs, or skip the test. */
static void race_two_cpus(struct kunit *test, struct race_thread *th)
{
	if (num_online_cpus() < 2)
		kunit_skip(test, "needs two online CPUs");
	th[0].cpu = cpumask_first(cpu_online_mask);
	th[1].cpu = cpumask_next(th[0].cpu, cpu_online_mask);
	th[0].idx = 0;
	th[1].idx = 1;
}

/* ---- helpers: blocks freed when the test ends ---- */

static void race_block_free(void *p)
{
	kheap_free(p);
}

/* Keep @p, a new block, for the test: freed when it ends. */
static void *race_keep(struct kunit *test, void *p)
{
	KUNIT_ASSERT_NOT_NULL(test, p);
	KUNIT_ASSERT_EQ(test, 0,
			kunit_add_action_or_reset(test, race_block_free, p));
	return p;
}

/* ---- kheap_of() and kheap_size() are lookups ---- */

static void race_test_lookup_is_pure(struct kunit *test)
{
	/* The lookups read a header in front of the pointer: stay inside. */
	unsigned long stack_words[32] = {};
	struct kheap *heap = kt_heap(test);
	u8 *k = kunit_kzalloc(test, 512, GFP_KERNEL);
	unsigned long invalid;
	void *freed;

	KUNIT_ASSERT_NOT_NULL(test, k);
	freed = kheap_alloc(heap, 64, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, freed);
	KUNIT_EXPECT_EQ(test, kheap_size(freed), 64);
	kheap_free(freed);
	invalid = kheap_invalid_frees();

	KUNIT_EXPECT_NULL(test, kheap_of(k + 256));
	KUNIT_EXPECT_EQ(test, kheap_size(k + 256), 0);
	KUNIT_EXPECT_NULL(test, kheap_of(&stack_words[24]));
	KUNIT_EXPECT_EQ(test, kheap_size(&stack_words[24]), 0);
	KUNIT_EXPECT_NULL(test, kheap_of(freed));
	KUNIT_EXPECT_EQ(test, kheap_size(freed), 0);
	/* Asking is not freeing: nothing was refused. */
	KUNIT_EXPECT_EQ(test, kheap_invalid_frees(), invalid);
}

/* ---- a forged header ---- */

/*
 * The header of a tracked block and its check value as kheap had them when
 * this test was written (kmod/kheap_internal.h, struct kheap_hdr;
 * kmod/track.c, kheap_check_of()): a constant ("kheap!"), the header's
 * address and a hash of id and size, all known to anyone. Copied here, not
 * included: the layout changes, and whatever it becomes, a header that
 * anyone can compute must not pass for a live block.
 */
struct race_old_hdr {
	struct list_head node;
	struct kheap *heap;
	u64 id;
	size_t size;
	unsigned long caller;
	u64 time_ns;
	u32 offset;
	u32 cpu;
	unsigned long check;
};

#define RACE_OLD_MAGIC 0x6b6865617021UL

static void race_test_forged_header(struct kunit *test)
{
	struct kheap *heap = kt_heap(test);
	u8 *buf = kunit_kzalloc(test, 512, GFP_KERNEL);
	struct race_old_hdr *hdr;
	void *ptr;

	KUNIT_ASSERT_NOT_NULL(test, buf);
	/* Room in front, whatever size the header has now. */
	ptr = buf + 256;
	hdr = (struct race_old_hdr *)ptr - 1;
	INIT_LIST_HEAD(&hdr->node);
	hdr->heap = heap;
	hdr->id = 1;
	hdr->size = 16;
	hdr->caller = _THIS_IP_;
	hdr->offset = (u8 *)hdr - buf;
	hdr->cpu = 0;
	hdr->check = RACE_OLD_MAGIC ^ (unsigned long)hdr ^
		     hash_64(hdr->id ^ ((u64)hdr->size << 17), BITS_PER_LONG);

	/* Lookups only: a free of a forged block could corrupt a heap. */
	KUNIT_EXPECT_EQ(test, kheap_size(ptr), 0);
	KUNIT_EXPECT_NULL(test, kheap_of(ptr));
	KUNIT_EXPECT_EQ(test, kheap_count(heap), 0);
}

/* ---- call sites are never printed as raw addresses ---- */

#define RACE_READ_MAX 8192

/**
 * race_read_live() - read debugfs kheap/heap/<name>/live of a heap
 * @test:	the test; the buffer is freed with it
 * @heap:	the heap
 *
 * Skips the test when debugfs is not mounted at /sys/kernel/debug.
 *
 * Context: Process context; sleeps.
 * Return: the file's text, NUL-terminated, or NULL (the test failed).
 */
static char *race_read_live(struct kunit *test, struct kheap *heap)
{
	char *buf = kunit_kzalloc(test, RACE_READ_MAX, GFP_KERNEL);
	struct file *f;
	char path[128];
	ssize_t n;

	KUNIT_ASSERT_NOT_NULL(test, buf);
	snprintf(path, sizeof(path), "/sys/kernel/debug/kheap/heap/%s/live",
		 kheap_name(heap));
	f = filp_open(path, O_RDONLY, 0);
	if (IS_ERR(f)) {
		struct file *root = filp_open("/sys/kernel/debug/kheap",
					      O_RDONLY | O_DIRECTORY, 0);

		if (IS_ERR(root))
			kunit_skip(test, "debugfs is not at /sys/kernel/debug");
		filp_close(root, NULL);
		KUNIT_FAIL(test, "open %s: %ld", path, PTR_ERR(f));
		return NULL;
	}
	n = kheap_debugfs_read_seq(f, buf, RACE_READ_MAX - 1, false);
	filp_close(f, NULL);
	if (n < 0) {
		KUNIT_FAIL(test, "read %s: %zd", path, n);
		return NULL;
	}
	KUNIT_EXPECT_LT(test, n, RACE_READ_MAX - 1);
	return buf;
}

static void race_test_caller_never_raw(struct kunit *test)
{
	struct kheap *heap = kt_heap(test);
	void *where = kunit_kmalloc(test, 64, GFP_KERNEL);
	unsigned long addr = (unsigned long)where;
	char hex[24], hex0x[24];
	char *text;

	KUNIT_ASSERT_NOT_NULL(test, where);
	/* Call sites that are in no symbol: a heap address, a small number. */
	race_keep(test, kheap_alloc_caller(heap, 16, 0, GFP_KERNEL, addr));
	race_keep(test, kheap_alloc_caller(heap, 16, 0, GFP_KERNEL, 0x1000));
	/* And one that is: the file must name it, or it was not read. */
	race_keep(test, kheap_alloc_caller(heap, 16, 0, GFP_KERNEL, _THIS_IP_));
	text = race_read_live(test, heap);
	KUNIT_ASSERT_NOT_NULL(test, text);

	KUNIT_EXPECT_NOT_NULL_MSG(test, strstr(text, __func__), "%s", text);
	snprintf(hex, sizeof(hex), "%lx", addr);
	snprintf(hex0x, sizeof(hex0x), "0x%lx", addr);
	KUNIT_EXPECT_NULL_MSG(test, strstr(text, hex), "%s", text);
	KUNIT_EXPECT_NULL_MSG(test, strstr(text, hex0x), "%s", text);
	/* "1000" alone could be any number in the file; "0x1000" is not. */
	KUNIT_EXPECT_NULL_MSG(test, strstr(text, "0x1000"), "%s", text);
}

/* ---- ids of re-parented blocks ---- */

#define RACE_REPARENT_N 8
#define RACE_REPARENT_ALL (3 * RACE_REPARENT_N)

/**
 * struct race_list - a reporter that keeps what kheap_report() lists
 * @rep:	the reporter
 * @v:		the blocks listed, in the order they came
 * @n:		how many are in @v
 * @cap:	room in @v
 * @dropped:	blocks listed when @v was full
 *
 * Its report callback runs in the caller of kheap_report(), one block at a
 * time: no lock.
 */
struct race_list {
	struct kheap_reporter rep;
	struct kheap_alloc_info *v;
	size_t n, cap, dropped;
};

static void race_list_report(void *priv, const struct kheap_alloc_info *info)
{
	struct race_list *l = priv;

	if (l->n < l->cap)
		l->v[l->n++] = *info;
	else
		l->dropped++;
}

static const struct kheap_reporter_ops race_list_ops = {
	.report = race_list_report,
};

/* Empty @l, with room for @cap blocks. */
static void race_list_reset(struct kunit *test, struct race_list *l, size_t cap)
{
	l->v = kunit_kcalloc(test, cap, sizeof(*l->v), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, l->v);
	l->cap = cap;
	l->n = 0;
	l->dropped = 0;
}

static int race_info_cmp_id(const void *a, const void *b)
{
	const struct kheap_alloc_info *x = a, *y = b;

	return x->id < y->id ? -1 : x->id > y->id;
}

/* The blocks of a test, freed at its end (kheap_free() takes NULL). */
struct race_blocks {
	void *p[RACE_REPARENT_ALL];
};

static void race_blocks_free(void *arg)
{
	struct race_blocks *b = arg;
	int i;

	for (i = 0; i < ARRAY_SIZE(b->p); i++)
		kheap_free(b->p[i]);
}

/* Which of @b is @ptr: its index, or -1. */
static int race_blocks_find(const struct race_blocks *b, const void *ptr)
{
	int i;

	for (i = 0; i < ARRAY_SIZE(b->p); i++) {
		if (b->p[i] == ptr)
			return i;
	}
	return -1;
}

static void race_test_reparent_ids(struct kunit *test)
{
	const int n = RACE_REPARENT_N;
	struct kheap *def = kheap_default();
	struct kheap *a = kt_heap(test), *b = kt_heap(test);
	struct race_blocks *blk = kunit_kzalloc(test, sizeof(*blk), GFP_KERNEL);
	struct race_list *l = kunit_kzalloc(test, sizeof(*l), GFP_KERNEL);
	int seen[RACE_REPARENT_ALL] = {};
	size_t def_count, i, dups = 0;
	unsigned long overruns;
	int k, got;
	u64 bm;

	KUNIT_ASSERT_NOT_NULL(test, blk);
	KUNIT_ASSERT_NOT_NULL(test, l);
	KUNIT_ASSERT_EQ(test, 0,
			kunit_add_action_or_reset(test, race_blocks_free, blk));
	def_count = kheap_count(def);
	/* Every heap's ids start at 1: a's and b's collide with each other. */
	for (k = 0; k < n; k++) {
		blk->p[k] = kheap_alloc(def, 8 + k, GFP_KERNEL);
		blk->p[n + k] = kheap_alloc(a, 8 + k, GFP_KERNEL);
		blk->p[2 * n + k] = kheap_alloc(b, 8 + k, GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, blk->p[k]);
		KUNIT_ASSERT_NOT_NULL(test, blk->p[n + k]);
		KUNIT_ASSERT_NOT_NULL(test, blk->p[2 * n + k]);
	}
	l->rep.ops = &race_list_ops;
	l->rep.priv = l;
	KUNIT_ASSERT_EQ(test, 0, kheap_set_reporter(def, &l->rep));
	KUNIT_ASSERT_EQ(test, 0,
			kunit_add_action_or_reset(test, kt_detach, def));

	bm = kheap_bookmark(def);
	/* Leak reports on the console; the blocks move to the default heap. */
	kunit_release_action(test, kt_heap_destroy, a);
	kunit_release_action(test, kt_heap_destroy, b);
	for (k = n; k < RACE_REPARENT_ALL; k++)
		KUNIT_EXPECT_PTR_EQ(test, kheap_of(blk->p[k]), def);
	KUNIT_EXPECT_EQ(test, kheap_count(def), def_count + 3 * n);

	/* They entered the default heap after the bookmark: listed from it. */
	race_list_reset(test, l, 4 * n);
	KUNIT_EXPECT_EQ(test, kheap_report(def, bm, U64_MAX), 2 * n);
	KUNIT_EXPECT_EQ(test, l->n, 2 * n);
	for (i = 0; i < l->n; i++) {
		k = race_blocks_find(blk, l->v[i].ptr);
		KUNIT_EXPECT_GE_MSG(test, k, n,
				    "block id %llu is not a's or b's",
				    l->v[i].id);
		KUNIT_EXPECT_GE(test, l->v[i].id, bm);
		if (k >= 0)
			seen[k]++;
	}
	for (k = n; k < RACE_REPARENT_ALL; k++)
		KUNIT_EXPECT_EQ_MSG(test, seen[k], 1, "block %d", k);

	/* Ids are unique in the default heap, and every block is listed. */
	race_list_reset(test, l, kheap_count(def) + 64);
	got = kheap_report(def, 0, U64_MAX);
	KUNIT_EXPECT_EQ(test, got, (int)l->n);
	KUNIT_EXPECT_EQ(test, l->dropped, 0);
	memset(seen, 0, sizeof(seen));
	for (i = 0; i < l->n; i++) {
		k = race_blocks_find(blk, l->v[i].ptr);
		if (k >= 0)
			seen[k]++;
	}
	for (k = 0; k < RACE_REPARENT_ALL; k++)
		KUNIT_EXPECT_EQ_MSG(test, seen[k], 1, "block %d", k);
	sort(l->v, l->n, sizeof(*l->v), race_info_cmp_id, NULL);
	for (i = 1; i < l->n; i++) {
		if (l->v[i].id == l->v[i - 1].id)
			dups++;
	}
	/* Duplicate ids among the blocks of the default heap. */
	KUNIT_EXPECT_EQ_MSG(test, dups, 0, "of %zu blocks", l->n);

	/* Re-parented blocks are freed like any other: no overrun said. */
	overruns = kheap_overruns(def);
	kunit_release_action(test, race_blocks_free, blk);
	KUNIT_EXPECT_EQ(test, kheap_count(def), def_count);
	KUNIT_EXPECT_EQ(test, kheap_overruns(def), overruns);
}

/* ---- kheap_bookmark() against concurrent allocations ---- */

/* At most; under TCG the deadlines end the tests first. */
#define RACE_BM_ROUNDS 100000000
#define RACE_BM_CPU_SECONDS 4
#define RACE_BM_IRQ_SECONDS 8
/* The allocating timer's period: as often as it can. */
#define RACE_BM_ALLOC_PERIOD_NS 1000
/* The holding timer's: time for bookmarks between two holds. */
#define RACE_BM_HOLD_PERIOD_NS NSEC_PER_MSEC
/* How long the holding timer holds its CPU, at most. */
#define RACE_BM_HOLD_NS (20 * NSEC_PER_MSEC)
/* Bookmarks checked even when no timer fired meanwhile: one in so many. */
#define RACE_BM_CHECK_EVERY 4096

/**
 * struct race_bm - shared state of the bookmark tests
 * @heap:	the heap
 * @rep:	its reporter: on_alloc gives each allocation's id
 * @timer:	the hard hrtimer on the bookmarking CPU
 * @period:	its period in ns
 * @bm:		the bookmarks published, by sequence number modulo 2
 * @seq:	sequence number of the latest bookmark published (released)
 * @ack:	the latest @seq that an allocation was checked against
 * @task_id:	id of the last allocation made in task context
 * @task_ptr:	and its block
 * @stop:	the test is over: threads and timer end
 * @deadline:	jiffies at which the threads stop (race_run() sets it)
 * @allocs:	allocations made by the allocating thread
 * @timer_events: timer expiries that allocated (or held the CPU)
 * @bookmarks:	bookmarks taken
 * @rounds:	allocations checked against a bookmark
 * @timer_checks: of which right after a bookmark the timer interrupted
 * @violations:	allocations with an id below a bookmark taken before them
 * @mismatches:	allocations whose on_alloc did not come
 * @alloc_fails: allocations that returned NULL
 * @first_id:	the first violation: its id
 * @first_bm:	and the bookmark it is below
 * @last_bm:	the bookmarking task's latest bookmark, once it returned
 *		(the timer on its CPU reads it: same CPU, program order)
 * @irq_id:	id of the last allocation made in hardirq context
 * @irq_ptr:	and its block
 * @irq_checks:	the timer's allocations checked against @last_bm
 * @irq_violations: of which with an id below it
 * @irq_mismatches: of which whose on_alloc did not come
 * @irq_first_id: the first of @irq_violations: its id
 * @irq_first_bm: and the bookmark it is below
 */
struct race_bm {
	struct kheap *heap;
	struct kheap_reporter rep;
	struct hrtimer timer;
	u64 period;
	u64 bm[2];
	unsigned long seq;
	unsigned long ack;
	u64 task_id;
	const void *task_ptr;
	bool stop;
	unsigned long deadline;
	unsigned long allocs, timer_events, bookmarks, rounds, timer_checks;
	unsigned long violations, mismatches, alloc_fails;
	u64 first_id, first_bm;
	u64 last_bm;
	u64 irq_id;
	const void *irq_ptr;
	unsigned long irq_checks, irq_violations, irq_mismatches;
	u64 irq_first_id, irq_first_bm;
};

/*
 * Each allocation's id, for the context that made it: the tests allocate in
 * task context on one thread only, and in hardirq on one CPU only.
 */
static void race_bm_on_alloc(void *priv, const struct kheap_alloc_info *info)
{
	struct race_bm *s = priv;

	if (in_hardirq()) {
		s->irq_id = info->id;
		s->irq_ptr = info->ptr;
		return;
	}
	s->task_id = info->id;
	s->task_ptr = info->ptr;
}

static const struct kheap_reporter_ops race_bm_ops = {
	.on_alloc = race_bm_on_alloc,
};

static struct race_bm *race_bm_setup(struct kunit *test)
{
	struct race_bm *s = kunit_kzalloc(test, sizeof(*s), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, s);
	s->heap = kt_heap(test);
	s->rep.ops = &race_bm_ops;
	s->rep.priv = s;
	KUNIT_ASSERT_EQ(test, 0, kheap_set_reporter(s->heap, &s->rep));
	KUNIT_ASSERT_EQ(test, 0,
			kunit_add_action_or_reset(test, kt_detach, s->heap));
	return s;
}

/* The timer on this CPU, every @period ns, until @s->stop. */
static void race_bm_timer_start(struct race_bm *s,
				enum hrtimer_restart (*fn)(struct hrtimer *),
				u64 period)
{
	s->period = period;
	hrtimer_init(&s->timer, CLOCK_MONOTONIC, HRTIMER_MODE_REL_PINNED_HARD);
	s->timer.function = fn;
	hrtimer_start(&s->timer, ns_to_ktime(period),
		      HRTIMER_MODE_REL_PINNED_HARD);
}

static enum hrtimer_restart race_bm_timer_next(struct race_bm *s)
{
	if (READ_ONCE(s->stop))
		return HRTIMER_NORESTART;
	hrtimer_forward_now(&s->timer, ns_to_ktime(s->period));
	return HRTIMER_RESTART;
}

/**
 * race_bm_alloc_check() - allocate, check the id against a bookmark, free
 * @s:	the test
 * @bm:	a bookmark whose kheap_bookmark() returned before this call
 *
 * The promise: an allocation that starts after kheap_bookmark() returned
 * gets an id at or above the bookmark.
 */
static void race_bm_alloc_check(struct race_bm *s, u64 bm)
{
	void *p = kheap_alloc(s->heap, 16, GFP_KERNEL);

	s->rounds++;
	if (!p) {
		s->alloc_fails++;
		return;
	}
	if (s->task_ptr != p) {
		s->mismatches++;
	} else if (s->task_id < bm && !s->violations++) {
		s->first_id = s->task_id;
		s->first_bm = bm;
	}
	kheap_free(p);
}

static void race_bm_report(struct kunit *test, struct race_bm *s)
{
	kunit_info(test, "%lu bookmarks, %lu allocations checked\n",
		   s->bookmarks, s->rounds);
	kunit_info(test, "%lu timer events, %lu checks right after one\n",
		   s->timer_events, s->timer_checks);
	kunit_info(test, "%lu ids below their bookmark\n", s->violations);
	KUNIT_EXPECT_GT(test, s->rounds, 0);
	KUNIT_EXPECT_EQ(test, s->alloc_fails, 0);
	KUNIT_EXPECT_EQ(test, s->mismatches, 0);
	KUNIT_EXPECT_EQ_MSG(test, s->violations, 0,
			    "the first: id %llu after bookmark %llu",
			    s->first_id, s->first_bm);
	KUNIT_EXPECT_EQ(test, s->irq_mismatches, 0);
	KUNIT_EXPECT_EQ_MSG(test, s->irq_violations, 0,
			    "hardirq: the first: id %llu after bookmark %llu",
			    s->irq_first_id, s->irq_first_bm);
	/* Else the timer side of the test did not run. */
	KUNIT_EXPECT_GT(test, s->timer_events, 0);
	KUNIT_EXPECT_EQ(test, kheap_count(s->heap), 0);
}

/*
 * On the bookmarking CPU, wherever it is (inside kheap_bookmark() at
 * times): hold it until the other CPU has made a whole allocation, which
 * then started after this interrupt, or for RACE_BM_HOLD_NS. A bookmark
 * may be delayed at any point, by an interrupt or a hypervisor; under TCG
 * the delays that matter are rare, so this timer makes them.
 */
static enum hrtimer_restart race_bm_hold_fn(struct hrtimer *t)
{
	struct race_bm *s = container_of(t, struct race_bm, timer);
	unsigned long allocs = READ_ONCE(s->allocs);
	u64 end = ktime_get_ns() + RACE_BM_HOLD_NS;

	while (READ_ONCE(s->allocs) - allocs < 2 && !READ_ONCE(s->stop) &&
	       ktime_get_ns() < end)
		cpu_relax();
	/* The bookmarking thread reads it around each bookmark. */
	WRITE_ONCE(s->timer_events, s->timer_events + 1);
	return race_bm_timer_next(s);
}

/* Side 0 waits for side 1 to check an allocation against bookmark @seq. */
static bool race_bm_wait_ack(struct race_bm *s, unsigned long seq)
{
	unsigned int spins = 0;

	/* Pairs with the smp_store_release() of the ack in side 1. */
	while (smp_load_acquire(&s->ack) != seq) {
		cpu_relax();
		if (++spins % 1024)
			continue;
		if (READ_ONCE(s->stop) || time_after(jiffies, s->deadline))
			return false;
		cond_resched();
	}
	return true;
}

/*
 * Side 0: bookmark in a loop. A bookmark that the timer interrupted, and
 * one in RACE_BM_CHECK_EVERY, is published; then no other is taken until side 1 has
 * checked an allocation against it, so that no later bookmark retires the
 * id range side 1 may have taken meanwhile.
 */
static void race_bm_bookmarker(struct race_bm *s)
{
	unsigned long seq = 0, events;
	u64 bm;

	race_bm_timer_start(s, race_bm_hold_fn, RACE_BM_HOLD_PERIOD_NS);
	while (!READ_ONCE(s->stop) && time_before(jiffies, s->deadline)) {
		events = READ_ONCE(s->timer_events);
		bm = kheap_bookmark(s->heap);
		if (!(++s->bookmarks % 256))
			cond_resched();
		if (READ_ONCE(s->timer_events) != events)
			s->timer_checks++;
		else if (s->bookmarks % RACE_BM_CHECK_EVERY)
			continue;
		s->bm[++seq % 2] = bm;
		/* Pairs with the smp_load_acquire() of side 1. */
		smp_store_release(&s->seq, seq);
		if (!race_bm_wait_ack(s, seq))
			break;
	}
	WRITE_ONCE(s->stop, true);
	hrtimer_cancel(&s->timer);
}

/* Side 1: allocate without pause, each checked against the last bookmark. */
static void race_bm_allocator(struct race_bm *s)
{
	unsigned long seq;

	while (!READ_ONCE(s->stop) && time_before(jiffies, s->deadline)) {
		/*
		 * Pairs with side 0's smp_store_release(): the kheap_bookmark()
		 * of @seq returned before the allocation below starts. Side 0
		 * writes the other slot only after the ack of @seq.
		 */
		seq = smp_load_acquire(&s->seq);
		race_bm_alloc_check(s, seq ? s->bm[seq % 2] : 0);
		/* The timer on side 0's CPU waits for it. */
		WRITE_ONCE(s->allocs, s->allocs + 1);
		/* Pairs with the smp_load_acquire() in race_bm_wait_ack(). */
		smp_store_release(&s->ack, seq);
		if (!(s->rounds % 256))
			cond_resched();
	}
	WRITE_ONCE(s->stop, true);
}

static int race_bm_cpu_fn(void *arg)
{
	struct race_thread *th = arg;

	if (th->idx == 0)
		race_bm_bookmarker(th->s);
	else
		race_bm_allocator(th->s);
	kthread_complete_and_exit(&th->done, 0);
}

static void race_test_bookmark_other_cpu(struct kunit *test)
{
	struct race_thread th[2] = {};
	struct race_bm *s;

	race_two_cpus(test, th);
	s = race_bm_setup(test);
	th[0].s = s;
	th[1].s = s;
	KUNIT_ASSERT_EQ(test, 0,
			race_run(race_bm_cpu_fn, th, 2, "kheap_bm",
				 &s->deadline, RACE_BM_CPU_SECONDS * HZ));
	race_bm_report(test, s);
}

/*
 * On the bookmarking CPU: a block allocated and freed in hardirq context,
 * its id checked against the task's latest bookmark that returned (a range
 * this context's shard took in the middle of a bookmark, before its
 * generation bump, must not be handed out after it).
 */
static enum hrtimer_restart race_bm_alloc_fn(struct hrtimer *t)
{
	struct race_bm *s = container_of(t, struct race_bm, timer);
	/* Set by the task this interrupts: program order, no barrier. */
	u64 bm = READ_ONCE(s->last_bm);
	void *p = kheap_alloc(s->heap, 32, GFP_ATOMIC | __GFP_NOWARN);

	if (p) {
		s->irq_checks++;
		if (s->irq_ptr != p) {
			s->irq_mismatches++;
		} else if (s->irq_id < bm && !s->irq_violations++) {
			s->irq_first_id = s->irq_id;
			s->irq_first_bm = bm;
		}
		/* The task reads it around each bookmark. */
		WRITE_ONCE(s->timer_events, s->timer_events + 1);
		kheap_free(p);
	}
	return race_bm_timer_next(s);
}

/*
 * Bookmark in a loop, with the timer allocating on this CPU. An allocation
 * checks the bookmark whenever the timer allocated while it was taken (the
 * case that matters: an id range taken in the middle of the bookmark), and
 * one in RACE_BM_CHECK_EVERY anyway.
 */
static int race_bm_irq_fn(void *arg)
{
	struct race_thread *th = arg;
	struct race_bm *s = th->s;
	unsigned long events;
	u64 bm;

	race_bm_timer_start(s, race_bm_alloc_fn, RACE_BM_ALLOC_PERIOD_NS);
	while (s->bookmarks < RACE_BM_ROUNDS &&
	       time_before(jiffies, s->deadline)) {
		events = READ_ONCE(s->timer_events);
		bm = kheap_bookmark(s->heap);
		/* For the timer's allocations from now on. */
		WRITE_ONCE(s->last_bm, bm);
		if (READ_ONCE(s->timer_events) != events) {
			s->timer_checks++;
			race_bm_alloc_check(s, bm);
		} else if (!(s->bookmarks % RACE_BM_CHECK_EVERY)) {
			race_bm_alloc_check(s, bm);
		}
		if (!(++s->bookmarks % 256))
			cond_resched();
	}
	WRITE_ONCE(s->stop, true);
	hrtimer_cancel(&s->timer);
	kthread_complete_and_exit(&th->done, 0);
}

static void race_bm_unpause(void *unused)
{
	kheap_test_bookmark_pause(false);
}

static void race_test_bookmark_hardirq(struct kunit *test)
{
	struct race_thread th = {};
	struct race_bm *s;

	/*
	 * A hard hrtimer expires in hardirq context even on PREEMPT_RT, where
	 * kmalloc(), and so kheap_alloc(), may not be called there.
	 */
	if (IS_ENABLED(CONFIG_PREEMPT_RT))
		kunit_skip(test,
			   "PREEMPT_RT: no kheap_alloc() in hardirq context");
	s = race_bm_setup(test);
	th.cpu = cpumask_first(cpu_online_mask);
	th.s = s;
	/*
	 * The timer's allocation must land between the bookmark's two steps:
	 * a window of a few instructions, which under TCG a 1 us timer hit a
	 * few times in 10^6 bookmarks. Each bookmark pauses there, up to 2 us.
	 */
	kheap_test_bookmark_pause(true);
	KUNIT_ASSERT_EQ(test, 0,
			kunit_add_action_or_reset(test, race_bm_unpause, NULL));
	KUNIT_ASSERT_EQ(test, 0,
			race_run(race_bm_irq_fn, &th, 1, "kheap_bm",
				 &s->deadline, RACE_BM_IRQ_SECONDS * HZ));
	race_bm_report(test, s);
	kunit_info(test, "%lu timer allocations checked\n", s->irq_checks);
	KUNIT_EXPECT_GT(test, s->irq_checks, 0);
}

/* ---- requests larger than kmalloc() serves ---- */

/* 2 MiB with the header: 4 MiB of pages, the largest kmalloc() serves. */
static void race_test_huge_fits(struct kunit *test)
{
	const size_t size = KMALLOC_MAX_SIZE / 2;
	struct kheap *heap = kt_heap(test);
	/* Whether 4 MiB of free contiguous pages exist is not kheap's doing. */
	u8 *p = kheap_alloc(heap, size, GFP_KERNEL | __GFP_NOWARN);

	if (!p) {
		kunit_info(test, "no %zu contiguous bytes free\n", size);
		KUNIT_EXPECT_EQ(test, kheap_count(heap), 0);
		return;
	}
	p[0] = 1;
	p[size - 1] = 2;
	KUNIT_EXPECT_EQ(test, kheap_size(p), size);
	KUNIT_EXPECT_EQ(test, kheap_count(heap), 1);
	KUNIT_EXPECT_EQ(test, kheap_bytes(heap), size);
	kheap_free(p);
	KUNIT_EXPECT_EQ(test, kheap_overruns(heap), 0);
	KUNIT_EXPECT_EQ(test, kheap_count(heap), 0);
}

/**
 * struct race_huge - a request that cannot fit in one kmalloc()
 * @desc:	what it is
 * @n:		elements, for kheap_alloc_array(); 0 for a single block
 * @size:	bytes (of an element)
 * @align:	for kheap_alloc_aligned(); 0 for kmalloc()'s alignment
 */
struct race_huge {
	const char *desc;
	size_t n;
	size_t size;
	size_t align;
};

static const struct race_huge race_huge_cases[] = {
	{ "KMALLOC_MAX_SIZE - 1", 0, KMALLOC_MAX_SIZE - 1, 0 },
	{ "KMALLOC_MAX_SIZE", 0, KMALLOC_MAX_SIZE, 0 },
	{ "KMALLOC_MAX_SIZE + 1", 0, KMALLOC_MAX_SIZE + 1, 0 },
	{ "INT_MAX", 0, INT_MAX, 0 },
	{ "SIZE_MAX / 2", 0, SIZE_MAX / 2, 0 },
	{ "aligned KMALLOC_MAX_SIZE - 64, PAGE_SIZE", 0, KMALLOC_MAX_SIZE - 64,
	  PAGE_SIZE },
	{ "array 2 x KMALLOC_MAX_SIZE / 2", 2, KMALLOC_MAX_SIZE / 2, 0 },
};

static void race_huge_desc(const struct race_huge *c, char *desc)
{
	strscpy(desc, c->desc, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(race_huge, race_huge_cases, race_huge_desc);

/*
 * With the header and the canary, none of these fits in KMALLOC_MAX_SIZE:
 * NULL, and no WARN (no __GFP_NOWARN here, and the harness panics on a
 * WARN).
 */
static void race_test_huge_refused(struct kunit *test)
{
	const struct race_huge *c = test->param_value;
	struct kheap *heap = kt_heap(test);
	void *p;

	if (c->align)
		p = kheap_alloc_aligned(heap, c->size, c->align, GFP_KERNEL);
	else if (c->n)
		p = kheap_alloc_array(heap, c->n, c->size, GFP_KERNEL);
	else
		p = kheap_alloc(heap, c->size, GFP_KERNEL);
	KUNIT_EXPECT_NULL(test, p);
	KUNIT_EXPECT_EQ(test, kheap_count(heap), 0);
	KUNIT_EXPECT_EQ(test, kheap_bytes(heap), 0);
	kheap_free(p);
}

/* ---- a reader of live blocks while their CPU allocates and frees ---- */

#define RACE_RD_SLOTS 64
#define RACE_RD_HAND 16
#define RACE_RD_RUN (4 * HZ)

/**
 * struct race_rd - a reader against an owner
 * @heap:	the heap
 * @deadline:	when the sides stop
 * @slot:	side 0's blocks
 * @hand:	blocks side 0 hands to side 1, which frees them on its CPU
 * @list:	what side 1's last kheap_report() listed
 * @reports:	reports side 1 made
 * @listed:	blocks they listed
 * @bad:	listed blocks not of @heap, of a size side 0 never asks, or
 *		listed twice in one report
 * @dropped:	blocks a report listed past @list's room (it has room for
 *		what a report can list: the count at its start and 16)
 * @remote:	blocks side 1 freed
 * @ops:	allocations and frees side 0 made
 * @fails:	allocations that returned NULL
 */
struct race_rd {
	struct kheap *heap;
	unsigned long deadline;
	void *slot[RACE_RD_SLOTS];
	void *hand[RACE_RD_HAND];
	struct race_list list;
	unsigned long reports, listed, bad, dropped, remote, ops, fails;
};

/* The sizes side 0 asks: 24 to 80 bytes, by eight. */
static size_t race_rd_size(unsigned long i)
{
	return 24 + (i % 8) * 8;
}

/* Side 0, the owner: allocate and free on its CPU, hand some blocks over. */
static void race_rd_owner(struct race_rd *s)
{
	unsigned long i;
	unsigned int j;
	void *p;

	for (i = 0; time_before(jiffies, s->deadline); i++) {
		j = i % RACE_RD_SLOTS;
		p = s->slot[j];
		s->slot[j] = NULL;
		/* Every fifth block goes to side 1 if a hand slot is free. */
		if (p && !(i % 5) &&
		    !cmpxchg(&s->hand[i % RACE_RD_HAND], NULL, p))
			p = NULL;
		kheap_free(p);
		s->slot[j] = kheap_alloc(s->heap, race_rd_size(i), GFP_KERNEL);
		s->fails += !s->slot[j];
		s->ops++;
		if (!(i % 256))
			cond_resched();
	}
	for (j = 0; j < RACE_RD_SLOTS; j++) {
		kheap_free(s->slot[j]);
		s->slot[j] = NULL;
	}
}

/* Check one report: @heap's blocks, sizes side 0 asks, no id twice. */
static void race_rd_check(struct race_rd *s)
{
	struct race_list *l = &s->list;
	size_t i;

	s->reports++;
	s->listed += l->n;
	s->dropped += l->dropped;
	sort(l->v, l->n, sizeof(l->v[0]), race_info_cmp_id, NULL);
	for (i = 0; i < l->n; i++) {
		const struct kheap_alloc_info *v = &l->v[i];

		if (v->heap != s->heap || v->size < 24 || v->size > 80 ||
		    v->size % 8 || (i && v->id == l->v[i - 1].id))
			s->bad++;
	}
}

/* Side 1, the reader: list the heap, free what side 0 handed over. */
static void race_rd_reader(struct race_rd *s)
{
	unsigned int j;

	while (time_before(jiffies, s->deadline)) {
		s->list.n = 0;
		s->list.dropped = 0;
		if (kheap_report(s->heap, 0, U64_MAX) >= 0)
			race_rd_check(s);
		for (j = 0; j < RACE_RD_HAND; j++) {
			void *p = xchg(&s->hand[j], NULL);

			if (p) {
				kheap_free(p);
				s->remote++;
			}
		}
		cond_resched();
	}
}

static int race_rd_fn(void *arg)
{
	struct race_thread *th = arg;
	struct race_rd *s = th->s;

	if (th->idx)
		race_rd_reader(s);
	else
		race_rd_owner(s);
	kthread_complete_and_exit(&th->done, 0);
}

/*
 * The promise: a reader of a heap's live blocks (kheap_report(), debugfs
 * live) on one CPU, while another CPU allocates and frees in that heap
 * and a third party frees some of its blocks, sees only blocks of the
 * heap, each once, with their true sizes; nothing is corrupted (a
 * corrupted list is a BUG on the debug kernel, DEBUG_LIST) and the counts
 * end exact. Readers walk the lists without their locks (kmod/walk.c);
 * one that falls back to a list's lock first switches the owners from
 * plain stores to atomic locking: both, under a load (kheap_walk has the
 * walks' own cases).
 */
static void race_test_reader_during_owner(struct kunit *test)
{
	unsigned long bad = kheap_invalid_frees();
	struct race_thread th[2];
	struct race_rd *s;
	unsigned int j;

	race_two_cpus(test, th);
	s = kunit_kzalloc(test, sizeof(*s), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, s);
	s->heap = kt_heap(test);
	race_list_reset(test, &s->list, 2 * (RACE_RD_SLOTS + RACE_RD_HAND));
	s->list.rep.ops = &race_list_ops;
	s->list.rep.priv = &s->list;
	KUNIT_ASSERT_EQ(test, 0, kheap_set_reporter(s->heap, &s->list.rep));
	KUNIT_ASSERT_EQ(test, 0,
			kunit_add_action_or_reset(test, kt_detach, s->heap));
	th[0].s = s;
	th[1].s = s;
	KUNIT_ASSERT_EQ(test, 0,
			race_run(race_rd_fn, th, 2, "race_rd", &s->deadline,
				 RACE_RD_RUN));
	for (j = 0; j < RACE_RD_HAND; j++)
		kheap_free(xchg(&s->hand[j], NULL));
	kunit_info(test,
		   "%lu reports of %lu blocks, %lu ops, %lu remote frees\n",
		   s->reports, s->listed, s->ops, s->remote);
	KUNIT_EXPECT_GT(test, s->reports, 0);
	KUNIT_EXPECT_GT(test, s->listed, 0);
	KUNIT_EXPECT_GT(test, s->remote, 0);
	KUNIT_EXPECT_EQ(test, s->fails, 0);
	KUNIT_EXPECT_EQ(test, s->bad, 0);
	KUNIT_EXPECT_EQ(test, s->dropped, 0);
	KUNIT_EXPECT_EQ(test, kheap_count(s->heap), 0);
	KUNIT_EXPECT_EQ(test, kheap_bytes(s->heap), 0);
	KUNIT_EXPECT_EQ(test, kheap_invalid_frees(), bad);
}

/* ---- two CPUs free one block at the same moment ---- */

#define RACE_FREE_ROUNDS 20000
#define RACE_FREE_SECONDS 8
/* A partner that has not come by then never will: give up. */
#define RACE_FREE_GIVE_UP_SECONDS 60

/**
 * struct race_free - shared state of the double-free test
 * @heap:	the heap
 * @ptr:	the block both sides free this round
 * @arrived:	sides at the barrier
 * @sense:	flips each time the barrier opens
 * @sides:	each side's own sense
 * @stop:	set by side 0 before the first barrier of a round: no more
 * @abort:	a side gave up waiting at a barrier
 * @deadline:	jiffies after which side 0 starts no new round (race_run()
 *		sets it); RACE_FREE_GIVE_UP_SECONDS after it a side stops
 *		waiting for the other
 * @size:	the size of this round's block
 * @rounds:	rounds checked
 * @bad_rounds:	rounds after which the counters were wrong
 * @alloc_fails: allocations that returned NULL
 * @first_bad:	the first bad round
 * @bad_invalid: its growth of kheap_invalid_frees()
 * @bad_count:	its heap's count
 * @bad_bytes:	and bytes
 */
struct race_free {
	struct kheap *heap;
	void *ptr;
	atomic_t arrived;
	int sense;
	int sides[2];
	bool stop;
	bool abort;
	unsigned long deadline;
	size_t size;
	unsigned int rounds, bad_rounds, alloc_fails, first_bad;
	unsigned long bad_invalid;
	size_t bad_count, bad_bytes;
};

/**
 * race_barrier() - wait for the other side, then both go on at once
 * @s:		the test
 * @side:	0 or 1
 *
 * A sense-reversing spin barrier: the second side to arrive opens it, the
 * first spins on the sense. What a side wrote before it is seen by the
 * other after it (atomic_inc_return() is fully ordered; the sense is
 * released and acquired).
 *
 * Return: true when both arrived; false when this side gave up waiting.
 */
static bool race_barrier(struct race_free *s, int side)
{
	int sense = !s->sides[side];
	unsigned int spins = 0;

	s->sides[side] = sense;
	if (atomic_inc_return(&s->arrived) == 2) {
		atomic_set(&s->arrived, 0);
		/* Opens it; pairs with the acquire below, on the other side. */
		smp_store_release(&s->sense, sense);
		return true;
	}
	/* Pairs with the release above: the reset and the other's writes. */
	while (smp_load_acquire(&s->sense) != sense) {
		cpu_relax();
		if (++spins % 1024)
			continue;
		if (READ_ONCE(s->abort) ||
		    time_after(jiffies,
			       s->deadline + RACE_FREE_GIVE_UP_SECONDS * HZ)) {
			WRITE_ONCE(s->abort, true);
			return false;
		}
		cond_resched();
	}
	return true;
}

/*
 * Side 0, between rounds (both frees of the last one returned): the next
 * block, or the end.
 */
static void race_free_next(struct race_free *s, unsigned long *invalid)
{
	if (s->rounds == RACE_FREE_ROUNDS || s->bad_rounds ||
	    time_after(jiffies, s->deadline)) {
		s->stop = true;
		return;
	}
	s->size = 1 + s->rounds % 200;
	s->ptr = kheap_alloc(s->heap, s->size, GFP_KERNEL);
	if (!s->ptr) {
		s->alloc_fails++;
		s->stop = true;
		return;
	}
	*invalid = kheap_invalid_frees();
}

/* Side 0, after both frees returned: one was taken, one refused. */
static void race_free_check(struct race_free *s, unsigned long invalid)
{
	unsigned long grew = kheap_invalid_frees() - invalid;
	size_t count = kheap_count(s->heap), bytes = kheap_bytes(s->heap);

	if (grew != 1 || count || bytes) {
		if (!s->bad_rounds++) {
			s->first_bad = s->rounds;
			s->bad_invalid = grew;
			s->bad_count = count;
			s->bad_bytes = bytes;
		}
	}
	s->rounds++;
}

static int race_free_fn(void *arg)
{
	struct race_thread *th = arg;
	struct race_free *s = th->s;
	unsigned long invalid = 0;
	unsigned int rounds = 0;
	int side = th->idx;

	for (;;) {
		if (side == 0)
			race_free_next(s, &invalid);
		/* The block (or the stop) is published. */
		if (!race_barrier(s, side) || s->stop)
			break;
		kheap_free(s->ptr);
		/* Both frees returned. */
		if (!race_barrier(s, side))
			break;
		if (side == 0)
			race_free_check(s, invalid);
		if (!(++rounds % 64))
			cond_resched();
	}
	kthread_complete_and_exit(&th->done, 0);
}

static void race_test_double_free_two_cpus(struct kunit *test)
{
	struct race_free *s = kunit_kzalloc(test, sizeof(*s), GFP_KERNEL);
	struct race_thread th[2] = {};

	KUNIT_ASSERT_NOT_NULL(test, s);
	race_two_cpus(test, th);
	s->heap = kt_heap(test);
	th[0].s = s;
	th[1].s = s;
	KUNIT_ASSERT_EQ(test, 0,
			race_run(race_free_fn, th, 2, "kheap_df", &s->deadline,
				 RACE_FREE_SECONDS * HZ));
	/* Only if a side gave up: the round's block may be live still. */
	if (kheap_count(s->heap))
		kheap_free(s->ptr);

	kunit_info(test, "%u rounds of two simultaneous frees on CPUs %u, %u\n",
		   s->rounds, th[0].cpu, th[1].cpu);
	KUNIT_EXPECT_FALSE(test, s->abort);
	KUNIT_EXPECT_GT(test, s->rounds, 0);
	KUNIT_EXPECT_EQ(test, s->alloc_fails, 0);
	/* After each round: invalid frees +1, count 0, bytes 0. */
	KUNIT_EXPECT_EQ_MSG(test, s->bad_rounds, 0,
			    "round %u: invalid +%lu, count %zu, bytes %zu",
			    s->first_bad, s->bad_invalid, s->bad_count,
			    s->bad_bytes);
	KUNIT_EXPECT_EQ(test, kheap_count(s->heap), 0);
	KUNIT_EXPECT_EQ(test, kheap_bytes(s->heap), 0);
}

/* ---- the peak, with frees from the other CPU and a same-CPU interrupt ---- */

#define RACE_PK_SLOTS 64
#define RACE_PK_EXTRA 256
#define RACE_PK_SIZE 64
#define RACE_PK_STEPS 256
#define RACE_PK_SECONDS 4
#define RACE_PK_TIMER_NS (20 * NSEC_PER_USEC)

/**
 * struct race_pk - shared state of the peak test
 * @heap:	the heap
 * @deadline:	jiffies after which side 0 starts no new round
 * @slot:	blocks either side (or the timer) allocated, freed by whoever
 *		takes them next: often the other CPU
 * @extra:	side 0's blocks that raise the bytes past the peak
 * @phase:	odd: both sides play; even: side 1 and the timer rest
 * @parked:	the last even phase side 1 rests in
 * @timer:	a hard hrtimer on side 0's CPU that plays too
 * @rounds:	rounds checked
 * @missed:	rounds whose new high was not the peak
 * @first_peak:	the first such round's peak
 * @first_bytes: and its bytes
 * @fails:	allocations that returned NULL
 * @timer_steps: the timer's steps
 */
struct race_pk {
	struct kheap *heap;
	unsigned long deadline;
	void *slot[RACE_PK_SLOTS];
	void *extra[RACE_PK_EXTRA];
	atomic_t phase;
	atomic_t parked;
	struct hrtimer timer;
	atomic_long_t fails;
	unsigned long rounds, missed, timer_steps;
	size_t first_peak, first_bytes;
};

/* Take slot @i's block and free it, or fill the slot: any context. */
static void race_pk_step(struct race_pk *s, unsigned long i, gfp_t gfp)
{
	void *p = xchg(&s->slot[i % RACE_PK_SLOTS], NULL);

	if (p) {
		kheap_free(p);
		return;
	}
	p = kheap_alloc(s->heap, RACE_PK_SIZE, gfp | __GFP_NOWARN);
	if (!p) {
		atomic_long_inc(&s->fails);
		return;
	}
	kheap_free(xchg(&s->slot[i % RACE_PK_SLOTS], p));
}

static enum hrtimer_restart race_pk_timer_fn(struct hrtimer *t)
{
	struct race_pk *s = container_of(t, struct race_pk, timer);

	/* Side 0 sets the phase on this CPU: program order. */
	if (atomic_read(&s->phase) & 1) {
		race_pk_step(s, s->timer_steps * 7, GFP_ATOMIC);
		s->timer_steps++;
	}
	hrtimer_forward_now(t, ns_to_ktime(RACE_PK_TIMER_NS));
	return HRTIMER_RESTART;
}

/*
 * Side 0, everything quiet: allocate until the bytes pass the peak seen
 * so far, check that the peak followed, free those blocks again.
 */
static void race_pk_check(struct race_pk *s)
{
	size_t peak = kheap_peak_bytes(s->heap), bytes;
	unsigned int n = 0;

	while (kheap_bytes(s->heap) <= peak && n < RACE_PK_EXTRA) {
		s->extra[n] = kheap_alloc(s->heap, RACE_PK_SIZE, GFP_KERNEL);
		if (!s->extra[n]) {
			atomic_long_inc(&s->fails);
			break;
		}
		n++;
	}
	bytes = kheap_bytes(s->heap);
	if (kheap_peak_bytes(s->heap) < bytes && !s->missed++) {
		s->first_peak = kheap_peak_bytes(s->heap);
		s->first_bytes = bytes;
	}
	while (n--)
		kheap_free(s->extra[n]);
	s->rounds++;
}

/* Side 1 rests in even phases until side 0 moves on; false: the end. */
static bool race_pk_rest(struct race_pk *s)
{
	int phase = atomic_read(&s->phase);

	if (phase < 0)
		return false;
	if (phase & 1)
		return true;
	atomic_set_release(&s->parked, phase);
	while (atomic_read_acquire(&s->phase) == phase)
		cond_resched();
	return atomic_read(&s->phase) >= 0;
}

static int race_pk_fn(void *arg)
{
	struct race_thread *th = arg;
	struct race_pk *s = th->s;
	unsigned long i = 0;
	int phase = 0;

	if (th->idx) {
		while (race_pk_rest(s)) {
			race_pk_step(s, i++ * 13, GFP_KERNEL);
			if (!(i % 64))
				cond_resched();
		}
	} else {
		if (!IS_ENABLED(CONFIG_PREEMPT_RT))
			hrtimer_start(&s->timer, ns_to_ktime(RACE_PK_TIMER_NS),
				      HRTIMER_MODE_REL_PINNED_HARD);
		while (time_before(jiffies, s->deadline)) {
			/* Play: both CPUs and the timer. */
			atomic_set_release(&s->phase, ++phase);
			for (i = 0; i < RACE_PK_STEPS; i++) {
				race_pk_step(s, i * 5, GFP_KERNEL);
				if (!(i % 64))
					cond_resched();
			}
			/* Quiet: side 1 parked, the timer idle. */
			atomic_set_release(&s->phase, ++phase);
			while (atomic_read_acquire(&s->parked) != phase)
				cond_resched();
			race_pk_check(s);
		}
		hrtimer_cancel(&s->timer);
		atomic_set_release(&s->phase, -1);
	}
	kthread_complete_and_exit(&th->done, 0);
}

/*
 * The promise: the peak is the high-water mark of the heap's bytes. Two
 * CPUs and a hard hrtimer on the first allocate and free blocks that the
 * other CPU often frees (queued frees, folds, the peak's bound lowered
 * after sums that found no new peak); at quiet points the first CPU
 * allocates past the peak so far, and the peak must follow. A bound
 * lowered below the bytes would let that allocation skip its sum.
 */
static void race_test_peak_two_cpus(struct kunit *test)
{
	unsigned long bad = kheap_invalid_frees(), queued;
	struct race_thread th[2] = {};
	struct race_pk *s;
	unsigned int j;

	race_two_cpus(test, th);
	s = kunit_kzalloc(test, sizeof(*s), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, s);
	s->heap = kt_heap(test);
	hrtimer_init(&s->timer, CLOCK_MONOTONIC, HRTIMER_MODE_REL_PINNED_HARD);
	s->timer.function = race_pk_timer_fn;
	th[0].s = s;
	th[1].s = s;
	queued = kheap_test_deferred(false);
	KUNIT_ASSERT_EQ(test, 0,
			race_run(race_pk_fn, th, 2, "kheap_pk", &s->deadline,
				 RACE_PK_SECONDS * HZ));
	queued = kheap_test_deferred(false) - queued;
	for (j = 0; j < RACE_PK_SLOTS; j++)
		kheap_free(xchg(&s->slot[j], NULL));
	kunit_info(test, "%lu rounds, %lu remote frees, %lu timer steps\n",
		   s->rounds, queued, s->timer_steps);
	KUNIT_EXPECT_GT(test, s->rounds, 0);
	KUNIT_EXPECT_GT(test, queued, 0);
	KUNIT_EXPECT_EQ(test, atomic_long_read(&s->fails), 0);
	KUNIT_EXPECT_EQ_MSG(test, s->missed, 0,
			    "first miss: peak %zu below bytes %zu",
			    s->first_peak, s->first_bytes);
	KUNIT_EXPECT_EQ(test, kheap_count(s->heap), 0);
	KUNIT_EXPECT_EQ(test, kheap_invalid_frees(), bad);
}

/* ---- a shard whose owner went idle does not make every allocation sum ---- */

#define RACE_IDLE_BLOCKS 8
#define RACE_IDLE_ROUNDS 2000
#define RACE_IDLE_FLUSH_AT 50

/**
 * struct race_idle - shared state of the idle-shard test
 * @heap:	the heap
 * @deadline:	unused (race_run() sets it)
 * @side1_done:	side 1 allocated and freed its blocks
 * @sums:	peak sums during side 0's rounds
 * @fails:	allocations that returned NULL
 */
struct race_idle {
	struct kheap *heap;
	unsigned long deadline;
	atomic_t side1_done;
	unsigned long sums, fails;
};

static int race_idle_fn(void *arg)
{
	struct race_thread *th = arg;
	struct race_idle *s = th->s;
	void *p[RACE_IDLE_BLOCKS];
	unsigned long sums;
	unsigned int i;

	if (th->idx) {
		/* Side 1: a high of 8 blocks on its shard, then idle. */
		for (i = 0; i < RACE_IDLE_BLOCKS; i++) {
			p[i] = kheap_alloc(s->heap, 64, GFP_KERNEL);
			s->fails += !p[i];
		}
		for (i = 0; i < RACE_IDLE_BLOCKS; i++)
			kheap_free(p[i]);
		atomic_set_release(&s->side1_done, 1);
		kthread_complete_and_exit(&th->done, 0);
	}
	while (!atomic_read_acquire(&s->side1_done))
		cond_resched();
	sums = kheap_test_peak_sums();
	for (i = 0; i < RACE_IDLE_ROUNDS; i++) {
		p[0] = kheap_alloc(s->heap, 64, GFP_KERNEL);
		s->fails += !p[0];
		kheap_free(p[0]);
		/* The rebase a wasted sum queued has run by then. */
		if (i == RACE_IDLE_FLUSH_AT)
			kheap_test_hw_rebase_flush(s->heap);
		if (!(i % 64))
			cond_resched();
	}
	s->sums = kheap_test_peak_sums() - sums;
	kthread_complete_and_exit(&th->done, 0);
}

/*
 * The promise: the peak's bound keeps the common allocation from summing
 * every CPU's shards. A CPU reaches a high of 8 blocks and goes idle; then
 * another allocates and frees one block at a time: the bound (their marks'
 * sum) stays above the peak, as only a shard's owner lowers its own mark,
 * until a rebase (queued by the first sums that found no new peak) lowers
 * the idle shard's mark as a locker. From then on the allocations skip the
 * sum. The peak stays the 8 blocks' high.
 */
static void race_test_peak_idle_shard(struct kunit *test)
{
	struct race_thread th[2] = {};
	struct race_idle *s;

	race_two_cpus(test, th);
	s = kunit_kzalloc(test, sizeof(*s), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, s);
	s->heap = kt_heap(test);
	th[0].s = s;
	th[1].s = s;
	KUNIT_ASSERT_EQ(test, 0,
			race_run(race_idle_fn, th, 2, "kheap_idle",
				 &s->deadline, HZ));
	kunit_info(test, "%lu peak sums in %u allocations\n", s->sums,
		   RACE_IDLE_ROUNDS);
	KUNIT_EXPECT_EQ(test, s->fails, 0);
	KUNIT_EXPECT_LE(test, s->sums, RACE_IDLE_ROUNDS / 10);
	KUNIT_EXPECT_EQ(test, kheap_peak_bytes(s->heap), RACE_IDLE_BLOCKS * 64);
	KUNIT_EXPECT_EQ(test, kheap_count(s->heap), 0);
}

static struct kunit_case kheap_track_race_cases[] = {
	KUNIT_CASE(race_test_lookup_is_pure),
	KUNIT_CASE(race_test_forged_header),
	KUNIT_CASE(race_test_caller_never_raw),
	KUNIT_CASE(race_test_reparent_ids),
	KUNIT_CASE_SLOW(race_test_bookmark_other_cpu),
	KUNIT_CASE_SLOW(race_test_bookmark_hardirq),
	KUNIT_CASE(race_test_huge_fits),
	KUNIT_CASE_PARAM(race_test_huge_refused, race_huge_gen_params),
	KUNIT_CASE_SLOW(race_test_reader_during_owner),
	KUNIT_CASE_SLOW(race_test_peak_two_cpus),
	KUNIT_CASE(race_test_peak_idle_shard),
	KUNIT_CASE_SLOW(race_test_double_free_two_cpus),
	{}
};

static struct kunit_suite kheap_track_race_suite = {
	.name = "kheap_track_race",
	.test_cases = kheap_track_race_cases,
};

kunit_test_suites(&kheap_track_race_suite);

MODULE_DESCRIPTION("KUnit tests for kheap's tracking under races and misuse");
MODULE_LICENSE("GPL");
KHEAP_IMPORT_NS();
MODULE_IMPORT_NS(EXPORTED_FOR_KUNIT_TESTING);
