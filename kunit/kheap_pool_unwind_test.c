// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite kheap_pool_unwind: a pool create that fails half way.
 *
 * kheap_pool_create() takes several allocations from the pool's heap (the
 * descriptor, the object area, the ring table, a ring per possible CPU,
 * and with KHEAP_POOL_CHECK_DOUBLE_PUT the bitmap of objects out). For each
 * n from 1 on, kheap's fault point fail_alloc fails exactly the n-th of
 * them (interval n, times 1, for this thread only), until a create makes
 * fewer than n and succeeds. Each failed create returns -ENOMEM and leaves
 * the heap empty (KASAN and kmemleak see the rest), and says nothing on
 * the console: a half-built pool is not a pool destroyed with objects out.
 */
#include <kunit/test.h>
#include <linux/fault-inject.h>
#include <linux/kmsg_dump.h>
#include <linux/module.h>
#include <linux/sched.h>

#include <kheap/pool.h>

#include "../kmod/kheap_kunit.h"
#include "kheap_test_util.h"

#define PU_OBJ_SIZE 48
#define PU_PER_CPU 4

static void pu_disarm(void *arg)
{
	struct fault_attr *attr = arg;

	current->make_it_fail = 0;
	WRITE_ONCE(attr->probability, 0);
	attr->task_filter = false;
	attr->interval = 1;
	attr->verbose = 2; /* the defaults of FAULT_ATTR_INITIALIZER */
	atomic_set(&attr->times, 1);
}

/* Fail the @nth allocation of kheap's from now on, in this thread only. */
static void pu_arm(struct fault_attr *attr, unsigned int nth)
{
	attr->verbose = 0;
	attr->task_filter = true;
	attr->interval = nth;
	attr->count = 0;
	atomic_set(&attr->space, 0);
	atomic_set(&attr->times, 1);
	WRITE_ONCE(attr->probability, 100);
	current->make_it_fail = 1;
}

/* Stop failing; was the failure injected? */
static bool pu_disarm_now(struct fault_attr *attr)
{
	current->make_it_fail = 0;
	WRITE_ONCE(attr->probability, 0);
	return !atomic_read(&attr->times);
}

static void pu_run(struct kunit *test, unsigned int flags, const char *name)
{
	struct fault_attr *attr = kheap_test_fail_alloc();
	struct kheap *heap = kt_heap(test);
	unsigned int nth, max = 8 + num_possible_cpus();
	struct kheap_pool *pool = NULL;
	void *obj;

	KUNIT_ASSERT_EQ(test, READ_ONCE(attr->probability), 0UL);
	KUNIT_ASSERT_EQ(test, 0,
			kunit_add_action_or_reset(test, pu_disarm, attr));
	for (nth = 1; nth <= max; nth++) {
		bool injected;

		pu_arm(attr, nth);
		pool = kheap_pool_create_flags(name, heap, PU_OBJ_SIZE,
					       PU_PER_CPU, flags, GFP_KERNEL);
		injected = pu_disarm_now(attr);
		if (!IS_ERR(pool)) {
			/* Fewer than @nth allocations: it was not touched. */
			KUNIT_EXPECT_FALSE(test, injected);
			break;
		}
		KUNIT_EXPECT_TRUE_MSG(test, injected, "failure %u", nth);
		KUNIT_EXPECT_EQ_MSG(test, PTR_ERR(pool), -ENOMEM, "failure %u",
				    nth);
		KUNIT_EXPECT_EQ_MSG(test, kheap_count(heap), 0UL,
				    "failure %u left blocks", nth);
		KUNIT_EXPECT_EQ_MSG(test, kheap_bytes(heap), 0UL,
				    "failure %u left bytes", nth);
	}
	KUNIT_ASSERT_FALSE_MSG(test, IS_ERR(pool),
			       "still failing after %u allocations", nth - 1);
	/* Descriptor, area, table, a ring per CPU: each failed in turn. */
	KUNIT_EXPECT_GE(test, nth, 4 + num_possible_cpus());
	obj = kheap_pool_get(pool);
	KUNIT_EXPECT_NOT_NULL(test, obj);
	kheap_pool_put(pool, obj);
	kheap_pool_destroy(pool);
	KUNIT_EXPECT_EQ(test, kheap_count(heap), 0UL);
	KUNIT_EXPECT_EQ(test, kt_kmsg_count(test, name, "not returned"), 0);
	kunit_info(test, "%s: the create makes %u allocations of its heap\n",
		   name, nth - 1);
}

static void pool_unwind_test_plain(struct kunit *test)
{
	pu_run(test, 0, "kunwind.plain");
}

static void pool_unwind_test_double_put(struct kunit *test)
{
	pu_run(test, KHEAP_POOL_CHECK_DOUBLE_PUT, "kunwind.double");
}

static struct kunit_case kheap_pool_unwind_cases[] = {
	KUNIT_CASE(pool_unwind_test_plain),
	KUNIT_CASE(pool_unwind_test_double_put),
	{}
};

static struct kunit_suite kheap_pool_unwind_suite = {
	.name = "kheap_pool_unwind",
	.test_cases = kheap_pool_unwind_cases,
};

kunit_test_suite(kheap_pool_unwind_suite);

MODULE_DESCRIPTION("KUnit tests for kheap: pool creates that fail half way");
MODULE_LICENSE("GPL");
KHEAP_IMPORT_NS();
MODULE_IMPORT_NS(EXPORTED_FOR_KUNIT_TESTING);
