-- The team database enforces who may do what itself, so that the role checks of kefu-core
-- are not mere advice to whoever reads a PC's database address. Two logins (README, "Team
-- database"): the owner runs the migrations; every PC connects as a login that is a member
-- of `kefu_pc`, which
--   * reads every table but the password hashes, the sessions and the sign-in failures;
--   * writes an agent's daily work (orders, buyers, follow-ups, conversations, presence)
--     but deletes no follow-up (a new plan withdraws its own unannounced reminders through
--     `withdraw_followups`, which never touches one added by hand or done), and changes no
--     account's name, role or password;
--   * adds an account only through `add_agent`, signed in as the main account or a
--     supervisor (or as the first, main, account of an empty shop);
--   * writes the schedule (排班) only while signed in as the main account or a supervisor
--     (row-level security).
-- Signed in means a session: `sign_in` compares the hash the PC computed with the account's
-- salt (`password_salt`), keeps count of failures with the waits of kefu-core's
-- `team::sign_in`, on the database's own clock, and returns a token; the PC sets it on each
-- of its connections as `kefu.session`. The database keeps only the token's SHA-256.
-- PostgreSQL only: a PC's own SQLite file has one user.

DO $$
BEGIN
    CREATE ROLE kefu_pc NOLOGIN;
EXCEPTION
    -- Made by the admin beforehand, by another shop's database on this server, or by a
    -- migration running at this moment.
    WHEN duplicate_object OR unique_violation THEN NULL;
END $$;

CREATE TABLE sessions (
    token_hash  TEXT PRIMARY KEY NOT NULL,
    agent_id    BIGINT NOT NULL REFERENCES agents (id),
    started_at  BIGINT NOT NULL
);

-- A secret of this database: the salt a name without an account is given is derived from
-- it, so that the answer to `password_salt` does not tell which names exist.
CREATE TABLE secrets (
    name   TEXT PRIMARY KEY NOT NULL,
    value  TEXT NOT NULL
);
INSERT INTO secrets (name, value)
VALUES ('unknown_name_salt', gen_random_uuid()::TEXT || gen_random_uuid()::TEXT);

-- kefu-core's `team::sign_in::wait_after` in seconds: five failures are free, then 30 s
-- doubling up to 15 min (a test compares the two).
CREATE FUNCTION sign_in_wait(p_failures BIGINT) RETURNS BIGINT
LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE WHEN p_failures < 5 THEN 0
                ELSE least(30::BIGINT << least(p_failures - 5, 20)::INT, 900) END
$$;

-- How long a session lasts after its sign-in.
CREATE FUNCTION session_days() RETURNS BIGINT LANGUAGE sql IMMUTABLE AS $$ SELECT 30::BIGINT $$;

-- The account signed in on this connection (`kefu.session`), if any.
CREATE FUNCTION session_agent() RETURNS BIGINT
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
    SELECT s.agent_id FROM sessions s
    WHERE s.token_hash = encode(sha256(convert_to(current_setting('kefu.session', true), 'UTF8')), 'hex')
      AND s.started_at > floor(extract(epoch FROM now()))::BIGINT - session_days() * 86400
$$;

-- kefu-core's `team::allowed` for managing agents and the schedule: the main account or a
-- supervisor.
CREATE FUNCTION session_may_supervise() RETURNS BOOLEAN
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
    SELECT coalesce((SELECT a.role IN ('main', 'supervisor') FROM agents a
                     WHERE a.id = session_agent()), false)
$$;

-- The parameters and salt of `p_name`'s password hash (a PHC string without its output),
-- for the PC to hash the password with. A name without an account gets the main account's
-- parameters and a salt of its own, the same at every call; NULL in a shop with no account.
CREATE FUNCTION password_salt(p_name TEXT) RETURNS TEXT
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
    SELECT coalesce(
        (SELECT substring(password_hash FROM '^(\$[^$]*\$[^$]*\$[^$]*\$[^$]*)\$')
         FROM agents WHERE name = p_name),
        (SELECT substring(a.password_hash FROM '^(\$[^$]*\$[^$]*\$[^$]*)\$') || '$'
                || rtrim(encode(decode(md5(s.value || p_name), 'hex'), 'base64'), '=')
         FROM agents a, secrets s
         WHERE a.role = 'main' AND s.name = 'unknown_name_salt'))
$$;

-- Signs in: a token when `p_hash` is the account's password hash; otherwise counts a
-- failure (for a name with or without an account). While the name waits, nothing is
-- compared and `wait_seconds` says how long is left.
CREATE FUNCTION sign_in(p_name TEXT, p_hash TEXT, OUT token TEXT, OUT wait_seconds BIGINT)
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    v_now BIGINT := floor(extract(epoch FROM clock_timestamp()))::BIGINT;
    v_failures BIGINT;
    v_last BIGINT;
    v_agent BIGINT;
