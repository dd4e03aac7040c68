/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A crew for kheap's KUnit suites: one kthread bound to each online CPU,
 * started together and stopped together, with no deadline: the test says
 * when they stop (a quiescent point), and a failed assertion stops them too
 * (a KUnit action), so no thread outlives its test.
 *
 * Each member's function calls kt_crew_ready() first, works until its own
 * condition or kthread_should_stop(), and ends with kt_crew_park(), which
 * waits for the stop. kt_crew_start() returns once every member is ready.
 */
#ifndef _KHEAP_TEST_CREW_H
#define _KHEAP_TEST_CREW_H

#include <kunit/test.h>
#include <linux/completion.h>
#include <linux/cpumask.h>
#include <linux/kthread.h>
#include <linux/sched.h>
#include <linux/sched/task.h>

struct kt_crew;

/**
 * struct kt_member - one member of a crew
 * @crew:	its crew
 * @task:	its kthread
 * @cpu:	the CPU it is bound to
 * @idx:	0 to the crew's @n - 1
 */
struct kt_member {
	struct kt_crew *crew;
	struct task_struct *task;
	unsigned int cpu;
	unsigned int idx;
};

/**
 * struct kt_crew - kthreads, one per online CPU
 * @m:		@n members, sized nr_cpu_ids (never NR_CPUS on the stack)
 * @n:		how many were created
 * @pending:	members not ready yet
 * @ready:	completed by the last member to be ready
 * @priv:	the test's state, for the members
 * @running:	started and not stopped yet
 */
struct kt_crew {
	struct kt_member *m;
	unsigned int n;
	atomic_t pending;
	struct completion ready;
	void *priv;
	bool running;
};

/* A member says it runs; the last one wakes kt_crew_start(). */
static inline void kt_crew_ready(struct kt_member *m)
{
	if (atomic_dec_and_test(&m->crew->pending))
		complete(&m->crew->ready);
}

/* A member that is done waits here for kt_crew_stop(). */
static inline int kt_crew_park(void)
{
	set_current_state(TASK_INTERRUPTIBLE);
	while (!kthread_should_stop()) {
		schedule();
		set_current_state(TASK_INTERRUPTIBLE);
	}
	__set_current_state(TASK_RUNNING);
	return 0;
}

/*
 * Stop every member and drop the references taken on them. Returns the sum
 * of what they returned (a member stopped before it first ran returns
 * -EINTR: kt_crew_start() waits for all to be ready, so none is).
 */
static inline int kt_crew_stop(struct kt_crew *crew)
{
	int total = 0;
	unsigned int i;

	if (!crew->running)
		return 0;
	crew->running = false;
	for (i = 0; i < crew->n; i++) {
		total += kthread_stop(crew->m[i].task);
		put_task_struct(crew->m[i].task);
	}
	return total;
}

static void kt_crew_stop_action(void *crew)
{
	kt_crew_stop(crew);
}

/*
 * Create a member running @fn on each online CPU, all before any starts,
 * then start them and wait until every one called kt_crew_ready(). The
 * crew is stopped when the test ends, if the test did not stop it.
 */
static inline struct kt_crew *kt_crew_start(struct kunit *test,
					    int (*fn)(void *), void *priv,
					    const char *name)
{
	struct kt_crew *crew = kunit_kzalloc(test, sizeof(*crew), GFP_KERNEL);
	unsigned int cpu, i;
	long err = 0;

	KUNIT_ASSERT_NOT_NULL(test, crew);
	crew->m = kunit_kcalloc(test, nr_cpu_ids, sizeof(*crew->m), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, crew->m);
	crew->priv = priv;
	init_completion(&crew->ready);
	for_each_online_cpu(cpu) {
		struct kt_member *m = &crew->m[crew->n];

		m->crew = crew;
		m->cpu = cpu;
		m->idx = crew->n;
		m->task = kthread_create(fn, m, "%s/%u", name, cpu);
		if (IS_ERR(m->task)) {
			err = PTR_ERR(m->task);
			break;
		}
		kthread_bind(m->task, cpu);
		get_task_struct(m->task);
		crew->n++;
	}
	crew->running = true;
	if (err) {
		kt_crew_stop(crew);
		KUNIT_ASSERT_EQ_MSG(test, err, 0, "kthread_create");
	}
	KUNIT_ASSERT_EQ(test, 0,
			kunit_add_action_or_reset(test, kt_crew_stop_action,
						  crew));
	atomic_set(&crew->pending, crew->n);
	for (i = 0; i < crew->n; i++)
		wake_up_process(crew->m[i].task);
	wait_for_completion(&crew->ready);
	return crew;
}

#endif /* _KHEAP_TEST_CREW_H */
