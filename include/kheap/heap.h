/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kheap heaps: named memory categories over kmalloc.
 */
#ifndef _KHEAP_HEAP_H
#define _KHEAP_HEAP_H

#include <linux/types.h>

struct kheap;

/**
 * kheap_default() - the heap named "default"
 *
 * Context: Any context.
 * Return: the heap that always exists while kheap.ko is loaded.
 */
struct kheap *kheap_default(void);

/**
 * kheap_name() - the name of a heap
 * @heap: the heap
 *
 * Context: Any context.
 * Return: its name, valid until the heap is destroyed.
 */
const char *kheap_name(const struct kheap *heap);

#endif /* _KHEAP_HEAP_H */
