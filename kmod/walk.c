// SPDX-License-Identifier: GPL-2.0
/*
 * kheap walks: a reader's pass over a shard's live list without the
 * shard's lock, so that the CPU allocating and freeing there never waits
 * for a reader. kheap_snapshot() walks each shard so, and falls back to
 * its locked batches for a shard whose walk cannot make its way.
 *
 * The owner links, unlinks and reuses blocks meanwhile, and a freed
 * block's memory may be back in kmalloc()'s hands. So every word of a
 * header is read with an extable-protected load (no fault on memory that
 * is gone; not seen by KASAN or KCSAN: racing the owner's plain stores is
 * the point), and nothing read is believed before it is proven:
 *
 * 1. A copy of a header is one block's, as it was at one moment: its words
 *    are read between two loads of its check, which must be equal and be
 *    the keyed check of the words (kheap_check_of()), or that xor
 *    KHEAP_FREED: a block a free claimed, linked until the shard's next
 *    holder unlinks it. A block's words change only after its check does
 *    (a free's exchange, a move's), and a new block's words are stored
 *    before its check (the smp_wmb() in kheap_track() and
 *    kheap_move_canary()).
 * 2. A step from @cur to the entry @n its next pointer names is taken only
 *    if @n's copy, read after that pointer, has @prev == @cur: @n then
 *    followed @cur in the list, with nothing between them.
 * 3. @cur's next pointer counts only if @cur's check is the same after it
 *    was read. A live block is linked while its check is live (a block
 *    freed and reused at the list's end would point to the head, and end
 *    the walk early); a claimed one's next pointer is either its
 *    successor's, which step 2 proves, the head while it is the last, or
 *    a poison that no step accepts.
 *
 * Blocks are added only at the list's end and keep their place while they
 * live (a move changes their check). A walk that goes from each entry to
 * the one that followed it at some moment therefore meets every block
 * linked for the whole walk, once. Where a step cannot be proven the owner
 * is changing that place: the walk tries again a few times, then backs off
 * to the latest block it passed that is still live, its place included
 * (the ones after it are all gone, so none is listed twice), or starts the
 * shard again, its blocks listed so far dropped. After 256 failed steps in
 * a row and 200 us, or a few starts, it gives up and the caller takes the
 * lock.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <kunit/visibility.h>
#include <linux/export.h>
#include <linux/mm.h>
#include <linux/sched.h>
#include <linux/timekeeping.h>
#include <linux/uaccess.h>

#include "kheap_internal.h"

/* Failed steps at one place before backing off. */
#define KHEAP_WALK_TRIES 16
/*
 * Failed steps in a row, and time since the first of them, before a walk
 * gives up and the lock is taken instead (the owner may be stopped in the
 * middle of a change: its vCPU, under a hypervisor).
 */
#define KHEAP_WALK_FAILS 256
#define KHEAP_WALK_PATIENCE_NS (200 * NSEC_PER_USEC)
/* Starts of one shard, and live blocks passed that a walk may back off to. */
#define KHEAP_WALK_STARTS 4
#define KHEAP_WALK_HIST 8
/* Steps between two chances for the CPU to go elsewhere. */
#define KHEAP_WALK_RESCHED 64

/* Walks and what they met, since load (kheap_test_walk_stats()). */
static atomic_long_t kheap_walks, kheap_walk_fails, kheap_walk_backoffs,
	kheap_walk_starts, kheap_walk_locked;

/* A place of a walk: the list's head (@hdr NULL), or a block and its check. */
struct kheap_walk_pos {
	const struct kheap_hdr *hdr;
	u32 check;
	bool live;
};

/* A u64 of a header that may be freed memory; false on a fault. */
static __always_inline bool kheap_walk_word(const void *p, u64 *w)
{
	__get_kernel_nofault(w, p, u64, fault);
	return true;
fault:
	return false;
}

/* Only the direct map holds kmalloc()'s blocks: never read elsewhere. */
static bool kheap_walk_mapped(const void *p, size_t len)
{
	unsigned long a = (unsigned long)p;

	return IS_ALIGNED(a, sizeof(u64)) && a >= PAGE_OFFSET &&
	       a + len <= (unsigned long)high_memory && a + len > a;
}

/*
 * Copy the header at @hdr, its list node included, and its extension word
 * into *@ext (0 without one), as one block's at one moment (rule 1 above,
 * but for the check's value, which kheap_walk_judge() looks at). False on
 * a fault or a check that changed meanwhile.
 */
