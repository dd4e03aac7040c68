// SPDX-License-Identifier: GPL-2.0
/*
 * kheap tracking: the tracked allocation and free paths.
 *
 * A block is one kmalloc() area: [padding][struct kheap_hdr][user data][canary].
 * The header sits right before the user pointer, which is aligned as asked.
 *
 * Fast path: interrupts stay on; a task's call is one preemption-off
 * section, with no helper call in it. Allocation: a block of the request's
 * size class comes from this CPU's cache of freed blocks (cache.c, tasks
 * only) or from kmalloc(); its header is filled and it goes on the shard of
 * this CPU and context level (task, softirq, hardirq) under the shard's
 * lock, which its own CPU takes with a plain store while no reader or
 * mover is about (kheap_shard_own()). Free: the header is read with
 * extable-protected loads (a foreign pointer cannot fault us), checked,
 * and claimed (its check turned into the freed one with a
 * compare-and-exchange, so of two frees of one block exactly one wins);
 * on the block's own CPU, under its shard's lock, it is unlinked and goes
 * back to the cache, or to kfree().
 *
 * A free on another CPU never touches the shard: it claims the block
 * without the lock, counts it off the shard's @rbytes and @rcount, and
 * queues it on the shard's @deferred list for the shard's next holder to
 * unlink and release (kheap_claim_nested(), kheap_defer()). So does an
 * interrupt freeing a block of a lower level's shard that is held (it may
 * have interrupted its holder: kheap_shard_lock()). A claim without the
 * lock may race a second free of the block, whose memory must then stay
 * valid until the claim's compare-and-exchange is done: such claimers are
 * counted in the shard's @claimers, and no one releases a claimed block's
 * memory (to kfree() or the cache) until it is zero.
 *
 * The preemption-off sections (and interrupts) are also the RCU readers
 * that keep a heap alive (kheap_destroy() frees it after a grace period);
 * reporters are called under rcu_read_lock().
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <kunit/visibility.h>
#include <linux/delay.h>
#include <linux/export.h>
#include <linux/jump_label.h>
#include <linux/kallsyms.h>
#include <linux/kfence.h>
#include <linux/mm.h>
#include <linux/overflow.h>
#include <linux/random.h>
#include <linux/sched/clock.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <trace/events/kmem.h>

#include "kheap_internal.h"
#include "kheap_trace.h"

#define KHEAP_MIN_ALIGN ARCH_KMALLOC_MINALIGN
/* Ids a shard takes at once from its heap (see kheap_bookmark()). */
#define KHEAP_ID_RANGE 1024
/* The largest request the cache classes take. */
#define KHEAP_SMALL_MAX (KHEAP_CACHE_MAX - KHEAP_OVERHEAD)
/* Never cached: memcg-charged, DMA zones, reclaimable caches. */
#define KHEAP_NOCACHE_GFP \
	(__GFP_ACCOUNT | __GFP_DMA | __GFP_DMA32 | __GFP_RECLAIMABLE)

static_assert(sizeof(struct kheap_hdr) == 56);
static_assert(KMALLOC_MAX_SIZE <= U32_MAX);
/* The largest offset: an extension and a header before a page's alignment. */
static_assert(PAGE_SIZE + KHEAP_EXT_SIZE + sizeof(struct kheap_hdr) <=
	      KHEAP_OFF_MASK);
static_assert(!(KHEAP_OFF_MASK & (KHEAP_OFF_CLASS | KHEAP_OFF_STACK)));
/* kheap_hdr_peek() reads stamp and size, and cpu, offset and check, as u64s. */
static_assert(offsetof(struct kheap_hdr, size) ==
	      offsetof(struct kheap_hdr, stamp) + 4);
static_assert(offsetof(struct kheap_hdr, offset) ==
	      offsetof(struct kheap_hdr, cpu) + 2);
static_assert(offsetof(struct kheap_hdr, check) ==
	      offsetof(struct kheap_hdr, cpu) + 4);
static_assert(!IS_ENABLED(CONFIG_CPU_BIG_ENDIAN));

/* Why a header failed its check. */
enum kheap_verdict {
	KHEAP_OWNED, /* live (a lookup), or claimed and off its list (a free) */
	KHEAP_FOREIGN, /* not a block kheap handed out */
	KHEAP_FREED_TWICE, /* a block already freed */
	KHEAP_DEFERRED, /* claimed without its shard's lock, still linked */
};

atomic_long_t kheap_invalid_frees_count;
/* Bumped around every header kheap_reparent() rewrites (snapshot.c). */
seqcount_t kheap_move_seq = SEQCNT_ZERO(kheap_move_seq);
/* The key of every header's check, drawn at load. */
u64 kheap_secret __ro_after_init;
/* Frees queued on a shard (kheap_defer()), per CPU that queued. */
static DEFINE_PER_CPU(unsigned long, kheap_deferred_count);

/* Blocks queued (+1 where queued) and released (-1 where released). */
static DEFINE_PER_CPU(long, kheap_deferred_delta);
/* Lockers about (kheap_lockers_enter()): 0 or 1, read by every owner. */
atomic_t kheap_lock_mode;
static DEFINE_MUTEX(kheap_lockers_mutex);
/* Under the mutex: lockers in, and whether mode 1's grace period ended. */
static unsigned int kheap_lockers;
static bool kheap_lockers_ready;
/*
 * How long mode 1 outlives its last locker: a burst of readers or destroys
 * (a loop over debugfs files, a test's heaps) pays one grace period.
 */
#define KHEAP_LOCKERS_LINGER (HZ / 2)
static void kheap_lockers_idle_fn(struct work_struct *work);
static DECLARE_DELAYED_WORK(kheap_lockers_idle, kheap_lockers_idle_fn);
/* Tests: interrupts queue their frees of lower shards, held or not. */
static bool kheap_defer_always;
/* Tests: queued blocks wait for the shrinker (kheap_shard_collect()). */
static bool kheap_defer_nodrain;

/* A test-only static key on or off (process context). */
static void kheap_test_key_set(struct static_key_false *key, bool on)
{
	if (on)
		static_branch_enable(key);
	else
		static_branch_disable(key);
}

/* Tests: a free pauses between reading a header and locking its shard. */
static DEFINE_STATIC_KEY_FALSE(kheap_free_pause);

/**
 * kheap_test_free_pause() - widen the window of a free racing a move
 * @on:	true: from now on every free pauses up to 2 us (a random time)
 *	between reading its block's header and taking its shard's lock, where
 *	kheap_reparent() may move the block (kheap's tests of frees racing
 *	kheap_destroy()); false: no pause (a NOP branch again)
 *
 * Context: process context (a static key).
 */
void kheap_test_free_pause(bool on)
{
	kheap_test_key_set(&kheap_free_pause, on);
}
EXPORT_SYMBOL_IF_KUNIT(kheap_test_free_pause);

/* Tests: a bookmark pauses between its read and its generation bump. */
static DEFINE_STATIC_KEY_FALSE(kheap_bookmark_pause);

/**
 * kheap_test_bookmark_pause() - widen the window inside kheap_bookmark()
 * @on:	true: from now on every bookmark pauses up to 2 us (a random time)
 *	between its two steps, reading the next id and retiring the shards'
 *	ranges, where an interrupt on its CPU may take a range (kheap's
 *	tests of bookmarks against hardirq allocations); false: no pause
 *
 * Context: process context (a static key).
 */
void kheap_test_bookmark_pause(bool on)
{
	kheap_test_key_set(&kheap_bookmark_pause, on);
}
EXPORT_SYMBOL_IF_KUNIT(kheap_test_bookmark_pause);

/*
 * Up to 2 us, from the clock's low bits: get_random_*() takes a lock that
 * sleeps on PREEMPT_RT, and a free's preemption is off here.
 */
static noinline void kheap_pause_for_test(void)
{
	ndelay(local_clock() & 2047);
}

/* Tests: a claim from another CPU stays counted (kheap_hold_for_test()). */
static DEFINE_STATIC_KEY_FALSE(kheap_claim_hold);
static atomic_t kheap_hold_ticket;
/* While on: waits for a count, and holds that began while one waited. */
static atomic_long_t kheap_hold_waits, kheap_hold_joined;

/**
 * kheap_test_claim_hold() - keep frees from other CPUs counted as claimers
 * @on:	true: from now on, a free from another CPU than its block's, once
 *	counted in its shard's claimers (kheap_claim_nested()), stays counted
 *	until a newer such free is counted, or until it held 5 ms while
 *	someone waits for that count, or 20 ms in all; two CPUs freeing
 *	blocks of one shard in turn then keep its count above zero, as many
 *	CPUs would (kheap's tests of the waits for that count); false: no
 *	hold (a NOP branch again)
 * @waits: set to the waits for a shard's claimers while it was on, since
 *	   load (kheap_claimers_wait()), read before the switch
 * @joined: set to the claims from other CPUs that were counted while their
 *	    shard had a waiter, since load, read before the switch
 *
 * A held claim keeps interrupts off on its CPU all the while: for tests.
 *
 * Context: process context (a static key).
 */
