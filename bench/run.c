// SPDX-License-Identifier: GPL-2.0
/*
 * kheap_bench runs: bound kthreads, their barrier, the timed repetitions,
 * and the figures drawn from them (see kheap_bench.h for the method).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/cpumask.h>
#include <linux/kthread.h>
#include <linux/minmax.h>
#include <linux/sched.h>
#include <linux/sched/task.h>
#include <linux/slab.h>
#include <linux/sort.h>
#include <linux/sprintf.h>
#include <linux/timekeeping.h>
#include <linux/wait.h>
#include <linux/vmalloc.h>

#include "kheap_bench.h"

/* A repetition gives up after this many times rep_ms. */
#define KB_DEADLINE_FACTOR 25
/* A barrier gives up after this long more than the longest pass may last. */
#define KB_STUCK_NS (60 * NSEC_PER_SEC)
/* Period of the scaling runs' hrtimer. */
#define KB_TIMER_NS NSEC_PER_MSEC

/**
 * struct kb_run - one measurement in progress: a group of cases
 * @specs:	the cases, measured in turn
 * @nr_cases:	how many
 * @nr:		threads: as many as the widest case uses
 * @flags:	the flags of all its cases, or'ed
 * @ctx:	the shared objects
 * @iters:	operations per repetition of each case (set by thread 0 when
 *		calibrating)
 * @err:	per case, 0 or the error of its enter hook (figures void)
 * @cur:	the case thread 0 is at, for the drain of a broken run
 * @arrived:	threads at the current barrier
 * @gen:	barrier generation, bumped by the last thread to arrive
 * @wq:		where the threads a pass does not use sleep through it
 * @pass_over:	thread 0's loop of the current pass is over: background
 *		threads stop
 * @broken:	a barrier timed out; the figures are void
 * @left:	threads still running
 * @done:	completed by the last thread
 * @t:		the threads, @nr of them
 */
struct kb_run {
	const struct kb_spec *specs;
	unsigned int nr_cases;
	unsigned int nr;
	unsigned int flags;
	struct kb_ctx *ctx;
	u64 iters[KB_MAX_CASES];
	int err[KB_MAX_CASES];
	unsigned int cur;
	atomic_t arrived;
	atomic_t gen;
	wait_queue_head_t wq;
	atomic_t pass_over;
	bool broken;
	atomic_t left;
	struct completion done;
	struct kb_thread t[];
};

/**
 * kb_expired() - the slow part of a loop's periodic check
 * @t:	the calling thread
 *
 * Context: the thread's loop; may reschedule.
 * Return: true once the thread's deadline has passed.
 */
bool kb_expired(struct kb_thread *t)
{
	cond_resched();
	return ktime_get_ns() > t->deadline;
}

/* As kb_expired(), for a wait that has no thread of its own. */
static bool kb_past(u64 end)
{
	cond_resched();
	return ktime_get_ns() > end;
}

/* How long a thread may wait for the others: a whole pass, and then some. */
static u64 kb_stuck_ns(void)
{
	return KB_STUCK_NS + (u64)KB_DEADLINE_FACTOR *
				     max(kb_rep_ms, kb_scale_ms) *
				     NSEC_PER_MSEC;
}

/*
 * Wait until @count threads arrived; false if that took kb_stuck_ns(). A
 * thread that has nothing to do until the others arrive (@idle) sleeps;
 * the others spin, to start their timed loops together.
 */
