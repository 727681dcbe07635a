-- 0008_incident_attachment.sql: files attached to incidents as evidence (R8.6), each scanned with
-- libclamav before it is stored. The bytes live in the row itself (a BLOB), so that the row and its
-- bytes commit or roll back together: a crash never leaves a row without its file or a file without
-- its row, and backups of attt.db carry the evidence.
--
-- state 'clean': content is the file as uploaded, served to readers of the incident.
-- state 'quarantined': libclamav matched signature; content is the file XOR-masked with 0xA5 byte
-- by byte, so that no scanner on the host sees live malware in attt.db (and quarantines the whole
-- database), and no route ever serves it (every read asks for state 'clean').
-- name is the sanitised NFC file name; media_type what the content is (sniffed from its first bytes,
-- never taken from the client); sha256 the hex digest of the bytes as uploaded.

CREATE TABLE incident_attachment (
	id INTEGER PRIMARY KEY,
	incident_id INTEGER NOT NULL REFERENCES incident(id),
	name TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 255),
	media_type TEXT NOT NULL,
	size INTEGER NOT NULL CHECK (size > 0),
	sha256 TEXT NOT NULL CHECK (length(sha256) = 64),
	state TEXT NOT NULL CHECK (state IN ('clean', 'quarantined')),
	signature TEXT,
	uploader TEXT NOT NULL,
	uploader_account_id INTEGER REFERENCES account(id),
	created_at INTEGER NOT NULL,
	content BLOB NOT NULL,
	CHECK ((state = 'clean' AND signature IS NULL) OR (state = 'quarantined' AND signature IS NOT NULL)),
	CHECK (length(content) = size)
);
CREATE INDEX incident_attachment_incident ON incident_attachment(incident_id, id);