void kheap_test_claim_hold(bool on, unsigned long *waits, unsigned long *joined)
{
	*waits = atomic_long_read(&kheap_hold_waits);
	*joined = atomic_long_read(&kheap_hold_joined);
	kheap_test_key_set(&kheap_claim_hold, on);
}
EXPORT_SYMBOL_IF_KUNIT(kheap_test_claim_hold);

/*
 * Interrupts off (a claim): busy-wait, never sleep, on a clock that runs
 * without the tick (local_clock() may not, with interrupts off).
 */
static noinline void kheap_hold_for_test(struct kheap_shard *shard)
{
	int ticket = atomic_inc_return(&kheap_hold_ticket);
	u64 start = ktime_get_mono_fast_ns(), waited = 0, now;

	if (atomic_read(&shard->waiters))
		atomic_long_inc(&kheap_hold_joined);
	for (;;) {
		cpu_relax();
		if (atomic_read(&kheap_hold_ticket) != ticket)
			return;
		now = ktime_get_mono_fast_ns();
		if (now - start > 20 * NSEC_PER_MSEC)
			return;
		if (!atomic_read(&shard->waiters))
			waited = 0;
		else if (!waited)
			waited = now;
		else if (now - waited > 5 * NSEC_PER_MSEC)
			return;
	}
}

/**
 * kheap_test_deferred() - frees queued on a shard another context held
 * @always: true: from now on, every free from a context above its block's
 *	    shard's level is queued, whether the lock is held or not
 *	    (widens kheap_defer()'s window for kheap's tests)
 *
 * Context: any.
 * Return: the count of queued frees since load.
 */
unsigned long kheap_test_deferred(bool always)
{
	unsigned long n = 0;
	int cpu;

	WRITE_ONCE(kheap_defer_always, always);
	for_each_possible_cpu(cpu)
		n += READ_ONCE(*per_cpu_ptr(&kheap_deferred_count, cpu));
	return n;
}
EXPORT_SYMBOL_IF_KUNIT(kheap_test_deferred);

/**
 * kheap_test_owner_waits() - how often @heap's owners waited for a shard
 * @heap: the heap
 *
 * Every time a context of a shard's own CPU found the shard's lock held
 * by a locker (a reader's fallback, a move, a rebase of the marks) and
 * waited for it, since @heap was created.
 *
 * Context: any.
 * Return: the count.
 */
unsigned long kheap_test_owner_waits(struct kheap *heap)
{
	unsigned long n = 0;
	int cpu, lvl;

	for_each_possible_cpu(cpu) {
		struct kheap_pcpu *pc = per_cpu_ptr(heap->pcpu, cpu);

		for (lvl = 0; lvl < KHEAP_LEVELS; lvl++)
			n += READ_ONCE(pc->lvl[lvl].owner_waits);
	}
	return n;
}
EXPORT_SYMBOL_IF_KUNIT(kheap_test_owner_waits);

/**
 * kheap_test_defer_nodrain() - leave queued frees for the shrinker
 * @on: true: from now on neither a free that queues its block nor a
 *	shard's unlock unlinks and kfree()s queued blocks (what happens when
 *	every holder's unlock looked before the queueing was visible,
 *	kheap_shard_unlock()): they wait for kheap_drain_deferred_cpu(), or
 *	their heap's end
 *
 * Context: any.
 * Return: the blocks queued and not yet released, now.
 */
unsigned long kheap_test_defer_nodrain(bool on)
{
	WRITE_ONCE(kheap_defer_nodrain, on);
	return kheap_deferred_pending();
}
EXPORT_SYMBOL_IF_KUNIT(kheap_test_defer_nodrain);

/* Blocks queued on shards and not yet released, now (a sum of deltas). */
long kheap_deferred_pending(void)
{
	long n = 0;
	int cpu;

	for_each_possible_cpu(cpu)
		n += READ_ONCE(*per_cpu_ptr(&kheap_deferred_delta, cpu));
	return max(n, 0L);
}

/**
 * kheap_lockers_enter() - become a locker: lock any CPU's shards
 *
 * Unless the mode in which owners take their shards' locks with an atomic
 * is set and ready, set it, then wait for a grace period: every owner's
 * section that saw the old mode is over (kheap_shard_own()). Pair with
 * kheap_lockers_exit().
 *
 * Context: process context; may sleep.
 */
void kheap_lockers_enter(void)
{
	mutex_lock(&kheap_lockers_mutex);
	kheap_lockers++;
	if (!kheap_lockers_ready) {
		atomic_set(&kheap_lock_mode, 1);
		/* Every owner's section is an RCU reader: see above. */
		synchronize_rcu();
		kheap_lockers_ready = true;
	}
	mutex_unlock(&kheap_lockers_mutex);
}

/**
 * kheap_lockers_exit() - the end of kheap_lockers_enter()'s right
 *
 * The last locker out leaves the mode set for KHEAP_LOCKERS_LINGER, then
 * kheap_lockers_idle_fn() puts the owners back to plain stores.
 *
 * Context: process context; may sleep.
 */
void kheap_lockers_exit(void)
{
	mutex_lock(&kheap_lockers_mutex);
	if (!--kheap_lockers)
		mod_delayed_work(system_wq, &kheap_lockers_idle,
				 KHEAP_LOCKERS_LINGER);
	mutex_unlock(&kheap_lockers_mutex);
}

/*
 * No locker came back: mode 0. Every lock a locker took is released
 * already: the release below orders those releases before the mode an
 * owner reads with an acquire.
 */
static void kheap_lockers_idle_fn(struct work_struct *work)
{
	mutex_lock(&kheap_lockers_mutex);
	if (!kheap_lockers && kheap_lockers_ready) {
		kheap_lockers_ready = false;
		atomic_set_release(&kheap_lock_mode, 0);
	}
	mutex_unlock(&kheap_lockers_mutex);
}

/*
 * A context of the shard's own CPU found its lock held by a locker: count
 * it (those contexts take the shard one at a time: see kheap_shard_own()),
 * then wait.
 */
void kheap_shard_own_wait(struct kheap_shard *shard)
{
	WRITE_ONCE(shard->owner_waits, shard->owner_waits + 1);
	kheap_shard_lock_wait(shard);
}

/* The shard lock was held: wait for it, then take it. */
void kheap_shard_lock_wait(struct kheap_shard *shard)
{
	int free;

	do {
		while (atomic_read(&shard->lock))
			cpu_relax();
		free = 0;
		/* Pairs with the release in kheap_shard_unlock(). */
	} while (!atomic_try_cmpxchg_acquire(&shard->lock, &free,
					     KHEAP_SHARD_LOCKED));
}

static inline struct kheap_hdr *kheap_hdr_of(const void *ptr)
{
	return (struct kheap_hdr *)ptr - 1;
}

static inline void *kheap_base_of(const struct kheap_hdr *hdr)
{
	return (void *)hdr - (hdr->offset & KHEAP_OFF_MASK);
}

/*
 * kheap_claimers_wait(), when a claim is counted: wait, counted too, with
 * interrupts off. Counted, we hold up claims from other CPUs; were an
 * interrupt here one of them (of another shard, whose waiter, on its CPU,
 * an interrupt gated on ours holds up in turn), two CPUs could wait for
 * each other for ever.
 */
void __cold kheap_claimers_wait_slow(struct kheap_shard *shard)
{
	unsigned long flags;

	local_irq_save(flags);
	/*
	 * Claimers that see us wait before they count themselves: no
	 * ordering needed, only that they see it soon (a claim that starts
	 * anyway is waited for, once).
	 */
	atomic_inc(&shard->waiters);
	if (static_branch_unlikely(&kheap_claim_hold))
		atomic_long_inc(&kheap_hold_waits);
	while (atomic_read(&shard->claimers))
		cpu_relax();
	atomic_dec(&shard->waiters);
	local_irq_restore(flags);
}

/* kfree() a chain of queued blocks, unlinked or going with their heap. */
static void kheap_free_queued(struct llist_node *n)
{
	struct llist_node *next;
	long done;

	for (done = 0; n; done++) {
		next = n->next;
		kfree(kheap_base_of(kheap_hdr_of(n)));
		n = next;
	}
	this_cpu_sub(kheap_deferred_delta, done);
}

static __always_inline bool kheap_cached(struct kheap_hdr *hdr, void *base,
					 unsigned long caller);

/**
 * kheap_release_queued() - release blocks a shard's holder unlinked
 * @n: the chain kheap_shard_unlock() returned, no claimer left on it
 *
 * A task puts what it can back in its CPU's cache; the rest goes to
 * kfree(). Only the blocks are touched, not their heap, which may be
 * gone by now (a destroy racing the free that took them).
 *
 * Context: any but NMI, with the interrupts and preemption the caller
 * had before the section that unlinked them (on PREEMPT_RT, a task).
 */
