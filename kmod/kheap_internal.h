/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kheap: definitions shared by the module's files, not part of the API.
 */
#ifndef _KHEAP_INTERNAL_H
#define _KHEAP_INTERNAL_H

#include <kheap/kheap.h>

struct dentry;

extern struct dentry *kheap_debugfs_root;

#endif /* _KHEAP_INTERNAL_H */
