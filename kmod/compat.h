/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kheap compat: the differences between the kernels kheap builds on (6.1 to
 * 6.12), in one place. Force-included into every kheap source file (Kbuild),
 * so the .c files carry no version checks.
 */
#ifndef _KHEAP_COMPAT_H
#define _KHEAP_COMPAT_H

#include <linux/version.h>

/* 6.12 moved the unaligned accessors from <asm/> to <linux/>. */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 12, 0)
#include <linux/unaligned.h>
#else
#include <asm/unaligned.h>
#endif

/*
 * Shrinkers: 6.7 made them allocated objects (shrinker_alloc() and
 * shrinker_register()); before, the caller allocates and registers one.
 * Macros, so this header needs no include (it is force-included first).
 */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 7, 0)
#define kheap_shrinker_alloc() shrinker_alloc(0, "kheap-cache")
#define kheap_shrinker_register(s)    \
	({                            \
		shrinker_register(s); \
		0;                    \
	})
#define kheap_shrinker_discard(s) shrinker_free(s)
#define kheap_shrinker_free(s) shrinker_free(s)
#else
#define kheap_shrinker_alloc() kzalloc(sizeof(struct shrinker), GFP_KERNEL)
#define kheap_shrinker_register(s) register_shrinker(s, "kheap-cache")
#define kheap_shrinker_discard(s) kfree(s)
/* checkpatch: MACRO_ARG_REUSE: @s is a plain variable at every use */
#define kheap_shrinker_free(s)          \
	do {                            \
		unregister_shrinker(s); \
		kfree(s);               \
	} while (0)
#endif

/*
 * kmalloc() with the call site given, so that the kmem:kmalloc event and
 * SLUB's owner tracking name kheap's client, not kheap: 6.10 renamed it
 * (memory allocation profiling) and CONFIG_SLAB_BUCKETS changes the
 * function's arguments, so the kernel's own macro on 6.10+.
 */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 10, 0)
#define kheap_kmalloc_caller(size, flags, caller) \
	kmalloc_node_track_caller_noprof(size, flags, NUMA_NO_NODE, caller)
#else
#define kheap_kmalloc_caller(size, flags, caller) \
	__kmalloc_node_track_caller(size, flags, NUMA_NO_NODE, caller)
#endif

/*
 * kheap's symbol namespace, for EXPORT_SYMBOL_NS_GPL(): 6.13 made the
 * namespace argument a string; 6.1 to 6.12 take an identifier, which they
 * stringify (so a macro naming it expands first). Clients import it with
 * KHEAP_IMPORT_NS() (<kheap/heap.h>), which spells the string either way.
 */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 13, 0)
#define KHEAP_NS "KHEAP"
#else
#define KHEAP_NS KHEAP
#endif

/*
 * A tracepoint's __string() field: 6.10 dropped __assign_str()'s source
 * argument (__string() names it).
 */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 10, 0)
#define kheap_assign_str(dst, src) \
	do {                       \
		(void)(src);       \
		__assign_str(dst); \
	} while (0)
#else
#define kheap_assign_str(dst, src) __assign_str(dst, src)
#endif

#endif /* _KHEAP_COMPAT_H */
