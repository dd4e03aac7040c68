// SPDX-License-Identifier: GPL-2.0
/*
 * kheap debugfs: /sys/kernel/debug/kheap/
 *
 *   heaps            one line per heap: bytes, count, peak, hierarchy totals
 *   heap/<name>/live    its live blocks
 *   heap/<name>/report  write "FROM TO", read the live blocks in that id window
 *   hierarchy        the graph as indented text
 *   hierarchy.dot    the graph for Graphviz
 *   callsites        live bytes and blocks per allocating call site
 *   cache            the per-CPU cache of freed blocks, per class
 *
 * The first line of each file names its format and version. Lists of blocks
 * are snapshots taken at open, walked by seq_file, so a long list never
 * needs one large output buffer. Pointers are never printed raw.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/debugfs.h>
#include <linux/kallsyms.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/sort.h>
#include <linux/string.h>
#include <linux/uaccess.h>

#include "kheap_internal.h"

static struct dentry *kheap_heap_dir;

static int kheap_heaps_show(struct seq_file *m, void *v)
{
	struct kheap *heap;
	size_t hb, hc;

	seq_puts(m, "# kheap heaps v1\n");
	seq_puts(m, "# name bytes count peak hier_bytes hier_count overruns\n");
	mutex_lock(&kheap_lock);
	list_for_each_entry(heap, &kheap_heaps, node) {
		kheap_hier_sum(heap, &hb, &hc);
		seq_printf(m, "%s %zu %zu %zu %zu %zu %lu\n", heap->name,
			   kheap_bytes(heap), kheap_count(heap),
			   kheap_peak_bytes(heap), hb, hc,
			   kheap_overruns(heap));
	}
	mutex_unlock(&kheap_lock);
	seq_printf(m, "# invalid_frees %lu\n", kheap_invalid_frees());
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(kheap_heaps);

static int kheap_hierarchy_show(struct seq_file *m, void *v)
{
	struct kheap_edge *edge;
	struct kheap *heap;
	size_t hb, hc;

	seq_puts(m, "# kheap hierarchy v1\n");
	mutex_lock(&kheap_lock);
	list_for_each_entry(heap, &kheap_heaps, node) {
		kheap_hier_sum(heap, &hb, &hc);
		seq_printf(m, "%s bytes=%zu count=%zu", heap->name,
			   kheap_bytes(heap), kheap_count(heap));
		seq_printf(m, " hier_bytes=%zu hier_count=%zu\n", hb, hc);
		list_for_each_entry(edge, &heap->edges, node)
			seq_printf(m, "    -> %s\n", edge->to->name);
	}
	mutex_unlock(&kheap_lock);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(kheap_hierarchy);

static int kheap_hierarchy_dot_show(struct seq_file *m, void *v)
{
	struct kheap_edge *edge;
	struct kheap *heap;
	size_t hb, hc;

	seq_puts(m, "// kheap hierarchy.dot v1\n");
	seq_puts(m, "digraph kheap {\n");
	seq_puts(m, "\tnode [shape=box, fontname=\"monospace\"];\n");
	mutex_lock(&kheap_lock);
	list_for_each_entry(heap, &kheap_heaps, node) {
		kheap_hier_sum(heap, &hb, &hc);
		seq_printf(m, "\t\"%s\" [label=\"%s\\n%zu bytes in %zu blocks",
			   heap->name, heap->name, kheap_bytes(heap),
			   kheap_count(heap));
		seq_printf(m, "\\nreachable: %zu bytes in %zu\"];\n", hb, hc);
	}
	list_for_each_entry(heap, &kheap_heaps, node) {
		list_for_each_entry(edge, &heap->edges, node)
			seq_printf(m, "\t\"%s\" -> \"%s\";\n", heap->name,
				   edge->to->name);
	}
	mutex_unlock(&kheap_lock);
	seq_puts(m, "}\n");
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(kheap_hierarchy_dot);

/* A block list (live, report) as a seq_file over a snapshot. */
struct kheap_list_seq {
	struct kheap_snap *snap;
	char title[128];
};

static void *kheap_list_start(struct seq_file *m, loff_t *pos)
{
	struct kheap_list_seq *ls = m->private;

	if (*pos == 0)
		return SEQ_START_TOKEN;
	return *pos <= ls->snap->n ? &ls->snap->v[*pos - 1] : NULL;
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

	if (v == SEQ_START_TOKEN)
		seq_printf(m, "%s count=%zu\n", ls->title, ls->snap->n);
	else
		kheap_format_info(m, "", v);
	return 0;
}

