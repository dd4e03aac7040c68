// SPDX-License-Identifier: GPL-2.0
/*
 * A KUnit case that skips itself, a skip on no list (kunit/expected): the
 * harness must go red.
 */
#include <kunit/test.h>

static void broken_test_skip(struct kunit *test)
{
	kunit_skip(test, "skipped for no listed reason");
}

static struct kunit_case broken_cases[] = { KUNIT_CASE(broken_test_skip), {} };

static struct kunit_suite broken_suite = {
	.name = "kheap_broken_skip",
	.test_cases = broken_cases,
};
kunit_test_suite(broken_suite);

MODULE_DESCRIPTION("kheap harness check: a skip on no list");
MODULE_LICENSE("GPL");
