-- When a platform timer next changes where a buyer stands by time alone (kefu-core's
-- `Standing::changes_at`: an unpaid order closing, a shipped one confirmed): the buyer is
-- derived again at that moment (kefu-db's `regroup_due`), by whichever PC gets there first.
ALTER TABLE buyers ADD COLUMN regroup_at BIGINT;
CREATE INDEX buyers_to_regroup ON buyers (regroup_at) WHERE regroup_at IS NOT NULL;
-- Buyers stored before knew no timers: every order and shipped buyer is looked at once.
UPDATE buyers SET regroup_at = 0 WHERE grp IN (1, 2);
