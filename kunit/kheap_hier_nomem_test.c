// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite kheap_hier_nomem: the hierarchy's queries allocate nothing.
 *
 * heap.h promises that kheap_hier_bytes() and kheap_hier_count() sum over
 * every reachable heap without allocating, in any context. The test builds
 * a small graph with a cycle, a two-way edge, a heap that reaches the
 * cycle and an isolated heap, fills each heap with known blocks, then makes
 * every allocation of its own thread fail: kheap's fault point fail_alloc
 * at 100% (armed here), and the kernel's failslab and fail_page_alloc at
 * 100% (armed by /init through debugfs, with the module parameter armed=1
 * saying so; task-filter on, so no other task sees a failure). Under that,
 * every query of the hierarchy and of the heaps answers exactly what it
 * answered before, many times over, and fail_alloc injected no failure but
 * the one the test's own control allocation drew. Controls prove the
 * injection is live: kmalloc(), the page allocator, kheap_alloc() and
 * kheap_link() fail.
 * Nothing is asserted while injection is on (KUnit's messages allocate).
 */
#include <kunit/test.h>
#include <linux/fault-inject.h>
#include <linux/gfp.h>
#include <linux/module.h>
#include <linux/sched.h>
#include <linux/slab.h>

#include "../kmod/kheap_kunit.h"
#include "kheap_test_util.h"

static bool armed;
module_param(armed, bool, 0444);
MODULE_PARM_DESC(armed, "set by /init once failslab is armed at 100%");

#define HN_HEAPS 6
#define HN_ROUNDS 200
#define HN_TIMES 1000000

/* The graph: 0 -> 1 -> 2 -> 0, 2 <-> 3, 4 -> 0, 5 alone. */
static const u8 hn_edges[][2] = {
	{ 0, 1 }, { 1, 2 }, { 2, 0 }, { 2, 3 }, { 3, 2 }, { 4, 0 },
};

/* What each heap reaches, itself included, as a bit mask. */
static unsigned int hn_reach(unsigned int from)
{
	unsigned int seen = BIT(from), before, e;

	do {
		before = seen;
		for (e = 0; e < ARRAY_SIZE(hn_edges); e++) {
			if (seen & BIT(hn_edges[e][0]))
				seen |= BIT(hn_edges[e][1]);
		}
	} while (seen != before);
	return seen;
}

/**
 * struct hn_bad - checks that did not hold while injection was on
 * @n:		how many
 * @first:	the first of them
 * @round:	and its round
 */
struct hn_bad {
	unsigned long n;
	const char *first;
	unsigned int round;
};

static void hn_check(struct hn_bad *b, bool ok, const char *what,
		     unsigned int round)
{
	if (likely(ok))
		return;
	if (!b->n++) {
		b->first = what;
		b->round = round;
	}
}

static void hn_disarm(void *arg)
{
	struct fault_attr *attr = arg;

	current->make_it_fail = 0;
	WRITE_ONCE(attr->probability, 0);
	attr->task_filter = false;
	attr->verbose = 2; /* the defaults of FAULT_ATTR_INITIALIZER */
	atomic_set(&attr->times, 1);
}

static void hier_nomem_test_queries(struct kunit *test)
{
	size_t bytes[HN_HEAPS] = {}, count[HN_HEAPS] = {};
	size_t hbytes[HN_HEAPS], hcount[HN_HEAPS], peak[HN_HEAPS];
	size_t dbytes, dcount, dhbytes, dhcount;
	struct fault_attr *attr = kheap_test_fail_alloc();
	unsigned long invalid = kheap_invalid_frees(), injected;
	struct kheap *h[HN_HEAPS];
	bool slab_failed, page_failed, kheap_failed;
	unsigned long page;
	struct hn_bad bad = {};
	unsigned int i, j, e, round;
	void *p[HN_HEAPS];
	int link_ret;

	if (!armed)
		kunit_skip(test, "failslab not armed (armed=0)");
	KUNIT_ASSERT_EQ(test, READ_ONCE(attr->probability), 0UL);

	for (i = 0; i < HN_HEAPS; i++) {
		h[i] = kt_heap(test);
		/* i + 1 blocks of distinct sizes per heap. */
		for (j = 0; j <= i; j++) {
			size_t size = 1 + 7 * i + j;

			p[i] = kt_block(test, h[i], size);
			bytes[i] += size;
			count[i]++;
		}
	}
	for (e = 0; e < ARRAY_SIZE(hn_edges); e++)
		KUNIT_ASSERT_EQ(test, 0,
				kheap_link(h[hn_edges[e][0]],
					   h[hn_edges[e][1]]));
	for (i = 0; i < HN_HEAPS; i++) {
		unsigned int reach = hn_reach(i);

		hbytes[i] = 0;
		hcount[i] = 0;
		for (j = 0; j < HN_HEAPS; j++) {
			if (reach & BIT(j)) {
				hbytes[i] += bytes[j];
				hcount[i] += count[j];
			}
		}
		KUNIT_ASSERT_EQ(test, kheap_hier_bytes(h[i]), hbytes[i]);
		KUNIT_ASSERT_EQ(test, kheap_hier_count(h[i]), hcount[i]);
		peak[i] = kheap_peak_bytes(h[i]);
	}
	/* The default heap (NULL): nothing else allocates there now. */
	dbytes = kheap_bytes(NULL);
	dcount = kheap_count(NULL);
	dhbytes = kheap_hier_bytes(NULL);
	dhcount = kheap_hier_count(NULL);

	/* From here on every allocation of this thread fails. */
	KUNIT_ASSERT_EQ(test, 0,
			kunit_add_action_or_reset(test, hn_disarm, attr));
	attr->verbose = 0;
	attr->task_filter = true;
	attr->interval = 1;
	atomic_set(&attr->space, 0);
	atomic_set(&attr->times, HN_TIMES);
	WRITE_ONCE(attr->probability, 100);
	current->make_it_fail = 1;

	for (round = 0; round < HN_ROUNDS; round++) {
		for (i = 0; i < HN_HEAPS; i++) {
			hn_check(&bad, kheap_hier_bytes(h[i]) == hbytes[i],
				 "kheap_hier_bytes", round);
			hn_check(&bad, kheap_hier_count(h[i]) == hcount[i],
				 "kheap_hier_count", round);
			hn_check(&bad, kheap_bytes(h[i]) == bytes[i],
				 "kheap_bytes", round);
			hn_check(&bad, kheap_count(h[i]) == count[i],
				 "kheap_count", round);
			hn_check(&bad, kheap_peak_bytes(h[i]) == peak[i],
				 "kheap_peak_bytes", round);
			hn_check(&bad, !kheap_overruns(h[i]), "kheap_overruns",
				 round);
			hn_check(&bad, kheap_of(p[i]) == h[i], "kheap_of",
				 round);
			hn_check(&bad, kheap_size(p[i]) == 1 + 8 * i,
				 "kheap_size", round);
		}
		hn_check(&bad, kheap_hier_bytes(NULL) == dhbytes,
			 "kheap_hier_bytes(NULL)", round);
		hn_check(&bad, kheap_hier_count(NULL) == dhcount,
			 "kheap_hier_count(NULL)", round);
		hn_check(&bad, kheap_bytes(NULL) == dbytes, "kheap_bytes(NULL)",
			 round);
		hn_check(&bad, kheap_count(NULL) == dcount, "kheap_count(NULL)",
			 round);
		hn_check(&bad, kheap_invalid_frees() == invalid,
			 "kheap_invalid_frees", round);
		if (!(round % 32))
			cond_resched();
	}

	/* Controls: the injection is live for this thread. */
	p[0] = kmalloc(64, GFP_KERNEL);
	slab_failed = !p[0];
	kfree(p[0]);
	/* fail_page_alloc fails order 1 and up (its min-order). */
	page = __get_free_pages(GFP_KERNEL, 1);
	page_failed = !page;
	if (page)
		free_pages(page, 1);
	link_ret = kheap_link(h[5], h[0]);
	p[0] = kheap_alloc(h[0], 64, GFP_KERNEL);
	kheap_failed = !p[0];
	kheap_free(p[0]);

	current->make_it_fail = 0;
	WRITE_ONCE(attr->probability, 0);
	injected = HN_TIMES - atomic_read(&attr->times);

	KUNIT_EXPECT_EQ_MSG(test, bad.n, 0UL,
			    "wrong answers, round %u first: %s", bad.round,
			    bad.first ?: "");
	KUNIT_EXPECT_TRUE_MSG(test, slab_failed, "failslab is not armed");
	KUNIT_EXPECT_TRUE_MSG(test, page_failed,
			      "fail_page_alloc is not armed");
	KUNIT_EXPECT_EQ(test, link_ret, -ENOMEM);
	KUNIT_EXPECT_TRUE_MSG(test, kheap_failed, "fail_alloc is not armed");
	/* The queries drew no failure of kheap's: only the control did. */
	KUNIT_EXPECT_EQ(test, injected, 1UL);
	kunit_info(test, "%u rounds, %u heaps: fail_alloc injected %lu\n",
		   HN_ROUNDS, HN_HEAPS, injected);
}

static struct kunit_case kheap_hier_nomem_cases[] = {
	KUNIT_CASE(hier_nomem_test_queries),
	{}
};

static struct kunit_suite kheap_hier_nomem_suite = {
	.name = "kheap_hier_nomem",
	.test_cases = kheap_hier_nomem_cases,
};

kunit_test_suite(kheap_hier_nomem_suite);

MODULE_DESCRIPTION("kheap KUnit: hierarchy queries allocate nothing");
MODULE_LICENSE("GPL");
KHEAP_IMPORT_NS();
MODULE_IMPORT_NS(EXPORTED_FOR_KUNIT_TESTING);
