-- Wrong passwords in a row per account name (known or not), so that every PC of a shop
-- counts together; cleared by a successful sign-in. kefu-core's team::sign_in says how
-- long a name waits.
CREATE TABLE sign_in_failures (
    name            TEXT PRIMARY KEY,
    failures        BIGINT NOT NULL,
    last_failed_at  BIGINT NOT NULL
);
