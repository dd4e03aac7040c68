// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit: what kheap's debugfs files say (grammar v2), not only that they
 * read: the version line, the header lines, the escaped names, and totals
 * equal to the blocks, links and pools the test made. And a seeded fuzzer
 * of the one file kheap lets you write, heap/<name>/report.
 *
 * The fuzzer's module parameters: fuzz_seed (0: draw one; the seed is
 * printed, kheap_debugfs_test.fuzz_seed=N replays it) and fuzz_writes
 * (writes per writable file; make check runs the default, 300).
 */
#include <kunit/test.h>
#include <linux/fs.h>
#include <linux/kallsyms.h>
#include <linux/module.h>
#include <linux/prandom.h>
#include <linux/random.h>
#include <linux/sizes.h>
#include <linux/slab.h>
#include <linux/sort.h>
#include <linux/string.h>

#include "kheap_kfile.h"
#include "kheap_test_util.h"

static ulong fuzz_seed;
module_param(fuzz_seed, ulong, 0444);
MODULE_PARM_DESC(fuzz_seed, "seed of the debugfs write fuzzer (0: random)");

static uint fuzz_writes = 300;
module_param(fuzz_writes, uint, 0444);
MODULE_PARM_DESC(fuzz_writes, "generated writes per writable debugfs file");

#define KD_DIR "/sys/kernel/debug/kheap/"
#define KD_BUF SZ_256K
/* A name that needs escaping: a backslash, '=' and a Latin-1 byte. */
#define DT_NAME "kt.dbg\\=\xe9"
#define DT_NAME_ESC "kt.dbg\\x5c\\x3d\\xe9"
#define DT_CHILD "kt.dbg.child"

/* The allocations of this suite come from here: one call site to find. */
static noinline void *dt_alloc(struct kheap *heap, size_t size)
{
	return kheap_alloc(heap, size, GFP_KERNEL);
}

static void dt_free(void *p)
{
	kheap_free(p);
}

static void *dt_keep(struct kunit *test, struct kheap *heap, size_t size)
{
	void *p = dt_alloc(heap, size);

	KUNIT_ASSERT_NOT_NULL(test, p);
	KUNIT_ASSERT_EQ(test, 0, kunit_add_action_or_reset(test, dt_free, p));
	return p;
}

static struct kheap *dt_named_heap(struct kunit *test, const char *name)
{
	struct kheap *heap = kheap_create(name);

	KUNIT_ASSERT_FALSE_MSG(test, IS_ERR(heap), "%s: %ld", name,
			       PTR_ERR(heap));
	KUNIT_ASSERT_EQ(test, 0,
			kunit_add_action_or_reset(test, kt_heap_destroy, heap));
	return heap;
}

static struct file *dt_open(struct kunit *test, const char *path, int flags)
{
	struct file *f = filp_open(path, flags, 0);

	if (IS_ERR(f)) {
		struct file *root =
			filp_open(KD_DIR, O_RDONLY | O_DIRECTORY, 0);

		if (IS_ERR(root))
			kunit_skip(test, "debugfs is not at /sys/kernel/debug");
		filp_close(root, NULL);
		KUNIT_FAIL(test, "open %s: %ld", path, PTR_ERR(f));
		return NULL;
	}
	return f;
}

/* The whole of a debugfs seq_file, NUL-terminated (test-managed memory). */
static char *dt_read(struct kunit *test, const char *path)
{
	char *buf = kunit_kzalloc(test, KD_BUF, GFP_KERNEL);
	struct file *f;
	ssize_t n;

	KUNIT_ASSERT_NOT_NULL(test, buf);
	f = dt_open(test, path, O_RDONLY);
	KUNIT_ASSERT_NOT_NULL(test, f);
	n = kheap_debugfs_read_seq(f, buf, KD_BUF - 1, false);
	filp_close(f, NULL);
	KUNIT_ASSERT_GE_MSG(test, n, 0, "read %s", path);
	KUNIT_ASSERT_LT_MSG(test, n, KD_BUF - 1, "%s: longer than the buffer",
			    path);
	buf[n] = '\0';
	return buf;
}

/* Line @i (0: the first) of @text, copied, without its newline; or NULL. */
static char *dt_line(struct kunit *test, const char *text, int i)
{
	const char *end;
	char *line;

	while (i-- > 0 && text) {
		text = strchr(text, '\n');
		if (text)
			text++;
	}
	if (!text || !*text)
		return NULL;
	end = strchrnul(text, '\n');
	line = kunit_kmalloc(test, end - text + 1, GFP_KERNEL);
	if (line) {
		memcpy(line, text, end - text);
		line[end - text] = '\0';
	}
	return line;
}

