-- 0009_incident_tasks.sql: the work around an incident (issue 5): tasks with assignees and due
-- dates on both sides of step 4 (R11.2: the agency and the provincial response team), links between
-- incidents, and the deadline notifications already sent (R11.3), so that the sweep of `attt serve`
-- and `attt incident sweep` tell each deadline once. Times are UTC microseconds, 0 for unset.

CREATE TABLE incident_task (
	id INTEGER PRIMARY KEY,
	incident_id INTEGER NOT NULL REFERENCES incident(id),
	title TEXT NOT NULL,
	side TEXT NOT NULL DEFAULT 'agency' CHECK (side IN ('agency', 'response')),
	assignee_account_id INTEGER REFERENCES account(id),
	due_at INTEGER NOT NULL DEFAULT 0,
	status TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'done', 'cancelled')),
	created_at INTEGER NOT NULL,
	created_by TEXT NOT NULL,
	updated_at INTEGER NOT NULL
);
CREATE INDEX incident_task_incident ON incident_task(incident_id, id);
CREATE INDEX incident_task_assignee ON incident_task(assignee_account_id, status);

-- A link from one incident to another: related (either way), duplicate (from repeats to), caused-by
-- (from was caused by to). Both ends show it; one row per ordered pair and kind.
CREATE TABLE incident_link (
	id INTEGER PRIMARY KEY,
	from_id INTEGER NOT NULL REFERENCES incident(id),
	to_id INTEGER NOT NULL REFERENCES incident(id),
	kind TEXT NOT NULL CHECK (kind IN ('related', 'duplicate', 'caused-by')),
	created_at INTEGER NOT NULL,
	created_by TEXT NOT NULL,
	CHECK (from_id <> to_id),
	UNIQUE (from_id, to_id, kind)
);
CREATE INDEX incident_link_to ON incident_link(to_id);

-- R11.3: one row per incident, deadline (notice, report, closing) and kind (near, missed) once its
-- notification was enqueued, in the same transaction; the primary key makes the sweep idempotent.
CREATE TABLE incident_deadline_notice (
	incident_id INTEGER NOT NULL REFERENCES incident(id),
	deadline TEXT NOT NULL CHECK (deadline IN ('notice', 'report', 'closing')),
	kind TEXT NOT NULL CHECK (kind IN ('near', 'missed')),
	due_at INTEGER NOT NULL,
	sent_at INTEGER NOT NULL,
	recipients INTEGER NOT NULL,
	PRIMARY KEY (incident_id, deadline, kind)
);
