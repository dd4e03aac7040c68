// SPDX-License-Identifier: GPL-2.0
/*
 * kheap heaps: the registry of named heaps, their creation and destruction,
 * and the default heap.
 *
 * kheap_lock (a mutex) protects the registry and the hierarchy's edges. It is
 * never taken on the allocation or free path.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <kunit/visibility.h>
#include <linux/ctype.h>
#include <linux/err.h>
#include <linux/export.h>
#include <linux/module.h>
#include <linux/rculist.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "kheap_internal.h"
#include "kheap_trace.h"

/* The registry and the graph's edges; never on a fast path. */
DEFINE_MUTEX(kheap_lock);
LIST_HEAD(kheap_heaps);

struct kheap *kheap_default_heap;

bool kheap_name_valid(const char *name)
{
	size_t i, len;

	if (!name)
		return false;
	len = strnlen(name, KHEAP_NAME_MAX + 1);
	if (len == 0 || len > KHEAP_NAME_MAX)
		return false;
	for (i = 0; i < len; i++) {
		if (!isgraph(name[i]) || name[i] == '/')
			return false;
	}
	/* A directory of that name would be debugfs's own. */
	return strcmp(name, ".") && strcmp(name, "..");
}

static struct kheap *kheap_find_locked(const char *name)
{
	struct kheap *heap;

	lockdep_assert_held(&kheap_lock);
	list_for_each_entry(heap, &kheap_heaps, node) {
		if (!strcmp(heap->name, name))
			return heap;
	}
	return NULL;
}

static void kheap_free_heap(struct kheap *heap)
{
	int cpu, lvl;

	/* Blocks a free queued after the shard's last unlock looked. */
	for_each_possible_cpu(cpu) {
		struct kheap_pcpu *pcpu = per_cpu_ptr(heap->pcpu, cpu);

		for (lvl = 0; lvl < KHEAP_LEVELS; lvl++)
			kheap_shard_release_deferred(&pcpu->lvl[lvl]);
	}
	free_percpu(heap->pcpu);
	kfree(heap);
}

static void kheap_free_heap_rcu(struct rcu_head *rcu)
{
	kheap_free_heap(container_of(rcu, struct kheap, rcu));
}

static struct kheap *kheap_alloc_heap(const char *name)
{
	struct kheap *heap;
	int cpu, lvl;

	if (kheap_should_fail(sizeof(*heap), GFP_KERNEL))
		return NULL;
	heap = kzalloc(sizeof(*heap), GFP_KERNEL);
	if (!heap)
		return NULL;
	/*
	 * kheap_create() reports the failure (-ENOMEM); without __GFP_NOWARN
	 * the percpu allocator would also dump a stack when it cannot add a
	 * chunk.
	 */
	heap->pcpu =
		alloc_percpu_gfp(struct kheap_pcpu, GFP_KERNEL | __GFP_NOWARN);
	if (!heap->pcpu) {
		kfree(heap);
		return NULL;
	}
	for_each_possible_cpu(cpu) {
		struct kheap_pcpu *pcpu = per_cpu_ptr(heap->pcpu, cpu);

		for (lvl = 0; lvl < KHEAP_LEVELS; lvl++) {
			atomic_set(&pcpu->lvl[lvl].lock, 0);
			atomic_set(&pcpu->lvl[lvl].claimers, 0);
			atomic_set(&pcpu->lvl[lvl].waiters, 0);
			atomic_long_set(&pcpu->lvl[lvl].rbytes, 0);
			atomic_long_set(&pcpu->lvl[lvl].rcount, 0);
			init_llist_head(&pcpu->lvl[lvl].deferred);
			INIT_LIST_HEAD(&pcpu->lvl[lvl].live);
		}
	}
	strscpy(heap->name, name, sizeof(heap->name));
	atomic64_set(&heap->next_id, 1); /* ids start at 1 */
	INIT_DELAYED_WORK(&heap->hw_rebase, kheap_hw_rebase_fn);
	heap->hw_rebase_next = jiffies;
	INIT_LIST_HEAD(&heap->edges);
	return heap;
}

/**
 * kheap_create_owner() - create a named heap owned by a module
 * @name:  1..63 printable characters, no '/' or whitespace, not "." or "..",
 *	   unique (debugfs escapes what is not [A-Za-z0-9._:-] when it prints it)
 * @owner: the module that creates it (THIS_MODULE: kheap_create() passes
 *	   it), or NULL (built-in code, never unloaded)
 *
 * When @owner unloads with the heap still alive, kheap reports the heap and
 * the module by name and detaches the module's reporters
 * (kheap_module_going()); the heap stays usable.
 *
 * Context: Process context; may sleep.
 * Return: the heap, ERR_PTR(-EINVAL) for a bad name, ERR_PTR(-EEXIST) when
 * the name is taken, ERR_PTR(-ENOMEM).
 */