/* The first row (a line not starting with '#') whose first field is @name. */
static char *dt_row(struct kunit *test, const char *text, const char *name,
		    int after_header)
{
	size_t len = strlen(name);
	const char *l = text;
	int headers = 0;

	for (; l && *l; l = strchr(l, '\n'), l = l ? l + 1 : NULL) {
		if (*l == '#') {
			headers++;
			continue;
		}
		if (headers > after_header && !strncmp(l, name, len) &&
		    l[len] == ' ')
			return dt_line(test, l, 0);
	}
	return NULL;
}

static int dt_fields(const char *line)
{
	int n = 0;

	for (; *line; line++)
		n += *line != ' ' && (line[1] == ' ' || !line[1]);
	return n;
}

/* Each line of @text has exactly one space between fields, no trailing. */
static void dt_expect_rows(struct kunit *test, const char *text)
{
	const char *l;

	bool bad;

	for (l = text; *l; l++) {
		bad = *l == ' ' && (l[1] == ' ' || l[1] == '\n');
		KUNIT_EXPECT_FALSE_MSG(test, bad, "two spaces or one last:\n%s",
				       text);
		KUNIT_EXPECT_FALSE_MSG(test, *l == '\t', "a tab in:\n%s", text);
	}
}

static long dt_pool_err(const char *name)
{
	return PTR_ERR(kheap_pool_create(name, NULL, 8, 1, GFP_KERNEL));
}

/* '.' and '..' are no names (debugfs's own); dots inside names are. */
static void debugfs_test_names(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, PTR_ERR(kheap_create(".")), -EINVAL);
	KUNIT_EXPECT_EQ(test, PTR_ERR(kheap_create("..")), -EINVAL);
	KUNIT_EXPECT_EQ(test, dt_pool_err("."), -EINVAL);
	KUNIT_EXPECT_EQ(test, dt_pool_err(".."), -EINVAL);
	dt_named_heap(test, "mydrv.rx");
	dt_named_heap(test, "...");
	dt_named_heap(test, ".x");
}

struct dt_world {
	struct kheap *heap, *child;
	size_t bytes, child_bytes;
};

/* DT_NAME with 100, 200 and 300 bytes, linked to DT_CHILD with 50. */
static void dt_world(struct kunit *test, struct dt_world *w)
{
	w->heap = dt_named_heap(test, DT_NAME);
	w->child = dt_named_heap(test, DT_CHILD);
	dt_keep(test, w->heap, 100);
	dt_keep(test, w->heap, 200);
	dt_keep(test, w->heap, 300);
	dt_keep(test, w->child, 50);
	w->bytes = 600;
	w->child_bytes = 50;
	KUNIT_ASSERT_EQ(test, kheap_link(w->heap, w->child), 0);
}

static void debugfs_test_heaps(struct kunit *test)
{
	const char *hdr;
	size_t b, c, p, hb, hc;
	unsigned long o, inv;
	struct dt_world w;
	char *text, *row;

	dt_world(test, &w);
	text = dt_read(test, KD_DIR "heaps");
	KUNIT_ASSERT_EQ_MSG(test,
			    sscanf(dt_line(test, text, 0),
				   "# kheap heaps v2 invalid_frees=%lu", &inv),
			    1, "%s", text);
	KUNIT_EXPECT_EQ(test, inv, kheap_invalid_frees());
	hdr = "# name bytes count peak hier_bytes hier_count overruns stacks";
	KUNIT_EXPECT_STREQ(test, dt_line(test, text, 1), hdr);
	dt_expect_rows(test, text);

	row = dt_row(test, text, DT_NAME_ESC, 1);
	KUNIT_ASSERT_NOT_NULL_MSG(test, row, "no %s in:\n%s", DT_NAME_ESC,
				  text);
	KUNIT_EXPECT_EQ(test, dt_fields(row), 8);
	KUNIT_ASSERT_EQ(test,
			sscanf(row, "%*s %zu %zu %zu %zu %zu %lu", &b, &c, &p,
			       &hb, &hc, &o),
			6);
	KUNIT_EXPECT_EQ(test, b, w.bytes);
	KUNIT_EXPECT_EQ(test, c, 3);
	KUNIT_EXPECT_EQ(test, p, kheap_peak_bytes(w.heap));
	KUNIT_EXPECT_GE(test, p, w.bytes);
	KUNIT_EXPECT_EQ(test, hb, w.bytes + w.child_bytes);
	KUNIT_EXPECT_EQ(test, hc, 4);
	KUNIT_EXPECT_EQ(test, o, 0);

	row = dt_row(test, text, DT_CHILD, 1);
	KUNIT_ASSERT_NOT_NULL(test, row);
	KUNIT_ASSERT_EQ(test,
			sscanf(row, "%*s %zu %zu %zu %zu %zu %lu", &b, &c, &p,
			       &hb, &hc, &o),
			6);
	KUNIT_EXPECT_EQ(test, b, w.child_bytes);
	KUNIT_EXPECT_EQ(test, c, 1);
	KUNIT_EXPECT_EQ(test, hb, w.child_bytes);
	KUNIT_EXPECT_EQ(test, hc, 1);
	/* The raw name is nowhere: it would be two fields' worth of bytes. */
	KUNIT_EXPECT_NULL(test, strstr(text, DT_NAME));
}