BEGIN
    wait_seconds := 0;
    -- kefu-core's FORGOTTEN_AFTER_SECONDS: a day on, failures count no more.
    DELETE FROM sign_in_failures WHERE last_failed_at <= v_now - 86400;
    SELECT failures, last_failed_at INTO v_failures, v_last
    FROM sign_in_failures WHERE name = p_name;
    IF v_last IS NOT NULL AND v_now < v_last + sign_in_wait(v_failures) THEN
        wait_seconds := v_last + sign_in_wait(v_failures) - v_now;
        RETURN;
    END IF;
    SELECT id INTO v_agent FROM agents WHERE name = p_name AND password_hash = p_hash;
    IF v_agent IS NULL THEN
        INSERT INTO sign_in_failures (name, failures, last_failed_at) VALUES (p_name, 1, v_now)
        ON CONFLICT (name) DO UPDATE
        SET failures = sign_in_failures.failures + 1, last_failed_at = excluded.last_failed_at;
        RETURN;
    END IF;
    DELETE FROM sign_in_failures WHERE name = p_name;
    DELETE FROM sessions WHERE started_at <= v_now - session_days() * 86400;
    token := replace(gen_random_uuid()::TEXT || gen_random_uuid()::TEXT, '-', '');
    INSERT INTO sessions (token_hash, agent_id, started_at)
    VALUES (encode(sha256(convert_to(token, 'UTF8')), 'hex'), v_agent, v_now);
END $$;

-- Adds an account (the caller has checked kefu-core's `team::check_new_account`): a PC
-- signed in as a supervisor or the main account, the first (main) account of an empty shop,
-- or the owner's login.
CREATE FUNCTION add_agent(p_name TEXT, p_role TEXT, p_hash TEXT, p_in_routing BIGINT,
                          p_max_load BIGINT, p_weight BIGINT, p_idle_since BIGINT)
RETURNS VOID
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
    -- The owner's login (the shop's setup) may; a PC's login needs the session.
    IF NOT (session_may_supervise()
            OR has_table_privilege(session_user, 'agents', 'INSERT')
            OR (p_role = 'main' AND NOT EXISTS (SELECT 1 FROM agents))) THEN
        RAISE EXCEPTION 'adding an account needs the sign-in of a supervisor or the main account'
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    INSERT INTO agents (name, role, password_hash, in_routing, max_load, weight, idle_since)
    VALUES (p_name, p_role, p_hash, p_in_routing, p_max_load, p_weight, p_idle_since);
END $$;

-- Withdraws follow-ups a new plan no longer has (kefu-core's `agenda::reconcile`): never one
-- done, never a kind added by hand (`Kind::is_by_hand`; a test compares the two). `p_ids`
-- is a comma-separated list. Returns how many went.
CREATE FUNCTION withdraw_followups(p_ids TEXT) RETURNS BIGINT
LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS $$
    WITH gone AS (
        DELETE FROM followups
        WHERE id = ANY (string_to_array(p_ids, ',')::BIGINT[]) AND done_at IS NULL
          AND kind NOT IN ('promised_answer', 'refund_reply', 'refund_reply_quick',
                           'return_receipt')
        RETURNING 1)
    SELECT count(*) FROM gone
$$;

-- What a PC's login may touch. Anything not named here it may not.
GRANT USAGE ON SCHEMA public TO kefu_pc;
GRANT SELECT ON _sqlx_migrations TO kefu_pc;
GRANT SELECT, INSERT, UPDATE ON buyers, orders, chases, followups, conversations,
    group_counts, handovers, handover_items, online_spans TO kefu_pc;
GRANT SELECT, INSERT, UPDATE, DELETE ON order_items, group_count_changes,
    agenda_plan_needed, waiting TO kefu_pc;
GRANT SELECT (id, name, role, state, in_routing, max_load, weight, load, idle_since,
              last_seen, missed, silent_state) ON agents TO kefu_pc;
-- Presence and load: written by routing on every PC, for every agent.
GRANT UPDATE (state, last_seen, idle_since, load, missed, silent_state) ON agents TO kefu_pc;
GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO kefu_pc;
-- Routing's view of the team (none of the hidden columns); UPDATE, for the row locks a
-- claim takes through it (the view itself cannot be written).
GRANT SELECT, UPDATE ON routable_agents TO kefu_pc;

-- The schedule: everyone reads it, a supervisor's session writes it.
DO $$
DECLARE
    t TEXT;
BEGIN
    FOREACH t IN ARRAY ARRAY['shift_templates', 'schedule_weeks', 'shifts', 'published_shifts',
                             'time_off', 'peak_days'] LOOP
        EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON %I TO kefu_pc', t);
        EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format('CREATE POLICY everyone_reads ON %I FOR SELECT USING (true)', t);
        EXECUTE format('CREATE POLICY supervisors_write ON %I FOR ALL TO kefu_pc '
                       'USING (session_may_supervise()) WITH CHECK (session_may_supervise())', t);
    END LOOP;
END $$;