static bool kb_barrier(struct kb_run *run, unsigned int count, bool idle)
{
	int gen = atomic_read(&run->gen);
	u64 end;

	/* Fully ordered: our read of gen comes before our arrival. */
	if (atomic_inc_return(&run->arrived) == count) {
		atomic_set(&run->arrived, 0);
		/* Pairs with the acquire below: arrived is 0 again first. */
		atomic_set_release(&run->gen, gen + 1);
		/* Full barrier, pairs with the one in prepare_to_wait(). */
		if (wq_has_sleeper(&run->wq))
			wake_up_all(&run->wq);
		return true;
	}
	if (idle) {
		if (wait_event_timeout(run->wq,
				       atomic_read_acquire(&run->gen) != gen,
				       nsecs_to_jiffies(kb_stuck_ns())))
			return true;
		WRITE_ONCE(run->broken, true);
		return false;
	}
	end = ktime_get_ns() + kb_stuck_ns();
	while (atomic_read_acquire(&run->gen) == gen) {
		cpu_relax();
		if (kb_past(end)) {
			WRITE_ONCE(run->broken, true);
			return false;
		}
	}
	return true;
}

static enum hrtimer_restart kb_timer_fn(struct hrtimer *timer)
{
	struct kb_thread *t = container_of(timer, struct kb_thread, timer);

	t->spec->irq(t);
	hrtimer_forward_now(timer, ns_to_ktime(KB_TIMER_NS));
	return HRTIMER_RESTART;
}

static void kb_timer_start(struct kb_thread *t)
{
	if (!t->spec->irq)
		return;
	t->irq_ops = 0;
	hrtimer_start(&t->timer, ns_to_ktime(KB_TIMER_NS),
		      HRTIMER_MODE_REL_PINNED);
}

static u64 kb_timer_stop(struct kb_thread *t)
{
	if (!t->spec->irq)
		return 0;
	hrtimer_cancel(&t->timer);
	return t->irq_ops;
}

static u64 kb_rep_ns(const struct kb_spec *spec)
{
	return (u64)(spec->flags & KB_TIMED ? kb_scale_ms : kb_rep_ms) *
	       NSEC_PER_MSEC;
}

/* The thread's loop for one pass of its case, timed. */
static void kb_loop(struct kb_thread *t, u64 n, u64 *ops, u64 *ns)
{
	const struct kb_spec *spec = t->spec;
	u64 start;

	kb_timer_start(t);
	start = ktime_get_ns();
	if (spec->flags & KB_TIMED)
		t->deadline = start + kb_rep_ns(spec);
	else
		t->deadline = start + KB_DEADLINE_FACTOR * kb_rep_ns(spec);
	*ops = spec->loop(t, n);
	*ns = ktime_get_ns() - start;
	*ops += kb_timer_stop(t);
}

/* Ready the thread for a pass of case @c. */
static void kb_thread_enter(struct kb_thread *t, unsigned int c)
{
	struct kb_run *run = t->run;
	const struct kb_spec *spec = &run->specs[c];

	t->spec = spec;
	t->nr = spec->nr;
	t->size = run->ctx->size;
	/* A hand-over shares one chain: thread 0 gets, 1 puts. */
	t->chain = run->ctx->chains[spec->flags & KB_PAIRED ? 0 : t->idx];
	t->misses = 0;
	t->samples = t->case_samples[c];
	t->nr_samples = t->samples ? spec->samples : 0;
	t->recorded = t->case_recorded[c];
}

/**
 * kb_bg_over() - is the measured loop of a background thread's pass over?
 * @t:	the background thread
 *
 * Context: a run's thread.
 * Return: true once thread 0 has finished its loop.
 */
bool kb_bg_over(const struct kb_thread *t)
{
	return atomic_read(&t->run->pass_over);
}

/* Run the case's background work until thread 0's loop is over. */
static void kb_background(struct kb_thread *t)
{
	t->deadline = ktime_get_ns() + kb_stuck_ns();
	while (!kb_bg_over(t) && !kb_expired(t))
		t->spec->bg(t, KB_TICK_MASK + 1);
}

/*
 * One pass of case @c between two barriers: its warm-up (@r < 0, kb_warmup
 * operations) or its repetition @r (run->iters[c], which thread 0 may have
 * set at the case's warm-up). Thread 0 calls the case's enter and leave
 * hooks around it, each of the case's threads its prep and done hooks.
 * With KB_BACKGROUND, the case's other threads run its background work
 * while thread 0 times its loop. A thread the case does not use sleeps
 * through the pass. False if a barrier broke.
 */
