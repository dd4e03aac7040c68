// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite kheap_heap: kheap heaps, the seed's heap tests translated
 * (tracked allocation's misuse, bookmarks, leaks and contexts are suite
 * kheap_track, in kheap_track_test.c).
 */
#include <kunit/test.h>
#include <linux/sched.h>
#include <linux/sizes.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "kheap_test_util.h"

static void heap_test_default_exists(struct kunit *test)
{
	struct kheap *def = kheap_default();

	KUNIT_ASSERT_NOT_NULL(test, def);
	KUNIT_EXPECT_STREQ(test, kheap_name(def), "default");
	KUNIT_EXPECT_PTR_EQ(test, kheap_default(), def);
}

static void heap_test_create_names(struct kunit *test)
{
	char name[KHEAP_NAME_MAX + 2];
	struct kheap *heap;

	KUNIT_EXPECT_EQ(test, PTR_ERR(kheap_create(NULL)), -EINVAL);
	KUNIT_EXPECT_EQ(test, PTR_ERR(kheap_create("")), -EINVAL);
	KUNIT_EXPECT_EQ(test, PTR_ERR(kheap_create("a/b")), -EINVAL);
	KUNIT_EXPECT_EQ(test, PTR_ERR(kheap_create("a b")), -EINVAL);
	KUNIT_EXPECT_EQ(test, PTR_ERR(kheap_create("tab\t")), -EINVAL);
	KUNIT_EXPECT_EQ(test, PTR_ERR(kheap_create("bell\a")), -EINVAL);
	KUNIT_EXPECT_EQ(test, PTR_ERR(kheap_create("default")), -EEXIST);

	memset(name, 'n', sizeof(name));
	name[KHEAP_NAME_MAX + 1] = '\0';
	KUNIT_EXPECT_EQ(test, PTR_ERR(kheap_create(name)), -EINVAL);
	name[KHEAP_NAME_MAX] = '\0';
	heap = kheap_create(name);
	KUNIT_ASSERT_FALSE(test, IS_ERR(heap));
	KUNIT_EXPECT_STREQ(test, kheap_name(heap), name);
	KUNIT_EXPECT_EQ(test, PTR_ERR(kheap_create(name)), -EEXIST);
	kheap_destroy(heap);
	/* The name is free again once the heap is gone. */
	heap = kheap_create(name);
	KUNIT_ASSERT_FALSE(test, IS_ERR(heap));
	kheap_destroy(heap);
	kheap_destroy(NULL);
}

static void heap_test_alloc_free_counts(struct kunit *test)
{
	struct kheap *heap = kt_heap(test);
	void *a, *b, *c;

	a = kheap_alloc(heap, 100, GFP_KERNEL);
	b = kheap_alloc(heap, 200, GFP_KERNEL);
	c = kheap_alloc(heap, 300, GFP_KERNEL);
	KUNIT_ASSERT_TRUE(test, a && b && c);
	KUNIT_EXPECT_EQ(test, kheap_count(heap), 3);
	KUNIT_EXPECT_EQ(test, kheap_bytes(heap), 600);
	KUNIT_EXPECT_EQ(test, kheap_size(b), 200);
	KUNIT_EXPECT_PTR_EQ(test, kheap_of(c), heap);

	kheap_free(b);
	KUNIT_EXPECT_EQ(test, kheap_count(heap), 2);
	KUNIT_EXPECT_EQ(test, kheap_bytes(heap), 400);
	kheap_free(a);
	kheap_free(c);
	KUNIT_EXPECT_EQ(test, kheap_count(heap), 0);
	KUNIT_EXPECT_EQ(test, kheap_bytes(heap), 0);
	KUNIT_EXPECT_EQ(test, kheap_peak_bytes(heap), 600);
}

static void heap_test_array(struct kunit *test)
{
	struct kheap *heap = kt_heap(test);
	u64 *v;

	v = kheap_alloc_array(heap, 10, sizeof(*v), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, v);
	v[9] = 9;
	KUNIT_EXPECT_EQ(test, kheap_bytes(heap), 10 * sizeof(*v));
	KUNIT_EXPECT_NULL(test,
			  kheap_alloc_array(heap, SIZE_MAX / 2, 3, GFP_KERNEL));
	KUNIT_EXPECT_EQ(test, kheap_count(heap), 1);
	kheap_free(v);
	KUNIT_EXPECT_EQ(test, kheap_count(heap), 0);
}

/* The seed's removal tests: from the head, the tail and the middle. */
static void heap_test_remove_positions(struct kunit *test)
{
	struct kheap *heap = kt_heap(test);
	struct kt_capture *cap = kt_capture(test, heap);
	void *p[5];
	int i;

	for (i = 0; i < 5; i++) {
		p[i] = kheap_alloc(heap, 10 * (i + 1), GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, p[i]);
	}
	kheap_free(p[0]); /* head */
	KUNIT_EXPECT_EQ(test, kheap_bytes(heap), 140);
	kheap_free(p[4]); /* tail */
	KUNIT_EXPECT_EQ(test, kheap_bytes(heap), 90);
	kheap_free(p[2]); /* middle */
	KUNIT_EXPECT_EQ(test, kheap_bytes(heap), 60);
	KUNIT_EXPECT_EQ(test, kheap_count(heap), 2);
	KUNIT_EXPECT_EQ(test, kheap_report(heap, 0, U64_MAX), 2);
	KUNIT_EXPECT_EQ(test, cap->reports, 2);
	kheap_free(p[1]);
	kheap_free(p[3]);
	KUNIT_EXPECT_EQ(test, kheap_count(heap), 0);
}

