// SPDX-License-Identifier: GPL-2.0
/*
 * kheap block cache: per CPU and per size class, a small stack of freed
 * tracked blocks, so that the steady state of allocations and frees skips
 * kmalloc() and kfree() (what SLUB's per-CPU sheaves do for slab caches).
 *
 * A CPU touches only its own stacks, from task context with preemption
 * off (inside the tracked path's preemption-off section, track.c; an
 * interrupt's allocations and frees bypass the cache), so they need no
 * lock.
 * A block is cached only in the cache of the CPU that allocated it, only
 * if it was allocated at its class's full size with no special gfp flags,
 * never a KFENCE block; a cached block's header says freed until it is
 * handed out again, so freeing it twice is still caught. A block freed on
 * another CPU is queued on its shard and comes back here when a task of
 * its CPU next takes that shard (track.c: kheap_release_queued()).
 *
 * Bounded: a class holds at most KHEAP_CACHE_BIN_BYTES (32 KiB) and at most
 * KHEAP_CACHE_DEPTH (256) blocks, so at most 264 KiB per CPU: enough for a
 * CPU's working set of a few hundred small blocks (a batch of 256 of one
 * class), and what SLUB's per-CPU partial slabs of the same classes may
 * hold too.
 * Flushed when the cache is switched off (module parameter "cache"), on
 * memory pressure (a shrinker), when a CPU dies (its "dead" hotplug
 * callback, as SLUB does: an interrupt could refill it after the dying
 * CPU's own teardown) and at module exit. Flushes free in bulk, with
 * interrupts and preemption on.
 *
 * Off (and not switchable on) where the kernel has memory allocation
 * profiling: a cached block would stay charged to its first call site. Off
 * by default with KASAN or kmemleak, which then keep seeing every free.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <kunit/visibility.h>
#include <linux/cpu.h>
#include <linux/cpuhotplug.h>
#include <linux/moduleparam.h>
#include <linux/seq_file.h>
#include <linux/shrinker.h>
#include <linux/slab.h>
#include <linux/workqueue.h>

#include "kheap_internal.h"

/* The kmalloc() size of each class: a block of the class is that big. */
const u16 kheap_cache_size[KHEAP_CACHE_CLASSES] = { 64,	 96,   128,  192, 256,
						    512, 1024, 2048, 4096 };

/*
 * The class of a block of 32 * i + 1 to 32 * (i + 1) bytes: up to 64, 96,
 * 128, 192, 256, 512, 1024, 2048 and 4096 bytes.
 */
const u8 kheap_cache_class_of32[KHEAP_CACHE_MAX / KHEAP_CACHE_STEP] = {
	[0 ... 1] = 0,	 [2] = 1,	  [3] = 2,
	[4 ... 5] = 3,	 [6 ... 7] = 4,	  [8 ... 15] = 5,
	[16 ... 31] = 6, [32 ... 63] = 7, [64 ... 127] = 8,
};

struct kheap_cache __percpu *kheap_caches __ro_after_init;
/* Each class's first slot, and its depth: set at init (kheap_cache_layout()). */
u16 kheap_cache_first[KHEAP_CACHE_CLASSES] __ro_after_init;
u16 kheap_cache_depth[KHEAP_CACHE_CLASSES] __ro_after_init;
static struct shrinker *kheap_shrinker;
/* Between init and exit: a write of "cache" flushes the caches. */
static bool kheap_cache_running;
static int kheap_cpuhp_state;

/* A cache that can hold blocks: not with allocation profiling. */
static bool kheap_cache_allowed(void)
{
	return !IS_ENABLED(CONFIG_MEM_ALLOC_PROFILING);
}

bool kheap_cache_on = !IS_ENABLED(CONFIG_KASAN) &&
		      !IS_ENABLED(CONFIG_DEBUG_KMEMLEAK) &&
		      !IS_ENABLED(CONFIG_MEM_ALLOC_PROFILING);

/* A flush frees this many blocks at a time, with preemption on. */
#define KHEAP_CACHE_BATCH 32

/*
 * Take up to KHEAP_CACHE_BATCH blocks of one class of @c into @out; @c's
 * CPU is this one with preemption off, or dead. Returns how many.
 */
