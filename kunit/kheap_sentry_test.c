// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests for the kheap sentry macros (suite kheap_sentry).
 */
#include <kunit/test.h>
#include <linux/cache.h>
#include <linux/delay.h>
#include <linux/kallsyms.h>
#include <linux/kthread.h>
#include <linux/sched/task.h>

#include "kheap_test_util.h"

struct st_small {
	u32 a;
	u16 b;
};

struct st_line {
	u64 v;
} ____cacheline_aligned;

struct st_page {
	u8 bytes[100];
} __aligned(PAGE_SIZE);

KHEAP_SENTRY_DECLARE(st_small);
KHEAP_SENTRY_DEFINE(st_small);
KHEAP_SENTRY_DEFINE(st_line);
KHEAP_SENTRY_DEFINE(st_page);

static void kt_unbind_small(void *unused)
{
	kheap_sentry_set_heap(st_small, NULL);
}

static void kt_unbind_line(void *unused)
{
	kheap_sentry_set_heap(st_line, NULL);
}

static void kt_unbind_page(void *unused)
{
	kheap_sentry_set_heap(st_page, NULL);
}

static void sentry_test_default_binding(struct kunit *test)
{
	struct st_small *s;
	size_t before = kheap_count(NULL);

	KUNIT_EXPECT_PTR_EQ(test, kheap_sentry_heap(st_small), kheap_default());
	s = kheap_new(st_small, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, s);
	KUNIT_EXPECT_EQ(test, s->a, 0); /* zeroed */
	KUNIT_EXPECT_EQ(test, s->b, 0);
	KUNIT_EXPECT_PTR_EQ(test, kheap_of(s), kheap_default());
	KUNIT_EXPECT_EQ(test, kheap_size(s), sizeof(*s));
	KUNIT_EXPECT_EQ(test, kheap_count(NULL), before + 1);
	kheap_delete(s);
	KUNIT_EXPECT_EQ(test, kheap_count(NULL), before);
}

static void sentry_test_bound_heap(struct kunit *test)
{
	struct kheap *heap = kt_heap(test);
	struct st_small *s;

	kheap_sentry_set_heap(st_small, heap);
	KUNIT_ASSERT_EQ(test, 0,
			kunit_add_action_or_reset(test, kt_unbind_small, NULL));
	KUNIT_EXPECT_PTR_EQ(test, kheap_sentry_heap(st_small), heap);
	s = kheap_new(st_small, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, s);
	KUNIT_EXPECT_PTR_EQ(test, kheap_of(s), heap);
	KUNIT_EXPECT_EQ(test, kheap_bytes(heap), sizeof(struct st_small));
	kheap_delete(s);
	KUNIT_EXPECT_EQ(test, kheap_count(heap), 0);
	kheap_delete(NULL);
}

static void sentry_test_overaligned(struct kunit *test)
{
	struct kheap *heap = kt_heap(test);
	struct st_line *l[4];
	struct st_page *p[2];
	int i;

	/* Unbound before the heap goes, even when an assertion fails. */
	kheap_sentry_set_heap(st_line, heap);
	KUNIT_ASSERT_EQ(test, 0,
			kunit_add_action_or_reset(test, kt_unbind_line, NULL));
	kheap_sentry_set_heap(st_page, heap);
	KUNIT_ASSERT_EQ(test, 0,
			kunit_add_action_or_reset(test, kt_unbind_page, NULL));
	for (i = 0; i < 4; i++) {
		l[i] = kheap_new(st_line, GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, l[i]);
		KUNIT_EXPECT_TRUE(test, IS_ALIGNED((unsigned long)l[i],
						   SMP_CACHE_BYTES));
	}
	for (i = 0; i < 2; i++) {
		p[i] = kheap_new(st_page, GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, p[i]);
		KUNIT_EXPECT_TRUE(test,
				  IS_ALIGNED((unsigned long)p[i], PAGE_SIZE));
		memset(p[i], 0x5a, sizeof(*p[i]));
	}
	KUNIT_EXPECT_EQ(test, kheap_bytes(heap),
			4 * sizeof(struct st_line) +
				2 * sizeof(struct st_page));
	for (i = 0; i < 4; i++)
		kheap_delete(l[i]);
	for (i = 0; i < 2; i++)
		kheap_delete(p[i]);
	KUNIT_EXPECT_EQ(test, kheap_overruns(heap), 0);
	KUNIT_EXPECT_EQ(test, kheap_count(heap), 0);
}

static void sentry_test_array(struct kunit *test)
{
	struct kheap *heap = kt_heap(test);
	struct st_line *v;
	int i, nonzero = 0;

	kheap_sentry_set_heap(st_line, heap);
	KUNIT_ASSERT_EQ(test, 0,
			kunit_add_action_or_reset(test, kt_unbind_line, NULL));
	v = kheap_new_array(st_line, 5, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, v);
	KUNIT_EXPECT_TRUE(test, IS_ALIGNED((unsigned long)v, SMP_CACHE_BYTES));
	for (i = 0; i < 5; i++)
		nonzero += v[i].v != 0;
	KUNIT_EXPECT_EQ(test, nonzero, 0);
	KUNIT_EXPECT_EQ(test, kheap_bytes(heap), 5 * sizeof(struct st_line));
	KUNIT_EXPECT_NULL(test,
			  kheap_new_array(st_line, SIZE_MAX / 8, GFP_KERNEL));
	KUNIT_EXPECT_NULL(test, kheap_new_array(st_line, SIZE_MAX, GFP_KERNEL));
	KUNIT_EXPECT_EQ(test, kheap_count(heap), 1);
	kheap_delete(v);
	KUNIT_EXPECT_EQ(test, kheap_count(heap), 0);
}