#define STRESS_N 5000

static void heap_test_stress_every_other(struct kunit *test)
{
	struct kheap *heap = kt_heap(test);
	struct kt_capture *cap = kt_capture(test, heap);
	void **p;
	int i;

	p = kunit_kcalloc(test, STRESS_N, sizeof(*p), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, p);
	for (i = 0; i < STRESS_N; i++) {
		p[i] = kheap_alloc(heap, 1 + i % 64, GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, p[i]);
	}
	KUNIT_EXPECT_EQ(test, kheap_count(heap), STRESS_N);
	for (i = 0; i < STRESS_N; i += 2)
		kheap_free(p[i]);
	KUNIT_EXPECT_EQ(test, kheap_count(heap), STRESS_N / 2);
	KUNIT_EXPECT_EQ(test, kheap_report(heap, 0, U64_MAX), STRESS_N / 2);
	KUNIT_EXPECT_EQ(test, cap->reports, STRESS_N / 2);
	KUNIT_EXPECT_EQ(test, cap->allocs, STRESS_N);
	for (i = 1; i < STRESS_N; i += 2)
		kheap_free(p[i]);
	KUNIT_EXPECT_EQ(test, kheap_count(heap), 0);
	KUNIT_EXPECT_EQ(test, kheap_bytes(heap), 0);
}

static void heap_test_reuse_after_free(struct kunit *test)
{
	unsigned long invalid = kheap_invalid_frees();
	struct kheap *heap = kt_heap(test);
	int i;

	for (i = 0; i < 100; i++) {
		char *p = kheap_alloc(heap, 48, GFP_KERNEL);

		KUNIT_ASSERT_NOT_NULL(test, p);
		memset(p, i, 48);
		KUNIT_EXPECT_EQ(test, kheap_count(heap), 1);
		kheap_free(p);
	}
	KUNIT_EXPECT_EQ(test, kheap_count(heap), 0);
	KUNIT_EXPECT_EQ(test, kheap_peak_bytes(heap), 48);
	KUNIT_EXPECT_EQ(test, kheap_invalid_frees(), invalid);
}

static void heap_test_zero_size(struct kunit *test)
{
	struct kheap *heap = kt_heap(test);
	void *p = kheap_alloc(heap, 0, GFP_KERNEL);
	void *q = kheap_alloc(heap, 0, GFP_KERNEL);

	KUNIT_ASSERT_TRUE(test, p && q);
	KUNIT_EXPECT_PTR_NE(test, p, q);
	KUNIT_EXPECT_EQ(test, kheap_count(heap), 2);
	KUNIT_EXPECT_EQ(test, kheap_bytes(heap), 0);
	KUNIT_EXPECT_PTR_EQ(test, kheap_of(p), heap);
	kheap_free(p);
	kheap_free(q);
	KUNIT_EXPECT_EQ(test, kheap_count(heap), 0);
}

static void heap_test_free_null(struct kunit *test)
{
	unsigned long invalid = kheap_invalid_frees();

	kheap_free(NULL);
	KUNIT_EXPECT_EQ(test, kheap_invalid_frees(), invalid);
	KUNIT_EXPECT_NULL(test, kheap_of(NULL));
	KUNIT_EXPECT_EQ(test, kheap_size(NULL), 0);
}

static void heap_test_one_mib(struct kunit *test)
{
	struct kheap *heap = kt_heap(test);
	u8 *p = kheap_alloc(heap, SZ_1M, GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, p);
	p[0] = 1;
	p[SZ_1M - 1] = 2;
	KUNIT_EXPECT_EQ(test, kheap_bytes(heap), SZ_1M);
	kheap_free(p);
	KUNIT_EXPECT_EQ(test, kheap_overruns(heap), 0);
	KUNIT_EXPECT_EQ(test, kheap_bytes(heap), 0);
}

static void heap_test_switch_heaps(struct kunit *test)
{
	struct kheap *a = kt_heap(test), *b = kt_heap(test);
	void *p[6];
	int i;

	for (i = 0; i < 6; i++) {
		p[i] = kheap_alloc(i & 1 ? b : a, 32, GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, p[i]);
	}
	KUNIT_EXPECT_EQ(test, kheap_count(a), 3);
	KUNIT_EXPECT_EQ(test, kheap_count(b), 3);
	for (i = 0; i < 6; i++)
		KUNIT_EXPECT_PTR_EQ(test, kheap_of(p[i]), i & 1 ? b : a);
	for (i = 0; i < 6; i++)
		kheap_free(p[i]);
	KUNIT_EXPECT_EQ(test, kheap_count(a) + kheap_count(b), 0);
}

