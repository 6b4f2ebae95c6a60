-- The shift schedule (排班): templates, weeks drafted and published, shifts. Times of day
-- are minutes after midnight, shop time (kefu-core's `shifts::DayTime`); a shift is stored
-- as absolute instants (unix seconds), computed by the core, and belongs to the date it
-- starts on.
CREATE TABLE shift_templates (
    name          TEXT PRIMARY KEY NOT NULL,
    start_minute  INTEGER NOT NULL CHECK (start_minute BETWEEN 0 AND 1439),
    end_minute    INTEGER NOT NULL CHECK (end_minute BETWEEN 0 AND 1440)
);
INSERT INTO shift_templates (name, start_minute, end_minute) VALUES
    ('早班', 480, 960),
    ('晚班', 960, 1440);

-- A week, Monday (shop date) first. Every change to its draft bumps `version`, so that two
-- supervisors editing one week never lose each other's change: a write names the version
-- it saw. Routing reads only what was published (`published_shifts`).
CREATE TABLE schedule_weeks (
    monday             TEXT PRIMARY KEY NOT NULL,
    starts_at          INTEGER NOT NULL,
    ends_at            INTEGER NOT NULL,
    version            INTEGER NOT NULL DEFAULT 0,
    published_version  INTEGER,
    published_at       INTEGER,
    published_by       TEXT
);

CREATE TABLE shifts (
    week       TEXT NOT NULL REFERENCES schedule_weeks (monday),
    agent_id   INTEGER NOT NULL REFERENCES agents (id),
    date       TEXT NOT NULL,
    template   TEXT NOT NULL,
    starts_at  INTEGER NOT NULL,
    ends_at    INTEGER NOT NULL CHECK (ends_at > starts_at),
    PRIMARY KEY (agent_id, date, template)
);
CREATE INDEX shifts_of_week ON shifts (week);

CREATE TABLE published_shifts (
    week       TEXT NOT NULL REFERENCES schedule_weeks (monday),
    agent_id   INTEGER NOT NULL REFERENCES agents (id),
    date       TEXT NOT NULL,
    template   TEXT NOT NULL,
    starts_at  INTEGER NOT NULL,
    ends_at    INTEGER NOT NULL CHECK (ends_at > starts_at),
    PRIMARY KEY (agent_id, date, template)
);
CREATE INDEX published_shifts_at ON published_shifts (starts_at);

-- Days an agent cannot work.
CREATE TABLE time_off (
    agent_id  INTEGER NOT NULL REFERENCES agents (id),
    date      TEXT NOT NULL,
    PRIMARY KEY (agent_id, date)
);
