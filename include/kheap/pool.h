/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kheap pools: lock-free rings of pointers and pools of fixed-size objects.
 *
 * Design. Three layers, for code that must not allocate on its fast path:
 *
 *  - kheap_ring: a bounded single-producer/single-consumer ring of non-NULL
 *    pointers (the seed's RingPool). Power-of-two capacity, free-running u32
 *    head and tail masked on use, so the indices wrap through 2^32 freely.
 *    Push and pop are static inline below; the struct is public for them.
 *
 *  - kheap_chain (opaque): a growable chain of rings (the seed's PoolChain),
 *    each ring pre-filled with objects. When every ring is empty,
 *    kheap_chain_get() appends a new filled ring, up to max_rings;
 *    kheap_chain_grow() does it ahead of need (the seed's addPool()).
 *
 *  - kheap_pool (opaque): a fixed set of objects spread over per-CPU rings
 *    that are multi-producer/multi-consumer (a get steals from other CPUs'
 *    rings when the local one is empty). Objects live in one contiguous area
 *    allocated at create time; get and put never allocate and never sleep.
 *    Each per-CPU ring can hold every object of the pool, so a put always
 *    finds room. Per-CPU statistics are in debugfs kheap/pools.
 *
 * Memory. Everything a chain or pool allocates is accounted to its heap and
 * bounded at create:
 *  - a chain is one block for its descriptor and two per ring (the ring, its
 *    objects), each one kheap_alloc(), since growth may run in atomic
 *    context where only kmalloc() serves: a ring's slots and its objects
 *    must each fit in KHEAP_KMALLOC_AREA_MAX, at most KHEAP_CHAIN_MAX_RINGS
 *    rings; kheap_chain_bytes() gives the total and its formula;
 *  - a pool is a descriptor, a ring table, a ring per possible CPU and the
 *    object area; each comes from its heap when one kmalloc() serves it,
 *    else (create and destroy run in process context) from kvmalloc().
 *    The rings hold every object on every CPU: about CPUs^2 * objs_per_cpu
 *    * 16 bytes in all. kheap_pool_bytes() gives the formula; debugfs shows
 *    what is in the heap and what is not;
 *  - a shape that cannot work is refused up front with -EINVAL; a failed
 *    allocation is -ENOMEM (or NULL), with no allocator warning.
 *
 * Object layout. Chain and pool objects are laid out at a stride of the
 * object size rounded up to sizeof(void *) (kheap_obj_stride()), from an
 * area that starts on an SMP_CACHE_BYTES boundary. The typed wrappers at the
 * end of this file (DECLARE_KHEAP_TYPED_POOL() and DECLARE_KHEAP_TYPED_CHAIN(),
 * in kfifo's style) size objects from a type and hand out pointers to it.
 *
 * Locking rules.
 *  - kheap_ring: one producer (push) and one consumer (pop) need no lock and
 *    may run on different CPUs and in any context (thread vs hardirq). Two
 *    producers, or two consumers, must serialise among themselves.
 *  - kheap_chain: the same SPSC rule over the whole chain: at most one
 *    context calls kheap_chain_get() or kheap_chain_grow() at a time (it is
 *    the consumer of every ring and the only one that grows the chain), and
 *    at most one context calls kheap_chain_put() at a time (the producer of
 *    every ring). The two may run concurrently. Growth sleeps only if its
 *    gfp allows.
 *  - kheap_pool: get and put from any context and any number of CPUs at
 *    once, no lock: only atomics, with local interrupts disabled for the few
 *    instructions that touch a ring.
 *  - Real-time safety: ring push and pop, and pool get and put, never take a
 *    lock, allocate or sleep, so they may be called from hardirq context on
 *    PREEMPT_RT too (the KUnit suites do, from hard hrtimers, on a
 *    PREEMPT_RT kernel with lockdep and DEBUG_ATOMIC_SLEEP). Anything that
 *    allocates or frees (create, destroy, a chain's growth) follows
 *    kmalloc()'s rules: on PREEMPT_RT not from hardirq context or with
 *    interrupts or preemption off, whatever the gfp.
 *  - Pool create and destroy run in process context; ring and chain create
 *    and destroy follow kmalloc() and kfree() with their gfp. Destroy must
 *    not race with any other call on the same object.
 *
 * Lifetime. A chain or pool is itself a block of its heap and keeps no
 * pointer to the heap (kheap_chain_heap() and kheap_pool_heap() look it up
 * with kheap_of()). Destroy it before its heap. If the heap is destroyed
 * first, the chain or pool moves to the default heap with its memory, as
 * every block of a destroyed heap does: kheap_destroy() reports its blocks
 * as leaks (call sites kheap_chain_create, kheap_pool_create, ...) and
 * re-parents them; the chain or pool keeps working, its memory now counted
 * in the default heap, a chain's later growth allocates there, debugfs
 * shows "heap default", and its own destroy frees everything as usual.
 * (kheap_destroy() returns nothing and a driver expects the heap gone after
 * it, so it is not refused.) kheap_destroy() must not run while the chain or
 * pool is being created or grows: allocating into a heap being destroyed is
 * the caller's bug.
 *
 * Misuse (a put of a pointer the pool does not own, objects not returned
 * before destroy, and with KHEAP_POOL_CHECK_DOUBLE_PUT a put of an object
 * that is not handed out) is reported with pr_err and counted; it never
 * WARNs.
 */
#ifndef _KHEAP_POOL_H
#define _KHEAP_POOL_H

#include <linux/bits.h>
#include <linux/build_bug.h>
#include <linux/err.h>
#include <linux/cache.h>
#include <linux/types.h>
#include <linux/gfp.h>
#include <linux/compiler.h>
#include <linux/cpumask.h>
#include <linux/kernel.h>
#include <linux/percpu.h>
#include <linux/preempt.h>
#include <linux/smp.h>
#include <asm/barrier.h>
#include <linux/limits.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <asm/barrier.h>
#include <asm/page.h>

/*
 * kheap.ko exports its symbols in the namespace KHEAP: a client module says
 * KHEAP_IMPORT_NS() once, at file scope next to its MODULE_LICENSE(). The
 * namespace is spelled as a string, as MODULE_IMPORT_NS() expands it on
 * every kernel (an identifier up to 6.12, a string from 6.13 on).
 */
#ifndef KHEAP_IMPORT_NS
#define KHEAP_IMPORT_NS() MODULE_INFO(import_ns, "KHEAP")
#endif

struct kheap;

/* Smallest and largest ring capacity, after rounding up to a power of two. */
#define KHEAP_RING_MIN_CAPACITY 2U
#define KHEAP_RING_MAX_CAPACITY BIT(20)

/*
 * The largest area a chain or a pool takes from its heap with one
 * kheap_alloc(): what one kmalloc() serves (KMALLOC_MAX_SIZE, 4 MiB on
 * x86-64 with 4 KiB pages) less a page for kheap's header, alignment padding
 * and canary. A chain's areas must fit (its growth may run in atomic context,
 * where only kmalloc() serves); a pool's larger areas come from kvmalloc().
 */
#define KHEAP_KMALLOC_AREA_MAX (KMALLOC_MAX_SIZE - PAGE_SIZE)

/**
 * struct kheap_ring - bounded SPSC ring of non-NULL pointers
 * @head:	consumer index, free-running; only the consumer writes it
 * @tail_seen:	the consumer's last reading of @tail; only it uses this
 * @cmask:	capacity - 1, the consumer's copy of @mask
 * @cpad:	keeps the producer's fields off the consumer's cache line
 * @tail:	producer index, free-running; only the producer writes it
 * @head_seen:	the producer's last reading of @head; only it uses this
 * @mask:	capacity - 1 (capacity is a power of two)
 * @ppad:	keeps the slots off the producer's cache line
 * @slots:	the entries, indexed by index & @mask
 *
 * The ring holds tail - head entries (u32 arithmetic, so it works across the
 * wrap of 2^32). Each side keeps its index, its last reading of the other
 * side's index and the mask in a cache line of its own (when the ring is
 * SMP_CACHE_BYTES aligned; correct either way), and reads the other side's
 * index only when its reading says the ring is full (producer) or empty
 * (consumer): a push and a pop on two CPUs do not fetch each other's cache
 * line on every call. The fields are public only for the inline fast path;
 * use the functions below.
 */
struct kheap_ring {
	u32 head;
	u32 tail_seen;
	u32 cmask;
	u8 cpad[SMP_CACHE_BYTES - 3 * sizeof(u32)];
	u32 tail;
	u32 head_seen;
	u32 mask;
	u8 ppad[SMP_CACHE_BYTES - 3 * sizeof(u32)];
	void *slots[];
};

/**
 * kheap_obj_stride() - the distance between two objects of a chain or pool
 * @obj_size:	the object size asked for
 *
 * Context: Any context.
 * Return: @obj_size rounded up to a multiple of sizeof(void *).
 */
static inline size_t kheap_obj_stride(size_t obj_size)
{
	return ALIGN(obj_size, sizeof(void *));
}

/**
 * kheap_ring_push() - add a pointer at the producer end
 * @ring:	the ring
 * @obj:	the pointer, not NULL
 *
 * Context: Any context (process, softirq, hardirq); never sleeps. Only one producer
 * at a time (see the locking rules at the top of this file).
 * Return: true if @obj was added; false if the ring is full or @obj is NULL.
 */
static inline bool kheap_ring_push(struct kheap_ring *ring, void *obj)
{
	u32 tail = ring->tail; /* only we write it */

	if (unlikely(!obj))
		return false;
	if (unlikely(tail - ring->head_seen > ring->mask)) {
		/*
		 * Looks full: read head again. Pairs with the
		 * smp_store_release() of head in kheap_ring_pop(): the
		 * consumer has read every slot below the head we see, so we
		 * may overwrite them, now and on later pushes (an old reading
		 * of head is never ahead of head: it only makes the ring look
		 * fuller than it is).
		 */
		ring->head_seen = smp_load_acquire(&ring->head);
		if (tail - ring->head_seen > ring->mask)
			return false;
	}
	WRITE_ONCE(ring->slots[tail & ring->mask], obj);
	/*
	 * Pairs with the smp_load_acquire() of tail in kheap_ring_pop(): the
	 * consumer sees the slot written before it sees the new tail.
	 */
	smp_store_release(&ring->tail, tail + 1);
	return true;
}

/**
 * kheap_ring_pop() - take the oldest pointer at the consumer end
 * @ring:	the ring
 *
 * Context: Any context (process, softirq, hardirq); never sleeps. Only one consumer
 * at a time (see the locking rules at the top of this file).
 * Return: the pointer, or NULL if the ring is empty.
 */
static inline void *kheap_ring_pop(struct kheap_ring *ring)
{
	u32 head = ring->head; /* only we write it */
	void *obj;

	if (head == ring->tail_seen) {
		/*
		 * Looks empty: read tail again. Pairs with the
		 * smp_store_release() of tail in kheap_ring_push(): every slot
		 * below the tail we see is written and visible, now and on
		 * later pops (an old reading of tail is never ahead of tail).
		 */
		ring->tail_seen = smp_load_acquire(&ring->tail);
		if (head == ring->tail_seen)
			return NULL;
	}
	obj = READ_ONCE(ring->slots[head & ring->cmask]);
	/*
	 * Pairs with the smp_load_acquire() of head in kheap_ring_push(): our
	 * read of the slot is done before the producer may reuse it.
	 */
	smp_store_release(&ring->head, head + 1);
	return obj;
}

/**
 * kheap_ring_count() - how many pointers the ring holds
 * @ring:	the ring
 *
 * Context: Any context. Exact for the producer or the consumer, or when neither
 * runs; a snapshot for anyone else.
 * Return: the number of entries, 0..capacity.
 */
static inline unsigned int kheap_ring_count(const struct kheap_ring *ring)
{
	return READ_ONCE(ring->tail) - READ_ONCE(ring->head);
}

/**
 * kheap_ring_capacity() - how many pointers the ring can hold
 * @ring:	the ring
 *
 * Context: Any context.
 * Return: the capacity, a power of two.
 */
static inline unsigned int kheap_ring_capacity(const struct kheap_ring *ring)
{
	return ring->mask + 1;
}

/**
 * kheap_ring_create() - allocate an empty ring
 * @capacity:	entries wanted, 2..KHEAP_RING_MAX_CAPACITY; rounded up to a
 *		power of two
 * @gfp:	for the allocation (kvmalloc(), with __GFP_NOWARN: a failure is
 *		reported as -ENOMEM, not on the console)
 *
 * A ring above KHEAP_KMALLOC_AREA_MAX bytes (8 bytes an entry) needs a @gfp
 * that may sleep (vmalloc()); without one its creation fails with -ENOMEM.
 * Context: Process context if @gfp may sleep, else any context where
 * kmalloc() is allowed (on PREEMPT_RT not hardirq, see the top of this file).
 * Return: the ring; ERR_PTR(-EINVAL) if @capacity is out of range (1 is);
 * ERR_PTR(-ENOMEM).
 */
struct kheap_ring *kheap_ring_create(unsigned int capacity, gfp_t gfp);

/**
 * kheap_ring_destroy() - free a ring made by kheap_ring_create()
 * @ring:	the ring, or NULL
 *
 * The pointers still in it are the caller's business.
 * Context: Process context (kvfree()).
 */
void kheap_ring_destroy(struct kheap_ring *ring);

/* Most rings one chain may have (max_rings). */
#define KHEAP_CHAIN_MAX_RINGS 4096U

struct kheap_chain;

/**
 * kheap_chain_create() - a chain with one ring, filled
 * @heap:	where everything is accounted; NULL for the default heap
 * @obj_size:	bytes per object, not 0
 * @ring_capacity: objects per ring, rounded up to a power of two as for
 *		kheap_ring_create() (2..KHEAP_RING_MAX_CAPACITY)
 * @max_rings:	most rings the chain grows to, 1..KHEAP_CHAIN_MAX_RINGS
 * @gfp:	for the allocations (__GFP_NOWARN is added: a failure is
 *		reported as -ENOMEM, not on the console)
 *
 * Every allocation of a chain is one kheap_alloc(), so each ring's slots
 * (8 bytes an entry) and each ring's objects (@ring_capacity times the
 * stride) must fit in KHEAP_KMALLOC_AREA_MAX; a larger shape is refused with
 * -EINVAL (on x86-64 with 4 KiB pages a ring holds at most 2^18 entries).
 * Context: Process context if @gfp may sleep, else any context where
 * kmalloc() is allowed (on PREEMPT_RT not hardirq, see the top of this file).
 * Return: the chain; ERR_PTR(-EINVAL) for a bad argument or a shape too
 * large; ERR_PTR(-ENOMEM).
 */
struct kheap_chain *kheap_chain_create(struct kheap *heap, size_t obj_size,
				       unsigned int ring_capacity,
				       unsigned int max_rings, gfp_t gfp);

/**
 * kheap_chain_get() - take an object, growing the chain if needed
 * @chain:	the chain
 * @gfp:	for growth
 *
 * Takes from the first non-empty ring. When every ring is empty and the
 * chain has fewer than max_rings, appends a new ring filled with
 * ring_capacity fresh objects, allocated with @gfp: growth is tried with any
 * @gfp, so GFP_ATOMIC or GFP_NOWAIT grow the chain too (without sleeping)
 * and may fail where GFP_KERNEL would not; a failure is quiet (__GFP_NOWARN
 * is added). Objects are not zeroed.
 * Context: The chain's one getter (see the locking rules at the top of
 * this file); sleeps only if @gfp allows. Growth allocates: on PREEMPT_RT
 * not from hardirq context, nor with interrupts or preemption off.
 * Return: an object, or NULL if none is free and the chain cannot grow.
 */
void *kheap_chain_get(struct kheap_chain *chain, gfp_t gfp);

/**
 * kheap_chain_grow() - append a filled ring now
 * @chain:	the chain
 * @gfp:	for the ring and its objects (__GFP_NOWARN is added)
 *
 * The growth kheap_chain_get() does when every ring is empty, done ahead:
 * a client grows the chain in process context with GFP_KERNEL, then takes
 * objects in an atomic section, where kheap_chain_get() does not allocate
 * as long as a ring holds an object (the seed's PoolChain::addPool()).
 * Context: The chain's one getter (growth is the getter's; see the locking
 * rules at the top of this file); sleeps only if @gfp allows; allocates,
 * so on PREEMPT_RT not from hardirq context, nor with interrupts or
 * preemption off.
 * Return: 0; -ENOSPC if the chain has max_rings rings; -ENOMEM.
 */
int kheap_chain_grow(struct kheap_chain *chain, gfp_t gfp);

/**
 * kheap_chain_put() - give an object back
 * @chain:	the chain
 * @obj:	an object kheap_chain_get() returned
 *
 * Puts @obj into the first ring with room. A pointer that is not one of the
 * chain's objects is reported (rate-limited pr_err) and refused.
 * Context: The chain's one putter; any context, never sleeps.
 * Return: true if taken; false for a foreign pointer or if every ring is
 * full (only possible if an object is put twice).
 */
bool kheap_chain_put(struct kheap_chain *chain, void *obj);

/**
 * kheap_chain_destroy() - free a chain and all its objects
 * @chain:	the chain, or NULL
 *
 * Objects not returned are reported with pr_err (how many) and are freed
 * with the chain: pointers the caller still holds become invalid. No getter
 * or putter may run.
 * Context: Any context the chain's heap allows kheap_free() in.
 */
void kheap_chain_destroy(struct kheap_chain *chain);

/**
 * kheap_chain_heap() - the heap a chain's memory is accounted to
 * @chain:	the chain
 *
 * The heap given at create (the default heap for NULL); the default heap
 * once that heap was destroyed (see "Lifetime" at the top of this file).
 * Context: Any context.
 * Return: the heap.
 */
struct kheap *kheap_chain_heap(const struct kheap_chain *chain);

/**
 * kheap_chain_bytes() - the bytes a chain holds from its heap
 * @chain:	the chain
 *
 * What the chain adds to kheap_bytes() of its heap: its descriptor with a
 * table of max_rings entries (16 bytes each on 64-bit), allocated at create;
 * then per ring, as the chain grows, two blocks: the ring, 2 *
 * SMP_CACHE_BYTES + sizeof(void *) * ring_capacity bytes, and its objects,
 * ring_capacity * kheap_obj_stride(obj_size) bytes. So kheap_count() grows
 * by 1 + 2 * kheap_chain_nr_rings().
 * Context: Any context; exact for the getter or when the chain does not grow.
 * Return: the bytes.
 */
size_t kheap_chain_bytes(const struct kheap_chain *chain);

/**
 * kheap_chain_nr_rings() - how many rings the chain has now
 * @chain:	the chain
 *
 * Context: Any context.
 * Return: 1..max_rings.
 */
unsigned int kheap_chain_nr_rings(const struct kheap_chain *chain);

/**
 * enum kheap_pool_stat - per-CPU statistics of a pool
 * @KHEAP_POOL_STAT_GETS:	objects handed out
 * @KHEAP_POOL_STAT_PUTS:	objects taken back
 * @KHEAP_POOL_STAT_LOCAL_HITS:	gets served by the local CPU's ring
 * @KHEAP_POOL_STAT_REMOTE_STEALS: gets served by another CPU's ring
 * @KHEAP_POOL_STAT_EMPTY:	gets that returned NULL
 * @KHEAP_POOL_STAT_FOREIGN_PUTS: puts refused (not an object of the pool,
 *				or no room because an object was put twice)
 * @KHEAP_POOL_STAT_DOUBLE_PUTS: puts refused because the object was not
 *				handed out (KHEAP_POOL_CHECK_DOUBLE_PUT only)
 * @KHEAP_POOL_NR_STATS:	how many counters there are
 *
 * Each is counted on the CPU that did the get or put; debugfs kheap/pools
 * shows them per CPU, kheap_pool_stat() sums them.
 */
enum kheap_pool_stat {
	KHEAP_POOL_STAT_GETS,
	KHEAP_POOL_STAT_PUTS,
	KHEAP_POOL_STAT_LOCAL_HITS,
	KHEAP_POOL_STAT_REMOTE_STEALS,
	KHEAP_POOL_STAT_EMPTY,
	KHEAP_POOL_STAT_FOREIGN_PUTS,
	KHEAP_POOL_STAT_DOUBLE_PUTS,
	KHEAP_POOL_NR_STATS,
};

/* Longest pool name, not counting the terminating NUL. */
#define KHEAP_POOL_NAME_MAX 63
/*
 * Most objects one pool may hold: each CPU's ring holds them all, and a
 * ring holds at most KHEAP_RING_MAX_CAPACITY.
 */
#define KHEAP_POOL_MAX_OBJS KHEAP_RING_MAX_CAPACITY
/* Largest object area of a pool (kvmalloc()'s limit). */
#define KHEAP_POOL_AREA_MAX ((size_t)INT_MAX)

/*
 * The pool's layout that the inline kheap_pool_get() and kheap_pool_put()
 * below compile into a client module. A pool is created with the layout
 * its creator was compiled with (kheap_pool_create() passes it), and
 * kheap.ko refuses another one: a client built against another kheap's
 * pool.h gets ERR_PTR(-EINVAL) and a log line, never a pool it would read
 * wrong. Bumped whenever anything below up to struct kheap_pool_fast
 * changes.
 */
#define KHEAP_POOL_LAYOUT 1

/**
 * struct kheap_pool_cell - one entry of a per-CPU ring
 * @seq:	index + 1 once @obj is published for that index
 * @obj:	the object
 */
struct kheap_pool_cell {
	u32 seq;
	void *obj;
};

/**
 * struct kheap_pool_slot - the lock-free MPMC ring of one CPU (pool.c)
 * @head:	next index to pop, advanced by cmpxchg
 * @tail:	next index to push, advanced by cmpxchg
 * @mask:	capacity - 1
 * @cells:	capacity cells
 */
struct kheap_pool_slot {
	u32 head;
	u32 tail;
	u32 mask;
	struct kheap_pool_cell cells[];
};

/**
 * struct kheap_pool_stats - per-CPU statistics of a pool
 * @count:	indexed by enum kheap_pool_stat; KHEAP_POOL_STAT_GETS is not
 *		counted on its own (the sum of local hits and remote steals)
 */
struct kheap_pool_stats {
	unsigned long count[KHEAP_POOL_NR_STATS];
};

/**
 * struct kheap_pool_fast - what the inline get and put read: the first
 * member of every pool, written only at create
 * @slots:	per-CPU rings, indexed by CPU number
 * @stats:	per-CPU counters
 * @objs:	the object area
 * @area_size:	its size: objects times @stride
 * @stride:	distance between objects
 * @stride_shift: log2(@stride) when it is a power of two, else 0
 * @slow:	every get and put takes the out-of-line path (a stride that is
 *		not a power of two, KHEAP_POOL_CHECK_DOUBLE_PUT)
 */
struct kheap_pool_fast {
	struct kheap_pool_slot **slots;
	struct kheap_pool_stats __percpu *stats;
	void *objs;
	size_t area_size;
	size_t stride;
	unsigned int stride_shift;
	bool slow;
};

struct kheap_pool;

/**
 * kheap_pool_create_layout() - kheap_pool_create_flags(), with the layout
 * of struct kheap_pool_fast the caller was compiled with
 * @name:	as kheap_pool_create()
 * @heap:	as kheap_pool_create()
 * @obj_size:	as kheap_pool_create()
 * @objs_per_cpu: as kheap_pool_create()
 * @flags:	as kheap_pool_create_flags()
 * @gfp:	as kheap_pool_create()
 * @layout:	KHEAP_POOL_LAYOUT of the caller's pool.h
 *
 * Called by kheap_pool_create() and kheap_pool_create_flags(), not directly.
 * Context: Process context (takes a mutex).
 * Return: as kheap_pool_create_flags(); ERR_PTR(-EINVAL), with a log line,
 * when @layout is not kheap.ko's.
 */
struct kheap_pool *kheap_pool_create_layout(const char *name,
					    struct kheap *heap, size_t obj_size,
					    unsigned int objs_per_cpu,
					    unsigned int flags, gfp_t gfp,
					    unsigned int layout);

/*
 * KHEAP_POOL_CHECK_DOUBLE_PUT, a flag of kheap_pool_create_flags(): detect
 * a put of an object that is not handed out. The pool keeps a bit per
 * object (from its heap), set by the get that hands the object out and
 * cleared by the put that takes it back. A put that finds the bit clear (the
 * object put twice, or never got) is refused, reported with a rate-limited
 * pr_err and counted in KHEAP_POOL_STAT_DOUBLE_PUTS; of two puts of one
 * object racing on two CPUs exactly one is taken. Not detected: a stale
 * pointer put after the pool handed the same object out again (taken as
 * the new holder's put). It costs an atomic bit operation on each get and
 * put of that pool only: the others test a static branch, which is a no-op
 * while no pool has the flag. Without it a double put is not detected: the
 * object is then in the pool twice and goes to two holders.
 */
#define KHEAP_POOL_CHECK_DOUBLE_PUT BIT(0)

/**
 * kheap_pool_create() - a pool with objs_per_cpu objects per possible CPU
 * @name:	for reports and debugfs: 1..KHEAP_POOL_NAME_MAX printable
 *		characters, no '/' or whitespace (a heap name's rules); not
 *		necessarily unique
 * @heap:	where its memory is accounted (kheap_pool_bytes()); NULL for
 *		the default heap
 * @obj_size:	bytes per object, not 0
 * @objs_per_cpu: objects put on each possible CPU's ring, not 0; the pool
 *		holds objs_per_cpu * num_possible_cpus() objects, at most
 *		KHEAP_POOL_MAX_OBJS
 * @gfp:	for the allocations, usually GFP_KERNEL: a part above
 *		KHEAP_KMALLOC_AREA_MAX needs one that may sleep (vmalloc());
 *		__GFP_NOWARN is added (a failure is reported as -ENOMEM, not on
 *		the console)
 *
 * Each CPU's ring has room for every object of the pool (the count rounded
 * up to a power of two), so a put never fails for want of room. The object
 * area (objects times the stride) may be up to KHEAP_POOL_AREA_MAX bytes.
 * What the pool takes from @heap, and what from kvmalloc(), is said at
 * kheap_pool_bytes().
 * Context: Process context (takes a mutex).
 * Return: the pool; ERR_PTR(-EINVAL) for a bad argument (a bad name
 * included) or a shape too large; ERR_PTR(-ENOMEM).
 */
static inline struct kheap_pool *
kheap_pool_create(const char *name, struct kheap *heap, size_t obj_size,
		  unsigned int objs_per_cpu, gfp_t gfp)
{
	return kheap_pool_create_layout(name, heap, obj_size, objs_per_cpu, 0,
					gfp, KHEAP_POOL_LAYOUT);
}

/**
 * kheap_pool_create_flags() - kheap_pool_create(), with flags
 * @name:	as for kheap_pool_create()
 * @heap:	as for kheap_pool_create()
 * @obj_size:	as for kheap_pool_create()
 * @objs_per_cpu: as for kheap_pool_create()
 * @flags:	0 or KHEAP_POOL_CHECK_DOUBLE_PUT
 * @gfp:	as for kheap_pool_create()
 *
 * Context: Process context (takes a mutex).
 * Return: as kheap_pool_create(); ERR_PTR(-EINVAL) for an unknown flag too.
 */
static inline struct kheap_pool *
kheap_pool_create_flags(const char *name, struct kheap *heap, size_t obj_size,
			unsigned int objs_per_cpu, unsigned int flags,
			gfp_t gfp)
{
	return kheap_pool_create_layout(name, heap, obj_size, objs_per_cpu,
					flags, gfp, KHEAP_POOL_LAYOUT);
}

/* The out-of-line get and put: every case the inline ones do not take. */
void *kheap_pool_get_slow(struct kheap_pool *pool);
void kheap_pool_put_slow(struct kheap_pool *pool, void *obj);

static __always_inline struct kheap_pool_fast *
kheap_pool_fast(struct kheap_pool *pool)
{
	/* The first member of struct kheap_pool (pool.c asserts it). */
	return (struct kheap_pool_fast *)pool;
}

/* Count @stat on this CPU: irq-safe, an interrupt may count meanwhile. */
static __always_inline void kheap_pool_fast_count(struct kheap_pool_fast *f,
						  enum kheap_pool_stat stat)
{
	this_cpu_inc(f->stats->count[stat]);
}

/* Pop from @slot, or NULL: its head cell is empty or not yet published. */
static __always_inline void *kheap_pool_slot_pop(struct kheap_pool_slot *slot)
{
	u32 head = READ_ONCE(slot->head);

	for (;;) {
		struct kheap_pool_cell *cell = &slot->cells[head & slot->mask];
		void *obj;
		/*
		 * Pairs with the smp_store_release() of seq in
		 * kheap_pool_slot_push(): once seq says index head is
		 * published, the cell's object is visible.
		 */
		u32 seq = smp_load_acquire(&cell->seq);

		if (seq != head + 1) {
			u32 now = READ_ONCE(slot->head);

			if (now == head)
				return NULL; /* empty, or a put in flight */
			head = now;
			continue;
		}
		obj = READ_ONCE(cell->obj);
		/*
		 * Release pairs with the smp_load_acquire() of head in
		 * kheap_pool_slot_push(): our read of the cell is done before
		 * a producer sees head past it and reuses the cell.
		 */
		if (try_cmpxchg_release(&slot->head, &head, head + 1))
			return obj;
	}
}

/* Push @obj onto @slot; false if it is full. */
static __always_inline bool kheap_pool_slot_push(struct kheap_pool_slot *slot,
						 void *obj)
{
	struct kheap_pool_cell *cell;
	u32 head, tail;

	for (;;) {
		/*
		 * Pairs with the try_cmpxchg_release() of head in
		 * kheap_pool_slot_pop(): every cell before head has been read
		 * by the consumer that claimed it. Reading head before tail
		 * keeps head <= tail in our snapshot.
		 */
		head = smp_load_acquire(&slot->head);
		tail = READ_ONCE(slot->tail);
		if (tail - head > slot->mask) {
			/* Full only if head did not move meanwhile. */
			if (READ_ONCE(slot->head) != head)
				continue;
			return false;
		}
		if (try_cmpxchg(&slot->tail, &tail, tail + 1))
			break;
	}
	cell = &slot->cells[tail & slot->mask];
	WRITE_ONCE(cell->obj, obj);
	/*
	 * Pairs with the smp_load_acquire() of seq in kheap_pool_slot_pop():
	 * the object is visible before the cell says it is published.
	 */
	smp_store_release(&cell->seq, tail + 1);
	return true;
}

/* Steal from the other CPUs' rings, from the next CPU on (objpool's way). */
static __always_inline void *kheap_pool_steal(struct kheap_pool_fast *f,
					      unsigned int this)
{
	unsigned int cpu;
	void *obj;

	for_each_cpu_wrap(cpu, cpu_possible_mask, this + 1) {
		if (cpu == this)
			continue;
		obj = kheap_pool_slot_pop(f->slots[cpu]);
		if (obj) {
			kheap_pool_fast_count(f, KHEAP_POOL_STAT_REMOTE_STEALS);
			return obj;
		}
	}
	return NULL;
}

/**
 * kheap_pool_get() - take an object
 * @pool:	the pool
 *
 * Tries the local CPU's ring, then the other CPUs' rings in turn. Never
 * allocates. Objects are not zeroed. Runs with preemption off, interrupts
 * on. May return NULL while objects are free in exactly these cases: a
 * ring's next object sits behind a put in the middle of its push, on
 * another CPU, or on this CPU in the context this get interrupted (a task
 * or softirq interrupted by a get in hardirq, a task by a softirq); or
 * every free object is in rings a get or put on another CPU is moving
 * past meanwhile. Never when the pool is quiescent and an object is free.
 * Context: Any context (process, softirq, hardirq); never sleeps.
 * Return: an object, or NULL if none is free.
 */
static __always_inline void *kheap_pool_get(struct kheap_pool *pool)
{
	struct kheap_pool_fast *f = kheap_pool_fast(pool);
	unsigned int this;
	void *obj = NULL;

	if (likely(!f->slow)) {
		preempt_disable();
		this = smp_processor_id();
		obj = kheap_pool_slot_pop(f->slots[this]);
		if (likely(obj))
			kheap_pool_fast_count(f, KHEAP_POOL_STAT_LOCAL_HITS);
		else
			obj = kheap_pool_steal(f, this);
		preempt_enable();
	}
	/* Empty (counted there), or a pool the inline path does not take. */
	return likely(obj) ? obj : kheap_pool_get_slow(pool);
}

/**
 * kheap_pool_put() - give an object back
 * @pool:	the pool
 * @obj:	an object kheap_pool_get() returned from @pool
 *
 * Pushes onto the local CPU's ring (another CPU's if that is full, which
 * only an object put twice can cause). A pointer outside the pool's object
 * area or not at an object's start (NULL included) is reported with a
 * rate-limited pr_err, counted in KHEAP_POOL_STAT_FOREIGN_PUTS and not
 * taken. With KHEAP_POOL_CHECK_DOUBLE_PUT, so is an object that is not
 * handed out (counted in KHEAP_POOL_STAT_DOUBLE_PUTS); without it, an
 * object put twice is taken twice.
 * Context: Any context (process, softirq, hardirq); never sleeps.
 */
static __always_inline void kheap_pool_put(struct kheap_pool *pool, void *obj)
{
	struct kheap_pool_fast *f = kheap_pool_fast(pool);
	unsigned long off = (unsigned long)obj - (unsigned long)f->objs;
	bool done = false;

	/* An object of the pool: in its area, at an object's start. */
	if (likely(!f->slow && off < f->area_size &&
		   !(off & (f->stride - 1)))) {
		preempt_disable();
		done = kheap_pool_slot_push(f->slots[smp_processor_id()], obj);
		if (likely(done))
			kheap_pool_fast_count(f, KHEAP_POOL_STAT_PUTS);
		preempt_enable();
	}
	if (unlikely(!done))
		kheap_pool_put_slow(pool, obj);
}

/**
 * kheap_pool_destroy() - free a pool and its object area
 * @pool:	the pool, or NULL
 *
 * Objects not returned are reported with pr_err (how many); the object
 * area is freed all the same, so pointers still held become invalid. No get
 * or put may run.
 * Context: Process context (takes a mutex).
 */
void kheap_pool_destroy(struct kheap_pool *pool);

/**
 * kheap_pool_nr_objs() - how many objects the pool holds in all
 * @pool:	the pool
 *
 * Context: Any context.
 * Return: objs_per_cpu * num_possible_cpus() as at create.
 */
unsigned int kheap_pool_nr_objs(const struct kheap_pool *pool);

/**
 * kheap_pool_heap() - the heap a pool's memory is accounted to
 * @pool:	the pool
 *
 * The heap given at create (the default heap for NULL); the default heap
 * once that heap was destroyed (see "Lifetime" at the top of this file).
 * Context: Any context.
 * Return: the heap.
 */
struct kheap *kheap_pool_heap(const struct kheap_pool *pool);

/**
 * kheap_pool_bytes() - the bytes a pool holds from its heap
 * @pool:	the pool
 *
 * What the pool adds to kheap_bytes() of its heap, from create to destroy.
 * A pool of N = objs_per_cpu * num_possible_cpus() objects takes, each part
 * as one kheap_alloc() (so kheap_count() grows by 3 + num_possible_cpus(),
 * one more with the bitmap):
 *
 *  - its descriptor, a few hundred bytes;
 *  - with KHEAP_POOL_CHECK_DOUBLE_PUT, a bitmap of N bits (whole longs);
 *  - a ring table, nr_cpu_ids * sizeof(void *) bytes;
 *  - a ring per possible CPU, 16 * (roundup_pow_of_two(N) + 1) bytes: each
 *    ring holds every object, so the rings take about
 *    CPUs^2 * objs_per_cpu * 16 bytes in all (4 CPUs x 256 objects per CPU:
 *    4 rings of 16 KiB);
 *  - the object area, N * kheap_obj_stride(obj_size) bytes.
 *
 * A part larger than KHEAP_KMALLOC_AREA_MAX comes from kvmalloc() instead
 * and is not in the heap, nor are the per-CPU counters (alloc_percpu()):
 * debugfs kheap/pools shows those as other_bytes.
 * Context: Any context.
 * Return: the bytes.
 */
size_t kheap_pool_bytes(const struct kheap_pool *pool);

/**
 * kheap_pool_stat() - one statistics counter summed over the CPUs
 * @pool:	the pool
 * @stat:	which counter
 *
 * Context: Any context. A snapshot while gets and puts run.
 * Return: the sum, or 0 for an unknown @stat.
 */
u64 kheap_pool_stat(const struct kheap_pool *pool, enum kheap_pool_stat stat);

/**
 * kheap_pool_index() - an object's index in its pool
 * @pool:	the pool
 * @obj:	a pointer
 *
 * The check kheap_pool_put() makes: @obj must lie in the object area, at a
 * multiple of the stride (kheap_obj_stride(obj_size)) from its start.
 * Context: Any context.
 * Return: 0..kheap_pool_nr_objs() - 1, or UINT_MAX if @obj is not an object
 * of @pool.
 */
unsigned int kheap_pool_index(const struct kheap_pool *pool, const void *obj);

/*
 * Typed pools and chains, in the style of <linux/kfifo.h>: a handle that
 * carries the object type for the compiler beside the untyped pool or
 * chain, and macros that give and take that type, so a client gets a
 * struct foo * back without a cast, and a put of a pointer to another type
 * is an incompatible-pointer-type diagnostic (an error with GCC 14, and a
 * failed build with kheap's -Werror-like warning check). For example:
 *
 *	DECLARE_KHEAP_TYPED_POOL(frames, struct frame);
 *
 *	err = kheap_typed_pool_create(&frames, "rx", heap, 64, 0, GFP_KERNEL);
 *	struct frame *f = kheap_typed_pool_get(&frames);
 *	kheap_typed_pool_put(&frames, f);
 *	kheap_pool_stat(frames.pool, KHEAP_POOL_STAT_GETS);
 *	kheap_typed_pool_destroy(&frames);
 *
 * Objects are sizeof() the type, at a stride of kheap_obj_stride() of it,
 * from an area that starts on an SMP_CACHE_BYTES boundary: a type aligned
 * to at most SMP_CACHE_BYTES (checked at build time) is aligned.
 */

/**
 * DECLARE_KHEAP_TYPED_POOL() - declare a typed pool handle
 * @tp:		its name
 * @type:	the object type
 *
 * A variable or a struct member: a union of @tp.pool, the untyped pool for
 * every kheap_pool_*() call, and @tp.obj_type, never read: only its type is
 * used.
 */
#define DECLARE_KHEAP_TYPED_POOL(tp, type) \
	union {                            \
		struct kheap_pool *pool;   \
		type *obj_type;            \
	} tp

/**
 * kheap_typed_pool_create() - create the pool of a typed handle
 * @tp:		pointer to the handle
 * @name:	as for kheap_pool_create_flags()
 * @heap:	as for kheap_pool_create_flags()
 * @objs_per_cpu: as for kheap_pool_create_flags()
 * @flags:	as for kheap_pool_create_flags()
 * @gfp:	as for kheap_pool_create_flags()
 *
 * kheap_pool_create_flags() with objects of the handle's type.
 * Context: Process context (takes a mutex).
 * Return: 0, the pool in @tp->pool; or -EINVAL or -ENOMEM, @tp->pool NULL.
 */
#define kheap_typed_pool_create(tp, name, heap, objs_per_cpu, flags, gfp)      \
	({                                                                     \
		__auto_type __ktp = (tp);                                      \
		struct kheap_pool *__kpool;                                    \
		BUILD_BUG_ON(__alignof__(*__ktp->obj_type) > SMP_CACHE_BYTES); \
		__kpool = kheap_pool_create_flags(name, heap,                  \
						  sizeof(*__ktp->obj_type),    \
						  objs_per_cpu, flags, gfp);   \
		__ktp->pool = IS_ERR(__kpool) ? NULL : __kpool;                \
		PTR_ERR_OR_ZERO(__kpool);                                      \
	})

/**
 * kheap_typed_pool_get() - take an object of a typed pool
 * @tp:		pointer to the handle
 *
 * kheap_pool_get(), typed.
 * Context: Any context (process, softirq, hardirq); never sleeps.
 * Return: a pointer to the handle's type, or NULL if none is free.
 */
#define kheap_typed_pool_get(tp)                                              \
	({                                                                    \
		__auto_type __ktp = (tp);                                     \
		typeof(__ktp->obj_type) __kobj = kheap_pool_get(__ktp->pool); \
		__kobj;                                                       \
	})

/**
 * kheap_typed_pool_put() - give an object back to a typed pool
 * @tp:		pointer to the handle
 * @obj:	a pointer to the handle's type that kheap_typed_pool_get()
 *		returned
 *
 * kheap_pool_put(), typed.
 * Context: Any context (process, softirq, hardirq); never sleeps.
 */
#define kheap_typed_pool_put(tp, obj)                   \
	do {                                            \
		__auto_type __ktp = (tp);               \
		typeof(__ktp->obj_type) __kobj = (obj); \
		kheap_pool_put(__ktp->pool, __kobj);    \
	} while (0)

/**
 * kheap_typed_pool_destroy() - destroy the pool of a typed handle
 * @tp:		pointer to the handle; its pool may be NULL
 *
 * kheap_pool_destroy(), then @tp->pool is NULL.
 * Context: Process context (takes a mutex).
 */
#define kheap_typed_pool_destroy(tp)             \
	do {                                     \
		__auto_type __ktp = (tp);        \
		kheap_pool_destroy(__ktp->pool); \
		__ktp->pool = NULL;              \
	} while (0)

/**
 * DECLARE_KHEAP_TYPED_CHAIN() - declare a typed chain handle
 * @tc:		its name
 * @type:	the object type
 *
 * A variable or a struct member: a union of @tc.chain, the untyped chain
 * for every kheap_chain_*() call, and @tc.obj_type, never read: only its
 * type is used.
 */
#define DECLARE_KHEAP_TYPED_CHAIN(tc, type) \
	union {                             \
		struct kheap_chain *chain;  \
		type *obj_type;             \
	} tc

/**
 * kheap_typed_chain_create() - create the chain of a typed handle
 * @tc:		pointer to the handle
 * @heap:	as for kheap_chain_create()
 * @ring_capacity: as for kheap_chain_create()
 * @max_rings:	as for kheap_chain_create()
 * @gfp:	as for kheap_chain_create()
 *
 * kheap_chain_create() with objects of the handle's type.
 * Context: As kheap_chain_create().
 * Return: 0, the chain in @tc->chain; or -EINVAL or -ENOMEM, @tc->chain
 * NULL.
 */
#define kheap_typed_chain_create(tc, heap, ring_capacity, max_rings, gfp)      \
	({                                                                     \
		__auto_type __ktc = (tc);                                      \
		struct kheap_chain *__kchain;                                  \
		BUILD_BUG_ON(__alignof__(*__ktc->obj_type) > SMP_CACHE_BYTES); \
		__kchain = kheap_chain_create(heap, sizeof(*__ktc->obj_type),  \
					      ring_capacity, max_rings, gfp);  \
		__ktc->chain = IS_ERR(__kchain) ? NULL : __kchain;             \
		PTR_ERR_OR_ZERO(__kchain);                                     \
	})

/**
 * kheap_typed_chain_get() - take an object of a typed chain
 * @tc:		pointer to the handle
 * @gfp:	for growth, as for kheap_chain_get()
 *
 * kheap_chain_get(), typed.
 * Context: As kheap_chain_get().
 * Return: a pointer to the handle's type, or NULL.
 */
#define kheap_typed_chain_get(tc, gfp)                      \
	({                                                  \
		__auto_type __ktc = (tc);                   \
		typeof(__ktc->obj_type) __kobj =            \
			kheap_chain_get(__ktc->chain, gfp); \
		__kobj;                                     \
	})

/**
 * kheap_typed_chain_put() - give an object back to a typed chain
 * @tc:		pointer to the handle
 * @obj:	a pointer to the handle's type that kheap_typed_chain_get()
 *		returned
 *
 * kheap_chain_put(), typed.
 * Context: As kheap_chain_put().
 * Return: as kheap_chain_put().
 */
#define kheap_typed_chain_put(tc, obj)                  \
	({                                              \
		__auto_type __ktc = (tc);               \
		typeof(__ktc->obj_type) __kobj = (obj); \
		kheap_chain_put(__ktc->chain, __kobj);  \
	})

/**
 * kheap_typed_chain_grow() - append a filled ring to a typed chain
 * @tc:		pointer to the handle
 * @gfp:	as for kheap_chain_grow()
 *
 * Context: As kheap_chain_grow().
 * Return: as kheap_chain_grow().
 */
#define kheap_typed_chain_grow(tc, gfp)              \
	({                                           \
		__auto_type __ktc = (tc);            \
		kheap_chain_grow(__ktc->chain, gfp); \
	})

/**
 * kheap_typed_chain_destroy() - destroy the chain of a typed handle
 * @tc:		pointer to the handle; its chain may be NULL
 *
 * kheap_chain_destroy(), then @tc->chain is NULL.
 * Context: As kheap_chain_destroy().
 */
#define kheap_typed_chain_destroy(tc)              \
	do {                                       \
		__auto_type __ktc = (tc);          \
		kheap_chain_destroy(__ktc->chain); \
		__ktc->chain = NULL;               \
	} while (0)

#endif /* _KHEAP_POOL_H */
