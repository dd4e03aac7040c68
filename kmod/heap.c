// SPDX-License-Identifier: GPL-2.0
/*
 * kheap heaps: named categories over kmalloc.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/export.h>

#include "kheap_internal.h"

struct kheap {
	char name[KHEAP_NAME_MAX + 1];
};

static struct kheap kheap_default_heap = {
	.name = "default",
};

struct kheap *kheap_default(void)
{
	return &kheap_default_heap;
}
EXPORT_SYMBOL_GPL(kheap_default);

const char *kheap_name(const struct kheap *heap)
{
	return heap->name;
}
EXPORT_SYMBOL_GPL(kheap_name);