static void debugfs_test_hierarchy(struct kunit *test)
{
	static const char *const edge =
		"\t\"kt.dbg\\\\x5c\\\\x3d\\\\xe9\" -> \"" DT_CHILD "\";\n";
	static const char *const label =
		"\\n600 bytes in 3 blocks\\nreachable: 650 bytes in 4\"";
	int n;
	size_t b, c, hb, hc;
	struct dt_world w;
	char *text, *row;

	dt_world(test, &w);
	text = dt_read(test, KD_DIR "hierarchy");
	KUNIT_EXPECT_STREQ(test, dt_line(test, text, 0),
			   "# kheap hierarchy v2");
	KUNIT_EXPECT_STREQ(test, dt_line(test, text, 1),
			   "# name bytes count hier_bytes hier_count");
	dt_expect_rows(test, text);
	row = dt_row(test, text, DT_NAME_ESC, 1);
	KUNIT_ASSERT_NOT_NULL_MSG(test, row, "%s", text);
	n = sscanf(row, "%*s %zu %zu %zu %zu", &b, &c, &hb, &hc);
	KUNIT_ASSERT_EQ(test, n, 4);
	KUNIT_EXPECT_EQ(test, b, w.bytes);
	KUNIT_EXPECT_EQ(test, c, 3);
	KUNIT_EXPECT_EQ(test, hb, w.bytes + w.child_bytes);
	KUNIT_EXPECT_EQ(test, hc, 4);
	/* The edge, in the second table. */
	KUNIT_EXPECT_NOT_NULL_MSG(test, strstr(text, "\n# from to\n"), "%s",
				  text);
	row = dt_row(test, text, DT_NAME_ESC, 2);
	KUNIT_ASSERT_NOT_NULL_MSG(test, row, "%s", text);
	KUNIT_EXPECT_STREQ(test, row, DT_NAME_ESC " " DT_CHILD);
	KUNIT_EXPECT_NULL(test, dt_row(test, text, DT_CHILD, 2));

	text = dt_read(test, KD_DIR "hierarchy.dot");
	KUNIT_EXPECT_STREQ(test, dt_line(test, text, 0),
			   "// kheap hierarchy.dot v2");
	KUNIT_EXPECT_NOT_NULL_MSG(test, strstr(text, edge), "%s", text);
	KUNIT_EXPECT_NOT_NULL_MSG(test, strstr(text, label), "%s", text);
}

/*
 * The ids of the blocks a live or report text lists, in its order, their
 * sizes (if @sizes) and the sizes' sum.
 */
static int dt_blocks(struct kunit *test, const char *text, u64 *ids,
		     size_t *sizes, int max, size_t *bytes)
{
	char caller[KSYM_SYMBOL_LEN], mod[64];
	const char *l;
	unsigned long long id, age;
	size_t size;
	int n = 0;

	*bytes = 0;
	for (l = text; l && *l; l = strchr(l, '\n'), l = l ? l + 1 : NULL) {
		if (*l == '#')
			continue;
		KUNIT_ASSERT_EQ_MSG(test,
				    sscanf(l, "%llu %zu %llu %127s %63s", &id,
					   &size, &age, caller, mod),
				    5, "%s", text);
		KUNIT_EXPECT_EQ(test, strncmp(caller, "dt_alloc+0x", 11), 0);
		KUNIT_EXPECT_STREQ(test, mod, KBUILD_MODNAME);
		KUNIT_EXPECT_LT(test, age, 600000ULL); /* ms: ten minutes */
		KUNIT_ASSERT_LT(test, n, max);
		if (sizes)
			sizes[n] = size;
		ids[n++] = id;
		*bytes += size;
	}
	return n;
}

