// SPDX-License-Identifier: GPL-2.0
/*
 * kheap debugfs: every file of /sys/kernel/debug/kheap/, made by
 * kheap_debugfs_init() and, per heap, kheap_debugfs_heap_add().
 *
 *   heaps               a row per heap: bytes, count, peak, hierarchy totals
 *   heap/<name>/live    its live blocks, then their allocation stacks
 *   heap/<name>/report  write "FROM TO", read the live blocks in that id
 *                       window: one window per open file
 *   heap/<name>/stacks  write 1 or 0: record allocation stacks or stop
 *   hierarchy           a row per heap, then a row per edge
 *   hierarchy.dot       the graph for Graphviz
 *   callsites           live bytes and blocks per allocating call site
 *   cache               the per-CPU cache of freed blocks (cache.c)
 *   pools               a row per pool, then per pool and CPU (pool.c)
 *   fail_alloc/         the fault point's knobs (the kernel's own files)
 *
 * Grammar v2 (README.md, "The debugfs grammar"): a version line
 * "# kheap KIND v2 [KEY=VALUE...]", then tables, each a header line
 * "# COLUMN..." (the record's name first) and a row per record, fields
 * separated by one space. Names print with every byte outside
 * [A-Za-z0-9._:-] as \xHH. Block lists are snapshots walked by seq_file,
 * so a long list never needs one large output buffer. Pointers are never
 * printed raw.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/debugfs.h>
#include <linux/kallsyms.h>
#include <linux/overflow.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/sort.h>
#include <linux/string.h>
#include <linux/uio.h>

#include "kheap_internal.h"

static struct dentry *kheap_debugfs_root;
static struct dentry *kheap_heap_dir;

/* ASCII only: the kernel's ctype calls Latin-1 letters and NBSP alnum, space. */
static bool kheap_ascii_alnum(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
	       (c >= 'A' && c <= 'Z');
}

static bool kheap_ascii_space(char c)
{
	return c == ' ' || (c >= '\t' && c <= '\r');
}

/* Print @s with each byte that is not alphanumeric or in @ok as @esc%02x. */
static void kheap_seq_escape(struct seq_file *m, const char *s, const char *ok,
			     const char *esc)
{
	for (; *s; s++) {
		if (kheap_ascii_alnum(*s) || strchr(ok, *s))
			seq_putc(m, *s);
		else
			seq_printf(m, "%s%02x", esc, (unsigned char)*s);
	}
}

/**
 * kheap_seq_name() - print a heap or pool name as grammar v2 does
 * @m:		where
 * @name:	the name (1..KHEAP_NAME_MAX bytes)
 *
 * Each byte outside [A-Za-z0-9._:-] prints as \xHH, so a name is one field
 * whatever it holds, and a reader gets it back byte for byte.
 */
void kheap_seq_name(struct seq_file *m, const char *name)
{
	kheap_seq_escape(m, name, "._:-", "\\x");
}

/*
 * A call site as two fields: SYMBOL+0xOFF/0xSIZE (or the hashed address)
 * and its module, "-" for the kernel itself.
 */
static void kheap_seq_caller(struct seq_file *m, unsigned long caller)
{
	char sym[KSYM_SYMBOL_LEN];
	char *mod;

	kheap_sym(sym, caller);
	mod = strstr(sym, " [");
	if (mod) {
		*mod = '\0';
		mod += 2;
		mod[strcspn(mod, "] ")] = '\0';
	}
	kheap_seq_escape(m, sym, "._:-+/", "\\x");
	seq_putc(m, ' ');
	if (mod && *mod)
		kheap_seq_name(m, mod);
	else
		seq_putc(m, '-');
}

