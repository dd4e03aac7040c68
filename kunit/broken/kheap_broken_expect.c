// SPDX-License-Identifier: GPL-2.0
/* A KUnit suite with one failing expectation: the harness must go red. */
#include <kunit/test.h>

static void broken_test_expect(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, 1 + 1, 3);
}

static struct kunit_case broken_cases[] = { KUNIT_CASE(broken_test_expect),
					    {} };

static struct kunit_suite broken_suite = {
	.name = "kheap_broken_expect",
	.test_cases = broken_cases,
};
kunit_test_suite(broken_suite);

MODULE_DESCRIPTION("kheap harness check: a failing expectation");
MODULE_LICENSE("GPL");