static bool kheap_walk_read(const struct kheap_hdr *hdr, struct kheap_hdr *copy,
			    u64 *ext)
{
	const u64 *w = (const u64 *)hdr;
	u64 w0, w1, w2, w3, w4, w5, w6, again;

	if (!kheap_walk_mapped(hdr, sizeof(*hdr)) ||
	    !kheap_walk_word(w + 6, &w6))
		return false;
	/*
	 * The check before the words: pairs with the smp_wmb() before a new
	 * check is stored (kheap_track(), kheap_move_canary()), and with the
	 * fully ordered exchange a free or a move claims a block with.
	 */
	smp_rmb();
	if (!kheap_walk_word(w, &w0) || !kheap_walk_word(w + 1, &w1) ||
	    !kheap_walk_word(w + 2, &w2) || !kheap_walk_word(w + 3, &w3) ||
	    !kheap_walk_word(w + 4, &w4) || !kheap_walk_word(w + 5, &w5))
		return false;
	*ext = 0;
	if (((w6 >> 16) & KHEAP_OFF_STACK) &&
	    (!kheap_walk_mapped(w - 1, sizeof(u64)) ||
	     !kheap_walk_word(w - 1, ext)))
		return false;
	/* The words before the check's second look: the same pairing. */
	smp_rmb();
	if (!kheap_walk_word(w + 6, &again) || again != w6)
		return false;
	copy->node.next = (struct list_head *)(unsigned long)w0;
	copy->node.prev = (struct list_head *)(unsigned long)w1;
	copy->heap = (struct kheap *)(unsigned long)w2;
	copy->id = w3;
	copy->caller = w4;
	kheap_hdr_unpack(copy, w5, w6);
	return true;
}

/* The check of the header at @hdr now, or false on a fault. */
static bool kheap_walk_check(const struct kheap_hdr *hdr, u32 *check)
{
	u64 w6;

	if (!kheap_walk_word((const u64 *)hdr + 6, &w6))
		return false;
	*check = w6 >> 32;
	return true;
}

/*
 * Is @copy (of the header at @hdr) a block of @heap's shard @idx: live,
 * claimed by a free (still linked: passed, not listed), or neither?
 */
enum kheap_walk_kind { KHEAP_WALK_BAD, KHEAP_WALK_LIVE, KHEAP_WALK_CLAIMED };

static enum kheap_walk_kind kheap_walk_judge(const struct kheap_hdr *hdr,
					     const struct kheap_hdr *copy,
					     u64 ext, const struct kheap *heap,
					     u16 idx)
{
	u32 live;

	if (copy->heap != heap || copy->cpu != idx)
		return KHEAP_WALK_BAD;
	live = kheap_check_of(hdr, heap, copy->id, copy->size, copy->cpu,
			      copy->offset, ext);
	if (copy->check == live)
		return KHEAP_WALK_LIVE;
	if (copy->check == (live ^ KHEAP_FREED))
		return KHEAP_WALK_CLAIMED;
	return KHEAP_WALK_BAD;
}

/*
 * The entry after @pos, read now; false when @pos is a block whose check
 * changed since the walk passed it (rule 3), or that cannot be read.
 */
static bool kheap_walk_next(const struct kheap_walk_pos *pos,
			    const struct list_head *head,
			    const struct list_head **next)
{
	u64 w0;
	u32 check;

	if (!pos->hdr) {
		/*
		 * The first entry, stored with WRITE_ONCE() (list_add_tail(),
		 * list_del()); its words are read through this pointer, after
		 * the smp_wmb()s that publish a new block (kheap_track()).
		 */
		*next = READ_ONCE(head->next);
		return true;
	}
	if (!kheap_walk_word(&pos->hdr->node.next, &w0))
		return false;
	/*
	 * The pointer before the check's second look: pairs with the
	 * smp_wmb() between a block's new check and its links (kheap_track(),
	 * kheap_move_canary()), so new links of reused memory come with a
	 * new check; an unlink comes after the fully ordered exchange that
	 * claimed the block.
	 */
	smp_rmb();
	*next = (const struct list_head *)(unsigned long)w0;
	return kheap_walk_check(pos->hdr, &check) && check == pos->check;
}

/*
 * The live blocks a walk passed last, the latest at @top - 1; @n of them
 * (at most KHEAP_WALK_HIST) are kept.
 */
struct kheap_walk_hist {
	struct kheap_walk_pos pos[KHEAP_WALK_HIST];
	unsigned int top, n;
};

