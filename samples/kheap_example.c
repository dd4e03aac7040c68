// SPDX-License-Identifier: GPL-2.0
/*
 * kheap_example: a client module of kheap.ko.
 *
 * Three struct types are bound to heaps with the sentry macros; the heaps are
 * linked into a small hierarchy (example -> example.rx, example.conn; rx and
 * conn connected both ways). A workload allocates and frees objects: at load
 * (module parameter "workload", a number of rounds) and on demand (write a
 * number of rounds to /sys/kernel/debug/kheap_example/run). Between two
 * bookmarks it keeps a few packets on purpose, so that a report of that
 * window shows "leaks"; it frees them when it unloads.
 *
 * Built twice: kheap_example.ko (tracked; depends on kheap.ko, which then
 * cannot be unloaded while this is loaded) and kheap_example_notrack.ko
 * (KHEAP_NO_TRACKING: plain kmalloc, no dependency on kheap.ko).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/debugfs.h>
#include <linux/err.h>
#include <linux/module.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include <kheap/kheap.h>

struct ex_packet {
	u32 len;
	u8 data[120];
};

struct ex_conn {
	u64 packets;
	struct ex_packet *pending;
} ____cacheline_aligned;

struct ex_page {
	u8 bytes[512];
} __aligned(512);

KHEAP_SENTRY_DEFINE(ex_packet);
KHEAP_SENTRY_DEFINE(ex_conn);
KHEAP_SENTRY_DEFINE(ex_page);

static unsigned int workload = 1000;
module_param(workload, uint, 0444);
MODULE_PARM_DESC(workload, "rounds of the workload to run at load");

#define EX_KEPT 3

static struct kheap *ex_root, *ex_rx, *ex_conn_heap;
static struct ex_packet *ex_kept[EX_KEPT];
static struct ex_conn *ex_conns[4];
static struct dentry *ex_dir;
static u64 ex_bookmark[2];

/* Only what kheap_report() lists; alloc and free events are not printed. */
static void ex_report(void *priv, const struct kheap_alloc_info *info)
{
	pr_info("%s: live block id %llu, %zu bytes, from %pS\n",
		(const char *)priv, info->id, info->size, (void *)info->caller);
}

static const struct kheap_reporter_ops ex_reporter_ops = {
	.report = ex_report,
};

static const struct kheap_reporter ex_reporter = {
	.ops = &ex_reporter_ops,
	.priv = "example.rx",
};

/* One round: a burst of packets through each connection, then free them. */
static void ex_round(unsigned int round)
{
	/* ex_run() counts these: 8 packets and a page a round. */
	struct ex_packet *burst[8];
	struct ex_page *page;
	int i;

	for (i = 0; i < ARRAY_SIZE(burst); i++) {
		burst[i] = kheap_new(ex_packet, GFP_KERNEL);
		if (burst[i])
			burst[i]->len = round + i;
	}
	page = kheap_new(ex_page, GFP_KERNEL);
	for (i = 0; i < ARRAY_SIZE(ex_conns); i++)
		ex_conns[i]->packets += ARRAY_SIZE(burst);
	kheap_delete(page);
	for (i = 0; i < ARRAY_SIZE(burst); i++)
		kheap_delete(burst[i]);
}

static void ex_run(unsigned int rounds)
{
	unsigned int r;

	for (r = 0; r < rounds; r++) {
		ex_round(r);
		cond_resched();
	}
	/* What the rounds allocated, for the tracing checks of the tests. */
	pr_info("ran %u rounds: allocated %zu blocks, %zu bytes; heap example.rx now %zu bytes in %zu blocks, peak %zu\n",
		rounds, (size_t)rounds * 9,
		rounds *
			(8 * sizeof(struct ex_packet) + sizeof(struct ex_page)),
		kheap_bytes(ex_rx), kheap_count(ex_rx),
		kheap_peak_bytes(ex_rx));
}

static ssize_t ex_run_write(struct file *file, const char __user *ubuf,
			    size_t len, loff_t *ppos)
{
	unsigned int rounds;
	int ret;

	/* Input that does not parse gets -EINVAL, as kheap's own files do. */
	if (len > 32)
		return -E2BIG;
	ret = kstrtouint_from_user(ubuf, len, 10, &rounds);
	if (ret == -EFAULT)
		return ret;
	if (ret || rounds > 1000000)
		return -EINVAL;
	ex_run(rounds);
	return len;
}

static const struct file_operations ex_run_fops = {
	.owner = THIS_MODULE,
	.write = ex_run_write,
};

/*
 * The three heaps and their links. On failure what was made is undone
 * (destroying a heap removes its edges too) and the error returned.
 */
