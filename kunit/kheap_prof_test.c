// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit test for memory allocation profiling (CONFIG_MEM_ALLOC_PROFILING,
 * the "prof" test kernel): a tracked allocation is charged in
 * /proc/allocinfo to the file and line of the client's call, not to
 * kheap's kmalloc(). Built only on kernels with profiling. Every block is
 * freed before the module unloads: with profiling, a module that unloads
 * with charged blocks WARNs.
 */
#include <kunit/test.h>
#include <linux/fs.h>
#include <linux/mm.h>
#include <linux/string.h>

#include <kheap/sentry.h>

#include "kheap_test_util.h"

#define PROF_BLOCKS 5
#define PROF_SIZE 3000
#define PROF_ALIGN 256
#define PROF_INFO_MAX (4 << 20)
/* A block of kheap's cache classes: + kheap's 64 bytes, kmalloc-192. */
#define PROF_SMALL 100
#define PROF_OVERHEAD 64

/*
 * One allocation through each of the allocation macros of <kheap/heap.h>
 * and <kheap/sentry.h>, each alone in its function, on the line after the
 * one that records __LINE__: allocinfo must name this file, that line and
 * that function. Every variant takes a kmalloc-4k object (3000 bytes, +
 * kheap's 64, + up to 256 of alignment).
 */
static noinline void *prof_kheap_alloc(struct kheap *heap, int *line)
{
	*line = __LINE__ + 1;
	return kheap_alloc(heap, PROF_SIZE, GFP_KERNEL);
}

static noinline void *prof_kheap_zalloc(struct kheap *heap, int *line)
{
	*line = __LINE__ + 1;
	return kheap_zalloc(heap, PROF_SIZE, GFP_KERNEL);
}

static noinline void *prof_kheap_alloc_aligned(struct kheap *heap, int *line)
{
	*line = __LINE__ + 1;
	return kheap_alloc_aligned(heap, PROF_SIZE, PROF_ALIGN, GFP_KERNEL);
}

static noinline void *prof_kheap_alloc_array(struct kheap *heap, int *line)
{
	*line = __LINE__ + 1;
	return kheap_alloc_array(heap, 3, PROF_SIZE / 3, GFP_KERNEL);
}

struct prof_obj {
	char b[PROF_SIZE];
};

struct prof_elem {
	char b[PROF_SIZE / 3];
};

KHEAP_SENTRY_DEFINE(prof_obj);
KHEAP_SENTRY_DEFINE(prof_elem);

static noinline void *prof_kheap_new(struct kheap *heap, int *line)
{
	struct prof_obj *o;

	kheap_sentry_set_heap(prof_obj, heap);
	*line = __LINE__ + 1;
	o = kheap_new(prof_obj, GFP_KERNEL);
	kheap_sentry_set_heap(prof_obj, NULL);
	return o;
}

static noinline void *prof_kheap_new_array(struct kheap *heap, int *line)
{
	struct prof_elem *o;

	kheap_sentry_set_heap(prof_elem, heap);
	*line = __LINE__ + 1;
	o = kheap_new_array(prof_elem, 3, GFP_KERNEL);
	kheap_sentry_set_heap(prof_elem, NULL);
	return o;
}

static noinline void *prof_small(struct kheap *heap, int *line)
{
	*line = __LINE__ + 1;
	return kheap_alloc(heap, PROF_SMALL, GFP_KERNEL);
}

struct prof_site {
	const char *func;
	void *(*alloc)(struct kheap *heap, int *line);
};

static const struct prof_site prof_sites[] = {
	{ "prof_kheap_alloc", prof_kheap_alloc },
	{ "prof_kheap_zalloc", prof_kheap_zalloc },
	{ "prof_kheap_alloc_aligned", prof_kheap_alloc_aligned },
	{ "prof_kheap_alloc_array", prof_kheap_alloc_array },
	{ "prof_kheap_new", prof_kheap_new },
	{ "prof_kheap_new_array", prof_kheap_new_array },
};

