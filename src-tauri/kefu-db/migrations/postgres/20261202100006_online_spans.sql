-- When each agent was present (its PC beating, its state not offline), as spans: a beat
-- extends the agent's latest span when it follows within the heartbeat timeout, else
-- starts a new one. Adherence (出勤) reads them against the published shifts.
CREATE TABLE online_spans (
    agent_id    BIGINT NOT NULL REFERENCES agents (id),
    started_at  BIGINT NOT NULL,
    last_at     BIGINT NOT NULL,
    PRIMARY KEY (agent_id, started_at)
);
CREATE INDEX online_spans_last ON online_spans (last_at);
