// SPDX-License-Identifier: GPL-2.0
/*
 * kheap snapshots: the readers and movers of the shards' live lists.
 *
 * A reader first walks a shard without its lock (walk.c); the locked
 * batches here are its fallback, and the movers'.
 *
 * None of them holds a shard for more than KHEAP_BATCH blocks: a reader
 * leaves a cursor (struct kheap_cursor) in the list after the last block it
 * copied, drops the lock, lets the CPU go (cond_resched()), and resumes from
 * the cursor. Allocations and frees on the shard go on meanwhile; a cursor
 * is skipped by every other walker. So a reader of a heap with a million
 * blocks delays an allocation on that heap by one batch at most.
 *
 * They are lockers (kheap_lockers_enter(): a grace period at the first),
 * and hold a shard with interrupts off (any shard, of any level: see
 * kheap_shard_lock()). A block a free claimed without the lock is still
 * linked until the lock's holder, or a later one, unlinks it: its check
 * says freed, and every walker here skips it. The blocks an unlock takes
 * off a shard are released once interrupts are back on.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/sort.h>

#include "kheap_internal.h"
#include "kheap_trace.h"

/* Leaked blocks the console lists at a destroy; a reporter sees them all. */
#define KHEAP_LEAK_DISPLAY_LIMIT 32

static bool kheap_is_cursor(const struct list_head *pos)
{
	return !container_of(pos, struct kheap_hdr, node)->heap;
}

/* A linked block not claimed by a free: its check is the live one. */
static bool kheap_is_live(const struct kheap_hdr *hdr)
{
	/* A free may claim it meanwhile, without the lock: one load. */
	return READ_ONCE(hdr->check) ==
	       kheap_hdr_check(hdr, hdr->heap, hdr->id);
}

static int kheap_info_cmp(const void *a, const void *b)
{
	const struct kheap_alloc_info *x = a, *y = b;

	return x->id < y->id ? -1 : x->id > y->id;
}

/*
 * Copy up to KHEAP_BATCH blocks of @shard after @cur into @snap, and move
 * @cur after them. Under the lock only the header's words are copied (the
 * block's jiffies stamp in @time_ns): the conversion to nanoseconds waits
 * until the lock is dropped, so the allocating CPU waits for a few loads
 * per block at most. Returns false when @cur reached the end (and is off
 * the list); stops early, @cur still on it, when @snap is full.
 */
static bool kheap_snap_batch(struct kheap_shard *shard,
			     struct kheap_cursor *cur, struct kheap_snap *snap,
			     u64 from, u64 to)
{
	size_t first = snap->n, i;
	struct llist_node *queued;
	struct list_head *pos;
	unsigned int seen = 0;
	unsigned long flags;
	bool more;

	local_irq_save(flags);
	kheap_shard_lock(shard);
	pos = cur->node.next;
	while (pos != &shard->live && seen++ < KHEAP_BATCH &&
	       snap->n < snap->cap) {
		struct kheap_hdr *hdr = list_entry(pos, struct kheap_hdr, node);

		if (!kheap_is_cursor(pos) && hdr->id >= from && hdr->id <= to &&
		    kheap_is_live(hdr))
			kheap_copy_info(hdr, &snap->v[snap->n++]);
		pos = pos->next;
	}
	more = pos != &shard->live;
	if (more)
		list_move_tail(&cur->node, pos);
	else
		list_del(&cur->node);
	queued = kheap_shard_unlock(shard);
	local_irq_restore(flags);
	if (queued)
		kheap_release_queued(queued);
	for (i = first; i < snap->n; i++)
		snap->v[i].time_ns = kheap_stamp_ns(snap->v[i].time_ns);
	return more;
}

/* Times a snapshot doubles when blocks allocated meanwhile fill it. */
#define KHEAP_SNAP_GROWS 4

/* Snapshots doubled since load (kheap_test_walk_stats()). */
atomic_long_t kheap_snap_grows = ATOMIC_LONG_INIT(0);

