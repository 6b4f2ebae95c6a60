-- 交接班: at the end of a shift the leaving agent's open conversations and follow-ups pass
-- to the agents of the next shift. Each handover keeps the leaving agent's note and a
-- record of every item: what it was, whose buyer, and who received it.
CREATE TABLE handovers (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    from_agent_id  INTEGER NOT NULL REFERENCES agents (id),
    note           TEXT NOT NULL DEFAULT '',
    at             INTEGER NOT NULL
);
CREATE INDEX handovers_at ON handovers (at);

CREATE TABLE handover_items (
    handover_id  INTEGER NOT NULL REFERENCES handovers (id),
    kind         TEXT NOT NULL CHECK (kind IN ('conversation', 'followup')),
    -- The conversation handed over (closed by the handover), or the follow-up.
    item_id      INTEGER NOT NULL,
    buyer_nick   TEXT NOT NULL,
    to_agent_id  INTEGER NOT NULL REFERENCES agents (id),
    PRIMARY KEY (handover_id, kind, item_id)
);
CREATE INDEX handover_items_to ON handover_items (to_agent_id);
