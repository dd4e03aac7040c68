/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A mailbox for kheap's KUnit suites: one context (a CPU's thread, its
 * hard hrtimer) puts blocks in, another takes them all out and frees
 * them, often on another CPU. Any context: a raw spinlock, interrupts
 * saved, held for the copy only (the frees run after).
 */
#ifndef _KHEAP_TEST_BOX_H
#define _KHEAP_TEST_BOX_H

#include <kheap/kheap.h>
#include <linux/spinlock.h>
#include <linux/string.h>

#define KT_BOX 64

struct kt_box {
	raw_spinlock_t lock; /* @p and @n */
	void *p[KT_BOX];
	int n;
};

static inline void kt_box_init(struct kt_box *b)
{
	raw_spin_lock_init(&b->lock);
	b->n = 0;
}

/* Put @p in @b; false when it is full (the caller keeps @p). */
static inline bool kt_box_put(struct kt_box *b, void *p)
{
	unsigned long flags;
	bool ok;

	raw_spin_lock_irqsave(&b->lock, flags);
	ok = b->n < KT_BOX;
	if (ok)
		b->p[b->n++] = p;
	raw_spin_unlock_irqrestore(&b->lock, flags);
	return ok;
}

/* kheap_free() every block @b holds, here. */
static inline void kt_box_free_all(struct kt_box *b)
{
	void *p[KT_BOX];
	unsigned long flags;
	int i, n;

	raw_spin_lock_irqsave(&b->lock, flags);
	n = b->n;
	memcpy(p, b->p, n * sizeof(*p));
	b->n = 0;
	raw_spin_unlock_irqrestore(&b->lock, flags);
	for (i = 0; i < n; i++)
		kheap_free(p[i]);
}

#endif /* _KHEAP_TEST_BOX_H */