struct kheap *kheap_create_owner(const char *name, struct module *owner)
{
	struct kheap *heap;

	if (!kheap_name_valid(name))
		return ERR_PTR(-EINVAL);
	heap = kheap_alloc_heap(name);
	if (!heap)
		return ERR_PTR(-ENOMEM);
	heap->owner = owner;

	mutex_lock(&kheap_lock);
	if (kheap_find_locked(name)) {
		mutex_unlock(&kheap_lock);
		kheap_free_heap(heap);
		return ERR_PTR(-EEXIST);
	}
	/* RCU: kheap_drain_deferred_cpu() walks the list without the mutex. */
	list_add_tail_rcu(&heap->node, &kheap_heaps);
	mutex_unlock(&kheap_lock);

	trace_kheap_heap_create(heap->name, 0, 0);
	kheap_debugfs_heap_add(heap);
	return heap;
}
EXPORT_SYMBOL_NS_GPL(kheap_create_owner, KHEAP_NS);

/**
 * kheap_destroy() - destroy a heap
 * @heap: the heap; NULL is ignored, and so (with an error) is the default heap
 *
 * Removes every edge from and to @heap, reports each live block as a leak
 * (console and the heap's reporter) and re-parents those blocks to the
 * default heap, where they stay valid and kheap_free() still takes them.
 * Allocating into @heap while it is destroyed is a bug of the caller.
 *
 * Context: Process context; may sleep.
 */
void kheap_destroy(struct kheap *heap)
{
	if (!heap)
		return;
	if (heap == kheap_default_heap) {
		pr_err("the default heap cannot be destroyed\n");
		return;
	}
	kheap_debugfs_heap_remove(heap);

	mutex_lock(&kheap_lock);
	list_del_rcu(&heap->node);
	kheap_edges_remove_locked(heap);
	mutex_unlock(&kheap_lock);

	if (trace_kheap_heap_destroy_enabled())
		trace_kheap_heap_destroy(heap->name, kheap_bytes(heap),
					 kheap_count(heap));
	kheap_report_leaks(heap);
	kheap_reparent(heap, kheap_default_heap);
	/* No allocation queues it any more. */
	cancel_delayed_work_sync(&heap->hw_rebase);
	/* Frees and hierarchy walks may still look at it under RCU. */
	call_rcu(&heap->rcu, kheap_free_heap_rcu);
}
EXPORT_SYMBOL_NS_GPL(kheap_destroy, KHEAP_NS);

/**
 * kheap_default() - the heap named "default"
 *
 * Context: Any context.
 * Return: the heap that always exists while kheap.ko is loaded.
 */
struct kheap *kheap_default(void)
{
	return kheap_default_heap;
}
EXPORT_SYMBOL_NS_GPL(kheap_default, KHEAP_NS);

/**
 * kheap_name() - the name of a heap
 * @heap: the heap
 *
 * Context: Any context.
 * Return: its name, valid until the heap is destroyed ("(null)" for NULL).
 */
const char *kheap_name(const struct kheap *heap)
{
	return heap ? heap->name : "(null)";
}
EXPORT_SYMBOL_NS_GPL(kheap_name, KHEAP_NS);

/*
 * @mod is unloading (its exit has run): report the heaps it created and
 * left alive, by name, and forget it as their owner; they stay usable.
 * Then detach its reporters from every heap and wait for the callbacks
 * under way, before its text and data go.
 */
static void kheap_module_going(struct module *mod)
{
	bool detached = false;
	struct kheap *heap;

	mutex_lock(&kheap_lock);
	list_for_each_entry(heap, &kheap_heaps, node) {
		if (heap->owner == mod) {
			pr_err("module '%s' unloaded leaving heap '%s' alive (%zu blocks, %zu bytes); it stays usable until destroyed\n",
			       module_name(mod), heap->name, kheap_count(heap),
			       kheap_bytes(heap));
			heap->owner = NULL;
			strscpy(heap->left_by, module_name(mod),
				sizeof(heap->left_by));
		}
		if (kheap_detach_reporter_of_locked(heap, mod)) {
			pr_err("heap '%s': detached the reporter of module '%s', which unloaded\n",
			       heap->name, module_name(mod));
			detached = true;
		}
	}
	mutex_unlock(&kheap_lock);
	if (detached)
		synchronize_rcu();
}

static int kheap_module_notify(struct notifier_block *nb, unsigned long state,
			       void *data)
{
	if (state == MODULE_STATE_GOING)
		kheap_module_going(data);
	return NOTIFY_DONE;
}

struct notifier_block kheap_module_nb = {
	.notifier_call = kheap_module_notify,
};

/**
 * kheap_test_find() - a heap by name, for kheap's tests
 * @name: its name
 *
 * No reference is taken: for heaps nobody destroys meanwhile.
 * Context: Process context; may sleep.
 * Return: the heap, or NULL.
 */