static int ex_heaps_create(void)
{
	int ret;

	ex_root = kheap_create("example");
	if (IS_ERR(ex_root))
		return PTR_ERR(ex_root);
	ex_rx = kheap_create("example.rx");
	if (IS_ERR(ex_rx)) {
		ret = PTR_ERR(ex_rx);
		goto err_root;
	}
	ex_conn_heap = kheap_create("example.conn");
	if (IS_ERR(ex_conn_heap)) {
		ret = PTR_ERR(ex_conn_heap);
		goto err_rx;
	}
	ret = kheap_link(ex_root, ex_rx);
	if (ret)
		goto err_conn;
	ret = kheap_link(ex_root, ex_conn_heap);
	if (ret)
		goto err_conn;
	ret = kheap_connect(ex_rx, ex_conn_heap);
	if (ret)
		goto err_conn;
	return 0;

err_conn:
	kheap_destroy(ex_conn_heap);
err_rx:
	kheap_destroy(ex_rx);
err_root:
	kheap_destroy(ex_root);
	return ret;
}

static void ex_heaps_destroy(void)
{
	kheap_destroy(ex_conn_heap);
	kheap_destroy(ex_rx);
	kheap_destroy(ex_root);
}

/* The types to their heaps, and the reporter to example.rx. */
static void ex_heaps_bind(void)
{
	kheap_sentry_set_heap(ex_packet, ex_rx);
	kheap_sentry_set_heap(ex_conn, ex_conn_heap);
	kheap_sentry_set_heap(ex_page, ex_root);
	kheap_set_reporter(ex_rx, &ex_reporter);
}

/* Back to the default heap, and no reporter, before the heaps go. */
static void ex_heaps_unbind(void)
{
	kheap_set_reporter(ex_rx, NULL);
	kheap_sentry_set_heap(ex_page, NULL);
	kheap_sentry_set_heap(ex_conn, NULL);
	kheap_sentry_set_heap(ex_packet, NULL);
}

/*
 * Keep a few packets between two bookmarks and report that window. Not
 * __init: a call site in init text cannot be named once that text is freed.
 */
static noinline void ex_leak_window(void)
{
	int i, n;

	ex_bookmark[0] = kheap_bookmark(ex_rx);
	for (i = 0; i < EX_KEPT; i++)
		ex_kept[i] = kheap_new(ex_packet, GFP_KERNEL);
	ex_run(10);
	ex_bookmark[1] = kheap_bookmark(ex_rx);
	n = kheap_report(ex_rx, ex_bookmark[0], ex_bookmark[1] - 1);
	pr_info("blocks allocated between bookmarks %llu and %llu and still live: %d\n",
		ex_bookmark[0], ex_bookmark[1], n);
}

/* The window, in the form heap/<name>/report takes: "FROM TO". */
static int ex_window_show(struct seq_file *m, void *v)
{
	seq_printf(m, "%llu %llu\n", ex_bookmark[0], ex_bookmark[1] - 1);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(ex_window);

static void ex_conns_delete(void)
{
	int i;

	for (i = 0; i < ARRAY_SIZE(ex_conns); i++) {
		kheap_delete(ex_conns[i]);
		ex_conns[i] = NULL;
	}
}

/* Every connection, or none (-ENOMEM). */
static noinline int ex_conns_create(void)
{
	int i;

	for (i = 0; i < ARRAY_SIZE(ex_conns); i++) {
		ex_conns[i] = kheap_new(ex_conn, GFP_KERNEL);
		if (!ex_conns[i]) {
			ex_conns_delete();
			return -ENOMEM;
		}
	}
	return 0;
}

/*
 * Each step that init takes, exit undoes in the reverse order; a step that
 * fails undoes its own part, and init unwinds the steps taken before it.
 */
static int __init kheap_example_init(void)
{
	int ret;

	ret = ex_heaps_create();
	if (ret)
		return ret;
	ex_heaps_bind();
	ret = ex_conns_create();
	if (ret)
		goto err_bind;
	ex_run(workload);
	ex_leak_window();

	/* debugfs asks its callers not to check for errors. */
	ex_dir = debugfs_create_dir("kheap_example", NULL);
	debugfs_create_file("run", 0200, ex_dir, NULL, &ex_run_fops);
	debugfs_create_file("window", 0400, ex_dir, NULL, &ex_window_fops);
	pr_info("using heap '%s' and its hierarchy: %zu bytes in %zu blocks\n",
		kheap_name(ex_root), kheap_hier_bytes(ex_root),
		kheap_hier_count(ex_root));
	return 0;

err_bind:
	ex_heaps_unbind();
	ex_heaps_destroy();
	return ret;
}
module_init(kheap_example_init);

static void __exit kheap_example_exit(void)
{
	int i;

	debugfs_remove_recursive(ex_dir);
	for (i = 0; i < EX_KEPT; i++)
		kheap_delete(ex_kept[i]);
	ex_conns_delete();
	ex_heaps_unbind();
	ex_heaps_destroy();
}
module_exit(kheap_example_exit);

MODULE_DESCRIPTION("An example client of kheap");
MODULE_LICENSE("GPL");
KHEAP_IMPORT_NS();
