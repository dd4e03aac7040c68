// SPDX-License-Identifier: GPL-2.0
/*
 * kheap_bench: kheap's allocators side by side with what a kernel developer
 * would use instead, measured in one boot. Everything runs at load; the
 * results go to the console, one line each (see kb_print()), and
 * scripts/bench.sh turns them into build/bench.csv, a table and a chart.
 *
 * Not a test: it fails nothing. It belongs on a kernel without sanitizers
 * or lock debugging (scripts/kconfig/bench.config).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/cpumask.h>
#include <linux/err.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/utsname.h>

#include "kheap_bench.h"
#include "kheap_internal.h"

unsigned int kb_reps = 5;
module_param_named(reps, kb_reps, uint, 0444);
MODULE_PARM_DESC(reps, "repetitions per case, 1..9 (median, min, max)");

unsigned int kb_rep_ms = 40;
module_param_named(rep_ms, kb_rep_ms, uint, 0444);
MODULE_PARM_DESC(rep_ms, "target length of one repetition, ms");

unsigned int kb_scale_ms = 300;
module_param_named(scale_ms, kb_scale_ms, uint, 0444);
MODULE_PARM_DESC(scale_ms, "length of one repetition of the scaling runs, ms");

unsigned int kb_warmup = 2000;
module_param_named(warmup, kb_warmup, uint, 0444);
MODULE_PARM_DESC(warmup, "operations of the warm-up pass");

static unsigned int kb_lat_samples = 50000;
module_param_named(lat_samples, kb_lat_samples, uint, 0444);
MODULE_PARM_DESC(lat_samples, "timed operations per latency run");

bool kb_verbose;
module_param_named(verbose, kb_verbose, bool, 0444);
MODULE_PARM_DESC(verbose, "also print each repetition's figures");

static char *kb_tests = "all";
module_param_named(tests, kb_tests, charp, 0444);
MODULE_PARM_DESC(tests, "all, or a comma-separated list of tests (README)");

static char *kb_debugfs = "/sys/kernel/debug";
module_param_named(debugfs, kb_debugfs, charp, 0444);
MODULE_PARM_DESC(debugfs, "where debugfs is mounted");

static const size_t kb_sizes[] = { 64, 256, 1024 };

static bool kb_want(const char *test)
{
	const char *p = kb_tests;
	size_t len = strlen(test);

	if (!strcmp(kb_tests, "all"))
		return true;
	while ((p = strstr(p, test))) {
		bool start = p == kb_tests || p[-1] == ',';

		if (start && (p[len] == ',' || !p[len]))
			return true;
		p += len;
	}
	return false;
}

static const struct kb_alloc *kb_alloc_named(const char *name)
{
	unsigned int i;

	for (i = 0; i < kb_nr_allocs; i++) {
		if (!strcmp(kb_allocs[i]->name, name))
			return kb_allocs[i];
	}
	return NULL;
}

static void kb_do(struct kb_ctx *ctx, const struct kb_spec *spec, size_t size)
{
	struct kb_result res;
	int err = kb_run(ctx, spec, &res);

	if (err)
		pr_info("skip,%s,%s,%zu,%u,%d\n", spec->test, spec->name, size,
			spec->nr, err);
	else
		kb_print(spec, size, &res);
}

/* Header and trailer of a tracked block, and the kmalloc class it needs. */
static void kb_mem(struct kb_ctx *ctx)
{
	const struct kheap_hdr *hdr;
	void *p, *base;
	size_t head;

	p = kheap_alloc(ctx->heap, ctx->size, GFP_KERNEL);
	if (!p)
		return;
	hdr = (const struct kheap_hdr *)p - 1;
	base = (void *)hdr - hdr->offset;
	head = p - base;
	/* mem,CASE,SIZE,HEADER,TRAILER,REQUEST,CLASS,PLAIN_CLASS */
	pr_info("mem,kheap_alloc,%zu,%zu,%zu,%zu,%zu,%zu\n", ctx->size, head,
		KHEAP_CANARY_SIZE, head + ctx->size + KHEAP_CANARY_SIZE,
		ksize(base), kmalloc_size_roundup(ctx->size));
	kheap_free(p);
}

