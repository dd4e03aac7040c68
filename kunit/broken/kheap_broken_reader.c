// SPDX-License-Identifier: GPL-2.0
/*
 * A file in kheap's debugfs directory whose read fails with -EINVAL, there
 * until /init's background readers have read it a few times (a minute at
 * most): an error they see that is not a file coming or going (ENOENT, EIO)
 * must turn the harness red. The suite itself passes.
 */
#include <kunit/test.h>
#include <linux/debugfs.h>
#include <linux/delay.h>
#include <linux/fs.h>

static atomic_t broken_reads = ATOMIC_INIT(0);

static ssize_t broken_read(struct file *file, char __user *buf, size_t len,
			   loff_t *pos)
{
	atomic_inc(&broken_reads);
	return -EINVAL;
}

static const struct file_operations broken_fops = {
	.owner = THIS_MODULE,
	.read = broken_read,
};

static void broken_test_reader_error(struct kunit *test)
{
	struct dentry *dir, *file;
	int i;

	dir = debugfs_lookup("kheap", NULL);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, dir);
	file = debugfs_create_file("broken", 0400, dir, NULL, &broken_fops);
	dput(dir);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, file);
	for (i = 0; i < 600 && atomic_read(&broken_reads) < 3; i++)
		msleep(100);
	kunit_info(test, "read %d times\n", atomic_read(&broken_reads));
	debugfs_remove(file);
}

static struct kunit_case broken_cases[] = {
	KUNIT_CASE(broken_test_reader_error),
	{}
};

static struct kunit_suite broken_suite = {
	.name = "kheap_broken_reader",
	.test_cases = broken_cases,
};
kunit_test_suite(broken_suite);

MODULE_DESCRIPTION("kheap harness check: a debugfs read error for the readers");
MODULE_LICENSE("GPL");