static void debugfs_test_live(struct kunit *test)
{
	char path[128], want[160];
	struct dt_world w;
	size_t bytes;
	u64 ids[8];
	char *text;

	dt_world(test, &w);
	snprintf(path, sizeof(path), KD_DIR "heap/%s/live", DT_NAME);
	text = dt_read(test, path);
	snprintf(want, sizeof(want),
		 "# kheap live v2 heap=%s from=0 to=%llu count=3", DT_NAME_ESC,
		 U64_MAX);
	KUNIT_EXPECT_STREQ(test, dt_line(test, text, 0), want);
	KUNIT_EXPECT_STREQ(test, dt_line(test, text, 1),
			   "# id size age_ms caller module frames");
	dt_expect_rows(test, text);
	KUNIT_EXPECT_EQ(test, dt_blocks(test, text, ids, NULL, 8, &bytes), 3);
	KUNIT_EXPECT_EQ(test, bytes, w.bytes);
	KUNIT_EXPECT_LT(test, ids[0], ids[1]);
	KUNIT_EXPECT_LT(test, ids[1], ids[2]);
}

/*
 * Read an open report file from its start into @buf (PAGE_SIZE bytes; NULL:
 * a new one): kernel_read() works on it, it has ->read_iter.
 */
static char *dt_read_report(struct kunit *test, struct file *f, char *buf)
{
	loff_t pos = 0;
	ssize_t n, got = 0;

	if (!buf)
		buf = kunit_kzalloc(test, PAGE_SIZE, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, buf);
	do {
		n = kernel_read(f, buf + got, PAGE_SIZE - 1 - got, &pos);
		if (n > 0)
			got += n;
	} while (n > 0 && got < PAGE_SIZE - 1);
	KUNIT_ASSERT_GE(test, n, 0);
	KUNIT_ASSERT_LT(test, got, PAGE_SIZE - 1);
	buf[got] = '\0';
	return buf;
}

static int dt_window(const char *text, u64 *from, u64 *to, size_t *count)
{
	unsigned long long a, b;
	const char *p = strstr(text, " from=");

	if (!p || sscanf(p, " from=%llu to=%llu count=%zu", &a, &b, count) != 3)
		return -EINVAL;
	*from = a;
	*to = b;
	return 0;
}

static ssize_t dt_write(struct file *f, const char *s, size_t len)
{
	loff_t pos = 0;

	return kernel_write(f, s, len, &pos);
}

/* The window is the open file's: another open lists everything. */
static void debugfs_test_report_window(struct kunit *test)
{
	struct file *f, *g, *wo;
	char path[128], cmd[64];
	size_t bytes, n, sizes[8];
	struct dt_world w;
	u64 ids[8], lo, hi;
	ssize_t got;
	char *text;

	dt_world(test, &w);
	snprintf(path, sizeof(path), KD_DIR "heap/%s/report", DT_NAME);
	f = dt_open(test, path, O_RDWR);
	KUNIT_ASSERT_NOT_NULL(test, f);
	g = dt_open(test, path, O_RDWR);
	if (!g)
		goto out_f;

	/* No window written: every block, as live. */
	text = dt_read_report(test, f, NULL);
	KUNIT_EXPECT_EQ(test,
			strncmp(text, "# kheap report v2 heap=" DT_NAME_ESC " ",
				24 + strlen(DT_NAME_ESC)),
			0);
	KUNIT_EXPECT_STREQ(test, dt_line(test, text, 1),
			   "# id size age_ms caller module frames");
	KUNIT_ASSERT_EQ(test, dt_window(text, &lo, &hi, &n), 0);
	KUNIT_EXPECT_EQ(test, lo, 0);
	KUNIT_EXPECT_EQ(test, hi, U64_MAX);
	KUNIT_ASSERT_EQ(test, dt_blocks(test, text, ids, sizes, 8, &bytes), 3);
	KUNIT_EXPECT_EQ(test, n, 3);
	KUNIT_EXPECT_EQ(test, bytes, w.bytes);

	/*
	 * The second block listed alone, on f; g still sees all three. (Ids
	 * follow allocation order on one CPU only: the test may have moved
	 * between its allocations, so that block is any of the three.)
	 */
	snprintf(cmd, sizeof(cmd), "%llu %llu\n", ids[1], ids[1]);
	KUNIT_EXPECT_EQ(test, dt_write(f, cmd, strlen(cmd)),
			(ssize_t)strlen(cmd));
	text = dt_read_report(test, f, NULL);
	KUNIT_ASSERT_EQ(test, dt_window(text, &lo, &hi, &n), 0);
	KUNIT_EXPECT_EQ(test, lo, ids[1]);
	KUNIT_EXPECT_EQ(test, hi, ids[1]);
	KUNIT_EXPECT_EQ(test, n, 1);
	KUNIT_EXPECT_EQ(test, dt_blocks(test, text, ids + 4, NULL, 4, &bytes),
			1);
	KUNIT_EXPECT_EQ(test, ids[4], ids[1]);
	KUNIT_EXPECT_EQ(test, bytes, sizes[1]);
	text = dt_read_report(test, g, NULL);
	KUNIT_ASSERT_EQ(test, dt_window(text, &lo, &hi, &n), 0);
	KUNIT_EXPECT_EQ(test, n, 3);

	/* Refused: the window stays. */
	KUNIT_EXPECT_EQ(test, dt_write(f, "9 1", 3), -EINVAL);
	KUNIT_EXPECT_EQ(test, dt_write(f, "-1 5", 4), -EINVAL);
	text = dt_read_report(test, f, NULL);
	KUNIT_ASSERT_EQ(test, dt_window(text, &lo, &hi, &n), 0);
	KUNIT_EXPECT_EQ(test, lo, ids[1]);
	KUNIT_EXPECT_EQ(test, n, 1);

	/*
	 * The shell's exec 3<>report: one offset for reads and writes. Read
	 * to the end, write a window (which rewinds), read on from there.
	 */
	snprintf(cmd, sizeof(cmd), "%llu %llu", ids[0], ids[1]);
	n = 0;
	do {
		got = kernel_read(f, text, PAGE_SIZE - 1, &f->f_pos);
	} while (got > 0 && ++n < 16);
	KUNIT_EXPECT_EQ(test, got, 0);
	KUNIT_EXPECT_GT(test, f->f_pos, 0);
	KUNIT_EXPECT_EQ(test, kernel_write(f, cmd, strlen(cmd), &f->f_pos),
			(ssize_t)strlen(cmd));
	KUNIT_EXPECT_EQ(test, f->f_pos, 0);
	got = kernel_read(f, text, PAGE_SIZE - 1, &f->f_pos);
	KUNIT_ASSERT_GT(test, got, 0);
	text[got] = '\0';
	KUNIT_ASSERT_EQ(test, dt_window(text, &lo, &hi, &n), 0);
	KUNIT_EXPECT_EQ(test, lo, ids[0]);
	KUNIT_EXPECT_EQ(test, hi, ids[1]);
	KUNIT_EXPECT_EQ(test, n, 2);

	/* A write-only open takes a window and reads nothing. */
	wo = dt_open(test, path, O_WRONLY);
	if (wo) {
		KUNIT_EXPECT_EQ(test, dt_write(wo, "1 2", 3), 3);
		filp_close(wo, NULL);
	}
	filp_close(g, NULL);
out_f:
	filp_close(f, NULL);
}