void kheap_release_queued(struct llist_node *n)
{
	struct llist_node *next, *rest = NULL;
	bool task = !kheap_level();
	struct kheap_hdr *hdr;

	for (; n; n = next) {
		next = n->next;
		hdr = kheap_hdr_of(n);
		if (task) {
			preempt_disable();
			if (kheap_cached(hdr, kheap_base_of(hdr), _RET_IP_)) {
				this_cpu_dec(kheap_deferred_delta);
				preempt_enable();
				continue;
			}
			preempt_enable();
		}
		n->next = rest;
		rest = n;
	}
	kheap_free_queued(rest);
}

/*
 * Under @shard's lock: take up to KHEAP_COLLECT queued blocks off it and
 * unlink them, so a holder's section stays bounded; the rest wait for the
 * next holder. Their memory stays ours until kheap_release_queued(). The
 * lock's holder is the list's one consumer (llist_del_first()'s rule).
 */
static struct llist_node *__kheap_shard_collect(struct kheap_shard *shard)
{
	struct llist_node *n = NULL, *pos;
	unsigned int i;

	for (i = 0; i < KHEAP_COLLECT; i++) {
		/* Fully ordered: see kheap_release_queued(). */
		pos = llist_del_first(&shard->deferred);
		if (!pos)
			break;
		list_del(&kheap_hdr_of(pos)->node);
		pos->next = n;
		n = pos;
	}
	return n;
}

/* Take @shard's unlinked blocks off @pend (its lock held). */
static struct llist_node *kheap_shard_take_pend(struct kheap_shard *shard,
						struct llist_node *n)
{
	struct llist_node *last = shard->pend;

	if (last) {
		while (last->next)
			last = last->next;
		last->next = n;
		n = shard->pend;
		WRITE_ONCE(shard->pend, NULL);
		shard->npend = 0;
	}
	/*
	 * Before the caller's section ends (its heap may go once it does):
	 * the exchanges that took them off @deferred were fully ordered, then
	 * this read (kheap_claimers_wait()).
	 */
	if (n)
		kheap_claimers_wait(shard);
	return n;
}

/*
 * The unlock's collection: the queued blocks join @pend, which goes to the
 * caller once it holds KHEAP_RELEASE_BATCH blocks: the claimers' count is
 * then read once a batch, not once a block (a free on another CPU writes
 * it twice a block). None while the tests want blocks left queued.
 */
struct llist_node *kheap_shard_collect(struct kheap_shard *shard)
{
	struct llist_node *n, *last;
	unsigned int k = 1;

	if (unlikely(READ_ONCE(kheap_defer_nodrain)))
		return NULL;
	n = __kheap_shard_collect(shard);
	if (!n)
		return NULL;
	for (last = n; last->next; last = last->next)
		k++;
	last->next = shard->pend;
	WRITE_ONCE(shard->pend, n);
	shard->npend += k;
	if (shard->npend < KHEAP_RELEASE_BATCH)
		return NULL;
	return kheap_shard_take_pend(shard, NULL);
}

/*
 * Unlink the blocks frees queued on @shard if its lock is free, for the
 * caller to release (kheap_release_queued()); @reclaim: even while the
 * tests want them left queued (memory pressure, a dead CPU). Only the
 * shard's own CPU, with what its holder masks masked (kheap_shard_lock())
 * or above its level, or a locker, or anyone for a CPU that is dead, or
 * once nothing else runs (module exit).
 */
struct llist_node *kheap_shard_drain(struct kheap_shard *shard, bool reclaim)
{
	struct llist_node *n;

	if ((llist_empty(&shard->deferred) &&
	     !(reclaim && READ_ONCE(shard->pend))) ||
	    !kheap_shard_trylock(shard))
		return NULL;
	n = reclaim ?
		    kheap_shard_take_pend(shard, __kheap_shard_collect(shard)) :
		    kheap_shard_collect(shard);
	/* Pairs with the acquire in kheap_shard_lock() and _trylock(). */
	atomic_set_release(&shard->lock, 0);
	return n;
}

/**
 * kheap_shard_drain_all() - release every block queued on a shard
 * @shard: a shard of a CPU that is not online, or of this CPU (@cpu), or
 *	   one the caller may lock as a locker (kheap_shard_drain())
 * @cpu: stop once not on this CPU (a work whose CPU went down), or -1
 *
 * A batch of KHEAP_COLLECT at a time with interrupts off, each released
 * once they are back on.
 *
 * Context: a task; may be in an RCU read-side section.
 */
void kheap_shard_drain_all(struct kheap_shard *shard, int cpu)
{
	struct llist_node *n;
	unsigned long flags;

	do {
		local_irq_save(flags);
		n = NULL;
		if (cpu < 0 || smp_processor_id() == cpu)
			n = kheap_shard_drain(shard, true);
		local_irq_restore(flags);
		if (n)
			kheap_release_queued(n);
	} while (n);
}

/*
 * Release the blocks queued on @cpu's shards of every heap, as their
 * owner: memory pressure (cache.c's per-CPU flush, on @cpu: @here), or a
 * CPU that is not online (its hotplug callback, or a flush holding the
 * hotplug lock: nothing runs there). KHEAP_COLLECT blocks at a time with
 * interrupts off, released after. @here: stop if the work left @cpu (it
 * went down meanwhile; its dead callback drains it).
 */
void kheap_drain_deferred_cpu(int cpu, bool here)
{
	struct kheap *heap;
	int lvl;

	if (!kheap_deferred_pending())
		return;
	/* A heap goes after a grace period: RCU keeps it for the walk. */
	rcu_read_lock();
	list_for_each_entry_rcu(heap, &kheap_heaps, node) {
		struct kheap_pcpu *pcpu = per_cpu_ptr(heap->pcpu, cpu);

		for (lvl = 0; lvl < KHEAP_LEVELS; lvl++)
			kheap_shard_drain_all(&pcpu->lvl[lvl], here ? cpu : -1);
	}
	rcu_read_unlock();
}

/**
 * kheap_test_queued() - the blocks queued on @heap's shards now
 * @heap: a heap the caller keeps alive
 *
 * Each shard is counted under its lock (a drain unlinks only under it),
 * as a locker, and unlocked without draining.
 *
 * Context: process context.
 * Return: the count.
 */
unsigned long kheap_test_queued(struct kheap *heap)
{
	unsigned long flags, n = 0;
	struct kheap_shard *shard;
	struct llist_node *p;
	int cpu, lvl;

	kheap_lockers_enter();
	for_each_possible_cpu(cpu) {
		for (lvl = 0; lvl < KHEAP_LEVELS; lvl++) {
			shard = &per_cpu_ptr(heap->pcpu, cpu)->lvl[lvl];
			local_irq_save(flags);
			kheap_shard_lock(shard);
			llist_for_each(p, READ_ONCE(shard->deferred.first))
				n++;
			/* Pairs with the acquire in kheap_shard_lock(). */
			atomic_set_release(&shard->lock, 0);
			local_irq_restore(flags);
		}
	}
	kheap_lockers_exit();
	return n;
}
EXPORT_SYMBOL_IF_KUNIT(kheap_test_queued);

/*
 * kfree() the blocks still queued on @shard of a heap past its last grace
 * period (kheap_free_heap()): every free that queued one did so in an RCU
 * reader, and no claimer is left. They are linked on the shard's list,
 * which goes with the heap: no unlinking (those on @pend are unlinked).
 */
void kheap_shard_release_deferred(struct kheap_shard *shard)
{
	kheap_free_queued(llist_del_all(&shard->deferred));
	kheap_free_queued(kheap_shard_take_pend(shard, NULL));
	atomic_long_set(&shard->rbytes, 0);
	atomic_long_set(&shard->rcount, 0);
}

void __init kheap_track_init(void)
{
	kheap_secret = get_random_u64();
}

/* Module exit, every locker gone: the mode's last work, now. */
void kheap_track_exit(void)
{
	cancel_delayed_work_sync(&kheap_lockers_idle);
	kheap_lockers_idle_fn(NULL);
}

/*
 * The check of a new header: @ext (a constant at each call) says whether it
 * has an extension, so a block without one pays no branch for it here.
 */
static __always_inline u32 kheap_check(const struct kheap_hdr *hdr, bool ext)
{
	u64 x = kheap_check_mix(hdr, hdr->heap, hdr->id, hdr->size, hdr->cpu,
				hdr->offset);

	if (ext)
		x = kheap_check_mix_ext(x, *((const u64 *)hdr - 1));
	return x >> 32;
}

static inline void *kheap_ptr_of(const struct kheap_hdr *hdr)
{
	return (void *)(hdr + 1);
}

/*
 * The sums below race with allocations and frees on every CPU by design:
 * each shard's counter is written under its lock with WRITE_ONCE(), and
 * read here without it with READ_ONCE(), one untorn word at a time, less
 * what queued frees counted off. The sum is a snapshot, exact when nothing
 * is in flight. The queued part is read first: a fold moving it into the
 * counter (kheap_fold()) can then make a sum low, never high, so a peak
 * never counts a block twice. Only an allocation into the shard folds
 * (__kheap_raise_hw(): its owner's, or a destroy's move into the default
 * heap), so a fold is in flight only while an allocation into the heap is.
 */
