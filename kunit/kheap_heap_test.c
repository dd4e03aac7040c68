// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests for kheap heaps.
 */
#include <kunit/test.h>
#include <linux/string.h>

#include <kheap/kheap.h>

static void heap_test_default_exists(struct kunit *test)
{
	struct kheap *def = kheap_default();

	KUNIT_ASSERT_NOT_NULL(test, def);
	KUNIT_EXPECT_STREQ(test, kheap_name(def), "default");
	KUNIT_EXPECT_PTR_EQ(test, kheap_default(), def);
}

static struct kunit_case kheap_heap_cases[] = {
	KUNIT_CASE(heap_test_default_exists),
	{}
};

static struct kunit_suite kheap_heap_suite = {
	.name = "kheap_heap",
	.test_cases = kheap_heap_cases,
};
kunit_test_suite(kheap_heap_suite);

MODULE_DESCRIPTION("KUnit tests for kheap heaps");
MODULE_LICENSE("GPL");