static void prof_site_desc(const struct prof_site *site, char *desc)
{
	strscpy(desc, site->func, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(prof_site, prof_sites, prof_site_desc);

struct prof_blocks {
	void *p[PROF_BLOCKS];
};

static void prof_free(void *arg)
{
	struct prof_blocks *b = arg;
	int i;

	for (i = 0; i < PROF_BLOCKS; i++) {
		kheap_free(b->p[i]);
		b->p[i] = NULL;
	}
}

/*
 * The bytes and calls /proc/allocinfo has for line @line of this file in
 * function @func: after a header of two lines, each line reads
 * "BYTES CALLS FILE:LINE [MODULE] func:FUNCTION" (6.10 to 6.12's format,
 * "allocinfo - version: 1.0"), FILE the path the compiler was given, which
 * ends in this file's base name.
 * Return: 0, -ENOENT when no line names it, or a negative errno.
 */
static int prof_allocinfo(struct kunit *test, int line, const char *func,
			  u64 *bytes, u64 *calls)
{
	char *buf, *l, *end, tag[96];
	struct file *f;
	loff_t pos = 0;
	ssize_t n, len = 0;
	int ret = -ENOENT;

	buf = kvmalloc(PROF_INFO_MAX, GFP_KERNEL);
	if (!buf)
		return -ENOMEM;
	f = filp_open("/proc/allocinfo", O_RDONLY, 0);
	if (IS_ERR(f)) {
		kvfree(buf);
		return PTR_ERR(f);
	}
	while (len < PROF_INFO_MAX - 1) {
		n = kernel_read(f, buf + len, PROF_INFO_MAX - 1 - len, &pos);
		if (n <= 0)
			break;
		len += n;
	}
	filp_close(f, NULL);
	buf[len] = '\0';
	if (!str_has_prefix(buf, "allocinfo - version: 1.")) {
		kunit_err(test, "/proc/allocinfo: unknown format: %.40s\n",
			  buf);
		kvfree(buf);
		return -EPROTO;
	}
	snprintf(tag, sizeof(tag), "%s:%d [" KBUILD_MODNAME "] func:%s ",
		 kbasename(__FILE__), line, func);
	for (l = buf; l && *l; l = end ? end + 1 : NULL) {
		end = strchr(l, '\n');
		if (end)
			*end = '\0';
		if (!strstr(l, tag))
			continue;
		kunit_info(test, "allocinfo: %s\n", strim(l));
		if (sscanf(l, "%llu %llu", bytes, calls) == 2)
			ret = 0;
		break;
	}
	kvfree(buf);
	return ret;
}

/* allocinfo charges @func's @line with PROF_BLOCKS calls of @each bytes. */
static void prof_expect_charged(struct kunit *test, int line, const char *func,
				u64 each)
{
	u64 bytes = 0, calls = 0;
	int ret = prof_allocinfo(test, line, func, &bytes, &calls);

	KUNIT_ASSERT_EQ_MSG(test, ret, 0,
			    "no /proc/allocinfo line for %s:%d func:%s",
			    kbasename(__FILE__), line, func);
	KUNIT_EXPECT_EQ(test, calls, PROF_BLOCKS);
	KUNIT_EXPECT_EQ(test, bytes, (u64)PROF_BLOCKS * each);
}

/*
 * PROF_BLOCKS blocks from one call site of one allocation macro: allocinfo
 * charges that line of this file, in that function, with each of them
 * (calls) and the kmalloc-4k object each took (bytes), and nothing once
 * they are freed. kheap's block cache is off with profiling, so every
 * block is a kmalloc().
 */
static void prof_test_allocinfo_names_client(struct kunit *test)
{
	const struct prof_site *site = test->param_value;
	struct kheap *heap = kt_heap(test);
	struct prof_blocks *b;
	u64 bytes = 0, calls = 0;
	int i, line = 0, ret;

	b = kunit_kzalloc(test, sizeof(*b), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, b);
	KUNIT_ASSERT_EQ(test, 0, kunit_add_action_or_reset(test, prof_free, b));
	for (i = 0; i < PROF_BLOCKS; i++) {
		b->p[i] = site->alloc(heap, &line);
		KUNIT_ASSERT_NOT_NULL(test, b->p[i]);
	}
	KUNIT_EXPECT_EQ(test, kheap_count(heap), PROF_BLOCKS);
	KUNIT_EXPECT_EQ(test, kheap_bytes(heap), PROF_BLOCKS * PROF_SIZE);

	prof_expect_charged(test, line, site->func, 4096);

	/* Freed: the line reads 0 0, or is not listed. */
	prof_free(b);
	bytes = 0;
	calls = 0;
	ret = prof_allocinfo(test, line, site->func, &bytes, &calls);
	KUNIT_EXPECT_TRUE(test, ret == 0 || ret == -ENOENT);
	KUNIT_EXPECT_EQ(test, calls, 0);
	KUNIT_EXPECT_EQ(test, bytes, 0);
}

/*
 * Small blocks, of the sizes kheap's per-CPU cache would serve: that cache
 * is off under profiling (a block it served would skip kmalloc()'s
 * accounting), so after blocks of the class were freed (which would fill
 * it), each new one is still a kmalloc() charged to its line: exactly
 * PROF_BLOCKS calls and objects.
 */
static void prof_test_small_blocks_uncached(struct kunit *test)
{
	struct kheap *heap = kt_heap(test);
	struct prof_blocks *b;
	int i, line = 0;

	b = kunit_kzalloc(test, sizeof(*b), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, b);
	KUNIT_ASSERT_EQ(test, 0, kunit_add_action_or_reset(test, prof_free, b));
	for (i = 0; i < PROF_BLOCKS; i++) {
		b->p[i] = kheap_alloc(heap, PROF_SMALL, GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, b->p[i]);
	}
	prof_free(b);
	for (i = 0; i < PROF_BLOCKS; i++) {
		b->p[i] = prof_small(heap, &line);
		KUNIT_ASSERT_NOT_NULL(test, b->p[i]);
	}
	prof_expect_charged(test, line, "prof_small",
			    kmalloc_size_roundup(PROF_SMALL + PROF_OVERHEAD));
}

static struct kunit_case kheap_prof_cases[] = {
	KUNIT_CASE_PARAM(prof_test_allocinfo_names_client,
			 prof_site_gen_params),
	KUNIT_CASE(prof_test_small_blocks_uncached),
	{}
};

static struct kunit_suite kheap_prof_suite = {
	.name = "kheap_prof",
	.test_cases = kheap_prof_cases,
};

kunit_test_suite(kheap_prof_suite);

MODULE_DESCRIPTION("KUnit test: /proc/allocinfo names kheap's client");
MODULE_LICENSE("GPL");
KHEAP_IMPORT_NS();
