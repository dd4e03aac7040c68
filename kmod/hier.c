// SPDX-License-Identifier: GPL-2.0
/*
 * kheap hierarchy: heaps linked into a directed graph, and totals over every
 * heap reachable from one.
 *
 * Edges are RCU lists written under kheap_lock. A walk holds RCU (so no heap
 * or edge it can reach is freed under it) and runs with preemption off. It
 * stamps the heaps it visits with its own generation and chains them on an
 * intrusive stack, so it needs no memory, visits each heap once and ends on
 * cycles. The stamps and links live in each heap's shard of the walking
 * CPU, one slot per context level: a walk interrupted by another walk on
 * its CPU (softirq, hardirq, NMI) uses other slots, and walks on other CPUs
 * other shards, so walks take no lock and never disable interrupts. Walks
 * never touch the allocation path's locks; they read the shards' counters.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/export.h>
#include <linux/rculist.h>
#include <linux/slab.h>

#include "kheap_internal.h"

/* Each CPU's walk generations, one per context level. */
struct kheap_walk_gens {
	u64 gen[KHEAP_WALK_LEVELS];
};

static DEFINE_PER_CPU(struct kheap_walk_gens, kheap_walk_gens);

static struct kheap_edge *kheap_edge_find_locked(struct kheap *from,
						 struct kheap *to)
{
	struct kheap_edge *edge;

	lockdep_assert_held(&kheap_lock);
	list_for_each_entry(edge, &from->edges, node) {
		if (edge->to == to)
			return edge;
	}
	return NULL;
}

/**
 * kheap_link() - add a one-way edge to the hierarchy
 * @from: the source heap
 * @to:   the heap it reaches
 *
 * Linking twice adds nothing.
 *
 * Context: Process context; may sleep.
 * Return: 0, -EINVAL for NULL or @from == @to, -ENOMEM.
 */
int kheap_link(struct kheap *from, struct kheap *to)
{
	struct kheap_edge *edge;

	if (!from || !to || from == to)
		return -EINVAL;
	edge = kmalloc(sizeof(*edge), GFP_KERNEL);
	if (!edge)
		return -ENOMEM;
	edge->to = to;

	mutex_lock(&kheap_lock);
	if (kheap_edge_find_locked(from, to)) {
		mutex_unlock(&kheap_lock);
		kfree(edge);
		return 0;
	}
	list_add_tail_rcu(&edge->node, &from->edges);
	mutex_unlock(&kheap_lock);
	return 0;
}
EXPORT_SYMBOL_NS_GPL(kheap_link, KHEAP_NS);

/**
 * kheap_connect() - link two heaps both ways
 * @a: one heap
 * @b: the other
 *
 * Context: Process context; may sleep.
 * Return: 0, -EINVAL, -ENOMEM (then neither edge is added).
 */
int kheap_connect(struct kheap *a, struct kheap *b)
{
	int ret = kheap_link(a, b);

	if (ret)
		return ret;
	ret = kheap_link(b, a);
	if (ret)
		kheap_unlink(a, b);
	return ret;
}
EXPORT_SYMBOL_NS_GPL(kheap_connect, KHEAP_NS);

static void kheap_edge_del_locked(struct kheap_edge *edge)
{
	lockdep_assert_held(&kheap_lock);
	list_del_rcu(&edge->node);
	kfree_rcu(edge, rcu);
}

/**
 * kheap_unlink() - remove a one-way edge, if present
 * @from: the source heap
 * @to:   the heap it reaches
 *
 * Context: Process context; may sleep.
 */
void kheap_unlink(struct kheap *from, struct kheap *to)
{
	struct kheap_edge *edge;

	if (!from || !to)
		return;
	mutex_lock(&kheap_lock);
	edge = kheap_edge_find_locked(from, to);
	if (edge)
		kheap_edge_del_locked(edge);
	mutex_unlock(&kheap_lock);
}
EXPORT_SYMBOL_NS_GPL(kheap_unlink, KHEAP_NS);