/* Rebinding moves new objects only; each delete goes to its own heap. */
static void sentry_test_rebind_mixed_delete(struct kunit *test)
{
	struct kheap *a = kt_heap(test), *b = kt_heap(test);
	struct st_small *x, *y, *z;

	KUNIT_ASSERT_EQ(test, 0,
			kunit_add_action_or_reset(test, kt_unbind_small, NULL));
	kheap_sentry_set_heap(st_small, a);
	x = kheap_new(st_small, GFP_KERNEL);
	kheap_sentry_set_heap(st_small, b);
	y = kheap_new(st_small, GFP_KERNEL);
	kheap_sentry_set_heap(st_small, NULL);
	z = kheap_new(st_small, GFP_KERNEL);
	KUNIT_ASSERT_TRUE(test, x && y && z);
	KUNIT_EXPECT_PTR_EQ(test, kheap_of(x), a);
	KUNIT_EXPECT_PTR_EQ(test, kheap_of(y), b);
	KUNIT_EXPECT_PTR_EQ(test, kheap_of(z), kheap_default());
	kheap_sentry_set_heap(st_small, a);
	kheap_delete(y); /* bound to a now, but y belongs to b */
	KUNIT_EXPECT_EQ(test, kheap_count(b), 0);
	KUNIT_EXPECT_EQ(test, kheap_count(a), 1);
	kheap_delete(x);
	kheap_delete(z);
	KUNIT_EXPECT_EQ(test, kheap_count(a), 0);
}

static noinline struct st_small *sentry_new_here(void)
{
	struct st_small *s = kheap_new(st_small, GFP_KERNEL);

	barrier_data(s);
	return s;
}

static void sentry_test_call_site(struct kunit *test)
{
	struct kheap *heap = kt_heap(test);
	struct kt_capture *cap = kt_capture(test, heap);
	char sym[KSYM_SYMBOL_LEN];
	struct st_small *s;

	kheap_sentry_set_heap(st_small, heap);
	KUNIT_ASSERT_EQ(test, 0,
			kunit_add_action_or_reset(test, kt_unbind_small, NULL));
	s = sentry_new_here();
	KUNIT_ASSERT_NOT_NULL(test, s);
	KUNIT_ASSERT_EQ(test, cap->allocs, 1);
	snprintf(sym, sizeof(sym), "%ps", (void *)cap->last_alloc.caller);
	KUNIT_EXPECT_TRUE(test, str_has_prefix(sym, "sentry_new_here "));
	kheap_delete(s);
}

/* Several kthreads allocate and delete while the binding flips. */
struct sentry_race {
	struct kheap *heap[2];
	unsigned long deadline;
	atomic_t live;
};

static int sentry_race_fn(void *arg)
{
	struct sentry_race *r = arg;
	struct st_small *held[16] = {};
	int i = 0, j;

	/* At least a few rounds: a busy host may start us late. */
	while (!kthread_should_stop() &&
	       (i < 64 || time_before(jiffies, r->deadline))) {
		j = i % ARRAY_SIZE(held);
		kheap_delete(held[j]);
		held[j] = kheap_new(st_small, GFP_KERNEL);
		if (!(i % 64))
			kheap_sentry_set_heap(st_small,
					      r->heap[i & 64 ? 1 : 0]);
		i++;
		cond_resched();
	}
	for (j = 0; j < ARRAY_SIZE(held); j++)
		kheap_delete(held[j]);
	while (!kthread_should_stop())
		usleep_range(1000, 2000);
	return i;
}

static void sentry_test_concurrent(struct kunit *test)
{
	struct sentry_race *r = kunit_kzalloc(test, sizeof(*r), GFP_KERNEL);
	unsigned long invalid = kheap_invalid_frees();
	int ops;

	KUNIT_ASSERT_NOT_NULL(test, r);
	r->heap[0] = kt_heap(test);
	r->heap[1] = kt_heap(test);
	KUNIT_ASSERT_EQ(test, 0,
			kunit_add_action_or_reset(test, kt_unbind_small, NULL));
	ops = kt_run_per_cpu(test, sentry_race_fn, r, "kheap_sentry",
			     &r->deadline, HZ);
	KUNIT_EXPECT_GT(test, ops, 0);
	KUNIT_EXPECT_EQ(test, kheap_count(r->heap[0]) + kheap_count(r->heap[1]),
			0);
	KUNIT_EXPECT_EQ(test, kheap_invalid_frees(), invalid);
	kunit_info(test, "%d new+delete on %d CPUs\n", ops, num_online_cpus());
}

static struct kunit_case kheap_sentry_cases[] = {
	KUNIT_CASE(sentry_test_default_binding),
	KUNIT_CASE(sentry_test_bound_heap),
	KUNIT_CASE(sentry_test_overaligned),
	KUNIT_CASE(sentry_test_array),
	KUNIT_CASE(sentry_test_rebind_mixed_delete),
	KUNIT_CASE(sentry_test_call_site),
	KUNIT_CASE(sentry_test_concurrent),
	{}
};

static struct kunit_suite kheap_sentry_suite = {
	.name = "kheap_sentry",
	.test_cases = kheap_sentry_cases,
};

kunit_test_suite(kheap_sentry_suite);

MODULE_DESCRIPTION("KUnit tests for the kheap sentry macros");
MODULE_LICENSE("GPL");
KHEAP_IMPORT_NS();
