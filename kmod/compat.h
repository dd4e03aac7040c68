/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kheap compat: the differences between the kernels kheap builds on (6.1 to
 * 6.12), in one place. Force-included into every kheap source file (Kbuild),
 * so the .c files carry no version checks.
 */
#ifndef _KHEAP_COMPAT_H
#define _KHEAP_COMPAT_H

/* 6.12 moved the unaligned accessors from <asm/> to <linux/>. */
#if __has_include(<linux/unaligned.h>)
#include <linux/unaligned.h>
#else
#include <asm/unaligned.h>
#endif

#include <linux/version.h>

/* 6.10 dropped __assign_str()'s source argument (it comes from __string()). */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 10, 0)
#define __kheap_assign_str(dst, src)	__assign_str(dst)
#else
#define __kheap_assign_str(dst, src)	__assign_str(dst, src)
#endif

#endif /* _KHEAP_COMPAT_H */
