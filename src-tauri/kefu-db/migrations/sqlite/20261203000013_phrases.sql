-- Quick phrases (快捷短语): the shop's set (owner '') and each agent's own, in the order
-- the agents arranged them. A set is written whole (kefu-core's operations act on the
-- list), guarded by its version so that two editors cannot overwrite each other.
CREATE TABLE phrase_sets (
    set_kind  TEXT NOT NULL,
    owner     TEXT NOT NULL,
    version   INTEGER NOT NULL,
    PRIMARY KEY (set_kind, owner)
);

CREATE TABLE phrases (
    set_kind  TEXT NOT NULL,
    owner     TEXT NOT NULL,
    position  INTEGER NOT NULL,
    grp       TEXT NOT NULL,
    code      TEXT NOT NULL,
    text      TEXT NOT NULL,
    PRIMARY KEY (set_kind, owner, position)
);

-- How often each agent copied each phrase, by code (a code survives edits and moves).
CREATE TABLE phrase_uses (
    agent     TEXT NOT NULL,
    set_kind  TEXT NOT NULL,
    code      TEXT NOT NULL,
    uses      INTEGER NOT NULL,
    PRIMARY KEY (agent, set_kind, code)
);