static void heap_test_null_is_default(struct kunit *test)
{
	size_t before = kheap_count(kheap_default());
	void *p = kheap_alloc(NULL, 24, GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, p);
	KUNIT_EXPECT_PTR_EQ(test, kheap_of(p), kheap_default());
	KUNIT_EXPECT_EQ(test, kheap_count(NULL), before + 1);
	kheap_free(p);
	KUNIT_EXPECT_EQ(test, kheap_count(NULL), before);
}

static void heap_test_zalloc(struct kunit *test)
{
	struct kheap *heap = kt_heap(test);
	u8 *p = kheap_zalloc(heap, 333, GFP_KERNEL);
	int i, nonzero = 0;

	KUNIT_ASSERT_NOT_NULL(test, p);
	for (i = 0; i < 333; i++)
		nonzero += p[i] != 0;
	KUNIT_EXPECT_EQ(test, nonzero, 0);
	kheap_free(p);
}

static const size_t heap_aligns[] = { 8,   16,	32,   64,   128,
				      256, 512, 1024, 2048, 4096 };

static void heap_align_desc(const size_t *align, char *desc)
{
	snprintf(desc, KUNIT_PARAM_DESC_SIZE, "align %zu", *align);
}

KUNIT_ARRAY_PARAM(heap_align, heap_aligns, heap_align_desc);

static void heap_test_alignment(struct kunit *test)
{
	const size_t align = *(const size_t *)test->param_value;
	struct kheap *heap = kt_heap(test);
	u8 *p[3];
	int i;

	for (i = 0; i < 3; i++) {
		p[i] = kheap_alloc_aligned(heap, 100 + i, align, GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, p[i]);
		KUNIT_EXPECT_TRUE(test, IS_ALIGNED((unsigned long)p[i], align));
		memset(p[i], 0xa5, 100 + i);
	}
	KUNIT_EXPECT_EQ(test, kheap_bytes(heap), 303);
	for (i = 0; i < 3; i++)
		kheap_free(p[i]);
	KUNIT_EXPECT_EQ(test, kheap_overruns(heap), 0);
	KUNIT_EXPECT_EQ(test, kheap_count(heap), 0);
}

static void heap_test_bad_alignment(struct kunit *test)
{
	struct kheap *heap = kt_heap(test);

	KUNIT_EXPECT_NULL(test, kheap_alloc_aligned(heap, 8, 3, GFP_KERNEL));
	KUNIT_EXPECT_NULL(test, kheap_alloc_aligned(heap, 8, 0, GFP_KERNEL));
	KUNIT_EXPECT_NULL(test, kheap_alloc_aligned(heap, 8, PAGE_SIZE * 2,
						    GFP_KERNEL));
	KUNIT_EXPECT_EQ(test, kheap_count(heap), 0);
}

static void heap_test_alloc_failure(struct kunit *test)
{
	struct kheap *heap = kt_heap(test);
	void *keep = kheap_alloc(heap, 10, GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, keep);
	KUNIT_EXPECT_NULL(test, kheap_alloc(heap, SIZE_MAX, GFP_KERNEL));
	/* Past what the page allocator gives: kmalloc fails, quietly. */
	KUNIT_EXPECT_NULL(test,
			  kheap_alloc(heap, SZ_1G, GFP_KERNEL | __GFP_NOWARN));
	KUNIT_EXPECT_EQ(test, kheap_count(heap), 1);
	KUNIT_EXPECT_EQ(test, kheap_bytes(heap), 10);
	KUNIT_EXPECT_EQ(test, kheap_peak_bytes(heap), 10);
	kheap_free(keep);
}

static struct kunit_case kheap_heap_cases[] = {
	KUNIT_CASE(heap_test_default_exists),
	KUNIT_CASE(heap_test_create_names),
	KUNIT_CASE(heap_test_alloc_free_counts),
	KUNIT_CASE(heap_test_array),
	KUNIT_CASE(heap_test_remove_positions),
	KUNIT_CASE(heap_test_stress_every_other),
	KUNIT_CASE(heap_test_reuse_after_free),
	KUNIT_CASE(heap_test_zero_size),
	KUNIT_CASE(heap_test_free_null),
	KUNIT_CASE(heap_test_one_mib),
	KUNIT_CASE(heap_test_switch_heaps),
	KUNIT_CASE(heap_test_null_is_default),
	KUNIT_CASE(heap_test_zalloc),
	KUNIT_CASE_PARAM(heap_test_alignment, heap_align_gen_params),
	KUNIT_CASE(heap_test_bad_alignment),
	KUNIT_CASE(heap_test_alloc_failure),
	{}
};

static struct kunit_suite kheap_heap_suite = {
	.name = "kheap_heap",
	.test_cases = kheap_heap_cases,
};

kunit_test_suite(kheap_heap_suite);

MODULE_DESCRIPTION("KUnit tests for kheap heaps");
MODULE_LICENSE("GPL");
KHEAP_IMPORT_NS();