static int kheap_heaps_show(struct seq_file *m, void *v)
{
	struct kheap *heap;
	size_t hb, hc;

	seq_printf(m, "# kheap heaps v2 invalid_frees=%lu\n",
		   kheap_invalid_frees());
	seq_puts(m, "# name bytes count peak hier_bytes hier_count overruns");
	seq_puts(m, " stacks\n");
	mutex_lock(&kheap_lock);
	list_for_each_entry(heap, &kheap_heaps, node) {
		kheap_hier_sum(heap, &hb, &hc);
		kheap_seq_name(m, heap->name);
		seq_printf(m, " %zu %zu %zu %zu %zu %lu %d\n",
			   kheap_bytes(heap), kheap_count(heap),
			   kheap_peak_bytes(heap), hb, hc, kheap_overruns(heap),
			   kheap_stacks(heap));
	}
	mutex_unlock(&kheap_lock);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(kheap_heaps);

static int kheap_hierarchy_show(struct seq_file *m, void *v)
{
	struct kheap_edge *cursor;
	struct kheap *heap, *to;
	size_t hb, hc;

	seq_puts(m, "# kheap hierarchy v2\n");
	seq_puts(m, "# name bytes count hier_bytes hier_count\n");
	mutex_lock(&kheap_lock);
	list_for_each_entry(heap, &kheap_heaps, node) {
		kheap_hier_sum(heap, &hb, &hc);
		kheap_seq_name(m, heap->name);
		seq_printf(m, " %zu %zu %zu %zu\n", kheap_bytes(heap),
			   kheap_count(heap), hb, hc);
	}
	seq_puts(m, "# from to\n");
	list_for_each_entry(heap, &kheap_heaps, node) {
		cursor = NULL;
		while ((to = kheap_edge_next_locked(heap, &cursor))) {
			kheap_seq_name(m, heap->name);
			seq_putc(m, ' ');
			kheap_seq_name(m, to->name);
			seq_putc(m, '\n');
		}
	}
	mutex_unlock(&kheap_lock);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(kheap_hierarchy);

/* A name inside a DOT string: escaped as v2, its backslashes doubled. */
static void kheap_seq_dot_name(struct seq_file *m, const char *name)
{
	kheap_seq_escape(m, name, "._:-", "\\\\x");
}

static int kheap_hierarchy_dot_show(struct seq_file *m, void *v)
{
	struct kheap_edge *cursor;
	struct kheap *heap, *to;
	size_t hb, hc;

	seq_puts(m, "// kheap hierarchy.dot v2\n");
	seq_puts(m, "digraph kheap {\n");
	seq_puts(m, "\tnode [shape=box, fontname=\"monospace\"];\n");
	mutex_lock(&kheap_lock);
	list_for_each_entry(heap, &kheap_heaps, node) {
		kheap_hier_sum(heap, &hb, &hc);
		seq_puts(m, "\t\"");
		kheap_seq_dot_name(m, heap->name);
		seq_puts(m, "\" [label=\"");
		kheap_seq_dot_name(m, heap->name);
		seq_printf(m, "\\n%zu bytes in %zu blocks", kheap_bytes(heap),
			   kheap_count(heap));
		seq_printf(m, "\\nreachable: %zu bytes in %zu\"];\n", hb, hc);
	}
	list_for_each_entry(heap, &kheap_heaps, node) {
		cursor = NULL;
		while ((to = kheap_edge_next_locked(heap, &cursor))) {
			seq_puts(m, "\t\"");
			kheap_seq_dot_name(m, heap->name);
			seq_puts(m, "\" -> \"");
			kheap_seq_dot_name(m, to->name);
			seq_puts(m, "\";\n");
		}
	}
	mutex_unlock(&kheap_lock);
	seq_puts(m, "}\n");
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(kheap_hierarchy_dot);

/*
 * A block list (live, report) as a seq_file over a snapshot of the blocks
 * with ids in [@from, @to], taken when a read starts at the beginning. The
 * window is the open file's own (report's writes set it, under the
 * seq_file's lock): struct kheap keeps no state of any reader's.
 *
 * Two tables: the blocks (positions 1..n), then their stacks' frames
 * (position n + 1 its header line, n + 2.. a block's frames each), so a
 * reader of the first table alone (the kheap tool before stacks) reads on.
 * @pos is the position of the record show() prints.
 */
struct kheap_list_seq {
	struct kheap *heap;
	struct kheap_snap *snap;
	const char *what;
	u64 from;
	u64 to;
	loff_t pos;
};

/* The token of the frames table's header line. */
#define KHEAP_STACKS_TOKEN ((void *)2)

static void *kheap_list_start(struct seq_file *m, loff_t *pos)
{
	struct kheap_list_seq *ls = m->private;
	size_t n;

	ls->pos = *pos;
	if (*pos == 0) {
		kvfree(ls->snap);
		ls->snap = kheap_snapshot(ls->heap, ls->from, ls->to);
		return ls->snap ? SEQ_START_TOKEN : ERR_PTR(-ENOMEM);
	}
	if (!ls->snap)
		return NULL;
	n = ls->snap->n;
	if (*pos <= n)
		return &ls->snap->v[*pos - 1];
	if (*pos == n + 1)
		return KHEAP_STACKS_TOKEN;
	return *pos <= 2 * n + 1 ? &ls->snap->v[*pos - n - 2] : NULL;
}

static void *kheap_list_next(struct seq_file *m, void *v, loff_t *pos)
{
	++*pos;
	return kheap_list_start(m, pos);
}

static void kheap_list_stop(struct seq_file *m, void *v)
{
}

static int kheap_list_show(struct seq_file *m, void *v)
{
	struct kheap_list_seq *ls = m->private;
	const struct kheap_alloc_info *info = v;

	unsigned long *entries;
	unsigned int i, n;

	if (v == SEQ_START_TOKEN) {
		seq_printf(m, "# kheap %s v2 heap=", ls->what);
		kheap_seq_name(m, ls->heap->name);
		seq_printf(m, " from=%llu to=%llu count=%zu\n", ls->from,
			   ls->to, ls->snap->n);
		seq_puts(m, "# id size age_ms caller module frames\n");
		return 0;
	}
	if (v == KHEAP_STACKS_TOKEN) {
		seq_puts(m, "# id frame caller module\n");
		return 0;
	}
	n = kheap_stack_fetch(info->stack, &entries);
	if (ls->pos > ls->snap->n) {
		/* The frames table: a row per frame, innermost first. */
		for (i = 0; i < n; i++) {
			seq_printf(m, "%llu %u ", info->id, i);
			kheap_seq_caller(m, entries[i]);
			seq_putc(m, '\n');
		}
		return 0;
	}
	seq_printf(m, "%llu %zu %llu ", info->id, info->size,
		   div_u64(kheap_now_ns() - info->time_ns, NSEC_PER_MSEC));
	kheap_seq_caller(m, info->caller);
	seq_printf(m, " %u\n", n);
	return 0;
}

static const struct seq_operations kheap_list_sops = {
	.start = kheap_list_start,
	.next = kheap_list_next,
	.stop = kheap_list_stop,
	.show = kheap_list_show,
};

static int kheap_list_open(struct inode *inode, struct file *file,
			   const char *what)
{
	struct kheap_list_seq *ls;

	ls = __seq_open_private(file, &kheap_list_sops, sizeof(*ls));
	if (!ls)
		return -ENOMEM;
	ls->heap = inode->i_private;
	ls->what = what;
	ls->to = U64_MAX; /* no window written: every block */
	return 0;
}

static int kheap_list_release(struct inode *inode, struct file *file)
{
	struct kheap_list_seq *ls =
		((struct seq_file *)file->private_data)->private;

	kvfree(ls->snap);
	return seq_release_private(inode, file);
}

static int kheap_live_open(struct inode *inode, struct file *file)
{
	return kheap_list_open(inode, file, "live");
}

static const struct file_operations kheap_live_fops = {
	.owner = THIS_MODULE,
	.open = kheap_live_open,
	.read = seq_read,
	.llseek = seq_lseek,
	.release = kheap_list_release,
};

static int kheap_report_open(struct inode *inode, struct file *file)
{
	return kheap_list_open(inode, file, "report");
}

/* Parse a decimal u64 at *@p (digits only): false if none or too large. */
static bool kheap_parse_u64(const char **p, const char *end, u64 *val)
{
	const char *s = *p;
	u64 v = 0;

	if (s == end || *s < '0' || *s > '9')
		return false;
	for (; s < end && *s >= '0' && *s <= '9'; s++) {
		if (check_mul_overflow(v, 10ULL, &v) ||
		    check_add_overflow(v, (u64)(*s - '0'), &v))
			return false;
	}
	*p = s;
	*val = v;
	return true;
}

static const char *kheap_skip_space(const char *s, const char *end)
{
	while (s < end && kheap_ascii_space(*s))
		s++;
	return s;
}

/*
 * "FROM TO": two decimal ids, from <= to, white space between them and
 * around them, nothing else (no sign, no NUL). 0 or -EINVAL.
 */
static int kheap_parse_window(const char *buf, size_t len, u64 *from, u64 *to)
{
	const char *s = buf, *end = buf + len, *gap;

	s = kheap_skip_space(s, end);
	if (!kheap_parse_u64(&s, end, from))
		return -EINVAL;
	gap = s;
	s = kheap_skip_space(s, end);
	if (s == gap || !kheap_parse_u64(&s, end, to))
		return -EINVAL;
	if (kheap_skip_space(s, end) != end || *from > *to)
		return -EINVAL;
	return 0;
}

/* Longest write report takes, its newline in: "FROM TO\n" with room. */
#define KHEAP_WINDOW_MAX 64

/*
 * report is made with debugfs_create_file_unsafe(), so that kernel_read()
 * and kernel_write() reach ->read_iter and ->write_iter (the KUnit fuzzer
 * writes it); each holds the file against removal as debugfs's proxy would,
 * and answers -EIO once the heap is gone.
 */
static ssize_t kheap_report_write_iter(struct kiocb *iocb,
				       struct iov_iter *from)
{
	struct dentry *dentry = iocb->ki_filp->f_path.dentry;
	struct seq_file *m = iocb->ki_filp->private_data;
	struct kheap_list_seq *ls = m->private;
	size_t len = iov_iter_count(from);
	char buf[KHEAP_WINDOW_MAX];
	u64 lo, hi;
	int ret;

	if (len >= sizeof(buf))
		return -E2BIG;
	if (!copy_from_iter_full(buf, len, from))
		return -EFAULT;
	ret = kheap_parse_window(buf, len, &lo, &hi);
	if (ret)
		return ret;
	ret = debugfs_file_get(dentry);
	if (ret)
		return ret;
	mutex_lock(&m->lock);
	ls->from = lo;
	ls->to = hi;
	mutex_unlock(&m->lock);
	debugfs_file_put(dentry);
	iocb->ki_pos = 0; /* the next read lists the new window */
	return len;
}

static ssize_t kheap_report_read_iter(struct kiocb *iocb, struct iov_iter *to)
{
	struct dentry *dentry = iocb->ki_filp->f_path.dentry;
	ssize_t ret;

	ret = debugfs_file_get(dentry);
	if (ret)
		return ret;
	ret = seq_read_iter(iocb, to);
	debugfs_file_put(dentry);
	return ret;
}

static const struct file_operations kheap_report_fops = {
	.owner = THIS_MODULE,
	.open = kheap_report_open,
	.read_iter = kheap_report_read_iter,
	.write_iter = kheap_report_write_iter,
	.llseek = noop_llseek,
	.release = kheap_list_release,
};

/*
 * heap/<name>/stacks: reads "# kheap stacks v2" and a row, the heap's name
 * and its flag; a write of "1" or "0" (white space around it) turns
 * kheap_set_stacks() on or off. Made with debugfs_create_file_unsafe(), as
 * report: each operation holds the file against removal itself.
 */
static int kheap_stacks_show(struct seq_file *m, void *v)
{
	struct kheap *heap = m->private;

	seq_puts(m, "# kheap stacks v2\n# name stacks\n");
	kheap_seq_name(m, heap->name);
	seq_printf(m, " %d\n", kheap_stacks(heap));
	return 0;
}

static int kheap_stacks_open(struct inode *inode, struct file *file)
{
	return single_open(file, kheap_stacks_show, inode->i_private);
}

/* "0" or "1", white space around it, nothing else: 0, 1 or -EINVAL. */
static int kheap_parse_flag(const char *buf, size_t len)
{
	const char *s = kheap_skip_space(buf, buf + len), *end = buf + len;
	int on;

	if (s == end || (*s != '0' && *s != '1'))
		return -EINVAL;
	on = *s++ == '1';
	return kheap_skip_space(s, end) == end ? on : -EINVAL;
}

/* Longest write stacks takes: "1\n" with room for white space. */
#define KHEAP_FLAG_MAX 16

static ssize_t kheap_stacks_write_iter(struct kiocb *iocb,
				       struct iov_iter *from)
{
	struct dentry *dentry = iocb->ki_filp->f_path.dentry;
	struct seq_file *m = iocb->ki_filp->private_data;
	size_t len = iov_iter_count(from);
	char buf[KHEAP_FLAG_MAX];
	int on, ret;

	if (len >= sizeof(buf))
		return -E2BIG;
	if (!copy_from_iter_full(buf, len, from))
		return -EFAULT;
	on = kheap_parse_flag(buf, len);
	if (on < 0)
		return on;
	ret = debugfs_file_get(dentry);
	if (ret)
		return ret;
	ret = kheap_set_stacks(m->private, on);
	debugfs_file_put(dentry);
	if (ret)
		return ret;
	iocb->ki_pos = 0;
	return len;
}

static const struct file_operations kheap_stacks_fops = {
	.owner = THIS_MODULE,
	.open = kheap_stacks_open,
	.read_iter = kheap_report_read_iter,
	.write_iter = kheap_stacks_write_iter,
	.llseek = noop_llseek,
	.release = single_release,
};

/* Per call site totals: a sorted array built at open. */
struct kheap_site {
	unsigned long caller;
	size_t bytes;
	size_t count;
};

static int kheap_site_cmp_caller(const void *a, const void *b)
{
	const struct kheap_site *x = a, *y = b;

	return x->caller < y->caller ? -1 : x->caller > y->caller;
}

static int kheap_site_cmp_bytes(const void *a, const void *b)
{
	const struct kheap_site *x = a, *y = b;

	return x->bytes > y->bytes ? -1 : x->bytes < y->bytes;
}

/* Append the blocks of @heap to @sites; false when out of room or memory. */
static bool kheap_sites_add(struct kheap *heap, struct kheap_site *sites,
			    size_t *n, size_t cap)
{
	struct kheap_snap *snap = kheap_snapshot(heap, 0, U64_MAX);
	size_t i;

	if (!snap)
		return false;
	for (i = 0; i < snap->n && *n < cap; i++) {
		sites[*n].caller = snap->v[i].caller;
		sites[*n].bytes = snap->v[i].size;
		sites[*n].count = 1;
		(*n)++;
	}
	kvfree(snap);
	return true;
}

/* Merge neighbours with the same caller (the array is sorted by caller). */
static size_t kheap_sites_merge(struct kheap_site *sites, size_t n)
{
	size_t i, out = 0;

	for (i = 0; i < n; i++) {
		if (out && sites[out - 1].caller == sites[i].caller) {
			sites[out - 1].bytes += sites[i].bytes;
			sites[out - 1].count += sites[i].count;
		} else {
			sites[out++] = sites[i];
		}
	}
	return out;
}

/* The call sites of every heap, merged and sorted by bytes, at open. */
struct kheap_sites {
	size_t n;
	struct kheap_site *v;
};

static int kheap_sites_build(struct kheap_sites *cs)
{
	struct kheap *heap;
	size_t n = 0, cap = 16;

	mutex_lock(&kheap_lock);
	list_for_each_entry(heap, &kheap_heaps, node)
		cap += kheap_count(heap);
	cs->v = kvmalloc_array(cap, sizeof(*cs->v), GFP_KERNEL);
	if (!cs->v) {
		mutex_unlock(&kheap_lock);
		return -ENOMEM;
	}
	list_for_each_entry(heap, &kheap_heaps, node) {
		if (!kheap_sites_add(heap, cs->v, &n, cap))
			break;
	}
	mutex_unlock(&kheap_lock);

	sort(cs->v, n, sizeof(*cs->v), kheap_site_cmp_caller, NULL);
	n = kheap_sites_merge(cs->v, n);
	sort(cs->v, n, sizeof(*cs->v), kheap_site_cmp_bytes, NULL);
	cs->n = n;
	return 0;
}

static void *kheap_sites_start(struct seq_file *m, loff_t *pos)
{
	struct kheap_sites *cs = m->private;

	if (*pos == 0)
		return SEQ_START_TOKEN;
	return *pos <= cs->n ? &cs->v[*pos - 1] : NULL;
}

static void *kheap_sites_next(struct seq_file *m, void *v, loff_t *pos)
{
	++*pos;
	return kheap_sites_start(m, pos);
}

static void kheap_sites_stop(struct seq_file *m, void *v)
{
}

static int kheap_sites_show(struct seq_file *m, void *v)
{
	const struct kheap_site *site = v;

	if (v == SEQ_START_TOKEN) {
		seq_puts(m, "# kheap callsites v2\n");
		seq_puts(m, "# caller module bytes count\n");
		return 0;
	}
	kheap_seq_caller(m, site->caller);
	seq_printf(m, " %zu %zu\n", site->bytes, site->count);
	return 0;
}

static const struct seq_operations kheap_sites_sops = {
	.start = kheap_sites_start,
	.next = kheap_sites_next,
	.stop = kheap_sites_stop,
	.show = kheap_sites_show,
};

static int kheap_callsites_open(struct inode *inode, struct file *file)
{
	struct kheap_sites *cs;
	int ret;

	cs = __seq_open_private(file, &kheap_sites_sops, sizeof(*cs));
	if (!cs)
		return -ENOMEM;
	ret = kheap_sites_build(cs);
	if (ret)
		seq_release_private(inode, file);
	return ret;
}

static int kheap_callsites_release(struct inode *inode, struct file *file)
{
	struct seq_file *m = file->private_data;
	struct kheap_sites *cs = m->private;

	kvfree(cs->v);
	return seq_release_private(inode, file);
}

static const struct file_operations kheap_callsites_fops = {
	.owner = THIS_MODULE,
	.open = kheap_callsites_open,
	.read = seq_read,
	.llseek = seq_lseek,
	.release = kheap_callsites_release,
};

void kheap_debugfs_heap_add(struct kheap *heap)
{
	heap->dir = debugfs_create_dir(heap->name, kheap_heap_dir);
	debugfs_create_file("live", 0400, heap->dir, heap, &kheap_live_fops);
	debugfs_create_file_unsafe("report", 0600, heap->dir, heap,
				   &kheap_report_fops);
	debugfs_create_file_unsafe("stacks", 0600, heap->dir, heap,
				   &kheap_stacks_fops);
}

void kheap_debugfs_heap_remove(struct kheap *heap)
{
	/* Waits for the file operations under way on it to finish. */
	debugfs_remove_recursive(heap->dir);
	heap->dir = NULL;
}

static int kheap_cache_file_show(struct seq_file *m, void *v)
{
	kheap_cache_show(m);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(kheap_cache_file);

static int kheap_pools_file_show(struct seq_file *m, void *v)
{
	seq_puts(m, "# kheap pools v2\n");
	kheap_pools_show(m);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(kheap_pools_file);

/* Every file but the heaps' own; debugfs asks for no error checks. */
void kheap_debugfs_init(void)
{
	struct dentry *root = debugfs_create_dir("kheap", NULL);

	kheap_debugfs_root = root;
	kheap_heap_dir = debugfs_create_dir("heap", root);
	debugfs_create_file("heaps", 0400, root, NULL, &kheap_heaps_fops);
	debugfs_create_file("hierarchy", 0400, root, NULL,
			    &kheap_hierarchy_fops);
	debugfs_create_file("hierarchy.dot", 0400, root, NULL,
			    &kheap_hierarchy_dot_fops);
	debugfs_create_file("callsites", 0400, root, NULL,
			    &kheap_callsites_fops);
	debugfs_create_file("cache", 0400, root, NULL, &kheap_cache_file_fops);
	debugfs_create_file("pools", 0400, root, NULL, &kheap_pools_file_fops);
#ifdef CONFIG_FAULT_INJECTION
	fault_create_debugfs_attr("fail_alloc", root, &kheap_fail_alloc);
#endif
}

void kheap_debugfs_exit(void)
{
	debugfs_remove_recursive(kheap_debugfs_root);
	kheap_debugfs_root = NULL;
	kheap_heap_dir = NULL;
}
