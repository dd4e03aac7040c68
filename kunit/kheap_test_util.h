/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers shared by kheap's KUnit suites: heaps that are destroyed when the
 * test ends, a reporter that captures what it is told, and kthreads bound
 * to CPUs with a deadline.
 */
#ifndef _KHEAP_TEST_UTIL_H
#define _KHEAP_TEST_UTIL_H

#include <kunit/test.h>
#include <linux/atomic.h>
#include <linux/kmsg_dump.h>
#include <linux/kthread.h>
#include <linux/sched/task.h>
#include <linux/spinlock.h>

#include <kheap/kheap.h>

static void kt_heap_destroy(void *heap)
{
	kheap_destroy(heap);
}

/* A fresh heap with a unique name, destroyed at the end of the test. */
static inline struct kheap *kt_heap(struct kunit *test)
{
	static atomic_t seq = ATOMIC_INIT(0);
	struct kheap *heap;
	char name[32];

	snprintf(name, sizeof(name), "kt%d", atomic_inc_return(&seq));
	heap = kheap_create(name);
	KUNIT_ASSERT_FALSE(test, IS_ERR(heap));
	KUNIT_ASSERT_EQ(test, 0,
			kunit_add_action_or_reset(test, kt_heap_destroy, heap));
	return heap;
}

#define KT_CAPTURE_MAX 64

/* A reporter that records every callback. */
struct kt_capture {
	spinlock_t lock; /* the counters below; callbacks run in any context */
	struct kheap_reporter rep;
	int allocs, frees, reports;
	struct kheap_alloc_info last_alloc, last_free;
	u64 report_ids[KT_CAPTURE_MAX];
};

static void kt_cap_alloc(void *priv, const struct kheap_alloc_info *info)
{
	struct kt_capture *c = priv;
	unsigned long flags;

	spin_lock_irqsave(&c->lock, flags);
	c->allocs++;
	c->last_alloc = *info;
	spin_unlock_irqrestore(&c->lock, flags);
}

static void kt_cap_free(void *priv, const struct kheap_alloc_info *info)
{
	struct kt_capture *c = priv;
	unsigned long flags;

	spin_lock_irqsave(&c->lock, flags);
	c->frees++;
	c->last_free = *info;
	spin_unlock_irqrestore(&c->lock, flags);
}

static void kt_cap_report(void *priv, const struct kheap_alloc_info *info)
{
	struct kt_capture *c = priv;
	unsigned long flags;

	spin_lock_irqsave(&c->lock, flags);
	if (c->reports < KT_CAPTURE_MAX)
		c->report_ids[c->reports] = info->id;
	c->reports++;
	spin_unlock_irqrestore(&c->lock, flags);
}

static const struct kheap_reporter_ops kt_cap_ops = {
	.on_alloc = kt_cap_alloc,
	.on_free = kt_cap_free,
	.report = kt_cap_report,
};

static void kt_detach(void *heap)
{
	kheap_set_reporter(heap, NULL);
}

/* A capturing reporter attached to @heap (detached before the heap goes). */
static inline struct kt_capture *kt_capture(struct kunit *test,
					    struct kheap *heap)
{
	struct kt_capture *c = kunit_kzalloc(test, sizeof(*c), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, c);
	spin_lock_init(&c->lock);
	c->rep.ops = &kt_cap_ops;
	c->rep.priv = c;
	KUNIT_ASSERT_EQ(test, 0, kheap_set_reporter(heap, &c->rep));
	/* Cleanup runs in reverse: detach before the capture is freed. */
	KUNIT_ASSERT_EQ(test, 0,
			kunit_add_action_or_reset(test, kt_detach, heap));
	return c;
}

/* Stop @n kthreads and drop the references taken on them. */
static inline int kt_stop_all(struct task_struct **t, int n)
{
	int i, total = 0;

	/* One never woken returns -EINTR without running its function. */
	for (i = 0; i < n; i++) {
		total += kthread_stop(t[i]);
		put_task_struct(t[i]);
	}
	return total;
}

/*
 * Run @fn on a kthread bound to each online CPU. All are created before any
 * starts, then *@deadline is set @run jiffies from now, so that creating the
 * threads (slow on a busy host) takes nothing from their time. Stop them all
 * (each @fn waits for kthread_should_stop() before it returns) and return the
 * sum of what they returned. If a thread cannot be created none runs: those
 * created are stopped and the test fails.
 */
static inline int kt_run_per_cpu(struct kunit *test, int (*fn)(void *),
				 void *arg, const char *name,
				 unsigned long *deadline, unsigned long run)
{
	struct task_struct **t;
	int cpu, n = 0, i;
	long err = 0;

	t = kunit_kcalloc(test, nr_cpu_ids, sizeof(*t), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, t);
	for_each_online_cpu(cpu) {
		t[n] = kthread_create(fn, arg, "%s/%d", name, cpu);
		if (IS_ERR(t[n])) {
			err = PTR_ERR(t[n]);
			break;
		}
		kthread_bind(t[n], cpu);
		get_task_struct(t[n]);
		n++;
	}
	if (err) {
		kt_stop_all(t, n);
		KUNIT_ASSERT_EQ_MSG(test, err, 0, "kthread_create");
	}
	*deadline = jiffies + run;
	for (i = 0; i < n; i++)
		wake_up_process(t[i]);
	/*
	 * Until the deadline: a kthread stopped before it first ran returns
	 * -EINTR without running @fn.
	 */
	while (time_before_eq(jiffies, *deadline))
		schedule_timeout_uninterruptible(1);
	return kt_stop_all(t, n);
}

/* One block of @size in @heap, freed at the end of the test. */
static inline void kt_block_free(void *p)
{
	kheap_free(p);
}

static inline void *kt_block(struct kunit *test, struct kheap *heap,
			     size_t size)
{
	void *p = kheap_alloc(heap, size, GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, p);
	KUNIT_ASSERT_EQ(test, 0,
			kunit_add_action_or_reset(test, kt_block_free, p));
	return p;
}

/* How many lines of the kernel log contain both @what and @also. */
static inline int kt_kmsg_count(struct kunit *test, const char *what,
				const char *also)
{
	struct kmsg_dump_iter iter;
	size_t len, size = 1024;
	char *line = kunit_kmalloc(test, size, GFP_KERNEL);
	int n = 0;

	KUNIT_ASSERT_NOT_NULL(test, line);
	kmsg_dump_rewind(&iter);
	while (kmsg_dump_get_line(&iter, false, line, size - 1, &len)) {
		line[len] = '\0';
		n += strstr(line, what) && strstr(line, also);
	}
	kunit_kfree(test, line);
	return n;
}

#endif /* _KHEAP_TEST_UTIL_H */
