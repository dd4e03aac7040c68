// SPDX-License-Identifier: GPL-2.0
/*
 * kheap reporters: attaching them to heaps, calling them, and the two that
 * kheap provides (console and tracepoints).
 *
 * A heap's reporter pointer is RCU-protected: callbacks run inside an RCU
 * read-side section, and kheap_set_reporter() waits for a grace period
 * before it returns, so no callback of the old reporter runs after that.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <kunit/visibility.h>
#include <linux/export.h>
#include <linux/kallsyms.h>
#include <linux/module.h>
#include <linux/printk.h>
#include <linux/ratelimit.h>
#include <linux/seq_file.h>

#include "kheap_internal.h"

#define CREATE_TRACE_POINTS
#include "kheap_trace.h"

/* For probes in other modules (kheap's tests and benchmark, a client's). */
EXPORT_TRACEPOINT_SYMBOL_GPL(kheap_alloc);
EXPORT_TRACEPOINT_SYMBOL_GPL(kheap_free);
EXPORT_TRACEPOINT_SYMBOL_GPL(kheap_leak);
EXPORT_TRACEPOINT_SYMBOL_GPL(kheap_heap_create);
EXPORT_TRACEPOINT_SYMBOL_GPL(kheap_heap_destroy);

/**
 * kheap_set_reporter() - attach a reporter to a heap, or detach it
 * @heap: the heap (NULL: the default heap)
 * @rep:  the reporter, or NULL to detach; the caller keeps it alive until it
 *	  is detached
 *
 * Context: Process context; sleeps for an RCU grace period when a reporter
 * was attached before.
 * Return: 0, or -EINVAL when @rep has no ops.
 */
int kheap_set_reporter(struct kheap *heap, const struct kheap_reporter *rep)
{
	const struct kheap_reporter *old;

	if (rep && !rep->ops)
		return -EINVAL;
	heap = kheap_resolve(heap);
	mutex_lock(&kheap_lock);
	old = rcu_replace_pointer(heap->reporter, rep,
				  lockdep_is_held(&kheap_lock));
	mutex_unlock(&kheap_lock);
	if (old)
		synchronize_rcu();
	return 0;
}
EXPORT_SYMBOL_NS_GPL(kheap_set_reporter, KHEAP_NS);

/*
 * Detach every heap's reporter and wait for the callbacks under way
 * (module exit: a reporter may belong to a client already unloaded).
 */
void kheap_detach_reporters(void)
{
	struct kheap *heap;

	mutex_lock(&kheap_lock);
	list_for_each_entry(heap, &kheap_heaps, node)
		RCU_INIT_POINTER(heap->reporter, NULL);
	mutex_unlock(&kheap_lock);
	synchronize_rcu();
}

static bool kheap_in_module(const void *p, struct module *mod)
{
	return p && within_module((unsigned long)p, mod);
}

/*
 * Detach @heap's reporter if it is @mod's: the struct, its ops or one of
 * its callbacks is in @mod (which is unloading). The caller waits for a
 * grace period before @mod goes. Return: whether it did.
 */
bool kheap_detach_reporter_of_locked(struct kheap *heap, struct module *mod)
{
	const struct kheap_reporter *rep;
	const struct kheap_reporter_ops *ops;

	rep = rcu_dereference_protected(heap->reporter,
					lockdep_is_held(&kheap_lock));
	if (!rep)
		return false;
	ops = rep->ops;
	if (!kheap_in_module(rep, mod) && !kheap_in_module(ops, mod) &&
	    !kheap_in_module(ops->on_alloc, mod) &&
	    !kheap_in_module(ops->on_free, mod) &&
	    !kheap_in_module(ops->report, mod))
		return false;
	RCU_INIT_POINTER(heap->reporter, NULL);
	return true;
}

/**
 * kheap_test_reporter() - a heap's reporter, for kheap's tests
 * @heap: the heap
 *
 * Context: any.
 * Return: the reporter attached now, or NULL; not to be dereferenced.
 */
const struct kheap_reporter *kheap_test_reporter(struct kheap *heap)
{
	return rcu_access_pointer(heap->reporter);
}
EXPORT_SYMBOL_IF_KUNIT(kheap_test_reporter);

void kheap_notify_alloc(struct kheap *heap, const struct kheap_alloc_info *info)
{
	const struct kheap_reporter *rep;

	rcu_read_lock();
	rep = rcu_dereference(heap->reporter);
	if (rep && rep->ops->on_alloc)
		rep->ops->on_alloc(rep->priv, info);
	rcu_read_unlock();
}

void kheap_notify_free(struct kheap *heap, const struct kheap_alloc_info *info)
{
	const struct kheap_reporter *rep;

	rcu_read_lock();
	rep = rcu_dereference(heap->reporter);
	if (rep && rep->ops->on_free)
		rep->ops->on_free(rep->priv, info);
	rcu_read_unlock();
}

/* One listed block: to the heap's reporter, or the console without one. */
void kheap_notify_report(struct kheap *heap,
			 const struct kheap_alloc_info *info)
{
	const struct kheap_reporter *rep;

	rcu_read_lock();
	rep = rcu_dereference(heap->reporter);
	if (!rep)
		rep = &kheap_console_reporter;
	if (rep->ops->report)
		rep->ops->report(rep->priv, info);
	rcu_read_unlock();
}