static long kheap_shard_net(const struct kheap_shard *shard, bool bytes)
{
	long r = atomic_long_read(bytes ? &shard->rbytes : &shard->rcount);

	/* Pairs with the smp_mb__before_atomic() in kheap_fold(). */
	smp_rmb();
	return (bytes ? READ_ONCE(shard->bytes) : READ_ONCE(shard->count)) - r;
}

static long kheap_sum(const struct kheap *heap, bool bytes)
{
	long sum = 0;
	int cpu, lvl;

	for_each_possible_cpu(cpu) {
		struct kheap_pcpu *pcpu = per_cpu_ptr(heap->pcpu, cpu);

		for (lvl = 0; lvl < KHEAP_LEVELS; lvl++)
			sum += kheap_shard_net(&pcpu->lvl[lvl], bytes);
	}
	return sum;
}

long kheap_sum_bytes(const struct kheap *heap)
{
	return kheap_sum(heap, true);
}

long kheap_sum_count(const struct kheap *heap)
{
	return kheap_sum(heap, false);
}

/*
 * Move what queued frees counted off @shard into its counters (its lock
 * held): the counter first, then the queued part, so a reader that sees
 * the queued part unchanged sees the old counter (kheap_shard_net()).
 */
static void kheap_fold(struct kheap_shard *shard)
{
	long rb = atomic_long_read(&shard->rbytes);
	long rc = atomic_long_read(&shard->rcount);

	WRITE_ONCE(shard->bytes, shard->bytes - rb);
	WRITE_ONCE(shard->count, shard->count - rc);
	/* Pairs with the smp_rmb() in kheap_shard_net(). */
	smp_mb__before_atomic();
	atomic_long_sub(rb, &shard->rbytes);
	atomic_long_sub(rc, &shard->rcount);
}

/*
 * A shard's bytes grew past its high-water mark (its lock held): fold
 * the queued frees in, then raise the mark and the heap's sum of them if
 * still past it. That sum bounds the heap's bytes: every shard's bytes
 * less its queued part are at most its @hw, which falls only to that net
 * or above (kheap_shard_lower()).
 */
void __kheap_raise_hw(struct kheap *heap, struct kheap_shard *shard)
{
	long delta;

	if (atomic_long_read(&shard->rbytes) ||
	    atomic_long_read(&shard->rcount))
		kheap_fold(shard);
	delta = shard->bytes - shard->hw;
	if (delta <= 0)
		return;
	shard->hw = shard->bytes;
	/*
	 * Fully ordered: the kheap_update_peak() that follows reads hw_sum
	 * and the shards after it. A CPU that reads hw_sum before this add
	 * (and skips the sum) is covered by our own kheap_update_peak().
	 */
	atomic_long_add_return(delta, &heap->hw_sum);
}

/* Sums of every shard made by the peak's updates (kheap_test_peak_sums()). */
static DEFINE_PER_CPU(unsigned long, kheap_peak_sums);

/* The rebases of a heap run at least this far apart. */
#define KHEAP_HW_REBASE_INTERVAL HZ

/*
 * Lower @shard's mark towards its bytes less its queued part (its lock
 * held), by at most @most: the bound stays valid (each mark stays at or
 * above that net, which queued frees only lower). No fold: the heap's work
 * lowers marks in the background (kheap_hw_rebase_fn()), and a fold there
 * could make a sum read low (kheap_shard_net()) while the heap's users have
 * nothing in flight. A fold waits for the owner's next high
 * (__kheap_raise_hw()).
 */
static void kheap_shard_lower(struct kheap *heap, struct kheap_shard *shard,
			      long most)
{
	long lower;

	lower = min(most, shard->hw - (shard->bytes -
				       atomic_long_read(&shard->rbytes)));
	if (lower > 0) {
		shard->hw -= lower;
		/* After the mark fell: the bound is never below the marks. */
		atomic_long_sub(lower, &heap->hw_sum);
	}
}

/*
 * A sum found no new peak: the bound hw_sum is above the peak, so every
 * allocation would sum the shards again until the bytes reach the bound.
 * Lower the mark of the caller's own shard (its owner: this CPU, this
 * level) by what the bound exceeds @peak at most: the mark keeps its slack
 * to the peak it can keep, so the owner's next allocations may still skip
 * the fold. Returns true if the bound is still above @peak: the excess sits
 * on shards whose owners have not allocated since their high, which only
 * a locker can lower (kheap_hw_rebase_fn()).
 */
static bool kheap_lower_hw(struct kheap *heap, long peak)
{
	unsigned int lvl = kheap_level();
	struct kheap_shard *shard;
	struct llist_node *queued;

	if (!lvl)
		preempt_disable();
	shard = kheap_shard_here(heap, lvl);
	kheap_shard_own(shard);
	kheap_shard_lower(heap, shard, atomic_long_read(&heap->hw_sum) - peak);
	queued = kheap_shard_unlock(shard);
	if (!lvl)
		preempt_enable();
	if (unlikely(queued))
		kheap_release_queued(queued);
	return atomic_long_read(&heap->hw_sum) > peak;
}

/**
 * kheap_hw_rebase_fn() - lower every shard's mark of a heap, as a locker
 * @work: the heap's @hw_rebase
 *
 * Queued when a sum found no new peak and the caller's own shard could not
 * take the bound down to it, and run at most once a
 * KHEAP_HW_REBASE_INTERVAL: every mark falls to its shard's bytes, under
 * the shard's lock (owners take theirs with an atomic meanwhile,
 * kheap_lockers_enter()), one shard at a time with interrupts off. The
 * bound is then about the heap's bytes; a busy shard raises its mark again
 * at its next high, once.
 *
 * Context: a worker; sleeps.
 */
void kheap_hw_rebase_fn(struct work_struct *work)
{
	struct kheap *heap =
		container_of(to_delayed_work(work), struct kheap, hw_rebase);
	struct llist_node *queued;
	unsigned long flags;
	int cpu, lvl;

	WRITE_ONCE(heap->hw_rebase_next, jiffies + KHEAP_HW_REBASE_INTERVAL);
	kheap_lockers_enter();
	for_each_possible_cpu(cpu) {
		for (lvl = 0; lvl < KHEAP_LEVELS; lvl++) {
			struct kheap_shard *shard =
				&per_cpu_ptr(heap->pcpu, cpu)->lvl[lvl];

			local_irq_save(flags);
			kheap_shard_lock(shard);
			kheap_shard_lower(heap, shard, LONG_MAX);
			queued = kheap_shard_unlock(shard);
			local_irq_restore(flags);
			if (queued)
				kheap_release_queued(queued);
		}
		cond_resched();
	}
	kheap_lockers_exit();
}

/*
 * Queue @heap's rebase, to run once an interval has passed since the last
 * one began (at once if it has). Any context. A pending one stays as is,
 * and is seen with a plain read: the allocations that find the bound stuck
 * until it runs do not each write the work's line.
 */
static void kheap_hw_rebase(struct kheap *heap)
{
	long wait = READ_ONCE(heap->hw_rebase_next) - jiffies;

	if (delayed_work_pending(&heap->hw_rebase))
		return;
	queue_delayed_work(system_unbound_wq, &heap->hw_rebase,
			   clamp_t(long, wait, 0, KHEAP_HW_REBASE_INTERVAL));
}

/* The peak may be below the shards' sum (kheap_update_peak()): raise it. */
void __kheap_update_peak(struct kheap *heap)
{
	long total, old = atomic_long_read(&heap->peak);

	this_cpu_inc(kheap_peak_sums);
	total = kheap_sum_bytes(heap);
	while (total > old &&
	       !atomic_long_try_cmpxchg(&heap->peak, &old, total))
		;
	if (total <= old && kheap_lower_hw(heap, old))
		kheap_hw_rebase(heap);
}

/**
 * kheap_test_peak_sums() - sums of every shard the peak's updates made
 *
 * Context: any.
 * Return: the count since load.
 */
unsigned long kheap_test_peak_sums(void)
{
	unsigned long n = 0;
	int cpu;

	for_each_possible_cpu(cpu)
		n += READ_ONCE(*per_cpu_ptr(&kheap_peak_sums, cpu));
	return n;
}
EXPORT_SYMBOL_IF_KUNIT(kheap_test_peak_sums);

/**
 * kheap_test_hw_rebase_flush() - wait for a queued rebase of @heap's marks
 * @heap: a heap the caller keeps alive
 *
 * Context: process context; sleeps.
 */
void kheap_test_hw_rebase_flush(struct kheap *heap)
{
	flush_delayed_work(&heap->hw_rebase);
}
EXPORT_SYMBOL_IF_KUNIT(kheap_test_hw_rebase_flush);

/*
 * Take the shard's next id, its lock held. A shard owns a range of
 * KHEAP_ID_RANGE ids; it takes a new one when the range is used up or when
 * a bookmark has retired every range since (heap->id_gen moved).
 */
