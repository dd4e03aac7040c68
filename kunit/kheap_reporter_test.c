// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite kheap_reporter: reporters attached to heaps, kheap's own two,
 * and kheap's events.
 */
#include <kunit/test.h>
#include <linux/kmsg_dump.h>
#include <linux/module.h>

#include "kheap_test_util.h"
#include "../kmod/kheap_trace.h"

static void reporter_test_callbacks(struct kunit *test)
{
	struct kheap *heap = kt_heap(test);
	struct kt_capture *cap = kt_capture(test, heap);
	void *p = kheap_alloc(heap, 77, GFP_KERNEL);
	u64 id;

	KUNIT_ASSERT_NOT_NULL(test, p);
	KUNIT_ASSERT_EQ(test, cap->allocs, 1);
	KUNIT_EXPECT_PTR_EQ(test, cap->last_alloc.heap,
			    (const struct kheap *)heap);
	KUNIT_EXPECT_PTR_EQ(test, cap->last_alloc.ptr, (const void *)p);
	KUNIT_EXPECT_EQ(test, cap->last_alloc.size, 77);
	KUNIT_EXPECT_GE(test, cap->last_alloc.id, 1);
	KUNIT_EXPECT_NE(test, cap->last_alloc.time_ns, 0);
	id = cap->last_alloc.id;

	KUNIT_EXPECT_EQ(test, kheap_report(heap, id, id), 1);
	KUNIT_EXPECT_EQ(test, cap->reports, 1);
	KUNIT_EXPECT_EQ(test, cap->report_ids[0], id);

	kheap_free(p);
	KUNIT_ASSERT_EQ(test, cap->frees, 1);
	KUNIT_EXPECT_EQ(test, cap->last_free.id, id);
	KUNIT_EXPECT_EQ(test, cap->last_free.size, 77);
	KUNIT_EXPECT_PTR_EQ(test, cap->last_free.ptr, (const void *)p);
}

static void reporter_test_detach(struct kunit *test)
{
	struct kheap *heap = kt_heap(test);
	struct kt_capture *cap = kt_capture(test, heap);
	void *p = kheap_alloc(heap, 5, GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, p);
	KUNIT_EXPECT_EQ(test, kheap_set_reporter(heap, NULL), 0);
	kheap_free(p);
	p = kheap_alloc(heap, 5, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, p);
	kheap_free(p);
	KUNIT_EXPECT_EQ(test, cap->allocs, 1);
	KUNIT_EXPECT_EQ(test, cap->frees, 0);
}

static void reporter_test_leak_report(struct kunit *test)
{
	struct kheap *heap = kt_heap(test);
	struct kt_capture *cap = kt_capture(test, heap);
	void *p = kheap_alloc(heap, 31, GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, p);
	/* Destroyed with its reporter on: detaching would touch it after. */
	kunit_remove_action(test, kt_detach, heap);
	kunit_release_action(test, kt_heap_destroy, heap);
	KUNIT_EXPECT_EQ(test, cap->reports, 1);
	KUNIT_EXPECT_EQ(test, cap->report_ids[0], cap->last_alloc.id);
	kheap_free(p);
}

static const struct kheap_reporter_ops reporter_empty_ops = {};

/* What kheap's tracepoints carried for one heap (by its name). */
struct rep_trace {
	const char *heap;
	int allocs, frees;
	struct {
		const void *ptr;
		size_t size;
		u64 id;
	} alloc, free;
};

static void rep_trace_alloc(void *data, const char *name,
			    unsigned long call_site, const void *ptr,
			    size_t bytes_req, size_t bytes_alloc,
			    gfp_t gfp_flags, u64 id)
{
	struct rep_trace *t = data;

	if (strcmp(name, t->heap))
		return;
	t->allocs++;
	t->alloc.ptr = ptr;
	t->alloc.size = bytes_req;
	t->alloc.id = id;
}

static void rep_trace_free(void *data, const char *name,
			   unsigned long call_site, const void *ptr,
			   size_t bytes_req, u64 id)
{
	struct rep_trace *t = data;

	if (strcmp(name, t->heap))
		return;
	t->frees++;
	t->free.ptr = ptr;
	t->free.size = bytes_req;
	t->free.id = id;
}

