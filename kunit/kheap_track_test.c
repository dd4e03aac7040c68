// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite kheap_track: tracked allocation's misuse detection,
 * bookmarks, leak reports, call sites, events and contexts.
 */
#include <kunit/test.h>
#include <linux/delay.h>
#include <linux/hrtimer.h>
#include <linux/kallsyms.h>
#include <linux/kthread.h>
#include <linux/sched.h>
#include <linux/sched/task.h>
#include <linux/sizes.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/tracepoint.h>
#include <trace/events/kmem.h>

#include "kheap_test_util.h"
#include "../kmod/kheap_trace.h"

static int track_static_word[32];

static void track_test_foreign_free(struct kunit *test)
{
	unsigned long invalid = kheap_invalid_frees();
	u8 *k = kmalloc(32, GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, k);
	kheap_free(k);
	kheap_free(&track_static_word[8]);
	kheap_free((void *)0x1000);
	KUNIT_EXPECT_EQ(test, kheap_invalid_frees(), invalid + 3);
	KUNIT_EXPECT_NULL(test, kheap_of(k));
	k[31] = 1; /* still ours: kheap left it alone */
	kfree(k);
}

static void track_test_double_free(struct kunit *test)
{
	struct kheap *heap = kt_heap(test);
	unsigned long invalid = kheap_invalid_frees();
	void *p = kheap_alloc(heap, 40, GFP_KERNEL);
	void *q = kheap_alloc(heap, 40, GFP_KERNEL);

	KUNIT_ASSERT_TRUE(test, p && q);
	kheap_free(p);
	kheap_free(p);
	KUNIT_EXPECT_EQ(test, kheap_invalid_frees(), invalid + 1);
	KUNIT_EXPECT_EQ(test, kheap_count(heap), 1);
	KUNIT_EXPECT_EQ(test, kheap_bytes(heap), 40);
	kheap_free(q);
	KUNIT_EXPECT_EQ(test, kheap_count(heap), 0);
}

static void track_test_middle_pointer(struct kunit *test)
{
	struct kheap *heap = kt_heap(test);
	unsigned long invalid = kheap_invalid_frees();
	u8 *p = kheap_zalloc(heap, 256, GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, p);
	kheap_free(p + 64);
	kheap_free(p + 8);
	KUNIT_EXPECT_EQ(test, kheap_invalid_frees(), invalid + 2);
	KUNIT_EXPECT_EQ(test, kheap_count(heap), 1);
	kheap_free(p);
	KUNIT_EXPECT_EQ(test, kheap_count(heap), 0);
	KUNIT_EXPECT_EQ(test, kheap_invalid_frees(), invalid + 2);
}

static void track_test_overrun(struct kunit *test)
{
	struct kheap *heap = kt_heap(test);
	char *p = kheap_alloc(heap, 16, GFP_KERNEL);
	char *q = kheap_alloc(heap, 16, GFP_KERNEL);

	KUNIT_ASSERT_TRUE(test, p && q);
	/*
	 * One byte past the end lands in the canary, inside the allocation.
	 * Flip it: a fixed value is the canary's own byte once in 256 blocks
	 * (the canary mixes the header's keyed check), and changes nothing.
	 */
	p[16] = ~p[16];
	kheap_free(p);
	KUNIT_EXPECT_EQ(test, kheap_overruns(heap), 1);
	KUNIT_EXPECT_EQ(test, kheap_count(heap), 1);
	q[15] = 'y'; /* the last byte is the caller's */
	kheap_free(q);
	KUNIT_EXPECT_EQ(test, kheap_overruns(heap), 1);
	KUNIT_EXPECT_EQ(test, kheap_count(heap), 0);
}

