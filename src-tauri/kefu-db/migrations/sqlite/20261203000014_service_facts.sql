-- 绩效's facts: what happened with a buyer, when and by whom, appended as it happens and
-- never changed; kefu-core's `kpi` folds them. The conversations' and chases' own changes
-- write them (triggers), so every path that receives, greets, transfers, closes or chases
-- records it once; the chat system's message reports are inserted directly.
CREATE TABLE service_facts (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    at          INTEGER NOT NULL,
    kind        TEXT NOT NULL CHECK (kind IN ('received', 'greeted', 'transferred', 'closed',
                                              'chased', 'buyer_message', 'agent_message')),
    buyer_nick  TEXT NOT NULL,
    -- The agent acting or served ('' for a message nobody serves, or a chase announced to
    -- whoever is signed in).
    agent       TEXT NOT NULL DEFAULT '',
    -- A reception's previous agent when it came by a transfer.
    other       TEXT NOT NULL DEFAULT '',
    -- A chase's orders, comma-separated.
    order_no    TEXT NOT NULL DEFAULT '',
    -- A message's text, kept only where the shop turned it on; NULL otherwise.
    text        TEXT
);
CREATE INDEX service_facts_at ON service_facts (at);

CREATE TRIGGER service_facts_are_not_updated BEFORE UPDATE ON service_facts
BEGIN SELECT RAISE(ABORT, 'service facts are append-only'); END;
CREATE TRIGGER service_facts_are_not_deleted BEFORE DELETE ON service_facts
BEGIN SELECT RAISE(ABORT, 'service facts are append-only'); END;

CREATE TRIGGER fact_received AFTER INSERT ON conversations
BEGIN
    INSERT INTO service_facts (at, kind, buyer_nick, agent, other)
    SELECT NEW.assigned_at, 'received', NEW.buyer_nick, a.name,
           coalesce((SELECT pa.name FROM conversations p JOIN agents pa ON pa.id = p.agent_id
                     WHERE p.buyer_nick = NEW.buyer_nick AND p.id <> NEW.id
                       AND p.ended = 'transferred' AND p.closed_at = NEW.assigned_at
                     ORDER BY p.id DESC LIMIT 1), '')
    FROM agents a WHERE a.id = NEW.agent_id;
END;

CREATE TRIGGER fact_greeted AFTER UPDATE OF opened_at ON conversations
WHEN OLD.opened_at IS NULL AND NEW.opened_at IS NOT NULL
BEGIN
    INSERT INTO service_facts (at, kind, buyer_nick, agent)
    SELECT NEW.opened_at, 'greeted', NEW.buyer_nick, a.name FROM agents a WHERE a.id = NEW.agent_id;
END;

CREATE TRIGGER fact_ended AFTER UPDATE OF closed_at ON conversations
WHEN OLD.closed_at IS NULL AND NEW.closed_at IS NOT NULL
BEGIN
    INSERT INTO service_facts (at, kind, buyer_nick, agent)
    SELECT NEW.closed_at, CASE NEW.ended WHEN 'transferred' THEN 'transferred' ELSE 'closed' END,
           NEW.buyer_nick, a.name
    FROM agents a WHERE a.id = NEW.agent_id;
END;

CREATE TRIGGER fact_chased AFTER UPDATE OF announced_at ON followups
WHEN OLD.announced_at IS NULL AND NEW.announced_at IS NOT NULL AND NEW.kind = 'chase'
BEGIN
    INSERT INTO service_facts (at, kind, buyer_nick, agent, order_no)
    VALUES (NEW.announced_at, 'chased', NEW.buyer_nick, NEW.owner, NEW.orders);
END;

-- The history before this version, once: receptions, greetings, ends and chases.
INSERT INTO service_facts (at, kind, buyer_nick, agent)
SELECT c.assigned_at, 'received', c.buyer_nick, a.name FROM conversations c JOIN agents a ON a.id = c.agent_id
UNION ALL
SELECT c.opened_at, 'greeted', c.buyer_nick, a.name FROM conversations c JOIN agents a ON a.id = c.agent_id
WHERE c.opened_at IS NOT NULL
UNION ALL
SELECT c.closed_at, CASE c.ended WHEN 'transferred' THEN 'transferred' ELSE 'closed' END, c.buyer_nick, a.name
FROM conversations c JOIN agents a ON a.id = c.agent_id WHERE c.closed_at IS NOT NULL
ORDER BY 1;
INSERT INTO service_facts (at, kind, buyer_nick, agent, order_no)
SELECT announced_at, 'chased', buyer_nick, owner, orders FROM followups
WHERE kind = 'chase' AND announced_at IS NOT NULL ORDER BY announced_at;
