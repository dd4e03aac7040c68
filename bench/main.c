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
#include <linux/mm.h>
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
MODULE_PARM_DESC(tests,
		 "all, or a comma-separated list of tests (doc/benchmark.md)");

static char *kb_debugfs = "/sys/kernel/debug";
module_param_named(debugfs, kb_debugfs, charp, 0444);
MODULE_PARM_DESC(debugfs, "where debugfs is mounted");

static const size_t kb_sizes[] = { 64, 256, 1024 };

/* Runs so far: the group number printed with each case's repetitions. */
static unsigned int kb_nr_groups;

/**
 * struct kb_group - cases measured together, their repetitions interleaved
 * @n:		cases
 * @spec:	what each measures
 * @res:	and its figures
 */
struct kb_group {
	unsigned int n;
	struct kb_spec spec[KB_MAX_CASES];
	struct kb_result res[KB_MAX_CASES];
};

/* Is @test asked for? "all" is every test but pair_init (its own boot). */
static bool kb_want(const char *test)
{
	const char *p = kb_tests;
	size_t len = strlen(test);

	if (!strcmp(kb_tests, "all"))
		return strcmp(test, "pair_init") != 0;
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

/* Does allocator @a take part in the tests of @mask, on this kheap? */
static bool kb_takes(const struct kb_alloc *a, unsigned int mask)
{
	/* kheap_alloc_nocache needs kheap's cache parameter. */
	return (a->tests & mask) && (!a->enter || kb_cache_present());
}

static struct kb_group *kb_group_create(void)
{
	return kzalloc(sizeof(struct kb_group), GFP_KERNEL);
}

/* A new case of @g, zeroed, with its test, name, size and CPUs; or NULL. */
static struct kb_spec *kb_group_add(struct kb_group *g, const char *test,
				    const char *name, size_t size,
				    unsigned int nr)
{
	struct kb_spec *spec;

	if (WARN_ON_ONCE(g->n == KB_MAX_CASES))
		return NULL;
	spec = &g->spec[g->n++];
	spec->test = test;
	spec->name = name;
	spec->size = size;
	spec->nr = nr;
	return spec;
}

/* A case of allocator @a, with @loop as its timed loop. */
static struct kb_spec *kb_group_alloc(struct kb_group *g, const char *test,
				      const struct kb_alloc *a, size_t size,
				      unsigned int nr,
				      u64 (*loop)(struct kb_thread *t, u64 n))
{
	struct kb_spec *spec = kb_group_add(g, test, a->name, size, nr);

	if (spec) {
		spec->loop = loop;
		spec->enter = a->enter;
		spec->leave = a->leave;
	}
	return spec;
}

/* Measure the cases of @g, print their figures and free @g. */
static void kb_group_run(struct kb_ctx *ctx, struct kb_group *g)
{
	unsigned int c, group = ++kb_nr_groups;
	int err;

	if (!g)
		return;
	err = g->n ? kb_run(ctx, g->spec, g->n, g->res) : 0;
	for (c = 0; c < g->n; c++) {
		if (err)
			g->res[c].err = err;
		kb_print(&g->spec[c], group, &g->res[c]);
	}
	kfree(g);
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
	base = (void *)hdr - (hdr->offset & KHEAP_OFF_MASK);
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
	struct kb_group *g = kb_group_create();
	unsigned int i, all = num_online_cpus();
	struct kb_spec *spec;

	for (i = 0; g && i < kb_nr_parts; i++) {
		const struct kb_part *part = &kb_parts[i];
		size_t size = part->sized ? ctx->size : 0;

		spec = kb_group_add(g, "parts", part->name, size, 1);
		if (spec)
			spec->loop = part->loop;
		if (all == 1)
			continue;
		spec = kb_group_add(g, "parts", part->name, size, all);
		if (spec)
			spec->loop = part->loop;
	}
	kb_group_run(ctx, g);
}

/*
 * Every allocator of @mask, one object at a time: on one CPU and, with
 * @scaling, on all at once. One group: the cases a ratio compares
 * (kheap_alloc and kmalloc, kheap_new and kzalloc, one CPU and all) take
 * turns.
 */
static void kb_pairs(struct kb_ctx *ctx, const char *test, unsigned int mask,
		     bool scaling)
{
	struct kb_group *g = kb_group_create();
	unsigned int i, all = num_online_cpus();

	for (i = 0; g && i < kb_nr_allocs; i++) {
		const struct kb_alloc *a = kb_allocs[i];

		if (!kb_takes(a, mask))
			continue;
		kb_group_alloc(g, test, a, ctx->size, 1, a->pair);
		if (scaling && all > 1)
			kb_group_alloc(g, test, a, ctx->size, all, a->pair);
	}
	kb_group_run(ctx, g);
}

/* pair_init: only where the kernel zeroes every allocation. */
static void kb_pairs_init(struct kb_ctx *ctx)
{
	if (!want_init_on_alloc(GFP_KERNEL)) {
		pr_info("skip,pair_init,all,%zu,1,%d\n", ctx->size, -EINVAL);
		return;
	}
	kb_pairs(ctx, "pair_init", KB_T_INIT, false);
}

/* KB_BATCH gets then KB_BATCH puts, on one CPU. */
static void kb_batches(struct kb_ctx *ctx)
{
	struct kb_group *g = kb_group_create();
	unsigned int i;

	for (i = 0; g && i < kb_nr_allocs; i++) {
		const struct kb_alloc *a = kb_allocs[i];

		if (kb_takes(a, KB_T_BATCH))
			kb_group_alloc(g, "batch256", a, ctx->size, 1,
				       a->batch);
	}
	kb_group_run(ctx, g);
}

/* KB_BATCH live objects of KB_MIXED_SIZES sizes, oldest out, next in. */
static void kb_mixed(struct kb_ctx *ctx)
{
	struct kb_group *g = kb_group_create();
	struct kb_spec *spec;
	unsigned int i;

	for (i = 0; g && i < kb_nr_allocs; i++) {
		const struct kb_alloc *a = kb_allocs[i];

		if (!kb_takes(a, KB_T_MIXED))
			continue;
		spec = kb_group_alloc(g, "mixed", a, 0, 1, a->mixed);
		if (spec) {
			spec->prep = a->mixed_fill;
			spec->done = a->mixed_empty;
		}
	}
	kb_group_run(ctx, g);
}

/* Get here, put on another CPU. */
static void kb_xcpus(struct kb_ctx *ctx)
{
	struct kb_group *g = kb_group_create();
	struct kb_spec *spec;
	unsigned int i;

	for (i = 0; g && i < kb_nr_allocs; i++) {
		const struct kb_alloc *a = kb_allocs[i];

		if (!kb_takes(a, KB_T_XCPU))
			continue;
		spec = kb_group_alloc(g, "xcpu", a, ctx->size, 2, a->xcpu);
		if (spec) {
			spec->flags = KB_PAIRED;
			spec->drain = a->drain;
		}
	}
	kb_group_run(ctx, g);
}

/* The cases timed under a debugfs reader too (lat_reader). */
static bool kb_read_under(const struct kb_alloc *a)
{
	static const char *const readers[] = { "kmalloc", "kheap_alloc",
					       "kheap_pool" };
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(readers); i++) {
		if (!strcmp(readers[i], a->name))
			return true;
	}
	return false;
}

