/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Files read and written from the kernel, for the KUnit suites and the
 * benchmark: kheap's debugfs seq_files (the benchmark reads a heap's live
 * list while another CPU allocates) and small sysfs files (kheap's module
 * parameters). Not for clients.
 */
#ifndef _KHEAP_KFILE_H
#define _KHEAP_KFILE_H

#include <linux/debugfs.h>
#include <linux/fs.h>
#include <linux/seq_file.h>
#include <linux/uio.h>

/**
 * kheap_debugfs_read_seq() - read a debugfs seq_file from the kernel
 * @f:		the open file
 * @buf:	where to
 * @len:	room in @buf
 * @whole:	read to the end of the file, @buf reused for every @len
 *		bytes (the text is not kept); else stop when @buf is full
 *
 * kernel_read() needs ->read_iter, which the proxy that debugfs puts in
 * front of a file's operations does not pass on. kheap's block lists are
 * seq_files: read them through seq_read_iter(), as their ->read does, with
 * the file held against removal as the proxy would.
 *
 * Context: Process context; sleeps.
 * Return: bytes read, or a negative errno (-EOPNOTSUPP: not a seq_file).
 */
static inline ssize_t kheap_debugfs_read_seq(struct file *f, char *buf,
					     size_t len, bool whole)
{
	struct dentry *dentry = f->f_path.dentry;
	struct kvec kv = { .iov_base = buf, .iov_len = len };
	const struct file_operations *real;
	struct iov_iter iter;
	struct kiocb kiocb;
	ssize_t n, total = 0;
	int err;

	err = debugfs_file_get(dentry);
	if (err)
		return err;
	real = debugfs_real_fops(f);
	if (!real ||
	    (real->read != seq_read && real->read_iter != seq_read_iter)) {
		debugfs_file_put(dentry);
		return -EOPNOTSUPP;
	}
	init_sync_kiocb(&kiocb, f);
	iov_iter_kvec(&iter, ITER_DEST, &kv, 1, len);
	do {
		if (whole && !iov_iter_count(&iter))
			iov_iter_kvec(&iter, ITER_DEST, &kv, 1, len);
		n = seq_read_iter(&kiocb, &iter);
		if (n > 0)
			total += n;
	} while (n > 0 && (whole || iov_iter_count(&iter)));
	debugfs_file_put(dentry);
	return n < 0 ? n : total;
}

/**
 * kheap_file_read() - read a small file (sysfs) whole
 * @path:	its path
 * @buf:	where to; NUL-terminated
 * @size:	room in @buf, the NUL included
 *
 * Not for debugfs files (no ->read_iter): kheap_debugfs_read_seq() is.
 *
 * Context: Process context; sleeps.
 * Return: its length, or a negative errno.
 */
static inline ssize_t kheap_file_read(const char *path, char *buf, size_t size)
{
	struct file *f = filp_open(path, O_RDONLY, 0);
	loff_t pos = 0;
	ssize_t n;

	if (IS_ERR(f))
		return PTR_ERR(f);
	n = kernel_read(f, buf, size - 1, &pos);
	filp_close(f, NULL);
	if (n >= 0)
		buf[n] = '\0';
	return n;
}

/**
 * kheap_file_write() - write a string to a small file (sysfs)
 * @path:	its path
 * @val:	what
 *
 * Context: Process context; sleeps.
 * Return: 0, or a negative errno.
 */
static inline int kheap_file_write(const char *path, const char *val)
{
	struct file *f = filp_open(path, O_WRONLY, 0);
	loff_t pos = 0;
	ssize_t n;

	if (IS_ERR(f))
		return PTR_ERR(f);
	n = kernel_write(f, val, strlen(val), &pos);
	filp_close(f, NULL);
	return n < 0 ? n : 0;
}

#endif /* _KHEAP_KFILE_H */