static void track_test_bookmark_window(struct kunit *test)
{
	struct kheap *heap = kt_heap(test);
	struct kt_capture *cap = kt_capture(test, heap);
	void *before, *in[3], *after;
	u64 b1, b2;
	int i;

	before = kheap_alloc(heap, 8, GFP_KERNEL);
	b1 = kheap_bookmark(heap);
	KUNIT_EXPECT_GE(test, b1, 1);
	for (i = 0; i < 3; i++)
		in[i] = kheap_alloc(heap, 8, GFP_KERNEL);
	b2 = kheap_bookmark(heap);
	after = kheap_alloc(heap, 8, GFP_KERNEL);
	KUNIT_ASSERT_TRUE(test, before && in[0] && in[1] && in[2] && after);
	KUNIT_EXPECT_GT(test, b2, b1);

	KUNIT_EXPECT_EQ(test, kheap_report(heap, b1, b2 - 1), 3);
	KUNIT_EXPECT_EQ(test, cap->reports, 3);
	for (i = 0; i < 3; i++) {
		KUNIT_EXPECT_GE(test, cap->report_ids[i], b1);
		KUNIT_EXPECT_LT(test, cap->report_ids[i], b2);
	}
	kheap_free(in[1]);
	KUNIT_EXPECT_EQ(test, kheap_report(heap, b1, b2 - 1), 2);
	KUNIT_EXPECT_EQ(test, kheap_report(heap, b2, U64_MAX), 1);
	KUNIT_EXPECT_EQ(test, kheap_report(heap, 0, b1 - 1), 1);
	KUNIT_EXPECT_EQ(test, kheap_report(heap, b2, b2 - 1), -EINVAL);
	kheap_free(before);
	kheap_free(in[0]);
	kheap_free(in[2]);
	kheap_free(after);
}

/* Allocations on every CPU between two bookmarks land in the window. */
struct track_cpu_work {
	struct kheap *heap;
	void *p[4];
	struct completion done;
};

static int track_cpu_alloc(void *arg)
{
	struct track_cpu_work *w = arg;
	int i;

	for (i = 0; i < ARRAY_SIZE(w->p); i++)
		w->p[i] = kheap_alloc(w->heap, 16, GFP_KERNEL);
	complete(&w->done);
	return 0;
}

static void track_test_bookmark_cpus(struct kunit *test)
{
	struct kheap *heap = kt_heap(test);
	struct kt_capture *cap = kt_capture(test, heap);
	struct track_cpu_work *w;
	struct task_struct *t;
	int cpu, n = 0, i;
	u64 b1, b2;
	void *warm;

	w = kunit_kcalloc(test, nr_cpu_ids, sizeof(*w), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, w);
	warm = kheap_alloc(heap, 16, GFP_KERNEL); /* a range taken before */
	b1 = kheap_bookmark(heap);
	for_each_online_cpu(cpu) {
		w[cpu].heap = heap;
		init_completion(&w[cpu].done);
		t = kthread_create(track_cpu_alloc, &w[cpu], "kheap_bm/%d",
				   cpu);
		KUNIT_ASSERT_FALSE(test, IS_ERR(t));
		kthread_bind(t, cpu);
		wake_up_process(t);
		wait_for_completion(&w[cpu].done);
		n += ARRAY_SIZE(w[cpu].p);
	}
	b2 = kheap_bookmark(heap);
	KUNIT_EXPECT_EQ(test, kheap_report(heap, b1, b2 - 1), n);
	KUNIT_EXPECT_EQ(test, kheap_report(heap, 0, b1 - 1), 1);
	KUNIT_EXPECT_EQ(test, cap->reports, n + 1);
	for_each_online_cpu(cpu)
		for (i = 0; i < ARRAY_SIZE(w[cpu].p); i++)
			kheap_free(w[cpu].p[i]);
	kheap_free(warm);
	KUNIT_EXPECT_EQ(test, kheap_count(heap), 0);
}

