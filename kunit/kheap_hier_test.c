// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite kheap_hier: the kheap hierarchy (the reporters' suite is
 * kheap_reporter, in kheap_reporter_test.c).
 */
#include <kunit/test.h>
#include <linux/delay.h>
#include <linux/kthread.h>
#include <linux/random.h>
#include <linux/sched.h>
#include <linux/sched/task.h>

#include "kheap_test_util.h"

static void hier_test_one_way(struct kunit *test)
{
	struct kheap *root = kt_heap(test), *a = kt_heap(test),
		     *b = kt_heap(test);

	kt_block(test, root, 64);
	kt_block(test, a, 64);
	kt_block(test, b, 64);
	KUNIT_EXPECT_EQ(test, kheap_hier_count(root), 1);
	KUNIT_ASSERT_EQ(test, kheap_link(root, a), 0);
	KUNIT_ASSERT_EQ(test, kheap_link(root, b), 0);
	KUNIT_EXPECT_EQ(test, kheap_hier_count(root), 3);
	KUNIT_EXPECT_EQ(test, kheap_hier_bytes(root), 3 * 64);
	/* One way: the children do not see the root. */
	KUNIT_EXPECT_EQ(test, kheap_hier_count(a), 1);
	KUNIT_EXPECT_EQ(test, kheap_hier_bytes(b), 64);
}

static void hier_test_two_way(struct kunit *test)
{
	struct kheap *a = kt_heap(test), *b = kt_heap(test);

	kt_block(test, a, 10);
	kt_block(test, b, 20);
	KUNIT_ASSERT_EQ(test, kheap_connect(a, b), 0);
	KUNIT_EXPECT_EQ(test, kheap_hier_bytes(a), 30);
	KUNIT_EXPECT_EQ(test, kheap_hier_bytes(b), 30);
	KUNIT_EXPECT_EQ(test, kheap_hier_count(b), 2);
	kheap_unlink(b, a);
	KUNIT_EXPECT_EQ(test, kheap_hier_bytes(a), 30);
	KUNIT_EXPECT_EQ(test, kheap_hier_bytes(b), 20);
}

static void hier_test_cycle(struct kunit *test)
{
	struct kheap *h[4];
	int i;

	for (i = 0; i < 4; i++) {
		h[i] = kt_heap(test);
		kt_block(test, h[i], 1 << i);
	}
	for (i = 0; i < 4; i++)
		KUNIT_ASSERT_EQ(test, kheap_link(h[i], h[(i + 1) % 4]), 0);
	KUNIT_ASSERT_EQ(test, kheap_link(h[2], h[0]), 0); /* a chord */
	for (i = 0; i < 4; i++) {
		KUNIT_EXPECT_EQ(test, kheap_hier_bytes(h[i]), 15);
		KUNIT_EXPECT_EQ(test, kheap_hier_count(h[i]), 4);
	}
}

static void hier_test_link_rules(struct kunit *test)
{
	struct kheap *a = kt_heap(test), *b = kt_heap(test);

	kt_block(test, b, 7);
	KUNIT_EXPECT_EQ(test, kheap_link(a, a), -EINVAL);
	KUNIT_EXPECT_EQ(test, kheap_link(NULL, a), -EINVAL);
	KUNIT_EXPECT_EQ(test, kheap_link(a, NULL), -EINVAL);
	KUNIT_EXPECT_EQ(test, kheap_link(a, b), 0);
	KUNIT_EXPECT_EQ(test, kheap_link(a, b), 0); /* twice: nothing more */
	KUNIT_EXPECT_EQ(test, kheap_hier_bytes(a), 7);
	kheap_unlink(a, b);
	KUNIT_EXPECT_EQ(test, kheap_hier_bytes(a), 0);
	kheap_unlink(a, b); /* absent: no-op */
	KUNIT_EXPECT_EQ(test, kheap_hier_count(a), 0);
}

static void hier_test_destroy_unlinks(struct kunit *test)
{
	struct kheap *root = kt_heap(test);
	struct kheap *child = kt_heap(test);
	void *p;

	kt_block(test, root, 5);
	p = kt_block(test, child, 9);
	KUNIT_ASSERT_EQ(test, kheap_connect(root, child), 0);
	KUNIT_EXPECT_EQ(test, kheap_hier_bytes(root), 14);
	kunit_release_action(test, kt_block_free, p);
	kunit_release_action(test, kt_heap_destroy, child);
	KUNIT_EXPECT_EQ(test, kheap_hier_bytes(root), 5);
	KUNIT_EXPECT_EQ(test, kheap_hier_count(root), 1);
}

static void hier_test_wide(struct kunit *test)
{
	struct kheap *root = kt_heap(test), *prev = root, *h;
	int i;

	/* A chain of 50 heaps, each also linked back to the root. */
	for (i = 0; i < 50; i++) {
		h = kt_heap(test);
		kt_block(test, h, 3);
		KUNIT_ASSERT_EQ(test, kheap_link(prev, h), 0);
		KUNIT_ASSERT_EQ(test, kheap_link(h, root), 0);
		prev = h;
	}
	KUNIT_EXPECT_EQ(test, kheap_hier_count(root), 50);
	KUNIT_EXPECT_EQ(test, kheap_hier_bytes(root), 150);
	KUNIT_EXPECT_EQ(test, kheap_hier_count(prev), 50);
}

