/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kheap tracepoints: kheap:kheap_alloc and kheap:kheap_free, emitted by the
 * trace reporter (kheap_trace_reporter). Usable from ftrace, perf and
 * bpftrace, e.g. `echo 1 > /sys/kernel/tracing/events/kheap/enable`.
 */
#undef TRACE_SYSTEM
#define TRACE_SYSTEM kheap

#if !defined(_KHEAP_TRACE_H) || defined(TRACE_HEADER_MULTI_READ)
#define _KHEAP_TRACE_H

#include <linux/tracepoint.h>
#include <kheap/heap.h>

/*
 * clang-format off: the TRACE_EVENT() layout of include/trace/events/;
 * clang-format reads the TP_*() blocks as one long expression.
 */
/* clang-format off */
DECLARE_EVENT_CLASS(kheap_block,
	TP_PROTO(const char *heap, const struct kheap_alloc_info *info),
	TP_ARGS(heap, info),
	TP_STRUCT__entry(
		__array(char, heap, KHEAP_NAME_MAX + 1)
		__field(const void *, ptr)
		__field(size_t, size)
		__field(u64, id)
		__field(unsigned long, caller)
	),
	TP_fast_assign(
		strscpy(__entry->heap, heap, sizeof(__entry->heap));
		__entry->ptr = info->ptr;
		__entry->size = info->size;
		__entry->id = info->id;
		__entry->caller = info->caller;
	),
	TP_printk("heap=%s ptr=%p size=%zu id=%llu caller=%pS",
		  __entry->heap, __entry->ptr, __entry->size,
		  __entry->id, (void *)__entry->caller)
);

DEFINE_EVENT(kheap_block, kheap_alloc,
	TP_PROTO(const char *heap, const struct kheap_alloc_info *info),
	TP_ARGS(heap, info)
);

DEFINE_EVENT(kheap_block, kheap_free,
	TP_PROTO(const char *heap, const struct kheap_alloc_info *info),
	TP_ARGS(heap, info)
);

/* clang-format on */

#endif /* _KHEAP_TRACE_H */

#undef TRACE_INCLUDE_PATH
#define TRACE_INCLUDE_PATH .
#undef TRACE_INCLUDE_FILE
#define TRACE_INCLUDE_FILE kheap_trace
#include <trace/define_trace.h>