static void track_test_leak_on_destroy(struct kunit *test)
{
	struct kheap *heap = kt_heap(test);
	struct kheap *def = kheap_default();
	size_t def_count, def_bytes;
	void *p, *q;

	def_count = kheap_count(def);
	def_bytes = kheap_bytes(def);
	p = kheap_alloc(heap, 50, GFP_KERNEL);
	q = kheap_alloc(heap, 70, GFP_KERNEL);
	if (!p || !q) {
		kheap_free(p);
		kheap_free(q);
		KUNIT_FAIL_AND_ABORT(test, "kheap_alloc");
	}
	kunit_release_action(test, kt_heap_destroy, heap); /* two leaks */

	KUNIT_EXPECT_PTR_EQ(test, kheap_of(p), def);
	KUNIT_EXPECT_PTR_EQ(test, kheap_of(q), def);
	KUNIT_EXPECT_EQ(test, kheap_count(def), def_count + 2);
	KUNIT_EXPECT_EQ(test, kheap_bytes(def), def_bytes + 120);
	kheap_free(p);
	kheap_free(q);
	KUNIT_EXPECT_EQ(test, kheap_count(def), def_count);
	KUNIT_EXPECT_EQ(test, kheap_bytes(def), def_bytes);
}

/* Not a tail call: a tail call would record this function's caller. */
static noinline void *track_alloc_here(struct kheap *heap)
{
	void *p = kheap_alloc(heap, 12, GFP_KERNEL);

	barrier_data(p);
	return p;
}

static void track_test_call_site(struct kunit *test)
{
	struct kheap *heap = kt_heap(test);
	struct kt_capture *cap = kt_capture(test, heap);
	char sym[KSYM_SYMBOL_LEN];
	void *p = track_alloc_here(heap);

	KUNIT_ASSERT_NOT_NULL(test, p);
	KUNIT_ASSERT_EQ(test, cap->allocs, 1);
	snprintf(sym, sizeof(sym), "%ps", (void *)cap->last_alloc.caller);
	/* "%ps" adds " [module]" for a symbol in a module. */
	KUNIT_EXPECT_TRUE(test, str_has_prefix(sym, "track_alloc_here "));
	kheap_free(p);
}

/*
 * The kmem:kmalloc events of this task, seen by a probe on the kernel's
 * tracepoint (exported by mm/slab_common.c): kheap gives kmalloc() the
 * client's call site, so slab's tools name the client, not kheap.
 */
struct kt_kmalloc_seen {
	struct task_struct *task;
	unsigned int n;
	struct {
		const void *ptr;
		size_t bytes;
		unsigned long site;
	} ev[16];
};

static void kt_on_kmalloc(void *data, unsigned long call_site, const void *ptr,
			  size_t bytes_req, size_t bytes_alloc, gfp_t gfp_flags,
			  int node)
{
	struct kt_kmalloc_seen *s = data;

	if (!in_task() || current != READ_ONCE(s->task) ||
	    s->n >= ARRAY_SIZE(s->ev))
		return;
	s->ev[s->n].ptr = ptr;
	s->ev[s->n].bytes = bytes_alloc;
	s->ev[s->n].site = call_site;
	s->n++;
}

/* The call site of the kmem:kmalloc event of the slab object holding @p. */
static unsigned long kt_kmalloc_site(struct kt_kmalloc_seen *s, const void *p)
{
	unsigned int i;

	for (i = 0; i < s->n; i++)
		if (p >= s->ev[i].ptr && p < s->ev[i].ptr + s->ev[i].bytes)
			return s->ev[i].site;
	return 0;
}

struct kt_aligned {
	u8 b[100];
} __aligned(64);
KHEAP_SENTRY_DEFINE(kt_aligned);

/*
 * One allocation call per function, none a tail call, each of a block
 * that kmalloc() serves (not kheap's cache: charged, larger than its
 * classes, or aligned).
 */
static noinline void *kt_site_alloc(struct kheap *heap)
{
	void *p = kheap_alloc(heap, 12, GFP_KERNEL | __GFP_ACCOUNT);

	barrier_data(p);
	return p;
}