/**
 * kheap_sym() - a call site, printable
 * @buf:	KSYM_SYMBOL_LEN bytes
 * @caller:	the address
 *
 * The symbol and offset (as %pS), or, for an address no symbol covers
 * (freed __init text, an unloaded module, a caller given by hand), the
 * address hashed as %p prints it: never a raw kernel address.
 */
void kheap_sym(char *buf, unsigned long caller)
{
	sprint_symbol(buf, caller);
	if (!buf[0] || !strncmp(buf, "0x", 2))
		snprintf(buf, KSYM_SYMBOL_LEN, "%p", (void *)caller);
}

/*
 * KFENCE's seq_con_printf(): to @m when given, else to the console, at
 * @level (LOGLEVEL_ERR or LOGLEVEL_INFO), with kheap's prefix.
 */
static __printf(3, 4) void kheap_seq_con_printf(struct seq_file *m, int level,
						const char *fmt, ...)
{
	struct va_format vaf;
	va_list args;

	va_start(args, fmt);
	if (m) {
		seq_vprintf(m, fmt, args);
	} else {
		vaf.fmt = fmt;
		vaf.va = &args;
		if (level == LOGLEVEL_ERR)
			pr_err("%pV", &vaf);
		else
			pr_info("%pV", &vaf);
	}
	va_end(args);
}

/*
 * A block's allocation stack (kheap_set_stacks()), a frame a line under its
 * record, indented, innermost first; nothing when it has none.
 */
static void kheap_format_stack(struct seq_file *m, int level, u32 stack)
{
	char sym[KSYM_SYMBOL_LEN];
	unsigned long *entries;
	unsigned int i, n;

	n = kheap_stack_fetch(stack, &entries);
	for (i = 0; i < n; i++) {
		kheap_sym(sym, entries[i]);
		kheap_seq_con_printf(m, level, "  %s\n", sym);
	}
}

/*
 * The one formatter of a block record: a line of a debugfs list when @m is
 * given (the heap is the file's), else a console line at @level that names
 * the heap after @prefix, then its allocation stack when it has one.
 * Pointers are hashed (%p), call sites symbolic (kheap_sym()).
 */
static void kheap_format_block(struct seq_file *m, int level,
			       const char *prefix,
			       const struct kheap_alloc_info *info)
{
	u64 ms = div_u64(kheap_now_ns() - info->time_ns, NSEC_PER_MSEC);
	char head[KHEAP_NAME_MAX + 32];
	char sym[KSYM_SYMBOL_LEN];

	if (m)
		strscpy(head, prefix, sizeof(head));
	else
		snprintf(head, sizeof(head), "%s heap=%s", prefix,
			 kheap_name(info->heap));
	kheap_sym(sym, info->caller);
	kheap_seq_con_printf(m, level,
			     "%s id=%llu size=%zu age=%llu.%03llus caller=%s\n",
			     head, info->id, info->size, div_u64(ms, 1000),
			     ms % 1000, sym);
	kheap_format_stack(m, level, info->stack);
}

/* A block: to @m when given, else to the console as an error. */
void kheap_format_info(struct seq_file *m, const char *prefix,
		       const struct kheap_alloc_info *info)
{
	kheap_format_block(m, LOGLEVEL_ERR, prefix, info);
}

static void kheap_console_on_alloc(void *priv,
				   const struct kheap_alloc_info *info)
{
	static DEFINE_RATELIMIT_STATE(rs, DEFAULT_RATELIMIT_INTERVAL,
				      DEFAULT_RATELIMIT_BURST);

	if (__ratelimit(&rs))
		kheap_format_block(NULL, LOGLEVEL_INFO, "alloc", info);
}

static void kheap_console_on_free(void *priv,
				  const struct kheap_alloc_info *info)
{
	static DEFINE_RATELIMIT_STATE(rs, DEFAULT_RATELIMIT_INTERVAL,
				      DEFAULT_RATELIMIT_BURST);

	if (__ratelimit(&rs))
		kheap_format_block(NULL, LOGLEVEL_INFO, "free", info);
}

static void kheap_console_report(void *priv,
				 const struct kheap_alloc_info *info)
{
	kheap_format_block(NULL, LOGLEVEL_INFO, "report", info);
}

static const struct kheap_reporter_ops kheap_console_ops = {
	.on_alloc = kheap_console_on_alloc,
	.on_free = kheap_console_on_free,
	.report = kheap_console_report,
};

const struct kheap_reporter kheap_console_reporter = {
	.ops = &kheap_console_ops,
};
EXPORT_SYMBOL_NS_GPL(kheap_console_reporter, KHEAP_NS);

/*
 * The kheap: events fire from the tracked paths themselves (kheap_trace.h):
 * this reporter, kept for the clients that attach it, does nothing.
 */
static const struct kheap_reporter_ops kheap_trace_ops = {};

const struct kheap_reporter kheap_trace_reporter = {
	.ops = &kheap_trace_ops,
};
EXPORT_SYMBOL_NS_GPL(kheap_trace_reporter, KHEAP_NS);