/* A latency case: 1000 blocks live in the heap, each operation timed. */
static struct kb_spec *kb_group_lat(struct kb_group *g, const char *test,
				    const struct kb_alloc *a, size_t size,
				    unsigned int nr)
{
	struct kb_spec *spec = kb_group_alloc(g, test, a, size, nr, a->lat);

	if (spec) {
		spec->flags = KB_PREFILLED;
		spec->samples = kb_lat_samples;
		spec->iters = max(kb_lat_samples / kb_reps, 1U);
	}
	return spec;
}

/*
 * Per-operation latency; for three of them also while another CPU reads
 * the heap's debugfs list of live blocks, each right after its case alone.
 */
static void kb_latencies(struct kb_ctx *ctx)
{
	struct kb_group *g = kb_group_create();
	struct kb_spec *spec;
	unsigned int i;

	for (i = 0; g && i < kb_nr_allocs; i++) {
		const struct kb_alloc *a = kb_allocs[i];

		if (!kb_takes(a, KB_T_LAT))
			continue;
		kb_group_lat(g, "lat", a, ctx->size, 1);
		if (!kb_read_under(a))
			continue;
		spec = kb_group_lat(g, "lat_reader", a, ctx->size, 2);
		if (spec) {
			spec->flags |= KB_BACKGROUND;
			spec->bg = kb_reader_bg;
		}
	}
	kb_group_run(ctx, g);
}