static unsigned int kheap_cache_take(struct kheap_cache *c, unsigned int cls,
				     void **out)
{
	unsigned int n = min_t(unsigned int, c->n[cls], KHEAP_CACHE_BATCH);
	unsigned int left = c->n[cls] - n;

	memcpy(out, &c->slot[kheap_cache_first[cls] + left], n * sizeof(*out));
	WRITE_ONCE(c->n[cls], left);
	return n;
}

/*
 * Flush this CPU's cache, a batch at a time; process context. A class
 * takes at most as many batches as it holds when full: tasks that refill
 * it meanwhile do not keep the flush going.
 */
static void kheap_cache_drain_local(void)
{
	void *objs[KHEAP_CACHE_BATCH];
	unsigned int cls, n, left;

	for (cls = 0; cls < KHEAP_CACHE_CLASSES; cls++) {
		left = DIV_ROUND_UP(kheap_cache_depth[cls], KHEAP_CACHE_BATCH);
		do {
			preempt_disable();
			n = kheap_cache_take(this_cpu_ptr(kheap_caches), cls,
					     objs);
			preempt_enable();
			if (n)
				kfree_bulk(n, objs);
		} while (n && --left);
	}
}

/* Flush a dead CPU's cache: nothing runs there any more. */
static int kheap_cache_cpu_dead(unsigned int cpu)
{
	struct kheap_cache *c = per_cpu_ptr(kheap_caches, cpu);
	void *objs[KHEAP_CACHE_BATCH];
	unsigned int cls, n;

	for (cls = 0; cls < KHEAP_CACHE_CLASSES; cls++) {
		while ((n = kheap_cache_take(c, cls, objs)))
			kfree_bulk(n, objs);
	}
	/* Its shards' queued blocks: kfree()d, not cached (not ours). */
	kheap_drain_deferred_cpu(cpu, false);
	return 0;
}

/*
 * The drain work of one CPU. Queued on that CPU; should it run elsewhere
 * (the CPU went down meanwhile, and its dead callback flushed it), it does
 * nothing.
 */
static void kheap_cache_drain_fn(struct work_struct *work)
{
	struct kheap_cache *c = container_of(work, struct kheap_cache, drain);

	if (c != raw_cpu_ptr(kheap_caches))
		return;
	/* Blocks other CPUs freed, released first: some come back here. */
	kheap_drain_deferred_cpu(raw_smp_processor_id(), true);
	kheap_cache_drain_local();
}

/* Blocks cached over all CPUs, a racy sum (each count is read untorn). */
static unsigned long kheap_cache_count(void)
{
	unsigned long sum = 0;
	unsigned int cls;
	int cpu;

	for_each_possible_cpu(cpu) {
		struct kheap_cache *c = per_cpu_ptr(kheap_caches, cpu);

		for (cls = 0; cls < KHEAP_CACHE_CLASSES; cls++)
			sum += READ_ONCE(c->n[cls]);
	}
	return sum;
}

/* Bytes cached on @cpu, a racy read (untorn words). */
static unsigned long kheap_cache_cpu_bytes(int cpu)
{
	struct kheap_cache *c = per_cpu_ptr(kheap_caches, cpu);
	unsigned long bytes = 0;
	unsigned int cls;

	for (cls = 0; cls < KHEAP_CACHE_CLASSES; cls++)
		bytes += READ_ONCE(c->n[cls]) * kheap_cache_size[cls];
	return bytes;
}

/**
 * kheap_test_cache_bytes() - bytes in the block cache, for kheap's tests
 * @cpu: a CPU, or -1 for all
 *
 * Context: any.
 * Return: the bytes of the blocks cached there.
 */
unsigned long kheap_test_cache_bytes(int cpu)
{
	unsigned long sum = 0;
	int i;

	if (cpu >= 0)
		return kheap_cache_cpu_bytes(cpu);
	for_each_possible_cpu(i)
		sum += kheap_cache_cpu_bytes(i);
	return sum;
}
EXPORT_SYMBOL_IF_KUNIT(kheap_test_cache_bytes);

/**
 * kheap_cache_drain_all() - flush every CPU's cache, and wait for it
 *
 * Context: process context; may sleep.
 */