/* Totals read while other CPUs allocate and relink. */
struct hier_race {
	struct kheap *heap[4];
	unsigned long deadline;
	atomic_t workers;
};

static int hier_alloc_fn(void *arg)
{
	struct hier_race *r = arg;
	void *held[8] = {};
	int i = 0, j;

	/* At least a few rounds: a busy host may start us late. */
	while (!kthread_should_stop() &&
	       (i < 64 || time_before(jiffies, r->deadline))) {
		j = i % ARRAY_SIZE(held);
		kheap_free(held[j]);
		held[j] = kheap_alloc(r->heap[i % 4], 32, GFP_KERNEL);
		i++;
		cond_resched();
	}
	for (j = 0; j < ARRAY_SIZE(held); j++)
		kheap_free(held[j]);
	atomic_dec(&r->workers);
	while (!kthread_should_stop())
		usleep_range(1000, 2000);
	return i;
}

static int hier_relink_fn(void *arg)
{
	struct hier_race *r = arg;
	int i = 0;

	/* At least a few rounds: a busy host may start us late. */
	while (!kthread_should_stop() &&
	       (i < 64 || time_before(jiffies, r->deadline))) {
		struct kheap *a = r->heap[1 + (i % 3)],
			     *b = r->heap[1 + ((i + 1) % 3)];

		if (i & 1)
			kheap_connect(a, b);
		else
			kheap_unlink(a, b);
		i++;
		cond_resched();
	}
	atomic_dec(&r->workers);
	while (!kthread_should_stop())
		usleep_range(1000, 2000);
	return i;
}

static void hier_test_concurrent(struct kunit *test)
{
	struct hier_race *r = kunit_kzalloc(test, sizeof(*r), GFP_KERNEL);
	struct task_struct **t;
	int cpu, n = 0, i, reads = 0;
	size_t max_count = 0;
	long err = 0;

	KUNIT_ASSERT_NOT_NULL(test, r);
	/* One allocating thread per CPU and the relinker. */
	t = kunit_kcalloc(test, nr_cpu_ids + 1, sizeof(*t), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, t);
	for (i = 0; i < 4; i++)
		r->heap[i] = kt_heap(test);
	for (i = 1; i < 4; i++)
		KUNIT_ASSERT_EQ(test, kheap_link(r->heap[0], r->heap[i]), 0);
	for_each_online_cpu(cpu) {
		t[n] = kthread_create(hier_alloc_fn, r, "kheap_hier/%d", cpu);
		if (IS_ERR(t[n]))
			break;
		kthread_bind(t[n], cpu);
		get_task_struct(t[n++]);
	}
	if (n == num_online_cpus()) {
		t[n] = kthread_create(hier_relink_fn, r, "kheap_relink");
		if (!IS_ERR(t[n]))
			get_task_struct(t[n++]);
	}
	if (n != num_online_cpus() + 1) {
		err = PTR_ERR(t[n]);
		/* Never woken: none of them ran. */
		kt_stop_all(t, n);
		KUNIT_ASSERT_EQ_MSG(test, err, 0, "kthread_create");
	}
	atomic_set(&r->workers, n);
	/* The deadline starts once every thread is there to start. */
	r->deadline = jiffies + HZ;
	for (i = 0; i < n; i++)
		wake_up_process(t[i]);
	while (atomic_read(&r->workers)) {
		size_t c = kheap_hier_count(r->heap[0]);

		max_count = max(max_count, c);
		reads++;
		cond_resched();
	}
	kt_stop_all(t, n);
	/* Each allocating thread holds at most 8 blocks. */
	KUNIT_EXPECT_LE(test, max_count, (size_t)8 * (n - 1));
	KUNIT_EXPECT_GT(test, reads, 0);
	KUNIT_EXPECT_EQ(test, kheap_hier_count(r->heap[0]), 0);
	KUNIT_EXPECT_EQ(test, kheap_hier_bytes(r->heap[0]), 0);
}

static struct kunit_case kheap_hier_cases[] = {
	KUNIT_CASE(hier_test_one_way),	       KUNIT_CASE(hier_test_two_way),
	KUNIT_CASE(hier_test_cycle),	       KUNIT_CASE(hier_test_link_rules),
	KUNIT_CASE(hier_test_destroy_unlinks), KUNIT_CASE(hier_test_wide),
	KUNIT_CASE(hier_test_concurrent),      {}
};

static struct kunit_suite kheap_hier_suite = {
	.name = "kheap_hier",
	.test_cases = kheap_hier_cases,
};

kunit_test_suite(kheap_hier_suite);

MODULE_DESCRIPTION("KUnit tests for the kheap hierarchy");
MODULE_LICENSE("GPL");
KHEAP_IMPORT_NS();
