// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests for heap owners: kheap_create() records the calling module,
 * and when that module unloads with the heap alive, kheap reports the heap
 * and the module by name, detaches the module's reporters from every heap
 * and keeps the heap usable. The client is a real module,
 * kheap_owner_client.ko, which /init packs in /lib/kheap/: this suite
 * loads and unloads it with busybox's insmod and rmmod.
 */
#include <kunit/test.h>
#include <linux/err.h>
#include <linux/module.h>
#include <linux/string.h>
#include <linux/umh.h>

#include "kheap_test_util.h"
#include "../kmod/kheap_kunit.h"

#define OWNER_CLIENT "kheap_owner_client"
#define OWNER_CLIENT_KO "/lib/kheap/" OWNER_CLIENT ".ko"
#define OWNER_OTHER "kt_owner_other"

/* busybox @cmd @arg [@arg2], waited for; its exit status (0: success). */
static int owner_busybox(const char *cmd, const char *arg, const char *arg2)
{
	/* call_usermodehelper() takes char **, not const */
	char *argv[5], *envp[3];

	argv[0] = "/bin/busybox";
	argv[1] = (char *)cmd;
	argv[2] = (char *)arg;
	argv[3] = (char *)arg2;
	argv[4] = NULL;
	envp[0] = "HOME=/";
	envp[1] = "PATH=/bin:/sbin";
	envp[2] = NULL;
	return call_usermodehelper(argv[0], argv, envp, UMH_WAIT_PROC);
}

/* kheap_create() records THIS_MODULE; kheap_create_owner() takes any. */
static void owner_test_create(struct kunit *test)
{
	struct kheap *heap = kt_heap(test), *builtin;

	KUNIT_EXPECT_PTR_EQ(test, kheap_test_owner(heap), THIS_MODULE);
	KUNIT_EXPECT_STREQ(test, kheap_test_left_by(heap), "");
	/* The default heap is kheap's own. */
	KUNIT_EXPECT_NOT_NULL(test, kheap_test_owner(kheap_default()));
	KUNIT_EXPECT_PTR_NE(test, kheap_test_owner(kheap_default()),
			    THIS_MODULE);

	builtin = kheap_create_owner("kt_owner_none", NULL);
	KUNIT_ASSERT_FALSE(test, IS_ERR(builtin));
	KUNIT_EXPECT_NULL(test, kheap_test_owner(builtin));
	kheap_destroy(builtin);
}

static void owner_unload_client(void *unused)
{
	owner_busybox("rmmod", OWNER_CLIENT, NULL);
}

/*
 * The client creates heap "owner_client", attaches its reporter to it and
 * to this suite's heap, and unloads. Then: the client's heap is reported
 * as left by the client and has no owner, neither heap has a reporter
 * (the client's code is gone), and the client's heap still works.
 */
static void owner_test_client_unload(struct kunit *test)
{
	const struct kheap_reporter *rep, *rep_other;
	struct kheap *other = kheap_create(OWNER_OTHER);
	struct kheap *heap;
	struct module *owner;
	void *p;
	int ret;

	KUNIT_ASSERT_FALSE(test, IS_ERR(other));
	KUNIT_ASSERT_EQ(test, 0,
			kunit_add_action_or_reset(test, kt_heap_destroy,
						  other));
	ret = owner_busybox("insmod", OWNER_CLIENT_KO, "other=" OWNER_OTHER);
	KUNIT_ASSERT_EQ_MSG(test, ret, 0, "insmod %s: %d", OWNER_CLIENT_KO,
			    ret);
	KUNIT_ASSERT_EQ(test, 0,
			kunit_add_action_or_reset(test, owner_unload_client,
						  NULL));
	heap = kheap_test_find("owner_client");
	KUNIT_ASSERT_NOT_NULL(test, heap);
	KUNIT_ASSERT_EQ(test, 0,
			kunit_add_action_or_reset(test, kt_heap_destroy, heap));
	owner = kheap_test_owner(heap);
	KUNIT_ASSERT_NOT_NULL(test, owner);
	KUNIT_EXPECT_STREQ(test, module_name(owner), OWNER_CLIENT);
	KUNIT_EXPECT_EQ(test, kheap_count(heap), 1);
	rep = kheap_test_reporter(heap);
	KUNIT_ASSERT_NOT_NULL(test, rep);
	KUNIT_EXPECT_PTR_EQ(test, kheap_test_reporter(other), rep);

	ret = owner_busybox("rmmod", OWNER_CLIENT, NULL);
	KUNIT_ASSERT_EQ_MSG(test, ret, 0, "rmmod %s: %d", OWNER_CLIENT, ret);

	/*
	 * Detached, or the next callback would run unloaded code: detach
	 * them here first if kheap did not, so that a red run ends cleanly.
	 */
	rep = kheap_test_reporter(heap);
	rep_other = kheap_test_reporter(other);
	if (rep)
		kheap_set_reporter(heap, NULL);
	if (rep_other)
		kheap_set_reporter(other, NULL);
	KUNIT_EXPECT_NULL_MSG(test, rep, "the client's heap kept its reporter");
	KUNIT_EXPECT_NULL_MSG(test, rep_other,
			      "another module's heap kept its reporter");
	/* The report: the heap, by name, left by the client, by name. */
	KUNIT_EXPECT_STREQ(test, kheap_test_left_by(heap), OWNER_CLIENT);
	KUNIT_EXPECT_NULL(test, kheap_test_owner(heap));
	/* Not the heaps of other modules. */
	KUNIT_EXPECT_PTR_EQ(test, kheap_test_owner(other), THIS_MODULE);
	KUNIT_EXPECT_STREQ(test, kheap_test_left_by(other), "");

	/* Still usable: the client freed its block; allocate, list, free. */
	KUNIT_EXPECT_EQ(test, kheap_count(heap), 0);
	p = kheap_alloc(heap, 24, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, p);
	KUNIT_EXPECT_PTR_EQ(test, kheap_of(p), heap);
	KUNIT_EXPECT_EQ(test, kheap_bytes(heap), 24);
	KUNIT_EXPECT_EQ(test, kheap_report(heap, 0, U64_MAX), 1);
	kheap_free(p);
	KUNIT_EXPECT_EQ(test, kheap_count(heap), 0);
}

static struct kunit_case kheap_owner_cases[] = {
	KUNIT_CASE(owner_test_create),
	KUNIT_CASE(owner_test_client_unload),
	{}
};

static struct kunit_suite kheap_owner_suite = {
	.name = "kheap_owner",
	.test_cases = kheap_owner_cases,
};

kunit_test_suite(kheap_owner_suite);

MODULE_DESCRIPTION("KUnit tests for kheap's heap owners");
MODULE_LICENSE("GPL");
KHEAP_IMPORT_NS();
MODULE_IMPORT_NS(EXPORTED_FOR_KUNIT_TESTING);
