-- 0004_auth: accounts, passwords, lockout, sessions, API tokens, roles, onboarding (R5.1),
-- offboarding (R5.3), account reviews (R6.1.e). See docs/access-control.md.
--
-- Secrets are never stored: password_hash is an Argon2id string; session, token, reset and recovery
-- hashes are HMAC-SHA-256 under the data directory's keys/secret.key (hex). Times are µs UTC.

-- R6.2.a: one row per account; username is lower-case ASCII and unique. A person's account belongs
-- to exactly one person; a service account to one registered service (service_name). The bootstrap
-- account is the break-glass admin made by `attt init` (no person, no agency).
CREATE TABLE account (
	id INTEGER PRIMARY KEY,
	username TEXT NOT NULL UNIQUE,
	kind TEXT NOT NULL CHECK (kind IN ('person', 'service', 'bootstrap')),
	person_id INTEGER REFERENCES person(id),
	service_name TEXT,
	agency_id INTEGER REFERENCES agency(id),
	status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'active', 'disabled')),
	disabled_reason TEXT,
	password_hash TEXT,
	password_set_at INTEGER NOT NULL DEFAULT 0,
	must_change_password INTEGER NOT NULL DEFAULT 1,
	failures INTEGER NOT NULL DEFAULT 0,
	locked_until INTEGER NOT NULL DEFAULT 0,
	totp_secret TEXT,
	totp_pending TEXT,
	totp_last_step INTEGER NOT NULL DEFAULT 0,
	-- R19: external (contractor) accounts have a sponsor account and an end date.
	sponsor_id INTEGER REFERENCES account(id),
	end_at INTEGER NOT NULL DEFAULT 0,
	last_login_at INTEGER NOT NULL DEFAULT 0,
	created_at INTEGER NOT NULL,
	updated_at INTEGER NOT NULL,
	CHECK ((kind = 'person') = (person_id IS NOT NULL)),
	CHECK ((kind = 'service') = (service_name IS NOT NULL)),
	CHECK (kind = 'bootstrap' OR agency_id IS NOT NULL)
);
CREATE INDEX account_person ON account(person_id);
CREATE INDEX account_agency ON account(agency_id);

-- R6.1.đ: the last N password hashes of each account.
CREATE TABLE password_history (
	id INTEGER PRIMARY KEY,
	account_id INTEGER NOT NULL REFERENCES account(id),
	hash TEXT NOT NULL,
	set_at INTEGER NOT NULL
);
CREATE INDEX password_history_account ON password_history(account_id, id);

-- Roles granted on an agency subtree; agency_id NULL is platform-wide (bootstrap admin only).
CREATE TABLE role_grant (
	id INTEGER PRIMARY KEY,
	account_id INTEGER NOT NULL REFERENCES account(id),
	role TEXT NOT NULL CHECK (role IN ('staff', 'security_officer', 'agency_head', 'authority',
	                                    'response_team', 'steering', 'auditor', 'admin')),
	agency_id INTEGER REFERENCES agency(id),
	granted_by INTEGER NOT NULL DEFAULT 0,
	granted_at INTEGER NOT NULL
);
CREATE UNIQUE INDEX role_grant_unique ON role_grant(account_id, role, COALESCE(agency_id, 0));

-- R6.1.c: browser sessions. ref is a short public reference for the UI and the audit trail.
CREATE TABLE session (
	id INTEGER PRIMARY KEY,
	token_hash TEXT NOT NULL UNIQUE,
	ref TEXT NOT NULL UNIQUE,
	account_id INTEGER NOT NULL REFERENCES account(id),
	created_at INTEGER NOT NULL,
	last_used_at INTEGER NOT NULL,
	source TEXT,
	user_agent TEXT,
	ended_at INTEGER NOT NULL DEFAULT 0,
	end_reason TEXT
);
CREATE INDEX session_account ON session(account_id, ended_at);

