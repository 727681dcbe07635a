-- 0012_review_change.sql: R6.1.e: a reviewer confirms, changes or revokes each account and role.
-- "change" replaces a role item's grant by another role on the same agency in one step; the item
-- keeps the role it was reviewed with (role) and records the one it was changed to (new_role).
-- SQLite cannot alter a CHECK constraint, so the table is rebuilt; nothing refers to review_item.
CREATE TABLE review_item_new (
	id INTEGER PRIMARY KEY,
	campaign_id INTEGER NOT NULL REFERENCES review_campaign(id),
	account_id INTEGER NOT NULL REFERENCES account(id),
	grant_id INTEGER,
	role TEXT,
	role_agency_id INTEGER,
	decision TEXT NOT NULL DEFAULT 'pending' CHECK (decision IN ('pending', 'confirm', 'change', 'revoke')),
	decided_by INTEGER NOT NULL DEFAULT 0,
	decided_at INTEGER NOT NULL DEFAULT 0,
	note TEXT,
	new_role TEXT CHECK (new_role IS NULL OR decision = 'change')
);
INSERT INTO review_item_new (id, campaign_id, account_id, grant_id, role, role_agency_id, decision, decided_by,
			     decided_at, note)
	SELECT id, campaign_id, account_id, grant_id, role, role_agency_id, decision, decided_by, decided_at, note
	FROM review_item;
DROP TABLE review_item;
ALTER TABLE review_item_new RENAME TO review_item;
CREATE INDEX review_item_campaign ON review_item(campaign_id, id);
