-- 0011_backup_plan_lifecycle: plans and catalogue entries are edited and retired, never deleted,
-- and attt serve runs the plans given to it (src/lib/bplan, docs/backup-plans.md).
--
-- retired_at (µs UTC, 0: active) and retired_reason: a removed plan or catalogue entry stays, with
-- its runs, drills and audit events, as evidence; it is no longer run, alerted or exported. Its
-- name stays taken in its agency, so that the trail's references to it remain unambiguous.
-- run_by: who starts the plan's runs: 'serve' (the scheduler of attt serve) or 'cron' (an
-- operator's cron line or systemd timer). Plans made before this migration keep 'cron', as their
-- documentation said, so that an upgrade does not start running them twice.
-- run_claimed_at, run_claimed_by ("host:pid"): the run in progress, claimed in its own transaction
-- before the engine starts and released in the transaction that records the run, so that two
-- runners (attt serve and cron, or a restarted serve) never run one plan at once, and a run that a
-- crash interrupted is found and recorded as failed.
ALTER TABLE backup_plan ADD COLUMN retired_at INTEGER NOT NULL DEFAULT 0;
ALTER TABLE backup_plan ADD COLUMN retired_reason TEXT;
ALTER TABLE backup_plan ADD COLUMN updated_at INTEGER NOT NULL DEFAULT 0;
ALTER TABLE backup_plan ADD COLUMN run_by TEXT NOT NULL DEFAULT 'cron' CHECK (run_by IN ('serve', 'cron'));
ALTER TABLE backup_plan ADD COLUMN run_claimed_at INTEGER NOT NULL DEFAULT 0;
ALTER TABLE backup_plan ADD COLUMN run_claimed_by TEXT;

ALTER TABLE backup_catalogue ADD COLUMN retired_at INTEGER NOT NULL DEFAULT 0;
ALTER TABLE backup_catalogue ADD COLUMN retired_reason TEXT;
ALTER TABLE backup_catalogue ADD COLUMN updated_at INTEGER NOT NULL DEFAULT 0;

-- The last time attt serve alerted that attt's own database has no backup plan (meta key
-- backup_db_alerted_at, µs UTC) is kept in meta; nothing to create for it here.
