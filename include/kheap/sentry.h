/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kheap sentry: bind a struct type to a heap, so that every object of that
 * type is allocated from, and tracked in, that heap (the C++ ISentry<T>).
 *
 *	// foo.h
 *	struct foo { ... };
 *	KHEAP_SENTRY_DECLARE(foo);
 *
 *	// foo.c
 *	KHEAP_SENTRY_DEFINE(foo);		// bound to the default heap
 *	kheap_sentry_set_heap(foo, my_heap);	// rebind (NULL: default heap)
 *	struct foo *f = kheap_new(foo, GFP_KERNEL);	// zeroed, typed
 *	kheap_delete(f);			// back to the heap it came from
 *
 * Type safety: kheap_new() yields a struct foo * with no cast; a type with no
 * KHEAP_SENTRY_DECLARE() does not compile. Objects are aligned to
 * __alignof__(struct foo) (up to PAGE_SIZE; larger fails to build), and the
 * call site recorded is the line that calls kheap_new().
 *
 * Rebinding affects new objects only; each object is freed to the heap that
 * owns it. The binding is a single pointer read with READ_ONCE() and written
 * with WRITE_ONCE(): rebinding while other CPUs allocate is safe, and a
 * concurrent kheap_new() uses either the old or the new heap. The caller
 * keeps the bound heap alive while it is bound.
 *
 * With KHEAP_NO_TRACKING defined before including <kheap/kheap.h>, these
 * become kzalloc()/kfree() and the binding is kept but unused.
 */
#ifndef _KHEAP_SENTRY_H
#define _KHEAP_SENTRY_H

#include <linux/build_bug.h>
#include <linux/compiler.h>
#include <linux/overflow.h>

#include <kheap/heap.h>

/**
 * struct kheap_sentry - the binding of a struct type to a heap
 * @heap: the bound heap; NULL means the default heap
 */
struct kheap_sentry {
	struct kheap *heap;
};

#define __kheap_sentry(tag) __kheap_sentry_##tag

/**
 * KHEAP_SENTRY_DECLARE() - declare the binding of struct @tag (in a header)
 * @tag: the struct's tag
 */
/* checkpatch: AVOID_EXTERNS: defined by KHEAP_SENTRY_DEFINE() */
#define KHEAP_SENTRY_DECLARE(tag) extern struct kheap_sentry __kheap_sentry(tag)

/**
 * KHEAP_SENTRY_DEFINE() - define the binding of struct @tag (in one .c file)
 * @tag: the struct's tag
 *
 * The binding starts on the default heap.
 */
/* checkpatch: MACRO_ARG_REUSE: @tag is a struct tag, not an expression */
#define KHEAP_SENTRY_DEFINE(tag)   \
	KHEAP_SENTRY_DECLARE(tag); \
	struct kheap_sentry __kheap_sentry(tag) = { .heap = NULL }

/**
 * kheap_sentry_set_heap() - bind struct @tag to heap @h
 * @tag: the struct's tag
 * @h:   the heap; NULL binds to the default heap
 *
 * Context: Any context.
 */
#define kheap_sentry_set_heap(tag, h) WRITE_ONCE(__kheap_sentry(tag).heap, (h))

/* The alignment struct @tag asks for; more than PAGE_SIZE is a build error. */
/* checkpatch: MACRO_ARG_REUSE, MACRO_ARG_PRECEDENCE: @tag is a struct tag, not an expression */
#define __kheap_sentry_align(tag)  \
	(__alignof__(struct tag) + \
	 BUILD_BUG_ON_ZERO(__alignof__(struct tag) > PAGE_SIZE))

#ifndef KHEAP_NO_TRACKING

/**
 * kheap_sentry_heap() - the heap struct @tag is bound to
 * @tag: the struct's tag
 *
 * Context: Any context.
 * Return: the bound heap (the default heap when none was set).
 */
/* checkpatch: SPACING: "(tag) __kheap..." is a macro head, not a cast */
#define kheap_sentry_heap(tag) __kheap_sentry_heap(&__kheap_sentry(tag))

static inline struct kheap *__kheap_sentry_heap(struct kheap_sentry *s)
{
	struct kheap *heap = READ_ONCE(s->heap);

	return heap ? heap : kheap_default();
}

/**
 * kheap_new() - allocate a zeroed struct @tag from its bound heap
 * @tag: the struct's tag
 * @gfp: allocation flags
 *
 * Context: Any context, as @gfp allows.
 * Return: a struct @tag *, or NULL.
 */
/* checkpatch: MACRO_ARG_REUSE, MACRO_ARG_PRECEDENCE: @tag is a struct tag, not an expression */
#define kheap_new(tag, gfp)                                              \
	((struct tag *)kheap_alloc_hooks(kheap_alloc_caller(             \
		READ_ONCE(__kheap_sentry(tag).heap), sizeof(struct tag), \
		__kheap_sentry_align(tag), (gfp) | __GFP_ZERO, _THIS_IP_)))

/**
 * kheap_new_array() - allocate @n zeroed struct @tag from the bound heap
 * @tag: the struct's tag
 * @n:   how many
 * @gfp: allocation flags
 *
 * Context: Any context, as @gfp allows.
 * Return: a struct @tag *, or NULL (also when @n * size overflows).
 */
/* checkpatch: MACRO_ARG_REUSE, MACRO_ARG_PRECEDENCE: @tag is a struct tag, not an expression */
#define kheap_new_array(tag, n, gfp)                                          \
	((struct tag *)kheap_alloc_hooks(kheap_alloc_caller(                  \
		READ_ONCE(__kheap_sentry(tag).heap),                          \
		size_mul((n), sizeof(struct tag)), __kheap_sentry_align(tag), \
		(gfp) | __GFP_ZERO, _THIS_IP_)))

/**
 * kheap_delete() - free an object from kheap_new() or kheap_new_array()
 * @ptr: the object; NULL is ignored
 *
 * Context: Any context.
 */
#define kheap_delete(ptr) kheap_free(ptr)

#else /* KHEAP_NO_TRACKING */

/* checkpatch: SPACING: "(tag) __kheap..." is a macro head, not a cast */
#define kheap_sentry_heap(tag) __kheap_sentry_heap(&__kheap_sentry(tag))

static inline struct kheap *__kheap_sentry_heap(struct kheap_sentry *s)
{
	return NULL;
}
/* checkpatch: MACRO_ARG_REUSE, MACRO_ARG_PRECEDENCE: @tag is a struct tag, not an expression */
#define kheap_new(tag, gfp)                                             \
	((struct tag *)__kheap_plain_aligned(sizeof(struct tag),        \
					     __kheap_sentry_align(tag), \
					     (gfp) | __GFP_ZERO))
/* checkpatch: MACRO_ARG_REUSE, MACRO_ARG_PRECEDENCE: @tag is a struct tag, not an expression */
#define kheap_new_array(tag, n, gfp)                                          \
	((struct tag *)__kheap_plain_aligned(                                 \
		size_mul((n), sizeof(struct tag)), __kheap_sentry_align(tag), \
		(gfp) | __GFP_ZERO))
#define kheap_delete(ptr) kfree(ptr)

#endif /* KHEAP_NO_TRACKING */

#endif /* _KHEAP_SENTRY_H */