/* Double @*snap's room, its blocks kept. -ENOMEM leaves it as it was. */
static int kheap_snap_grow(struct kheap_snap **snap)
{
	size_t cap = 2 * (*snap)->cap;
	struct kheap_snap *bigger;

	/* Optional: a snapshot that cannot grow keeps what it has. */
	bigger = kvmalloc(struct_size(bigger, v, cap),
			  GFP_KERNEL | __GFP_NOWARN);
	if (!bigger)
		return -ENOMEM;
	memcpy(bigger, *snap, struct_size(bigger, v, (*snap)->n));
	bigger->cap = cap;
	kvfree(*snap);
	*snap = bigger;
	atomic_long_inc(&kheap_snap_grows);
	return 0;
}

/*
 * Walk @heap's shard of @cpu and @lvl into *@snap (walk.c), doubling it
 * while blocks allocated meanwhile fill it (up to *@grows times in all);
 * the first full copy stays when it cannot grow. Returns false when the
 * walk gave up: the caller lists the shard under its lock.
 */
static bool kheap_snap_walk(struct kheap *heap, int cpu, unsigned int lvl,
			    struct kheap_snap **snap, u64 from, u64 to,
			    int *grows)
{
	size_t first = (*snap)->n;
	int err;

	err = kheap_walk_shard(heap, cpu, lvl, *snap, from, to);
	while (err == -ENOSPC && *grows < KHEAP_SNAP_GROWS &&
	       !kheap_snap_grow(snap)) {
		(*grows)++;
		(*snap)->n = first;
		err = kheap_walk_shard(heap, cpu, lvl, *snap, from, to);
	}
	return err != -EAGAIN;
}

/* Take @cur off @shard's list: a reader that stops before the end. */
static void kheap_snap_cursor_del(struct kheap_shard *shard,
				  struct kheap_cursor *cur)
{
	struct llist_node *queued;
	unsigned long flags;

	local_irq_save(flags);
	kheap_shard_lock(shard);
	list_del(&cur->node);
	queued = kheap_shard_unlock(shard);
	local_irq_restore(flags);
	if (queued)
		kheap_release_queued(queued);
}

/*
 * List @shard under its lock into *@snap, KHEAP_BATCH blocks at a time,
 * doubling *@snap as kheap_snap_walk() does when it fills.
 */
static void kheap_snap_locked(struct kheap_shard *shard,
			      struct kheap_snap **snap, u64 from, u64 to,
			      int *grows)
{
	struct kheap_cursor cur = { .null = NULL };
	unsigned long flags;

	local_irq_save(flags);
	kheap_shard_lock(shard);
	list_add(&cur.node, &shard->live);
	/* Not draining: the batch's unlock does. */
	atomic_set_release(&shard->lock, 0);
	local_irq_restore(flags);
	while (kheap_snap_batch(shard, &cur, *snap, from, to)) {
		if ((*snap)->n == (*snap)->cap) {
			if (*grows >= KHEAP_SNAP_GROWS ||
			    kheap_snap_grow(snap)) {
				kheap_snap_cursor_del(shard, &cur);
				return;
			}
			(*grows)++;
		}
		cond_resched();
	}
}

/*
 * Copy the live blocks of @heap with @from <= id <= @to, sorted by id. The
 * copy is sized from the count at the start: blocks allocated meanwhile
 * may be left out, and it is not one instant's picture (blocks freed and
 * allocated while it runs may or may not be in it; every block live for
 * the whole copy is in it, once, unless it stays full after doubling
 * KHEAP_SNAP_GROWS times). Each shard is walked without its lock (walk.c),
 * or, if that walk gives up, in locked batches.
 * Returns NULL when out of memory. Process context: it sleeps between
 * batches.
 */
struct kheap_snap *kheap_snapshot(struct kheap *heap, u64 from, u64 to)
{
	size_t cap = kheap_count(heap) + 16;
	struct kheap_snap *snap;
	bool locker = false;
	int cpu, lvl, grows = 0;

