-- A claim never takes an agent past its maximum load, whatever committed between the pick
-- and the write: the condition is in the UPDATE itself, which PostgreSQL evaluates again on
-- the row it waited for. `claim_new_buyer` of 20261202100004 with that condition; a claim
-- that finds its agent full takes nobody, and the caller routes the usual way.
CREATE OR REPLACE PROCEDURE claim_new_buyer(
    p_nick TEXT, p_asked TEXT, p_t BIGINT, p_seen_after BIGINT, p_plans JSON,
    p_announce BOOLEAN,
    INOUT agent_id BIGINT DEFAULT NULL, INOUT agent_name TEXT DEFAULT NULL,
    INOUT agent_load BIGINT DEFAULT NULL, INOUT agent_max_load BIGINT DEFAULT NULL,
    INOUT conversation_id BIGINT DEFAULT NULL)
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM set_config('kefu_desk.announce_later', 'on', true);
    PERFORM set_config('kefu_desk.seen_after', p_seen_after::TEXT, true);
    PERFORM set_config('kefu_desk.at', p_t::TEXT, true);
    WITH pick AS (
        -- A known buyer is routed the usual way: no agent is locked for it.
        SELECT best_agent_for_new_buyer(-1) AS id
        WHERE NOT EXISTS (SELECT 1 FROM buyers b WHERE b.nick = p_nick)),
    took AS (
        UPDATE agents SET load = load + 1, idle_since = p_t
        FROM pick WHERE agents.id = pick.id
          -- Re-checked on the row as it is when the lock is had: a claim committed since
          -- the pick may have filled the agent, and then nobody is taken here.
          AND (agents.role = 'main' OR agents.load < agents.max_load)
        RETURNING agents.id, agents.name, agents.load - 1 AS load, agents.max_load),
    buyer AS (
        INSERT INTO buyers (nick, grp, sort_key, first_seen_at)
        SELECT p_nick, 0, -p_t, p_t FROM took
        ON CONFLICT (nick) DO NOTHING RETURNING nick),
    conversation AS (
        INSERT INTO conversations (buyer_nick, agent_id, asked, why, assigned_at)
        SELECT buyer.nick, took.id, p_asked,
               json_build_object('rule', 'lowest_load', 'agent', took.name,
                                 'load', took.load, 'max_load', took.max_load)::text,
               p_t
        FROM buyer, took
        ON CONFLICT (buyer_nick) WHERE closed_at IS NULL DO NOTHING RETURNING id),
    planned AS (
        INSERT INTO followups (buyer_nick, key, kind, step, orders, amount_fen, due_at,
                               expires_at, wake_at, owner)
        SELECT buyer.nick, p.key, p.kind, p.step, p.orders, 0, p.due_at, p.expires_at,
               p.due_at, took.name
        FROM buyer, took,
             json_to_recordset(p_plans) AS p (key TEXT, kind TEXT, step TEXT, orders TEXT,
                                             due_at BIGINT, expires_at BIGINT))
    SELECT took.id, took.name, took.load, took.max_load, conversation.id
    INTO agent_id, agent_name, agent_load, agent_max_load, conversation_id
    FROM took LEFT JOIN conversation ON true;
    IF conversation_id IS NULL THEN
        -- Another PC stored this buyer a moment ago: the agent's load goes back.
        IF agent_id IS NOT NULL THEN
            UPDATE agents SET load = load - 1 WHERE id = agent_id;
        END IF;
        RETURN;
    END IF;
    IF NOT p_announce THEN
        RETURN;
    END IF;
    COMMIT;
    -- The claim is durable: the announcement has nothing to flush (should the server fail
    -- this instant, a notification would be lost with or without a flush).
    PERFORM set_config('synchronous_commit', 'off', true);
    PERFORM pg_notify('kefu_desk_changes', 'conversations');
END $$;
