/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kheap tracepoints, always there (a static key: a NOP while disabled), with
 * the fields of the kmem: events: kheap:kheap_alloc and kheap:kheap_free for
 * every tracked block, kheap:kheap_heap_create and kheap:kheap_heap_destroy for heaps,
 * and kheap:kheap_leak for each block a destroyed heap still held. Usable
 * from ftrace, hist triggers, perf and bpftrace, e.g.
 *	echo 1 > /sys/kernel/tracing/events/kheap/enable
 *	echo 'hist:key=call_site.sym:val=bytes_req' > \
 *		/sys/kernel/tracing/events/kheap/kheap_alloc/trigger
 */
#undef TRACE_SYSTEM
#define TRACE_SYSTEM kheap

#if !defined(_KHEAP_TRACE_H) || defined(TRACE_HEADER_MULTI_READ)
#define _KHEAP_TRACE_H

#include <linux/tracepoint.h>
#include <trace/events/mmflags.h>
#include <kheap/heap.h>

/*
 * clang-format off: the TRACE_EVENT() layout of include/trace/events/;
 * clang-format reads the TP_*() blocks as one long expression.
 */
/* clang-format off */
TRACE_EVENT(kheap_alloc,
	TP_PROTO(const char *heap, unsigned long call_site, const void *ptr,
		 size_t bytes_req, size_t bytes_alloc, gfp_t gfp_flags, u64 id),
	TP_ARGS(heap, call_site, ptr, bytes_req, bytes_alloc, gfp_flags, id),
	TP_STRUCT__entry(
		__field(unsigned long, call_site)
		__field(const void *, ptr)
		__field(size_t, bytes_req)
		__field(size_t, bytes_alloc)
		__field(unsigned long, gfp_flags)
		__string(heap, heap)
		__field(u64, id)
	),
	TP_fast_assign(
		__entry->call_site = call_site;
		__entry->ptr = ptr;
		__entry->bytes_req = bytes_req;
		__entry->bytes_alloc = bytes_alloc;
		__entry->gfp_flags = (__force unsigned long)gfp_flags;
		kheap_assign_str(heap, heap);
		__entry->id = id;
	),
	TP_printk("call_site=%pS ptr=%p bytes_req=%zu bytes_alloc=%zu gfp_flags=%s heap=%s id=%llu",
		  (void *)__entry->call_site, __entry->ptr, __entry->bytes_req,
		  __entry->bytes_alloc, show_gfp_flags(__entry->gfp_flags),
		  __get_str(heap), __entry->id)
);

TRACE_EVENT(kheap_free,
	TP_PROTO(const char *heap, unsigned long call_site, const void *ptr,
		 size_t bytes_req, u64 id),
	TP_ARGS(heap, call_site, ptr, bytes_req, id),
	TP_STRUCT__entry(
		__field(unsigned long, call_site)
		__field(const void *, ptr)
		__field(size_t, bytes_req)
		__string(heap, heap)
		__field(u64, id)
	),
	TP_fast_assign(
		__entry->call_site = call_site;
		__entry->ptr = ptr;
		__entry->bytes_req = bytes_req;
		kheap_assign_str(heap, heap);
		__entry->id = id;
	),
	TP_printk("call_site=%pS ptr=%p bytes_req=%zu heap=%s id=%llu",
		  (void *)__entry->call_site, __entry->ptr, __entry->bytes_req,
		  __get_str(heap), __entry->id)
);

TRACE_EVENT(kheap_leak,
	TP_PROTO(const char *heap, const struct kheap_alloc_info *info),
	TP_ARGS(heap, info),
	TP_STRUCT__entry(
		__field(unsigned long, call_site)
		__field(const void *, ptr)
		__field(size_t, bytes_req)
		__string(heap, heap)
		__field(u64, id)
		__field(u64, alloc_ns)
	),
	TP_fast_assign(
		__entry->call_site = info->caller;
		__entry->ptr = info->ptr;
		__entry->bytes_req = info->size;
		kheap_assign_str(heap, heap);
		__entry->id = info->id;
		__entry->alloc_ns = info->time_ns;
	),
	TP_printk("call_site=%pS ptr=%p bytes_req=%zu heap=%s id=%llu alloc_ns=%llu",
		  (void *)__entry->call_site, __entry->ptr, __entry->bytes_req,
		  __get_str(heap), __entry->id, __entry->alloc_ns)
);

DECLARE_EVENT_CLASS(kheap_heap,
	TP_PROTO(const char *heap, size_t bytes, size_t count),
	TP_ARGS(heap, bytes, count),
	TP_STRUCT__entry(
		__string(heap, heap)
		__field(size_t, bytes)
		__field(size_t, count)
	),
	TP_fast_assign(
		kheap_assign_str(heap, heap);
		__entry->bytes = bytes;
		__entry->count = count;
	),
	TP_printk("heap=%s bytes=%zu count=%zu",
		  __get_str(heap), __entry->bytes, __entry->count)
);

/* A heap was created (bytes and count 0). */
DEFINE_EVENT(kheap_heap, kheap_heap_create,
	TP_PROTO(const char *heap, size_t bytes, size_t count),
	TP_ARGS(heap, bytes, count)
);

/* A heap is destroyed, with what it still held (its leaks). */
DEFINE_EVENT(kheap_heap, kheap_heap_destroy,
	TP_PROTO(const char *heap, size_t bytes, size_t count),
	TP_ARGS(heap, bytes, count)
);

/* clang-format on */

#endif /* _KHEAP_TRACE_H */

#undef TRACE_INCLUDE_PATH
#define TRACE_INCLUDE_PATH .
#undef TRACE_INCLUDE_FILE
#define TRACE_INCLUDE_FILE kheap_trace
#include <trace/define_trace.h>