static bool kb_pass(struct kb_thread *t, unsigned int c, int r, u64 *ops,
		    u64 *ns)
{
	struct kb_run *run = t->run;
	const struct kb_spec *spec = &run->specs[c];
	bool in = t->idx < spec->nr;
	int err;
	bool ok;

	*ops = 0;
	*ns = 0;
	kb_thread_enter(t, c);
	if (!t->idx) {
		run->cur = c;
		atomic_set(&run->pass_over, 0);
		err = spec->enter ? spec->enter(t) : 0;
		if (err)
			run->err[c] = err;
	}
	if (in && spec->prep)
		spec->prep(t);
	/* The barrier orders pass_over = 0 before the background's reads. */
	ok = kb_barrier(run, run->nr, false);
	if (ok && in && t->idx && (spec->flags & KB_BACKGROUND))
		kb_background(t);
	else if (ok && in)
		kb_loop(t, r < 0 ? kb_warmup : run->iters[c], ops, ns);
	if (!t->idx)
		atomic_set(&run->pass_over, 1);
	ok = ok && kb_barrier(run, run->nr, !in);
	if (in && spec->done)
		spec->done(t);
	if (ok && in && t->idx == spec->nr - 1 && spec->drain)
		spec->drain(t);
	if (!t->idx && spec->leave)
		spec->leave(t);
	t->case_misses[c] += t->misses;
	t->case_recorded[c] = t->recorded;
	return ok;
}

/* Thread 0 sizes a repetition from its warm-up: about rep_ns long. */
static void kb_calibrate(struct kb_run *run, unsigned int c, u64 ops, u64 ns)
{
	u64 iters = ops && ns ? div64_u64(kb_rep_ns(&run->specs[c]) * ops, ns) :
				kb_warmup;

	run->iters[c] = clamp_t(u64, iters, 64, 50000000);
}

/* Each case's warm-up, then the repetitions: one of each case in turn. */
static void kb_measure(struct kb_thread *t)
{
	struct kb_run *run = t->run;
	unsigned int c, r;
	u64 ops, ns;

	for (c = 0; c < run->nr_cases; c++) {
		if (!kb_pass(t, c, -1, &ops, &ns))
			return;
		/* The others read it after the next barrier. */
		if (!t->idx && !run->iters[c])
			kb_calibrate(run, c, ops, ns);
		t->case_misses[c] = 0;
		t->case_recorded[c] = 0; /* latency samples count from here */
	}
	for (r = 0; r < kb_reps; r++) {
		for (c = 0; c < run->nr_cases; c++) {
			if (!kb_pass(t, c, r, &t->ops[c][r], &t->ns[c][r]))
				return;
		}
	}
}

static void kb_wait_stop(void)
{
	for (;;) {
		set_current_state(TASK_INTERRUPTIBLE);
		if (kthread_should_stop())
			break;
		schedule();
	}
	__set_current_state(TASK_RUNNING);
}

static int kb_worker(void *arg)
{
	struct kb_thread *t = arg;
	struct kb_run *run = t->run;
	bool filled = false;

	if (!t->idx && (run->flags & KB_PREFILLED))
		filled = !kb_prefill(t->ctx);
	if (kb_barrier(run, run->nr, false))
		kb_measure(t);
	if (filled)
		kb_unfill(t->ctx);
	if (atomic_dec_and_test(&run->left))
		complete(&run->done);
	kb_wait_stop();
	return 0;
}

/* Is thread @idx one whose operations the figures of @spec count? */
static bool kb_counted(const struct kb_spec *spec, unsigned int idx)
{
	if (idx >= spec->nr)
		return false;
	if (spec->flags & KB_PAIRED)
		return idx == 1;
	if (spec->flags & KB_BACKGROUND)
		return idx == 0;
	return true;
}