static noinline void *kt_site_zalloc(struct kheap *heap)
{
	void *p = kheap_zalloc(heap, 5000, GFP_KERNEL);

	barrier_data(p);
	return p;
}

static noinline void *kt_site_aligned(struct kheap *heap)
{
	void *p = kheap_alloc_aligned(heap, 64, 128, GFP_KERNEL);

	barrier_data(p);
	return p;
}

static noinline void *kt_site_array(struct kheap *heap)
{
	void *p = kheap_alloc_array(heap, 3, 1000, GFP_KERNEL);

	barrier_data(p);
	return p;
}

static noinline void *kt_site_new(struct kheap *heap)
{
	void *p = kheap_new(kt_aligned, GFP_KERNEL);

	barrier_data(p);
	return p;
}

static void *(*const kt_sites[])(struct kheap *) = {
	kt_site_alloc, kt_site_zalloc, kt_site_aligned,
	kt_site_array, kt_site_new,
};

static void track_test_kmalloc_call_site(struct kunit *test)
{
	static const char *const fn[] = { "kt_site_alloc ", "kt_site_zalloc ",
					  "kt_site_aligned ", "kt_site_array ",
					  "kt_site_new " };
	struct kheap *heap = kt_heap(test);
	struct kt_capture *cap = kt_capture(test, heap);
	struct kt_kmalloc_seen *seen;
	char sym[KSYM_SYMBOL_LEN];
	void *p[ARRAY_SIZE(kt_sites)];
	unsigned int i;

	seen = kunit_kzalloc(test, sizeof(*seen), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, seen);
	KUNIT_ASSERT_EQ(test, register_trace_kmalloc(kt_on_kmalloc, seen), 0);
	kheap_sentry_set_heap(kt_aligned, heap);
	WRITE_ONCE(seen->task, current);
	for (i = 0; i < ARRAY_SIZE(fn); i++) {
		p[i] = kt_sites[i](heap);
		/* What kheap recorded. */
		snprintf(sym, sizeof(sym), "%ps",
			 (void *)cap->last_alloc.caller);
		KUNIT_EXPECT_TRUE_MSG(test, p[i] && str_has_prefix(sym, fn[i]),
				      "recorded %s for %s", sym, fn[i]);
	}
	WRITE_ONCE(seen->task, NULL);
	unregister_trace_kmalloc(kt_on_kmalloc, seen);
	tracepoint_synchronize_unregister();
	kheap_sentry_set_heap(kt_aligned, NULL);

	for (i = 0; i < ARRAY_SIZE(fn); i++) {
		/* What kmem:kmalloc said. */
		snprintf(sym, sizeof(sym), "%ps",
			 (void *)kt_kmalloc_site(seen, p[i]));
		KUNIT_EXPECT_TRUE_MSG(test, str_has_prefix(sym, fn[i]),
				      "kmem:kmalloc call_site %s for %s", sym,
				      fn[i]);
		kheap_free(p[i]);
	}
}

/*
 * kheap's own events, always there: probes on them see this task's blocks
 * and heaps with the kmem:-style fields, the free's call site being the
 * free's, with no reporter attached.
 */
struct kt_tp_seen {
	struct task_struct *task;
	unsigned int allocs, frees, leaks, creates, destroys;
	char heap[KHEAP_NAME_MAX + 1];
	unsigned long site, free_site, leak_site;
	const void *ptr, *freed, *leaked;
	size_t bytes_req, bytes_alloc, free_bytes, destroy_bytes, destroy_count;
	unsigned long gfp;
	u64 id, free_id, leak_id;
};

static bool kt_tp_mine(struct kt_tp_seen *s)
{
	return in_task() && current == READ_ONCE(s->task);
}

