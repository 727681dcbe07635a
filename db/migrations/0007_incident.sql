-- 0007_incident.sql: incidents (R8.8 reporting, R11.1 severity, R11.2 the five steps, R11.3
-- escalation deadlines), their timeline of every change and their observables.
-- Times are UTC microseconds; step 0 means closed (the process has ended).

CREATE TABLE incident (
	id INTEGER PRIMARY KEY,
	agency_id INTEGER NOT NULL REFERENCES agency(id),
	title TEXT NOT NULL,
	description TEXT NOT NULL,
	detected_at INTEGER NOT NULL,
	reported_at INTEGER NOT NULL,
	reporter TEXT NOT NULL,
	reporter_account_id INTEGER REFERENCES account(id),
	reporter_person_id INTEGER REFERENCES person(id),
	affected_system TEXT,
	incident_type TEXT NOT NULL DEFAULT 'other',
	severity TEXT NOT NULL DEFAULT 'low' CHECK (severity IN ('low', 'medium', 'high', 'emergency')),
	status TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'closed')),
	step INTEGER NOT NULL DEFAULT 1 CHECK (step BETWEEN 0 AND 5),
	owner_account_id INTEGER REFERENCES account(id),
	escalated_at INTEGER NOT NULL DEFAULT 0,
	notice_due_at INTEGER NOT NULL DEFAULT 0,
	report_due_at INTEGER NOT NULL DEFAULT 0,
	closing_due_at INTEGER NOT NULL DEFAULT 0,
	closed_at INTEGER NOT NULL DEFAULT 0,
	updated_at INTEGER NOT NULL
);
CREATE INDEX incident_agency ON incident(agency_id, id);

-- Every change of an incident, in order: kind (report, classify, advance, assign, observable,
-- escalate), the values before and after, and the reason or the step's required text.
CREATE TABLE incident_event (
	id INTEGER PRIMARY KEY,
	incident_id INTEGER NOT NULL REFERENCES incident(id),
	at INTEGER NOT NULL,
	actor TEXT NOT NULL,
	kind TEXT NOT NULL,
	from_value TEXT,
	to_value TEXT,
	detail TEXT
);
CREATE INDEX incident_event_incident ON incident_event(incident_id, id);

CREATE TABLE incident_observable (
	id INTEGER PRIMARY KEY,
	incident_id INTEGER NOT NULL REFERENCES incident(id),
	kind TEXT NOT NULL CHECK (kind IN ('ip', 'domain', 'hash', 'account', 'url', 'other')),
	value TEXT NOT NULL,
	created_at INTEGER NOT NULL,
	UNIQUE (incident_id, kind, value)
);

-- Documents generated from the record (Mẫu 03, 04, 05 as PDF), kept with the incident.
CREATE TABLE incident_document (
	id INTEGER PRIMARY KEY,
	incident_id INTEGER NOT NULL REFERENCES incident(id),
	form TEXT NOT NULL CHECK (form IN ('03', '04', '05')),
	sha256 TEXT NOT NULL,
	size INTEGER NOT NULL,
	content BLOB NOT NULL,
	created_at INTEGER NOT NULL,
	created_by TEXT NOT NULL
);
CREATE INDEX incident_document_incident ON incident_document(incident_id, id);