static int kb_cmp_u64(const void *a, const void *b)
{
	u64 x = *(const u64 *)a, y = *(const u64 *)b;

	return x < y ? -1 : x > y;
}

static int kb_cmp_u32(const void *a, const void *b)
{
	u32 x = *(const u32 *)a, y = *(const u32 *)b;

	return x < y ? -1 : x > y;
}

/* ns per operation and CPU of repetition @r of case @c in tenths; 0: void */
static u64 kb_rep_cost(const struct kb_run *run, unsigned int c, unsigned int r)
{
	const struct kb_spec *spec = &run->specs[c];
	u64 wall = 0, ops = 0;
	unsigned int i, nr = 0;

	for (i = 0; i < run->nr; i++) {
		if (!kb_counted(spec, i))
			continue;
		wall = max(wall, run->t[i].ns[c][r]);
		ops += run->t[i].ops[c][r];
		nr++;
	}
	return ops ? div64_u64(wall * nr * 10, ops) : 0;
}

static void kb_latency(const struct kb_run *run, unsigned int c,
		       struct kb_result *res)
{
	u32 *samples = run->t[0].case_samples[c];
	u64 n = run->t[0].case_recorded[c];

	if (!n)
		return;
	sort(samples, n, sizeof(u32), kb_cmp_u32, NULL);
	res->lat[0] = samples[div64_u64(n * 500, 1000)];
	res->lat[1] = samples[div64_u64(n * 990, 1000)];
	res->lat[2] = samples[div64_u64(n * 999, 1000)];
	res->lat[3] = samples[n - 1];
}

static void kb_summarise(const struct kb_run *run, unsigned int c,
			 struct kb_result *res)
{
	const struct kb_spec *spec = &run->specs[c];
	u64 cost[KB_MAX_REPS];
	unsigned int r, i, nr = 0;

	for (r = 0; r < kb_reps; r++) {
		res->reps[r] = kb_rep_cost(run, c, r);
		cost[r] = res->reps[r];
	}
	sort(cost, kb_reps, sizeof(cost[0]), kb_cmp_u64, NULL);
	res->ns_med = cost[kb_reps / 2];
	res->ns_min = cost[0];
	res->ns_max = cost[kb_reps - 1];
	for (i = 0; i < run->nr; i++) {
		res->misses += run->t[i].case_misses[c];
		nr += kb_counted(spec, i);
	}
	/* Mops/s * 1000 = nr * 10^3 / ns * 1000, with ns in tenths. */
	if (res->ns_med)
		res->mops = div64_u64(nr * 10000000ULL, res->ns_med);
	if (spec->samples)
		kb_latency(run, c, res);
}

static int kb_thread_init(struct kb_run *run, unsigned int idx,
			  unsigned int cpu)
{
	struct kb_thread *t = &run->t[idx];
	unsigned int c;

	t->cpu = cpu;
	hrtimer_init(&t->timer, CLOCK_MONOTONIC, HRTIMER_MODE_REL_PINNED);
	t->timer.function = kb_timer_fn;
	for (c = 0; !idx && c < run->nr_cases; c++) {
		if (!run->specs[c].samples)
			continue;
		t->case_samples[c] =
			vmalloc_array(run->specs[c].samples, sizeof(u32));
		if (!t->case_samples[c])
			return -ENOMEM;
	}
	if (idx && (run->flags & KB_BACKGROUND)) {
		t->buf = kmalloc(PAGE_SIZE, GFP_KERNEL);
		if (!t->buf)
			return -ENOMEM;
	}
	t->task = kthread_create_on_cpu(kb_worker, t, cpu, "kheap_bench/%u");
	if (IS_ERR(t->task))
		return PTR_ERR(t->task);
	get_task_struct(t->task);
	return 0;
}

