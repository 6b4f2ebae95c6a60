-- Routing obeys the published shift schedule: kefu-core's `shifts::duty` (an agent off
-- shift takes no buyers) in the one place every claim selects from. A moment no published
-- week or shift covers routes as without a schedule. The routing step sets the moment it
-- routes at as the transaction's `kefu_desk.at`, beside `kefu_desk.seen_after`.
CREATE OR REPLACE VIEW routable_agents AS
SELECT a.id, a.name, a.load, a.max_load, a.weight, a.idle_since,
       -- Exact as a float: kefu-core's MAX_LOAD_LIMIT bounds both numbers.
       CAST(a.load AS DOUBLE PRECISION) / a.max_load AS load_ratio,
       a.state = 'online' AS takes_new_buyers
FROM agents a,
     (SELECT current_setting('kefu_desk.seen_after')::BIGINT AS seen_after,
             current_setting('kefu_desk.at')::BIGINT AS at) m
WHERE a.role <> 'main' AND a.in_routing = 1 AND a.load < a.max_load
  AND a.state IN ('online', 'suspended')
  AND a.last_seen > m.seen_after
  AND (EXISTS (SELECT 1 FROM published_shifts p
               WHERE p.agent_id = a.id AND p.starts_at <= m.at AND m.at < p.ends_at)
       OR NOT (EXISTS (SELECT 1 FROM schedule_weeks w
                       WHERE w.published_version IS NOT NULL
                         AND w.starts_at <= m.at AND m.at < w.ends_at)
               OR EXISTS (SELECT 1 FROM published_shifts p
                          WHERE p.starts_at <= m.at AND m.at < p.ends_at)));

-- `claim_new_buyer` of 20261202100001, now also setting the moment it routes at.
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