static void rep_trace_off(void *data)
{
	unregister_trace_kheap_free(rep_trace_free, data);
	unregister_trace_kheap_alloc(rep_trace_alloc, data);
	tracepoint_synchronize_unregister();
}

static void reporter_test_builtin(struct kunit *test)
{
	const struct kheap_reporter bad = { .ops = NULL };
	const struct kheap_reporter empty = { .ops = &reporter_empty_ops };
	struct kheap *heap = kt_heap(test);
	struct rep_trace *t = kunit_kzalloc(test, sizeof(*t), GFP_KERNEL);
	char what[64];
	void *p;

	KUNIT_ASSERT_NOT_NULL(test, t);
	KUNIT_EXPECT_EQ(test, kheap_set_reporter(heap, &bad), -EINVAL);
	/* No callback at all: the block is listed, to no one. */
	KUNIT_EXPECT_EQ(test, kheap_set_reporter(heap, &empty), 0);
	p = kheap_alloc(heap, 3, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, p);
	KUNIT_EXPECT_EQ(test, kheap_report(heap, 0, U64_MAX), 1);
	kheap_free(p);

	/*
	 * The trace reporter does nothing: kheap:kheap_alloc and kheap_free
	 * fire from the tracked paths, once each, with it or without.
	 */
	t->heap = kheap_name(heap);
	KUNIT_ASSERT_EQ(test, 0,
			register_trace_kheap_alloc(rep_trace_alloc, t));
	if (register_trace_kheap_free(rep_trace_free, t)) {
		unregister_trace_kheap_alloc(rep_trace_alloc, t);
		tracepoint_synchronize_unregister();
		KUNIT_FAIL_AND_ABORT(test, "register_trace_kheap_free");
	}
	KUNIT_ASSERT_EQ(test, 0,
			kunit_add_action_or_reset(test, rep_trace_off, t));
	KUNIT_EXPECT_EQ(test, kheap_set_reporter(heap, &kheap_trace_reporter),
			0);
	p = kheap_alloc(heap, 5, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, p);
	kheap_free(p);
	KUNIT_EXPECT_EQ(test, t->allocs, 1);
	KUNIT_EXPECT_EQ(test, t->frees, 1);
	KUNIT_EXPECT_PTR_EQ(test, t->alloc.ptr, (const void *)p);
	KUNIT_EXPECT_EQ(test, t->alloc.size, 5);
	KUNIT_EXPECT_GE(test, t->alloc.id, 1);
	KUNIT_EXPECT_EQ(test, t->free.id, t->alloc.id);
	KUNIT_EXPECT_EQ(test, t->free.size, 5);

	/* The console reporter: the report is in the log (not ratelimited). */
	KUNIT_EXPECT_EQ(test, kheap_set_reporter(heap, &kheap_console_reporter),
			0);
	p = kheap_alloc(heap, 7, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, p);
	KUNIT_EXPECT_EQ(test, kheap_report(heap, 0, U64_MAX), 1);
	snprintf(what, sizeof(what),
		 "kheap: report heap=%s id=", kheap_name(heap));
	KUNIT_EXPECT_EQ_MSG(test, kt_kmsg_count(test, what, " size=7 age="), 1,
			    "lines with '%s'", what);
	kheap_free(p);
	/* The events fire with any reporter, the console's too. */
	KUNIT_EXPECT_EQ(test, t->allocs, 2);
	KUNIT_EXPECT_EQ(test, t->frees, 2);
	KUNIT_EXPECT_PTR_EQ(test, t->free.ptr, (const void *)p);
	KUNIT_EXPECT_EQ(test, kheap_set_reporter(heap, NULL), 0);
	KUNIT_EXPECT_EQ(test, kheap_count(heap), 0);
}

static struct kunit_case kheap_reporter_cases[] = {
	KUNIT_CASE(reporter_test_callbacks),
	KUNIT_CASE(reporter_test_detach),
	KUNIT_CASE(reporter_test_leak_report),
	KUNIT_CASE(reporter_test_builtin),
	{}
};

static struct kunit_suite kheap_reporter_suite = {
	.name = "kheap_reporter",
	.test_cases = kheap_reporter_cases,
};

kunit_test_suite(kheap_reporter_suite);

MODULE_DESCRIPTION("KUnit tests for kheap's reporters");
MODULE_LICENSE("GPL");
KHEAP_IMPORT_NS();