static void kb_thread_stop(struct kb_thread *t)
{
	if (!IS_ERR_OR_NULL(t->task)) {
		kthread_stop(t->task);
		put_task_struct(t->task);
	}
}

static void kb_run_free(struct kb_run *run)
{
	unsigned int i, c;

	for (i = 0; i < run->nr; i++) {
		for (c = 0; c < run->nr_cases; c++)
			vfree(run->t[i].case_samples[c]);
		kfree(run->t[i].buf);
	}
	kvfree(run);
}

/* Each repetition's operations and time per thread, with verbose=1. */
static void kb_print_reps(const struct kb_run *run)
{
	const struct kb_spec *spec;
	unsigned int c, i, r;

	for (c = 0; kb_verbose && c < run->nr_cases; c++) {
		spec = &run->specs[c];
		for (i = 0; i < spec->nr; i++) {
			for (r = 0; r < kb_reps; r++)
				pr_info("rep,%s,%s,%u,%u,%u,%llu,%llu\n",
					spec->test, spec->name, spec->nr, i, r,
					run->t[i].ops[c][r],
					run->t[i].ns[c][r]);
		}
	}
}

static struct kb_run *kb_run_alloc(struct kb_ctx *ctx,
				   const struct kb_spec *specs, unsigned int n,
				   unsigned int nr)
{
	struct kb_run *run;
	unsigned int i;

	run = kvzalloc(struct_size(run, t, nr), GFP_KERNEL);
	if (!run)
		return NULL;
	run->specs = specs;
	run->nr_cases = n;
	run->nr = nr;
	run->ctx = ctx;
	for (i = 0; i < n; i++) {
		run->iters[i] = specs[i].iters;
		run->flags |= specs[i].flags;
	}
	init_waitqueue_head(&run->wq);
	atomic_set(&run->left, nr);
	init_completion(&run->done);
	for (i = 0; i < nr; i++) {
		struct kb_thread *t = &run->t[i];

		t->run = run;
		t->ctx = ctx;
		t->idx = i;
		kb_thread_enter(t, 0);
	}
	return run;
}

/* Start the threads on the first @run->nr online CPUs and wait. */
static int kb_run_threads(struct kb_run *run)
{
	unsigned int idx = 0, started, cpu;
	int err = 0;

	for_each_online_cpu(cpu) {
		if (idx == run->nr)
			break;
		err = kb_thread_init(run, idx++, cpu);
		if (err)
			break;
	}
	started = err ? idx - 1 : idx;
	/* Threads not woken never run kb_worker(): kb_run() stops them. */
	if (started != run->nr)
		return err ?: -ENODEV;
	for (idx = 0; idx < started; idx++)
		wake_up_process(run->t[idx].task);
	wait_for_completion(&run->done);
	return READ_ONCE(run->broken) ? -ETIMEDOUT : 0;
}

/* The widest case's threads; 0 if the group cannot run as one. */
static unsigned int kb_run_width(const struct kb_spec *specs, unsigned int n)
{
	unsigned int i, nr = 0;

	if (!n || n > KB_MAX_CASES)
		return 0;
	for (i = 0; i < n; i++) {
		if (!specs[i].nr)
			return 0;
		nr = max(nr, specs[i].nr);
	}
	return nr;
}

/**
 * kb_run() - measure a group of cases, their repetitions interleaved
 * @ctx:	the shared objects
 * @specs:	what to measure: @n cases (with KB_PREFILLED in any of
 *		them, the blocks stay allocated for the whole run)
 * @n:		1..KB_MAX_CASES
 * @res:	@n results, zeroed first; a case's err is set when it has no
 *		figures while the others do (its enter hook failed)
 *
 * Context: process context; sleeps until the run is over.
 * Return: 0, -EINVAL (a group that cannot run as one), -ENOMEM, -ENODEV
 * (fewer online CPUs than a case needs) or -ETIMEDOUT (a barrier gave up;
 * the figures are void).
 */
