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
#include <linux/timekeeping.h>
#include <linux/vmalloc.h>

#include "kheap_bench.h"

/* A repetition gives up after this many times rep_ms. */
#define KB_DEADLINE_FACTOR 25
/* A barrier, or a background thread, gives up after this long. */
#define KB_STUCK_NS (60 * NSEC_PER_SEC)
/* Period of the scaling runs' hrtimer. */
#define KB_TIMER_NS NSEC_PER_MSEC

/**
 * struct kb_run - one measurement in progress
 * @spec:	what it measures
 * @ctx:	the shared objects
 * @iters:	operations per repetition (set by thread 0 when calibrating)
 * @rep_ns:	target length of a repetition
 * @arrived:	threads at the current barrier
 * @gen:	barrier generation, bumped by the last thread to arrive
 * @stop:	tells background threads to finish
 * @broken:	a barrier timed out; the figures are void
 * @left:	threads still running
 * @done:	completed by the last thread
 * @t:		the threads, @spec->nr of them
 */
struct kb_run {
	const struct kb_spec *spec;
	struct kb_ctx *ctx;
	u64 iters;
	u64 rep_ns;
	atomic_t arrived;
	atomic_t gen;
	atomic_t stop;
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

/* Wait until @count threads arrived; false if that took KB_STUCK_NS. */
static bool kb_barrier(struct kb_run *run, unsigned int count)
{
	int gen = atomic_read(&run->gen);
	u64 end;

	/* Fully ordered: our read of gen comes before our arrival. */
	if (atomic_inc_return(&run->arrived) == count) {
		atomic_set(&run->arrived, 0);
		/* Pairs with the acquire below: arrived is 0 again first. */
		atomic_set_release(&run->gen, gen + 1);
		return true;
	}
	end = ktime_get_ns() + KB_STUCK_NS;
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

	t->run->spec->irq(t);
	hrtimer_forward_now(timer, ns_to_ktime(KB_TIMER_NS));
	return HRTIMER_RESTART;
}

static void kb_timer_start(struct kb_thread *t)
{
	if (!t->run->spec->irq)
		return;
	t->irq_ops = 0;
	hrtimer_start(&t->timer, ns_to_ktime(KB_TIMER_NS),
		      HRTIMER_MODE_REL_PINNED);
}

static u64 kb_timer_stop(struct kb_thread *t)
{
	if (!t->run->spec->irq)
		return 0;
	hrtimer_cancel(&t->timer);
	return t->irq_ops;
}

/* The threads the barriers wait for after the start gate. */
static unsigned int kb_synced(const struct kb_run *run)
{
	return run->spec->flags & KB_BACKGROUND ? 1 : run->spec->nr;
}

/*
 * One pass between two barriers: the warm-up (kb_warmup operations) or a
 * repetition (run->iters, which thread 0 may have set just before the
 * first barrier, so it is read after it). False if a barrier broke.
 */
static bool kb_pass(struct kb_thread *t, bool warm, u64 *ops, u64 *ns)
{
	struct kb_run *run = t->run;
	u64 start, n;

	if (!kb_barrier(run, kb_synced(run)))
		return false;
	n = warm ? kb_warmup : run->iters;
	kb_timer_start(t);
	start = ktime_get_ns();
	if (run->spec->flags & KB_TIMED)
		t->deadline = start + run->rep_ns;
	else
		t->deadline = start + KB_DEADLINE_FACTOR * run->rep_ns;
	*ops = run->spec->loop(t, n);
	*ns = ktime_get_ns() - start;
	*ops += kb_timer_stop(t);
	return kb_barrier(run, kb_synced(run));
}

/* Thread 0 sizes a repetition from its warm-up: about rep_ns long. */
static void kb_calibrate(struct kb_run *run, u64 ops, u64 ns)
{
	u64 iters = ops && ns ? div64_u64(run->rep_ns * ops, ns) : kb_warmup;

	run->iters = clamp_t(u64, iters, 64, 50000000);
}

static void kb_measure(struct kb_thread *t)
{
	struct kb_run *run = t->run;
	u64 ops, ns;
	unsigned int r;

	if (!kb_pass(t, true, &ops, &ns))
		return;
	/* The others read it after the next barrier. */
	if (!t->idx && !run->iters)
		kb_calibrate(run, ops, ns);
	t->recorded = 0; /* latency samples count from here */
	for (r = 0; r < kb_reps; r++) {
		if (!kb_pass(t, false, &t->ops[r], &t->ns[r]))
			return;
	}
}

static void kb_background(struct kb_thread *t)
{
	struct kb_run *run = t->run;

	t->deadline = ktime_get_ns() + KB_STUCK_NS;
	while (!atomic_read(&run->stop) && !kb_expired(t))
		run->spec->bg(t, KB_TICK_MASK + 1);
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

	if (!t->idx && (run->spec->flags & KB_PREFILLED))
		filled = !kb_prefill(t->ctx);
	if (kb_barrier(run, run->spec->nr)) {
		if (t->idx && (run->spec->flags & KB_BACKGROUND))
			kb_background(t);
		else
			kb_measure(t);
	}
	if (!t->idx)
		atomic_set(&run->stop, 1);
	if (filled)
		kb_unfill(t->ctx);
	if (atomic_dec_and_test(&run->left))
		complete(&run->done);
	kb_wait_stop();
	return 0;
}

/* Is thread @idx one whose operations the figures count? */
static bool kb_counted(const struct kb_spec *spec, unsigned int idx)
{
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

/* ns per operation and CPU of repetition @r, in tenths; 0 if void. */
static u64 kb_rep_cost(const struct kb_run *run, unsigned int r)
{
	u64 wall = 0, ops = 0;
	unsigned int i, nr = 0;

	for (i = 0; i < run->spec->nr; i++) {
		if (!kb_counted(run->spec, i))
			continue;
		wall = max(wall, run->t[i].ns[r]);
		ops += run->t[i].ops[r];
		nr++;
	}
	return ops ? div64_u64(wall * nr * 10, ops) : 0;
}

static void kb_latency(const struct kb_run *run, struct kb_result *res)
{
	const struct kb_thread *t = &run->t[0];
	u64 n = t->recorded;

	if (!n)
		return;
	sort(t->samples, n, sizeof(u32), kb_cmp_u32, NULL);
	res->lat[0] = t->samples[div64_u64(n * 500, 1000)];
	res->lat[1] = t->samples[div64_u64(n * 990, 1000)];
	res->lat[2] = t->samples[div64_u64(n * 999, 1000)];
	res->lat[3] = t->samples[n - 1];
}

static void kb_summarise(const struct kb_run *run, struct kb_result *res)
{
	u64 cost[KB_MAX_REPS];
	unsigned int r, i, nr = 0;

	for (r = 0; r < kb_reps; r++)
		cost[r] = kb_rep_cost(run, r);
	sort(cost, kb_reps, sizeof(cost[0]), kb_cmp_u64, NULL);
	res->ns_med = cost[kb_reps / 2];
	res->ns_min = cost[0];
	res->ns_max = cost[kb_reps - 1];
	for (i = 0; i < run->spec->nr; i++) {
		res->misses += run->t[i].misses;
		nr += kb_counted(run->spec, i);
	}
	/* Mops/s * 1000 = nr * 10^3 / ns * 1000, with ns in tenths. */
	if (res->ns_med)
		res->mops = div64_u64(nr * 10000000ULL, res->ns_med);
	if (run->spec->samples)
		kb_latency(run, res);
}

static int kb_thread_init(struct kb_run *run, unsigned int idx,
			  unsigned int cpu)
{
	const struct kb_spec *spec = run->spec;
	struct kb_thread *t = &run->t[idx];

	t->cpu = cpu;
	hrtimer_init(&t->timer, CLOCK_MONOTONIC, HRTIMER_MODE_REL_PINNED);
	t->timer.function = kb_timer_fn;
	if (!idx && spec->samples) {
		t->samples = vmalloc_array(spec->samples, sizeof(u32));
		t->nr_samples = spec->samples;
		if (!t->samples)
			return -ENOMEM;
	}
	if (idx && spec->bg) {
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
	unsigned int i;

	for (i = 0; i < run->spec->nr; i++) {
		vfree(run->t[i].samples);
		kfree(run->t[i].buf);
	}
	kvfree(run);
}

/* Each repetition's operations and time per thread, with verbose=1. */
static void kb_print_reps(const struct kb_run *run)
{
	unsigned int i, r;

	for (i = 0; kb_verbose && i < run->spec->nr; i++) {
		for (r = 0; r < kb_reps; r++)
			pr_info("rep,%s,%s,%u,%u,%u,%llu,%llu\n",
				run->spec->test, run->spec->name, run->spec->nr,
				i, r, run->t[i].ops[r], run->t[i].ns[r]);
	}
}

static struct kb_run *kb_run_alloc(struct kb_ctx *ctx,
				   const struct kb_spec *spec)
{
	struct kb_run *run;
	unsigned int i;

	run = kvzalloc(struct_size(run, t, spec->nr), GFP_KERNEL);
	if (!run)
		return NULL;
	run->spec = spec;
	run->ctx = ctx;
	run->iters = spec->iters;
	run->rep_ns = (u64)(spec->flags & KB_TIMED ? kb_scale_ms : kb_rep_ms) *
		      NSEC_PER_MSEC;
	atomic_set(&run->left, spec->nr);
	init_completion(&run->done);
	for (i = 0; i < spec->nr; i++) {
		struct kb_thread *t = &run->t[i];

		t->run = run;
		t->ctx = ctx;
		t->idx = i;
		t->nr = spec->nr;
		t->size = ctx->size;
		/* A hand-over shares one chain: thread 0 gets, 1 puts. */
		t->chain = ctx->chains[spec->flags & KB_PAIRED ? 0 : i];
	}
	return run;
}

/* Start the threads on the first @spec->nr online CPUs and wait. */
static int kb_run_threads(struct kb_run *run)
{
	unsigned int idx = 0, started, cpu;
	int err = 0;

	for_each_online_cpu(cpu) {
		if (idx == run->spec->nr)
			break;
		err = kb_thread_init(run, idx++, cpu);
		if (err)
			break;
	}
	started = err ? idx - 1 : idx;
	if (started != run->spec->nr) {
		/* Threads not woken never run kb_worker(): just stop them. */
		atomic_set(&run->stop, 1);
		return err ?: -ENODEV;
	}
	for (idx = 0; idx < started; idx++)
		wake_up_process(run->t[idx].task);
	wait_for_completion(&run->done);
	return READ_ONCE(run->broken) ? -ETIMEDOUT : 0;
}

/**
 * kb_run() - measure one case
 * @ctx:	the shared objects
 * @spec:	what to measure
 * @res:	the figures, zeroed first
 *
 * Context: process context; sleeps until the run is over.
 * Return: 0, -ENOMEM, -ENODEV (fewer online CPUs than @spec->nr) or
 * -ETIMEDOUT (a barrier gave up; the figures are void).
 */
int kb_run(struct kb_ctx *ctx, const struct kb_spec *spec,
	   struct kb_result *res)
{
	struct kb_run *run;
	unsigned int i;
	int err;

	memset(res, 0, sizeof(*res));
	if (spec->nr > num_online_cpus())
		return -ENODEV;
	run = kb_run_alloc(ctx, spec);
	if (!run)
		return -ENOMEM;
	err = kb_run_threads(run);
	for (i = 0; i < spec->nr; i++)
		kb_thread_stop(&run->t[i]);
	if (spec->drain)
		spec->drain(&run->t[spec->nr - 1]);
	if (!err) {
		kb_print_reps(run);
		kb_summarise(run, res);
	}
	kb_run_free(run);
	return err;
}

/**
 * kb_print() - print a run's figures as one line of the console protocol
 * @spec:	the run
 * @size:	the object size (0 when it does not apply)
 * @res:	its figures
 *
 * "tput,TEST,CASE,SIZE,CPUS,NS_MED,NS_MIN,NS_MAX,MOPS,MISSES" and, for a
 * run with samples, "lat,TEST,CASE,SIZE,CPUS,P50,P99,P999,MAX,SAMPLES".
 *
 * Context: any.
 */
void kb_print(const struct kb_spec *spec, size_t size,
	      const struct kb_result *res)
{
	pr_info("tput,%s,%s,%zu,%u,%llu.%llu,%llu.%llu,%llu.%llu,%llu.%03llu,%lu\n",
		spec->test, spec->name, size, spec->nr, res->ns_med / 10,
		res->ns_med % 10, res->ns_min / 10, res->ns_min % 10,
		res->ns_max / 10, res->ns_max % 10, res->mops / 1000,
		res->mops % 1000, res->misses);
	if (spec->samples)
		pr_info("lat,%s,%s,%zu,%u,%llu,%llu,%llu,%llu,%llu\n",
			spec->test, spec->name, size, spec->nr, res->lat[0],
			res->lat[1], res->lat[2], res->lat[3], spec->samples);
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
