// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite kheap_stacks: stacks on demand (kheap_set_stacks(), debugfs
 * heap/<name>/stacks).
 *  - with stacks on, a block records its allocation stack, which starts at
 *    the allocating function (none of kheap's frames) and names it in
 *    debugfs live, in a console report, in a destroy's leak report and in
 *    a reporter's info;
 *  - with stacks off, blocks have no extension, and the block cache keeps
 *    working; blocks with one bypass it;
 *  - blocks stay freeable whatever the flag says when they are freed, also
 *    after a destroy moved them to the default heap;
 *  - the debugfs switch takes "1" and "0" and nothing else;
 *  - one thread toggles the flag while every CPU allocates and frees (and a
 *    hard hrtimer on each CPU, but on PREEMPT_RT): every block is freed
 *    exactly once, the counts end exact.
 * The stack depot is set up by kheap_set_stacks() on the kernels that did
 * not at boot (the kcsan and rt test kernels, Debian's): the first case's
 * call is the one that does it there.
 */
#include <kunit/test.h>
#include <kunit/visibility.h>
#include <linux/delay.h>
#include <linux/hrtimer.h>
#include <linux/kallsyms.h>
#include <linux/kthread.h>
#include <linux/slab.h>
#include <linux/stackdepot.h>
#include <linux/string.h>

#include "kheap_kfile.h"
#include "kheap_test_util.h"
#include "../kmod/kheap_kunit.h"

#define ST_DIR "/sys/kernel/debug/kheap/"
#define ST_CACHE "/sys/module/kheap/parameters/cache"
#define ST_BUF (16 * 1024)

static void st_stacks_off(void *heap)
{
	kheap_set_stacks(heap, false);
}

/* A heap of the test's with stacks on. */
static struct kheap *st_heap_on(struct kunit *test)
{
	struct kheap *heap = kt_heap(test);

	KUNIT_EXPECT_FALSE(test, kheap_stacks(heap));
	KUNIT_ASSERT_EQ(test, kheap_set_stacks(heap, true), 0);
	KUNIT_EXPECT_TRUE(test, kheap_stacks(heap));
	/* Before the heap's destroy (actions run in reverse). */
	KUNIT_ASSERT_EQ(test, 0,
			kunit_add_action_or_reset(test, st_stacks_off, heap));
	return heap;
}

/* The known allocating function every stack must start with. */
static noinline void *st_alloc_site(struct kheap *heap, size_t size,
				    size_t align, gfp_t gfp)
{
	void *p;

	if (align)
		p = kheap_alloc_aligned(heap, size, align, gfp);
	else
		p = kheap_alloc(heap, size, gfp);
	/* Not a tail call: this frame stays on the stack. */
	OPTIMIZER_HIDE_VAR(p);
	return p;
}

/* @p's stack as text (stack_depot_snprint()), test memory; "" for none. */
static char *st_stack_text(struct kunit *test, const void *p)
{
	char *buf = kunit_kzalloc(test, ST_BUF, GFP_KERNEL);
	u32 h;

	KUNIT_ASSERT_NOT_NULL(test, buf);
	KUNIT_ASSERT_TRUE_MSG(test, kheap_test_stack(p, &h), "no extension");
	KUNIT_ASSERT_NE_MSG(test, h, 0, "an extension, no stack saved");
	stack_depot_snprint(h, buf, ST_BUF, 0);
	return buf;
}

/*
 * @p has a stack whose first frame is st_alloc_site() (kheap's own frames
 * were dropped) and that names this test's case function below it.
 */
static void st_expect_stack(struct kunit *test, const void *p)
{
	char *text = st_stack_text(test, p);

	KUNIT_EXPECT_EQ_MSG(test, strncmp(text, " st_alloc_site+0x", 17), 0,
			    "stack:\n%s", text);
	KUNIT_EXPECT_NULL_MSG(test, strstr(text, "kheap_alloc_caller"),
			      "stack:\n%s", text);
	KUNIT_EXPECT_NULL_MSG(test, strstr(text, "kheap_stack_save"),
			      "stack:\n%s", text);
	KUNIT_EXPECT_NOT_NULL_MSG(test, strstr(text, "stacks_test_"),
				  "stack:\n%s", text);
}

static void st_expect_none(struct kunit *test, const void *p)
{
	u32 h;

	KUNIT_EXPECT_FALSE(test, kheap_test_stack(p, &h));
	KUNIT_EXPECT_EQ(test, h, 0);
}

/*
 * On, a block records where it came from; off, the next has no extension;
 * both free, and nothing is refused.
 */
static void stacks_test_on_off(struct kunit *test)
{
	unsigned long bad = kheap_invalid_frees();
	struct kheap *heap = st_heap_on(test);
	void *p, *q;

	p = st_alloc_site(heap, 100, 0, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, p);
	st_expect_stack(test, p);
	KUNIT_EXPECT_PTR_EQ(test, kheap_of(p), heap);
	KUNIT_EXPECT_EQ(test, kheap_size(p), 100);
	KUNIT_EXPECT_EQ(test, kheap_count(heap), 1);
	KUNIT_EXPECT_EQ(test, kheap_bytes(heap), 100);
	memset(p, 0xa5, 100); /* every byte is the caller's */
	kheap_free(p);
	KUNIT_EXPECT_EQ(test, kheap_count(heap), 0);
	KUNIT_EXPECT_EQ(test, kheap_bytes(heap), 0);

	KUNIT_ASSERT_EQ(test, kheap_set_stacks(heap, false), 0);
	KUNIT_EXPECT_FALSE(test, kheap_stacks(heap));
	q = st_alloc_site(heap, 100, 0, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, q);
	st_expect_none(test, q);
	kheap_free(q);
	KUNIT_EXPECT_EQ(test, kheap_count(heap), 0);
	KUNIT_EXPECT_EQ(test, kheap_overruns(heap), 0);
	KUNIT_EXPECT_EQ(test, kheap_invalid_frees(), bad);
}

/*
 * Every allocation kind (small, zeroed, aligned, large, atomic) records a
 * stack with stacks on, and stays freeable after the flag changes, off and
 * on again. A second free of a stacked block is refused.
 */
static void stacks_test_kinds_and_flips(struct kunit *test)
{
	static const struct {
		size_t size, align;
		gfp_t gfp;
	} k[] = {
		{ 0, 0, GFP_KERNEL },
		{ 1, 0, GFP_KERNEL },
		{ 64, 0, GFP_KERNEL },
		{ 2000, 0, GFP_KERNEL },
		{ 100, 64, GFP_KERNEL },
		{ 100, 4096, GFP_KERNEL },
		{ 8192, 0, GFP_KERNEL },
		{ 40, 0, GFP_ATOMIC },
		{ 300, 0, __GFP_ZERO | GFP_KERNEL },
	};
	unsigned long bad = kheap_invalid_frees();
	struct kheap *heap = st_heap_on(test);
	void *p[ARRAY_SIZE(k)], *q;
	size_t i, j, bytes = 0;

	for (i = 0; i < ARRAY_SIZE(k); i++) {
		p[i] = st_alloc_site(heap, k[i].size, k[i].align, k[i].gfp);
		KUNIT_ASSERT_NOT_NULL(test, p[i]);
		if (k[i].align)
			KUNIT_EXPECT_TRUE(test, IS_ALIGNED((unsigned long)p[i],
							   k[i].align));
		if (k[i].gfp & __GFP_ZERO)
			for (j = 0; j < k[i].size; j++)
				KUNIT_ASSERT_EQ(test, ((u8 *)p[i])[j], 0);
		st_expect_stack(test, p[i]);
		memset(p[i], 0x5a, k[i].size);
		bytes += k[i].size;
	}
	KUNIT_EXPECT_EQ(test, kheap_count(heap), ARRAY_SIZE(k));
	KUNIT_EXPECT_EQ(test, kheap_bytes(heap), bytes);
	/* Off: the blocks keep their stacks and free. */
	KUNIT_ASSERT_EQ(test, kheap_set_stacks(heap, false), 0);
	st_expect_stack(test, p[0]);
	kheap_free(p[0]);
	kheap_free(p[1]);
	/* On again: the same. */
	KUNIT_ASSERT_EQ(test, kheap_set_stacks(heap, true), 0);
	q = st_alloc_site(heap, 10, 0, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, q);
	st_expect_stack(test, q);
	for (i = 2; i < ARRAY_SIZE(k); i++)
		kheap_free(p[i]);
	KUNIT_EXPECT_EQ(test, kheap_invalid_frees(), bad);
	kheap_free(q);
	KUNIT_EXPECT_EQ(test, kheap_count(heap), 0);
	KUNIT_EXPECT_EQ(test, kheap_bytes(heap), 0);
	KUNIT_EXPECT_EQ(test, kheap_overruns(heap), 0);
	/* A block freed twice: the second free is refused, counted. */
	kheap_free(q);
	KUNIT_EXPECT_EQ(test, kheap_invalid_frees(), bad + 1);
}

/* A write past a stacked block's end is still caught at its free. */
static void stacks_test_overrun(struct kunit *test)
{
	struct kheap *heap = st_heap_on(test);
	u8 *p = st_alloc_site(heap, 24, 0, GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, p);
	p[24] ^= 0xff;
	kheap_free(p);
	KUNIT_EXPECT_EQ(test, kheap_overruns(heap), 1);
	KUNIT_EXPECT_EQ(test, kheap_count(heap), 0);
}

/* @text's row of the frames table for block @id's frame @frame, or NULL. */
static const char *st_frame_row(const char *text, u64 id, unsigned int frame)
{
	char want[48];
	const char *t = strstr(text, "\n# id frame caller module\n");

	if (!t)
		return NULL;
	snprintf(want, sizeof(want), "\n%llu %u ", id, frame);
	return strstr(t, want);
}

static char *st_read_live(struct kunit *test, struct kheap *heap)
{
	char path[128], *buf = kunit_kzalloc(test, ST_BUF, GFP_KERNEL);
	struct file *f;
	ssize_t n;

	KUNIT_ASSERT_NOT_NULL(test, buf);
	snprintf(path, sizeof(path), ST_DIR "heap/%s/live", kheap_name(heap));
	f = filp_open(path, O_RDONLY, 0);
	KUNIT_ASSERT_FALSE_MSG(test, IS_ERR(f), "open %s", path);
	n = kheap_debugfs_read_seq(f, buf, ST_BUF - 1, false);
	filp_close(f, NULL);
	KUNIT_ASSERT_GT(test, n, 0);
	KUNIT_ASSERT_LT(test, n, ST_BUF - 1);
	return buf;
}

/* The info a reporter gets carries the handle (the last allocation's). */
static u32 st_last_alloc_stack(struct kt_capture *c)
{
	unsigned long flags;
	u32 h;

	spin_lock_irqsave(&c->lock, flags);
	h = c->last_alloc.stack;
	spin_unlock_irqrestore(&c->lock, flags);
	return h;
}

/* The id and frames column of @text's block of @size (one has it), or -1. */
static long long st_block(const char *text, size_t size, unsigned int *frames)
{
	unsigned long long id, age;
	const char *l;
	size_t sz;
	char caller[KSYM_SYMBOL_LEN], mod[64];

	for (l = text; l && *l; l = strchr(l, '\n'), l = l ? l + 1 : NULL) {
		if (*l == '#' && l != text && !strncmp(l, "# id frame", 10))
			break; /* the frames table */
		if (*l == '#')
			continue;
		if (sscanf(l, "%llu %zu %llu %127s %63s %u", &id, &sz, &age,
			   caller, mod, frames) == 6 &&
		    sz == size)
			return id;
	}
	return -1;
}

/*
 * debugfs live lists each block's frames in its second table (the block's
 * frames column counts them), starting at the allocating function; a
 * block without a stack has none there. A reporter gets the handle.
 */
static void stacks_test_live(struct kunit *test)
{
	struct kheap *heap = st_heap_on(test);
	struct kt_capture *c = kt_capture(test, heap);
	unsigned int frames_p = 0, frames_q = 1, i;
	long long id_p, id_q;
	const char *row;
	void *p, *q;
	char *text;
	u32 h;

	p = st_alloc_site(heap, 33, 0, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, p);
	KUNIT_ASSERT_TRUE(test, kheap_test_stack(p, &h));
	KUNIT_EXPECT_EQ(test, st_last_alloc_stack(c), h);
	KUNIT_ASSERT_EQ(test, kheap_set_stacks(heap, false), 0);
	q = st_alloc_site(heap, 44, 0, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, q);
	KUNIT_EXPECT_EQ(test, st_last_alloc_stack(c), 0);

	text = st_read_live(test, heap);
	row = strstr(text, "\n# id size age_ms caller module frames\n");
	KUNIT_EXPECT_NOT_NULL_MSG(test, row, "%s", text);
	id_p = st_block(text, 33, &frames_p);
	id_q = st_block(text, 44, &frames_q);
	KUNIT_ASSERT_GE_MSG(test, id_p, 0, "%s", text);
	KUNIT_ASSERT_GE_MSG(test, id_q, 0, "%s", text);
	KUNIT_EXPECT_GE_MSG(test, frames_p, 2, "%s", text);
	KUNIT_EXPECT_EQ_MSG(test, frames_q, 0, "%s", text);
	row = st_frame_row(text, id_p, 0);
	KUNIT_EXPECT_NOT_NULL_MSG(test, row, "no frame 0 of %lld:\n%s", id_p,
				  text);
	if (row)
		KUNIT_EXPECT_EQ_MSG(test,
				    strncmp(strchr(row + 1, ' ') + 3,
					    "st_alloc_site+0x", 16),
				    0, "%s", text);
	for (i = 0; i < frames_p; i++)
		KUNIT_EXPECT_NOT_NULL_MSG(test, st_frame_row(text, id_p, i),
					  "no frame %u:\n%s", i, text);
	KUNIT_EXPECT_NULL_MSG(test, st_frame_row(text, id_p, frames_p), "%s",
			      text);
	KUNIT_EXPECT_NULL_MSG(test, st_frame_row(text, id_q, 0), "%s", text);
	kheap_free(p);
	kheap_free(q);
}

/*
 * The console's report and a destroy's leak report print the frames under
 * the block, "  st_alloc_site+0x..." lines; the leaked block, moved to the
 * default heap, keeps its stack and frees.
 */
static void stacks_test_reports(struct kunit *test)
{
	unsigned long bad = kheap_invalid_frees();
	struct kheap *heap = kheap_create("kt.stacks.leak");
	const char *frame = "kheap:   st_alloc_site+0x";
	int before, n;
	void *p;

	KUNIT_ASSERT_FALSE(test, IS_ERR(heap));
	KUNIT_ASSERT_EQ(test, kheap_set_stacks(heap, true), 0);
	p = st_alloc_site(heap, 77, 0, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, p);

	before = kt_kmsg_count(test, frame, "");
	KUNIT_EXPECT_EQ(test, kheap_report(heap, 0, U64_MAX), 1);
	KUNIT_EXPECT_EQ(test, kt_kmsg_count(test, frame, ""), before + 1);

	before = kt_kmsg_count(test, frame, "");
	kheap_destroy(heap); /* leaks p: reported, moved to the default heap */
	KUNIT_EXPECT_EQ(test, kt_kmsg_count(test, frame, ""), before + 1);
	n = kt_kmsg_count(test, "leak: heap=kt.stacks.leak", "size=77");
	KUNIT_EXPECT_GE(test, n, 1);
	KUNIT_EXPECT_PTR_EQ(test, kheap_of(p), kheap_default());
	st_expect_stack(test, p);
	kheap_free(p);
	KUNIT_EXPECT_EQ(test, kheap_invalid_frees(), bad);
	KUNIT_EXPECT_NULL(test, kheap_of(p));
}

/* A small file, whole: kernel_read() (stacks has ->read_iter). */
static int st_write(const char *path, const char *val)
{
	return kheap_file_write(path, val);
}

/*
 * heap/<name>/stacks: "1" and "0" with white space around them switch the
 * flag; anything else is -EINVAL (-E2BIG when long) and changes nothing;
 * a read says the flag, heaps' stacks column too.
 */
static void stacks_test_debugfs_switch(struct kunit *test)
{
	static const char *const bad[] = { "",	 "2",  "10",  "1 1",
					   "on", "-1", "0x1", "1\n0" };
	struct kheap *heap = kt_heap(test);
	char path[128], buf[128], want[96], *heaps, *row;
	size_t i;

	KUNIT_ASSERT_EQ(test, 0,
			kunit_add_action_or_reset(test, st_stacks_off, heap));
	snprintf(path, sizeof(path), ST_DIR "heap/%s/stacks", kheap_name(heap));
	KUNIT_ASSERT_EQ(test, st_write(path, "1"), 0);
	KUNIT_EXPECT_TRUE(test, kheap_stacks(heap));
	KUNIT_ASSERT_GT(test, kheap_file_read(path, buf, sizeof(buf)), 0);
	snprintf(want, sizeof(want), "# kheap stacks v2\n# name stacks\n%s 1\n",
		 kheap_name(heap));
	KUNIT_EXPECT_STREQ(test, buf, want);

	heaps = kunit_kzalloc(test, ST_BUF, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, heaps);
	{
		struct file *f = filp_open(ST_DIR "heaps", O_RDONLY, 0);
		ssize_t n;

		KUNIT_ASSERT_FALSE(test, IS_ERR(f));
		n = kheap_debugfs_read_seq(f, heaps, ST_BUF - 1, false);
		filp_close(f, NULL);
		KUNIT_ASSERT_GT(test, n, 0);
	}
	snprintf(want, sizeof(want), "\n%s 0 0 0 0 0 0 1\n", kheap_name(heap));
	row = strstr(heaps, want);
	KUNIT_EXPECT_NOT_NULL_MSG(test, row, "no %s in:\n%s", want, heaps);

	KUNIT_ASSERT_EQ(test, st_write(path, " 0\r\n"), 0);
	KUNIT_EXPECT_FALSE(test, kheap_stacks(heap));
	KUNIT_ASSERT_EQ(test, st_write(path, "\t1\n"), 0);
	KUNIT_EXPECT_TRUE(test, kheap_stacks(heap));
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		KUNIT_EXPECT_EQ_MSG(test, st_write(path, bad[i]), -EINVAL,
				    "write %s", bad[i]);
		KUNIT_EXPECT_TRUE(test, kheap_stacks(heap));
	}
	KUNIT_EXPECT_EQ(test, st_write(path, "0               "), -E2BIG);
	KUNIT_EXPECT_TRUE(test, kheap_stacks(heap));
	KUNIT_ASSERT_EQ(test, st_write(path, "0"), 0);
	KUNIT_EXPECT_FALSE(test, kheap_stacks(heap));
}

static void st_cache_restore(void *was_on)
{
	kheap_file_write(ST_CACHE, was_on ? "Y" : "N");
}

/*
 * With the block cache on: a stacked block bypasses it (its allocation
 * takes nothing from it, its free caches nothing); with stacks off again,
 * a freed block is cached and comes back for the next allocation of its
 * class. Bytes are compared around each call, on one CPU: other suites
 * may have left blocks of the class cached.
 */
static void stacks_test_cache(struct kunit *test)
{
	struct kheap *heap = st_heap_on(test);
	unsigned long c0, c1, c2, c3, c4;
	char buf[8];
	void *p, *q;
	int cpu;

	KUNIT_ASSERT_GT(test, kheap_file_read(ST_CACHE, buf, sizeof(buf)), 0);
	KUNIT_ASSERT_EQ(test, 0,
			kunit_add_action_or_reset(test, st_cache_restore,
						  buf[0] == 'Y' ? test : NULL));
	KUNIT_ASSERT_EQ(test, 0, kheap_file_write(ST_CACHE, "Y"));

	migrate_disable();
	cpu = raw_smp_processor_id();
	c0 = kheap_test_cache_bytes(cpu);
	p = st_alloc_site(heap, 64, 0, GFP_KERNEL);
	c1 = kheap_test_cache_bytes(cpu);
	if (p)
		kheap_free(p);
	c2 = kheap_test_cache_bytes(cpu);
	kheap_set_stacks(heap, false);
	p = st_alloc_site(heap, 64, 0, GFP_KERNEL);
	c3 = kheap_test_cache_bytes(cpu);
	if (p)
		kheap_free(p);
	c4 = kheap_test_cache_bytes(cpu);
	q = st_alloc_site(heap, 64, 0, GFP_KERNEL);
	migrate_enable();
	KUNIT_EXPECT_EQ(test, c1, c0);
	KUNIT_EXPECT_EQ(test, c2, c1);
	KUNIT_EXPECT_GT(test, c4, c3);
	KUNIT_ASSERT_NOT_NULL(test, p);
	KUNIT_EXPECT_PTR_EQ(test, q, p);
	if (q)
		st_expect_none(test, q);
	kheap_free(q);
	KUNIT_EXPECT_EQ(test, kheap_count(heap), 0);
}

/* ---- one thread toggles, every CPU allocates and frees ---- */

#define ST_RING 32

struct st_race {
	struct kheap *heap;
	unsigned long deadline;
	atomic_long_t allocs, frees, stacked, plain, toggles, irq_allocs;
	atomic_long_t irq_frees;
};

struct st_tick {
	struct hrtimer timer;
	struct st_race *r;
	void *held;
};

/* A same-CPU hard interrupt: frees what it held, allocates anew. */
static enum hrtimer_restart st_tick_fn(struct hrtimer *t)
{
	struct st_tick *k = container_of(t, struct st_tick, timer);

	if (k->held) {
		kheap_free(k->held);
		atomic_long_inc(&k->r->irq_frees);
	}
	k->held = kheap_alloc(k->r->heap, 48, GFP_ATOMIC);
	if (k->held)
		atomic_long_inc(&k->r->irq_allocs);
	hrtimer_forward_now(t, ns_to_ktime(50 * NSEC_PER_USEC));
	return HRTIMER_RESTART;
}

static int st_race_fn(void *arg)
{
	struct st_race *r = arg;
	struct st_tick k = { .r = r };
	void *ring[ST_RING] = {};
	unsigned long i = 0;
	u32 h;

	if (!IS_ENABLED(CONFIG_PREEMPT_RT)) {
		hrtimer_init(&k.timer, CLOCK_MONOTONIC,
			     HRTIMER_MODE_REL_PINNED_HARD);
		k.timer.function = st_tick_fn;
		hrtimer_start(&k.timer, ns_to_ktime(50 * NSEC_PER_USEC),
			      HRTIMER_MODE_REL_PINNED_HARD);
	}
	while (time_before(jiffies, READ_ONCE(r->deadline))) {
		void **slot = &ring[i % ST_RING];

		if (*slot) {
			kheap_free(*slot);
			atomic_long_inc(&r->frees);
		}
		*slot = kheap_alloc_aligned(r->heap, 8 + (i * 37) % 1500,
					    i % 3 ? 0 : 64, GFP_KERNEL);
		if (*slot) {
			atomic_long_inc(&r->allocs);
			atomic_long_inc(kheap_test_stack(*slot, &h) ?
						&r->stacked :
						&r->plain);
		}
		if (!(++i % 32))
			cond_resched();
	}
	for (i = 0; i < ST_RING; i++) {
		if (ring[i]) {
			kheap_free(ring[i]);
			atomic_long_inc(&r->frees);
		}
	}
	if (!IS_ENABLED(CONFIG_PREEMPT_RT)) {
		hrtimer_cancel(&k.timer);
		if (k.held) {
			kheap_free(k.held);
			atomic_long_inc(&r->irq_frees);
		}
	}
	while (!kthread_should_stop())
		schedule_timeout_interruptible(1);
	return 0;
}

static int st_toggle_fn(void *arg)
{
	struct st_race *r = arg;
	bool on = false;

	while (!kthread_should_stop()) {
		on = !on;
		if (!kheap_set_stacks(r->heap, on))
			atomic_long_inc(&r->toggles);
		usleep_range(50, 200);
	}
	kheap_set_stacks(r->heap, false);
	return 0;
}

static void stacks_test_toggle_race(struct kunit *test)
{
	unsigned long bad = kheap_invalid_frees();
	struct task_struct *toggler;
	struct st_race *r;
	int ret;

	if (num_online_cpus() < 2)
		kunit_skip(test, "needs two CPUs");
	r = kunit_kzalloc(test, sizeof(*r), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, r);
	r->heap = kt_heap(test);
	KUNIT_ASSERT_EQ(test, 0,
			kunit_add_action_or_reset(test, st_stacks_off,
						  r->heap));
	r->deadline = jiffies + 60 * HZ; /* until kt_run_per_cpu() sets it */
	toggler = kthread_run(st_toggle_fn, r, "kheap_st_toggle");
	KUNIT_ASSERT_FALSE(test, IS_ERR(toggler));
	get_task_struct(toggler);
	ret = kt_run_per_cpu(test, st_race_fn, r, "kheap_st", &r->deadline,
			     2 * HZ);
	kthread_stop(toggler);
	put_task_struct(toggler);
	KUNIT_EXPECT_EQ(test, ret, 0);
	kunit_info(test,
		   "%ld blocks (%ld with a stack), %ld in hardirq, %ld toggles",
		   atomic_long_read(&r->allocs), atomic_long_read(&r->stacked),
		   atomic_long_read(&r->irq_allocs),
		   atomic_long_read(&r->toggles));
	KUNIT_EXPECT_EQ(test, atomic_long_read(&r->allocs),
			atomic_long_read(&r->frees));
	KUNIT_EXPECT_EQ(test, atomic_long_read(&r->irq_allocs),
			atomic_long_read(&r->irq_frees));
	KUNIT_EXPECT_GT(test, atomic_long_read(&r->stacked), 0);
	KUNIT_EXPECT_GT(test, atomic_long_read(&r->plain), 0);
	KUNIT_EXPECT_GT(test, atomic_long_read(&r->toggles), 10);
	if (!IS_ENABLED(CONFIG_PREEMPT_RT))
		KUNIT_EXPECT_GT(test, atomic_long_read(&r->irq_allocs), 0);
	KUNIT_EXPECT_EQ(test, kheap_count(r->heap), 0);
	KUNIT_EXPECT_EQ(test, kheap_bytes(r->heap), 0);
	KUNIT_EXPECT_EQ(test, kheap_overruns(r->heap), 0);
	KUNIT_EXPECT_EQ(test, kheap_invalid_frees(), bad);
}

static struct kunit_case kheap_stacks_cases[] = {
	KUNIT_CASE(stacks_test_on_off),
	KUNIT_CASE(stacks_test_kinds_and_flips),
	KUNIT_CASE(stacks_test_overrun),
	KUNIT_CASE(stacks_test_live),
	KUNIT_CASE(stacks_test_reports),
	KUNIT_CASE(stacks_test_debugfs_switch),
	KUNIT_CASE(stacks_test_cache),
	KUNIT_CASE_SLOW(stacks_test_toggle_race),
	{}
};

static struct kunit_suite kheap_stacks_suite = {
	.name = "kheap_stacks",
	.test_cases = kheap_stacks_cases,
};

kunit_test_suite(kheap_stacks_suite);

MODULE_DESCRIPTION("KUnit tests for kheap's allocation stacks");
MODULE_LICENSE("GPL");
KHEAP_IMPORT_NS();
MODULE_IMPORT_NS(EXPORTED_FOR_KUNIT_TESTING);