static void debugfs_test_callsites(struct kunit *test)
{
	char caller[KSYM_SYMBOL_LEN], mod[64];
	struct dt_world w;
	size_t b, c, bytes = 0, count = 0;
	const char *l;
	char *text;
	int rows = 0;

	dt_world(test, &w);
	text = dt_read(test, KD_DIR "callsites");
	KUNIT_EXPECT_STREQ(test, dt_line(test, text, 0),
			   "# kheap callsites v2");
	KUNIT_EXPECT_STREQ(test, dt_line(test, text, 1),
			   "# caller module bytes count");
	dt_expect_rows(test, text);
	for (l = text; l && *l; l = strchr(l, '\n'), l = l ? l + 1 : NULL) {
		if (*l == '#')
			continue;
		KUNIT_ASSERT_EQ_MSG(test,
				    sscanf(l, "%127s %63s %zu %zu", caller, mod,
					   &b, &c),
				    4, "%s", l);
		if (strncmp(caller, "dt_alloc+0x", 11))
			continue;
		KUNIT_EXPECT_STREQ(test, mod, KBUILD_MODNAME);
		rows++;
		bytes += b;
		count += c;
	}
	/* One call site, the four blocks of both heaps. */
	KUNIT_EXPECT_EQ(test, rows, 1);
	KUNIT_EXPECT_EQ(test, bytes, w.bytes + w.child_bytes);
	KUNIT_EXPECT_EQ(test, count, 4);
}

static void dt_pool_destroy(void *pool)
{
	kheap_pool_destroy(pool);
}

