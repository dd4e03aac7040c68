// SPDX-License-Identifier: GPL-2.0
/*
 * A KUnit suite whose suite_init fails: KUnit prints no "# Subtest" and no
 * case, only the suite's "not ok". The harness must go red.
 */
#include <kunit/test.h>

static int broken_init(struct kunit_suite *suite)
{
	return -ENOMEM;
}

static void broken_test_never_runs(struct kunit *test)
{
}

static struct kunit_case broken_cases[] = {
	KUNIT_CASE(broken_test_never_runs),
	{}
};

static struct kunit_suite broken_suite = {
	.name = "kheap_broken_init",
	.suite_init = broken_init,
	.test_cases = broken_cases,
};
kunit_test_suite(broken_suite);

MODULE_DESCRIPTION("kheap harness check: a suite_init that fails");
MODULE_LICENSE("GPL");