/* The primitives of the tracked path, on one CPU, then on all. */
static void kb_parts_run(struct kb_ctx *ctx)
{
	unsigned int i, all = num_online_cpus();

	for (i = 0; i < kb_nr_parts; i++) {
		struct kb_spec spec = { .test = "parts",
					.name = kb_parts[i].name,
					.nr = 1,
					.loop = kb_parts[i].loop };

		kb_do(ctx, &spec, 0);
		if (all == 1)
			continue;
		spec.nr = all;
		kb_do(ctx, &spec, 0);
	}
}

/* Every allocator, one object at a time: on one CPU, then on all. */
static void kb_pairs(struct kb_ctx *ctx)
{
	unsigned int i, all = num_online_cpus();

	for (i = 0; i < kb_nr_allocs; i++) {
		struct kb_spec spec = { .test = "pair",
					.name = kb_allocs[i]->name,
					.nr = 1,
					.loop = kb_allocs[i]->pair };

		kb_do(ctx, &spec, ctx->size);
		if (all == 1)
			continue;
		spec.nr = all;
		kb_do(ctx, &spec, ctx->size);
	}
}

/* KB_BATCH gets then KB_BATCH puts; and get here, put on another CPU. */
static void kb_patterns(struct kb_ctx *ctx)
{
	unsigned int i;

	for (i = 0; kb_want("batch256") && i < kb_nr_allocs; i++) {
		struct kb_spec spec = { .test = "batch256",
					.name = kb_allocs[i]->name,
					.nr = 1,
					.loop = kb_allocs[i]->batch };

		kb_do(ctx, &spec, ctx->size);
	}
	for (i = 0; kb_want("xcpu") && i < kb_nr_allocs; i++) {
		struct kb_spec spec = { .test = "xcpu",
					.name = kb_allocs[i]->name,
					.nr = 2,
					.flags = KB_PAIRED,
					.loop = kb_allocs[i]->xcpu,
					.drain = kb_allocs[i]->drain };

		kb_do(ctx, &spec, ctx->size);
	}
}

/* Per-operation latency; for three of them also under a debugfs reader. */
static void kb_latencies(struct kb_ctx *ctx)
{
	static const char *const readers[] = { "kmalloc", "kheap_alloc",
					       "kheap_pool" };
	struct kb_spec spec = { .test = "lat",
				.nr = 1,
				.flags = KB_PREFILLED,
				.samples = kb_lat_samples,
				.iters = max(kb_lat_samples / kb_reps, 1U) };
	unsigned int i;

	for (i = 0; i < kb_nr_allocs; i++) {
		spec.name = kb_allocs[i]->name;
		spec.loop = kb_allocs[i]->lat;
		kb_do(ctx, &spec, ctx->size);
	}
	spec.test = "lat_reader";
	spec.nr = 2;
	spec.flags |= KB_BACKGROUND;
	spec.bg = kb_reader_bg;
	for (i = 0; i < ARRAY_SIZE(readers); i++) {
		spec.name = readers[i];
		spec.loop = kb_alloc_named(readers[i])->lat;
		kb_do(ctx, &spec, ctx->size);
	}
}

/* kheap_ring against a kfifo of pointers, on one CPU and across two. */
static void kb_xfer(struct kb_ctx *ctx)
{
	struct kb_spec spec = { .test = "xfer", .drain = kb_xfer_reset };
	unsigned int nr;

	for (nr = 1; nr <= 2; nr++) {
		spec.nr = nr;
		spec.flags = nr == 2 ? KB_PAIRED : 0;
		spec.name = "kheap_ring";
		spec.loop = kb_ring_loop;
		kb_do(ctx, &spec, 0);
		spec.name = "kfifo";
		spec.loop = kb_kfifo_loop;
		kb_do(ctx, &spec, 0);
	}
}