static __always_inline u64 kheap_next_id(struct kheap *heap,
					 struct kheap_shard *shard)
{
	/* Pairs with the atomic_inc_return() in kheap_bookmark(). */
	unsigned int gen = atomic_read_acquire(&heap->id_gen);

	if (unlikely(shard->next_id == shard->end_id || shard->id_gen != gen)) {
		shard->next_id =
			atomic64_fetch_add(KHEAP_ID_RANGE, &heap->next_id);
		shard->end_id = shard->next_id + KHEAP_ID_RANGE;
		shard->id_gen = gen;
	}
	return shard->next_id++;
}

/*
 * The time of a block: nanoseconds since boot, to the tick, from the low 32
 * bits of jiffies it kept. Wrap-safe for blocks younger than 2^32 ticks.
 */
u64 kheap_stamp_ns(u32 stamp)
{
	u64 now = get_jiffies_64();

	return jiffies64_to_nsecs(now - (u32)((u32)now - stamp) -
				  INITIAL_JIFFIES);
}

void kheap_fill_info(const struct kheap_hdr *hdr, struct kheap_alloc_info *info)
{
	kheap_copy_info(hdr, info);
	info->time_ns = kheap_stamp_ns(hdr->stamp);
}

/*
 * Fill a new block's header and put it on the shard of @heap of this CPU
 * and level @lvl (the caller's: preemption is off for a task). @ext: the
 * block has an extension (KHEAP_OFF_STACK in @offset), written already.
 * *@queued gets the blocks the unlock took off the shard, for the caller
 * to release (kheap_release_queued()) after its section. Returns the user
 * pointer.
 */
static __always_inline void *kheap_track(struct kheap *heap, void *base,
					 u16 offset, size_t size,
					 unsigned long caller, unsigned int lvl,
					 bool ext, struct llist_node **queued)
{
	struct kheap_hdr *hdr = base + (offset & KHEAP_OFF_MASK);
	struct kheap_shard *shard = kheap_shard_here(heap, lvl);

	hdr->heap = heap;
	hdr->caller = caller;
	hdr->stamp = (u32)jiffies;
	hdr->size = size;
	hdr->cpu = kheap_shard_idx(lvl);
	hdr->offset = offset;
	kheap_shard_own(shard);
	hdr->id = kheap_next_id(heap, shard);
	/*
	 * The words before the check that vouches for them: pairs with the
	 * smp_rmb() in kheap_walk_read(), whose reader has no lock.
	 */
	smp_wmb();
	hdr->check = kheap_check(hdr, ext);
	/*
	 * And the check before the links: a walk that reads the new links
	 * of reused memory sees the check change too (kheap_walk_next()).
	 */
	smp_wmb();
	list_add_tail(&hdr->node, &shard->live);
	WRITE_ONCE(shard->bytes, shard->bytes + size);
	WRITE_ONCE(shard->count, shard->count + 1);
	kheap_raise_hw(heap, shard);
	*queued = kheap_shard_unlock(shard);
	put_unaligned(kheap_canary(hdr->check),
		      (u64 *)(kheap_ptr_of(hdr) + size));
	return kheap_ptr_of(hdr);
}

/*
 * After the preemption-off section: the event (a NOP while disabled), the
 * peak, the reporter. @bytes_alloc is what kheap took from kmalloc() or its
 * cache for the block.
 */
static __always_inline void *kheap_started(struct kheap *heap, void *ptr,
					   size_t size, size_t bytes_alloc,
					   gfp_t gfp, unsigned long caller)
{
	trace_kheap_alloc(heap->name, caller, ptr, size, bytes_alloc, gfp,
			  kheap_hdr_of(ptr)->id);
	kheap_update_peak(heap);
	if (unlikely(kheap_has_reporter(heap))) {
		struct kheap_alloc_info info;

		kheap_fill_info(kheap_hdr_of(ptr), &info);
		kheap_notify_alloc(heap, &info);
	}
	return ptr;
}

static __always_inline bool kheap_cacheable(gfp_t gfp)
{
	return READ_ONCE(kheap_cache_on) && !(gfp & KHEAP_NOCACHE_GFP);
}

/* Track a kmalloc()'d block, in the caller's context level. */
static __always_inline void *kheap_track_here(struct kheap *heap, void *base,
					      u16 offset, size_t size,
					      unsigned long caller, bool ext)
{
	unsigned int lvl = kheap_level();
	struct llist_node *queued;
	void *ptr;

	if (!lvl)
		preempt_disable();
	ptr = kheap_track(heap, base, offset, size, caller, lvl, ext, &queued);
	if (!lvl)
		preempt_enable();
	if (unlikely(queued))
		kheap_release_queued(queued);
	return ptr;
}

/* A block of the cache's classes, from the cache or kmalloc(). */
static __always_inline void *kheap_alloc_small(struct kheap *heap, size_t size,
					       gfp_t gfp, unsigned long caller)
{
	size_t total = size + KHEAP_OVERHEAD;
	u16 offset = 0;
	void *base, *ptr;

	if (kheap_should_fail(total, gfp))
		return NULL;
	if (kheap_cacheable(gfp)) {
		unsigned int cls = kheap_cache_class(total);

		if (in_task()) {
			struct llist_node *queued;

			preempt_disable();
			base = kheap_cache_pop(cls);
			if (base) {
				ptr = kheap_track(heap, base, KHEAP_OFF_CLASS,
						  size, caller, 0, false,
						  &queued);
				preempt_enable();
				if (unlikely(queued))
					kheap_release_queued(queued);
				trace_kmalloc(caller, base, total,
					      kheap_cache_size[cls], gfp,
					      NUMA_NO_NODE);
				if (want_init_on_alloc(gfp))
					memset(ptr, 0, size);
				return kheap_started(heap, ptr, size,
						     kheap_cache_size[cls], gfp,
						     caller);
			}
			preempt_enable();
		}
		/* The class's full size, so any request of the class fits. */
		total = kheap_cache_size[cls];
		offset = KHEAP_OFF_CLASS;
	}
	base = kheap_kmalloc_caller(total, gfp, caller);
	if (unlikely(!base))
		return NULL;
	ptr = kheap_track_here(heap, base, offset, size, caller, false);
	return kheap_started(heap, ptr, size, total, gfp, caller);
}

/*
 * The kmalloc() size of a block of @size bytes aligned to *@align (0:
 * kmalloc's), with @extra bytes before its header: 0 when the alignment is
 * not a power of two up to PAGE_SIZE, or when kmalloc() cannot serve it
 * (refused here, quietly: past KMALLOC_MAX_SIZE the page allocator would
 * WARN). *@align becomes the alignment used.
 */
static size_t kheap_total(size_t size, size_t *align, size_t extra)
{
	size_t slack;

	if (*align < KHEAP_MIN_ALIGN)
		*align = KHEAP_MIN_ALIGN;
	if (!is_power_of_2(*align) || *align > PAGE_SIZE)
		return 0;
	slack = KHEAP_OVERHEAD + extra + (*align - KHEAP_MIN_ALIGN);
	if (size > KMALLOC_MAX_SIZE - slack)
		return 0;
	return size + slack;
}

/*
 * kmalloc() a block of @size bytes aligned to *@align with @extra bytes
 * before its header (kheap_total()); *@total gets its kmalloc() size.
 * NULL for a bad shape, an injected failure or no memory.
 */
static void *kheap_kmalloc_block(size_t size, size_t *align, size_t extra,
				 gfp_t gfp, unsigned long caller, size_t *total)
{
	*total = kheap_total(size, align, extra);
	if (!*total || kheap_should_fail(*total, gfp))
		return NULL;
	return kheap_kmalloc_caller(*total, gfp, caller);
}

/* Aligned or large blocks: straight from kmalloc(), never cached. */
static void *kheap_alloc_large(struct kheap *heap, size_t size, size_t align,
			       gfp_t gfp, unsigned long caller)
{
	void *base, *ptr;
	size_t total;

	base = kheap_kmalloc_block(size, &align, 0, gfp, caller, &total);
	if (unlikely(!base))
		return NULL;
	ptr = PTR_ALIGN(base + sizeof(struct kheap_hdr), align);
	ptr = kheap_track_here(heap, base, (void *)kheap_hdr_of(ptr) - base,
			       size, caller, false);
	return kheap_started(heap, ptr, size, total, gfp, caller);
}

/*
 * A block of a heap with stacks on: [padding][extension][header][data]
 * [canary], the extension holding the allocation stack's depot handle
 * (kheap_stack_save(), with the allocation's @gfp; @ret_ip is where
 * kheap_alloc_caller() returns to, the first frame kept). Never
 * class-sized, so never cached. Out of line: the fast path only tests the
 * heap's flag.
 */