static const struct seq_operations kheap_list_sops = {
	.start = kheap_list_start,
	.next = kheap_list_next,
	.stop = kheap_list_stop,
	.show = kheap_list_show,
};

static int kheap_list_open(struct inode *inode, struct file *file, u64 from,
			   u64 to, const char *what)
{
	struct kheap *heap = inode->i_private;
	struct kheap_list_seq *ls;

	ls = __seq_open_private(file, &kheap_list_sops, sizeof(*ls));
	if (!ls)
		return -ENOMEM;
	ls->snap = kheap_snapshot(heap, from, to);
	if (!ls->snap) {
		seq_release_private(inode, file);
		return -ENOMEM;
	}
	snprintf(ls->title, sizeof(ls->title),
		 "# kheap %s v1 heap=%s from=%llu to=%llu", what, heap->name,
		 from, to);
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
	return kheap_list_open(inode, file, 0, U64_MAX, "live");
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
	struct kheap *heap = inode->i_private;
	u64 from, to;

	if (!(file->f_mode & FMODE_READ))
		return 0;
	mutex_lock(&kheap_lock);
	from = heap->report_from;
	to = heap->report_to;
	mutex_unlock(&kheap_lock);
	return kheap_list_open(inode, file, from, to, "report");
}

static int kheap_report_release(struct inode *inode, struct file *file)
{
	if (!(file->f_mode & FMODE_READ))
		return 0;
	return kheap_list_release(inode, file);
}

/* Parse "FROM TO" (decimal, from <= to): 0 or -EINVAL. */
static int kheap_parse_window(char *buf, u64 *from, u64 *to)
{
	char *a, *b, *rest = strim(buf);

	a = strsep(&rest, " \t");
	if (!rest)
		return -EINVAL;
	b = skip_spaces(rest);
	if (kstrtou64(a, 10, from) || kstrtou64(b, 10, to) || *from > *to)
		return -EINVAL;
	return 0;
}

static ssize_t kheap_report_write(struct file *file, const char __user *ubuf,
				  size_t len, loff_t *ppos)
{
	struct kheap *heap = file_inode(file)->i_private;
	char buf[64];
	u64 from, to;

	if (len >= sizeof(buf))
		return -E2BIG;
	if (copy_from_user(buf, ubuf, len))
		return -EFAULT;
	buf[len] = '\0';
	if (kheap_parse_window(buf, &from, &to))
		return -EINVAL;
	mutex_lock(&kheap_lock);
	heap->report_from = from;
	heap->report_to = to;
	mutex_unlock(&kheap_lock);
	return len;
}

static ssize_t kheap_report_read(struct file *file, char __user *ubuf,
				 size_t len, loff_t *ppos)
{
	if (!(file->f_mode & FMODE_READ))
		return -EINVAL;
	return seq_read(file, ubuf, len, ppos);
}

static const struct file_operations kheap_report_fops = {
	.owner = THIS_MODULE,
	.open = kheap_report_open,
	.read = kheap_report_read,
	.write = kheap_report_write,
	.llseek = noop_llseek,
	.release = kheap_report_release,
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
	char sym[KSYM_SYMBOL_LEN];

	if (v == SEQ_START_TOKEN) {
		seq_puts(m, "# kheap callsites v1\n# bytes count caller\n");
		return 0;
	}
	kheap_sym(sym, site->caller);
	seq_printf(m, "%zu %zu %s\n", site->bytes, site->count, sym);
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
	debugfs_create_file("report", 0600, heap->dir, heap,
			    &kheap_report_fops);
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

void kheap_debugfs_init(void)
{
	struct dentry *root = kheap_debugfs_root;

	kheap_heap_dir = debugfs_create_dir("heap", root);
	debugfs_create_file("heaps", 0400, root, NULL, &kheap_heaps_fops);
	debugfs_create_file("hierarchy", 0400, root, NULL,
			    &kheap_hierarchy_fops);
	debugfs_create_file("hierarchy.dot", 0400, root, NULL,
			    &kheap_hierarchy_dot_fops);
	debugfs_create_file("callsites", 0400, root, NULL,
			    &kheap_callsites_fops);
	debugfs_create_file("cache", 0400, root, NULL, &kheap_cache_file_fops);
}
