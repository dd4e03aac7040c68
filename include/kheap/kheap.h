/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kheap - named, tracked heap categories over kmalloc, and lock-free pools.
 *
 * Client modules include this umbrella header and link against the symbols
 * kheap.ko exports (EXPORT_SYMBOL_GPL). See the individual headers for the
 * design notes and locking rules of each part:
 *
 *   <kheap/heap.h>    heaps, tracked allocation, bookmarks, hierarchy, reporters
 *   <kheap/sentry.h>  bind a struct type to a heap: kheap_new(), kheap_delete()
 *   <kheap/pool.h>    lock-free rings, chains of rings, per-CPU object pools
 */
#ifndef _KHEAP_KHEAP_H
#define _KHEAP_KHEAP_H

#include <kheap/heap.h>
#include <kheap/sentry.h>
#include <kheap/pool.h>

#endif /* _KHEAP_KHEAP_H */
