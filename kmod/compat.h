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

#endif /* _KHEAP_COMPAT_H */
