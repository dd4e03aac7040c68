// SPDX-License-Identifier: GPL-2.0
/*
 * The kheap_fault cases with the kernel's failslab and fail_page_alloc as
 * the source of failures (suite kheap_failslab); see kheap_fault_test.c.
 */
#define KHEAP_FAULT_FAILSLAB
#include "kheap_fault_test.c"