void kheap_cache_drain_all(void)
{
	int cpu;

	cpus_read_lock();
	for_each_online_cpu(cpu)
		queue_work_on(cpu, system_highpri_wq,
			      &per_cpu_ptr(kheap_caches, cpu)->drain);
	for_each_online_cpu(cpu)
		flush_work(&per_cpu_ptr(kheap_caches, cpu)->drain);
	cpus_read_unlock();
}

/* Cached blocks, and blocks frees left queued on shards (track.c). */
static unsigned long kheap_reclaimable(void)
{
	return kheap_cache_count() + kheap_deferred_pending();
}

static unsigned long kheap_shrink_count(struct shrinker *s,
					struct shrink_control *sc)
{
	unsigned long n = kheap_reclaimable();

	return n ? n : SHRINK_EMPTY;
}

/*
 * The blocks other CPUs freed that wait on the shards of CPUs that are
 * not online (queued after their dead callback drained them): the
 * hotplug lock keeps those CPUs down while their shards are drained.
 */
static void kheap_drain_offline_fn(struct work_struct *work)
{
	int cpu;

	cpus_read_lock();
	for_each_possible_cpu(cpu)
		if (!cpu_online(cpu))
			kheap_drain_deferred_cpu(cpu, false);
	cpus_read_unlock();
}

static DECLARE_WORK(kheap_drain_offline, kheap_drain_offline_fn);

/*
 * Memory pressure: every CPU soon releases the blocks other CPUs freed
 * that wait on its shards, then flushes its cache, and a work does the
 * same for the CPUs that are not online (no wait here).
 */
static unsigned long kheap_reclaim(void)
{
	unsigned long n = kheap_reclaimable();
	int cpu;

	for_each_online_cpu(cpu)
		queue_work_on(cpu, system_highpri_wq,
			      &per_cpu_ptr(kheap_caches, cpu)->drain);
	if (num_online_cpus() < num_possible_cpus())
		schedule_work(&kheap_drain_offline);
	return n;
}

static unsigned long kheap_shrink_scan(struct shrinker *s,
				       struct shrink_control *sc)
{
	return kheap_reclaim();
}

/**
 * kheap_test_reclaim() - what the shrinker does under memory pressure
 *
 * Context: process context.
 * Return: the blocks it found to free (cached and queued).
 */
unsigned long kheap_test_reclaim(void)
{
	return kheap_reclaim();
}
EXPORT_SYMBOL_IF_KUNIT(kheap_test_reclaim);

static int kheap_cache_set(const char *val, const struct kernel_param *kp)
{
	bool on;
	int ret = kstrtobool(val, &on);

	if (ret)
		return ret;
	if (on && !kheap_cache_allowed())
		return -EPERM;
	WRITE_ONCE(kheap_cache_on, on);
	/*
	 * Before init and from exit on, there is nothing to flush (and no
	 * workers): kheap_cache_running changes under this parameter's lock.
	 */
	if (!on && kheap_cache_running)
		kheap_cache_drain_all();
	return 0;
}

static const struct kernel_param_ops kheap_cache_ops = {
	.set = kheap_cache_set,
	.get = param_get_bool,
};
module_param_cb(cache, &kheap_cache_ops, &kheap_cache_on, 0644);
/* Default: on, but off with KASAN or kmemleak (heap.h). */
MODULE_PARM_DESC(cache, "per-CPU cache of freed blocks");

/**
 * kheap_cache_show() - debugfs kheap/cache (grammar v2): a row per CPU
 * @m: where
 *
 * The columns: the CPU, the blocks cached per size class (blocks_SIZE, the
 * class's largest block with header and canary), the bytes they hold.
 */
void kheap_cache_show(struct seq_file *m)
{
	unsigned int cls;
	int cpu;

	seq_printf(m, "# kheap cache v2 on=%d depth=%d class_bytes=%d\n# cpu",
		   READ_ONCE(kheap_cache_on), KHEAP_CACHE_DEPTH,
		   KHEAP_CACHE_BIN_BYTES);
	for (cls = 0; cls < KHEAP_CACHE_CLASSES; cls++)
		seq_printf(m, " blocks_%u", kheap_cache_size[cls]);
	seq_puts(m, " bytes\n");
	for_each_possible_cpu(cpu) {
		struct kheap_cache *c = per_cpu_ptr(kheap_caches, cpu);

		seq_printf(m, "%d", cpu);
		for (cls = 0; cls < KHEAP_CACHE_CLASSES; cls++)
			seq_printf(m, " %u", READ_ONCE(c->n[cls]));
		seq_printf(m, " %lu\n", kheap_cache_cpu_bytes(cpu));
	}
}

