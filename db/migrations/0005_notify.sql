-- 0005_notify: the durable outbox of notifications and the in-app inbox (src/lib/notify, docs/mail.md).
--
-- A notification is written in the same transaction as the change it tells about, so it exists if
-- and only if the change committed (R11.3: escalations are notified at once, and a mail server
-- outage loses nothing). The deliverer sends due mails and records each attempt; a mail is never
-- deleted, only moved from 'queued' to 'sent' or, after the last attempt, to 'failed' (an operator
-- can queue it again). Times are µs UTC.

-- state: queued (to send at next_attempt_at), sent, failed (attempts exhausted), inapp (no mail
-- address: only the inbox). next_attempt_at is also the claim: a deliverer that takes a mail moves
-- it forward by a lease first, so that two deliverers never send the same mail at once.
CREATE TABLE notification (
	id INTEGER PRIMARY KEY,
	kind TEXT NOT NULL,
	to_address TEXT,
	person_id INTEGER REFERENCES person(id),
	account_id INTEGER REFERENCES account(id),
	subject TEXT NOT NULL,
	body TEXT NOT NULL,
	ref_type TEXT,
	ref_id INTEGER,
	state TEXT NOT NULL DEFAULT 'queued' CHECK (state IN ('queued', 'sent', 'failed', 'inapp')),
	attempts INTEGER NOT NULL DEFAULT 0,
	next_attempt_at INTEGER NOT NULL DEFAULT 0,
	last_error TEXT,
	created_at INTEGER NOT NULL,
	sent_at INTEGER NOT NULL DEFAULT 0,
	CHECK (to_address IS NOT NULL OR person_id IS NOT NULL OR account_id IS NOT NULL),
	CHECK ((state = 'inapp') = (to_address IS NULL))
);
CREATE INDEX notification_due ON notification(state, next_attempt_at, id);
CREATE INDEX notification_ref ON notification(ref_type, ref_id, id);

-- The in-app inbox: one row per notification for its person and/or account; read_at 0 = unread.
CREATE TABLE inbox_item (
	id INTEGER PRIMARY KEY,
	notification_id INTEGER NOT NULL REFERENCES notification(id),
	person_id INTEGER REFERENCES person(id),
	account_id INTEGER REFERENCES account(id),
	read_at INTEGER NOT NULL DEFAULT 0,
	created_at INTEGER NOT NULL,
	CHECK (person_id IS NOT NULL OR account_id IS NOT NULL)
);
CREATE INDEX inbox_item_person ON inbox_item(person_id, read_at, id);
CREATE INDEX inbox_item_account ON inbox_item(account_id, read_at, id);