static void debugfs_test_pools(struct kunit *test)
{
	static const char *const stats =
		"# pool cpu gets puts local_hits remote_steals empty foreign_puts double_puts";
	static const char *const hdr =
		"# name heap obj_size stride objs ring_capacity free heap_bytes other_bytes flags";
	static const char *const fmt = "%*s " DT_NAME_ESC
				       " %zu %zu %u %u %u %zu %zu %u";
	static const char *const cpu_fmt =
		"%*s %llu %llu %llu %llu %llu %llu %llu %llu";
	struct kheap *heap = dt_named_heap(test, DT_NAME);
	unsigned long long cpu, v[7], sum[7] = {};
	size_t osz, stride, hbytes, obytes;
	unsigned int objs, cap, nfree, flags;
	struct kheap_pool *pool;
	const char *l;
	char *text, *row;
	void *a, *b;
	int rows = 0, i, n;

	pool = kheap_pool_create("kt.dbg:p-1", heap, 40, 2, GFP_KERNEL);
	KUNIT_ASSERT_FALSE(test, IS_ERR_OR_NULL(pool));
	KUNIT_ASSERT_EQ(test, 0,
			kunit_add_action_or_reset(test, dt_pool_destroy, pool));
	a = kheap_pool_get(pool);
	b = kheap_pool_get(pool);
	KUNIT_ASSERT_NOT_NULL(test, a);
	KUNIT_ASSERT_NOT_NULL(test, b);
	kheap_pool_put(pool, b);

	text = dt_read(test, KD_DIR "pools");
	kheap_pool_put(pool, a);
	KUNIT_EXPECT_STREQ(test, dt_line(test, text, 0), "# kheap pools v2");
	KUNIT_EXPECT_STREQ(test, dt_line(test, text, 1), hdr);
	dt_expect_rows(test, text);
	KUNIT_EXPECT_NOT_NULL_MSG(test, strstr(text, stats), "%s", text);
	row = dt_row(test, text, "kt.dbg:p-1", 1);
	KUNIT_ASSERT_NOT_NULL_MSG(test, row, "%s", text);
	n = sscanf(row, fmt, &osz, &stride, &objs, &cap, &nfree, &hbytes,
		   &obytes, &flags);
	KUNIT_ASSERT_EQ(test, n, 8);
	KUNIT_EXPECT_EQ(test, osz, 40);
	KUNIT_EXPECT_EQ(test, stride, kheap_obj_stride(40));
	KUNIT_EXPECT_EQ(test, objs, kheap_pool_nr_objs(pool));
	KUNIT_EXPECT_EQ(test, nfree, objs - 1);
	KUNIT_EXPECT_EQ(test, hbytes, kheap_pool_bytes(pool));
	KUNIT_EXPECT_EQ(test, hbytes, kheap_bytes(heap));
	KUNIT_EXPECT_EQ(test, flags, 0);

	/* The second table: a row per CPU, the counters summing up. */
	for (l = strstr(text, stats); l && *l;
	     l = strchr(l, '\n'), l = l ? l + 1 : NULL) {
		if (*l == '#' || strncmp(l, "kt.dbg:p-1 ", 11))
			continue;
		n = sscanf(l, cpu_fmt, &cpu, &v[0], &v[1], &v[2], &v[3], &v[4],
			   &v[5], &v[6]);
		KUNIT_ASSERT_EQ_MSG(test, n, 8, "%s", l);
		KUNIT_EXPECT_EQ(test, dt_fields(dt_line(test, l, 0)), 9);
		for (i = 0; i < 7; i++)
			sum[i] += v[i];
		rows++;
	}
	KUNIT_EXPECT_EQ(test, rows, num_possible_cpus());
	KUNIT_EXPECT_EQ(test, sum[0], 2); /* gets */
	KUNIT_EXPECT_EQ(test, sum[1], 1); /* puts */
	KUNIT_EXPECT_EQ(test, sum[6], 0); /* double_puts */
}

unsigned long kheap_test_cache_bytes(int cpu);

static void debugfs_test_cache(struct kunit *test)
{
	unsigned long bytes, want = 0, got = 0;
	int on, depth, cols, rows = 0, tries;
	char *text, *hdr;
	const char *l, *last;

	for (tries = 0; tries < 5; tries++) {
		want = kheap_test_cache_bytes(-1);
		text = dt_read(test, KD_DIR "cache");
		if (want == kheap_test_cache_bytes(-1))
			break;
	}
	KUNIT_ASSERT_EQ_MSG(test,
			    sscanf(dt_line(test, text, 0),
				   "# kheap cache v2 on=%d depth=%d", &on,
				   &depth),
			    2, "%s", text);
	hdr = dt_line(test, text, 1);
	KUNIT_ASSERT_NOT_NULL(test, hdr);
	KUNIT_EXPECT_EQ(test, strncmp(hdr, "# cpu blocks_", 13), 0);
	KUNIT_EXPECT_STREQ(test, strrchr(hdr, ' '), " bytes");
	cols = dt_fields(hdr) - 1;
	dt_expect_rows(test, text);
	for (l = text; l && *l; l = strchr(l, '\n'), l = l ? l + 1 : NULL) {
		if (*l == '#')
			continue;
		KUNIT_EXPECT_EQ(test, dt_fields(dt_line(test, l, 0)), cols);
		last = strrchr(dt_line(test, l, 0), ' ');
		KUNIT_ASSERT_NOT_NULL(test, last);
		KUNIT_ASSERT_EQ(test, kstrtoul(last + 1, 10, &bytes), 0);
		got += bytes;
		rows++;
	}
	KUNIT_EXPECT_EQ(test, rows, num_possible_cpus());
	KUNIT_EXPECT_EQ(test, got, want);
}

