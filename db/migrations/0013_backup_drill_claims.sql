-- 0013_backup_drill_claims: restore drills run by the scheduler of attt serve hold the same claim
-- as runs (src/lib/bplan, docs/backup-plans.md "Restore drills").
--
-- R10.2.c: a drill restores a whole snapshot and reads the same repository as a run, so a drill and
-- a run of one plan never happen at once: both claim the plan through run_claimed_at/by (0011).
-- run_claim_kind says which one holds the claim, so that a claim left by a crash is recorded as
-- an interrupted run or an interrupted drill, each with its own audit event and alert.
-- run_claim_scratch: the scratch directory the claim holder made (the drill's restore target, or a
-- run's copy of the database), so that the one who takes over an interrupted claim removes it.
ALTER TABLE backup_plan ADD COLUMN run_claim_kind TEXT NOT NULL DEFAULT 'run' CHECK (run_claim_kind IN ('run', 'drill'));
ALTER TABLE backup_plan ADD COLUMN run_claim_scratch TEXT;
