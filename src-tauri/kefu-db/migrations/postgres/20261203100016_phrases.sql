-- Quick phrases (快捷短语): the shop's set (owner '') and each agent's own, in the order
-- the agents arranged them. A set is written whole (kefu-core's operations act on the
-- list), guarded by its version so that two editors cannot overwrite each other.
CREATE TABLE phrase_sets (
    set_kind  TEXT NOT NULL,
    owner     TEXT NOT NULL,
    version   BIGINT NOT NULL,
    PRIMARY KEY (set_kind, owner)
);

CREATE TABLE phrases (
    set_kind  TEXT NOT NULL,
    owner     TEXT NOT NULL,
    position  BIGINT NOT NULL,
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
    uses      BIGINT NOT NULL,
    PRIMARY KEY (agent, set_kind, code)
);

-- kefu-core's `phrases::may_edit`, for the account signed in on this connection: the
-- shop's set is a supervisor's or the main account's, a personal set its owner's.
CREATE FUNCTION session_may_edit_phrases(p_set TEXT, p_owner TEXT) RETURNS BOOLEAN
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
    SELECT CASE p_set
        WHEN 'shop' THEN p_owner = '' AND session_may_supervise()
        WHEN 'personal' THEN coalesce(
            (SELECT a.name = p_owner FROM agents a WHERE a.id = session_agent()), false)
        ELSE false END
$$;

-- Everyone reads the phrases; a PC writes only what its signed-in account may edit, and
-- counts only its own uses.
GRANT SELECT, INSERT, UPDATE, DELETE ON phrase_sets, phrases, phrase_uses TO kefu_pc;
ALTER TABLE phrase_sets ENABLE ROW LEVEL SECURITY;
ALTER TABLE phrases ENABLE ROW LEVEL SECURITY;
ALTER TABLE phrase_uses ENABLE ROW LEVEL SECURITY;
CREATE POLICY everyone_reads ON phrase_sets FOR SELECT USING (true);
CREATE POLICY editors_write ON phrase_sets FOR ALL TO kefu_pc
    USING (session_may_edit_phrases(set_kind, owner))
    WITH CHECK (session_may_edit_phrases(set_kind, owner));
CREATE POLICY everyone_reads ON phrases FOR SELECT USING (true);
CREATE POLICY editors_write ON phrases FOR ALL TO kefu_pc
    USING (session_may_edit_phrases(set_kind, owner))
    WITH CHECK (session_may_edit_phrases(set_kind, owner));
CREATE POLICY everyone_reads ON phrase_uses FOR SELECT USING (true);
CREATE POLICY own_uses ON phrase_uses FOR ALL TO kefu_pc
    USING (coalesce((SELECT a.name = agent FROM agents a WHERE a.id = session_agent()), false))
    WITH CHECK (coalesce((SELECT a.name = agent FROM agents a WHERE a.id = session_agent()), false));
