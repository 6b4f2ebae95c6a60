-- Each PC announces its own agent's follow-ups and those of buyers nobody serves: the
-- scheduler's step looks up what is due by owner ('' and the agent), so that another
-- agent's backlog, left unannounced while that agent's PC is off, costs it nothing.
CREATE INDEX followups_to_announce_by_owner ON followups (owner, wake_at)
    WHERE done_at IS NULL AND announced_at IS NULL;