/* kheap_hier_bytes() over KB_NR_HEAPS heaps, alone and while 1 CPU allocates. */
static void kb_hier(struct kb_ctx *ctx)
{
	struct kb_spec spec = { .test = "hier",
				.name = "kheap_hier_bytes",
				.nr = 1,
				.loop = kb_hier_loop };

	if (kb_hier_setup(ctx)) {
		pr_info("skip,hier,kheap_hier_bytes,%d,1,%d\n", KB_NR_HEAPS,
			-ENOMEM);
		goto out;
	}
	kb_do(ctx, &spec, KB_NR_HEAPS);
	spec.nr = 2;
	spec.flags = KB_BACKGROUND;
	spec.bg = kb_hier_bg;
	kb_do(ctx, &spec, KB_NR_HEAPS);
out:
	kb_hier_teardown(ctx);
}

/*
 * lib/test_objpool.c's method: a bound kthread per CPU, a start gate, a
 * fixed duration, hits per second; with and without an hrtimer doing gets
 * and puts in hardirq every millisecond.
 */
static void kb_scale(struct kb_ctx *ctx)
{
	static const char *const pools[] = { "kheap_pool", "objpool" };
	unsigned int i, irq, all = num_online_cpus();

	for (irq = 0; irq <= 1; irq++) {
		for (i = 0; i < ARRAY_SIZE(pools); i++) {
			const struct kb_alloc *a = kb_alloc_named(pools[i]);
			struct kb_spec spec = {
				.test = irq ? "scale_irq" : "scale",
				.name = a->name,
				.nr = 1,
				.flags = KB_TIMED,
				.loop = a->pair,
				.irq = irq ? a->irq : NULL,
				.iters = U64_MAX,
			};

			kb_do(ctx, &spec, ctx->size);
			spec.nr = all;
			if (all > 1)
				kb_do(ctx, &spec, ctx->size);
		}
	}
}

static int kb_one_size(size_t size)
{
	struct kb_ctx *ctx = kb_ctx_create(size, kb_debugfs);

	if (IS_ERR(ctx))
		return PTR_ERR(ctx);
	if (kb_want("mem"))
		kb_mem(ctx);
	if (kb_want("pair"))
		kb_pairs(ctx);
	kb_patterns(ctx);
	if (size == kb_sizes[0]) {
		if (kb_want("lat"))
			kb_latencies(ctx);
		if (kb_want("parts"))
			kb_parts_run(ctx);
		if (kb_want("xfer") && num_online_cpus() > 1)
			kb_xfer(ctx);
		if (kb_want("hier"))
			kb_hier(ctx);
		if (kb_want("scale"))
			kb_scale(ctx);
	}
	kb_ctx_destroy(ctx);
	return 0;
}

static void kb_info(void)
{
	pr_info("info,kernel,%s\n", init_utsname()->release);
	pr_info("info,cpus,%u\n", num_online_cpus());
	pr_info("info,reps,%u\n", kb_reps);
	pr_info("info,rep_ms,%u\n", kb_rep_ms);
	pr_info("info,scale_ms,%u\n", kb_scale_ms);
	pr_info("info,warmup,%u\n", kb_warmup);
	pr_info("info,timer_ns,%llu\n", kb_timer_overhead());
}

static int __init kb_init(void)
{
	unsigned int i;
	int err;

	if (!kb_reps || kb_reps > KB_MAX_REPS || !kb_rep_ms || !kb_scale_ms ||
	    !kb_warmup || !kb_lat_samples)
		return -EINVAL;
	kb_info();
	kb_parts_init();
	for (i = 0; i < ARRAY_SIZE(kb_sizes); i++) {
		err = kb_one_size(kb_sizes[i]);
		if (err) {
			pr_err("size %zu: %d\n", kb_sizes[i], err);
			return err;
		}
	}
	pr_info("done\n");
	return 0;
}
module_init(kb_init);

static void __exit kb_exit(void)
{
}
module_exit(kb_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("kheap benchmark against the kernel's own allocators");