static void kheap_walk_push(struct kheap_walk_hist *h,
			    const struct kheap_walk_pos *pos)
{
	h->pos[h->top++ % KHEAP_WALK_HIST] = *pos;
	h->n = min(h->n + 1, KHEAP_WALK_HIST);
}

/*
 * Back off from a place that left the list: to the latest block of @h
 * still live (its check the same). False when none is.
 */
static bool kheap_walk_back(struct kheap_walk_hist *h,
			    struct kheap_walk_pos *pos)
{
	u32 check;

	while (h->n) {
		h->n--;
		*pos = h->pos[--h->top % KHEAP_WALK_HIST];
		if (kheap_walk_check(pos->hdr, &check) && check == pos->check)
			return true;
	}
	return false;
}

/* A live block of the window into @snap, its stamp to be converted. */
static void kheap_walk_take(struct kheap_snap *snap,
			    const struct kheap_hdr *hdr,
			    const struct kheap_hdr *copy, u64 ext)
{
	kheap_info_of(hdr, copy, ext, &snap->v[snap->n++]);
}

/**
 * struct kheap_walk - one walk of a shard
 * @heap:	the shard's heap
 * @head:	the shard's list
 * @idx:	the shard's index (a header's @cpu)
 * @pos:	where the walk is
 * @hist:	live blocks it passed, to back off to
 * @snap:	where it lists blocks, from @first on
 * @first:	@snap's entries before the walk
 * @from:	the window's first id
 * @to:		and its last
 * @tries:	failed steps at @pos
 * @fails:	failed steps in all
 * @stall:	failed steps since the last step made
 * @stall_start: when the first of them failed (ktime_get_mono_fast_ns())
 * @made:	steps made
 * @starts:	starts from the head
 */
struct kheap_walk {
	const struct kheap *heap;
	const struct list_head *head;
	u16 idx;
	struct kheap_walk_pos pos;
	struct kheap_walk_hist hist;
	struct kheap_snap *snap;
	size_t first;
	u64 from, to;
	unsigned int tries, fails, stall, starts;
	u64 stall_start;
	unsigned long made;
};

/* What a step of a walk came to. */
enum kheap_walk_step {
	KHEAP_STEP_ON,
	KHEAP_STEP_END,
	KHEAP_STEP_FAIL,
	KHEAP_STEP_FULL
};

/*
 * One step from @w->pos: the entry after it, if that can be proven (rules
 * 1 to 3), becomes the place, and is listed if live and in the window.
 * KHEAP_STEP_FULL: it is to be listed and @w->snap has no room; the walk
 * stays where it was.
 */
static enum kheap_walk_step kheap_walk_step(struct kheap_walk *w)
{
	enum kheap_walk_kind kind = KHEAP_WALK_BAD;
	const struct list_head *next, *prev;
	const struct kheap_hdr *hdr;
	struct kheap_hdr copy;
	bool take;
	u64 ext;

	if (!kheap_walk_next(&w->pos, w->head, &next))
		goto fail;
	if (next == w->head)
		return KHEAP_STEP_END;
	hdr = list_entry(next, struct kheap_hdr, node);
	prev = w->pos.hdr ? &w->pos.hdr->node : w->head;
	if (kheap_walk_read(hdr, &copy, &ext) && copy.node.prev == prev)
		kind = kheap_walk_judge(hdr, &copy, ext, w->heap, w->idx);
	if (kind == KHEAP_WALK_BAD)
		goto fail;
	take = kind == KHEAP_WALK_LIVE && copy.id >= w->from &&
	       copy.id <= w->to;
	if (take && w->snap->n == w->snap->cap)
		return KHEAP_STEP_FULL;
	if (w->pos.live)
		kheap_walk_push(&w->hist, &w->pos);
	w->pos.hdr = hdr;
	w->pos.check = copy.check;
	w->pos.live = kind == KHEAP_WALK_LIVE;
	w->tries = 0;
	w->stall = 0;
	if (take)
		kheap_walk_take(w->snap, hdr, &copy, ext);
	return KHEAP_STEP_ON;
fail:
	if (!w->stall++)
		w->stall_start = ktime_get_mono_fast_ns();
	w->fails++;
	w->tries++;
	return KHEAP_STEP_FAIL;
}

/*
 * After a failed step: try again at a live place (or the head) the owner
 * is changing, a few times; else back off to a live block passed, or
 * start again from the head, the blocks listed so far dropped. False when
 * the walk gives up.
 */