/* ---- the write fuzzer ---- */

#define DT_FUZZ_MAX (2 * PAGE_SIZE)

static bool dt_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' ||
	       c == '\r';
}

/*
 * The documented grammar of a report write, the model the file is held to:
 * 64 bytes or more are -E2BIG; else exactly two white-space separated
 * words of decimal digits, each at most U64_MAX, the first not above the
 * second; anything else is -EINVAL.
 */
static int dt_model(const char *b, size_t len, u64 *from, u64 *to)
{
	static const char *const max = "18446744073709551615";
	const char *w[3];
	size_t wl[3], i, n = 0;
	u64 v[2];

	if (len >= 64)
		return -E2BIG;
	for (i = 0; i < len;) {
		if (dt_space(b[i])) {
			i++;
			continue;
		}
		if (n == 3)
			return -EINVAL;
		w[n] = b + i;
		while (i < len && !dt_space(b[i]))
			i++;
		wl[n] = b + i - w[n];
		n++;
	}
	if (n != 2)
		return -EINVAL;
	for (n = 0; n < 2; n++) {
		const char *s = w[n];
		size_t l = wl[n];

		for (i = 0; i < l; i++)
			if (s[i] < '0' || s[i] > '9')
				return -EINVAL;
		while (l > 1 && *s == '0')
			s++, l--;
		if (l > 20 || (l == 20 && memcmp(s, max, 20) > 0))
			return -EINVAL;
		for (v[n] = 0, i = 0; i < l; i++)
			v[n] = v[n] * 10 + (s[i] - '0');
	}
	if (v[0] > v[1])
		return -EINVAL;
	*from = v[0];
	*to = v[1];
	return 0;
}

static const char *const dt_numbers[] = {
	"0",
	"1",
	"00",
	"007",
	"18446744073709551615",
	"18446744073709551616",
	"99999999999999999999",
	"184467440737095516150",
	"4294967296",
	"000000000000000000000000000018446744073709551615",
};

/* Append to @b (room: DT_FUZZ_MAX) what @r picks; returns the new length. */
static size_t dt_gen(struct rnd_state *r, char *b, const u64 *ids)
{
	static const char soup[] = "0123456789+- \t\n";
	u32 kind = prandom_u32_state(r) % 8, i;
	const char *sep;
	size_t len = 0, want;
	u64 v;

	switch (kind) {
	case 0: /* a window, maybe reversed, in varied white space */
	case 1:
		for (i = 0; i < 2; i++) {
			switch (prandom_u32_state(r) % 4) {
			case 0:
				v = ids[prandom_u32_state(r) % 3];
				break;
			case 1:
				v = prandom_u32_state(r) % 8;
				break;
			case 2:
				v = U64_MAX - prandom_u32_state(r) % 2;
				break;
			default:
				v = ((u64)prandom_u32_state(r) << 32) |
				    prandom_u32_state(r);
			}
			sep = prandom_u32_state(r) % 2 ? " " : " \t ";
			len += scnprintf(b + len, 64, "%s%llu", i ? sep : "",
					 v);
		}
		if (prandom_u32_state(r) % 2)
			b[len++] = '\n';
		break;
	case 2: /* known hard numbers */
		len = scnprintf(b, 128, "%s %s",
				dt_numbers[prandom_u32_state(r) %
					   ARRAY_SIZE(dt_numbers)],
				dt_numbers[prandom_u32_state(r) %
					   ARRAY_SIZE(dt_numbers)]);
		break;
	case 3: /* digits, signs and spaces, short */
	case 4:
		want = prandom_u32_state(r) % 70;
		for (len = 0; len < want; len++)
			b[len] =
				soup[prandom_u32_state(r) % (sizeof(soup) - 1)];
		break;
	case 5: /* binary, any length up to two pages */
		want = prandom_u32_state(r) % (DT_FUZZ_MAX + 1);
		prandom_bytes_state(r, b, want);
		len = want;
		break;
	case 6: /* a valid window, one byte changed */
		len = scnprintf(b, 64, "%llu %llu", ids[0], ids[2]);
		b[prandom_u32_state(r) % len] = prandom_u32_state(r);
		break;
	default: /* digits and spaces around the 64-byte limit, or far past */
		want = prandom_u32_state(r) % 2 ?
			       60 + prandom_u32_state(r) % 8 :
			       prandom_u32_state(r) % (DT_FUZZ_MAX + 1);
		for (len = 0; len < want; len++)
			b[len] = len == want / 2 ?
					 ' ' :
					 '0' + prandom_u32_state(r) % 10;
		break;
	}
	return len;
}

