// SPDX-License-Identifier: GPL-2.0
/*
 * A data race: two kthreads on two CPUs increment one plain counter. On the
 * kcsan kernel, KCSAN must report it ("BUG: KCSAN: data-race") and the
 * harness go red; the other kernels do not see it.
 */
#include <linux/completion.h>
#include <linux/cpumask.h>
#include <linux/jiffies.h>
#include <linux/kthread.h>
#include <linux/module.h>
#include <linux/sched.h>

static unsigned long broken_race_counter;
static struct completion broken_race_done[2];

static int broken_race_fn(void *arg)
{
	struct completion *done = arg;
	unsigned long end = jiffies + HZ;

	while (time_before(jiffies, end)) {
		broken_race_counter++; /* unmarked and unlocked: the race */
		cond_resched();
	}
	complete(done);
	return 0;
}

static int __init broken_race_init(void)
{
	int cpu = cpumask_first(cpu_online_mask), i;
	struct task_struct *t;

	for (i = 0; i < 2; i++) {
		init_completion(&broken_race_done[i]);
		t = kthread_create(broken_race_fn, &broken_race_done[i],
				   "kheap_race/%d", i);
		if (IS_ERR(t))
			return PTR_ERR(t);
		kthread_bind(t, cpu);
		wake_up_process(t);
		cpu = cpumask_next(cpu, cpu_online_mask);
		if (cpu >= nr_cpu_ids)
			cpu = cpumask_first(cpu_online_mask);
	}
	for (i = 0; i < 2; i++)
		wait_for_completion(&broken_race_done[i]);
	return 0;
}
module_init(broken_race_init);

static void __exit broken_race_exit(void)
{
}
module_exit(broken_race_exit);

MODULE_DESCRIPTION("kheap harness check: a data race");
MODULE_LICENSE("GPL");