static bool kheap_walk_retry(struct kheap_walk *w)
{
	cpu_relax();
	/* At the head there is nothing to go back to, nor to drop. */
	if (!w->pos.hdr || (w->pos.live && w->tries < KHEAP_WALK_TRIES))
		return true;
	w->tries = 0;
	atomic_long_inc(&kheap_walk_backoffs);
	/*
	 * A live place is listed already: if it is still live, the walk
	 * stays there (going back would list it twice).
	 */
	if (w->pos.live)
		kheap_walk_push(&w->hist, &w->pos);
	if (kheap_walk_back(&w->hist, &w->pos))
		return true;
	if (++w->starts > KHEAP_WALK_STARTS)
		return false;
	atomic_long_inc(&kheap_walk_starts);
	w->pos = (struct kheap_walk_pos){};
	w->hist.n = 0;
	w->snap->n = w->first;
	return true;
}

/*
 * Has @w failed long enough at one place to give up: KHEAP_WALK_FAILS
 * steps in a row, for KHEAP_WALK_PATIENCE_NS?
 */
static bool kheap_walk_tired(const struct kheap_walk *w)
{
	return w->stall > KHEAP_WALK_FAILS &&
	       ktime_get_mono_fast_ns() - w->stall_start >
		       KHEAP_WALK_PATIENCE_NS;
}

/**
 * kheap_walk_shard() - list a shard's live blocks without its lock
 * @heap:	the heap
 * @cpu:	the shard's CPU
 * @lvl:	and context level
 * @snap:	where the blocks with @from <= id <= @to go, after those there
 * @from:	the window's first id
 * @to:		and its last
 *
 * Every block linked on the shard for the whole walk is listed, once,
 * unless @snap fills; blocks allocated or freed meanwhile may be or not.
 *
 * Context: process context; may sleep.
 * Return: 0 when done; -ENOSPC when @snap filled (with what fitted);
 * -EAGAIN when the walk gave up (the owner kept changing the list where
 * it was), with @snap as it was before: the caller lists the shard under
 * its lock.
 */
int kheap_walk_shard(struct kheap *heap, int cpu, unsigned int lvl,
		     struct kheap_snap *snap, u64 from, u64 to)
{
	struct kheap_walk w = {
		.heap = heap,
		.head = &per_cpu_ptr(heap->pcpu, cpu)->lvl[lvl].live,
		.idx = cpu | lvl << KHEAP_SHARD_LVL_SHIFT,
		.snap = snap,
		.first = snap->n,
		.from = from,
		.to = to,
		.starts = 1,
	};
	unsigned long steps = 0, limit = 2 * snap->cap + 4096;
	enum kheap_walk_step st = KHEAP_STEP_ON;
	int err = 0;
	size_t i;

	atomic_long_inc(&kheap_walks);
	while (st != KHEAP_STEP_END) {
		if (!(++steps % KHEAP_WALK_RESCHED))
			cond_resched();
		st = kheap_walk_step(&w);
		if (st == KHEAP_STEP_FULL) {
			err = -ENOSPC;
			break;
		}
		/* Only steps made count against the list's length. */
		if ((st == KHEAP_STEP_ON && ++w.made > limit) ||
		    (st == KHEAP_STEP_FAIL &&
		     (kheap_walk_tired(&w) || !kheap_walk_retry(&w)))) {
			err = -EAGAIN;
			break;
		}
	}
	atomic_long_add(w.fails, &kheap_walk_fails);
	if (err == -EAGAIN) {
		atomic_long_inc(&kheap_walk_locked);
		snap->n = w.first;
		return err;
	}
	for (i = w.first; i < snap->n; i++)
		snap->v[i].time_ns = kheap_stamp_ns(snap->v[i].time_ns);
	return err;
}

/**
 * kheap_test_walk_stats() - what the lockless walks met since load
 * @w:	gets the counts
 *
 * Context: any.
 */
void kheap_test_walk_stats(struct kheap_test_walks *w)
{
	w->walks = atomic_long_read(&kheap_walks);
	w->fails = atomic_long_read(&kheap_walk_fails);
	w->backoffs = atomic_long_read(&kheap_walk_backoffs);
	w->starts = atomic_long_read(&kheap_walk_starts);
	w->locked = atomic_long_read(&kheap_walk_locked);
	w->grows = atomic_long_read(&kheap_snap_grows);
}
EXPORT_SYMBOL_IF_KUNIT(kheap_test_walk_stats);