-- Scoped, expiring API tokens for automation.
CREATE TABLE api_token (
	id INTEGER PRIMARY KEY,
	token_hash TEXT NOT NULL UNIQUE,
	account_id INTEGER NOT NULL REFERENCES account(id),
	name TEXT NOT NULL,
	scopes TEXT NOT NULL,
	created_at INTEGER NOT NULL,
	expires_at INTEGER NOT NULL,
	revoked_at INTEGER NOT NULL DEFAULT 0,
	last_used_at INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX api_token_account ON api_token(account_id);

-- R6.2.b: one-time password resets issued by an officer (single use, short-lived).
CREATE TABLE password_reset (
	id INTEGER PRIMARY KEY,
	token_hash TEXT NOT NULL UNIQUE,
	account_id INTEGER NOT NULL REFERENCES account(id),
	created_by INTEGER NOT NULL,
	created_at INTEGER NOT NULL,
	expires_at INTEGER NOT NULL,
	used_at INTEGER NOT NULL DEFAULT 0
);

-- Multi-factor recovery codes, each usable once.
CREATE TABLE recovery_code (
	id INTEGER PRIMARY KEY,
	account_id INTEGER NOT NULL REFERENCES account(id),
	code_hash TEXT NOT NULL,
	used_at INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX recovery_code_account ON recovery_code(account_id);

-- R5.1: versioned rules text and each person's acknowledgment.
CREATE TABLE rules_version (
	id INTEGER PRIMARY KEY,
	version TEXT NOT NULL UNIQUE,
	body TEXT NOT NULL,
	published_at INTEGER NOT NULL
);
CREATE TABLE rules_ack (
	person_id INTEGER NOT NULL REFERENCES person(id),
	version_id INTEGER NOT NULL REFERENCES rules_version(id),
	acknowledged_at INTEGER NOT NULL,
	PRIMARY KEY (person_id, version_id)
);

-- R5.3: offboarding cases and their checklists, kept as evidence.
CREATE TABLE offboarding (
	id INTEGER PRIMARY KEY,
	person_id INTEGER NOT NULL REFERENCES person(id),
	agency_id INTEGER NOT NULL REFERENCES agency(id),
	reason TEXT NOT NULL,
	opened_by INTEGER NOT NULL,
	opened_at INTEGER NOT NULL,
	closed_at INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE offboarding_item (
	id INTEGER PRIMARY KEY,
	case_id INTEGER NOT NULL REFERENCES offboarding(id),
	kind TEXT NOT NULL,
	description TEXT NOT NULL,
	done_at INTEGER NOT NULL DEFAULT 0,
	done_by INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX offboarding_item_case ON offboarding_item(case_id);

-- R6.1.e: account review campaigns per agency, one item per account and role.
CREATE TABLE review_campaign (
	id INTEGER PRIMARY KEY,
	agency_id INTEGER NOT NULL REFERENCES agency(id),
	started_by INTEGER NOT NULL,
	started_at INTEGER NOT NULL,
	due_at INTEGER NOT NULL,
	closed_at INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX review_campaign_agency ON review_campaign(agency_id, started_at);
CREATE TABLE review_item (
	id INTEGER PRIMARY KEY,
	campaign_id INTEGER NOT NULL REFERENCES review_campaign(id),
	account_id INTEGER NOT NULL REFERENCES account(id),
	grant_id INTEGER,
	role TEXT,
	role_agency_id INTEGER,
	decision TEXT NOT NULL DEFAULT 'pending' CHECK (decision IN ('pending', 'confirm', 'revoke')),
	decided_by INTEGER NOT NULL DEFAULT 0,
	decided_at INTEGER NOT NULL DEFAULT 0,
	note TEXT
);
CREATE INDEX review_item_campaign ON review_item(campaign_id, id);

-- R5.1: the first version of the rules every new person acknowledges; an agency publishes its own
-- text as a later version.
INSERT INTO rules_version (version, body, published_at) VALUES ('1',
'Quy chế bảo đảm an toàn thông tin mạng: giữ bí mật tài khoản và mật khẩu, đổi mật khẩu được cấp ngay khi nhận, không cho người khác mượn tài khoản; không tải hoặc chia sẻ tài liệu nội bộ lên Internet; báo ngay cho cán bộ chuyên trách khi phát hiện sự cố. (Network information security rules: keep your account and password secret, change an issued password at once, never lend your account; do not upload or share internal documents to the Internet; report any incident to the security officer at once.)',
0);