/* Remove every edge from and to @heap (it is off the registry already). */
void kheap_edges_remove_locked(struct kheap *heap)
{
	struct kheap_edge *edge, *tmp;
	struct kheap *other;

	lockdep_assert_held(&kheap_lock);
	list_for_each_entry_safe(edge, tmp, &heap->edges, node)
		kheap_edge_del_locked(edge);
	list_for_each_entry(other, &kheap_heaps, node) {
		edge = kheap_edge_find_locked(other, heap);
		if (edge)
			kheap_edge_del_locked(edge);
	}
}

/**
 * kheap_edge_next_locked() - the heaps one heap links to, one per call
 * @heap:	the source heap
 * @cursor:	NULL before the first call; the iterator's state
 *
 * Context: kheap_lock held (the edges do not change under it).
 * Return: the next heap @heap links to, in link order, or NULL after the
 * last one.
 */
struct kheap *kheap_edge_next_locked(struct kheap *heap,
				     struct kheap_edge **cursor)
{
	struct kheap_edge *edge = *cursor;

	lockdep_assert_held(&kheap_lock);
	edge = list_prepare_entry(edge, &heap->edges, node);
	list_for_each_entry_continue(edge, &heap->edges, node) {
		*cursor = edge;
		return edge->to;
	}
	return NULL;
}

/* The slot of @heap for the walk of this CPU at context level @lvl. */
static struct kheap_walk_slot *kheap_walk_slot(struct kheap *heap,
					       unsigned int lvl)
{
	return &this_cpu_ptr(heap->pcpu)->walk[lvl];
}

/* Push @heap on the walk's stack unless this walk saw it already. */
static void kheap_walk_push(struct kheap **stack, struct kheap *heap,
			    unsigned int lvl, u64 gen)
{
	struct kheap_walk_slot *slot = kheap_walk_slot(heap, lvl);

	if (slot->gen == gen)
		return;
	slot->gen = gen;
	slot->next = *stack;
	*stack = heap;
}

/* Sum bytes and count over every heap reachable from @heap, each once. */
void kheap_hier_sum(struct kheap *heap, size_t *bytes, size_t *count)
{
	struct kheap *stack = NULL, *cur;
	struct kheap_edge *edge;
	unsigned int lvl;
	long b = 0, c = 0;
	u64 gen;

	rcu_read_lock();
	preempt_disable();
	lvl = interrupt_context_level();
	gen = ++this_cpu_ptr(&kheap_walk_gens)->gen[lvl];
	kheap_walk_push(&stack, heap, lvl, gen);
	while (stack) {
		cur = stack;
		stack = kheap_walk_slot(cur, lvl)->next;
		b += kheap_sum_bytes(cur);
		c += kheap_sum_count(cur);
		list_for_each_entry_rcu(edge, &cur->edges, node)
			kheap_walk_push(&stack, READ_ONCE(edge->to), lvl, gen);
	}
	preempt_enable();
	rcu_read_unlock();
	*bytes = b > 0 ? b : 0;
	*count = c > 0 ? c : 0;
}

/**
 * kheap_hier_bytes() - live bytes over every heap reachable from one
 * @heap: where to start (NULL: the default heap); it counts too
 *
 * Each reachable heap counts once, cycles are fine. Allocates nothing and
 * runs while other CPUs allocate and relink.
 *
 * Context: Any context.
 * Return: the sum of kheap_bytes() over those heaps.
 */
size_t kheap_hier_bytes(struct kheap *heap)
{
	size_t bytes, count;

	kheap_hier_sum(kheap_resolve(heap), &bytes, &count);
	return bytes;
}
EXPORT_SYMBOL_NS_GPL(kheap_hier_bytes, KHEAP_NS);

/**
 * kheap_hier_count() - live blocks over every heap reachable from one
 * @heap: where to start (NULL: the default heap); it counts too
 *
 * Context: Any context.
 * Return: the sum of kheap_count() over those heaps, as kheap_hier_bytes().
 */
size_t kheap_hier_count(struct kheap *heap)
{
	size_t bytes, count;

	kheap_hier_sum(kheap_resolve(heap), &bytes, &count);
	return count;
}
EXPORT_SYMBOL_NS_GPL(kheap_hier_count, KHEAP_NS);
