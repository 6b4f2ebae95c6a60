-- The agenda (待办): every follow-up of every buyer, planned from the orders whenever they
-- change, or added by hand. The list is the truth; a notification only taps the agent on
-- the shoulder, once (announced_at), so a restart or a crash never repeats or loses one.
CREATE TABLE followups (
    -- AUTOINCREMENT: an id is never reused, so a window holding an old one cannot act
    -- on a different follow-up.
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    buyer_nick     TEXT NOT NULL REFERENCES buyers (nick),
    -- Names the follow-up among the buyer's, stable across plans (see kefu-core agenda).
    key            TEXT NOT NULL,
    kind           TEXT NOT NULL,
    step           TEXT,
    -- The order numbers covered, comma-separated.
    orders         TEXT NOT NULL DEFAULT '',
    amount_fen     INTEGER NOT NULL DEFAULT 0,
    due_at         INTEGER NOT NULL,
    expires_at     INTEGER,
    -- When it next needs the agent: the due time, or the end of a snooze.
    wake_at        INTEGER NOT NULL,
    -- The agent it belongs to; empty means the agent signed in on each PC.
    owner          TEXT NOT NULL DEFAULT '',
    note           TEXT NOT NULL DEFAULT '',
    announced_at   INTEGER,
    snoozed_until  INTEGER,
    done_at        INTEGER,
    done_by        TEXT,
    UNIQUE (buyer_nick, key)
);
CREATE INDEX followups_to_announce ON followups (wake_at)
    WHERE done_at IS NULL AND announced_at IS NULL;
CREATE INDEX followups_open ON followups (wake_at) WHERE done_at IS NULL;

-- A database that already has orders gets its agenda planned once, at the next open.
CREATE TABLE agenda_plan_needed (needed INTEGER NOT NULL);
INSERT INTO agenda_plan_needed (needed) SELECT 1 FROM orders LIMIT 1;
