-- Routing obeys the published shift schedule: kefu-core's `shifts::duty` (an agent off
-- shift takes no buyers) in the one place every claim selects from. A moment no published
-- week or shift covers routes as without a schedule. The routing step writes the moment it
-- routes at beside the oldest heartbeat that counts.
ALTER TABLE routing_moment ADD COLUMN at INTEGER;

DROP VIEW routable_agents;
CREATE VIEW routable_agents AS
SELECT a.id, a.name, a.load, a.max_load, a.weight, a.idle_since,
       -- Exact as a float: kefu-core's MAX_LOAD_LIMIT bounds both numbers.
       CAST(a.load AS REAL) / a.max_load AS load_ratio,
       a.state = 'online' AS takes_new_buyers
FROM agents a JOIN routing_moment m ON m.id = 1
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
