// SPDX-License-Identifier: GPL-2.0
/*
 * kheap stacks: the allocation stack of each block of a heap with stacks on
 * (kheap_set_stacks()), kept in the kernel's stack depot. A block records
 * the depot's 32-bit handle in an extension right before its header
 * (KHEAP_OFF_STACK, track.c); the depot keeps each distinct stack once.
 *
 * The depot must be set up before its first save: Debian's kernels do not
 * at boot (only KASAN, page_owner and the like ask for it), so
 * kheap_set_stacks() calls stack_depot_init(), which may sleep, before it
 * turns a heap's flag on; allocations save only once that is done
 * (kheap_depot_ready). A kernel without CONFIG_STACKDEPOT has no depot:
 * kheap_set_stacks() says -EOPNOTSUPP.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <kunit/visibility.h>
#include <linux/export.h>
#include <linux/gfp.h>
#include <linux/stackdepot.h>
#include <linux/stacktrace.h>

#include "kheap_internal.h"

/* Frames kept per stack, after kheap's own. */
#define KHEAP_STACK_DEPTH 16
/* Frames of kheap's own the unwinder may see first (trimmed). */
#define KHEAP_STACK_OWN 4

/* stack_depot_init() returned 0: saves may start (release, acquire). */
static bool kheap_depot_ready;

#ifdef CONFIG_STACKDEPOT
/*
 * The allocation's gfp, narrowed to what the depot's page allocation may
 * do: it sleeps, reclaims or dips into reserves only as the allocation
 * may, and never warns.
 */
static gfp_t kheap_stack_gfp(gfp_t gfp)
{
	return (gfp & (GFP_KERNEL | GFP_ATOMIC | __GFP_NOLOCKDEP)) |
	       __GFP_NOWARN;
}

/**
 * kheap_stack_save() - the depot handle of the current stack
 * @gfp:	the allocation's flags (the depot may allocate a pool page)
 * @ret_ip:	where kheap_alloc_caller() returns to: the stack is kept from
 *		that frame on (kheap's own frames before it are dropped)
 *
 * Context: the allocation's; never sleeps unless @gfp allows it.
 * Return: the handle, or 0 (depot not ready, full, or out of memory).
 */
u32 kheap_stack_save(gfp_t gfp, unsigned long ret_ip)
{
	unsigned long entries[KHEAP_STACK_DEPTH + KHEAP_STACK_OWN];
	unsigned int nr, skip;

	/* Pairs with the release in kheap_set_stacks(). */
	if (!smp_load_acquire(&kheap_depot_ready))
		return 0;
	nr = stack_trace_save(entries, ARRAY_SIZE(entries), 0);
	for (skip = 0; skip < nr && skip < KHEAP_STACK_OWN; skip++)
		if (entries[skip] == ret_ip)
			break;
	/* An unwinder that did not see @ret_ip: keep what it saw. */
	if (skip == nr || skip == KHEAP_STACK_OWN)
		skip = 0;
	nr = min(nr - skip, (unsigned int)KHEAP_STACK_DEPTH);
	return stack_depot_save(entries + skip, nr, kheap_stack_gfp(gfp));
}

/**
 * kheap_stack_fetch() - the frames of a stack kheap saved
 * @stack:	its handle (0: none)
 * @entries:	set to the depot's frames (not to be changed)
 *
 * Context: any.
 * Return: how many frames, 0 for none.
 */
unsigned int kheap_stack_fetch(u32 stack, unsigned long **entries)
{
	*entries = NULL;
	if (!stack)
		return 0;
	return stack_depot_fetch(stack, entries);
}

static int kheap_depot_init(void)
{
	int ret;

	/* Set up already (stack_depot_init() would only take its mutex). */
	if (smp_load_acquire(&kheap_depot_ready))
		return 0;
	ret = stack_depot_init();
	if (ret)
		return ret;
	/* The depot's table before the flag: pairs with kheap_stack_save(). */
	smp_store_release(&kheap_depot_ready, true);
	return 0;
}
#else
u32 kheap_stack_save(gfp_t gfp, unsigned long ret_ip)
{
	return 0;
}

unsigned int kheap_stack_fetch(u32 stack, unsigned long **entries)
{
	*entries = NULL;
	return 0;
}

static int kheap_depot_init(void)
{
	return -EOPNOTSUPP;
}
#endif

/**
 * kheap_set_stacks() - record each new block's allocation stack, or stop
 * @heap: the heap (NULL: the default heap)
 * @on:   true to record, false to stop
 *
 * See <kheap/heap.h>.
 *
 * Context: Process context; may sleep (the depot's first setup).
 * Return: 0, -EOPNOTSUPP without CONFIG_STACKDEPOT, -ENOMEM when the depot
 * cannot be set up; the flag is unchanged on error.
 */
int kheap_set_stacks(struct kheap *heap, bool on)
{
	int ret;

	might_sleep();
	heap = kheap_resolve(heap);
	if (on) {
		ret = kheap_depot_init();
		if (ret)
			return ret == -EOPNOTSUPP ? ret : -ENOMEM;
	}
	WRITE_ONCE(heap->stacks, on);
	return 0;
}
EXPORT_SYMBOL_NS_GPL(kheap_set_stacks, KHEAP_NS);

/**
 * kheap_stacks() - whether a heap records allocation stacks
 * @heap: the heap (NULL: the default heap)
 *
 * Context: Any context.
 * Return: the flag kheap_set_stacks() set last.
 */
bool kheap_stacks(const struct kheap *heap)
{
	return READ_ONCE(kheap_resolve(heap)->stacks);
}
EXPORT_SYMBOL_NS_GPL(kheap_stacks, KHEAP_NS);

/**
 * kheap_test_stack() - a live block's extension, for kheap's tests
 * @ptr:	a live block of the caller's
 * @stack:	set to its stack's depot handle (0: none saved)
 *
 * Context: any.
 * Return: whether the block has an extension (KHEAP_OFF_STACK).
 */
bool kheap_test_stack(const void *ptr, u32 *stack)
{
	const struct kheap_hdr *hdr = (const struct kheap_hdr *)ptr - 1;

	*stack = (u32)kheap_hdr_ext(hdr);
	return hdr->offset & KHEAP_OFF_STACK;
}
EXPORT_SYMBOL_IF_KUNIT(kheap_test_stack);
