-- Claims of new buyers on a team database, one round trip each.
--
-- A commit that NOTIFYs holds a lock on the whole database while it flushes, so when every
-- claim of a new buyer notified, 32 PCs claiming at once committed one at a time. A claim
-- now keeps its triggers silent (`kefu_desk.announce_later`), commits together with
-- everyone else's, and then announces itself in a second transaction that has nothing to
-- flush (or the PC announces a burst of claims once). Everything else notifies as before.
-- The triggers skip the call altogether when the transaction says it announces later.
DROP TRIGGER buyers_changed ON buyers;
DROP TRIGGER orders_changed ON orders;
DROP TRIGGER followups_changed ON followups;
DROP TRIGGER conversations_changed ON conversations;
DROP TRIGGER waiting_changed ON waiting;
DROP TRIGGER agents_changed ON agents;
CREATE TRIGGER buyers_changed AFTER INSERT OR UPDATE OR DELETE ON buyers
    FOR EACH STATEMENT
    WHEN (current_setting('kefu_desk.announce_later', true) IS DISTINCT FROM 'on')
    EXECUTE FUNCTION kefu_desk_changed();
CREATE TRIGGER orders_changed AFTER INSERT OR UPDATE OR DELETE ON orders
    FOR EACH STATEMENT
    WHEN (current_setting('kefu_desk.announce_later', true) IS DISTINCT FROM 'on')
    EXECUTE FUNCTION kefu_desk_changed();
CREATE TRIGGER followups_changed AFTER INSERT OR UPDATE OR DELETE ON followups
    FOR EACH ROW
    WHEN (current_setting('kefu_desk.announce_later', true) IS DISTINCT FROM 'on')
    EXECUTE FUNCTION kefu_desk_changed();
CREATE TRIGGER conversations_changed AFTER INSERT OR UPDATE OR DELETE ON conversations
    FOR EACH ROW
    WHEN (current_setting('kefu_desk.announce_later', true) IS DISTINCT FROM 'on')
    EXECUTE FUNCTION kefu_desk_changed();
CREATE TRIGGER waiting_changed AFTER INSERT OR UPDATE OR DELETE ON waiting
    FOR EACH ROW
    WHEN (current_setting('kefu_desk.announce_later', true) IS DISTINCT FROM 'on')
    EXECUTE FUNCTION kefu_desk_changed();
CREATE TRIGGER agents_changed
    AFTER INSERT OR DELETE OR UPDATE OF name, role, state, in_routing, max_load, weight, load, missed
    ON agents FOR EACH ROW
    WHEN (current_setting('kefu_desk.announce_later', true) IS DISTINCT FROM 'on')
    EXECUTE FUNCTION kefu_desk_changed();

-- A buyer no one has seen yet goes to the best-ranked agent no other PC is claiming this
-- instant, with its conversation and planned follow-ups (`plans`: JSON rows), owned by
-- that agent. Ranking: kefu-core's `team::ranked` (eligible: a routing sub-account, online,
-- seen after `seen_after`, below its maximum; then lowest load ratio, highest weight,
-- longest idle, lowest id); kefu-db's test `claims_follow_the_cores_ranking` holds the two
-- together. The reason is kefu-core's `Why::LowestLoad` as JSON. When the buyer is known
-- or no agent is free, nothing is written and `conversation_id` is NULL: the caller routes
-- the usual way. Called outside a transaction (it commits). With `p_announce` false the
-- caller announces the claim itself (a PC claiming many buyers at once announces them
-- together, see kefu-db's `announce`).
CREATE PROCEDURE claim_new_buyer(
    p_nick TEXT, p_asked TEXT, p_t BIGINT, p_seen_after BIGINT, p_plans JSON,
    p_announce BOOLEAN,
    INOUT agent_id BIGINT DEFAULT NULL, INOUT agent_name TEXT DEFAULT NULL,
    INOUT agent_load BIGINT DEFAULT NULL, INOUT agent_max_load BIGINT DEFAULT NULL,
    INOUT conversation_id BIGINT DEFAULT NULL)
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM set_config('kefu_desk.announce_later', 'on', true);
    WITH took AS (
        UPDATE agents SET load = load + 1, idle_since = p_t
        WHERE id = (
            SELECT a.id FROM agents a
            WHERE a.role <> 'main' AND a.in_routing = 1 AND a.state = 'online'
              AND a.load < a.max_load AND a.last_seen > p_seen_after
              AND NOT EXISTS (SELECT 1 FROM buyers b WHERE b.nick = p_nick)
            ORDER BY CAST(a.load AS DOUBLE PRECISION) / a.max_load, a.weight DESC,
                     a.idle_since, a.id
            LIMIT 1 FOR UPDATE SKIP LOCKED)
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