static void debugfs_test_fuzz_report(struct kunit *test)
{
	u64 seed = fuzz_seed ? fuzz_seed : get_random_u64();
	u64 ids[8], lo = 0, hi = U64_MAX, mlo, mhi, glo, ghi;
	unsigned int i, accepted = 0, e2big = 0, einval = 0;
	size_t bytes, count, n, len;
	struct rnd_state r;
	struct dt_world w;
	struct file *f;
	char path[128], *b, *page, *text;
	ssize_t ret;
	int want, show;

	kunit_info(test,
		   "fuzz seed %llu, %u writes (replay: %s.fuzz_seed=%llu)",
		   seed, fuzz_writes, KBUILD_MODNAME, seed);
	prandom_seed_state(&r, seed);
	b = kunit_kmalloc(test, DT_FUZZ_MAX + 128, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, b);
	page = kunit_kmalloc(test, PAGE_SIZE, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, page);
	dt_world(test, &w);
	snprintf(path, sizeof(path), KD_DIR "heap/%s/live", DT_NAME);
	text = dt_read(test, path);
	KUNIT_ASSERT_EQ(test, dt_blocks(test, text, ids, NULL, 8, &bytes), 3);
	snprintf(path, sizeof(path), KD_DIR "heap/%s/report", DT_NAME);
	f = dt_open(test, path, O_RDWR);
	KUNIT_ASSERT_NOT_NULL(test, f);

	for (i = 0; i < fuzz_writes; i++) {
		len = dt_gen(&r, b, ids);
		want = dt_model(b, len, &mlo, &mhi);
		show = min_t(size_t, len, 64);
		ret = dt_write(f, b, len);
		if (!want) {
			KUNIT_EXPECT_EQ_MSG(test, ret, (ssize_t)len,
					    "seed %llu write %u: %*ph", seed, i,
					    show, b);
			lo = mlo;
			hi = mhi;
			accepted++;
		} else {
			KUNIT_EXPECT_EQ_MSG(test, ret, (ssize_t)want,
					    "write %u (%zu bytes): %*ph", i,
					    len, show, b);
			if (want == -E2BIG)
				e2big++;
			else
				einval++;
		}
		/* The documented effect, or none: the window and the heap. */
		text = dt_read_report(test, f, page);
		KUNIT_ASSERT_EQ(test, dt_window(text, &glo, &ghi, &count), 0);
		for (n = 0, bytes = 0; n < 3; n++)
			bytes += ids[n] >= lo && ids[n] <= hi;
		if (glo != lo || ghi != hi || count != bytes ||
		    kheap_bytes(w.heap) != w.bytes ||
		    kheap_count(w.heap) != 3) {
			KUNIT_FAIL(test, "seed %llu write %u (%zu bytes): %zd",
				   seed, i, len, ret);
			KUNIT_FAIL(test,
				   "window %llu-%llu %zu, not %llu-%llu %zu",
				   glo, ghi, count, lo, hi, bytes);
			KUNIT_FAIL(test, "heap %zu bytes %zu blocks, not %zu 3",
				   kheap_bytes(w.heap), kheap_count(w.heap),
				   w.bytes);
			break;
		}
		if (!(i % 256))
			cond_resched();
	}
	filp_close(f, NULL);
	kunit_info(test, "%u writes: %u accepted, %u -EINVAL, %u -E2BIG", i,
		   accepted, einval, e2big);
	/* Every kind of answer was seen (300 writes draw each many times). */
	if (fuzz_writes >= 300) {
		KUNIT_EXPECT_GT(test, accepted, 0);
		KUNIT_EXPECT_GT(test, einval, 0);
		KUNIT_EXPECT_GT(test, e2big, 0);
	}
}

static struct kunit_case kheap_debugfs_cases[] = {
	KUNIT_CASE(debugfs_test_names),
	KUNIT_CASE(debugfs_test_heaps),
	KUNIT_CASE(debugfs_test_hierarchy),
	KUNIT_CASE(debugfs_test_live),
	KUNIT_CASE(debugfs_test_report_window),
	KUNIT_CASE(debugfs_test_callsites),
	KUNIT_CASE(debugfs_test_pools),
	KUNIT_CASE(debugfs_test_cache),
	KUNIT_CASE(debugfs_test_fuzz_report),
	{}
};

static struct kunit_suite kheap_debugfs_suite = {
	.name = "kheap_debugfs",
	.test_cases = kheap_debugfs_cases,
};

kunit_test_suite(kheap_debugfs_suite);

MODULE_DESCRIPTION("KUnit tests of kheap's debugfs files: content and writes");
MODULE_LICENSE("GPL");
KHEAP_IMPORT_NS();
MODULE_IMPORT_NS(EXPORTED_FOR_KUNIT_TESTING);
