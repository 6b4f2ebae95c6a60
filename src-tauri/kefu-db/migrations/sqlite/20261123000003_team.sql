-- The team: the shop's main account and its sub-accounts, the buyers each one serves, and
-- the buyers waiting for someone to free up.
CREATE TABLE agents (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    name           TEXT NOT NULL UNIQUE,
    role           TEXT NOT NULL CHECK (role IN ('main', 'supervisor', 'agent')),
    -- argon2id, PHC string.
    password_hash  TEXT NOT NULL,
    state          TEXT NOT NULL DEFAULT 'offline' CHECK (state IN ('online', 'suspended', 'offline')),
    in_routing     INTEGER NOT NULL DEFAULT 1,
    max_load       INTEGER NOT NULL DEFAULT 8 CHECK (max_load >= 0),
    weight         INTEGER NOT NULL DEFAULT 1 CHECK (weight >= 1),
    load           INTEGER NOT NULL DEFAULT 0 CHECK (load >= 0),
    idle_since     INTEGER NOT NULL,
    last_seen      INTEGER,
    -- Assignments not opened in time, routed elsewhere.
    missed         INTEGER NOT NULL DEFAULT 0,
    -- The database itself refuses a load above the maximum (the main account, the last
    -- resort, has none).
    CHECK (role = 'main' OR load <= max_load)
);
CREATE UNIQUE INDEX one_main_account ON agents (role) WHERE role = 'main';

CREATE TABLE conversations (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    buyer_nick   TEXT NOT NULL REFERENCES buyers (nick),
    agent_id     INTEGER NOT NULL REFERENCES agents (id),
    asked        TEXT NOT NULL DEFAULT '',
    -- Why the buyer went to this agent (JSON of kefu-core's team::Why).
    why          TEXT NOT NULL,
    assigned_at  INTEGER NOT NULL,
    opened_at    INTEGER,
    closed_at    INTEGER,
    -- closed, transferred, rerouted (not opened in time), agent_offline
    ended        TEXT
);
-- No buyer is served twice at once.
CREATE UNIQUE INDEX one_open_conversation ON conversations (buyer_nick) WHERE closed_at IS NULL;
CREATE INDEX open_conversations_of_agent ON conversations (agent_id) WHERE closed_at IS NULL;
CREATE INDEX served_before ON conversations (buyer_nick, assigned_at);

CREATE TABLE waiting (
    buyer_nick  TEXT PRIMARY KEY NOT NULL REFERENCES buyers (nick),
    asked       TEXT NOT NULL DEFAULT '',
    since       INTEGER NOT NULL,
    why         TEXT NOT NULL,
    alerted_at  INTEGER
);
CREATE INDEX waiting_oldest ON waiting (since);