static void kt_tp_alloc(void *data, const char *heap, unsigned long call_site,
			const void *ptr, size_t bytes_req, size_t bytes_alloc,
			gfp_t gfp_flags, u64 id)
{
	struct kt_tp_seen *s = data;

	if (!kt_tp_mine(s))
		return;
	s->allocs++;
	strscpy(s->heap, heap, sizeof(s->heap));
	s->site = call_site;
	s->ptr = ptr;
	s->bytes_req = bytes_req;
	s->bytes_alloc = bytes_alloc;
	s->gfp = (__force unsigned long)gfp_flags;
	s->id = id;
}

static void kt_tp_free(void *data, const char *heap, unsigned long call_site,
		       const void *ptr, size_t bytes_req, u64 id)
{
	struct kt_tp_seen *s = data;

	if (!kt_tp_mine(s))
		return;
	s->frees++;
	s->free_site = call_site;
	s->freed = ptr;
	s->free_bytes = bytes_req;
	s->free_id = id;
}

static void kt_tp_leak(void *data, const char *heap,
		       const struct kheap_alloc_info *info)
{
	struct kt_tp_seen *s = data;

	if (!kt_tp_mine(s))
		return;
	s->leaks++;
	s->leak_site = info->caller;
	s->leaked = info->ptr;
	s->leak_id = info->id;
}

static void kt_tp_create(void *data, const char *heap, size_t bytes,
			 size_t count)
{
	struct kt_tp_seen *s = data;

	if (kt_tp_mine(s) && !strcmp(heap, "kt.events"))
		s->creates++;
}

static void kt_tp_destroy(void *data, const char *heap, size_t bytes,
			  size_t count)
{
	struct kt_tp_seen *s = data;

	if (!kt_tp_mine(s) || strcmp(heap, "kt.events"))
		return;
	s->destroys++;
	s->destroy_bytes = bytes;
	s->destroy_count = count;
}

static noinline void *kt_ev_alloc(struct kheap *heap)
{
	void *p = kheap_alloc(heap, 40, GFP_KERNEL);

	barrier_data(p);
	return p;
}

static noinline void kt_ev_free(void *p)
{
	kheap_free(p);
	barrier();
}

static void kt_tp_unregister(struct kt_tp_seen *s)
{
	WRITE_ONCE(s->task, NULL);
	unregister_trace_kheap_alloc(kt_tp_alloc, s);
	unregister_trace_kheap_free(kt_tp_free, s);
	unregister_trace_kheap_leak(kt_tp_leak, s);
	unregister_trace_kheap_heap_create(kt_tp_create, s);
	unregister_trace_kheap_heap_destroy(kt_tp_destroy, s);
	tracepoint_synchronize_unregister();
}