	might_sleep();
	snap = kvmalloc(struct_size(snap, v, cap), GFP_KERNEL);
	if (!snap)
		return NULL;
	snap->n = 0;
	snap->cap = cap;
	for_each_possible_cpu(cpu) {
		struct kheap_pcpu *pc = per_cpu_ptr(heap->pcpu, cpu);

		for (lvl = 0; lvl < KHEAP_LEVELS; lvl++) {
			if (kheap_snap_walk(heap, cpu, lvl, &snap, from, to,
					    &grows))
				continue;
			if (!locker)
				kheap_lockers_enter();
			locker = true;
			kheap_snap_locked(&pc->lvl[lvl], &snap, from, to,
					  &grows);
		}
	}
	if (locker)
		kheap_lockers_exit();
	sort(snap->v, snap->n, sizeof(snap->v[0]), kheap_info_cmp, NULL);
	return snap;
}

/*
 * The canary after a block's data is keyed with its header's check: give
 * a moved block the canary of its new check, @now, then publish the check.
 * A canary already damaged stays damaged (it cannot match the new check),
 * so the free still reports the overrun.
 */
static void kheap_move_canary(struct kheap_hdr *hdr, u32 was, u32 now)
{
	u64 *canary = (void *)(hdr + 1) + hdr->size;

	if (get_unaligned(canary) == kheap_canary(was))
		put_unaligned(kheap_canary(now), canary);
	/* The new words first: pairs with the smp_rmb() in kheap_walk_read(). */
	smp_wmb();
	WRITE_ONCE(hdr->check, now);
	/* The check before the links the move changes: kheap_walk_next(). */
	smp_wmb();
}

/*
 * Move up to KHEAP_BATCH blocks from @src to @dst (same CPU and level,
 * @to's shard), each with a new id of @to: the blocks enter @to now. Both
 * locks held, interrupts off, and kheap_move_seq odd while the headers are
 * rewritten, so a free that reads one torn reads it again. A header is
 * first claimed for the move (its check exchanged for the moving one), so
 * a free claiming it without the lock either wins first (and the block is
 * parked on @parked until that free's queue unlinks it) or fails; claimers
 * that may still look at it are waited for before the header changes.
 * Returns false when @src is empty (cursors aside).
 */
static bool kheap_move_batch(struct kheap *to, struct kheap_shard *src,
			     struct kheap_shard *dst, struct list_head *parked)
{
	struct list_head *pos, *next;
	long bytes = 0, n = 0;
	unsigned int seen = 0;

	/* Every entry counts, claimed ones and cursors too: a bounded batch. */
	raw_write_seqcount_begin(&kheap_move_seq);
	for (pos = src->live.next; pos != &src->live && seen++ < KHEAP_BATCH;
	     pos = next) {
		struct kheap_hdr *hdr = list_entry(pos, struct kheap_hdr, node);
		u32 check;

		next = pos->next;
		if (kheap_is_cursor(pos))
			continue;
		check = kheap_hdr_check(hdr, hdr->heap, hdr->id);
		if (!try_cmpxchg(&hdr->check, &check, check ^ KHEAP_MOVING)) {
			/* Claimed by a free: not ours to move. */
			list_move_tail(pos, parked);
			continue;
		}
		/* The exchange is fully ordered: see kheap_claimers_wait(). */
		kheap_claimers_wait(src);
		hdr->heap = to;
		hdr->id = atomic64_fetch_add(1, &to->next_id);
		kheap_move_canary(hdr, check,
				  kheap_hdr_check(hdr, to, hdr->id));
		list_move_tail(pos, &dst->live);
		bytes += hdr->size;
		n++;
	}
	raw_write_seqcount_end(&kheap_move_seq);
	WRITE_ONCE(src->bytes, src->bytes - bytes);
	WRITE_ONCE(src->count, src->count - n);
	WRITE_ONCE(dst->bytes, dst->bytes + bytes);
	WRITE_ONCE(dst->count, dst->count + n);
	kheap_raise_hw(to, dst);
	return pos != &src->live;
}