struct kheap *kheap_test_find(const char *name)
{
	struct kheap *heap;

	mutex_lock(&kheap_lock);
	heap = kheap_find_locked(name);
	mutex_unlock(&kheap_lock);
	return heap;
}
EXPORT_SYMBOL_IF_KUNIT(kheap_test_find);

/**
 * kheap_test_owner() - the module that owns a heap, for kheap's tests
 * @heap: the heap
 *
 * Context: Process context; may sleep.
 * Return: the module, or NULL (built-in, or it unloaded).
 */
struct module *kheap_test_owner(struct kheap *heap)
{
	struct module *owner;

	mutex_lock(&kheap_lock);
	owner = heap->owner;
	mutex_unlock(&kheap_lock);
	return owner;
}
EXPORT_SYMBOL_IF_KUNIT(kheap_test_owner);

/**
 * kheap_test_left_by() - who unloaded leaving a heap, for kheap's tests
 * @heap: the heap
 *
 * Context: Process context; may sleep.
 * Return: the module's name, or "" (the buffer lives as long as the heap).
 */
const char *kheap_test_left_by(struct kheap *heap)
{
	return heap->left_by;
}
EXPORT_SYMBOL_IF_KUNIT(kheap_test_left_by);

int kheap_heaps_init(void)
{
	struct kheap *heap = kheap_create("default");

	if (IS_ERR(heap))
		return PTR_ERR(heap);
	kheap_default_heap = heap;
	return 0;
}

/*
 * The first block linked on @shard (a reader's cursor is not one), or NULL.
 * Module exit: nothing else allocates, frees or reads any more.
 */
static void *kheap_shard_first(struct kheap_shard *shard)
{
	struct kheap_hdr *hdr;
	unsigned long flags;
	void *ptr = NULL;

	/* A block still queued is freed already: not one to free again. */
	kheap_shard_drain_all(shard, -1);
	local_irq_save(flags);
	kheap_shard_lock(shard);
	list_for_each_entry(hdr, &shard->live, node) {
		if (hdr->heap) {
			ptr = hdr + 1;
			break;
		}
	}
	atomic_set_release(&shard->lock, 0);
	local_irq_restore(flags);
	return ptr;
}

/*
 * Free every block left on @shard (module exit) with no memory needed:
 * take the first block, free it, again. A block kheap_free() refused (its
 * header was overwritten: said already) is first again; it and the blocks
 * after it are left, and said.
 */
static void kheap_free_shard(struct kheap_shard *shard, int cpu)
{
	void *ptr, *prev = NULL;

	for (;;) {
		ptr = kheap_shard_first(shard);
		if (!ptr)
			return;
		if (ptr == prev) {
			pr_err("cannot free a block of the default heap on CPU %d: %ld blocks left there\n",
			       cpu, READ_ONCE(shard->count));
			return;
		}
		kheap_free(ptr);
		prev = ptr;
		cond_resched();
	}
}

/* Free every block left in the default heap (module exit). */
static void kheap_free_all(struct kheap *heap)
{
	int cpu, lvl;

	for_each_possible_cpu(cpu) {
		struct kheap_pcpu *pcpu = per_cpu_ptr(heap->pcpu, cpu);

		for (lvl = 0; lvl < KHEAP_LEVELS; lvl++)
			kheap_free_shard(&pcpu->lvl[lvl], cpu);
	}
}

/*
 * Module exit: client modules are gone (they hold references to our
 * symbols), so what is left was leaked. Detach every reporter first (a
 * client's reporter may be in unloaded module text), then report and free
 * it all, so that unloading kheap leaves nothing behind.
 */
void kheap_heaps_exit(void)
{
	struct kheap *heap, *tmp;

	kheap_detach_reporters();
	list_for_each_entry_safe(heap, tmp, &kheap_heaps, node) {
		if (heap != kheap_default_heap) {
			pr_err("heap '%s' was never destroyed\n", heap->name);
			kheap_destroy(heap);
		}
	}
	heap = kheap_default_heap;
	/* The moves above may have queued it: it would hold shards below. */
	cancel_delayed_work_sync(&heap->hw_rebase);
	kheap_report_leaks(heap);
	/* It locks every CPU's shards: a locker, though nothing else runs. */
	kheap_lockers_enter();
	kheap_free_all(heap);
	kheap_lockers_exit();

	kheap_debugfs_heap_remove(heap);
	mutex_lock(&kheap_lock);
	list_del_rcu(&heap->node);
	kheap_edges_remove_locked(heap);
	mutex_unlock(&kheap_lock);
	kheap_default_heap = NULL;
	rcu_barrier(); /* the call_rcu() of destroyed heaps */
	synchronize_rcu();
	kheap_free_heap(heap);
}