static void track_test_events(struct kunit *test)
{
	struct kt_tp_seen *s = kunit_kzalloc(test, sizeof(*s), GFP_KERNEL);
	char sym[KSYM_SYMBOL_LEN];
	struct kheap *heap;
	void *p, *q;

	KUNIT_ASSERT_NOT_NULL(test, s);
	KUNIT_ASSERT_EQ(test, register_trace_kheap_alloc(kt_tp_alloc, s), 0);
	KUNIT_ASSERT_EQ(test, register_trace_kheap_free(kt_tp_free, s), 0);
	KUNIT_ASSERT_EQ(test, register_trace_kheap_leak(kt_tp_leak, s), 0);
	KUNIT_ASSERT_EQ(test, register_trace_kheap_heap_create(kt_tp_create, s),
			0);
	KUNIT_ASSERT_EQ(test,
			register_trace_kheap_heap_destroy(kt_tp_destroy, s), 0);
	WRITE_ONCE(s->task, current);

	heap = kheap_create("kt.events");
	if (IS_ERR(heap)) {
		kt_tp_unregister(s);
		KUNIT_FAIL(test, "kheap_create: %ld", PTR_ERR(heap));
		return;
	}
	p = kt_ev_alloc(heap);
	KUNIT_EXPECT_EQ(test, s->allocs, 1);
	KUNIT_EXPECT_STREQ(test, s->heap, "kt.events");
	snprintf(sym, sizeof(sym), "%ps", (void *)s->site);
	KUNIT_EXPECT_TRUE_MSG(test, str_has_prefix(sym, "kt_ev_alloc "),
			      "kheap_alloc call_site %s", sym);
	KUNIT_EXPECT_PTR_EQ(test, s->ptr, (const void *)p);
	KUNIT_EXPECT_EQ(test, s->bytes_req, 40);
	KUNIT_EXPECT_GE(test, s->bytes_alloc, 40 + 56 + 8);
	KUNIT_EXPECT_EQ(test, s->gfp, (__force unsigned long)GFP_KERNEL);
	KUNIT_EXPECT_GE(test, s->id, 1);

	kt_ev_free(p);
	KUNIT_EXPECT_EQ(test, s->frees, 1);
	snprintf(sym, sizeof(sym), "%ps", (void *)s->free_site);
	KUNIT_EXPECT_TRUE_MSG(test, str_has_prefix(sym, "kt_ev_free "),
			      "kheap_free call_site %s", sym);
	KUNIT_EXPECT_PTR_EQ(test, s->freed, (const void *)p);
	KUNIT_EXPECT_EQ(test, s->free_bytes, 40);
	KUNIT_EXPECT_EQ(test, s->free_id, s->id);

	q = kt_ev_alloc(heap);
	kheap_destroy(heap); /* reports q as a leak */
	KUNIT_EXPECT_EQ(test, s->creates, 1);
	KUNIT_EXPECT_EQ(test, s->destroys, 1);
	KUNIT_EXPECT_EQ(test, s->destroy_bytes, 40);
	KUNIT_EXPECT_EQ(test, s->destroy_count, 1);
	KUNIT_EXPECT_EQ(test, s->leaks, 1);
	KUNIT_EXPECT_PTR_EQ(test, s->leaked, (const void *)q);
	KUNIT_EXPECT_EQ(test, s->leak_id, s->id);
	snprintf(sym, sizeof(sym), "%ps", (void *)s->leak_site);
	KUNIT_EXPECT_TRUE_MSG(test, str_has_prefix(sym, "kt_ev_alloc "),
			      "kheap_leak call_site %s", sym);
	kt_tp_unregister(s);
	kheap_free(q);
}

/*
 * GFP_ATOMIC allocation and free from an hrtimer callback, in the most
 * atomic context kmalloc() allows: a timer started with HRTIMER_MODE_REL
 * expires in hardirq context, except on PREEMPT_RT, where it expires in the
 * timer softirq thread. The allocator may not be called from hardirq on
 * PREEMPT_RT (Documentation/locking/locktypes.rst), and kheap_alloc() and
 * kheap_free() follow kmalloc()'s and kfree()'s rules.
 */
struct track_timer {
	struct hrtimer timer;
	struct kheap *heap;
	void *held;
	int fired, allocated;
};

static enum hrtimer_restart track_timer_fn(struct hrtimer *t)
{
	struct track_timer *tt = container_of(t, struct track_timer, timer);
	void *p = kheap_alloc(tt->heap, 64, GFP_ATOMIC);

	/* The test polls it. */
	WRITE_ONCE(tt->fired, tt->fired + 1);
	if (p) {
		tt->allocated++;
		kheap_free(tt->held);
		tt->held = p;
	}
	if (tt->fired >= 20)
		return HRTIMER_NORESTART;
	hrtimer_forward_now(t, ns_to_ktime(200 * NSEC_PER_USEC));
	return HRTIMER_RESTART;
}