/* Move every block of @src to @dst, batch by batch. */
static void kheap_move_shard(struct kheap *to, struct kheap_shard *src,
			     struct kheap_shard *dst)
{
	struct llist_node *qs, *qd;
	LIST_HEAD(parked);
	unsigned long flags;
	bool more;

	do {
		local_irq_save(flags);
		kheap_shard_lock(src);
		kheap_shard_lock(dst);
		more = kheap_move_batch(to, src, dst, &parked);
		qd = kheap_shard_unlock(dst);
		qs = kheap_shard_unlock(src);
		local_irq_restore(flags);
		if (qd)
			kheap_release_queued(qd);
		if (qs)
			kheap_release_queued(qs);
		cond_resched();
	} while (more);
	/*
	 * The claimed blocks go back where their frees' queues unlink them
	 * (an unlock's drain may have taken some off @parked already).
	 */
	local_irq_save(flags);
	kheap_shard_lock(src);
	list_splice(&parked, &src->live);
	qs = kheap_shard_unlock(src);
	local_irq_restore(flags);
	if (qs)
		kheap_release_queued(qs);
	/*
	 * Then the blocks queued on @src: not for the heap's end, which frees
	 * what is left in an RCU callback.
	 */
	kheap_shard_drain_all(src, -1);
}

/*
 * Move every live block of @heap to @to (the default heap), shard by shard
 * (a block stays on its CPU's and level's shard) and batch by batch. A
 * block's header changes under both shard locks (see kheap_untrack()); the
 * lock order is @heap's shard, then @to's. One move at a time:
 * kheap_move_seq has one writer.
 */
void kheap_reparent(struct kheap *heap, struct kheap *to)
{
	static DEFINE_MUTEX(kheap_move_lock);
	int cpu, lvl;

	mutex_lock(&kheap_move_lock);
	kheap_lockers_enter();
	for_each_possible_cpu(cpu) {
		struct kheap_pcpu *src = per_cpu_ptr(heap->pcpu, cpu);
		struct kheap_pcpu *dst = per_cpu_ptr(to->pcpu, cpu);

		for (lvl = 0; lvl < KHEAP_LEVELS; lvl++)
			kheap_move_shard(to, &src->lvl[lvl], &dst->lvl[lvl]);
	}
	kheap_lockers_exit();
	mutex_unlock(&kheap_move_lock);
	kheap_update_peak(to);
}

/*
 * The leak report of a heap about to go: every block as a kheap:kheap_leak
 * event, the first KHEAP_LEAK_DISPLAY_LIMIT on the console, every block to
 * the heap's reporter if it has one.
 */
void kheap_report_leaks(struct kheap *heap)
{
	struct kheap_snap *snap;
	bool rep = kheap_has_reporter(heap);
	size_t i;

	if (!kheap_count(heap))
		return;
	pr_err("heap '%s': %zu live blocks (%zu bytes) leaked\n", heap->name,
	       kheap_count(heap), kheap_bytes(heap));
	snap = kheap_snapshot(heap, 0, U64_MAX);
	if (!snap)
		return;
	for (i = 0; i < snap->n; i++) {
		trace_kheap_leak(heap->name, &snap->v[i]);
		if (i < KHEAP_LEAK_DISPLAY_LIMIT)
			kheap_format_info(NULL, "leak:", &snap->v[i]);
		if (rep)
			kheap_notify_report(heap, &snap->v[i]);
	}
	if (snap->n > KHEAP_LEAK_DISPLAY_LIMIT)
		pr_err("heap '%s': and %zu more leaked blocks\n", heap->name,
		       snap->n - KHEAP_LEAK_DISPLAY_LIMIT);
	kvfree(snap);
}
