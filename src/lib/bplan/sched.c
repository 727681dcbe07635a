/*
 * sched.c: the backup scheduler of attt serve (R10.1.b runs, R10.2.c restore drills). The tick
 * thread must not wait minutes for a backup or a restore (the audit checkpoint and mail delivery
 * share it), so runs and drills happen on one worker thread, one at a time, with its own database
 * connection. The tick hands over the next due job only when the worker is idle, a due run before a
 * due drill; what is due, and whether a plan is already being run or drilled (by this worker, by
 * cron, by hand, or by a serve that crashed), is decided from the database (attt_bplan_next_due,
 * attt_bplan_next_drill_due and the plan's claim), so that a restart neither runs a job twice nor
 * forgets one that was cut short, and a run and a drill of one plan never overlap.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "attt/audit.h"
#include "attt/bplan.h"
#include "attt/db.h"
#include "attt/err.h"

struct attt_bplan_sched {
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t cond;             /* signalled on every change of the fields below */
	char *db_path, *data_dir, *scratch_dir;
	const struct attt_clock *clock;
	struct attt_bplan_env env;
	struct attt_bplan_sched_job handed; /* job handed over, plan_id 0: none */
	bool busy, stop;
	struct attt_bplan_sched_done done;
};

/* The scheduler acts as the system, not as a person. */
static const struct attt_actor sched_actor = { .username = "system", .source = "scheduler" };

static void *worker(void *arg)
{
	struct attt_bplan_sched *s = arg;
	struct attt_db *db = NULL;
	int open_err = attt_db_open(s->db_path, 0, &db);

	pthread_mutex_lock(&s->lock);
	for (;;) {
		while (!s->stop && !s->handed.plan_id)
			pthread_cond_wait(&s->cond, &s->lock);
		if (!s->handed.plan_id)
			break; /* stop, and nothing handed over */
		struct attt_bplan_sched_job job = s->handed;
		pthread_mutex_unlock(&s->lock);

		struct attt_bplan_sched_done d = { .plan_id = job.plan_id, .drill = job.drill };
		if (open_err < 0)
			d.err = open_err;
		else if (job.drill) /* R10.2.c: recorded and audited exactly as a drill by hand */
			d.err = attt_bplan_drill(db, s->clock, &sched_actor, &s->env, job.plan_id, &d.drill_res);
		else
			d.err = attt_bplan_run(db, s->clock, &sched_actor, &s->env, job.plan_id, &d.res);

		pthread_mutex_lock(&s->lock);
		s->done = d;
		s->handed = (struct attt_bplan_sched_job){ 0 };
		s->busy = false;
		pthread_cond_broadcast(&s->cond);
	}
	pthread_mutex_unlock(&s->lock);
	attt_db_close(db);
	return NULL;
}

static char *dup_or_null(const char *p, bool *ok)
{
	char *d = p ? strdup(p) : NULL;
	if (p && !d)
		*ok = false;
	return d;
}

int attt_bplan_sched_new(const char *db_path, const struct attt_clock *clock, const struct attt_bplan_env *env,
			 struct attt_bplan_sched **ret)
{
	struct attt_bplan_sched *s = calloc(1, sizeof(*s));
	bool ok = true;

	if (!s)
		return ATTT_E_NOMEM;
	s->db_path = dup_or_null(db_path, &ok);
	s->data_dir = dup_or_null(env->data_dir, &ok);
	s->scratch_dir = dup_or_null(env->scratch_dir, &ok);
	if (!ok || !db_path) {
		free(s->db_path);
		free(s->data_dir);
		free(s->scratch_dir);
		free(s);
		return db_path ? ATTT_E_NOMEM : ATTT_E_INVAL;
	}
	s->clock = clock;
	s->env = *env;
	s->env.data_dir = s->data_dir;
	s->env.scratch_dir = s->scratch_dir;
	/* env's dev and space callbacks keep their contexts, borrowed like clock */
	pthread_mutex_init(&s->lock, NULL);
	pthread_cond_init(&s->cond, NULL);
	if (pthread_create(&s->thread, NULL, worker, s) != 0) {
		pthread_cond_destroy(&s->cond);
		pthread_mutex_destroy(&s->lock);
		free(s->db_path);
		free(s->data_dir);
		free(s->scratch_dir);
		free(s);
		return ATTT_E_NOMEM;
	}
	*ret = s;
	return ATTT_OK;
}

int attt_bplan_sched_tick(struct attt_bplan_sched *s, struct attt_db *db, int64_t now_us,
			  struct attt_bplan_sched_job *ret_started, struct attt_bplan_sched_done *ret_done)
{
	struct attt_bplan_sched_done done = { 0 };
	struct attt_bplan_sched_job job = { 0 };
	bool busy;
	int r = ATTT_OK;

	pthread_mutex_lock(&s->lock);
	busy = s->busy;
	if (!busy) {
		done = s->done;
		s->done = (struct attt_bplan_sched_done){ 0 };
	}
	pthread_mutex_unlock(&s->lock);
	if (!busy) {
		/* R10.1.b: the plan whose time has come; the worker claims it before it starts. */
		r = attt_bplan_next_due(db, now_us, &job.plan_id);
		if (r == ATTT_E_NOTFOUND) {
			/* R10.2.c: no run due: a restore drill whose time has come */
			job.drill = true;
			r = attt_bplan_next_drill_due(db, now_us, &job.plan_id);
		}
		if (r == ATTT_E_NOTFOUND) {
			job = (struct attt_bplan_sched_job){ 0 };
			r = ATTT_OK;
		}
		if (r == ATTT_OK && job.plan_id) {
			pthread_mutex_lock(&s->lock);
			s->handed = job;
			s->busy = true;
			pthread_cond_broadcast(&s->cond);
			pthread_mutex_unlock(&s->lock);
		}
	}
	if (ret_done)
		*ret_done = done;
	if (r < 0)
		return r;
	if (ret_started)
		*ret_started = job;
	return ATTT_OK;
}

void attt_bplan_sched_wait(struct attt_bplan_sched *s)
{
	pthread_mutex_lock(&s->lock);
	while (s->busy)
		pthread_cond_wait(&s->cond, &s->lock);
	pthread_mutex_unlock(&s->lock);
}

void attt_bplan_sched_free(struct attt_bplan_sched *s)
{
	if (!s)
		return;
	attt_bplan_sched_wait(s);
	pthread_mutex_lock(&s->lock);
	s->stop = true;
	pthread_cond_broadcast(&s->cond);
	pthread_mutex_unlock(&s->lock);
	pthread_join(s->thread, NULL);
	pthread_cond_destroy(&s->cond);
	pthread_mutex_destroy(&s->lock);
	free(s->db_path);
	free(s->data_dir);
	free(s->scratch_dir);
	free(s);
}
