// SPDX-License-Identifier: GPL-2.0
/*
 * A spinlock_t taken in hardirq context (a hard hrtimer). Fine without
 * PREEMPT_RT; on the rt kernel spinlock_t sleeps, and the harness must go
 * red ("BUG: sleeping function called from invalid context").
 */
#include <linux/delay.h>
#include <linux/hrtimer.h>
#include <linux/module.h>
#include <linux/spinlock.h>

static DEFINE_SPINLOCK(broken_rt_lock);
static struct hrtimer broken_rt_timer;
static unsigned long broken_rt_count;

static enum hrtimer_restart broken_rt_fn(struct hrtimer *t)
{
	spin_lock(&broken_rt_lock); /* sleeps on PREEMPT_RT: the bug */
	broken_rt_count++;
	spin_unlock(&broken_rt_lock);
	return HRTIMER_NORESTART;
}

static int __init broken_rt_init(void)
{
	hrtimer_init(&broken_rt_timer, CLOCK_MONOTONIC, HRTIMER_MODE_REL_HARD);
	broken_rt_timer.function = broken_rt_fn;
	hrtimer_start(&broken_rt_timer, ms_to_ktime(1), HRTIMER_MODE_REL_HARD);
	msleep(50);
	hrtimer_cancel(&broken_rt_timer);
	return 0;
}
module_init(broken_rt_init);

static void __exit broken_rt_exit(void)
{
}
module_exit(broken_rt_exit);

MODULE_DESCRIPTION("kheap harness check: a spinlock_t in hardirq (PREEMPT_RT)");
MODULE_LICENSE("GPL");