static noinline void *kheap_alloc_stacked(struct kheap *heap, size_t size,
					  size_t align, gfp_t gfp,
					  unsigned long caller,
					  unsigned long ret_ip)
{
	struct kheap_hdr *hdr;
	void *base, *ptr;
	size_t total;

	base = kheap_kmalloc_block(size, &align, KHEAP_EXT_SIZE, gfp, caller,
				   &total);
	if (unlikely(!base))
		return NULL;
	ptr = PTR_ALIGN(base + KHEAP_EXT_SIZE + sizeof(struct kheap_hdr),
			align);
	hdr = kheap_hdr_of(ptr);
	*((u64 *)hdr - 1) = kheap_stack_save(gfp, ret_ip);
	ptr = kheap_track_here(heap, base,
			       ((void *)hdr - base) | KHEAP_OFF_STACK, size,
			       caller, true);
	return kheap_started(heap, ptr, size, total, gfp, caller);
}

/**
 * kheap_alloc_caller() - tracked allocation, with the call site given
 * @heap:	the heap; NULL means the default heap
 * @size:	bytes requested; 0 gives a valid, freeable block
 * @align:	alignment, a power of two up to PAGE_SIZE (0: kmalloc's)
 * @gfp:	allocation flags; __GFP_ZERO zeroes the block
 * @caller:	the call site to record (e.g. _RET_IP_ or _THIS_IP_), and the
 *		one kmalloc() is given (the kmem:kmalloc event's call_site)
 *
 * The allocation macros of heap.h and sentry.h expand to this call.
 *
 * Context: as kmalloc() with @gfp: any context if @gfp does not sleep,
 * but on PREEMPT_RT not hardirq, nor with interrupts or preemption off.
 * Return: the block, or NULL (bad @align, @size with kheap's header and
 * canary above KMALLOC_MAX_SIZE, no memory, a failure injected by the
 * fail_alloc fault point); nothing is counted then.
 */
void *kheap_alloc_caller(struct kheap *heap, size_t size, size_t align,
			 gfp_t gfp, unsigned long caller)
{
	heap = kheap_resolve(heap);
	/* The one test stacks add: a word next to @pcpu, read anyway. */
	if (unlikely(READ_ONCE(heap->stacks)))
		return kheap_alloc_stacked(heap, size, align, gfp, caller,
					   _RET_IP_);
	if (likely(align <= KHEAP_MIN_ALIGN && !(align & (align - 1)) &&
		   size <= KHEAP_SMALL_MAX))
		return kheap_alloc_small(heap, size, gfp, caller);
	return kheap_alloc_large(heap, size, align, gfp, caller);
}
EXPORT_SYMBOL_NS_GPL(kheap_alloc_caller, KHEAP_NS);

/*
 * Copy the header's words after @node but @caller (a free does not need
 * it) with extable-protected loads: no call, no fault on an unmapped
 * address, not seen by KASAN (the memory may be freed: that is what we
 * are checking). Only addresses of the direct map are read, where every
 * kmalloc() block is.
 */
static __always_inline bool kheap_hdr_peek(const struct kheap_hdr *hdr,
					   struct kheap_hdr *copy)
{
	unsigned long a = (unsigned long)hdr;
	u64 w0, w1, w3, w4;

	if (unlikely(a < PAGE_OFFSET ||
		     a + sizeof(*hdr) > (unsigned long)high_memory))
		return false;
	/*
	 * Into scalars, then the copy: gcc 12 crashes (esra) on asm goto
	 * outputs written into an aggregate, with 6.1's headers.
	 */
	__get_kernel_nofault(&w0, &hdr->heap, u64, fault);
	__get_kernel_nofault(&w1, &hdr->id, u64, fault);
	__get_kernel_nofault(&w3, &hdr->stamp, u64, fault);
	__get_kernel_nofault(&w4, &hdr->cpu, u64, fault);
	copy->heap = (struct kheap *)(unsigned long)w0;
	copy->id = w1;
	kheap_hdr_unpack(copy, w3, w4);
	return true;
fault:
	return false;
}

/*
 * The extension word before a header that says it has one, with an
 * extable-protected load (kheap_hdr_peek() vouched for the header's
 * address only). False on a fault.
 */
static noinline bool kheap_ext_peek(const struct kheap_hdr *hdr, u64 *ext)
{
	const u64 *p = (const u64 *)hdr - 1;

	if ((unsigned long)p < PAGE_OFFSET)
		return false;
	__get_kernel_nofault(ext, p, u64, fault);
	return true;
fault:
	return false;
}

/*
 * The check of a header with an extension (KHEAP_OFF_STACK), out of line so
 * that a free of a block without one keeps its code; false when the
 * extension cannot be read.
 */
static noinline bool kheap_ext_check(const struct kheap_hdr *hdr,
				     const struct kheap_hdr *copy, u32 *check)
{
	u64 x, ext;

	if ((copy->offset & KHEAP_OFF_MASK) < KHEAP_EXT_SIZE ||
	    !kheap_ext_peek(hdr, &ext))
		return false;
	x = kheap_check_mix(hdr, copy->heap, copy->id, copy->size, copy->cpu,
			    copy->offset);
	*check = kheap_check_mix_ext(x, ext) >> 32;
	return true;
}

/* Read and check the header of @ptr into @copy, once. */
static __always_inline enum kheap_verdict kheap_hdr_read(const void *ptr,
							 struct kheap_hdr *copy)
{
	const struct kheap_hdr *hdr = kheap_hdr_of(ptr);
	u32 check;
	u64 x;

	if (unlikely(!IS_ALIGNED((unsigned long)ptr, KHEAP_MIN_ALIGN) ||
		     !kheap_hdr_peek(hdr, copy)))
		return KHEAP_FOREIGN;
	if (unlikely((copy->cpu & ((1 << KHEAP_SHARD_LVL_SHIFT) - 1)) >=
			     nr_cpu_ids ||
		     copy->cpu >> KHEAP_SHARD_LVL_SHIFT >= KHEAP_LEVELS ||
		     !copy->heap))
		return KHEAP_FOREIGN;
	/* The one test extensions add to a free. */
	if (unlikely(copy->offset & KHEAP_OFF_STACK)) {
		if (!kheap_ext_check(hdr, copy, &check))
			return KHEAP_FOREIGN;
	} else {
		x = kheap_check_mix(hdr, copy->heap, copy->id, copy->size,
				    copy->cpu, copy->offset);
		check = x >> 32;
	}
	if (likely(copy->check == check))
		return KHEAP_OWNED;
	return copy->check == (check ^ KHEAP_FREED) ? KHEAP_FREED_TWICE :
						      KHEAP_FOREIGN;
}

/*
 * Read and check the header of @ptr: KHEAP_OWNED (here: live), or why not.
 * A header kheap_reparent() is rewriting on another CPU reads torn: on a
 * failed check, read again once no rewrite is under way (the writer runs
 * with interrupts off, so it is never one we interrupted).
 */
static __always_inline enum kheap_verdict
kheap_hdr_lookup(const void *ptr, struct kheap_hdr *copy)
{
	enum kheap_verdict v = kheap_hdr_read(ptr, copy);
	unsigned int seq;

	while (unlikely(v != KHEAP_OWNED)) {
		seq = read_seqcount_begin(&kheap_move_seq);
		v = kheap_hdr_read(ptr, copy);
		if (!read_seqcount_retry(&kheap_move_seq, seq))
			break;
	}
	return v;
}

/*
 * Claim @hdr for freeing, its shard locked by us: its check must still be
 * the one we read (not freed, moved or reused since), and becomes the
 * freed one, so a second free of the block fails its check. The load is
 * protected: another CPU may have freed the block meanwhile. If it is
 * still live, it is linked and nobody can release it while we hold the
 * lock, so the exchange touches valid memory; the exchange, not the lock,
 * decides against a free claiming it without the lock.
 */
static __always_inline bool kheap_claim(struct kheap_hdr *hdr, u32 check)
{
	u32 now;

	__get_kernel_nofault(&now, &hdr->check, u32, lost);
	if (now != check)
		return false;
	return try_cmpxchg(&hdr->check, &now, check ^ KHEAP_FREED);
lost:
	return false;
}

/*
 * Claim @hdr without its shard's lock: from another CPU, or from a
 * context above the shard's level that found the lock held (@here).
 * Counted in @shard's claimers meanwhile, then the header is looked at
 * again: if it is still what @copy says, its memory stays valid until we
 * are no longer counted (kheap_claimers_wait()), and the exchange decides.
 *
 * Interrupts off while counted, wherever we run: those who wait for a
 * shard's count spin, some in interrupts, and one on our CPU could
 * interrupt us (two CPUs, each counted on the other's hardirq shard, each
 * interrupted by a free waiting for its own shard's count, would spin for
 * ever). From another CPU, a claim waits to start while someone waits for
 * the count (@waiters), so a stream of claims from other CPUs cannot keep
 * the count above zero; it waits uncounted, holding nothing a waiter
 * needs. A claim of the shard's own CPU (@here) is not held back: its
 * CPU's interrupts nest, a few at a time.
 */
