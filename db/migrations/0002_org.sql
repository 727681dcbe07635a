-- 0002_org.sql: agencies and people (R1.2).
-- agency.path is the materialised path "/<root id>/.../<own id>/": X lies in Y's subtree exactly when
-- X.path starts with Y.path, which an index on path answers as a range. Move and merge keep it (and
-- depth) up to date. Nothing is deleted: renames, moves and merges are rows of agency_history, and a
-- merged agency stays with status 'merged' and merged_into pointing at the agency it went into.
-- Text columns *_fold hold attt_text_fold() of the name, for search without case or diacritics.

CREATE TABLE agency (
	id INTEGER PRIMARY KEY,
	name TEXT NOT NULL,
	name_fold TEXT NOT NULL,
	code TEXT UNIQUE,
	type TEXT NOT NULL,
	parent_id INTEGER REFERENCES agency(id),
	path TEXT NOT NULL UNIQUE,
	depth INTEGER NOT NULL CHECK (depth >= 1),
	status TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'merged', 'dissolved')),
	merged_into INTEGER REFERENCES agency(id),
	created_at INTEGER NOT NULL,
	updated_at INTEGER NOT NULL,
	CHECK ((status = 'merged') = (merged_into IS NOT NULL))
);
CREATE INDEX agency_parent ON agency(parent_id);
CREATE INDEX agency_name_fold ON agency(name_fold);

CREATE TABLE agency_history (
	id INTEGER PRIMARY KEY,
	agency_id INTEGER NOT NULL REFERENCES agency(id),
	at INTEGER NOT NULL,
	kind TEXT NOT NULL CHECK (kind IN ('create', 'rename', 'move', 'merge', 'merged_from', 'dissolve')),
	old_value TEXT,
	new_value TEXT,
	actor TEXT
);
CREATE INDEX agency_history_agency ON agency_history(agency_id, id);

CREATE TABLE person (
	id INTEGER PRIMARY KEY,
	agency_id INTEGER NOT NULL REFERENCES agency(id),
	full_name TEXT NOT NULL,
	name_fold TEXT NOT NULL,
	position TEXT,
	email TEXT,
	phone TEXT,
	status TEXT NOT NULL DEFAULT 'active'
		CHECK (status IN ('active', 'on_leave', 'transferred', 'retired', 'left')),
	created_at INTEGER NOT NULL,
	updated_at INTEGER NOT NULL
);
CREATE INDEX person_agency ON person(agency_id);
CREATE INDEX person_name_fold ON person(name_fold, id);
CREATE INDEX person_email ON person(email);
