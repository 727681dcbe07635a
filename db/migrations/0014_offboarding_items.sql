-- 0014_offboarding_items: the R5.3 checklist is ticked off (src/lib/account/process.c,
-- docs/access-control.md "Offboarding").
--
-- R5.3: each item of an offboarding case (an account, the IT assets, the accounts outside attt, the
-- keys and badges) is marked recovered by an officer, with a note of what was recovered and how
-- (done_at and done_by existed since 0004); the case closes when its last item is ticked. The
-- ticks and the case are the evidence.
ALTER TABLE offboarding_item ADD COLUMN note TEXT NOT NULL DEFAULT '';
CREATE INDEX offboarding_open ON offboarding(closed_at, id);