static noinline bool kheap_claim_nested(struct kheap_shard *shard,
					struct kheap_hdr *hdr,
					const struct kheap_hdr *copy, bool here)
{
	u32 check = copy->check;
	struct kheap_hdr now;
	unsigned long flags;
	bool won = false;

	if (!here) {
		while (unlikely(atomic_read(&shard->waiters)))
			cpu_relax();
	}
	local_irq_save(flags);
	atomic_inc(&shard->claimers);
	/* Pairs with the full barrier before kheap_claimers_wait(). */
	smp_mb__after_atomic();
	if (static_branch_unlikely(&kheap_claim_hold) && !here)
		kheap_hold_for_test(shard);
	if (kheap_hdr_peek(hdr, &now) && now.check == check &&
	    now.heap == copy->heap && now.cpu == copy->cpu)
		won = try_cmpxchg(&hdr->check, &check, check ^ KHEAP_FREED);
	/* Our exchange before the count drops: pairs with the same. */
	smp_mb__before_atomic();
	atomic_dec(&shard->claimers);
	local_irq_restore(flags);
	return won;
}

/*
 * What a holder of a shard of level @slvl masks, from context level @lvl
 * (kheap_shard_lock()); a task's preemption is off already. A softirq's
 * shard is masked with interrupts off too, not bottom halves: a caller may
 * have interrupts off, where local_bh_enable() must not be called. One
 * block, a rare case (a block freed below the level that allocated it).
 */
static __always_inline unsigned long kheap_mask(unsigned int slvl,
						unsigned int lvl)
{
	unsigned long flags = 0;

	if (slvl > lvl)
		local_irq_save(flags);
	return flags;
}

static __always_inline void kheap_unmask(unsigned int slvl, unsigned int lvl,
					 unsigned long flags)
{
	if (slvl > lvl)
		local_irq_restore(flags);
}

/*
 * Take the block at @ptr off its shard, from context level @lvl (a task's
 * preemption off). @copy gets its header as it was when claimed, *@sp its
 * shard, *@queued the blocks the unlock took off it (or NULL), for the
 * caller to release. KHEAP_DEFERRED: claimed without the lock, still
 * linked (the caller queues it, kheap_defer()): a block of another CPU's
 * shard, or of a lower level's shard that is held.
 */
static __always_inline enum kheap_verdict
kheap_untrack(const void *ptr, struct kheap_hdr *copy, unsigned int lvl,
	      struct kheap_shard **sp, struct llist_node **queued)
{
	struct kheap_hdr *hdr = kheap_hdr_of(ptr);
	struct kheap_shard *shard;
	unsigned long flags = 0;
	enum kheap_verdict v;
	unsigned int slvl;

	for (;;) {
		v = kheap_hdr_lookup(ptr, copy);
		if (unlikely(v != KHEAP_OWNED))
			return v;
		shard = kheap_shard_at(copy->heap, copy->cpu);
		slvl = copy->cpu >> KHEAP_SHARD_LVL_SHIFT;
		if (static_branch_unlikely(&kheap_free_pause))
			kheap_pause_for_test();
		if (unlikely((copy->cpu & ((1 << KHEAP_SHARD_LVL_SHIFT) - 1)) !=
			     smp_processor_id())) {
			if (!kheap_claim_nested(shard, hdr, copy, false))
				continue; /* freed or moved meanwhile */
			*sp = shard;
			return KHEAP_DEFERRED;
		}
		if (likely(slvl >= lvl)) {
			flags = kheap_mask(slvl, lvl);
			kheap_shard_own(shard);
		} else if (unlikely(READ_ONCE(kheap_defer_always)) ||
			   !kheap_shard_trylock(shard)) {
			if (!kheap_claim_nested(shard, hdr, copy, true))
				continue; /* freed or moved meanwhile */
			*sp = shard;
			return KHEAP_DEFERRED;
		}
		if (likely(kheap_claim(hdr, copy->check)))
			break;
		/*
		 * Freed, moved or reused since we read it: look again. The
		 * queued blocks wait for the next unlock.
		 */
		atomic_set_release(&shard->lock, 0);
		kheap_unmask(slvl, lvl, flags);
	}
	list_del(&hdr->node);
	WRITE_ONCE(shard->bytes, shard->bytes - copy->size);
	WRITE_ONCE(shard->count, shard->count - 1);
	*queued = kheap_shard_unlock(shard);
	kheap_unmask(slvl, lvl, flags);
	*sp = shard;
	return KHEAP_OWNED;
}

/* A refused free: counted, and said, rate-limited. */
static void kheap_bad_free(const void *ptr, enum kheap_verdict v,
			   unsigned long caller)
{
	static DEFINE_RATELIMIT_STATE(rs, DEFAULT_RATELIMIT_INTERVAL,
				      DEFAULT_RATELIMIT_BURST);
	char sym[KSYM_SYMBOL_LEN];

	atomic_long_inc(&kheap_invalid_frees_count);
	if (!__ratelimit(&rs))
		return;
	kheap_sym(sym, caller);
	pr_err("invalid free of %p (%s) from %s\n", ptr,
	       v == KHEAP_FREED_TWICE ? "a block already freed" :
					"a pointer kheap did not hand out",
	       sym);
}

/* @copy's block is ours (claimed): its header's @caller is still there. */
static void kheap_overrun(const struct kheap_hdr *copy, const void *ptr)
{
	char sym[KSYM_SYMBOL_LEN];

	atomic_long_inc(&copy->heap->overruns);
	kheap_sym(sym, kheap_hdr_of(ptr)->caller);
	pr_err("heap '%s': write past the end of block id %llu (%u bytes) allocated at %s\n",
	       copy->heap->name, copy->id, copy->size, sym);
}

static __always_inline void kheap_check_canary(const struct kheap_hdr *copy,
					       const void *ptr)
{
	if (unlikely(get_unaligned((const u64 *)(ptr + copy->size)) !=
		     kheap_canary(copy->check)))
		kheap_overrun(copy, ptr);
}

/*
 * A claimed block at @base: back to this CPU's cache if it came from it (a
 * class-sized block of this CPU's task shard, not KFENCE's); false when
 * kfree() must take it. A task, preemption off.
 */
static __always_inline bool kheap_cached(struct kheap_hdr *hdr, void *base,
					 unsigned long caller)
{
	unsigned int cls;

	if (!(hdr->offset & KHEAP_OFF_CLASS) || !READ_ONCE(kheap_cache_on) ||
	    hdr->cpu != kheap_shard_idx(0) || is_kfence_address(base))
		return false;
	if (want_init_on_free())
		memset(kheap_ptr_of(hdr), 0, hdr->size + KHEAP_CANARY_SIZE);
	cls = kheap_cache_class(hdr->size + KHEAP_OVERHEAD);
	if (!kheap_cache_push(base, cls))
		return false;
	trace_kfree(caller, base);
	return true;
}

/*
 * The block at @ptr is ours (claimed, not released): its header still has
 * every field but @check as @copy does, and its extension.
 */
static void kheap_notify_freed(const struct kheap_hdr *copy, const void *ptr)
{
	struct kheap_alloc_info info;

	kheap_fill_info(kheap_hdr_of(ptr), &info);
	kheap_notify_free(copy->heap, &info);
}

/*
 * The end of a free claimed without the lock (KHEAP_DEFERRED): count the
 * block off its shard's queued part (the sum is what is exact), check,
 * report, and queue it on the shard. A shard of another CPU is left to
 * its next holder: its owner's next allocation or free in the heap, a
 * locker (a reader that fell back to the lock, a move), a flush on memory pressure
 * (kheap_drain_deferred_cpu()), or the heap's end
 * (kheap_shard_release_deferred()). A shard of this CPU is drained now if
 * its lock is free; else its holder's unlock does it (the holder, which we
 * interrupted, reads after us in program order). Returns the blocks to
 * release, or NULL. From a task (@lvl 0), preemption off.
 */
static noinline struct llist_node *
kheap_defer(struct kheap_shard *shard, void *ptr, const struct kheap_hdr *copy,
	    unsigned int lvl, unsigned long caller)
{
	this_cpu_inc(kheap_deferred_count);
	this_cpu_inc(kheap_deferred_delta);
	atomic_long_add(copy->size, &shard->rbytes);
	atomic_long_inc(&shard->rcount);
	kheap_check_canary(copy, ptr);
	trace_kheap_free(copy->heap->name, caller, ptr, copy->size, copy->id);
	if (unlikely(kheap_has_reporter(copy->heap))) {
		/*
		 * A task's reporter runs preemptible, as kheap_free() says.
		 * The block stays ours until it is queued (claimed, nobody
		 * else releases it); RCU keeps the heap.
		 */
		rcu_read_lock();
		if (!lvl)
			preempt_enable();
		kheap_notify_freed(copy, ptr);
		if (!lvl)
			preempt_disable();
		rcu_read_unlock();
	}
	/* The block is ours: its first bytes (data or canary) hold the link. */
	llist_add(ptr, &shard->deferred);
	if ((copy->cpu & ((1 << KHEAP_SHARD_LVL_SHIFT) - 1)) !=
	    smp_processor_id())
		return NULL;
	return kheap_shard_drain(shard, false);
}

