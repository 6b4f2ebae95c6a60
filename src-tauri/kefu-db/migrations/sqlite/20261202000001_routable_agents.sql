-- Who may take a buyer, stated once for every claim made in SQL: kefu-core's
-- `Agent::takes_returning_buyers` (the rows of the view) and `Agent::takes_new_buyers`
-- (its column `takes_new_buyers`). Every claim path selects its agent from this view, so a
-- new condition is one change here (and one in the PostgreSQL view) plus the core;
-- kefu-db's property test `claims_follow_the_cores_ranking` holds them together.
--
-- Presence depends on the moment: a routing step first writes the oldest heartbeat that
-- still counts into `routing_moment` (on SQLite a step holds the write lock, so no other
-- step can change it meanwhile). Until a step has written it, no one is routable.
CREATE TABLE routing_moment (
    id          INTEGER PRIMARY KEY CHECK (id = 1),
    seen_after  INTEGER
);
INSERT INTO routing_moment (id, seen_after) VALUES (1, NULL);

CREATE VIEW routable_agents AS
SELECT a.id, a.name, a.load, a.max_load, a.weight, a.idle_since,
       -- Exact as a float: kefu-core's MAX_LOAD_LIMIT bounds both numbers.
       CAST(a.load AS REAL) / a.max_load AS load_ratio,
       a.state = 'online' AS takes_new_buyers
FROM agents a
WHERE a.role <> 'main' AND a.in_routing = 1 AND a.load < a.max_load
  AND a.state IN ('online', 'suspended')
  AND a.last_seen > (SELECT seen_after FROM routing_moment WHERE id = 1);