static void track_test_timer_atomic(struct kunit *test)
{
	struct track_timer *tt = kunit_kzalloc(test, sizeof(*tt), GFP_KERNEL);
	unsigned long deadline = jiffies + 10 * HZ;

	KUNIT_ASSERT_NOT_NULL(test, tt);
	tt->heap = kt_heap(test);
	hrtimer_init(&tt->timer, CLOCK_MONOTONIC, HRTIMER_MODE_REL);
	tt->timer.function = track_timer_fn;
	hrtimer_start(&tt->timer, ns_to_ktime(100 * NSEC_PER_USEC),
		      HRTIMER_MODE_REL);
	while (READ_ONCE(tt->fired) < 20 && time_before(jiffies, deadline))
		usleep_range(5000, 10000);
	hrtimer_cancel(&tt->timer);
	KUNIT_EXPECT_EQ(test, tt->fired, 20);
	KUNIT_EXPECT_EQ(test, tt->allocated, 20);
	KUNIT_EXPECT_EQ(test, kheap_count(tt->heap), 1);
	kheap_free(tt->held);
	KUNIT_EXPECT_EQ(test, kheap_count(tt->heap), 0);
}

/* Every CPU allocates; blocks are freed by the next CPU's thread. */
#define SMP_SLOTS 256

struct track_smp {
	struct kheap *heap;
	void *slot[SMP_SLOTS];
	atomic_t started;
	unsigned long deadline;
	int ops;
};

static int track_smp_fn(void *arg)
{
	struct track_smp *s = arg;
	int i = 0;

	atomic_inc(&s->started);
	while (!kthread_should_stop()) {
		void *p = kheap_alloc(s->heap, 1 + (i & 127), GFP_KERNEL);

		/* Swap into a shared slot: frees what another CPU allocated. */
		kheap_free(xchg(&s->slot[i % SMP_SLOTS], p));
		i++;
		if (time_after(jiffies, s->deadline)) {
			while (!kthread_should_stop())
				usleep_range(1000, 2000);
			break;
		}
		cond_resched();
	}
	return i;
}

static void track_test_smp_cross_free(struct kunit *test)
{
	struct track_smp *s = kunit_kzalloc(test, sizeof(*s), GFP_KERNEL);
	int i, total;

	KUNIT_ASSERT_NOT_NULL(test, s);
	s->heap = kt_heap(test);
	total = kt_run_per_cpu(test, track_smp_fn, s, "kheap_smp", &s->deadline,
			       HZ);
	KUNIT_EXPECT_GT(test, total, 0);
	for (i = 0; i < SMP_SLOTS; i++)
		kheap_free(s->slot[i]);
	KUNIT_EXPECT_EQ(test, kheap_count(s->heap), 0);
	KUNIT_EXPECT_EQ(test, kheap_bytes(s->heap), 0);
	KUNIT_EXPECT_EQ(test, kheap_overruns(s->heap), 0);
	kunit_info(test, "%d alloc+free pairs on %d CPUs\n", total,
		   num_online_cpus());
}

static struct kunit_case kheap_track_cases[] = {
	KUNIT_CASE(track_test_foreign_free),
	KUNIT_CASE(track_test_double_free),
	KUNIT_CASE(track_test_middle_pointer),
	KUNIT_CASE(track_test_overrun),
	KUNIT_CASE(track_test_bookmark_window),
	KUNIT_CASE(track_test_bookmark_cpus),
	KUNIT_CASE(track_test_leak_on_destroy),
	KUNIT_CASE(track_test_call_site),
	KUNIT_CASE(track_test_kmalloc_call_site),
	KUNIT_CASE(track_test_events),
	KUNIT_CASE(track_test_timer_atomic),
	KUNIT_CASE(track_test_smp_cross_free),
	{}
};

static struct kunit_suite kheap_track_suite = {
	.name = "kheap_track",
	.test_cases = kheap_track_cases,
};

kunit_test_suite(kheap_track_suite);

MODULE_DESCRIPTION("KUnit tests for kheap's tracked allocation");
MODULE_LICENSE("GPL");
KHEAP_IMPORT_NS();
