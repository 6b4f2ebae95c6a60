-- Payment chases that were announced: the plan is derived from the orders each time, and
-- this table makes every chase announced exactly once, across restarts and crashes.
CREATE TABLE chases (
    buyer_nick    TEXT NOT NULL REFERENCES buyers (nick),
    due_at        INTEGER NOT NULL,
    step          TEXT NOT NULL,
    orders        TEXT NOT NULL,
    announced_at  INTEGER NOT NULL,
    PRIMARY KEY (buyer_nick, due_at)
);
CREATE INDEX buyers_unpaid ON buyers (unpaid_count) WHERE unpaid_count > 0;