/* kheap_cache_class_of32[] gives each size the smallest class it fits. */
static bool kheap_cache_classes_ok(void)
{
	unsigned int i, cls, top;

	for (i = 0; i < ARRAY_SIZE(kheap_cache_class_of32); i++) {
		cls = kheap_cache_class_of32[i];
		top = (i + 1) * KHEAP_CACHE_STEP;
		if (cls >= KHEAP_CACHE_CLASSES || kheap_cache_size[cls] < top ||
		    (cls && kheap_cache_size[cls - 1] >= top))
			return false;
	}
	return true;
}

/*
 * Each class's depth (KHEAP_CACHE_BIN_BYTES of its blocks, at most
 * KHEAP_CACHE_DEPTH) and first slot; false if they do not fill the slots.
 */
static bool kheap_cache_layout(void)
{
	unsigned int cls, first = 0;

	for (cls = 0; cls < KHEAP_CACHE_CLASSES; cls++) {
		kheap_cache_first[cls] = first;
		kheap_cache_depth[cls] =
			min(KHEAP_CACHE_DEPTH,
			    KHEAP_CACHE_BIN_BYTES / kheap_cache_size[cls]);
		first += kheap_cache_depth[cls];
	}
	return first == KHEAP_CACHE_SLOTS;
}

/**
 * kheap_cache_alloc() - the caches' memory, empty, before anything reads it
 * (debugfs kheap/cache included)
 *
 * Context: module init.
 * Return: 0, -EINVAL (a bad class table) or -ENOMEM.
 */
int kheap_cache_alloc(void)
{
	int cpu;

	if (!kheap_cache_classes_ok() || !kheap_cache_layout()) {
		pr_err("cache: bad class table\n");
		return -EINVAL;
	}
	kheap_caches = alloc_percpu(struct kheap_cache);
	if (!kheap_caches)
		return -ENOMEM;
	for_each_possible_cpu(cpu) {
		struct kheap_cache *c = per_cpu_ptr(kheap_caches, cpu);

		INIT_WORK(&c->drain, kheap_cache_drain_fn);
	}
	return 0;
}

/* The last step of module exit, after kheap_cache_exit() emptied them. */
void kheap_cache_free(void)
{
	free_percpu(kheap_caches);
}

int kheap_cache_init(void)
{
	int ret;

	ret = cpuhp_setup_state_nocalls(CPUHP_BP_PREPARE_DYN, "kheap:cache",
					NULL, kheap_cache_cpu_dead);
	if (ret < 0)
		return ret;
	kheap_cpuhp_state = ret;
	kheap_shrinker = kheap_shrinker_alloc();
	if (!kheap_shrinker) {
		ret = -ENOMEM;
		goto err_cpuhp;
	}
	kheap_shrinker->count_objects = kheap_shrink_count;
	kheap_shrinker->scan_objects = kheap_shrink_scan;
	kheap_shrinker->seeks = DEFAULT_SEEKS;
	ret = kheap_shrinker_register(kheap_shrinker);
	if (ret)
		goto err_shrinker;
	kernel_param_lock(THIS_MODULE);
	kheap_cache_running = true;
	kernel_param_unlock(THIS_MODULE);
	return 0;

err_shrinker:
	kheap_shrinker_discard(kheap_shrinker);
	kheap_shrinker = NULL;
err_cpuhp:
	cpuhp_remove_state_nocalls(kheap_cpuhp_state);
	return ret;
}

/* Module exit: no client is left; flush every cache for good. */
void kheap_cache_exit(void)
{
	/* A write of "cache" from now on flushes nothing. */
	kernel_param_lock(THIS_MODULE);
	kheap_cache_running = false;
	WRITE_ONCE(kheap_cache_on, false);
	kernel_param_unlock(THIS_MODULE);
	kheap_shrinker_free(kheap_shrinker);
	cancel_work_sync(&kheap_drain_offline);
	kheap_cache_drain_all();
	cpuhp_remove_state_nocalls(kheap_cpuhp_state);
	kheap_shrinker = NULL;
}
