// SPDX-License-Identifier: GPL-2.0
/*
 * The example client built with KHEAP_NO_TRACKING: every kheap call becomes
 * a plain slab call, and the module does not depend on kheap.ko.
 */
#define KHEAP_NO_TRACKING
#include "kheap_example.c"
