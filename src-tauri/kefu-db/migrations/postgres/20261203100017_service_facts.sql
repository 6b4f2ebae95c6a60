-- 绩效's facts: what happened with a buyer, when and by whom, appended as it happens and
-- never changed; kefu-core's `kpi` folds them. The conversations' and chases' own changes
-- write them (triggers running as the owner), so every path records them once and a PC's
-- login cannot forge a reception or a greeting. A PC inserts only message reports, as its
-- signed-in account, and nobody updates or deletes a fact.
CREATE TABLE service_facts (
    id          BIGSERIAL PRIMARY KEY,
    at          BIGINT NOT NULL,
    kind        TEXT NOT NULL CHECK (kind IN ('received', 'greeted', 'transferred', 'closed',
                                              'chased', 'buyer_message', 'agent_message')),
    buyer_nick  TEXT NOT NULL,
    agent       TEXT NOT NULL DEFAULT '',
    other       TEXT NOT NULL DEFAULT '',
    order_no    TEXT NOT NULL DEFAULT '',
    text        TEXT
);
CREATE INDEX service_facts_at ON service_facts (at);

CREATE FUNCTION service_facts_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'service facts are append-only';
END $$;
CREATE TRIGGER service_facts_are_not_changed BEFORE UPDATE OR DELETE ON service_facts
    FOR EACH ROW EXECUTE FUNCTION service_facts_append_only();

CREATE FUNCTION fact_of_conversation() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    who TEXT := (SELECT name FROM agents WHERE id = NEW.agent_id);
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO service_facts (at, kind, buyer_nick, agent, other)
        VALUES (NEW.assigned_at, 'received', NEW.buyer_nick, who,
                coalesce((SELECT pa.name FROM conversations p JOIN agents pa ON pa.id = p.agent_id
                          WHERE p.buyer_nick = NEW.buyer_nick AND p.id <> NEW.id
                            AND p.ended = 'transferred' AND p.closed_at = NEW.assigned_at
                          ORDER BY p.id DESC LIMIT 1), ''));
        RETURN NEW;
    END IF;
    IF OLD.opened_at IS NULL AND NEW.opened_at IS NOT NULL THEN
        INSERT INTO service_facts (at, kind, buyer_nick, agent)
        VALUES (NEW.opened_at, 'greeted', NEW.buyer_nick, who);
    END IF;
    IF OLD.closed_at IS NULL AND NEW.closed_at IS NOT NULL THEN
        INSERT INTO service_facts (at, kind, buyer_nick, agent)
        VALUES (NEW.closed_at, CASE NEW.ended WHEN 'transferred' THEN 'transferred' ELSE 'closed' END,
                NEW.buyer_nick, who);
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER facts_of_conversations AFTER INSERT OR UPDATE OF opened_at, closed_at ON conversations
    FOR EACH ROW EXECUTE FUNCTION fact_of_conversation();

CREATE FUNCTION fact_of_chase() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
    IF OLD.announced_at IS NULL AND NEW.announced_at IS NOT NULL AND NEW.kind = 'chase' THEN
        INSERT INTO service_facts (at, kind, buyer_nick, agent, order_no)
        VALUES (NEW.announced_at, 'chased', NEW.buyer_nick, NEW.owner, NEW.orders);
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER facts_of_chases AFTER UPDATE OF announced_at ON followups
    FOR EACH ROW EXECUTE FUNCTION fact_of_chase();

INSERT INTO service_facts (at, kind, buyer_nick, agent)
SELECT * FROM (
    SELECT c.assigned_at, 'received', c.buyer_nick, a.name FROM conversations c JOIN agents a ON a.id = c.agent_id
    UNION ALL
    SELECT c.opened_at, 'greeted', c.buyer_nick, a.name FROM conversations c JOIN agents a ON a.id = c.agent_id
    WHERE c.opened_at IS NOT NULL
    UNION ALL
    SELECT c.closed_at, CASE c.ended WHEN 'transferred' THEN 'transferred' ELSE 'closed' END, c.buyer_nick, a.name
    FROM conversations c JOIN agents a ON a.id = c.agent_id WHERE c.closed_at IS NOT NULL
) h ORDER BY 1;
INSERT INTO service_facts (at, kind, buyer_nick, agent, order_no)
SELECT announced_at, 'chased', buyer_nick, owner, orders FROM followups
WHERE kind = 'chase' AND announced_at IS NOT NULL ORDER BY announced_at;

-- Everyone reads the facts (the team panel shows who serves whom already; whose figures
-- one may read is kefu-core's `kpi::visible_to`). A PC reports messages only: the buyer's,
-- or its own account's.
GRANT SELECT, INSERT ON service_facts TO kefu_pc;
GRANT USAGE, SELECT ON SEQUENCE service_facts_id_seq TO kefu_pc;
ALTER TABLE service_facts ENABLE ROW LEVEL SECURITY;
CREATE POLICY everyone_reads ON service_facts FOR SELECT USING (true);
CREATE POLICY messages_as_oneself ON service_facts FOR INSERT TO kefu_pc
    WITH CHECK (kind = 'buyer_message'
                OR (kind = 'agent_message'
                    AND agent = coalesce((SELECT a.name FROM agents a WHERE a.id = session_agent()), '')));
