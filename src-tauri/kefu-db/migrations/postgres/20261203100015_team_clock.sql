-- One clock for a team: every PC keeps the database's time, so that presence, follow-ups
-- and shifts agree whichever PC wrote them. A PC may start its own clock
-- (`KEFU_CLOCK_START`, for replaying a day) only on a practice database, which its owner
-- marks so (`pcs_may_set_clock`): the tests' databases, a shop's training copy. A PC's
-- login reads this and cannot change it.
CREATE TABLE team_clock (
    pcs_may_set_clock  BOOLEAN NOT NULL DEFAULT false
);
INSERT INTO team_clock (pcs_may_set_clock) VALUES (false);
GRANT SELECT ON team_clock TO kefu_pc;
