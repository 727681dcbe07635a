-- 0006_backup_plans: backup plans and their runs, the compliance layer over the backup engine
-- (src/lib/bplan, docs/backup-plans.md).
--
-- R10.1.b: a plan backs up its sources into a repository every interval_days (at most the policy
-- profile's backup.max_interval_days). The repository passphrase is never stored here: a plan
-- holds the path of a passphrase file that only attt may read (mode 0600 or 0400). Every run,
-- successful or not, is a row of backup_run and an audit event. overdue_due_at is the due time
-- (µs UTC) for which officers were last alerted, so that one overdue period raises one alert.
-- R10.2.c: every drill_days a restore drill restores the latest snapshot to a scratch directory and
-- verifies every file; backup_drill is its evidence (duration, counts, result).
CREATE TABLE backup_plan (
	id INTEGER PRIMARY KEY,
	agency_id INTEGER NOT NULL REFERENCES agency(id),
	name TEXT NOT NULL,
	repo TEXT NOT NULL,
	passphrase_file TEXT NOT NULL,
	interval_days INTEGER NOT NULL CHECK (interval_days >= 1),
	drill_days INTEGER NOT NULL CHECK (drill_days >= 1),
	last_drill_ok_at INTEGER NOT NULL DEFAULT 0,
	-- 1: attt's own database is copied (SQLite online backup) and saved with the sources.
	with_database INTEGER NOT NULL DEFAULT 0,
	created_at INTEGER NOT NULL,
	last_ok_at INTEGER NOT NULL DEFAULT 0,
	overdue_due_at INTEGER NOT NULL DEFAULT 0,
	UNIQUE (agency_id, name)
);

CREATE TABLE backup_plan_source (
	plan_id INTEGER NOT NULL REFERENCES backup_plan(id),
	pos INTEGER NOT NULL,
	path TEXT NOT NULL,
	PRIMARY KEY (plan_id, pos)
);

-- result: ok or failed (error holds the error name). bytes: file bytes read; snapshot: 64 hex.
CREATE TABLE backup_run (
	id INTEGER PRIMARY KEY,
	plan_id INTEGER NOT NULL REFERENCES backup_plan(id),
	started_at INTEGER NOT NULL,
	ended_at INTEGER NOT NULL,
	result TEXT NOT NULL CHECK (result IN ('ok', 'failed')),
	bytes INTEGER NOT NULL DEFAULT 0,
	files INTEGER NOT NULL DEFAULT 0,
	snapshot TEXT,
	error TEXT
);
CREATE INDEX backup_run_plan ON backup_run(plan_id, started_at);

CREATE TABLE backup_drill (
	id INTEGER PRIMARY KEY,
	plan_id INTEGER NOT NULL REFERENCES backup_plan(id),
	started_at INTEGER NOT NULL,
	ended_at INTEGER NOT NULL,
	result TEXT NOT NULL CHECK (result IN ('ok', 'failed')),
	snapshot TEXT,
	files INTEGER NOT NULL DEFAULT 0,
	bytes INTEGER NOT NULL DEFAULT 0,
	error TEXT
);
CREATE INDEX backup_drill_plan ON backup_drill(plan_id, started_at);

-- R10.2.b: the catalogue of what each agency backs up: the data or software, its owner system,
-- retention, backup schedule, method and restore-test schedule (exported as CSV for the dossier).
-- plan_id links an entry to the plan that carries it out, when there is one.
CREATE TABLE backup_catalogue (
	id INTEGER PRIMARY KEY,
	agency_id INTEGER NOT NULL REFERENCES agency(id),
	item TEXT NOT NULL,
	kind TEXT NOT NULL CHECK (kind IN ('data', 'software')),
	owner_system TEXT NOT NULL,
	retention_days INTEGER NOT NULL CHECK (retention_days >= 1),
	schedule TEXT NOT NULL,
	method TEXT NOT NULL,
	restore_test TEXT NOT NULL,
	plan_id INTEGER REFERENCES backup_plan(id),
	created_at INTEGER NOT NULL,
	UNIQUE (agency_id, item)
);
