/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kheap heaps: named memory categories over kmalloc, with every allocation
 * tracked.
 *
 * Design. Each block returned by kheap_alloc() sits behind a 56-byte header
 * (owning heap, id, requested size, call site, time, a check value keyed
 * with a secret drawn at load) and is followed by an 8-byte canary, so a
 * 64-byte request takes a kmalloc-128 object. A heap keeps its live blocks
 * on per-CPU shards: each shard has its own lock, list, byte and
 * block counters and a range of ids, so CPUs allocating into one heap write
 * no shared cache line. Only a shard's own CPU touches it, taking its lock
 * with a plain store, except while a reader of live blocks, a report or a
 * destroy runs (they switch owners to atomic locking, after an RCU grace
 * period). A block freed on another CPU leaves the counts at once and is
 * queued on its shard; its memory is released at its CPU's next
 * allocation or free in the heap, on memory pressure, when that CPU goes
 * offline, or when the heap ends. Totals are sums over the shards: cheap,
 * lock-free, exact when nothing is in flight. Freed blocks of up to 4 KiB (with the
 * header) go to a per-CPU, per-size-class cache, from which the next
 * allocations of that class on that CPU are served without kmalloc() or
 * kfree(); it is bounded (32 KiB and 256 blocks per class, 264 KiB per
 * CPU), shown in
 * debugfs (kheap/cache), flushed on memory pressure, CPU offline and module
 * exit, and switched by the module parameter "cache" (off by default with
 * KASAN or kmemleak, and always off with memory allocation profiling).
 * Blocks allocated with __GFP_ACCOUNT, GFP_DMA*, __GFP_RECLAIMABLE or an
 * alignment above kmalloc's are never cached.
 *
 * Ids are unique per heap and start at 1. kheap_bookmark() returns a point in
 * time: every allocation that returned before it has a smaller id, every one
 * that starts after it a greater or equal one, so kheap_report(heap, b1,
 * b2 - 1) lists what was allocated between two bookmarks and is still live.
 * Blocks that kheap_destroy() re-parents to the default heap enter it then:
 * they get new ids of the default heap, so a window of the default heap
 * spanning the destroy lists them.
 *
 * Time is kept in jiffies: an info's time_ns is nanoseconds since boot, to
 * the tick (1 to 10 ms), and ages are computed wrap-safe.
 *
 * Heaps form a graph (kheap_link(), kheap_connect()); kheap_hier_bytes() and
 * kheap_hier_count() sum over every heap reachable from one, each once,
 * cycles allowed, without allocating and while other CPUs allocate and relink.
 *
 * Locking rules. kheap_create(), kheap_destroy(), the link calls,
 * kheap_set_reporter() and kheap_report() are for process context and may
 * sleep. Allocation and kheap_free() call kmalloc() and kfree() and follow
 * their rules: allocation sleeps exactly when its gfp_t allows, and without
 * PREEMPT_RT both run in any context (process, softirq, hardirq) but NMI;
 * on PREEMPT_RT the slab allocator takes sleeping locks, so neither may be
 * called from hardirq context or with interrupts or preemption disabled
 * (Documentation/locking/locktypes.rst). kheap's own bookkeeping keeps
 * interrupts on: a task's call runs with preemption off for one block;
 * interrupts off only for a block freed below the context level that
 * allocated it (a task freeing an interrupt's block) and for the batches
 * of 16 blocks of destroys and of readers that fall back to the lists'
 * locks; never around a kmalloc() or kfree(); no sleeping lock. Readers
 * (kheap_report(), debugfs) read the lists without their locks: no
 * allocation or free waits for them. Every query
 * runs in any context, hardirq included, on PREEMPT_RT too. A reporter's
 * on_alloc/on_free callbacks run in the context of the allocation or free,
 * inside an RCU read-side section: they must not sleep.
 *
 * Misuse (a free of a pointer kheap did not hand out, a double free, a write
 * past a block's end) is reported with pr_err, counted and survived; it never
 * WARNs. "Double free detected" covers a second free of a block while its
 * memory is free or in kheap's cache, also when both frees run at once on
 * different CPUs or contexts (exactly one frees it). It does not cover a
 * stale pointer freed after kheap handed the same memory out again as a new
 * block at the same address: that free is taken as a free of the new block.
 * Requests that kmalloc() cannot serve once the header and canary are added
 * (above KMALLOC_MAX_SIZE) return NULL, with no warning.
 *
 * A client that defines KHEAP_NO_TRACKING before including this header gets
 * plain kmalloc()/kfree() from every allocation call, queries that return 0,
 * and no dependency on kheap.ko.
 */
#ifndef _KHEAP_HEAP_H
#define _KHEAP_HEAP_H

#include <linux/types.h>
#include <linux/gfp.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/log2.h>
#include <linux/overflow.h>

struct kheap;

/*
 * kheap.ko exports its symbols in the namespace KHEAP: a client module says
 * KHEAP_IMPORT_NS() once, at file scope next to its MODULE_LICENSE(). The
 * namespace is spelled as a string, as MODULE_IMPORT_NS() expands it on
 * every kernel (an identifier up to 6.12, a string from 6.13 on).
 */
#ifndef KHEAP_IMPORT_NS
#define KHEAP_IMPORT_NS() MODULE_INFO(import_ns, "KHEAP")
#endif

/**
 * struct kheap_alloc_info - one tracked block, as reporters see it
 * @heap:	the heap that owns the block
 * @ptr:	the pointer kheap_alloc() returned
 * @size:	the requested size in bytes
 * @id:		the block's id, unique in its heap, from 1
 * @caller:	return address of the allocating call site (print with %pS)
 * @time_ns:	when it was allocated: nanoseconds since boot, to the tick
 * @stack:	its allocation stack's stack depot handle
 *		(<linux/stackdepot.h>: stack_depot_print(), stack_depot_fetch()),
 *		0 when none was recorded (its heap had stacks off: see
 *		kheap_set_stacks())
 */
struct kheap_alloc_info {
	const struct kheap *heap;
	const void *ptr;
	size_t size;
	u64 id;
	unsigned long caller;
	u64 time_ns;
	u32 stack;
};

/**
 * struct kheap_reporter_ops - callbacks of a reporter; each may be NULL
 * @on_alloc:	a block was allocated. Runs in the allocating context (any
 *		context, on the fast path): must not sleep, should be quick.
 * @on_free:	a block is being freed (it is still valid during the call).
 *		Any context, fast path: must not sleep.
 * @report:	one live block listed by kheap_report() or by the leak report
 *		of kheap_destroy(). Process context, may not sleep (called
 *		with no kheap lock held, inside an RCU read-side section).
 */
struct kheap_reporter_ops {
	void (*on_alloc)(void *priv, const struct kheap_alloc_info *info);
	void (*on_free)(void *priv, const struct kheap_alloc_info *info);
	void (*report)(void *priv, const struct kheap_alloc_info *info);
};

/**
 * struct kheap_reporter - a reporter: its callbacks and their argument
 * @ops:	the callbacks
 * @priv:	passed to every callback
 */
struct kheap_reporter {
	const struct kheap_reporter_ops *ops;
	void *priv;
};

#ifndef KHEAP_NO_TRACKING

/* Longest heap name, not counting the terminating NUL. */
#define KHEAP_NAME_MAX 63

struct kheap *kheap_create_owner(const char *name, struct module *owner);

/**
 * kheap_create() - create a named heap, owned by the calling module
 * @name: 1..63 printable characters, no '/' or whitespace, unique
 *
 * kheap_create_owner() with THIS_MODULE of the caller: when that module
 * unloads with the heap still alive, kheap reports the heap and the module
 * by name, detaches every reporter of that module (from any heap) and keeps
 * the heap, usable as before: its blocks can be freed, kheap_destroy() and
 * kheap's exit still take it.
 *
 * Context: Process context; may sleep.
 * Return: the heap, ERR_PTR(-EINVAL) for a bad name, ERR_PTR(-EEXIST) when
 * the name is taken, ERR_PTR(-ENOMEM).
 */
#define kheap_create(name) kheap_create_owner((name), THIS_MODULE)
void kheap_destroy(struct kheap *heap);
struct kheap *kheap_default(void);
const char *kheap_name(const struct kheap *heap);

void *kheap_alloc_caller(struct kheap *heap, size_t size, size_t align,
			 gfp_t gfp, unsigned long caller);
void kheap_free(const void *ptr);

/*
 * The allocation calls are macros over kheap_alloc_caller(), with the call
 * site taken where they expand (_THIS_IP_): kheap records it, and kmalloc()
 * gets it too, so the kmem:kmalloc event's call_site and SLUB's traces name
 * the client's function, not kheap's.
 *
 * Memory allocation profiling (CONFIG_MEM_ALLOC_PROFILING, 6.10 on): each
 * call is wrapped in alloc_hooks(), which defines an allocation tag where it
 * expands and makes it the task's for the call, so that /proc/allocinfo
 * charges the client's file and line, not kheap's (kheap's kmalloc() is the
 * _noprof one, which charges the task's tag). Kernels before 6.10 have no
 * alloc_hooks(): the call alone. With profiling on, a module that unloads
 * with blocks it allocated still live WARNs: free them before unloading.
 */
#ifdef alloc_hooks
#define kheap_alloc_hooks(call) alloc_hooks(call)
#else
#define kheap_alloc_hooks(call) (call)
#endif

/**
 * kheap_alloc() - tracked kmalloc
 * @heap: the heap; NULL means the default heap
 * @size: bytes; 0 gives a valid, trackable, freeable block
 * @gfp:  allocation flags
 *
 * Records the call site: the address of this call in the calling function.
 *
 * Context: As kmalloc() with @gfp: any context if @gfp does not sleep,
 * but on PREEMPT_RT not hardirq, nor with interrupts or preemption off.
 * Return: the block, or NULL; nothing is counted then.
 */
#define kheap_alloc(heap, size, gfp) \
	kheap_alloc_hooks(           \
		kheap_alloc_caller((heap), (size), 0, (gfp), _THIS_IP_))

/**
 * kheap_zalloc() - tracked kzalloc
 * @heap: the heap; NULL means the default heap
 * @size: bytes
 * @gfp:  allocation flags
 *
 * Context: As kmalloc() with @gfp: any context if @gfp does not sleep,
 * but on PREEMPT_RT not hardirq, nor with interrupts or preemption off.
 * Return: the zeroed block, or NULL.
 */
#define kheap_zalloc(heap, size, gfp)                           \
	kheap_alloc_hooks(kheap_alloc_caller((heap), (size), 0, \
					     (gfp) | __GFP_ZERO, _THIS_IP_))

static inline void *__kheap_alloc_aligned(struct kheap *heap, size_t size,
					  size_t align, gfp_t gfp,
					  unsigned long caller)
{
	if (!is_power_of_2(align) || align > PAGE_SIZE)
		return NULL;
	return kheap_alloc_caller(heap, size, align, gfp, caller);
}

/**
 * kheap_alloc_aligned() - tracked allocation with an alignment
 * @heap:  the heap; NULL means the default heap
 * @size:  bytes
 * @align: a power of two up to PAGE_SIZE
 * @gfp:   allocation flags
 *
 * Context: As kmalloc() with @gfp: any context if @gfp does not sleep,
 * but on PREEMPT_RT not hardirq, nor with interrupts or preemption off.
 * Return: a block aligned to @align, or NULL (also for a bad @align).
 */
#define kheap_alloc_aligned(heap, size, align, gfp)                      \
	kheap_alloc_hooks(__kheap_alloc_aligned((heap), (size), (align), \
						(gfp), _THIS_IP_))

/**
 * kheap_alloc_array() - tracked allocation of an array
 * @heap: the heap; NULL means the default heap
 * @n:    number of elements
 * @size: bytes per element
 * @gfp:  allocation flags
 *
 * Context: As kmalloc() with @gfp: any context if @gfp does not sleep,
 * but on PREEMPT_RT not hardirq, nor with interrupts or preemption off.
 * Return: the block, or NULL (also when @n * @size overflows: size_mul()
 * saturates, and kheap refuses what kmalloc() cannot serve).
 */
#define kheap_alloc_array(heap, n, size, gfp)                                  \
	kheap_alloc_hooks(kheap_alloc_caller((heap), size_mul((n), (size)), 0, \
					     (gfp), _THIS_IP_))

struct kheap *kheap_of(const void *ptr);
size_t kheap_size(const void *ptr);
size_t kheap_bytes(const struct kheap *heap);
size_t kheap_count(const struct kheap *heap);
size_t kheap_peak_bytes(const struct kheap *heap);
unsigned long kheap_overruns(const struct kheap *heap);
unsigned long kheap_invalid_frees(void);

u64 kheap_bookmark(struct kheap *heap);
int kheap_report(struct kheap *heap, u64 from, u64 to);

int kheap_link(struct kheap *from, struct kheap *to);
int kheap_connect(struct kheap *a, struct kheap *b);
void kheap_unlink(struct kheap *from, struct kheap *to);
size_t kheap_hier_bytes(struct kheap *heap);
size_t kheap_hier_count(struct kheap *heap);

int kheap_set_reporter(struct kheap *heap, const struct kheap_reporter *rep);
extern const struct kheap_reporter kheap_console_reporter;
extern const struct kheap_reporter kheap_trace_reporter;

/*
 * Stacks on demand. kheap_set_stacks(heap, true) makes every block
 * allocated from @heap from then on record its allocation stack (up to 16
 * frames, from the client's call on) in the kernel's stack depot, which
 * keeps each distinct stack once; the block keeps the depot's handle in an
 * 8-byte extension in front of its header. debugfs heap/<name>/live and
 * report list the frames, and the console's reports and a destroy's leak
 * report print them under each block; a reporter gets the handle in
 * kheap_alloc_info's @stack. The same switch is the debugfs file
 * heap/<name>/stacks (write 1 or 0).
 *
 * Cost: with stacks off, nothing but one test of a heap field per
 * allocation (the header stays 56 bytes, the block cache works as before).
 * With stacks on, each allocation unwinds its stack and looks it up in the
 * depot (the first time a stack is seen, the depot copies it, and may
 * allocate a page with the allocation's gfp: no sleeping unless the gfp
 * allows it), its block takes 8 bytes more and bypasses the block cache.
 * doc/benchmark.md has the figures (the "parts" row stacks_on).
 *
 * Blocks keep what they were allocated with: turning stacks off does not
 * drop the recorded stacks, and every block stays freeable whatever the
 * flag says when it is freed.
 */

/**
 * kheap_set_stacks() - record each new block's allocation stack, or stop
 * @heap: the heap (NULL: the default heap)
 * @on:   true to record from now on, false to stop
 *
 * The first call with @on true sets up the stack depot if the kernel did
 * not at boot (Debian's kernels do not): stack_depot_init(), which may
 * sleep and allocates its hash table.
 *
 * Context: Process context; may sleep.
 * Return: 0; -EOPNOTSUPP when the kernel has no CONFIG_STACKDEPOT; -ENOMEM
 * when the depot cannot be set up. The flag is unchanged on error.
 */
int kheap_set_stacks(struct kheap *heap, bool on);

/**
 * kheap_stacks() - whether a heap records allocation stacks
 * @heap: the heap (NULL: the default heap)
 *
 * Context: Any context.
 * Return: what kheap_set_stacks() set last (false at creation).
 */
bool kheap_stacks(const struct kheap *heap);

#else /* KHEAP_NO_TRACKING: plain slab calls, no dependency on kheap.ko */

/*
 * clang-format off: one-line !CONFIG-style stubs and an aligned macro
 * table, the kernel's usual layout for fallbacks; clang-format unfolds them.
 */
/* clang-format off */

static inline struct kheap *kheap_create(const char *name) { return NULL; }
static inline struct kheap *kheap_create_owner(const char *n, struct module *m) { return NULL; }
static inline void kheap_destroy(struct kheap *heap) { }
static inline struct kheap *kheap_default(void) { return NULL; }
static inline const char *kheap_name(const struct kheap *heap) { return ""; }

/* kmalloc aligns power-of-two sizes naturally. */
static inline void *__kheap_plain_aligned(size_t size, size_t align, gfp_t gfp)
{
	if (!is_power_of_2(align) || align > PAGE_SIZE || size > INT_MAX)
		return NULL;
	if (align <= ARCH_KMALLOC_MINALIGN)
		return kmalloc(size, gfp);
	return kmalloc(roundup_pow_of_two(max_t(size_t, size, align)), gfp);
}

#define kheap_alloc(heap, size, gfp)		((void)(heap), kmalloc(size, gfp))
#define kheap_zalloc(heap, size, gfp)		((void)(heap), kzalloc(size, gfp))
#define kheap_alloc_aligned(heap, size, align, gfp) \
	((void)(heap), __kheap_plain_aligned(size, align, gfp))
#define kheap_alloc_array(heap, n, size, gfp)	((void)(heap), kmalloc_array(n, size, gfp))
#define kheap_free(ptr)				kfree(ptr)

static inline struct kheap *kheap_of(const void *ptr) { return NULL; }
static inline size_t kheap_size(const void *ptr) { return 0; }
static inline size_t kheap_bytes(const struct kheap *heap) { return 0; }
static inline size_t kheap_count(const struct kheap *heap) { return 0; }
static inline size_t kheap_peak_bytes(const struct kheap *heap) { return 0; }
static inline unsigned long kheap_overruns(const struct kheap *heap) { return 0; }
static inline unsigned long kheap_invalid_frees(void) { return 0; }
static inline u64 kheap_bookmark(struct kheap *heap) { return 0; }
static inline int kheap_report(struct kheap *heap, u64 from, u64 to) { return 0; }
static inline int kheap_link(struct kheap *from, struct kheap *to) { return 0; }
static inline int kheap_connect(struct kheap *a, struct kheap *b) { return 0; }
static inline void kheap_unlink(struct kheap *from, struct kheap *to) { }
static inline size_t kheap_hier_bytes(struct kheap *heap) { return 0; }
static inline size_t kheap_hier_count(struct kheap *heap) { return 0; }
static inline int kheap_set_reporter(struct kheap *heap,
				     const struct kheap_reporter *rep)
{
	return 0;
}

static inline int kheap_set_stacks(struct kheap *heap, bool on)
{
	return on ? -EOPNOTSUPP : 0;
}

static inline bool kheap_stacks(const struct kheap *heap) { return false; }

/* clang-format on */

#endif /* KHEAP_NO_TRACKING */

#endif /* _KHEAP_HEAP_H */
