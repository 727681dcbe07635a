-- 0003_audit: the tamper-evident audit trail (R7.1, R7.2, R7.3). See docs/audit.md.
--
-- audit_event holds one row per event; seq is the 0-based leaf index of the RFC 9162 Merkle tree.
-- audit_node holds every complete (perfect, aligned) subtree hash: level 0 is the leaf hash of
-- event seq = idx, level l index i covers leaves [i * 2^l, (i + 1) * 2^l). Nodes are written in
-- the same transaction as the event that completes them, so proofs read O(log n) rows. The key pos
-- is the node's post-order position, 2m - popcount(m) + level with m = (idx + 1) * 2^level - 1 (the
-- order in which appends complete nodes): every append adds its rows at the end of one b-tree,
-- one page per commit instead of one per level; a row whose (level, idx) does not match its pos
-- counts as missing. The newest row gives the tree size, (idx + 1) * 2^level. Archiving deletes
-- old audit_event rows but keeps every audit_node row, so proofs and verification of what remains
-- still work.
CREATE TABLE audit_event (
	seq INTEGER PRIMARY KEY,
	time_us INTEGER NOT NULL,
	category INTEGER NOT NULL,   -- 1..5 (R7.2), checked by attt_audit_append
	action TEXT NOT NULL,
	outcome INTEGER NOT NULL,    -- 0..2, checked by attt_audit_append
	actor_account INTEGER NOT NULL,
	actor_person INTEGER NOT NULL,
	actor_agency INTEGER NOT NULL,
	actor_name TEXT,
	session TEXT,
	source TEXT,
	agency_id INTEGER NOT NULL,
	object_type TEXT,
	object_id TEXT,
	rule TEXT,
	summary TEXT
);
-- One query index only: every index costs a page write per audited commit (write amplification,
-- docs/performance.md "## Audit"). Periods (reports, R7.3 reviews, archiving) use time_us; the
-- agency filter is "agency_id = ? OR actor_agency = ?", which an index on one column cannot serve,
-- and per-account queries come with a period, so both scan the period's rows in seq order.
CREATE INDEX audit_event_time ON audit_event (time_us);

CREATE TABLE audit_node (
	pos INTEGER PRIMARY KEY,
	level INTEGER NOT NULL,
	idx INTEGER NOT NULL,
	hash BLOB NOT NULL
);

-- Signed checkpoints made by attt_audit_checkpoint; note is the full C2SP signed note text.
CREATE TABLE audit_checkpoint (
	size INTEGER PRIMARY KEY,
	time_us INTEGER NOT NULL,
	root BLOB NOT NULL,
	note TEXT NOT NULL
);

-- R7.3: log review records. A reviewer marks [from_us, to_us) of the trail as reviewed.
CREATE TABLE audit_review (
	id INTEGER PRIMARY KEY,
	agency_id INTEGER NOT NULL,
	from_us INTEGER NOT NULL,
	to_us INTEGER NOT NULL,
	reviewer_account INTEGER NOT NULL,
	reviewer_name TEXT,
	reviewed_us INTEGER NOT NULL,
	tree_size INTEGER NOT NULL,
	findings TEXT NOT NULL,
	CHECK (from_us < to_us)
);
CREATE INDEX audit_review_agency ON audit_review (agency_id, to_us);

-- Archived prefix of the trail: events with seq < first_kept were moved out of the database.
CREATE TABLE audit_archive (
	id INTEGER PRIMARY KEY,
	first_seq INTEGER NOT NULL,
	end_seq INTEGER NOT NULL,
	time_us INTEGER NOT NULL,
	file TEXT NOT NULL,
	sha256 BLOB NOT NULL
);
