// SPDX-License-Identifier: GPL-2.0
/*
 * kheap fault injection: the fault point "fail_alloc".
 *
 * Built only with CONFIG_FAULT_INJECTION (kheap_internal.h has the stubs).
 * kheap consults it before every kmalloc() of a tracked block and before
 * allocating a heap, so it reaches kheap_alloc() and its variants, the
 * sentry macros, kheap_create(), chain creation and growth, and the object
 * area of kheap_pool_create(). With CONFIG_FAULT_INJECTION_DEBUG_FS it is
 * set up through /sys/kernel/debug/kheap/fail_alloc/ (debugfs.c makes it),
 * with the knobs every fault point has
 * (Documentation/fault-injection/fault-injection.rst):
 *
 *	echo 0 >verbose; echo Y >task-filter; echo -1 >times
 *	echo 10 >probability		# fail 10% of kheap's allocations
 *
 * While probability is 0 an allocation pays for one load and a branch; the
 * task's fail-nth (/proc/<pid>/fail-nth) reaches this point only while
 * probability is not 0.
 */
#include <kunit/visibility.h>
#include <linux/export.h>
#include <linux/fault-inject.h>

#include "kheap_internal.h"

DECLARE_FAULT_ATTR(kheap_fail_alloc);

bool __kheap_should_fail(size_t size, gfp_t gfp)
{
	/* __GFP_NOFAIL promises success; failslab does not fail it either. */
	if (gfp & __GFP_NOFAIL)
		return false;
	return should_fail(&kheap_fail_alloc, size);
}

/**
 * kheap_test_fail_alloc() - kheap's fault point, for kheap's own tests
 *
 * The attributes behind debugfs kheap/fail_alloc/, so that a KUnit suite
 * can arm and read them without going through debugfs. Not for clients.
 * Context: Any context.
 * Return: the fault point's struct fault_attr.
 */
struct fault_attr *kheap_test_fail_alloc(void)
{
	return &kheap_fail_alloc;
}
EXPORT_SYMBOL_IF_KUNIT(kheap_test_fail_alloc);
