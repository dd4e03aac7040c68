// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suites kheap_fault and kheap_failslab: kheap while its allocations
 * fail at random.
 *
 * Each case drives one path thousands of times (tracked allocation of
 * random sizes, heap create, chain create and growth, pool create) with
 * about one allocation in ten failing, and checks after every step that a
 * failure returned what the API documents (NULL, ERR_PTR(-ENOMEM)) and left
 * no trace: the heap's block count, bytes and peak are exactly what the
 * test holds, a failed create leaves its name free, a chain that failed to
 * grow has the rings it had. kmemleak, scanned by /init at the end of the
 * run, finds whatever a failure path forgot to free.
 *
 * Built twice, once per source of failures:
 *  - kheap_fault_test.ko, suite kheap_fault: kheap's own fault point
 *    fail_alloc (kmod/fault.c), armed here through kheap_test_fail_alloc().
 *    It fails only allocations the caller sees, so the failures the test
 *    counts must equal those it injected.
 *  - kheap_failslab_test.ko, suite kheap_failslab: the kernel's failslab
 *    and fail_page_alloc, armed by /init through debugfs (task-filter Y,
 *    ignore-gfp-wait N, verbose 0), which says so with the module parameter
 *    armed=1 (without it the cases are skipped). They reach kheap's internal
 *    allocations too (the heap, its per-CPU shards, a pool's rings and
 *    counters, kmalloc above 8 KiB from the page allocator), and also
 *    allocations no caller sees (debugfs, kmemleak's metadata); so only
 *    "some failed" is asserted, and /init prints how many were injected.
 * Either way only this test's thread is set to fail (make_it_fail), so no
 * other task in the system sees an injected failure; and the two never run
 * at once, so each suite sees only its own source.
 */
#include <kunit/test.h>
#include <linux/err.h>
#include <linux/fault-inject.h>
#include <linux/module.h>
#include <linux/random.h>
#include <linux/sched.h>
#include <linux/sizes.h>
#include <linux/string.h>

#include "kheap_test_util.h"
#include "../kmod/kheap_kunit.h"

#ifdef KHEAP_FAULT_FAILSLAB
#define FAULT_SUITE "kheap_failslab"
#define FAULT_SLAB true
static bool armed;
module_param(armed, bool, 0444);
MODULE_PARM_DESC(armed, "set by /init once failslab is armed");
#else
#define FAULT_SUITE "kheap_fault"
#define FAULT_SLAB false
static const bool armed = true; /* the test arms kheap's fault point itself */
#endif

/* fail_alloc: the percentage of allocations failed, and a bound on them. */
#define FAULT_PERCENT 10
#define FAULT_TIMES 1000000000

#define ALLOC_STEPS 6000
#define ALLOC_HOLD 32
#define CREATE_STEPS 500
#define CHAIN_STEPS 400
#define POOL_STEPS 800
/* A create is retried this often before the case gives up on it. */
#define MAX_RETRIES 200

/**
 * struct fault_ctx - one case's injection, and what it saw
 * @slab:	failslab and fail_page_alloc, rather than kheap's fail_alloc
 * @attr:	kheap's fault point
 * @failed:	failures the test saw returned
 * @bad:	checks that did not hold
 * @first_bad:	the step of the first of them, for the message
 * @what:	and which check it was
 */
struct fault_ctx {
	bool slab;
	struct fault_attr *attr;
	unsigned long failed;
	unsigned long bad;
	unsigned long first_bad;
	const char *what;
};

/* Record a check that did not hold; KUnit is told once injection is off. */
static void fault_check(struct fault_ctx *f, bool ok, unsigned long step,
			const char *what)
{
	if (likely(ok))
		return;
	if (!f->bad++) {
		f->first_bad = step;
		f->what = what;
	}
}

/* A failure the test saw returned as an error: it must be -ENOMEM. */
static void fault_failed(struct fault_ctx *f, long err, unsigned long step,
			 const char *what)
{
	f->failed++;
	fault_check(f, err == -ENOMEM, step, what);
}

static void fault_attr_disarm(void *arg)
{
	struct fault_attr *attr = arg;

	WRITE_ONCE(attr->probability, 0);
	attr->task_filter = false;
	attr->verbose = 2; /* the defaults of FAULT_ATTR_INITIALIZER */
	atomic_set(&attr->times, 1);
}

/*
 * Set up @f for this suite's source of failures; skip kheap_failslab when
 * /init did not arm failslab. Allocates what KUnit needs before anything
 * fails.
 */
static struct fault_ctx *fault_ctx(struct kunit *test)
{
	struct fault_ctx *f = kunit_kzalloc(test, sizeof(*f), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, f);
	f->slab = FAULT_SLAB;
	f->attr = kheap_test_fail_alloc();
	if (f->slab && !armed)
		kunit_skip(test, "failslab not armed (armed=0)");
	KUNIT_ASSERT_EQ(test, READ_ONCE(f->attr->probability), 0UL);
	KUNIT_ASSERT_EQ(test, 0,
			kunit_add_action_or_reset(test, fault_attr_disarm,
						  f->attr));
	return f;
}

/* Make this thread's allocations fail from now on. */
static void fault_arm(struct fault_ctx *f)
{
	if (!f->slab) {
		struct fault_attr *attr = f->attr;

		attr->verbose = 0;
		attr->task_filter = true;
		attr->interval = 1;
		atomic_set(&attr->space, 0);
		atomic_set(&attr->times, FAULT_TIMES);
		WRITE_ONCE(attr->probability, FAULT_PERCENT);
	}
	current->make_it_fail = 1;
}

/* Stop failing; returns how many failures fail_alloc injected (0: failslab). */
static unsigned long fault_disarm(struct fault_ctx *f)
{
	current->make_it_fail = 0;
	if (f->slab)
		return 0;
	WRITE_ONCE(f->attr->probability, 0);
	return FAULT_TIMES - atomic_read(&f->attr->times);
}

/* What every case asserts once injection is off. */
static void fault_verdict(struct kunit *test, struct fault_ctx *f,
			  unsigned long injected, unsigned long ok)
{
	KUNIT_EXPECT_EQ_MSG(test, f->bad, 0UL,
			    "%lu checks failed, the first at step %lu: %s",
			    f->bad, f->first_bad, f->what ?: "");
	KUNIT_EXPECT_GT(test, f->failed, 0UL);
	KUNIT_EXPECT_GT(test, ok, 0UL);
	if (!f->slab)
		KUNIT_EXPECT_EQ(test, f->failed, injected);
	if (f->slab)
		kunit_info(test, "%lu failures seen (failslab), %lu ok\n",
			   f->failed, ok);
	else
		kunit_info(test, "%lu failures seen, %lu injected, %lu ok\n",
			   f->failed, injected, ok);
}

/* Mostly small, some up to two pages, a few past 8 KiB (the page allocator). */
static size_t fault_size(void)
{
	u32 r = get_random_u32_below(100);

	if (r < 70)
		return get_random_u32_below(256);
	if (r < 92)
		return get_random_u32_below(2 * PAGE_SIZE);
	return SZ_8K + get_random_u32_below(SZ_32K);
}

/* One allocation through one of the API's entry points. */
static void *fault_alloc_one(struct kheap *heap, size_t size, u32 how)
{
	size_t align = 1UL << get_random_u32_below(PAGE_SHIFT + 1);

	switch (how) {
	case 0:
		return kheap_alloc(heap, size, GFP_KERNEL);
	case 1:
		return kheap_zalloc(heap, size, GFP_KERNEL);
	case 2:
		return kheap_alloc_aligned(heap, size, align, GFP_KERNEL);
	default:
		return kheap_alloc_array(heap, 1, size, GFP_KERNEL);
	}
}

static void fault_test_alloc_free(struct kunit *test)
{
	struct fault_ctx *f = fault_ctx(test);
	struct kheap *heap = kt_heap(test);
	unsigned long invalid = kheap_invalid_frees();
	size_t sizes[ALLOC_HOLD], bytes = 0, peak = 0;
	unsigned long step, ok = 0, injected;
	void *held[ALLOC_HOLD];
	unsigned int n = 0, i;

	fault_arm(f);
	for (step = 0; step < ALLOC_STEPS; step++) {
		u32 how = get_random_u32_below(4);

		if (n < ALLOC_HOLD && (get_random_u32_below(3) || !n)) {
			size_t size = fault_size();
			u8 *p = fault_alloc_one(heap, size, how);

			if (!p) {
				f->failed++;
			} else {
				fault_check(f, kheap_size(p) == size, step,
					    "kheap_size");
				fault_check(f,
					    how != 1 || !memchr_inv(p, 0, size),
					    step, "kheap_zalloc() not zeroed");
				memset(p, 0xa5, size);
				held[n] = p;
				sizes[n++] = size;
				bytes += size;
				peak = max(peak, bytes);
				ok++;
			}
		} else {
			i = get_random_u32_below(n);
			kheap_free(held[i]);
			bytes -= sizes[i];
			held[i] = held[--n];
			sizes[i] = sizes[n];
		}
		fault_check(f, kheap_count(heap) == n, step, "kheap_count");
		fault_check(f, kheap_bytes(heap) == bytes, step, "kheap_bytes");
		fault_check(f, kheap_peak_bytes(heap) == peak, step,
			    "kheap_peak_bytes");
		if (!(step % 64))
			cond_resched();
	}
	injected = fault_disarm(f);

	while (n)
		kheap_free(held[--n]);
	KUNIT_EXPECT_EQ(test, kheap_count(heap), 0UL);
	KUNIT_EXPECT_EQ(test, kheap_bytes(heap), 0UL);
	KUNIT_EXPECT_EQ(test, kheap_overruns(heap), 0UL);
	KUNIT_EXPECT_EQ(test, kheap_invalid_frees(), invalid);
	fault_verdict(test, f, injected, ok);
}

/*
 * Create and destroy heaps; a create that fails is retried with the same
 * name, which a failure must have left free (-EEXIST would say otherwise).
 */
static void fault_test_heap_create(struct kunit *test)
{
	struct fault_ctx *f = fault_ctx(test);
	unsigned long step, ok = 0, injected;
	char name[KHEAP_NAME_MAX + 1];
	struct kheap *heap;
	unsigned int tries;

	fault_arm(f);
	for (step = 0; step < CREATE_STEPS; step++) {
		snprintf(name, sizeof(name), "kfault%lu", step);
		for (tries = 0; tries < MAX_RETRIES; tries++) {
			heap = kheap_create(name);
			if (!IS_ERR(heap))
				break;
			fault_failed(f, PTR_ERR(heap), step, "kheap_create()");
		}
		if (IS_ERR(heap)) {
			fault_check(f, false, step,
				    "kheap_create() never succeeded");
			break;
		}
		ok++;
		fault_check(f, !strcmp(kheap_name(heap), name), step,
			    "kheap_name");
		fault_check(f, !kheap_count(heap) && !kheap_bytes(heap), step,
			    "a new heap is not empty");
		kheap_destroy(heap);
		if (!(step % 16))
			cond_resched();
	}
	injected = fault_disarm(f);
	fault_verdict(test, f, injected, ok);
}

/* A chain's shape, and how many rings it has now. */
struct fault_chain {
	size_t obj_size;
	unsigned int cap;
	unsigned int max;
	unsigned int rings;
};

/* A ring and its objects, as pool.h's kheap_chain_bytes() says. */
static size_t fault_ring_bytes(const struct fault_chain *c)
{
	return 2 * SMP_CACHE_BYTES +
	       c->cap * (sizeof(void *) + kheap_obj_stride(c->obj_size));
}

/*
 * Is what @heap holds exactly @chain: its descriptor (with a table of
 * c->max entries of two pointers), then a ring and its objects per ring,
 * one block each (the layout documented in pool.h)?
 */
static bool fault_chain_exact(struct kheap *heap, struct kheap_chain *chain,
			      const struct fault_chain *c)
{
	size_t bytes = kheap_bytes(heap), table = c->max * 2 * sizeof(void *);
	size_t rings = c->rings * fault_ring_bytes(c);

	return kheap_count(heap) == 1 + 2 * c->rings &&
	       bytes == kheap_chain_bytes(chain) && bytes >= rings + table &&
	       bytes <= rings + table + 64;
}

#define CHAIN_MAX_RINGS 6
#define CHAIN_MAX_CAP 16

/*
 * Take every object of @chain, so that it grows to its last ring: a failed
 * growth is a NULL from kheap_chain_get() that leaves the chain with the
 * rings it had, and the next get may grow it after all. Returns how many
 * objects it took, into @objs.
 */
static unsigned int fault_chain_drain(struct fault_ctx *f, struct kheap *heap,
				      struct kheap_chain *chain,
				      struct fault_chain *c, void **objs,
				      unsigned long step)
{
	const gfp_t gfp = GFP_KERNEL | __GFP_NOWARN;
	unsigned int n = 0, tries = 0;

	while (n < c->max * c->cap && tries < MAX_RETRIES) {
		void *obj = kheap_chain_get(chain, gfp);

		if (obj) {
			objs[n++] = obj;
			memset(obj, 0x5a, c->obj_size);
			if (n > c->rings * c->cap) /* it grew */
				c->rings++;
		} else {
			/* Only growth allocates, and it failed. */
			f->failed++;
			tries++;
			fault_check(f, n == c->rings * c->cap, step,
				    "chain get: NULL with objects left");
		}
		fault_check(f, kheap_chain_nr_rings(chain) == c->rings, step,
			    "kheap_chain_nr_rings");
		fault_check(f, fault_chain_exact(heap, chain, c), step,
			    "a chain's bytes after a get");
	}
	fault_check(f, n == c->max * c->cap, step, "never grew to max_rings");
	/* Full: the next get neither grows nor allocates. */
	fault_check(f, !kheap_chain_get(chain, gfp), step,
		    "kheap_chain_get() past max_rings");
	return n;
}

/* Create chains of random shapes and drain each to its last ring. */
static void fault_test_chain(struct kunit *test)
{
	struct fault_ctx *f = fault_ctx(test);
	struct kheap *heap = kt_heap(test);
	unsigned long step, ok = 0, injected;
	void **objs;

	objs = kunit_kcalloc(test, CHAIN_MAX_RINGS * CHAIN_MAX_CAP,
			     sizeof(*objs), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, objs);
	fault_arm(f);
	for (step = 0; step < CHAIN_STEPS; step++) {
		struct fault_chain c = {
			.obj_size = 1 + get_random_u32_below(200),
			.cap = 2U << get_random_u32_below(4),
			.max = 1 + get_random_u32_below(CHAIN_MAX_RINGS),
			.rings = 1,
		};
		struct kheap_chain *chain;
		unsigned int n, i;

		chain = kheap_chain_create(heap, c.obj_size, c.cap, c.max,
					   GFP_KERNEL | __GFP_NOWARN);
		if (IS_ERR(chain)) {
			fault_failed(f, PTR_ERR(chain), step,
				     "kheap_chain_create()");
			fault_check(f, !kheap_count(heap) && !kheap_bytes(heap),
				    step, "a failed chain create left blocks");
			continue;
		}
		fault_check(f, fault_chain_exact(heap, chain, &c), step,
			    "a new chain's bytes");
		n = fault_chain_drain(f, heap, chain, &c, objs, step);
		ok += c.rings; /* the create, and each growth */
		for (i = 0; i < n; i++)
			fault_check(f, kheap_chain_put(chain, objs[i]), step,
				    "kheap_chain_put() refused an object");
		kheap_chain_destroy(chain);
		fault_check(f, !kheap_count(heap) && !kheap_bytes(heap), step,
			    "a destroyed chain left blocks");
		cond_resched();
	}
	injected = fault_disarm(f);
	fault_verdict(test, f, injected, ok);
}

/* Create pools: a failure is -ENOMEM and leaves the heap as it was. */
static void fault_test_pool_create(struct kunit *test)
{
	const gfp_t gfp = GFP_KERNEL | __GFP_NOWARN;
	struct fault_ctx *f = fault_ctx(test);
	struct kheap *heap = kt_heap(test);
	unsigned long step, ok = 0, injected;

	fault_arm(f);
	for (step = 0; step < POOL_STEPS; step++) {
		size_t obj_size = 1 + get_random_u32_below(300), area;
		unsigned int per_cpu = 1 + get_random_u32_below(8), nr;
		struct kheap_pool *pool;
		void *obj;

		pool = kheap_pool_create("kfault", heap, obj_size, per_cpu,
					 gfp);
		if (IS_ERR(pool)) {
			fault_failed(f, PTR_ERR(pool), step,
				     "kheap_pool_create()");
			fault_check(f, !kheap_count(heap) && !kheap_bytes(heap),
				    step, "a failed pool create left blocks");
			continue;
		}
		ok++;
		nr = kheap_pool_nr_objs(pool);
		fault_check(f, nr == per_cpu * num_possible_cpus(), step,
			    "kheap_pool_nr_objs");
		/* Its descriptor, ring table, object area and rings. */
		fault_check(f, kheap_count(heap) == 3 + num_possible_cpus(),
			    step, "pool: count");
		area = nr * kheap_obj_stride(obj_size);
		fault_check(f, kheap_bytes(heap) == kheap_pool_bytes(pool),
			    step, "pool: bytes");
		fault_check(f, kheap_bytes(heap) > area, step, "pool: area");
		obj = kheap_pool_get(pool);
		fault_check(f, obj, step, "kheap_pool_get() of a new pool");
		if (obj) {
			memset(obj, 0x3c, obj_size);
			kheap_pool_put(pool, obj);
		}
		kheap_pool_destroy(pool);
		fault_check(f, !kheap_count(heap) && !kheap_bytes(heap), step,
			    "a destroyed pool left blocks");
		if (!(step % 16))
			cond_resched();
	}
	injected = fault_disarm(f);
	fault_verdict(test, f, injected, ok);
}

static struct kunit_case kheap_fault_cases[] = {
	KUNIT_CASE(fault_test_alloc_free),
	KUNIT_CASE(fault_test_heap_create),
	KUNIT_CASE(fault_test_chain),
	KUNIT_CASE(fault_test_pool_create),
	{}
};

static struct kunit_suite kheap_fault_suite = {
	.name = FAULT_SUITE,
	.test_cases = kheap_fault_cases,
};

kunit_test_suite(kheap_fault_suite);

MODULE_DESCRIPTION("KUnit tests for kheap under injected allocation failures");
MODULE_LICENSE("GPL");
KHEAP_IMPORT_NS();
MODULE_IMPORT_NS(EXPORTED_FOR_KUNIT_TESTING);