int kb_run(struct kb_ctx *ctx, const struct kb_spec *specs, unsigned int n,
	   struct kb_result *res)
{
	unsigned int nr = kb_run_width(specs, n);
	const struct kb_spec *last;
	struct kb_run *run;
	unsigned int c, i;
	int err;

	memset(res, 0, n * sizeof(*res));
	if (!nr)
		return -EINVAL;
	if (nr > num_online_cpus())
		return -ENODEV;
	run = kb_run_alloc(ctx, specs, n, nr);
	if (!run)
		return -ENOMEM;
	err = kb_run_threads(run);
	for (i = 0; i < nr; i++)
		kb_thread_stop(&run->t[i]);
	/* A broken pass may have left objects in its hand-over ring. */
	last = &specs[run->cur];
	if (last->drain)
		last->drain(&run->t[last->nr - 1]);
	if (!err) {
		kb_print_reps(run);
		for (c = 0; c < n; c++) {
			kb_summarise(run, c, &res[c]);
			res[c].err = run->err[c];
		}
	}
	kb_run_free(run);
	return err;
}

/**
 * kb_print() - print a case's figures as lines of the console protocol
 * @spec:	the case
 * @group:	the run it was part of: cases of one group were interleaved
 * @res:	its figures
 *
 * "tput,TEST,CASE,SIZE,CPUS,NS_MED,NS_MIN,NS_MAX,MOPS,MISSES";
 * "reps,TEST,CASE,SIZE,CPUS,GROUP,NS_REP1,NS_REP2,..." (ns per operation
 * and CPU of each repetition, in the order they ran); and, for a case with
 * samples, "lat,TEST,CASE,SIZE,CPUS,P50,P99,P999,MAX,SAMPLES". A case
 * without figures prints "skip,TEST,CASE,SIZE,CPUS,ERRNO".
 *
 * Context: any.
 */
void kb_print(const struct kb_spec *spec, unsigned int group,
	      const struct kb_result *res)
{
	char reps[KB_MAX_REPS * 24];
	unsigned int r;
	int len = 0;

	if (res->err) {
		pr_info("skip,%s,%s,%zu,%u,%d\n", spec->test, spec->name,
			spec->size, spec->nr, res->err);
		return;
	}
	pr_info("tput,%s,%s,%zu,%u,%llu.%llu,%llu.%llu,%llu.%llu,%llu.%03llu,%lu\n",
		spec->test, spec->name, spec->size, spec->nr, res->ns_med / 10,
		res->ns_med % 10, res->ns_min / 10, res->ns_min % 10,
		res->ns_max / 10, res->ns_max % 10, res->mops / 1000,
		res->mops % 1000, res->misses);
	reps[0] = '\0';
	for (r = 0; r < kb_reps; r++)
		len += scnprintf(reps + len, sizeof(reps) - len, ",%llu.%llu",
				 res->reps[r] / 10, res->reps[r] % 10);
	pr_info("reps,%s,%s,%zu,%u,%u%s\n", spec->test, spec->name, spec->size,
		spec->nr, group, reps);
	if (spec->samples)
		pr_info("lat,%s,%s,%zu,%u,%llu,%llu,%llu,%llu,%llu\n",
			spec->test, spec->name, spec->size, spec->nr,
			res->lat[0], res->lat[1], res->lat[2], res->lat[3],
			spec->samples);
}

/**
 * kb_timer_overhead() - the median cost of one ktime_get_ns() pair
 *
 * What a latency sample includes besides the operation.
 * Context: process context.
 * Return: ns.
 */
u64 kb_timer_overhead(void)
{
	u64 d[101];
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(d); i++) {
		u64 start = ktime_get_ns();

		d[i] = ktime_get_ns() - start;
	}
	sort(d, ARRAY_SIZE(d), sizeof(d[0]), kb_cmp_u64, NULL);
	return d[ARRAY_SIZE(d) / 2];
}