/**
 * kheap_free() - free a tracked block
 * @ptr: a block from kheap_alloc() and friends; NULL is ignored
 *
 * A pointer kheap did not hand out, or one already freed, is reported
 * (rate-limited), counted and left alone: of two frees of one block, on any
 * CPUs or contexts at once, exactly one frees it. A stale pointer whose
 * memory kheap has since handed out again, at the same address, is not
 * told from the new block: that free frees the new block (heap.h). A block
 * whose canary was overwritten is reported and counted, and still freed.
 *
 * Context: as kfree(): any context but NMI, but on PREEMPT_RT not hardirq,
 * nor with interrupts or preemption off.
 */
void kheap_free(const void *ptr)
{
	unsigned int lvl = kheap_level();
	struct llist_node *queued = NULL;
	struct kheap_shard *shard;
	/* Filled before use: no zeroing (INIT_STACK_ALL_ZERO) on the path. */
	struct kheap_hdr copy __uninitialized;
	enum kheap_verdict v;
	struct kheap *heap;
	bool cached = false;
	void *base;

	if (unlikely(ZERO_OR_NULL_PTR(ptr)))
		return;
	if (!lvl)
		preempt_disable();
	v = kheap_untrack(ptr, &copy, lvl, &shard, &queued);
	if (unlikely(v != KHEAP_OWNED)) {
		if (v == KHEAP_DEFERRED)
			queued = kheap_defer(shard, (void *)ptr, &copy, lvl,
					     _RET_IP_);
		if (!lvl)
			preempt_enable();
		if (v != KHEAP_DEFERRED)
			kheap_bad_free(ptr, v, _RET_IP_);
		else if (queued)
			kheap_release_queued(queued);
		return;
	}
	/* The block is ours; wait for claimers who may still look at it. */
	kheap_claimers_wait(shard);
	kheap_check_canary(&copy, ptr);
	heap = copy.heap;
	trace_kheap_free(heap->name, _RET_IP_, ptr, copy.size, copy.id);
	if (unlikely(kheap_has_reporter(heap))) {
		/*
		 * Reporters run preemptible in a task, the block still valid;
		 * RCU keeps the heap alive across the gap (a destroy racing
		 * this free frees it after a grace period).
		 */
		rcu_read_lock();
		if (!lvl)
			preempt_enable();
		kheap_notify_freed(&copy, ptr);
		if (!lvl)
			preempt_disable();
		rcu_read_unlock();
	}
	base = kheap_base_of(kheap_hdr_of(ptr));
	if (!lvl)
		cached = kheap_cached(kheap_hdr_of(ptr), base, _RET_IP_);
	if (!lvl)
		preempt_enable();
	if (!cached)
		kfree(base);
	if (unlikely(queued))
		kheap_release_queued(queued);
}
EXPORT_SYMBOL_NS_GPL(kheap_free, KHEAP_NS);

/**
 * kheap_of() - the heap that owns a live block
 * @ptr: the block
 *
 * A pure lookup: a pointer that is not a live block is not reported.
 *
 * Context: Any context.
 * Return: its heap, or NULL if @ptr is not a live kheap block.
 */
struct kheap *kheap_of(const void *ptr)
{
	struct kheap_hdr copy;

	if (ZERO_OR_NULL_PTR(ptr))
		return NULL;
	/* kheap_reparent() may move it meanwhile: the old or the new heap. */
	return kheap_hdr_lookup(ptr, &copy) == KHEAP_OWNED ? copy.heap : NULL;
}
EXPORT_SYMBOL_NS_GPL(kheap_of, KHEAP_NS);

/**
 * kheap_size() - the requested size of a live block
 * @ptr: the block
 *
 * A pure lookup, as kheap_of().
 *
 * Context: Any context.
 * Return: its size, or 0 if @ptr is NULL or not a live kheap block.
 */
size_t kheap_size(const void *ptr)
{
	struct kheap_hdr copy;

	if (ZERO_OR_NULL_PTR(ptr))
		return 0;
	return kheap_hdr_lookup(ptr, &copy) == KHEAP_OWNED ? copy.size : 0;
}
EXPORT_SYMBOL_NS_GPL(kheap_size, KHEAP_NS);

/**
 * kheap_bytes() - live requested bytes of a heap
 * @heap: the heap; NULL means the default heap
 *
 * A sum over per-CPU counters: no lock, no walk; exact when nothing is in
 * flight.
 *
 * Context: Any context.
 * Return: the bytes.
 */
size_t kheap_bytes(const struct kheap *heap)
{
	long sum = kheap_sum_bytes(kheap_resolve(heap));

	/*
	 * A block freed on another CPU than the one that counted it is
	 * uncounted on its own shard, but a sum read while others allocate
	 * can be momentarily off.
	 */
	return sum > 0 ? sum : 0;
}
EXPORT_SYMBOL_NS_GPL(kheap_bytes, KHEAP_NS);

/**
 * kheap_count() - live blocks of a heap
 * @heap: the heap; NULL means the default heap
 *
 * Context: Any context.
 * Return: the number of live blocks, as kheap_bytes().
 */
size_t kheap_count(const struct kheap *heap)
{
	long sum = kheap_sum_count(kheap_resolve(heap));

	return sum > 0 ? sum : 0;
}
EXPORT_SYMBOL_NS_GPL(kheap_count, KHEAP_NS);

/**
 * kheap_peak_bytes() - high-water mark of kheap_bytes()
 * @heap: the heap; NULL means the default heap
 *
 * Updated after each allocation from the sum of the per-CPU counters (not
 * read while a bound on that sum shows it cannot exceed the peak).
 *
 * Context: Any context.
 * Return: the peak in bytes.
 */
size_t kheap_peak_bytes(const struct kheap *heap)
{
	return atomic_long_read(&kheap_resolve(heap)->peak);
}
EXPORT_SYMBOL_NS_GPL(kheap_peak_bytes, KHEAP_NS);

/**
 * kheap_overruns() - blocks of a heap freed with a damaged canary
 * @heap: the heap; NULL means the default heap
 *
 * Context: Any context.
 * Return: the count since the heap was created.
 */
unsigned long kheap_overruns(const struct kheap *heap)
{
	return atomic_long_read(&kheap_resolve(heap)->overruns);
}
EXPORT_SYMBOL_NS_GPL(kheap_overruns, KHEAP_NS);

/**
 * kheap_invalid_frees() - frees kheap refused
 *
 * Pointers it did not hand out, pointers into a block, blocks freed twice.
 *
 * Context: Any context.
 * Return: the count since kheap.ko was loaded.
 */
unsigned long kheap_invalid_frees(void)
{
	return atomic_long_read(&kheap_invalid_frees_count);
}
EXPORT_SYMBOL_NS_GPL(kheap_invalid_frees, KHEAP_NS);

/**
 * kheap_bookmark() - a point in a heap's id sequence
 * @heap: the heap (NULL: the default heap)
 *
 * Every allocation of @heap that returned before this call has an id below
 * the value returned; every one that starts after it gets one at or above
 * it. The value is read first: every id range taken before is below it.
 * Then every shard's range is retired (the generation bump), so a shard's
 * next allocation takes a fresh range, from a counter already at or above
 * the value; a range taken in between starts at or above it too.
 *
 * Context: Any context.
 * Return: the bookmark.
 */
u64 kheap_bookmark(struct kheap *heap)
{
	u64 mark;

	heap = kheap_resolve(heap);
	mark = atomic64_read(&heap->next_id);
	if (static_branch_unlikely(&kheap_bookmark_pause))
		kheap_pause_for_test();
	/*
	 * Fully ordered, so no allocation can see the new generation and
	 * still take a range the read above did not count; pairs with the
	 * acquire in kheap_next_id().
	 */
	atomic_inc_return(&heap->id_gen);
	return mark;
}
EXPORT_SYMBOL_NS_GPL(kheap_bookmark, KHEAP_NS);

/**
 * kheap_report() - list the live blocks in an id window
 * @heap: the heap (NULL: the default heap)
 * @from: first id
 * @to:   last id, inclusive
 *
 * Each block goes to the heap's reporter's report callback, or to the
 * console reporter when the heap has none attached, in id order. Every
 * block of the window live for the whole call is listed, once; blocks
 * allocated or freed meanwhile may be listed or not. The allocations and
 * frees of other CPUs do not wait for it (the lists are read without
 * their locks; see kmod/walk.c).
 *
 * Context: Process context; may sleep.
 * Return: how many blocks were listed, -EINVAL if @from > @to, -ENOMEM.
 */
int kheap_report(struct kheap *heap, u64 from, u64 to)
{
	struct kheap_snap *snap;
	size_t i;
	int n;

	if (from > to)
		return -EINVAL;
	heap = kheap_resolve(heap);
	snap = kheap_snapshot(heap, from, to);
	if (!snap)
		return -ENOMEM;
	for (i = 0; i < snap->n; i++)
		kheap_notify_report(heap, &snap->v[i]);
	n = min_t(size_t, snap->n, INT_MAX);
	kvfree(snap);
	return n;
}
EXPORT_SYMBOL_NS_GPL(kheap_report, KHEAP_NS);