/* kheap_ring against a kfifo of pointers, on one CPU and across two. */
static void kb_xfer(struct kb_ctx *ctx)
{
	struct kb_group *g = kb_group_create();
	struct kb_spec *spec;
	unsigned int nr, q;

	for (nr = 1; g && nr <= 2; nr++) {
		for (q = 0; q < 2; q++) {
			spec = kb_group_add(g, "xfer",
					    q ? "kfifo" : "kheap_ring", 0, nr);
			if (!spec)
				continue;
			spec->flags = nr == 2 ? KB_PAIRED : 0;
			spec->loop = q ? kb_kfifo_loop : kb_ring_loop;
			spec->drain = kb_xfer_reset;
		}
	}
	kb_group_run(ctx, g);
}

/* kheap_hier_bytes() over KB_NR_HEAPS heaps, alone and while 1 CPU allocates. */
static void kb_hier(struct kb_ctx *ctx)
{
	struct kb_group *g = kb_group_create();
	struct kb_spec *spec;
	unsigned int nr;

	if (kb_hier_setup(ctx)) {
		pr_info("skip,hier,kheap_hier_bytes,%d,1,%d\n", KB_NR_HEAPS,
			-ENOMEM);
		kfree(g);
		goto out;
	}
	for (nr = 1; g && nr <= 2; nr++) {
		spec = kb_group_add(g, "hier", "kheap_hier_bytes", KB_NR_HEAPS,
				    nr);
		if (!spec)
			continue;
		spec->loop = kb_hier_loop;
		if (nr == 2) {
			spec->flags = KB_BACKGROUND;
			spec->bg = kb_hier_bg;
		}
	}
	kb_group_run(ctx, g);
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
	static const char *const pools[] = { "kheap_pool", "objpool",
					     "percpu_ctl" };
	unsigned int i, irq, all = num_online_cpus();
	struct kb_spec *spec;

	for (irq = 0; irq <= 1; irq++) {
		struct kb_group *g = kb_group_create();

		for (i = 0; g && i < 2 * ARRAY_SIZE(pools); i++) {
			const struct kb_alloc *a = kb_alloc_named(pools[i / 2]);
			unsigned int nr = i % 2 ? all : 1;

			if (i % 2 && all == 1)
				continue;
			spec = kb_group_alloc(g, irq ? "scale_irq" : "scale", a,
					      ctx->size, nr, a->pair);
			if (!spec)
				continue;
			spec->flags = KB_TIMED;
			spec->irq = irq ? a->irq : NULL;
			spec->iters = U64_MAX;
		}
		kb_group_run(ctx, g);
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
		kb_pairs(ctx, "pair", KB_T_PAIR, true);
	if (kb_want("pair_init"))
		kb_pairs_init(ctx);
	if (kb_want("batch256"))
		kb_batches(ctx);
	if (kb_want("xcpu"))
		kb_xcpus(ctx);
	if (size == kb_sizes[0]) {
		if (kb_want("mixed"))
			kb_mixed(ctx);
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
	pr_info("info,tests,%s\n", kb_tests);
	pr_info("info,init_on_alloc,%d\n", want_init_on_alloc(GFP_KERNEL));
	pr_info("info,cache,%s\n", kb_cache_probe());
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
KHEAP_IMPORT_NS();
MODULE_DESCRIPTION("kheap benchmark against the kernel's own allocators");
